"""Labelling without the mouse: find then label, document labels by key, names kept whole."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel

from annotator.core.corpus import Corpus
from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.main_window import MainWindow
from tests.gui.test_workspace import caret_to, offset_of, select_with_keys, stored_spans

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


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
    qtbot.keyClick(bar.field, Qt.Key.Key_Z, CTRL)  # undoes the label, not the typing
    assert stored_spans(db_path) == [] and bar.field.text() == "Port Ellison"
    qtbot.keyClick(bar.field, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored_spans(db_path) == [("Location", start, start + 12, "Port Ellison")]
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


def stored_document_labels(window: MainWindow, db_path: Path) -> list[str]:
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        ids = corpus.document_labels(window.workspace.document.id)
    return sorted(window.workspace.label(label_id).name for label_id in ids)


def ticked(window: MainWindow) -> list[str]:
    return sorted(box.text() for box in window.tags.findChildren(QCheckBox) if box.isChecked())


def test_ctrl_and_a_digit_tick_document_labels_and_ctrl_z_takes_it_back(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    view = window.article.text
    keys = [hint.text() for hint in window.tags.findChildren(QLabel, "documentLabelKey")]
    assert keys == ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]  # shown beside the check boxes
    qtbot.keyClick(view, Qt.Key.Key_1, CTRL)
    qtbot.keyClick(view, Qt.Key.Key_3, CTRL)
    assert stored_document_labels(window, db_path) == ["Environment", "Politics"]
    assert ticked(window) == ["Environment", "Politics"]
    qtbot.keyClick(view, Qt.Key.Key_1, CTRL)  # again: unticked
    assert stored_document_labels(window, db_path) == ["Environment"]
    assert ticked(window) == ["Environment"]
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert stored_document_labels(window, db_path) == ["Environment", "Politics"]
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert stored_document_labels(window, db_path) == []
    assert ticked(window) == []
    assert stored_spans(db_path) == []  # the digit labelled no span


def test_document_label_keys_work_from_the_find_field_too(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    bar = window.article.find_bar
    qtbot.keyClick(window.article.text, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(bar.field, "bridge")
    qtbot.keyClick(bar.field, Qt.Key.Key_2, CTRL)
    assert stored_document_labels(window, db_path) == ["Economy"]
    assert bar.field.text() == "bridge"


def open_new_document(window: MainWindow, tmp_path: Path, text: str) -> None:
    """A document with the given text, imported as a user would and opened."""
    from annotator.core.importing import import_paths

    path = tmp_path / "names.txt"
    path.write_text(text, encoding="utf-8")
    with Corpus.open(window.db_url.removeprefix("sqlite:///"), annotator="alice") as corpus:
        assert import_paths(corpus, [path], project=SAMPLE_PROJECT).ok
    window.documents.reload()
    window.documents.model.fetch_all()
    window.open_document(window.documents.model.loaded_ids()[-1])
    assert window.workspace.document.text == text


def test_part_of_a_hyphenated_name_labels_the_whole_name(
    qtbot, window: MainWindow, tmp_path: Path, db_path: Path
) -> None:
    text = "Talks resumed after Kim Hong-kyun's visit, said O'Neill."
    open_new_document(window, tmp_path, text)
    view = window.article.text
    kyu = text.index("kyu")
    select_with_keys(qtbot, window, kyu, 3)
    assert view.selection() == (kyu, kyu + 3)
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    caret_to(window, text.index("Neill") + 2)  # no selection: the word at the caret
    qtbot.keyClick(view, Qt.Key.Key_1)
    hong, neill = text.index("Hong-kyun"), text.index("O'Neill")
    assert stored_spans(db_path) == [
        ("Person", hong, hong + 9, "Hong-kyun"),
        ("Person", neill, neill + 7, "O'Neill"),
    ]
