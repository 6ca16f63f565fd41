"""The window at 1024x700, in normal and in review mode: every pane keeps a usable width,
nothing is cut off, and review mode's wider list gives its room back when it ends."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QWidget

from annotator.gui.main_window import MainWindow
from tests.gui.test_review import enter_review, two_layers  # noqa: F401  (a fixture)

SMALL_SCREEN = (1024, 700)


def assert_whole(widget: QWidget, *, min_width: int) -> None:
    """Shown, at least `min_width` wide, and no part of it clipped by the window."""
    name = widget.objectName() or type(widget).__name__
    assert widget.isVisible(), name
    assert widget.width() >= min_width, (name, widget.width())
    window = widget.window()
    area = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    holder = widget.parentWidget()
    while holder is not None:  # inside each of the boxes that hold it, up to the window
        held_in = QRect(holder.mapTo(window, QPoint(0, 0)), holder.size())
        assert held_in.contains(area), (name, holder.objectName() or type(holder).__name__)
        holder = holder.parentWidget()
    if isinstance(widget, QLabel):  # every line of its text, and the whole of each
        if widget.wordWrap():
            assert widget.heightForWidth(widget.width()) <= widget.height(), name
        else:
            assert widget.sizeHint().width() <= widget.width(), name


def at_small_screen(qtbot, window: MainWindow) -> None:
    window.resize(*SMALL_SCREEN)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SMALL_SCREEN)
    qtbot.wait(20)  # the layouts settle


@pytest.mark.usefixtures("two_layers")
def test_the_window_fits_1024_by_700_in_both_modes(qtbot, window: MainWindow) -> None:
    at_small_screen(qtbot, window)
    assert_whole(window.documents, min_width=180)
    assert_whole(window.article.text, min_width=320)
    assert_whole(window.tags, min_width=260)
    listing = enter_review(qtbot, window)
    qtbot.wait(20)
    article, panel = window.review_article, window.review_panel
    assert_whole(window.documents, min_width=180)
    assert_whole(article.text, min_width=320)
    assert_whole(article.progress_label, min_width=200)
    assert_whole(listing, min_width=440)  # room for both sides' label and text
    for widget in (panel.comment, panel.accept_button, panel.agreement):
        assert_whole(widget, min_width=300)
    assert_whole(panel.gold_button, min_width=120)
    assert_whole(panel.feedback_button, min_width=120)
    qtbot.keyClick(listing, Qt.Key.Key_E)  # the edit's hint takes a line or two more
    qtbot.wait(20)
    assert_whole(article.edit_hint, min_width=200)
    assert_whole(article.text, min_width=320)


@pytest.mark.usefixtures("two_layers")
def test_review_mode_gives_its_room_back(qtbot, window: MainWindow) -> None:
    for size in ((1360, 860), SMALL_SCREEN):
        window.resize(*size)
        qtbot.waitUntil(lambda size=size: (window.width(), window.height()) == size)
        before = window.splitter.sizes()
        listing = enter_review(qtbot, window)
        assert window.splitter.sizes()[2] > before[2]  # the list got wider
        qtbot.keyClick(listing, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert window.splitter.sizes() == before
