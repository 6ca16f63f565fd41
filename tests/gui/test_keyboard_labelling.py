"""Labelling without the mouse: find then label, document labels by key, names kept whole."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.gui.main_window import MainWindow
from tests.gui.test_workspace import offset_of, stored_spans

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_find_enter_and_a_label_key_label_the_match(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    view, bar = window.article.text, window.article.find_bar
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert bar.field.hasFocus()
    qtbot.keyClicks(bar.field, "Port Ellison")
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    qtbot.keyClick(bar.field, Qt.Key.Key_3)
    start = offset_of(window, "Port Ellison")
    assert stored_spans(db_path) == [("Location", start, start + 12, "Port Ellison")]
    assert bar.field.text() == "Port Ellison"  # the key labelled; it was not typed
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert bar.isHidden() and view.hasFocus()


def test_enter_and_shift_enter_walk_the_matches_and_each_can_be_labelled(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    view, bar = window.article.text, window.article.find_bar
    text = window.workspace.document.text
    needle = "the"
    matches = [i for i in range(len(text)) if text.lower().startswith(needle, i)]
    assert len(matches) >= 3
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(bar.field, needle)
    assert view.selection() == (matches[0], matches[0] + 3)  # found while typing
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)  # takes it
    assert view.selection() == (matches[0], matches[0] + 3)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert view.selection() == (matches[1], matches[1] + 3)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert view.selection() == (matches[2], matches[2] + 3)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, SHIFT)
    assert view.selection() == (matches[1], matches[1] + 3)
    qtbot.keyClick(bar.field, Qt.Key.Key_5)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    qtbot.keyClick(bar.field, Qt.Key.Key_5)
    labelled = [(row[0], row[1]) for row in stored_spans(db_path)]
    assert labelled == [("Event", matches[1]), ("Event", matches[2])]


def test_a_number_is_searched_for_until_enter_chooses_a_match(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    view, bar = window.article.text, window.article.find_bar
    text = window.workspace.document.text
    number = next(word for word in text.split() if word.isdigit())
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(bar.field, number)
    assert bar.field.text() == number
    assert stored_spans(db_path) == []
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    qtbot.keyClick(bar.field, Qt.Key.Key_Backspace)  # editing again: back to typing
    qtbot.keyClick(bar.field, Qt.Key.Key_1)
    assert bar.field.text() == number[:-1] + "1"
    assert stored_spans(db_path) == []
