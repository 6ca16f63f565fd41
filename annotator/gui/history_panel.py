"""The open document's history, newest first: when, who and what, in the words of the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from annotator.gui.table_model import ColumnsModel

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

    from annotator.core.history import HistoryLine
    from annotator.gui.workspace import Workspace

ModelIndex = QModelIndex | QPersistentModelIndex


class HistoryModel(ColumnsModel):
    """A thin table over core.history.document_history."""

    COLUMNS: ClassVar[tuple[str, ...]] = ("When", "Who", "What")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[HistoryLine] = []

    def set_lines(self, lines: list[HistoryLine]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.lines)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return _when(line.at)
            return line.annotator if column == 1 else line.what
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{line.at.astimezone():%Y-%m-%d %H:%M:%S} {line.annotator}: {line.what}"
        return None


def _when(at: datetime) -> str:
    """Today's times alone, earlier days' dates alone: the column stays narrow and the
    tooltip has both."""
    local = at.astimezone()
    return (
        f"{local:%H:%M}"
        if local.date() == datetime.now().astimezone().date()
        else f"{local:%Y-%m-%d}"
    )


class HistoryPanel(QWidget):
    """Reloaded on the workspace's change signal, and only while shown: a hidden tab
    costs nothing per keystroke."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._workspace = workspace
        self._stale = True
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        workspace.documentOpened.connect(self._on_workspace_changed)
        workspace.changed.connect(self._on_workspace_changed)
        workspace.projectChanged.connect(self._on_workspace_changed)
        workspace.refreshed.connect(self._on_workspace_changed)

    def _on_workspace_changed(self, *_args: object) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        from annotator.core.history import document_history

        self._stale = False
        workspace = self._workspace
        if workspace.corpus is None or workspace.document is None or workspace.document.id is None:
            self.model.set_lines([])
            return
        self.model.set_lines(document_history(workspace.corpus, workspace.document.id))
