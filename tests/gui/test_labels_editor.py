"""The labels editor from the window: deleting a label (undoable), refusals shown in the
dialog itself, guideline cards on hover, and "&" in names shown as typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QToolTip,
    QWidget,
)

from annotator.base.vocabulary import LabelKind
from annotator.gui.labels_dialog import HOTKEY, LabelsDialog
from annotator.gui.main_window import MainWindow
from tests.gui.modal import driving

CTRL = Qt.KeyboardModifier.ControlModifier


def names(window: MainWindow) -> list[str]:
    return [label.name for label in window.workspace.labels]


def label_tuesday(qtbot, window: MainWindow) -> int:
    """Put the caret in "Tuesday" and press 4 (Date); the word's offset."""
    document = window.workspace.document
    assert document is not None
    start = document.text.index("Tuesday")
    window.article.text.place_caret(start + 2)
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    return start


def focus(qtbot, dialog: LabelsDialog) -> None:
    """The dialog as it is once shown: the active window, its table taking the keys."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus)


def row_of(dialog: LabelsDialog, name: str) -> int:
    return next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == name)


def outcome(dialog: LabelsDialog) -> str:
    return dialog.findChild(QLabel, "labelsOutcome").text()


def test_delete_a_label_with_its_spans_then_undo_brings_both_back(
    qtbot, monkeypatch, window: MainWindow
) -> None:
    start = label_tuesday(qtbot, window)
    seen: dict[str, object] = {}

    def delete_date(dialog: LabelsDialog) -> None:
        focus(qtbot, dialog)
        dialog.table.selectRow(row_of(dialog, "Date"))
        qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
        seen["rows"] = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
        seen["outcome"] = outcome(dialog)
        dialog.grab().save("/tmp/labels_dialog_deleted.png")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    left = driving(monkeypatch, LabelsDialog, delete_date)
    qtbot.keyClick(window.article.text, Qt.Key.Key_L, CTRL)
    assert left == []
    window.activateWindow()  # the dialog closed: the window takes the keys again
    qtbot.waitUntil(window.isActiveWindow)
    assert "Date" not in seen["rows"] and "Date" not in names(window)  # type: ignore[operator]
    assert seen["outcome"] == (
        "Date and its 1 span are in the trash; Ctrl+Z in the window brings them back"
    )
    assert window.workspace.spans == {}
    qtbot.keyClick(window.article.text, Qt.Key.Key_Z, CTRL)
    assert "Date" in names(window)
    date = next(lb.id for lb in window.workspace.labels if lb.name == "Date")
    assert [(s.label_id, s.start) for s in window.workspace.spans.values()] == [(date, start)]
    qtbot.keyClick(window.article.text, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert "Date" not in names(window) and window.workspace.spans == {}


def test_a_taken_key_is_refused_inside_the_dialog_without_a_box(
    qtbot, monkeypatch, window: MainWindow
) -> None:
    seen: dict[str, object] = {}

    def take_key_1(dialog: LabelsDialog) -> None:
        row = row_of(dialog, "Organisation")
        focus(qtbot, dialog)
        dialog.table.setCurrentCell(row, HOTKEY)
        qtbot.keyClick(dialog.table, Qt.Key.Key_F2)
        editor = QApplication.focusWidget()
        editor.selectAll()  # type: ignore[attr-defined]
        qtbot.keyClicks(editor, "1")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        # The delegate commits once the key's event is over, as it does for a person.
        qtbot.waitUntil(lambda: dialog.table.state() != QAbstractItemView.State.EditingState)
        seen["outcome"] = outcome(dialog)
        seen["cell"] = dialog.table.item(row, HOTKEY).text()
        seen["boxes"] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        dialog.grab().save("/tmp/labels_dialog_refused.png")
        dialog.reject()

    driving(monkeypatch, LabelsDialog, take_key_1)
    qtbot.keyClick(window.article.text, Qt.Key.Key_L, CTRL)
    assert seen["outcome"] == "hotkey '1' is already used by label 'Person'"
    assert seen["cell"] == "2" and seen["boxes"] == []
    organisation = next(lb for lb in window.workspace.labels if lb.name == "Organisation")
    assert organisation.hotkey == "2"


def _hover(qtbot, widget: QWidget, point: QPoint) -> str:
    """What a person resting the mouse at `point` of `widget` is shown."""
    QToolTip.hideText()
    qtbot.mouseMove(widget, point)
    event = QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point))
    QApplication.sendEvent(widget, event)
    return QToolTip.text()


@pytest.mark.qt_log_ignore("does not support raise")
def test_a_labels_guideline_shows_on_hover_in_the_panel_and_over_its_spans(
    qtbot, window: MainWindow
) -> None:
    start = label_tuesday(qtbot, window)
    listing = window.findChild(QListWidget, "labelList")
    date_item = next(
        listing.item(r) for r in range(listing.count()) if listing.item(r).text() == "Date"
    )
    card = _hover(qtbot, listing.viewport(), listing.visualItemRect(date_item).center())
    assert "<b>Date</b> (key 4)" in card and "A date or time expression" in card
    view = window.article.text
    cursor = QTextCursor(view.document())
    cursor.setPosition(start + 3)
    rect = view.cursorRect(cursor)
    card = _hover(qtbot, view.viewport(), QPoint(rect.x(), rect.center().y()))
    assert card.startswith("<b>Date</b><br>A date or time expression")


@pytest.mark.qt_log_ignore("does not support raise")
def test_an_ampersand_in_a_label_name_is_shown_not_taken_as_a_shortcut(
    qtbot, window: MainWindow
) -> None:
    window.workspace.add_label("R&D", kind=LabelKind.DOCUMENT, description="Research & development")
    window.workspace.add_label("R&D", kind=LabelKind.SPAN, description="Labs & <people>")
    box = next(
        b for b in window.findChildren(QCheckBox)
        if b.objectName().startswith("documentLabel_") and "R" in b.text()
    )  # fmt: skip
    # Taken as a mnemonic, "&" vanishes (and underlines D): the box would be as wide as "RD".
    assert box.sizeHint().width() > QCheckBox("RD").sizeHint().width()
    qtbot.wait(50)  # the panel lays the new rows out
    window.grab().save("/tmp/ampersand_window.png")
    listing = window.findChild(QListWidget, "labelList")
    item = listing.item(listing.count() - 1)
    assert item.text() == "R&D"
    card = _hover(qtbot, listing.viewport(), listing.visualItemRect(item).center())
    assert "<b>R&amp;D</b>" in card and "Labs &amp; &lt;people&gt;" in card
    document = window.workspace.document
    assert document is not None
    start = document.text.index("Tuesday")
    window.article.text.place_caret(start + 2)
    qtbot.keyClick(window.article.text, Qt.Key.Key_6)  # R&D took the next free key
    view = window.article.text
    cursor = QTextCursor(view.document())
    cursor.setPosition(start + 3)
    rect = view.cursorRect(cursor)
    card = _hover(qtbot, view.viewport(), QPoint(rect.x(), rect.center().y()))
    assert card == "<b>R&amp;D</b><br>Labs &amp; &lt;people&gt;"
