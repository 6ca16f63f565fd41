"""The labels editor reorders with one core call: one history row, one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.labels_dialog import LabelsDialog
from annotator.gui.workspace import Workspace


@pytest.fixture
def dialog(qtbot, workspace: Workspace) -> LabelsDialog:
    assert workspace.corpus is not None
    workspace.open_project(workspace.corpus.project(SAMPLE_PROJECT))
    editor = LabelsDialog(workspace)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def names(workspace: Workspace) -> list[str]:
    return [label.name for label in workspace.labels]


def table_names(dialog: LabelsDialog) -> list[str]:
    return [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]


def history_rows(workspace: Workspace) -> int:
    assert workspace.corpus is not None
    return len(workspace.corpus.history(limit=10_000))


def test_move_buttons_reorder_in_one_step_each(
    qtbot, dialog: LabelsDialog, workspace: Workspace
) -> None:
    start = names(workspace)
    assert start[:3] == ["Person", "Organisation", "Location"]
    rows, steps = history_rows(workspace), workspace.undo_stack.count()
    up = dialog.findChild(QPushButton, "moveUp")
    down = dialog.findChild(QPushButton, "moveDown")
    dialog.table.selectRow(2)
    qtbot.mouseClick(up, Qt.MouseButton.LeftButton)
    moved = ["Person", "Location", "Organisation", *start[3:]]
    assert names(workspace) == moved
    assert table_names(dialog) == moved
    assert dialog.table.currentRow() == 1  # the moved label stays selected
    qtbot.mouseClick(up, Qt.MouseButton.LeftButton)
    assert names(workspace)[:3] == ["Location", "Person", "Organisation"]
    qtbot.mouseClick(up, Qt.MouseButton.LeftButton)  # already first: nothing happens
    assert workspace.undo_stack.count() == steps + 2
    assert history_rows(workspace) == rows + 2
    # Each move is stored in one go: a fresh read from the database agrees.
    assert workspace.corpus is not None and workspace.project is not None
    stored = [lb.name for lb in workspace.corpus.labels(workspace.project.id)]
    assert stored == names(workspace)
    workspace.undo_stack.undo()
    assert names(workspace) == moved and table_names(dialog) == moved
    workspace.undo_stack.undo()
    assert names(workspace) == start
    workspace.undo_stack.redo()
    assert names(workspace) == moved
    dialog.table.selectRow(len(start) - 1)
    qtbot.mouseClick(down, Qt.MouseButton.LeftButton)  # already last: nothing happens
    assert names(workspace) == moved


def test_keyboard_presses_the_move_buttons(
    qtbot, dialog: LabelsDialog, workspace: Workspace
) -> None:
    start = names(workspace)
    dialog.table.selectRow(0)
    down = dialog.findChild(QPushButton, "moveDown")
    down.setFocus()
    qtbot.keyClick(down, Qt.Key.Key_Space)
    assert names(workspace)[:2] == [start[1], start[0]]
    assert dialog.table.currentRow() == 1
    qtbot.keyClick(down, Qt.Key.Key_Space)
    assert names(workspace)[:3] == [start[1], start[2], start[0]]
