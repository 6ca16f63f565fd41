"""The document list: titles with the annotator's status, filtered, loaded a page at a time.

A project may hold 100,000 documents; the model asks the core for the next page only
when the view scrolls near the end, so opening it costs one small query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from annotator.base.vocabulary import Status

if TYPE_CHECKING:
    from annotator.core.corpus import DocumentRow
    from annotator.core.effort import Effort
    from annotator.gui.workspace import Workspace

ModelIndex = QModelIndex | QPersistentModelIndex
PAGE = 200
DOCUMENT_ID = Qt.ItemDataRole.UserRole + 1
STATUS_NAMES = {status.value: status.display for status in Status}


def status_icon(status: str) -> QIcon:
    """Empty circle, half circle, check: readable at a glance and without colour."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colours: dict[str, QColor] = {
        Status.TODO: QColor("#8a8f98"),
        Status.IN_PROGRESS: QColor("#e6a23c"),
    }
    colour = colours.get(status, QColor("#3c9a5f"))
    painter.setPen(QPen(colour, 3))
    circle = QRectF(5, 5, 22, 22)
    if status == Status.DONE:
        painter.setBrush(colour)
        painter.drawEllipse(circle)
        painter.setPen(QPen(QColor("white"), 3.2))
        path = QPainterPath(QPointF(10, 16.5))
        path.lineTo(14.5, 21)
        path.lineTo(22, 11.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
    else:
        painter.drawEllipse(circle)
        if status == Status.IN_PROGRESS:
            painter.setBrush(colour)
            painter.drawPie(circle, 90 * 16, 180 * 16)
    painter.end()
    return QIcon(pixmap)


class DocumentListModel(QAbstractListModel):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._rows: list[DocumentRow] = []
        self._exhausted = True
        self._search = ""
        self._status: str | None = None
        self._icons = {name: status_icon(name) for name in STATUS_NAMES}

    def reset(self, *, search: str = "", status: str | None = None) -> None:
        self.beginResetModel()
        self._rows = []
        self._search = search
        self._status = status
        self._exhausted = self._workspace.project is None
        self.endResetModel()
        if not self._exhausted:
            self.fetchMore(QModelIndex())

    def _page(self, after_id: int, *, limit: int = PAGE) -> list[DocumentRow]:
        workspace = self._workspace
        assert workspace.corpus is not None and workspace.project is not None
        assert workspace.project.id is not None
        return workspace.corpus.documents(
            workspace.project.id,
            annotator=workspace.layer,
            search=self._search or None,
            status=Status(self._status) if self._status else None,
            after_id=after_id,
            limit=limit,
        )

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self._page(self._rows[-1].id if self._rows else 0)
        if len(page) < PAGE:
            self._exhausted = True
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title or f"Document {row.id}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(row.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{row.title or f'Document {row.id}'}\n"
                f"{STATUS_NAMES.get(row.status, row.status)} · {row.spans} span(s) · "
                f"{row.chars:,} characters"
            ) + self._effort_line(row.id)
        if role == DOCUMENT_ID:
            return row.id
        return None

    def _effort_line(self, document_id: int) -> str:
        """The shown layer's time on the document, read when the tooltip is asked for."""
        from annotator.core.effort import clock_time, effort_on

        workspace = self._workspace
        if workspace.corpus is None:
            return ""
        effort = effort_on(workspace.corpus, document_id, annotator=workspace.layer)
        if effort is None:
            return ""
        return "\n" + effort_in_words(effort, clock_time(effort.active_seconds))

    def row_of(self, document_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.id == document_id:
                return number
        return None

    def document_id(self, row: int) -> int:
        return self._rows[row].id

    def status_of(self, document_id: int) -> str | None:
        number = self.row_of(document_id)
        return None if number is None else self._rows[number].status

    def refresh_document(self, document_id: int) -> None:
        number = self.row_of(document_id)
        if number is None or self._workspace.corpus is None:
            return
        self._rows[number] = self._workspace.corpus.document_row(document_id)
        index = self.index(number)
        self.dataChanged.emit(index, index)

    def count_span(self, document_id: int, step: int) -> None:
        """A span was added (+1) or removed (-1): no query needed to show it."""
        from dataclasses import replace

        number = self.row_of(document_id)
        if number is None:
            return
        row = self._rows[number]
        # Only the tooltip shows the count and it is read when shown: nothing to repaint.
        self._rows[number] = replace(row, spans=max(0, row.spans + step))

    def refresh(self) -> None:
        """Reload the rows already loaded, moving, inserting and dropping only those that
        changed, so the view keeps its current row and its scroll position."""
        if self._workspace.project is None:
            return
        wanted = max(len(self._rows), PAGE)
        fresh = self._page(0, limit=wanted)
        kept = {row.id for row in fresh}
        for number in reversed(range(len(self._rows))):
            if self._rows[number].id not in kept:
                self.beginRemoveRows(QModelIndex(), number, number)
                del self._rows[number]
                self.endRemoveRows()
        known = {row.id for row in self._rows}
        for number, row in enumerate(fresh):
            if row.id not in known:  # both lists are in id order: the rows line up
                self.beginInsertRows(QModelIndex(), number, number)
                self._rows.insert(number, row)
                self.endInsertRows()
            elif self._rows[number] != row:
                self._rows[number] = row
                index = self.index(number)
                self.dataChanged.emit(index, index)
        self._exhausted = len(fresh) < wanted

    def loaded_ids(self) -> list[int]:
        return [row.id for row in self._rows]

    def fetch_all(self) -> None:
        while self.canFetchMore():
            self.fetchMore()


def effort_in_words(effort: Effort, active: str) -> str:
    """A rate over less than a minute says little, so under a minute only counts show."""
    keys = f"{effort.keystrokes} key{'s' if effort.keystrokes != 1 else ''}"
    spans = f"{effort.spans_made} span{'s' if effort.spans_made != 1 else ''}"
    words = f"{active} active · {keys} · {spans}"
    if effort.active_seconds >= 60:
        words += f" · {effort.rate_in_words()}/min"
    return words


class DocumentList(QWidget):
    """Left column: progress, filters and the list itself."""

    documentChosen = Signal(int)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentPanel")
        self._workspace = workspace
        self.model = DocumentListModel(workspace, self)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("documentProgress")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(6)
        # The shown layer's time and effort in the project, as `annotator stats` gives it.
        self.effort_label = QLabel()
        self.effort_label.setObjectName("documentEffort")
        self.effort_label.setToolTip(
            "Active time in this project (pauses of a minute or more left out), "
            "key presses and spans made per active minute"
        )
        self.effort_label.setWordWrap(True)
        self.effort_label.setEnabled(False)  # drawn in the muted colour: a figure, not a control
        self.effort_label.hide()
        self.filter_field = QLineEdit()
        self.filter_field.setObjectName("documentFilter")
        self.filter_field.setPlaceholderText("Filter by title or text…")
        self.filter_field.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem("All statuses", None)
        for key, name in STATUS_NAMES.items():
            self.status_filter.addItem(name.capitalize(), key)
        self.view = QListView()
        self.view.setObjectName("documentList")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        heading = QHBoxLayout()
        title = QLabel("<b>Documents</b>")
        heading.addWidget(title)
        heading.addWidget(self.progress_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(heading)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.effort_label)
        layout.addWidget(self.filter_field)
        layout.addWidget(self.status_filter)
        layout.addWidget(self.view, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.filter_field.textChanged.connect(self._debounce.start)
        self.status_filter.currentIndexChanged.connect(self.reload)
        self.view.selectionModel().currentChanged.connect(self._on_view_currentChanged)
        workspace.projectChanged.connect(self.reload)
        workspace.layerChanged.connect(self.reload)
        workspace.documentStateChanged.connect(self._on_workspace_documentStateChanged)
        workspace.documentOpened.connect(self._on_workspace_documentOpened)
        workspace.spanChanged.connect(self._on_workspace_spanChanged)
        workspace.refreshed.connect(self._on_workspace_refreshed)

    def reload(self) -> None:
        self.model.reset(
            search=self.filter_field.text().strip(), status=self.status_filter.currentData()
        )
        self.update_progress()
        self._select_open_document()

    def update_progress(self) -> None:
        workspace = self._workspace
        if workspace.corpus is None or workspace.project is None or workspace.project.id is None:
            self.progress_label.setText("")
            self.progress_bar.setValue(0)
            return
        progress = workspace.corpus.progress(workspace.project.id, annotator=workspace.layer)
        self.progress_label.setText(f"{progress.done} of {progress.total} done")
        self.progress_bar.setMaximum(max(1, progress.total))
        self.progress_bar.setValue(progress.done)
        self.update_effort()

    def update_effort(self) -> None:
        from annotator.core.effort import clock_time, effort_by_annotator

        workspace = self._workspace
        if workspace.corpus is None or workspace.project is None or workspace.project.id is None:
            self.effort_label.hide()
            return
        name = workspace.layer or workspace.corpus.annotator_name
        effort = effort_by_annotator(workspace.corpus, workspace.project.id).get(name)
        if effort is None:
            self.effort_label.hide()
            return
        self.effort_label.setText(effort_in_words(effort, clock_time(effort.active_seconds)))
        self.effort_label.show()

    def _on_view_currentChanged(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            document_id = self.model.document_id(current.row())
            document = self._workspace.document
            if document is None or document.id != document_id:
                self.documentChosen.emit(document_id)

    def _on_workspace_documentStateChanged(self, document_id: int) -> None:
        self.model.refresh_document(document_id)
        self.update_progress()

    def _on_workspace_spanChanged(self, _span_id: int, before: object, after: object) -> None:
        document = self._workspace.document
        if document is not None and document.id is not None and (before is None) != (after is None):
            self.model.count_span(document.id, 1 if before is None else -1)
        if (
            document is not None
            and document.id is not None
            and self._workspace.layer is None
            and self.model.status_of(document.id) == Status.TODO
        ):
            self.model.refresh_document(document.id)  # the first change began it (in progress)

    def _on_workspace_documentOpened(self) -> None:
        self._select_open_document()

    def _on_workspace_refreshed(self) -> None:
        """Someone else's change: the rows, their status and the progress, reloaded where
        the list stands; the open document stays the current row, without scrolling."""
        self.model.refresh()
        self.update_progress()
        document = self._workspace.document
        row = self.model.row_of(document.id) if document and document.id else None
        if row is not None and self.view.currentIndex().row() != row:
            blocker = self.view.selectionModel().blockSignals(True)
            self.view.setCurrentIndex(self.model.index(row))
            self.view.selectionModel().blockSignals(blocker)
            self.view.viewport().update()

    def _select_open_document(self) -> None:
        document = self._workspace.document
        if document is None or document.id is None:
            return
        row = self.model.row_of(document.id)
        if row is None:
            return
        index = self.model.index(row)
        if self.view.currentIndex() != index:
            blocker = self.view.selectionModel().blockSignals(True)
            self.view.setCurrentIndex(index)
            self.view.selectionModel().blockSignals(blocker)
            self.view.viewport().update()
        self.view.scrollTo(index)

    def neighbour(self, document_id: int, step: int) -> int | None:
        """The next (+1) or previous (-1) document in the list as filtered."""
        row = self.model.row_of(document_id)
        if row is None:
            return None
        target = row + step
        if step > 0 and target >= self.model.rowCount():
            self.model.fetchMore(QModelIndex())
        if 0 <= target < self.model.rowCount():
            return self.model.document_id(target)
        return None
