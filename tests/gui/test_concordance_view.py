"""Search the corpus on the real window, from the keyboard: Ctrl+Shift+F, a word and
Enter; arrows and a label's key label results (Ctrl+A, a key: all of them), each one
Ctrl+Z step; Enter opens a result in the article with the match selected, astral
characters before it and all."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.gui.concordance_view import LABELS, ConcordanceDialog
from annotator.gui.main_window import MainWindow
from tests.core.conftest import add_document

# The dialog is raised when asked for again; the offscreen platform cannot, and says so.
pytestmark = pytest.mark.qt_log_ignore("does not support raise")

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier

FIRST = "🎉 Zorblax met the 🇬🇧 delegation.\nLater zorblax left; 𝔘𝔫𝔦 Zorblax stayed."
SECOND = "Ünïcode 😀😀 before Zorblax, and Zorblaxian after."


def _open(qtbot, window: MainWindow) -> tuple[ConcordanceDialog, int, int]:
    ws = window.workspace
    assert ws.corpus is not None and ws.project is not None
    first = add_document(ws.corpus, ws.project.id, FIRST, "Zorblax diary")
    second = add_document(ws.corpus, ws.project.id, SECOND, "Emoji notes")
    ws.refresh()
    qtbot.keyClick(window.article.text, Qt.Key.Key_F, CTRL | SHIFT)
    dialog = window.findChild(ConcordanceDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.field.hasFocus())
    return dialog, first, second


def _alice(window: MainWindow, document_id: int) -> list[tuple[str, str]]:
    """(text, label) of alice's spans in the document."""
    ws = window.workspace
    names = {label.id: label.name for label in ws.labels}
    return [(span.text, names[span.label_id]) for span in ws.corpus.all_spans(document_id)]


def test_search_label_undo_and_open_from_the_keyboard(qtbot, window: MainWindow) -> None:
    dialog, first, second = _open(qtbot, window)
    qtbot.keyClicks(dialog.field, "zorblax")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    hits = dialog.model.hits
    assert [(h.document_id, h.match) for h in hits] == [
        (first, "Zorblax"), (first, "zorblax"), (first, "Zorblax"),
        (second, "Zorblax"), (second, "Zorblax"),
    ]  # fmt: skip
    assert dialog.status.text() == "5 matches in 2 of 5 documents"
    assert hits[1].left.endswith("delegation. Later ")  # the newline shown as a space
    assert dialog.table.hasFocus() and dialog.selected_rows() == [0]
    window.grab()  # the window behind is drawn too
    dialog.grab().save("/tmp/concordance.png")

    # Whole word (three Tabs from the field, Space) leaves "Zorblaxian" out.
    qtbot.keyClick(dialog.table, Qt.Key.Key_F, CTRL)
    assert dialog.field.hasFocus()
    for _ in range(3):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.whole_word.hasFocus()
    qtbot.keyClick(dialog.whole_word, Qt.Key.Key_Space)
    assert dialog.whole_word.isChecked()
    qtbot.keyClick(dialog.whole_word, Qt.Key.Key_Tab, SHIFT)
    qtbot.keyClick(dialog.match_case, Qt.Key.Key_Tab, SHIFT)
    qtbot.keyClick(dialog.regex, Qt.Key.Key_Tab, SHIFT)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert len(dialog.model.hits) == 4

    # Down, then Person's key: the second result labelled, in one step.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.selected_rows() == [1]
    qtbot.keyClick(dialog.table, Qt.Key.Key_1)
    assert _alice(window, first) == [("zorblax", "Person")]
    label_cell = dialog.model.index(1, LABELS)
    assert label_cell.data() == "alice: Person"

    # Ctrl+A then Location's key: all the others, the labelled one skipped.
    qtbot.keyClick(dialog.table, Qt.Key.Key_A, CTRL)
    assert dialog.selected_rows() == [0, 1, 2, 3]
    qtbot.keyClick(dialog.table, Qt.Key.Key_3)
    assert sorted(_alice(window, first)) == [
        ("Zorblax", "Location"), ("Zorblax", "Location"), ("zorblax", "Person"),
    ]  # fmt: skip
    assert _alice(window, second) == [("Zorblax", "Location")]
    assert dialog.status.text() == (
        "Labelled 3 matches Location; skipped 1 overlapping a span already there"
    )
    assert [dialog.model.index(row, LABELS).data() for row in range(4)] == [
        "alice: Location", "alice: Person", "alice: Location", "alice: Location",
    ]  # fmt: skip
    dialog.grab().save("/tmp/concordance_labelled.png")

    # Ctrl+Z in the dialog takes back the whole of the last labelling, and only it.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, CTRL)
    assert _alice(window, first) == [("zorblax", "Person")] and _alice(window, second) == []
    assert dialog.model.index(0, LABELS).data() == ""
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(_alice(window, second)) == 1

    # Enter opens the fourth result: after two astral emoji, in code points and UTF-16.
    qtbot.keyClick(dialog.table, Qt.Key.Key_End, CTRL)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    view = window.article.text
    assert window.workspace.document.id == second
    start = SECOND.index("Zorblax")
    assert view.selection() == (start, start + 7)
    assert view.textCursor().selectedText() == "Zorblax"
    qtbot.waitUntil(view.hasFocus)  # the window is activated, the article focused
    # The article shows the span labelled from the dialog.
    assert [(s.start, s.end) for s in window.workspace.spans.values()] == [(start, start + 7)]


def test_labelling_reaches_the_open_article_and_bad_input_says_so(
    qtbot, window: MainWindow
) -> None:
    dialog, first, second = _open(qtbot, window)
    window.open_document(first)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.regex, Qt.Key.Key_Space)
    assert dialog.regex.isChecked()
    qtbot.keyClick(dialog.regex, Qt.Key.Key_Tab, SHIFT)
    qtbot.keyClicks(dialog.field, "Zorblax(")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert "bad regular expression 'Zorblax(': missing )" in dialog.status.text()
    assert dialog.model.hits == []
    dialog.field.clear()
    qtbot.keyClicks(dialog.field, r"Zorbla\w*")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert len(dialog.model.hits) == 5  # any case, unless Match case is ticked
    qtbot.keyClick(dialog.table, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(dialog.table, Qt.Key.Key_2)
    # The open article (the first document) shows its two new spans; the other document
    # was labelled too, without being opened.
    assert window.workspace.document.id == first
    shown = [FIRST[s.start : s.end] for s in window.workspace.spans.values()]
    assert sorted(shown) == ["Zorblax", "Zorblax", "zorblax"]
    assert len(window.article.text.spans_overlapping(0, len(FIRST) * 2)) == 3  # drawn
    assert len(_alice(window, second)) == 2
    qtbot.keyClick(dialog.table, Qt.Key.Key_9)
    assert dialog.status.text() == "no label on key 9"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, CTRL)
    assert window.workspace.spans == {} and _alice(window, second) == []
