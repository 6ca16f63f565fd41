"""The labels editor: add, rename, recolour, reorder labels and set their hotkeys.

Every edit is a core call through the workspace, so it is saved at once, undoable, and
spans keep pointing at their label by id through a rename.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
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
        colour = QPushButton("Colour…")
        colour.setObjectName("chooseColour")
        colour.clicked.connect(lambda: self.choose_colour(self.table.currentRow()))
        buttons = QHBoxLayout()
        for button in (add, up, down, colour):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        workspace.labelsChanged.connect(self.fill)
        self.fill()

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
        taken = {label.hotkey for label in self._labels() if label.hotkey}
        hotkey = None
        if kind == LabelKind.SPAN:
            hotkey = next((str(n) for n in range(1, 10) if str(n) not in taken), None)
        self._workspace.add_label(name.strip(), kind=LabelKind(kind), hotkey=hotkey)
