"""The tagging panel: labels with colour and hotkey, document labels, the document's spans."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.base.vocabulary import LabelKind
from annotator.gui.article_view import is_dark, span_colour
from annotator.gui.table_model import ColumnsModel

if TYPE_CHECKING:
    from annotator.core.models import Label
    from annotator.gui.workspace import Workspace

ModelIndex = QModelIndex | QPersistentModelIndex
ANSWERED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ToolTipRole,
    }
)
LABEL_ID = Qt.ItemDataRole.UserRole + 1
DOCUMENT_LABEL_KEYS = 9  # Ctrl+1 to Ctrl+9


class LabelDelegate(QStyledItemDelegate):
    """Swatch, hotkey and name on one line: what a person scans while labelling."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem,
                option,
                painter,
                option.widget,
            )
        rect: QRect = option.rect
        palette: QPalette = option.palette
        colour = QColor(index.data(Qt.ItemDataRole.DecorationRole) or "#888888")
        hotkey = index.data(Qt.ItemDataRole.UserRole) or ""
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.save()
        swatch = QRect(rect.left() + 6, rect.top() + (rect.height() - 14) // 2, 14, 14)
        painter.fillRect(swatch, colour)
        painter.setPen(text_colour)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        key_rect = QRect(swatch.right() + 8, rect.top(), 18, rect.height())
        painter.drawText(
            key_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, hotkey
        )
        font.setBold(False)
        painter.setFont(font)
        name_rect = QRect(key_rect.right() + 4, rect.top(), rect.width() - 60, rect.height())
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width() + 40, max(base.height(), 24))


