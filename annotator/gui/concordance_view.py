"""Search the corpus: every occurrence of a word or an expression in the project, in
context, with each layer's labels; label the chosen results with a label's key (one
undo step) and open one in the article.

Keyboard first: Enter in the field searches and moves to the results; the arrows move;
a label's key labels the selected results (Ctrl+A, then the key, labels them all);
Ctrl+Z takes that back; Enter or a double click opens the result in the article with
the match selected. The search and the labelling are core's (`core.concordance`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from annotator.core.changes import Change
    from annotator.core.concordance import Concordance, Hit
    from annotator.gui.main_window import MainWindow

COLUMNS = ("Document", "Before", "Match", "After", "Labels")
DOCUMENT, BEFORE, MATCH, AFTER, LABELS = range(len(COLUMNS))
_ModelIndex = QModelIndex | QPersistentModelIndex


class HitsModel(QAbstractTableModel):
    """The results, one row each; only the labels change after a search."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[Hit] = []

    def set_hits(self, hits: list[Hit]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def update_labels(self, fresh: dict[int, Hit]) -> None:
        """Rows (by row number) whose labels were read again."""
        for row, hit in fresh.items():
            self.hits[row] = hit
        if fresh:
            self.dataChanged.emit(self.index(min(fresh), LABELS), self.index(max(fresh), LABELS))

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit, column = self.hits[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == LABELS and role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(
                    f"{layer}: {', '.join(names)}" for layer, names in hit.labels.items()
                )
            return (hit.title, hit.left, hit.match, hit.right, hit.labels_text())[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == BEFORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == MATCH:
            bold = QFont()
            bold.setBold(True)
            return bold
        return None


class _ElideLeft(QStyledItemDelegate):
    """The text before a match loses its far end, never the words next to the match."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


class ConcordanceDialog(QDialog):
    """One per window, kept while the window lives, so its results wait for a return."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("concordanceDialog")
        self.setWindowTitle("Search the corpus")
        self._window = window
        self._workspace = window.workspace
        self._found: Concordance | None = None
        self.field = QLineEdit()
        self.field.setObjectName("concordanceField")
        self.field.setPlaceholderText("A word or phrase, or a regular expression; Enter searches")
        self.regex = QCheckBox("Regular e&xpression")
        self.match_case = QCheckBox("Match &case")
        self.whole_word = QCheckBox("&Whole word")
        options = QHBoxLayout()
        for box in (self.regex, self.match_case, self.whole_word):
            options.addWidget(box)
        options.addStretch(1)
        self.model = HitsModel(self)
        self.table = QTableView()
        self.table.setObjectName("concordanceResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)  # one line a result
        self.table.setItemDelegateForColumn(BEFORE, _ElideLeft(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((DOCUMENT, 150), (BEFORE, 260), (MATCH, 110), (AFTER, 260)):
            self.table.setColumnWidth(column, width)
        self.status = QLabel(" ")
        self.status.setObjectName("concordanceStatus")
        keys = QLabel(
            "Enter opens the result · a label's key labels the selected results · "
            "Ctrl+A then a key labels them all · Ctrl+Z undoes"
        )
        keys.setEnabled(False)  # dimmed: a reminder, not a message
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addLayout(options)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(keys)
        self.resize(1000, 520)
        self._add_undo_keys()
        self.field.returnPressed.connect(self.search)
        self.table.doubleClicked.connect(lambda index: self.open_hit(index.row()))
        self.table.installEventFilter(self)
        self._workspace.changed.connect(self._on_workspace_changed)
        self._workspace.projectChanged.connect(self._on_workspace_projectChanged)
        self._workspace.failed.connect(self._on_workspace_failed)

    def _add_undo_keys(self) -> None:
        """Ctrl+Z and Ctrl+Shift+Z here take back what was done here (or in the article):
        the window's own keys do not reach another top-level window. Ctrl+F (or
        Ctrl+Shift+F again) goes back to the field."""
        for text, keys, slot in (
            ("Undo", QKeySequence.StandardKey.Undo, self._workspace.undo),
            ("Redo", QKeySequence.StandardKey.Redo, self._workspace.redo),
        ):
            action = QAction(text, self)
            action.setShortcuts(keys)
            if text == "Redo":
                action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        back = QAction("Search again", self)  # from the results back to the field
        back.setShortcuts([QKeySequence("Ctrl+Shift+F"), QKeySequence("Ctrl+F")])
        back.triggered.connect(self.focus_field)
        self.addAction(back)

    # -- searching ------------------------------------------------------------------------

    def focus_field(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def search(self) -> None:
        from annotator.base.errors import UserError
        from annotator.core.concordance import search

        ws = self._workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            self.status.setText("open a project first")
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            found = search(
                ws.corpus.engine, ws.project.id, self.field.text(),
                regex=self.regex.isChecked(), ignore_case=not self.match_case.isChecked(),
                whole_word=self.whole_word.isChecked(),
            )  # fmt: skip
        except UserError as error:
            self.status.setText(str(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._found = found
        self.model.set_hits(found.hits)
        self.status.setText(found.summary())
        # The match column as wide as the longest match shown, the contexts close by.
        self.table.resizeColumnToContents(MATCH)
        self.table.setColumnWidth(MATCH, min(max(self.table.columnWidth(MATCH), 60), 240))
        if found.hits:
            self.table.setFocus()
            self.table.selectRow(0)

    # -- keys -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        from annotator.core.labelling import LABEL_KEYS

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            current = self.table.currentIndex()
            if current.isValid():
                self.open_hit(current.row())
            return True
        plain = not event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        keys = {label.hotkey for label in self._workspace.labels if label.hotkey}
        if plain and event.text() and (event.text() in keys or event.text() in LABEL_KEYS):
            self.label_selected(event.text())
            return True
        return False

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.table.selectionModel().selectedRows())

    # -- labelling --------------------------------------------------------------------------

    def label_selected(self, key: str) -> None:
        """The selected results labelled with the label on `key`, in one undo step."""
        from annotator.core.concordance import Labelling, label_hits
        from annotator.core.labelling import label_for_key

        ws = self._workspace
        label = label_for_key(ws.labels, key)
        if label is None or label.id is None:
            self.status.setText(f"no label on key {key}")
            return
        hits = [self.model.hits[row] for row in self.selected_rows()]
        if not hits or ws.corpus is None:
            return
        corpus, label_id = ws.corpus, label.id
        done: list[Labelling] = []

        def action() -> list[Change]:
            done.append(label_hits(corpus, hits, label_id))
            return done[-1].changes

        count = len(hits)
        ws.perform_many(
            f"label {count} search result{'s' if count != 1 else ''} {label.name}",
            action,
            edits_layer=True,
        )
        if done:
            self.status.setText(done[-1].sentence(label.name))

    def _on_workspace_changed(self, changes: list[Change]) -> None:
        """The labels column read again where an action (here, in the article, an undo)
        touched a result's document."""
        from annotator.core.concordance import relabelled

        touched = {change.document_id for change in changes if change.entity in ("span", "trash")}
        ws = self._workspace
        if not touched or not self.model.hits or ws.corpus is None:
            return
        everything = any(change.entity == "trash" for change in changes)
        rows = [
            row for row, hit in enumerate(self.model.hits)
            if everything or hit.document_id in touched
        ]  # fmt: skip
        fresh = relabelled(ws.corpus.engine, [self.model.hits[row] for row in rows])
        self.model.update_labels(dict(zip(rows, fresh, strict=True)))

    def _on_workspace_projectChanged(self) -> None:
        self._found = None
        self.model.set_hits([])
        self.status.setText(" ")

    def _on_workspace_failed(self, message: str) -> None:
        if self.isVisible():
            self.status.setText(message)

    # -- opening ----------------------------------------------------------------------------

    def open_hit(self, row: int) -> None:
        """The result's document in the article, the match selected and the article
        focused, to go on there; Ctrl+Shift+F comes back to these results."""
        from annotator.gui.actions import Act

        hit = self.model.hits[row]
        window = self._window
        ws = self._workspace
        if ws.document is None or ws.document.id != hit.document_id:
            window.open_document(hit.document_id)
        if window.actions_by_name[Act.REVIEW].isChecked():
            view = window.review_article.text
            view.place_caret(hit.start)
        else:
            view = window.article.text
            view.select_range(hit.start, hit.end)
        window.activateWindow()
        view.setFocus()


def open_concordance(window: MainWindow) -> ConcordanceDialog:
    """Show the window's search dialog (made the first time), the field ready to type."""
    dialog = window.findChild(ConcordanceDialog, "concordanceDialog")
    if dialog is None:
        dialog = ConcordanceDialog(window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.focus_field()
    return dialog


__all__ = ["ConcordanceDialog", "HitsModel", "open_concordance"]
