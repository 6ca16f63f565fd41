"""What the window is working on: the corpus, project, open document and its spans.

Every user action goes through `perform`, which calls the core, pushes an undo command
and announces the change; widgets listen to the signals and redraw only what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from annotator.gui.commands import CorpusCommand, CorpusUndoStack, pending_change

if TYPE_CHECKING:
    from annotator.base.errors import UserError
    from annotator.core.changes import Change
    from annotator.core.corpus import Corpus, SpanInfo
    from annotator.core.models import Document, Label, Project
    from annotator.core.suggestions.store import SuggestionInfo


class Workspace(QObject):
    projectChanged = Signal()
    labelsChanged = Signal()
    documentOpened = Signal()
    # span id, (start, end) before or None, (start, end) after or None: code points
    spanChanged = Signal(int, object, object)
    documentStateChanged = Signal(int)
    saved = Signal(str)
    failed = Signal(str)
    layerChanged = Signal()
    changed = Signal(list)  # one action's changes (made, undone or redone), after the above
    unsaved = Signal(object)  # a PendingChange the server could not take: offer a retry
    # After refresh(): someone else may have changed anything the widgets show.
    refreshed = Signal()
    # A refresh found someone new with work in the database (or someone gone).
    annotatorsChanged = Signal()
    # Before the open corpus is closed for another one: whoever holds its connections lets go.
    corpusClosing = Signal()
    # The open document's pending suggestions were read again (`suggestions`).
    suggestionsChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.corpus: Corpus | None = None
        self.project: Project | None = None
        self.labels: list[Label] = []
        self._labels_by_id: dict[int, Label] = {}
        self.document: Document | None = None
        self.spans: dict[int, SpanInfo] = {}
        # The open document's suggestions not yet decided, in text order (own layer only).
        self.suggestions: list[SuggestionInfo] = []
        self.undo_stack = CorpusUndoStack(self)
        self.undo_stack.refused.connect(self.failed)
        # Whose layer is shown; None is the user's own, the only one that can be edited.
        self.layer: str | None = None
        self._shown_annotator_id = -1
        # True while refresh() announces other people's changes, which are no reason to
        # move the user's selection to them.
        self.refreshing = False
        # Everyone with work in the database, as the last refresh found them.
        self.annotators: list[str] = []

    # -- opening ----------------------------------------------------------------------

    def set_corpus(self, corpus: Corpus) -> None:
        if self.corpus is not None and self.corpus is not corpus:
            self.corpusClosing.emit()
            self.corpus.close()
        self.corpus = corpus
        self.undo_stack.clear()
        self.project = None
        self.document = None
        self.spans = {}

    def open_project(self, project: Project) -> None:
        self.project = project
        self.document = None
        self.spans = {}
        self.reload_labels()
        self.projectChanged.emit()

    def reload_labels(self) -> None:
        assert self.corpus is not None and self.project is not None
        assert self.project.id is not None
        self.labels = self.corpus.labels(self.project.id)
        self._labels_by_id = {label.id: label for label in self.labels if label.id is not None}
        self.labelsChanged.emit()

    def label(self, label_id: int) -> Label | None:
        return self._labels_by_id.get(label_id)

    def open_document(self, document_id: int) -> None:
        assert self.corpus is not None
        self.document = self.corpus.document(document_id)
        self.spans = {
            span.id: span for span in self.corpus.span_view(document_id, annotator=self.layer)
        }
        if self.layer is not None:
            self._shown_annotator_id = self.corpus.reader_id(self.layer)
        self.documentOpened.emit()
        # Always said: the article was just refilled without them, even when the same
        # document was opened again and its suggestions did not change.
        self.reload_suggestions(announce=True)

    def reload_suggestions(self, *, announce: bool = False) -> None:
        """Read the open document's pending suggestions again; one query, cheap enough to
        run after every action, so decisions, undo and new proposals all show."""
        from annotator.core.suggestions.store import pending

        fresh: list[SuggestionInfo] = []
        if self.corpus is not None and self.document is not None and not self.read_only:
            assert self.document.id is not None
            fresh = pending(self.corpus, self.document.id)
        if announce or fresh != self.suggestions:
            self.suggestions = fresh
            self.suggestionsChanged.emit()

    @property
    def read_only(self) -> bool:
        return self.layer is not None

    def show_layer(self, annotator: str | None) -> None:
        """Look at another annotator's layer (read-only), or None for one's own."""
        if self.corpus is not None and annotator == self.corpus.annotator_name:
            annotator = None
        if annotator == self.layer:
            return
        self.layer = annotator
        self.layerChanged.emit()
        if self.document is not None and self.document.id is not None:
            self.open_document(self.document.id)

    # -- actions ----------------------------------------------------------------------

    def perform_many(
        self,
        description: str,
        action: Callable[[], list[Change]],
        *,
        edits_layer: bool = False,
    ) -> list[Change]:
        """Run one user action as one undo step; a UserError becomes a message.

        `edits_layer` actions write the shown layer, which only its owner may do.
        """
        from annotator.base.errors import UserError

        assert self.corpus is not None
        if edits_layer and self.read_only:
            self.failed.emit(
                f"this is {self.layer}'s layer, shown read-only; switch to your own to edit"
            )
            return []
        try:
            changes = action()
        except UserError as error:
            self.failed.emit(str(error))
            self._offer_again(error, description, action, edits_layer)
            return []
        if changes:
            self.undo_stack.push(
                CorpusCommand(self.corpus, changes, description, self._announce_all)
            )
            self._announce_all(changes)
        return changes

    def _offer_again(
        self,
        error: UserError,
        description: str,
        action: Callable[[], list[Change]],
        edits_layer: bool,
    ) -> None:
        """Nothing was pushed or shown as done; Retry runs the same action once more."""
        pending = pending_change(
            error,
            description,
            lambda: self.perform_many(description, action, edits_layer=edits_layer),
        )
        if pending is not None:
            self.unsaved.emit(pending)

    def perform(
        self, description: str, action: Callable[[], Change | None], *, edits_layer: bool = True
    ) -> Change | None:
        """One action that changes one row, or nothing."""

        def as_list() -> list[Change]:
            change = action()
            return [change] if change is not None else []

        changes = self.perform_many(description, as_list, edits_layer=edits_layer)
        return changes[0] if changes else None

    def _corpus(self) -> Corpus:
        if self.corpus is None:
            raise RuntimeError("no database is open yet")
        return self.corpus

    def _document_id(self) -> int:
        if self.document is None or self.document.id is None:
            raise RuntimeError("no document is open")
        return self.document.id

    def add_span(self, label_id: int, start: int, end: int) -> Change | None:
        corpus, document_id = self._corpus(), self._document_id()
        label = self.label(label_id)
        return self.perform(
            f"label {label.name if label else 'span'}",
            lambda: corpus.add_span(document_id, label_id, start, end),
        )

    def relabel_span(self, span_id: int, label_id: int) -> Change | None:
        corpus = self._corpus()
        return self.perform("relabel span", lambda: corpus.relabel_span(span_id, label_id))

    def remove_span(self, span_id: int) -> Change | None:
        corpus = self._corpus()
        return self.perform("remove span", lambda: corpus.remove_span(span_id))

    def set_span_note(self, span_id: int, note: str) -> Change | None:
        corpus = self._corpus()
        return self.perform("edit note", lambda: corpus.set_span_note(span_id, note))

    def set_document_label(self, label_id: int, present: bool) -> Change | None:
        corpus, document_id = self._corpus(), self._document_id()
        return self.perform(
            "document label", lambda: corpus.set_document_label(document_id, label_id, present)
        )

    def set_status(self, document_id: int, status: str) -> Change | None:
        from annotator.base.vocabulary import Status

        corpus = self._corpus()
        return self.perform(
            f"mark {status.replace('_', ' ')}",
            lambda: corpus.set_status(document_id, Status(status)),
        )

    def update_label(self, label_id: int, **fields: Any) -> Change | None:
        corpus = self._corpus()
        return self.perform(
            "edit label", lambda: corpus.update_label(label_id, **fields), edits_layer=False
        )

    def reorder_labels(self, ordered_ids: list[int]) -> Change | None:
        """One core call, so the reorder is one transaction and one undo step."""
        corpus = self._corpus()
        assert self.project is not None and self.project.id is not None
        project_id = self.project.id
        return self.perform(
            "reorder labels",
            lambda: corpus.reorder_labels(project_id, ordered_ids),
            edits_layer=False,
        )

    def add_label(self, name: str, **fields: Any) -> Change | None:
        corpus = self._corpus()
        assert self.project is not None and self.project.id is not None
        project_id = self.project.id
        return self.perform(
            "add label", lambda: corpus.add_label(project_id, name, **fields), edits_layer=False
        )

    def add_labels(self, description: str, entries: list[dict[str, Any]]) -> list[Change]:
        """A whole label set in one transaction and one undo step."""
        corpus = self._corpus()
        assert self.project is not None and self.project.id is not None
        project_id = self.project.id
        return self.perform_many(
            description, lambda: corpus.add_labels(project_id, entries), edits_layer=False
        )

    def accept_suggestions(
        self, suggestion_ids: list[int], *, label_id: int | None = None, description: str = ""
    ) -> list[Change]:
        """Suggestions made annotations (with another label when given), one undo step."""
        from annotator.core.suggestions.store import accept

        corpus = self._corpus()
        count = len(suggestion_ids)
        return self.perform_many(
            description or f"accept {count} suggestion{'s' if count != 1 else ''}",
            lambda: accept(corpus, suggestion_ids, label_id=label_id),
            edits_layer=True,
        )

    def reject_suggestions(self, suggestion_ids: list[int]) -> list[Change]:
        from annotator.core.suggestions.store import reject

        corpus = self._corpus()
        return self.perform_many(
            "reject suggestion", lambda: reject(corpus, suggestion_ids), edits_layer=True
        )

    def delete_label(self, label_id: int) -> Change | None:
        """The label and its spans to the trash; undo restores them."""
        corpus = self._corpus()
        label = self.label(label_id)
        return self.perform(
            f"delete label {label.name if label else ''}".strip(),
            lambda: corpus.delete_label(label_id),
            edits_layer=False,
        )

    # -- undo beyond this session ----------------------------------------------------

    def _history_scope(self) -> dict[str, Any]:
        project_id = self.project.id if self.project is not None else None
        return {"project_id": project_id, "documents_only": True}

    def undo(self) -> None:
        """This session's undo stack first; once it is empty, the history, so that
        Ctrl+Z after a restart takes back the last annotation made before it."""
        if self.undo_stack.canUndo():
            self.undo_stack.undo()
        elif self.corpus is not None and self.project is not None:
            self._from_history(self.corpus.undo_last)

    def redo(self) -> None:
        if self.undo_stack.canRedo():
            self.undo_stack.redo()
        elif self.corpus is not None and self.project is not None:
            self._from_history(self.corpus.redo_last)

    def undo_available(self) -> tuple[bool, bool]:
        """(undo, redo) as Ctrl+Z and Ctrl+Shift+Z would find them. The history is read
        only when this session has nothing to undo: an action of the session empties
        the history's redo steps as it fills the stack."""
        can_undo, can_redo = self.undo_stack.canUndo(), self.undo_stack.canRedo()
        if can_undo or self.corpus is None or self.project is None:
            return can_undo, can_redo
        from annotator.core.history import available

        in_history = available(self.corpus, **self._history_scope())
        return can_undo or in_history[0], can_redo or in_history[1]

    def _from_history(self, step: Callable[..., list[Change]]) -> None:
        from annotator.base.errors import UserError

        try:
            changes = step(**self._history_scope())
        except UserError as error:
            self.failed.emit(str(error))
            return
        if changes:
            self._announce_all(changes)

    # -- announcing -------------------------------------------------------------------

    def _announce_all(self, changes: list[Change]) -> None:
        """Bring the open state in line with one action's changes, then say so once.

        An action across several documents (labelling search results) is shown where
        it touches the open document; the others' rows in the list are brought up to
        date, none is opened in turn (the last would be left open)."""
        spread = {change.document_id for change in changes if change.entity == "span"}
        open_id = self.document.id if self.document is not None else None
        for change in changes:
            if len(spread) > 1 and change.entity == "span" and change.document_id != open_id:
                continue
            self._announce(change)
        if len(spread) > 1:
            for document_id in spread - {open_id, None}:
                assert document_id is not None
                self.documentStateChanged.emit(document_id)
        if any(change.entity in ("span", "trash") for change in changes):
            self.reload_suggestions()
        self.changed.emit(changes)

    def _announce(self, change: Change) -> None:
        """Bring the open state in line with a change made, undone or redone."""
        from annotator.core.changes import LABEL_ORDER

        if change.entity in ("label", LABEL_ORDER):
            self.reload_labels()
        elif change.entity == "trash":  # a label or document gone or back, with its spans
            self.refresh()
        elif change.entity == "span":
            self._announce_span(change)
        if change.document_id is not None and change.entity != "span":
            self.documentStateChanged.emit(change.document_id)
        self.saved.emit(self.in_words(change))

    def in_words(self, change: Change) -> str:
        """The change as the status bar says it: "added Person 'Kim' 0-3", not "add span"."""
        from annotator.core.history import describe

        names = {label_id: label.name for label_id, label in self._labels_by_id.items()}
        return describe(change.action, change.entity, change.before, change.after, names)

    def _announce_span(self, change: Change) -> None:
        from annotator.base.vocabulary import COUNTED_ORIGINS
        from annotator.core.corpus import SpanInfo

        before, after = change.before, change.after
        row = after or before
        assert row is not None
        if self.document is None or row["document_id"] != self.document.id:
            self.open_document(row["document_id"])  # undone elsewhere: show where it happened
            return
        # A suggestion (pending or rejected) is drawn apart, never as a span: accepting
        # one adds a span, and undoing that takes the span away again.
        if before is not None and before.get("origin", COUNTED_ORIGINS[0]) not in COUNTED_ORIGINS:
            before = None
        if after is not None and after.get("origin", COUNTED_ORIGINS[0]) not in COUNTED_ORIGINS:
            after = None
        if before is None and after is None:
            return
        shown = self._corpus().annotator_id() if self.layer is None else self._shown_annotator_id
        if row["annotator_id"] != shown:
            return  # another layer's span (the gold layer, during review)
        span_id = int(row["id"])
        if after is None:
            self.spans.pop(span_id, None)
        else:
            self.spans[span_id] = SpanInfo(
                span_id, after["label_id"], after["start"], after["end"], after["note"]
            )
        self.spanChanged.emit(
            span_id,
            (before["start"], before["end"]) if before else None,
            (after["start"], after["end"]) if after else None,
        )

    # -- other people's changes ---------------------------------------------------------

    def refresh(self) -> None:
        """Show what others committed since: the labels, the open document's spans in the
        shown layer, then (through `refreshed`) the document list, progress and document
        labels. Only what differs is announced, so the open document, the caret, the
        selection, the scroll position and the undo stack stay as they are."""
        if self.corpus is None or self.project is None:
            return
        self.refreshing = True
        try:
            self._refresh_labels()
            self._refresh_annotators()
            self._refresh_open_document()
            self.reload_suggestions()
            self.refreshed.emit()
        finally:
            self.refreshing = False

    def _refresh_labels(self) -> None:
        assert self.corpus is not None and self.project is not None
        assert self.project.id is not None
        fresh = self.corpus.labels(self.project.id)
        if [label.model_dump() for label in fresh] != [label.model_dump() for label in self.labels]:
            self.labels = fresh
            self._labels_by_id = {label.id: label for label in fresh if label.id is not None}
            self.labelsChanged.emit()

    def _refresh_annotators(self) -> None:
        """One query for every chooser of people (the layer, review's A and B)."""
        fresh = self._corpus().annotators()
        if fresh != self.annotators:
            self.annotators = fresh
            self.annotatorsChanged.emit()

    def _refresh_open_document(self) -> None:
        from annotator.base.errors import UserError

        corpus, document = self._corpus(), self.document
        if document is None or document.id is None:
            return
        try:
            corpus.document(document.id)
        except UserError:
            self._lose_open_document(document)
            return
        if self.layer is not None:
            self._shown_annotator_id = corpus.reader_id(self.layer)
        fresh = {span.id: span for span in corpus.span_view(document.id, annotator=self.layer)}
        for span_id in [known for known in self.spans if known not in fresh]:
            gone = self.spans.pop(span_id)
            self.spanChanged.emit(span_id, (gone.start, gone.end), None)
        for span_id, span in fresh.items():
            known = self.spans.get(span_id)
            if known == span:
                continue
            self.spans[span_id] = span
            before = (known.start, known.end) if known is not None else None
            self.spanChanged.emit(span_id, before, (span.start, span.end))

    def _lose_open_document(self, document: Document) -> None:
        """Someone else deleted the open document: the next one is opened (or none), and
        the status bar says why."""
        assert self.corpus is not None and self.project is not None
        assert self.project.id is not None and document.id is not None
        rows = self.corpus.documents(self.project.id, after_id=document.id, limit=1)
        rows = rows or self.corpus.documents(self.project.id, limit=1)
        if rows:
            self.open_document(rows[0].id)
        else:
            self.document, self.spans = None, {}
            self.documentOpened.emit()
        title = document.title or f"document {document.id}"
        self.failed.emit(f"{title} was deleted by someone else")
