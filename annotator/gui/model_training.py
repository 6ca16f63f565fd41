"""The model source in the window: training in its own process while the person goes on
labelling, its progress and a Cancel button in the status bar, suggestions from it once
trained, and retraining by itself after every `RETRAIN_EVERY` newly finished documents.

spaCy is imported only when the model is first asked for, so a window without the `ml`
extra opens as fast as ever and says what to install when the model is asked for.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QProgressBar, QPushButton

from annotator.base.errors import UserError
from annotator.core.suggestions import MODEL_MODULE, model_module

if TYPE_CHECKING:
    from annotator.core.changes import Change
    from annotator.core.suggestions import Suggester
    from annotator.core.suggestions.evaluation import Evaluation
    from annotator.core.suggestions.model import TrainingJob
    from annotator.gui.main_window import MainWindow

log = logging.getLogger(__name__)

POLL_MS = 200


class ModelTraining(QObject):
    """One training at a time per window; what to do once it ends is remembered."""

    def __init__(self, window: MainWindow, *, module: str = MODEL_MODULE) -> None:
        super().__init__(window)
        self._window = window
        self._workspace = window.workspace
        self._module_name = module
        self.job: TrainingJob | None = None
        self.retrain_every: int | None = None  # None: the model module's RETRAIN_EVERY
        self._suggest_when_trained = False
        self.progress = QProgressBar()
        self.progress.setObjectName("modelProgress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(180)
        self.progress.setFormat("training %p%")
        self.cancel_button = QPushButton("Cancel training")
        self.cancel_button.setObjectName("cancelTraining")
        self.cancel_button.clicked.connect(self.cancel)
        bar = window.statusBar()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._workspace.changed.connect(self._on_workspace_changed)
        self._workspace.corpusClosing.connect(self.cancel)

    # -- the model module, imported late --------------------------------------------------

    def _module(self) -> ModuleType | None:
        """The model module, or None once the window said what to install."""
        try:
            return model_module(self._module_name)
        except UserError as error:
            self._workspace.failed.emit(str(error))
            return None

    def _say(self, message: str) -> None:
        self._window.statusBar().showMessage(message, 8000)

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.finished

    # -- asked for --------------------------------------------------------------------------

    def train(self, *, then_suggest: bool = False, reason: str = "asked for") -> None:
        """Start training on the done documents (or the gold layer's) in the background."""

        ws = self._workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            return
        if self.running:
            self._suggest_when_trained |= then_suggest
            self._say("the model is already being trained; it suggests once it is done")
            return
        module = self._module()
        if module is None:
            return
        try:
            self.job = module.start_training(ws.corpus, ws.project.id)
        except UserError as error:
            ws.failed.emit(str(error))
            return
        self._suggest_when_trained = then_suggest
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self._timer.start()
        self._say(f"Training the model ({reason}) while you go on…")

    def suggest(self) -> None:
        """Suggest from the model, training it first when there is none or it is stale."""

        ws = self._workspace
        if not self._window.suggesting.can_suggest():
            return
        assert ws.corpus is not None and ws.project is not None
        module = self._module()
        if module is None:
            return
        try:
            reason = module.needs_training(ws.corpus, ws.project.id)
        except UserError as error:  # a damaged model: said, and trained afresh
            ws.failed.emit(str(error))
            reason = "its files could not be read"
        if reason is not None:
            self.train(then_suggest=True, reason=reason)
            return
        self._propose(module)

    def cancel(self) -> None:
        job = self.job
        if job is None or job.finished:
            return
        job.cancel()
        self._finish()
        self._say("Training cancelled; the previous model, if any, is kept.")

    def measure(self, annotator: str | None) -> tuple[Evaluation | None, str]:
        """The model measured on the reference documents it did not learn from (those
        finished since it was trained), and a sentence saying so or why it was not."""
        from annotator.core.suggestions.evaluation import evaluate, reference_spans

        ws = self._workspace
        if not self.model_exists() or ws.corpus is None or ws.project is None:
            return None, ""
        assert ws.project.id is not None
        module = self._module()
        if module is None:
            return None, ""
        folder = module.model_folder(ws.corpus, ws.project.id)
        try:
            info = module.model_info(folder)
            _, spans = reference_spans(ws.corpus, ws.project.id, annotator=annotator)
            unseen = set(spans) - set(info.document_ids)
            if not unseen:
                return None, (
                    "The model learnt from every reference document, so it cannot be "
                    "measured here: finish more documents, or run annotator suggest "
                    "--model --evaluate, which holds some out."
                )
            suggester: Suggester = module.ModelSuggester(folder)
            evaluation = evaluate(
                ws.corpus, ws.project.id, [suggester], annotator=annotator, document_ids=unseen
            )
        except UserError as error:
            ws.failed.emit(str(error))
            return None, ""
        return evaluation, ""

    # -- while it runs ----------------------------------------------------------------------

    def _poll(self) -> None:
        job = self.job
        if job is None:
            self._timer.stop()
            return
        job.poll()
        if job.last is not None:
            self.progress.setValue(round(job.last.fraction * 1000))
            self.progress.setToolTip(
                f"pass {job.last.epoch} of {job.last.epochs}, "
                f"{job.last.documents} of {job.last.total} documents, loss {job.last.loss:.1f}"
            )
        if not job.finished:
            return
        self._finish()
        if job.error is not None:
            self._workspace.failed.emit(f"training the model failed: {job.error}")
        elif job.result is not None:
            self._say(" ".join(job.result.sentences()[:1]))
            if self._suggest_when_trained:
                module = self._module()
                if module is not None:
                    self._propose(module)

    def _finish(self) -> None:
        self._timer.stop()
        self.progress.hide()
        self.cancel_button.hide()

    def _propose(self, module: ModuleType) -> None:

        ws = self._workspace
        assert ws.corpus is not None and ws.project is not None and ws.project.id is not None
        try:
            suggester = module.model_suggester(ws.corpus, ws.project.id)
        except UserError as error:
            ws.failed.emit(str(error))
            return
        self._window.suggesting.propose_from([suggester])

    def _on_workspace_changed(self, changes: list[Change]) -> None:
        """A document marked done may make the model stale: retrain it then, by itself."""
        finished = any(
            change.entity == "document_status"
            and change.after is not None
            and change.after.get("status") == "done"
            for change in changes
        )
        if finished and not self.running and self.model_exists():
            module = self._module()
            ws = self._workspace
            if module is None or ws.corpus is None or ws.project is None:
                return
            every = self.retrain_every or module.RETRAIN_EVERY
            try:
                reason = module.needs_training(ws.corpus, ws.project.id, every=every)
            except Exception as error:  # a check that fails must not stop the marking
                log.warning("could not check whether the model is stale: %s", error)
                return
            if reason is not None:
                self.train(reason=reason)

    def model_exists(self) -> bool:
        """Whether this layer has a model, without importing spaCy."""
        ws = self._workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            return False
        try:
            module = model_module(self._module_name)  # spaCy itself is not imported yet
        except UserError:
            return False
        folder = module.model_folder(ws.corpus, ws.project.id)
        return bool((folder / module.META_FILE).exists())
