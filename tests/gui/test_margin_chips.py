"""The label chips right of the text name, on hover, every span that starts on the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from annotator.gui.main_window import MainWindow


# A tooltip is a window of its own, which the offscreen platform cannot raise.
@pytest.mark.qt_log_ignore("does not support raise")
def test_hovering_a_crowded_line_names_every_span_on_it(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    view = window.article.text
    text = window.workspace.document.text
    paragraph = text.index("The Harbour Bridge in Port Ellison reopened")
    for words, key in (("Harbour Bridge", Qt.Key.Key_3), ("Port Ellison", Qt.Key.Key_3),
                       ("Tuesday", Qt.Key.Key_4)):  # fmt: skip
        start = text.index(words, paragraph)
        view.select_range(start, start + len(words))
        qtbot.keyClick(view, key)
    assert len(window.workspace.spans) == 3

    view.place_caret(paragraph)
    y = view.cursorRect().center().y()
    strip = window.findChild(QWidget, "labelTags")
    assert strip is not None and strip.isVisible()
    QApplication.sendEvent(
        strip, QHelpEvent(QEvent.Type.ToolTip, QPoint(20, y), strip.mapToGlobal(QPoint(20, y)))
    )
    shown = QToolTip.text()
    for words in ("Harbour Bridge", "Port Ellison", "Tuesday"):
        assert words in shown, shown
    assert "Date" in shown and shown.count("Location") == 2
    qtbot.wait(50)
    window.grab().save(str(tmp_path / "margin-chips.png"))
