"""Review mode: two layers side by side in one article, the disagreements as a list
driven from the keyboard, and decisions that build the gold layer.

Everything decided here is a call into `annotator.core.review`, pushed on the same
undo stack as labelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator.base.vocabulary import ItemKind, LabelKind, ReviewAction
from annotator.gui import settings as options
from annotator.gui.article_view import ArticleHeader, ArticleText
from annotator.gui.review_keys import COMMENT, NEXT, PREVIOUS, ReviewKeys, review_command
from annotator.gui.table_model import ColumnsModel

if TYPE_CHECKING:
    from annotator.core.review import ReviewItem
    from annotator.gui.settings import Settings
    from annotator.gui.workspace import Workspace

ModelIndex = QModelIndex | QPersistentModelIndex

# Agreement classes, their names and colours (distinct from one another in both themes).
CLASSES: dict[str, tuple[str, str]] = {
    ItemKind.AGREE: ("agree", "#2a9d8f"),
    ItemKind.LABEL: ("label", "#f4a261"),
    ItemKind.BOUNDARY: ("boundary", "#9b5de5"),
    ItemKind.ONLY_A: ("only A", "#e63946"),
    ItemKind.ONLY_B: ("only B", "#457b9d"),
}
ACTIONS: dict[str, str] = {
    ReviewAction.TAKE_A: "took A", ReviewAction.TAKE_B: "took B",
    ReviewAction.REJECT: "rejected", ReviewAction.EDIT: "edited",
    ReviewAction.ACCEPT_AGREEMENT: "accepted",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ItemSwatch:
    """One review item as the article view paints it: coloured by its class."""

    id: int
    name: str
    color: str
    hotkey: str | None = None


@dataclass(frozen=True, slots=True)
class GoldEdit:
    """The span being edited in the article: which item, and the label it will have."""

    item_key: str
    label_id: int


def _number(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"  # NaN: nothing to compare


def describe_side(span: Any) -> str:
    """ "Person: Kim", marked "(suggestion)" when the annotator accepted a suggestion, so
    the reviewer sees what the person did not find alone."""
    if span is None:
        return "—"
    marked = " (suggestion)" if getattr(span, "accepted_suggestion", False) else ""
    return f"{span.label}: {span.text}{marked}"


class ReviewItemModel(ColumnsModel):
    """The document's review items after the class and label filters."""

    COLUMNS = ("Class", "A", "B", "Decision")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[ReviewItem] = []
        self.visible: list[ReviewItem] = []
        self.kind_filter: str | None = "disagreements"
        self.label_filter: str | None = None

    def set_items(self, items: list[ReviewItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.visible = [item for item in items if self._wanted(item)]
        self.endResetModel()

    def refilter(self) -> None:
        self.set_items(self.items)

    def _wanted(self, item: ReviewItem) -> bool:
        kind = str(item.kind)
        if self.kind_filter == "disagreements" and kind == ItemKind.AGREE:
            return False
        if self.kind_filter not in (None, "disagreements") and kind != self.kind_filter:
            return False
        if self.label_filter is not None:
            labels = {side.label for side in (item.a, item.b) if side is not None}
            return self.label_filter in labels
        return True

    def row_count(self) -> int:
        return len(self.visible)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.visible[index.row()]
        kind = str(item.kind)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return CLASSES[kind][0]
            if column == 1:
                return describe_side(item.a)
            if column == 2:
                return describe_side(item.b)
            if item.decision is None:
                return ""
            return ACTIONS.get(str(item.decision.action), str(item.decision.action))
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(CLASSES[kind][1])
        if role == Qt.ItemDataRole.ToolTipRole and item.decision is not None:
            return item.decision.comment or None
        return None

    def row_of(self, key: str) -> int | None:
        for number, item in enumerate(self.visible):
            if item.key == key:
                return number
        return None


class DisagreementList(QTreeView):
    """J/K move, A/B take a side, R rejects, E edits, C comments: the whole review from
    the keyboard."""

    commandRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("disagreementList")
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setItemsExpandable(False)
        self.setAllColumnsShowFocus(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def move_current(self, step: int) -> None:
        rows = self.model().rowCount()
        if not rows:
            return
        current = self.currentIndex().row()
        target = 0 if current < 0 else max(0, min(rows - 1, current + step))
        self.setCurrentIndex(self.model().index(target, 0))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        command = review_command(event)
        if command is None:
            super().keyPressEvent(event)
        else:
            self.commandRequested.emit(command)


class ReviewArticle(QWidget):
    """Centre of review mode: what is compared, the article, and how far the review is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewArticle")
        self.annotator_a = QComboBox()
        self.annotator_a.setObjectName("reviewAnnotatorA")
        self.annotator_b = QComboBox()
        self.annotator_b.setObjectName("reviewAnnotatorB")
        for combo in (self.annotator_a, self.annotator_b):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(6)
        top = QHBoxLayout()
        top.setContentsMargins(12, 8, 12, 0)
        top.addWidget(QLabel("<b>Compare</b>"))
        top.addWidget(self.annotator_a)
        top.addWidget(QLabel("with"))
        top.addWidget(self.annotator_b)
        top.addStretch(1)
        legend = self.legend = QLabel(
            " ".join(
                f"<span style='background: {colour}; color: white;'>&nbsp;{name}&nbsp;</span>"
                for name, colour in CLASSES.values()
            )
        )
        legend.setObjectName("reviewLegend")
        legend.setWordWrap(True)  # a narrow window wraps the legend instead of growing
        self.header = ArticleHeader()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("reviewProgress")
        self.progress_label.setWordWrap(True)  # a narrow article wraps it, never cuts it
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(6)
        self.text = ArticleText()
        self.text.setObjectName("reviewText")
        self.edit_hint = QLabel()
        self.edit_hint.setObjectName("reviewEditHint")
        self.edit_hint.setWordWrap(True)
        self.edit_hint.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        legend_row = QHBoxLayout()
        legend_row.setContentsMargins(12, 0, 12, 0)
        legend_row.addWidget(self.legend)
        layout.addLayout(legend_row)
        layout.addWidget(self.header)
        progress = QVBoxLayout()
        progress.setContentsMargins(12, 0, 12, 4)
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress_bar)
        layout.addLayout(progress)
        hint_row = QHBoxLayout()
        hint_row.setContentsMargins(12, 0, 12, 4)
        hint_row.addWidget(self.edit_hint)
        layout.addLayout(hint_row)
        layout.addWidget(self.text, 1)


class ReviewPanel(QWidget):
    """Right of review mode: the disagreement list, filters, comment and decisions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.model = ReviewItemModel(self)
        self.list = DisagreementList()
        self.list.setModel(self.model)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 96)
        header.resizeSection(3, 80)
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("reviewClassFilter")
        self.kind_filter.addItem("All disagreements", "disagreements")
        self.kind_filter.addItem("Everything", None)
        for key, (name, _colour) in CLASSES.items():
            shown = "Agreements" if key == ItemKind.AGREE else name.capitalize()
            self.kind_filter.addItem(shown, key)
        self.label_filter = QComboBox()
        self.label_filter.setObjectName("reviewLabelFilter")
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("reviewComment")
        self.comment.setPlaceholderText(
            "A comment for the annotator, saved with your next decision. "
            "Alt+A / B / R / E decide from here; Esc or Ctrl+Enter go back to the list"
        )
        self.comment.setMaximumHeight(80)
        self.auto_accept = QCheckBox("Accept agreements automatically")
        self.auto_accept.setToolTip("Spans both annotators agree on go into gold on opening")
        self.auto_accept.setObjectName("autoAccept")
        self.accept_button = QPushButton("Accept agreements")
        self.accept_button.setObjectName("acceptAgreements")
        self.feedback_button = QPushButton("Feedback report…")
        self.feedback_button.setObjectName("feedbackReport")
        self.gold_button = QPushButton("Export gold…")
        self.gold_button.setObjectName("exportGold")
        self.agreement = QLabel()
        self.agreement.setObjectName("documentAgreement")
        self.agreement.setWordWrap(True)
        heading = QLabel(
            "<b>Disagreements</b> <span style='color: gray'>J / K move · A take A · "
            "B take B · R reject · E edit · C comment</span>"
        )
        filters = QHBoxLayout()
        filters.addWidget(self.kind_filter, 1)
        filters.addWidget(self.label_filter, 1)
        heading.setWordWrap(True)
        buttons = QGridLayout()
        buttons.addWidget(self.accept_button, 0, 0, 1, 2)
        buttons.addWidget(self.gold_button, 1, 0)
        buttons.addWidget(self.feedback_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        comment_title = QLabel("<b>Comment</b> (goes into the annotator's feedback report)")
        comment_title.setWordWrap(True)
        layout.addWidget(comment_title)
        layout.addWidget(self.comment)
        layout.addWidget(self.auto_accept)
        layout.addLayout(buttons)
        layout.addWidget(self.agreement)


class ReviewController:
    """Keeps the review article and panel in line with the workspace and the core."""

    def __init__(
        self, workspace: Workspace, settings: Settings, article: ReviewArticle, panel: ReviewPanel
    ) -> None:
        self.workspace = workspace
        self.settings = settings
        self.article = article
        self.panel = panel
        self.active = False
        self.editing: GoldEdit | None = None
        self._refresh_waiting = False
        self.keys = ReviewKeys(self)
        panel.auto_accept.setChecked(settings.get(options.AUTO_ACCEPT_AGREEMENTS))
        panel.auto_accept.toggled.connect(self._on_auto_accept_toggled)
        panel.kind_filter.currentIndexChanged.connect(self._on_filter_changed)
        panel.label_filter.currentIndexChanged.connect(self._on_filter_changed)
        panel.list.commandRequested.connect(self.command)
        panel.list.selectionModel().currentChanged.connect(self._on_list_currentChanged)
        panel.accept_button.clicked.connect(self.accept_agreements)
        article.annotator_a.activated.connect(lambda _i: self.reload())
        article.annotator_b.activated.connect(lambda _i: self.reload())
        article.text.spanClicked.connect(self._on_text_spanClicked)
        workspace.documentOpened.connect(self._on_workspace_documentOpened)
        workspace.changed.connect(self._on_workspace_changed)
        workspace.labelsChanged.connect(self._fill_label_filter)
        workspace.refreshed.connect(self._on_workspace_refreshed)
        workspace.annotatorsChanged.connect(self._on_workspace_annotatorsChanged)

    # -- choosing who is compared -----------------------------------------------------

    @property
    def annotator_a(self) -> str | None:
        chosen = self.article.annotator_a.currentData()
        return chosen if isinstance(chosen, str) else None

    @property
    def annotator_b(self) -> str | None:
        """None compares A against the gold layer."""
        chosen = self.article.annotator_b.currentData()
        return chosen if isinstance(chosen, str) else None

    def fill_annotators(self) -> None:
        corpus = self.workspace.corpus
        if corpus is None:
            return
        from annotator.base.vocabulary import GOLD

        people = [name for name in corpus.annotators() if name != GOLD]
        chosen_a, chosen_b = self.annotator_a, self.annotator_b
        for combo in (self.article.annotator_a, self.article.annotator_b):
            combo.clear()
            for name in people:
                combo.addItem(name, name)
        self.article.annotator_b.addItem("gold layer", None)
        a_index = self.article.annotator_a.findData(chosen_a) if chosen_a else 0
        self.article.annotator_a.setCurrentIndex(max(0, a_index))
        b_default = 1 if len(people) > 1 else len(people)  # someone else, or gold
        b_index = self.article.annotator_b.findData(chosen_b) if chosen_b else b_default
        self.article.annotator_b.setCurrentIndex(b_index if b_index >= 0 else b_default)

    def _fill_label_filter(self) -> None:
        combo = self.panel.label_filter
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All labels", None)
        for label in self.workspace.labels:
            if label.kind == LabelKind.SPAN:
                combo.addItem(label.name, label.name)
        combo.blockSignals(False)

    # -- showing ----------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        self.active = active
        if not active:
            self.cancel_edit()
        if active:
            self.fill_annotators()
            self._fill_label_filter()
            self.reload()

    def _on_workspace_documentOpened(self) -> None:
        if self.active:
            self.reload(auto_accept=True)

    def _on_workspace_changed(self, changes: list[Any]) -> None:
        """Once per action: a decision changes several rows but is reloaded once."""
        if self.active and any(c.entity in ("span", "review_decision") for c in changes):
            self.reload(keep=self._current_key())

    def _on_workspace_refreshed(self) -> None:
        """Someone else's change: redrawn only when the compared layers or the decisions
        differ, keeping the current item and where the article is scrolled."""
        from annotator.core.review import compare_layers

        corpus, document = self.workspace.corpus, self.workspace.document
        if not self.active or corpus is None or document is None or document.id is None:
            return
        if self.annotator_a is None:
            return
        if self.editing is not None:
            self._refresh_waiting = True  # shown when the edit ends, not under the caret
            return
        items = compare_layers(corpus, document.id, self.annotator_a, self.annotator_b)
        if items == self.panel.model.items:
            return
        scroll = self.article.text.verticalScrollBar()
        kept = scroll.value()
        self.reload(keep=self._current_key())
        scroll.setValue(kept)

    def _on_workspace_annotatorsChanged(self) -> None:
        """Someone who started annotating meanwhile can be compared too; the pair being
        compared stays chosen."""
        if not self.active:
            return  # set_active fills the choosers
        choosers = (self.article.annotator_a, self.article.annotator_b)
        for chooser in choosers:
            chooser.blockSignals(True)
        try:
            self.fill_annotators()
        finally:
            for chooser in choosers:
                chooser.blockSignals(False)

    def _current_key(self) -> str | None:
        index = self.panel.list.currentIndex()
        return self.panel.model.visible[index.row()].key if index.isValid() else None

    def reload(self, *, keep: str | None = None, auto_accept: bool = False) -> None:
        from annotator.core.review import compare_layers

        workspace = self.workspace
        document = workspace.document
        corpus = workspace.corpus
        if not self.active or document is None or document.id is None or corpus is None:
            return
        if self.annotator_a is None:
            self.panel.model.set_items([])
            return
        if auto_accept and self.panel.auto_accept.isChecked():
            self.accept_agreements()
            return  # the accepted decisions reload the view
        items = compare_layers(corpus, document.id, self.annotator_a, self.annotator_b)
        self.panel.model.set_items(items)
        self._paint(items)
        self.article.header.show_document(document)
        self._update_progress(items)
        self._update_agreement()
        row = self.panel.model.row_of(keep) if keep else None
        if row is None:
            row = next(
                (n for n, item in enumerate(self.panel.model.visible) if not item.decided), 0
            )
        if self.panel.model.rowCount():
            self.panel.list.setCurrentIndex(self.panel.model.index(row, 0))

    def _paint(self, items: list[ReviewItem]) -> None:
        from annotator.core.corpus import SpanInfo

        document = self.workspace.document
        assert document is not None
        swatches = []
        spans = []
        notes: dict[int, str | None] = {}
        for number, item in enumerate(items):
            kind = str(item.kind)
            labels = sorted({side.label for side in (item.a, item.b) if side is not None})
            swatches.append(ItemSwatch(number, "/".join(labels), CLASSES[kind][1]))
            spans.append(SpanInfo(number, number, item.start, item.end, None))
            notes[number] = (
                f"{CLASSES[kind][0]} · A {describe_side(item.a)} · B {describe_side(item.b)}"
            )
        view = self.article.text
        view.set_labels(swatches, repaint=False)  # set_content below paints
        view.set_note_source(notes.get)
        view.set_content(document.text, spans)

    def _update_progress(self, items: list[ReviewItem]) -> None:
        workspace = self.workspace
        decided = sum(1 for item in items if item.decided)
        agreements = sum(1 for item in items if item.kind == ItemKind.AGREE and not item.decided)
        self.panel.accept_button.setText(f"Accept agreements ({agreements})")
        self.panel.accept_button.setEnabled(agreements > 0)
        position = ""
        if workspace.corpus is not None and workspace.document and workspace.document.id:
            place, total = workspace.corpus.document_position(workspace.document.id)
            position = f"document {place} of {total} · "
        self.article.progress_label.setText(
            f"{position}reviewed {decided} of {len(items)} item(s) in this document"
        )
        self.article.progress_bar.setMaximum(max(1, len(items)))
        self.article.progress_bar.setValue(decided)

    def _update_agreement(self) -> None:
        """Exact and overlapping span F1 and token kappa for this document."""
        from annotator.base.vocabulary import GOLD
        from annotator.core.agreement import AgreementData, AgreementDocument, compute_report

        workspace = self.workspace
        corpus, document = workspace.corpus, workspace.document
        a, b = self.annotator_a, self.annotator_b or GOLD
        if corpus is None or document is None or document.id is None or a is None or a == b:
            self.panel.agreement.setText("")
            return
        names = {label.id: label.name for label in workspace.labels}
        layers = {
            who: [(s.start, s.end, names.get(s.label_id, "?"))
                  for s in corpus.span_view(document.id, annotator=who)]
            for who in (a, b)
        }  # fmt: skip
        data = AgreementData((a, b), (AgreementDocument(document.id, document.text, layers),))
        pair = compute_report(data).pair(a, b)
        self.panel.agreement.setText(
            f"<b>Agreement on this document</b>: exact F1 {_number(pair.exact.f1)} · "
            f"overlap F1 {_number(pair.overlap.f1)} · token κ {_number(pair.token_kappa)}"
        )

    # -- deciding ---------------------------------------------------------------------

    def current_item(self) -> ReviewItem | None:
        index = self.panel.list.currentIndex()
        if not index.isValid():
            return None
        return self.panel.model.visible[index.row()]

    def _on_list_currentChanged(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        self.cancel_edit()  # another item: an edit under way is let go
        item = self.panel.model.visible[current.row()]
        number = self.panel.model.items.index(item)
        view = self.article.text
        view.set_selected_span(number)
        view.place_caret(item.start)

    def _on_text_spanClicked(self, number: int) -> None:
        item = self.panel.model.items[number]
        row = self.panel.model.row_of(item.key)
        if row is not None:
            self.panel.list.setCurrentIndex(self.panel.model.index(row, 0))

    def command(self, command: str) -> None:
        """One review key, from the list, the article or the comment box."""
        if command == NEXT:
            self.panel.list.move_current(1)
        elif command == PREVIOUS:
            self.panel.list.move_current(-1)
        elif command == COMMENT:
            self.panel.comment.setFocus()
        elif command == ReviewAction.EDIT:
            self.start_edit()
        else:
            self.decide(command)

    def decide(self, action: str, edited: tuple[int, int, int] | None = None) -> None:
        from annotator.core import review

        item = self.current_item()
        corpus = self.workspace.corpus
        if item is None or corpus is None:
            return
        comment = self.panel.comment.toPlainText().strip() or None
        changes = self.workspace.perform_many(
            ACTIONS.get(action, action),
            lambda: review.decide(corpus, item, action, comment=comment, edited=edited),
        )
        if changes:
            self.panel.comment.clear()
            self._next_undecided(item.key)

    # -- editing a span in the article ------------------------------------------------

    def start_edit(self) -> None:
        """E: the item's span (A's, else B's) is selected in the article, where the
        keyboard reshapes it; Enter takes it into gold (`finish_edit`)."""
        item = self.current_item()
        side = item.a or item.b if item is not None else None
        if item is None or side is None:
            return
        self.editing = GoldEdit(item.key, side.label_id)
        text = self.article.text
        text.select_range(side.start, side.end)
        text.setFocus()
        self._show_edit_hint()

    def _show_edit_hint(self) -> None:
        if self.editing is None:
            self.article.edit_hint.hide()
            return
        names = {label.id: label.name for label in self.workspace.labels}
        self.article.edit_hint.setText(
            f"<b>Editing the gold span</b> ({names.get(self.editing.label_id, '?')}): "
            "Shift+arrows move its end, Tab swaps ends, a label's key relabels it · "
            "<b>Enter</b> takes it into gold · <b>Esc</b> cancels"
        )
        self.article.edit_hint.show()

    def label_for_key(self, key: str) -> int | None:
        """The span label whose hotkey is `key`, for relabelling while editing."""
        for label in self.workspace.labels:
            if label.kind == LabelKind.SPAN and label.hotkey == key and label.id is not None:
                return label.id
        return None

    def choose_edit_label(self, key: str) -> None:
        label_id = self.label_for_key(key)
        if self.editing is not None and label_id is not None:
            self.editing = GoldEdit(self.editing.item_key, label_id)
            self._show_edit_hint()

    def swap_edit_ends(self) -> None:
        """The selection's other end becomes the one Shift+arrows move."""
        text = self.article.text
        cursor = text.textCursor()
        anchor, position = cursor.anchor(), cursor.position()
        cursor.setPosition(position)
        cursor.setPosition(anchor, QTextCursor.MoveMode.KeepAnchor)
        text.setTextCursor(cursor)

    def finish_edit(self) -> None:
        editing, chosen = self.editing, self.article.text.selection()
        if editing is None:
            return
        if chosen is None or chosen[0] == chosen[1]:
            self.workspace.failed.emit("select the words of the gold span, or Esc to cancel")
            return
        self._end_edit()
        item = self.current_item()
        if item is None or item.key != editing.item_key:
            return
        self.panel.list.setFocus()
        self.decide(ReviewAction.EDIT, (chosen[0], chosen[1], editing.label_id))

    def cancel_edit(self) -> None:
        if self.editing is None:
            return
        self._end_edit()
        self.article.text.place_caret(self.article.text.caret())  # the selection goes
        self.panel.list.setFocus()

    def _end_edit(self) -> None:
        self.editing = None
        self._show_edit_hint()
        if self._refresh_waiting:
            self._refresh_waiting = False
            self._on_workspace_refreshed()

    def _next_undecided(self, after_key: str) -> None:
        visible = self.panel.model.visible
        start = self.panel.model.row_of(after_key)
        order = list(range((start or 0) + 1, len(visible))) + list(range(0, (start or 0) + 1))
        for row in order:
            if not visible[row].decided:
                self.panel.list.setCurrentIndex(self.panel.model.index(row, 0))
                return

    def accept_agreements(self) -> None:
        from annotator.core import review

        corpus = self.workspace.corpus
        document = self.workspace.document
        if corpus is None or document is None or document.id is None or not self.annotator_a:
            return
        document_id, a, b = document.id, self.annotator_a, self.annotator_b
        changes = self.workspace.perform_many(
            "accept agreements",
            lambda: review.accept_agreements(corpus, document_id, a, b),
        )
        if not changes:
            self.reload()

    def _on_auto_accept_toggled(self, checked: bool) -> None:
        self.settings.set(options.AUTO_ACCEPT_AGREEMENTS, checked)
        if checked:
            self.accept_agreements()

    def _on_filter_changed(self, _index: int) -> None:
        model = self.panel.model
        model.kind_filter = self.panel.kind_filter.currentData()
        model.label_filter = self.panel.label_filter.currentData()
        keep = self._current_key()
        model.refilter()
        row = model.row_of(keep) if keep else None
        if model.rowCount():
            self.panel.list.setCurrentIndex(model.index(row or 0, 0))
