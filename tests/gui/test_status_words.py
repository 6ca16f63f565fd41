"""The status bar says what was saved in words a person uses, once."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.gui.main_window import MainWindow
from tests.gui.test_review import enter_review, two_layers  # noqa: F401  (a fixture)


def test_a_labelled_span_is_said_in_words(qtbot, window: MainWindow) -> None:
    text = window.workspace.document.text
    window.article.text.place_caret(text.index("Tuesday"))
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    said = window.status_saved.text()
    assert said.startswith("saved · added Date 'Tuesday'"), said
    assert "add span" not in said


def test_a_review_decision_is_said_in_words(
    qtbot,
    window: MainWindow,
    two_layers: int,  # noqa: F811
) -> None:
    listing = enter_review(qtbot, window)
    qtbot.keyClick(listing, Qt.Key.Key_A)
    said = window.status_saved.text()
    assert said == "saved · took A's span into gold: Location 'Harbour Bridge'", said
    assert "take_a" not in said and said.count("took") == 1
