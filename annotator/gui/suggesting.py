"""The window's side of suggestions: deciding them from the keyboard on the article,
listing them apart from the spans, and asking for them (the Suggest menu, and the other
occurrences of a span made by hand, proposed the moment it is made).

Tab and Shift+Tab step through the open document's suggestions, Enter accepts the current
one, a label key accepts it with that label, X rejects it; each decision (and accepting
every suggestion in view) is one undo step, since the workspace pushes one command per
action. Writing suggestions keeps no history: they are proposals, not annotations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
)

if TYPE_CHECKING:
    from annotator.core.changes import Change
    from annotator.core.suggestions import Suggester
    from annotator.core.suggestions.store import SuggestionInfo
    from annotator.gui.article_view import PaintedSpan
    from annotator.gui.main_window import MainWindow

SUGGESTION_ID = Qt.ItemDataRole.UserRole + 1


class SuggestionList(QListWidget):
    """The open document's pending suggestions, in text order: label and words."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("suggestionList")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the article keeps the keys

    def show_suggestions(self, rows: list[tuple[int, str, str, str]]) -> None:
        """(id, label name, colour, words) for each suggestion."""
        self.clear()
        for suggestion_id, label, colour, words in rows:
            item = QListWidgetItem(f"{label} · {words}")
            item.setData(Qt.ItemDataRole.DecorationRole, QColor(colour))
            item.setData(SUGGESTION_ID, suggestion_id)
            self.addItem(item)

    def select_suggestion(self, suggestion_id: int | None) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(SUGGESTION_ID) == suggestion_id:
                self.setCurrentItem(item)
                return
        self.clearSelection()