class SpanTableModel(ColumnsModel):
    """The open document's spans for the current annotator, in text order.

    Adapts the workspace's span dict; edits of the note go back through the workspace.
    """

    COLUMNS = ("Label", "Text", "Note")

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._ids: list[int] = []

    def reload(self) -> None:
        self.beginResetModel()
        spans = self._workspace.spans
        self._ids = sorted(spans, key=lambda i: (spans[i].start, spans[i].end, i))
        self.endResetModel()

    def _sort_key(self, span_id: int) -> tuple[int, int, int]:
        span = self._workspace.spans[span_id]
        return (span.start, span.end, span_id)

    def span_changed(self, span_id: int) -> None:
        """Move, insert or drop one row; a full reset would lose the selection."""
        present = span_id in self._workspace.spans
        if span_id in self._ids:
            row = self._ids.index(span_id)
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()
        if present:
            row = bisect_left(self._ids, self._sort_key(span_id), key=self._sort_key)
            self.beginInsertRows(QModelIndex(), row, row)
            self._ids.insert(row, span_id)
            self.endInsertRows()

    def row_of(self, span_id: int) -> int | None:
        return self._ids.index(span_id) if span_id in self._ids else None

    def span_id(self, row: int) -> int:
        return self._ids[row]

    def row_count(self) -> int:
        return len(self._ids)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in ANSWERED_ROLES or not index.isValid():  # a view asks for ~10 roles
            return None
        span = self._workspace.spans.get(self._ids[index.row()])
        if span is None:
            return None
        label = self._workspace.label(span.label_id)
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return label.name if label else "?"
            if column == 1:
                document = self._workspace.document
                return document.text[span.start : span.end].replace("\n", " ") if document else ""
            return span.note or ""
        if role == Qt.ItemDataRole.BackgroundRole and column == 0 and label is not None:
            return span_colour(label.color, dark=is_dark(QPalette()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return span.note or (label.description if label else None)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 2 else base

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != 2:
            return False
        span_id = self._ids[index.row()]
        return self._workspace.set_span_note(span_id, str(value).strip()) is not None


class TagPanel(QWidget):
    """Right-hand column: labels to apply, whole-document labels, and the span list."""

    labelActivated = Signal(int)
    spanActivated = Signal(int)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagPanel")
        self._workspace = workspace
        self.label_list = QListWidget()
        self.label_list.setObjectName("labelList")
        self.label_list.setItemDelegate(LabelDelegate(self.label_list))
        self.label_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.label_list.itemClicked.connect(self._on_label_list_itemClicked)
        self.document_labels = QWidget()
        self.document_labels.setObjectName("documentLabels")
        self._document_layout = QVBoxLayout(self.document_labels)
        self._document_layout.setContentsMargins(0, 0, 0, 0)
        self._document_layout.setSpacing(2)
        self._checkboxes: dict[int, QCheckBox] = {}
        self._document_rows: list[QWidget] = []
        self.span_model = SpanTableModel(workspace, self)
        self.span_list = QTableView()
        self.span_list.setObjectName("spanList")
        self.span_list.setModel(self.span_model)
        self.span_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.span_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.span_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.span_list.verticalHeader().hide()
        self.span_list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.span_list.setShowGrid(False)
        self.span_list.setWordWrap(False)
        self.span_list.verticalHeader().setDefaultSectionSize(
            self.span_list.fontMetrics().height() + 6
        )
        header = self.span_list.horizontalHeader()
        # Fixed widths: sizing to contents would read every row of a long article.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, self.span_list.fontMetrics().horizontalAdvance("Organisation") + 12)
        header.resizeSection(2, 90)
        self.span_list.clicked.connect(self._on_span_list_clicked)
        self.span_list.activated.connect(self._on_span_list_clicked)
        self.spans_title = QLabel()
        # Its text changes with every span; a fixed size keeps that from relaying out
        # (and repainting) the whole panel.
        self.spans_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.spans_title.setFixedHeight(self.spans_title.sizeHint().height() + 4)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(_heading("Labels"))
        layout.addWidget(self._label_offer(workspace))
        layout.addWidget(self.label_list)
        layout.addWidget(_heading("Document labels"))
        layout.addWidget(self.document_labels)
        layout.addWidget(self.spans_title)
        layout.addWidget(self._span_and_history_tabs(workspace), 1)

        workspace.labelsChanged.connect(self._on_workspace_labelsChanged)
        workspace.documentOpened.connect(self._on_workspace_documentOpened)
        workspace.spanChanged.connect(self._on_workspace_spanChanged)
        workspace.documentStateChanged.connect(self._on_workspace_documentStateChanged)
        workspace.refreshed.connect(self._on_workspace_refreshed)

    # -- labels -----------------------------------------------------------------------

    def _label_offer(self, workspace: Workspace) -> QWidget:
        from annotator.gui.label_offer import LabelOffer

        self.label_offer = LabelOffer(workspace)
        return self.label_offer

    def _span_and_history_tabs(self, workspace: Workspace) -> QTabWidget:
        """The span list, and beside it the open document's history."""
        from annotator.gui.history_panel import HistoryPanel

        self.history = HistoryPanel(workspace)
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setObjectName("spanTabs")
        self.lower_tabs.setDocumentMode(True)
        self.lower_tabs.addTab(self.span_list, "Spans")
        self.lower_tabs.addTab(self.history, "History")
        return self.lower_tabs

    def _on_workspace_labelsChanged(self) -> None:
        self.label_list.clear()
        span_labels = [lb for lb in self._workspace.labels if lb.kind == LabelKind.SPAN]
        for label in span_labels:
            item = QListWidgetItem(label.name)
            item.setData(Qt.ItemDataRole.DecorationRole, QColor(label.color))
            item.setData(Qt.ItemDataRole.UserRole, label.hotkey or "")
            item.setData(LABEL_ID, label.id)
            item.setToolTip(_tooltip(label))
            self.label_list.addItem(item)
        self.label_list.setVisible(bool(self._workspace.labels))  # else the offer stands alone
        rows = max(1, len(span_labels))
        self.label_list.setFixedHeight(min(rows, 10) * 26 + 6)
        longest = max((len(label.name) for label in span_labels), default=8)
        self.span_list.horizontalHeader().resizeSection(
            0, self.span_list.fontMetrics().averageCharWidth() * (longest + 2) + 8
        )
        for row in self._document_rows:
            self._document_layout.removeWidget(row)
            row.setParent(None)
            row.deleteLater()
        self._document_rows.clear()
        self._checkboxes.clear()
        document_labels = [lb for lb in self._workspace.labels if lb.kind == LabelKind.DOCUMENT]
        for position, label in enumerate(document_labels, start=1):
            assert label.id is not None
            checkbox = QCheckBox(literal_ampersands(label.name))
            checkbox.setToolTip(_tooltip(label))
            checkbox.setObjectName(f"documentLabel_{label.id}")
            checkbox.clicked.connect(
                lambda checked, label_id=label.id: self._workspace.set_document_label(
                    label_id, checked
                )
            )
            self._checkboxes[label.id] = checkbox
            keyed = position <= DOCUMENT_LABEL_KEYS
            row = _document_label_row(checkbox, document_label_key(position) if keyed else None)
            self._document_rows.append(row)
            self._document_layout.addWidget(row)
        self.span_model.reload()
        self._refresh_document_labels()

    def toggle_document_label(self, position: int) -> None:
        """The document label at `position` (from 1, as its key says) ticked or unticked,
        as a click on its check box would."""
        checkboxes = list(self._checkboxes.items())
        if not 1 <= position <= len(checkboxes) or self._workspace.document is None:
            return
        label_id, checkbox = checkboxes[position - 1]
        self._workspace.set_document_label(label_id, not checkbox.isChecked())

    def _on_label_list_itemClicked(self, item: QListWidgetItem) -> None:
        self.labelActivated.emit(int(item.data(LABEL_ID)))

    # -- document ---------------------------------------------------------------------

    def _on_workspace_documentOpened(self) -> None:
        self.span_model.reload()
        self._refresh_document_labels()
        self._update_title()

    def _on_workspace_spanChanged(self, span_id: int, _before: object, _after: object) -> None:
        self.span_model.span_changed(span_id)
        self._update_title()

    def _on_workspace_documentStateChanged(self, document_id: int) -> None:
        document = self._workspace.document
        if document is not None and document.id == document_id:
            self._refresh_document_labels()

    def _on_workspace_refreshed(self) -> None:
        self._refresh_document_labels()
        self._update_title()

    def _refresh_document_labels(self) -> None:
        workspace = self._workspace
        document = workspace.document
        ticked: set[int] = set()
        if document is not None and document.id is not None and workspace.corpus is not None:
            ticked = set(workspace.corpus.document_labels(document.id, annotator=workspace.layer))
        for label_id, checkbox in self._checkboxes.items():
            checkbox.setEnabled(document is not None and not workspace.read_only)
            checkbox.setChecked(label_id in ticked)

    def _update_title(self) -> None:
        self.spans_title.setText(f"<b>Spans</b> ({len(self._workspace.spans)})")

    def _on_span_list_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.spanActivated.emit(self.span_model.span_id(index.row()))

    def select_span(self, span_id: int | None) -> None:
        row = self.span_model.row_of(span_id) if span_id is not None else None
        if row is None:
            self.span_list.clearSelection()
            return
        self.span_list.selectRow(row)  # scrolls only when the row is out of sight


def document_label_key(position: int) -> str:
    """Ctrl+1 to Ctrl+9 tick the first nine document labels. Not Shift: on AZERTY and
    similar keyboards Shift+digit is how the span labels' digits are typed."""
    return f"Ctrl+{position}"


def _document_label_row(checkbox: QCheckBox, key: str | None) -> QWidget:
    """A check box with its key beside it, dimmed, the way span labels show theirs."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(checkbox)
    layout.addStretch(1)
    if key is not None:
        hint = QLabel(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText))
        hint.setObjectName("documentLabelKey")
        hint.setEnabled(False)  # drawn in the palette's muted text colour
        layout.addWidget(hint)
    return row


def literal_ampersands(text: str) -> str:
    """A user's name for a button or check box, its "&" shown, never taken as a shortcut."""
    return text.replace("&", "&&")


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    return label


def _tooltip(label: Label) -> str:
    from html import escape

    key = f" (key {label.hotkey})" if label.hotkey else ""
    body = escape(label.description) if label.description else "No guideline yet."
    return f"<b>{escape(label.name)}</b>{key}<br>{body}"
