"""The labels editor: add, rename, recolour, reorder, delete labels and set their hotkeys.

Every edit is a core call through the workspace, so it is saved at once, undoable, and
spans keep pointing at their label by id through a rename.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from annotator.core.models import Label
    from annotator.gui.workspace import Workspace

NAME, KIND, HOTKEY, COLOUR, DESCRIPTION = range(5)


class LabelsDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelsDialog")
        self.setWindowTitle("Labels")
        self.resize(720, 420)
        self._workspace = workspace
        self._filling = False
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("labelsTable")
        self.table.setHorizontalHeaderLabels(["Name", "Kind", "Hotkey", "Colour", "Guideline"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._on_table_itemChanged)
        self.table.cellDoubleClicked.connect(self._on_table_cellDoubleClicked)
        add = QPushButton("Add…")
        add.setObjectName("addLabel")
        add.clicked.connect(self.add_label)
        up = QPushButton("Move up")
        up.setObjectName("moveUp")
        up.clicked.connect(lambda: self.move_label(-1))
        down = QPushButton("Move down")
        down.setObjectName("moveDown")
        down.clicked.connect(lambda: self.move_label(1))
        delete = QPushButton("Delete")
        delete.setObjectName("deleteLabel")
        delete.setToolTip(
            "the label and its spans go to the trash; Ctrl+Z in the window brings them back"
        )
        delete.clicked.connect(self.delete_label)
        colour = QPushButton("Colour…")
        colour.setObjectName("chooseColour")
        colour.clicked.connect(lambda: self.choose_colour(self.table.currentRow()))
        buttons = QHBoxLayout()
        for button in (add, up, down, colour, delete):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        # What the last edit did or why it was refused, here rather than in a box on top
        # or in a status bar the dialog hides.
        self.outcome = QLabel()
        self.outcome.setObjectName("labelsOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        layout.addWidget(close)
        workspace.labelsChanged.connect(self.fill)
        workspace.failed.connect(self._on_workspace_failed)
        workspace.saved.connect(self._on_workspace_saved)
        # Only the table's own Delete: one typed while editing a name stays in the name.
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_label)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.fill()

    def _on_workspace_failed(self, message: str) -> None:
        self.outcome.setStyleSheet("color: #c0392b;")
        self.outcome.setText(message)

    def _on_workspace_saved(self, action: str) -> None:
        self.outcome.setStyleSheet("")
        self.outcome.setText(f"saved · {action}")

    def done(self, result: int) -> None:
        """Closed, the dialog stops listening: it outlives its exec() as the window's child."""
        for signal, slot in (
            (self._workspace.labelsChanged, self.fill),
            (self._workspace.failed, self._on_workspace_failed),
            (self._workspace.saved, self._on_workspace_saved),
        ):
            signal.disconnect(slot)
        super().done(result)

    def delete_label(self) -> None:
        """The selected label and its spans to the trash, undoable from the window."""
        row = self.table.currentRow()
        labels = self._labels()
        if not 0 <= row < len(labels) or labels[row].id is None:
            return
        label = labels[row]
        assert label.id is not None
        change = self._workspace.delete_label(label.id)
        if change is not None:
            spans = change.before["spans"] if change.before else 0
            self.outcome.setStyleSheet("")
            their = f"its {spans} span{'s' if spans != 1 else ''}"
            self.outcome.setText(
                f"{label.name} and {their} are in the trash; Ctrl+Z in the window brings "
                f"{'them' if spans else 'it'} back"
            )
            self.table.selectRow(min(row, self.table.rowCount() - 1))

    def _labels(self) -> list[Label]:
        return list(self._workspace.labels)

    def fill(self) -> None:
        current = self.table.currentRow()
        self._filling = True
        labels = self._labels()
        self.table.setRowCount(len(labels))
        for row, label in enumerate(labels):
            cells = {
                NAME: label.name, KIND: label.kind, HOTKEY: label.hotkey or "",
                COLOUR: label.color, DESCRIPTION: label.description,
            }  # fmt: skip
            for column, value in cells.items():
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, label.id)
                if column in (KIND, COLOUR):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == COLOUR:
                    item.setBackground(QColor(label.color))
                self.table.setItem(row, column, item)
        self._filling = False
        if 0 <= current < len(labels):
            self.table.selectRow(current)

    def _on_table_itemChanged(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        label_id = int(item.data(Qt.ItemDataRole.UserRole))
        value = item.text().strip()
        if item.column() == NAME:
            self._workspace.update_label(label_id, name=value)
        elif item.column() == HOTKEY:
            if value:
                self._workspace.update_label(label_id, hotkey=value)
            else:
                self._workspace.update_label(label_id, clear_hotkey=True)
        elif item.column() == DESCRIPTION:
            self._workspace.update_label(label_id, description=value)
        self.fill()  # a refused edit shows the stored value again

    def _on_table_cellDoubleClicked(self, row: int, column: int) -> None:
        if column == COLOUR:
            self.choose_colour(row)

    def choose_colour(self, row: int) -> None:
        if row < 0:
            return
        label = self._labels()[row]
        colour = QColorDialog.getColor(QColor(label.color), self, f"Colour of {label.name}")
        if colour.isValid() and label.id is not None:
            self._workspace.update_label(label.id, color=colour.name())

    def move_label(self, step: int) -> None:
        """Move the selected label up or down: one core call, one undo step."""
        row = self.table.currentRow()
        ids = [label.id for label in self._labels() if label.id is not None]
        target = row + step
        if not (0 <= row < len(ids) and 0 <= target < len(ids)):
            return
        ids[row], ids[target] = ids[target], ids[row]
        if self._workspace.reorder_labels(ids) is not None:
            self.table.selectRow(target)

    def add_label(self) -> None:
        from annotator.base.vocabulary import LabelKind

        name, ok = QInputDialog.getText(self, "Add label", "Name:")
        if not ok or not name.strip():
            return
        kind, ok = QInputDialog.getItem(
            self, "Add label", "Kind:", [str(kind) for kind in LabelKind], 0, False
        )
        if not ok:
            return
        # A span label takes the next free key 1-9 by itself.
        self._workspace.add_label(name.strip(), kind=LabelKind(kind))