class Suggesting(QObject):
    """Keys, list and sources of suggestions for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._workspace = window.workspace
        self._text = window.article.text
        self.list = SuggestionList()
        self._tabs = window.tags.lower_tabs
        self._tabs.addTab(self.list, "Suggestions (0)")
        self.list.itemClicked.connect(self._on_list_itemClicked)
        self._text.suggestionStepRequested.connect(self.step)
        self._text.suggestionAcceptRequested.connect(self.accept_current)
        self._text.suggestionRejectRequested.connect(self.reject_current)
        self._text.cursorPositionChanged.connect(self._follow_current)
        self._workspace.suggestionsChanged.connect(self._on_workspace_suggestionsChanged)
        self._workspace.changed.connect(self._on_workspace_changed)
        # A span made by hand → the suggestions of its other occurrences, withdrawn (if
        # still pending) when that span is undone or deleted.
        self._proposals: dict[int, list[int]] = {}
        # The pattern files last proposed from, measured with the other sources.
        self.pattern_files: list[Path] = []
        self.quality: QDialog | None = None
        self.progress: QProgressDialog | None = None

    # -- showing ----------------------------------------------------------------------

    def _on_workspace_suggestionsChanged(self) -> None:
        ws = self._workspace
        suggestions = ws.suggestions
        self._text.set_suggestions([(s.id, s.label_id, s.start, s.end) for s in suggestions])
        text = ws.document.text if ws.document is not None else ""
        rows = []
        for suggestion in suggestions:
            label = ws.label(suggestion.label_id)
            name, colour = (label.name, label.color) if label is not None else ("?", "#888888")
            words = text[suggestion.start : suggestion.end]
            if suggestion.score is not None:  # a model's confidence, for choosing what to check
                words += f"  ({suggestion.score:.2f})"
            rows.append((suggestion.id, name, colour, words))
        self.list.show_suggestions(rows)
        index = self._tabs.indexOf(self.list)
        self._tabs.setTabText(index, f"Suggestions ({len(suggestions)})")
        self._follow_current()

    def _on_workspace_changed(self, changes: list[Change]) -> None:
        from annotator.core.suggestions.store import withdraw

        gone: list[int] = []
        relabelled: list[dict[str, Any]] = []
        for change in changes:
            if change.entity != "span" or change.before is None:
                continue
            span_id = int(change.before["id"])
            if span_id not in self._proposals:
                continue
            if change.after is None:
                gone += self._proposals.pop(span_id)
            elif change.after["label_id"] != change.before["label_id"]:
                gone += self._proposals.pop(span_id)
                relabelled.append(change.after)
        corpus = self._workspace.corpus
        if not gone or corpus is None:
            return
        withdraw(corpus, gone)
        self._workspace.reload_suggestions()
        # A change of mind: the other occurrences proposed again with the new label.
        for span in relabelled:
            self.propose_occurrences(span["start"], span["end"], span["label_id"], span["id"])

    def _follow_current(self) -> None:
        self.list.select_suggestion(self._text.current_suggestion)

    def _on_list_itemClicked(self, item: QListWidgetItem) -> None:
        self._text.set_current_suggestion(int(item.data(SUGGESTION_ID)))
        self._text.setFocus()

    def _say(self, message: str) -> None:
        self._window.statusBar().showMessage(message, 6000)

    # -- deciding ---------------------------------------------------------------------

    def step(self, direction: int) -> None:
        """The next (or previous) suggestion after the current one or the caret, wrapping
        round at the ends of the document."""
        shown: list[PaintedSpan] = self._text.suggested
        if not shown:
            return
        current = next((s for s in shown if s.id == self._text.current_suggestion), None)
        anchor = current.start if current is not None else self._text.textCursor().position()
        if direction > 0:
            after = [
                s for s in shown if s.start > anchor or (current is None and s.start == anchor)
            ]
            target = after[0] if after else shown[0]
        else:
            before = [s for s in shown if s.start < anchor]
            target = before[-1] if before else shown[-1]
        self._text.set_current_suggestion(target.id)
        info = self._info(target.id)
        if info is not None:
            self._say(f"Suggestion: {self._describe(info)} · Enter accepts, X rejects")

    def _info(self, suggestion_id: int | None) -> SuggestionInfo | None:
        return next((s for s in self._workspace.suggestions if s.id == suggestion_id), None)

    def _describe(self, info: SuggestionInfo, label_id: int | None = None) -> str:
        label = self._workspace.label(label_id if label_id is not None else info.label_id)
        document = self._workspace.document
        words = document.text[info.start : info.end] if document is not None else ""
        return f"{label.name if label else '?'} “{words}”"

    def accept_current(self, label_id: int | None = None) -> bool:
        """Accept the current suggestion, with another label when one is given."""
        info = self._info(self._text.current_suggestion)
        if info is None:
            return False
        self._workspace.accept_suggestions(
            [info.id], label_id=label_id, description=f"accept {self._describe(info, label_id)}"
        )
        return True

    def reject_current(self) -> None:
        info = self._info(self._text.current_suggestion)
        if info is not None:
            self._workspace.reject_suggestions([info.id])

    def take_label_key(self, key: str) -> bool:
        """A label key while a suggestion is current accepts it with that label."""
        from annotator.core.labelling import label_for_key

        if self._info(self._text.current_suggestion) is None:
            return False
        label = label_for_key(self._workspace.labels, key)
        if label is None or label.id is None:
            return False
        return self.accept_current(label.id)

    def accept_in_view(self) -> None:
        """Every suggestion visible in the article accepted, as one undo step."""
        ids = self._text.suggestions_in_view()
        if not ids:
            self._say("no suggestions in view")
            return
        count = len(ids)
        self._workspace.accept_suggestions(
            ids, description=f"accept {count} suggestion{'s' if count != 1 else ''} in view"
        )

    def label_all_occurrences(self) -> None:
        """The selected span's words labelled the same wherever else they stand in this
        document (whole words), as one undo step; places the person refused are left."""
        from annotator.core.suggestions.store import pending

        ws, span_id = self._workspace, self._text.selected_span
        span = ws.spans.get(span_id) if span_id is not None else None
        if span is None or ws.document is None or ws.corpus is None:
            self._say("select a span first: its other occurrences take its label")
            return
        self.propose_occurrences(span.start, span.end, span.label_id)
        assert ws.document.id is not None
        text = ws.document.text
        words = text[span.start : span.end]
        ids = [
            s.id
            for s in pending(ws.corpus, ws.document.id)
            if s.label_id == span.label_id and text[s.start : s.end] == words
        ]
        label = ws.label(span.label_id)
        if not ids:
            self._say(f"no other occurrence of “{words}” to label")
            return
        count = len(ids)
        ws.accept_suggestions(
            ids,
            description=f"label {count} other occurrence{'s' if count != 1 else ''} of "
            f"“{words}” {label.name if label else ''}".rstrip(),
        )
        self._say(f"Labelled {count} other occurrence{'s' if count != 1 else ''} of “{words}”")

    # -- sources ----------------------------------------------------------------------

    def can_suggest(self) -> bool:
        """A project is open in one's own layer (suggestions go nowhere else); else say why."""
        ws = self._workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            return False
        if ws.read_only:
            self._say("suggestions are made in your own layer; switch to it first")
            return False
        return True

    def suggest_from_spans(self) -> None:
        """What this annotator labelled anywhere in the project, proposed wherever else the
        same words stand in the documents not yet done."""
        from annotator.core.suggestions.corpus_forms import corpus_suggester

        ws = self._workspace
        if not self.can_suggest():
            return
        assert ws.corpus is not None and ws.project is not None and ws.project.id is not None
        self.propose_from([corpus_suggester(ws.corpus, ws.project.id)])

    def suggest_from_patterns(self) -> None:
        """Pattern files chosen by the person (EntityRuler JSONL or gazetteers), proposed
        in every document not yet done; remembered for measuring the sources."""
        from annotator.base.errors import UserError
        from annotator.core.suggestions.patterns import load_patterns
        from annotator.gui import file_dialogs

        ws = self._workspace
        if not self.can_suggest():
            return
        paths = file_dialogs.pattern_files(self._window)
        if not paths:
            return
        try:
            suggester = load_patterns(paths)  # a bad file is named before anything is written
        except UserError as error:
            ws.failed.emit(str(error))
            return
        self.pattern_files = paths
        self.propose_from([suggester])

    def propose_from(self, suggesters: list[Suggester]) -> None:
        """Run sources over the documents not done and show what they proposed here."""
        from annotator.base.errors import UserError
        from annotator.core.suggestions.store import propose

        ws = self._workspace
        assert ws.corpus is not None and ws.project is not None and ws.project.id is not None
        # A model takes tens of milliseconds an article: a long run shows its progress
        # (after half a second) and can be stopped, keeping what it proposed so far.
        dialog = QProgressDialog("Suggesting…", "Stop", 0, 0, self._window)
        dialog.setObjectName("suggestingProgress")
        dialog.setWindowTitle("Suggesting")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.rejected.connect(dialog.cancel)  # Escape stops the run, as Stop does
        self.progress = dialog

        def step(done: int, total: int) -> bool:
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(f"Suggesting in document {done} of {total}…")
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            report = propose(ws.corpus, ws.project.id, suggesters, progress=step)
        except UserError as error:
            ws.failed.emit(str(error))
            return
        finally:
            dialog.close()
        ws.reload_suggestions()
        self._tabs.setCurrentWidget(self.list)
        sentences = report.sentences()
        notes = [
            line
            for line in sentences
            if line.endswith("which the project lacks.") or line.startswith("Stopped after")
        ]
        self._say(" ".join(sentences[:1] + notes[:2]) + " Tab steps through them.")

    def measure(self) -> None:
        """Precision, recall and F1 of the sources in use, in a table."""
        from annotator.base.errors import UserError
        from annotator.core.suggestions.corpus_forms import corpus_suggester
        from annotator.core.suggestions.evaluation import evaluate
        from annotator.core.suggestions.patterns import load_patterns
        from annotator.gui.suggestion_quality import QualityDialog

        ws = self._workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            suggesters: list[Suggester] = [
                corpus_suggester(ws.corpus, ws.project.id, annotator=ws.layer)
            ]
            if self.pattern_files:
                suggesters.append(load_patterns(self.pattern_files))
            evaluation = evaluate(ws.corpus, ws.project.id, suggesters, annotator=ws.layer)
            model, model_note = self._window.model_training.measure(ws.layer)
        except UserError as error:
            ws.failed.emit(str(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.quality = QualityDialog(evaluation, self._window, model=model, model_note=model_note)
        self.quality.exec()

    def propose_occurrences(
        self, start: int, end: int, label_id: int, span_id: int | None = None
    ) -> None:
        """A span just made by hand: its words elsewhere in the same document proposed at
        once with its label, shown in the article as they are written."""
        from annotator.base.errors import UserError
        from annotator.core.suggestions.corpus_forms import occurrence_suggester
        from annotator.core.suggestions.store import write_suggestions

        ws = self._workspace
        label = ws.label(label_id)
        document, corpus, project = ws.document, ws.corpus, ws.project
        if label is None or document is None or corpus is None or project is None:
            return
        assert document.id is not None and project.id is not None
        words = document.text[start:end]
        if not words.strip():
            return
        found = [
            suggestion
            for suggestion in occurrence_suggester(words, label.name).suggest(document.text)
            if (suggestion.start, suggestion.end) != (start, end)
        ]
        if not found:
            return
        try:
            report = write_suggestions(
                corpus, project.id, {document.id: found}, texts={document.id: document.text}
            )
        except UserError as error:
            ws.failed.emit(str(error))
            return
        if span_id is not None:
            self._proposals[span_id] = report.new_span_ids
        ws.reload_suggestions()
        if report.total:
            others = f"{report.total} other occurrence{'s' if report.total != 1 else ''}"
            self._say(f"Suggested {others} of “{words}”: Tab steps to them")
