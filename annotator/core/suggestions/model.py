"""The model as a source: a spaCy named-entity recogniser trained from scratch on the
project's finished documents, which proposes spans in the others with a confidence.

Trained from nothing (`spacy.blank` + `ner`, no downloaded weights) on what people marked:
the gold layer's documents when the project has one, else the annotator's done
documents, counted spans only (see `evaluation.reference_spans`). Training runs in a
separate process (spawn), so the window stays responsive and a cancel can end it for
certain; progress comes back over a queue. The model is kept in the user data folder,
one per database, project and annotator, beside a JSON file saying what it learnt from.

Confidence: the recogniser is trained greedily (fast), then parses with a beam of
`BEAM_WIDTH` analyses; an entity's score is the summed probability of the analyses that
contain it (spaCy's `scored_ents`), a real 0..1 figure. The text is parsed sentence by
sentence in one batch, which keeps an article's suggestions well under 100 ms.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import queue
import random
import shutil
import signal
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from annotator.base.environment import APP_NAME
from annotator.base.errors import UserError
from annotator.base.vocabulary import SuggestionSource
from annotator.core.corpus import Corpus
from annotator.core.db import place
from annotator.core.models import document_t
from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.evaluation import reference_spans

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from multiprocessing.synchronize import Event

    from spacy.language import Language

# spaCy loads only where it is used (a second's import the window should not pay to ask
# whether a model is current), but its absence is said at once, as an ImportError.
if importlib.util.find_spec("spacy") is None:
    raise ModuleNotFoundError("No module named 'spacy'", name="spacy")

# Retrain once this many more documents are done than the model learnt from.
RETRAIN_EVERY = 20
EPOCHS = 6
# A small set needs more passes: measured on generated news, 32 documents reach F1 0.02
# after 6 passes, 0.40 after 20 and 0.96 after 40. So a training makes at least as many
# document passes as 300 documents in 6 epochs do, within EPOCHS..MAX_EPOCHS.
DOCUMENT_PASSES = 1_800
MAX_EPOCHS = 50
BATCH_SIZE = 8
DROPOUT = 0.1
BEAM_WIDTH = 8
SEED = 0
META_FILE = "annotator-model.json"
PIPELINE = "pipeline"
# A small network: training on a few hundred documents takes seconds per pass on a laptop.
NER_CONFIG: dict[str, Any] = {
    "model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner", "extra_state_tokens": False, "hidden_width": 64,
        "maxout_pieces": 2, "use_upper": True, "nO": None,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
            "width": 64, "depth": 2, "embed_size": 2000, "window_size": 1,
            "maxout_pieces": 3, "subword_features": True,
        },
    }
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TrainingData:
    """What a model learns from, read in the parent: the child never opens the database."""

    reference: str  # "the gold layer" or "alice's done documents"
    documents: list[tuple[int, str, list[tuple[int, int, str]]]]  # id, text, spans

    @property
    def document_ids(self) -> list[int]:
        return [document_id for document_id, _, _ in self.documents]

    @property
    def labels(self) -> list[str]:
        return sorted({label for _, _, spans in self.documents for _, _, label in spans})


@dataclass(frozen=True, slots=True)
class TrainingProgress:
    """One step of training: after each batch, and once a pass (epoch) ends."""

    epoch: int  # from 1
    epochs: int
    documents: int  # seen in this epoch
    total: int  # documents per epoch
    loss: float  # summed over this epoch so far

    @property
    def fraction(self) -> float:
        if not self.total:
            return 1.0
        return ((self.epoch - 1) * self.total + self.documents) / (self.epochs * self.total)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a saved model learnt from; kept beside it as JSON."""

    reference: str
    documents: int
    document_ids: list[int]
    labels: list[str]
    trained_at: str  # ISO 8601, UTC
    seconds: float
    epochs: int
    spans: int
    misaligned: int  # spans whose edges fall inside a token: widened to whole tokens
    overlapping: int  # spans left out because they overlap another (NER allows none)
    database: str = ""
    project_id: int = 0
    annotator: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def sentences(self) -> list[str]:
        lines = [
            f"Trained on {self.documents} document{'s' if self.documents != 1 else ''} "
            f"({self.reference}), {self.spans} spans, labels {', '.join(self.labels)}, "
            f"in {self.seconds:.1f} s."
        ]
        if self.misaligned:
            lines.append(
                f"{self.misaligned} span{'s' if self.misaligned != 1 else ''} did not "
                "begin or end at a token boundary and were widened to whole tokens."
            )
        if self.overlapping:
            lines.append(
                f"{self.overlapping} overlapping span"
                f"{'s were' if self.overlapping != 1 else ' was'} left out: "
                "a recogniser marks one entity at a place."
            )
        return lines


# -- what to learn from, and where the model lives ---------------------------------------


def training_data(
    corpus: Corpus,
    project_id: int,
    *,
    annotator: str | None = None,
    exclude: Collection[int] = (),
) -> TrainingData:
    """The gold layer's documents, else the annotator's done ones, with counted spans."""
    reference, spans = reference_spans(corpus, project_id, annotator=annotator)
    chosen = sorted(set(spans) - set(exclude))
    texts: dict[int, str] = {}
    if chosen:
        query = document_t.select().with_only_columns(document_t.c.id, document_t.c.text)
        with corpus.engine.connect() as connection:
            rows = connection.execute(query.where(document_t.c.id.in_(chosen)))
            texts = {row[0]: row[1] for row in rows}
    documents = [(i, texts[i], sorted(spans[i])) for i in chosen]
    return TrainingData(reference, documents)


def models_folder() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "models"


def model_folder(corpus: Corpus, project_id: int, *, annotator: str | None = None) -> Path:
    """One folder per database, project and annotator, named by a hash of the three."""
    who = annotator or corpus.annotator_name
    key = f"{place(corpus.engine.url)}\n{project_id}\n{who}"
    return models_folder() / hashlib.sha256(key.encode()).hexdigest()[:20]


def model_info(folder: Path) -> ModelInfo | None:
    """What the model in `folder` learnt from; None when there is none."""
    path = folder / META_FILE
    old = folder.with_name(folder.name + ".old")
    if not folder.exists() and old.exists():  # stopped between the two renames of _save
        old.rename(folder)
    if not path.exists():
        return None
    try:
        return ModelInfo(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as error:
        raise UserError(
            f"{path}: the model's description cannot be read ({error}); "
            "retrain it (annotator suggest --model --retrain)"
        ) from error


def needs_training(
    corpus: Corpus,
    project_id: int,
    *,
    annotator: str | None = None,
    every: int = RETRAIN_EVERY,
    folder: Path | None = None,
) -> str | None:
    """Why the model should be (re)trained now, in words, or None when it is current:
    there is none yet, or `every` documents were finished since it was trained."""
    folder = folder or model_folder(corpus, project_id, annotator=annotator)
    info = model_info(folder)
    if info is None:
        return "there is no model yet"
    _, spans = reference_spans(corpus, project_id, annotator=annotator)
    new = len(set(spans) - set(info.document_ids))
    if new >= every:
        return f"{new} documents were finished since it was trained"
    return None


# -- training -------------------------------------------------------------------------


def _examples(nlp: Language, data: TrainingData) -> tuple[list[Any], int, int, int]:
    """spaCy Examples, with spans aligned to tokens: (examples, spans, misaligned, overlapping)."""
    from spacy.training import Example
    from spacy.util import filter_spans

    examples = []
    count = misaligned = overlapping = 0
    for _, text, spans in data.documents:
        doc = nlp.make_doc(text)
        entities = []
        for start, end, label in spans:
            count += 1
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                misaligned += 1
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                entities.append(span)
        kept = filter_spans(entities)
        overlapping += len(entities) - len(kept)
        doc.ents = kept
        examples.append(Example(nlp.make_doc(text), doc))
    return examples, count, misaligned, overlapping


def train(
    data: TrainingData,
    folder: Path,
    *,
    epochs: int = EPOCHS,
    progress: Callable[[TrainingProgress], None] | None = None,
    stop: Callable[[], bool] | None = None,
    meta: dict[str, Any] | None = None,
) -> ModelInfo | None:
    """Train in this process and save the model into `folder` (replacing what was there,
    only once the new one is complete); None when `stop()` said to stop first."""
    import spacy
    from spacy.util import minibatch
    from thinc.api import fix_random_seed

    if not data.documents:
        raise UserError(f"nothing to train on: there are no {data.reference}")
    began = time.perf_counter()
    fix_random_seed(SEED)
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config=NER_CONFIG)
    examples, count, misaligned, overlapping = _examples(nlp, data)
    if not count:
        raise UserError(f"nothing to train on: {data.reference} have no spans")
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(SEED)
    for epoch in range(1, epochs + 1):
        order.shuffle(examples)
        losses: dict[str, float] = {}
        seen = 0
        batches = minibatch(examples, size=BATCH_SIZE)  # type: ignore[no-untyped-call]
        for batch in batches:
            if stop is not None and stop():
                return None
            nlp.update(batch, sgd=optimizer, losses=losses, drop=DROPOUT)
            seen += len(batch)
            if progress is not None:
                progress(TrainingProgress(epoch, epochs, seen, len(examples), losses["ner"]))
    info = ModelInfo(
        reference=data.reference, documents=len(data.documents),
        document_ids=data.document_ids, labels=data.labels,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - began, 2), epochs=epochs, spans=count,
        misaligned=misaligned, overlapping=overlapping, **(meta or {}),
    )  # fmt: skip
    _save(nlp, info, folder)
    return info


def _save(nlp: Language, info: ModelInfo, folder: Path) -> None:
    """Write beside the folder, then swap it in: a crash leaves the old model or the new."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = folder.with_name(folder.name + ".new")
    old = folder.with_name(folder.name + ".old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    fresh.mkdir()
    nlp.to_disk(fresh / PIPELINE)
    (fresh / META_FILE).write_text(json.dumps(asdict(info), indent=1), encoding="utf-8")
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _train_in_child(
    data: TrainingData,
    folder: str,
    epochs: int,
    meta: dict[str, Any],
    messages: multiprocessing.Queue[tuple[str, Any]],
    stop: Event,
) -> None:
    """The training process: Ctrl+C reaches the whole process group, but only the parent
    decides (it sets `stop`), so the child ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    last = 0.0

    def report(step: TrainingProgress) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 0.2 or step.documents == step.total:
            last = now
            messages.put(("progress", step))

    try:
        info = train(data, Path(folder), epochs=epochs, progress=report, stop=stop.is_set,
                     meta=meta)  # fmt: skip
    except UserError as error:
        messages.put(("error", str(error)))
    except Exception as error:  # the parent shows it; the traceback is of no use there
        messages.put(("error", f"training failed: {type(error).__name__}: {error}"))
    else:
        messages.put(("cancelled", None) if info is None else ("done", info))


class TrainingCancelled(UserError):
    """Training was stopped before it finished; the previous model, if any, is kept."""


class TrainingJob:
    """A training process seen from the parent: poll it, wait for it, or cancel it.

    The window calls `poll()` from a timer and shows the last `TrainingProgress`; the
    command line calls `wait(progress)`. Either may call `cancel()` at any time.
    """

    def __init__(self, data: TrainingData, folder: Path, *, epochs: int,
                 meta: dict[str, Any]) -> None:  # fmt: skip
        context = multiprocessing.get_context("spawn")
        self.folder = folder
        self.messages: multiprocessing.Queue[tuple[str, Any]] = context.Queue()
        self._stop = context.Event()
        self.process: BaseProcess = context.Process(
            target=_train_in_child, name="annotator-model-training", daemon=True,
            args=(data, str(folder), epochs, meta, self.messages, self._stop),
        )  # fmt: skip
        self.last: TrainingProgress | None = None
        self.result: ModelInfo | None = None
        self.error: str | None = None
        self.cancelled = False
        self.finished = False
        self.process.start()

    def _take(self, kind: str, value: Any) -> None:
        if kind == "progress":
            self.last = value
            return
        self.finished = True
        if kind == "done":
            self.result = value
        elif kind == "error":
            self.error = value
        else:
            self.cancelled = True

    def poll(self) -> list[TrainingProgress]:
        """The progress reported since the last call, without waiting; `finished` then
        says whether it ended (with `result`, `error` or `cancelled`)."""
        steps = []
        for kind, value in self._drain(block=False):
            self._take(kind, value)
            if kind == "progress":
                steps.append(value)
        if not self.finished and not self.process.is_alive():
            self._end_unexpectedly()
        return steps

    def _drain(self, *, block: bool, timeout: float = 0.2) -> Iterator[tuple[str, Any]]:
        while True:
            try:
                yield self.messages.get(block=block, timeout=timeout if block else None)
            except queue.Empty:
                return
            block = False

    def _end_unexpectedly(self) -> None:
        for kind, value in self._drain(block=True, timeout=0.5):  # a last word in flight
            self._take(kind, value)
        if not self.finished:
            self.finished = True
            self.error = (
                f"the training process ended unexpectedly (exit code {self.process.exitcode})"
            )

    def wait(self, progress: Callable[[TrainingProgress], None] | None = None) -> ModelInfo:
        """Block until the model is saved, calling `progress` on the way; a cancel or a
        failure becomes a UserError (TrainingCancelled for a cancel)."""
        while not self.finished:
            for kind, value in self._drain(block=True):
                self._take(kind, value)
                if kind == "progress" and progress is not None:
                    progress(value)
            if not self.finished and not self.process.is_alive():
                self._end_unexpectedly()
        self.process.join(timeout=10)
        if self.cancelled:
            raise TrainingCancelled("training was cancelled; the previous model is kept")
        if self.error is not None:
            raise UserError(self.error)
        assert self.result is not None
        return self.result

    def cancel(self, *, grace: float = 3.0) -> None:
        """Stop the training: asked at the next batch, ended by force after `grace`
        seconds; a half-written model is removed and the previous one kept."""
        self._stop.set()
        self.process.join(timeout=grace)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        for kind, value in self._drain(block=False):
            self._take(kind, value)
        if self.result is None:
            self.finished = self.cancelled = True
            shutil.rmtree(self.folder.with_name(self.folder.name + ".new"), ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process.is_alive() and not self.finished


def start_training(
    corpus: Corpus,
    project_id: int,
    *,
    annotator: str | None = None,
    epochs: int | None = None,
    folder: Path | None = None,
    exclude: Collection[int] = (),
) -> TrainingJob:
    """Read what to learn from, then train in another process; the database is read here
    and only here, so training never holds it."""
    data = training_data(corpus, project_id, annotator=annotator, exclude=exclude)
    if not data.documents:
        raise UserError(
            f"nothing to train on: there are no {data.reference} yet; label some documents "
            "and mark them done first (Ctrl+Enter in the window)"
        )
    meta = {
        "database": place(corpus.engine.url),
        "project_id": project_id,
        "annotator": annotator or corpus.annotator_name,
    }
    target = folder or model_folder(corpus, project_id, annotator=annotator)
    return TrainingJob(data, target, epochs=epochs or epochs_for(len(data.documents)), meta=meta)


def epochs_for(documents: int) -> int:
    """Passes over a training set of this many documents (see DOCUMENT_PASSES)."""
    return max(EPOCHS, min(MAX_EPOCHS, -(-DOCUMENT_PASSES // max(documents, 1))))


# -- suggesting ------------------------------------------------------------------------


class ModelSuggester:
    """A saved model, loaded once, proposing entities with their beam confidence."""

    source = SuggestionSource.MODEL.value

    def __init__(self, folder: Path, *, beam_width: int = BEAM_WIDTH) -> None:
        info = model_info(folder)
        if info is None:
            raise UserError(
                f"no model has been trained here yet ({folder}); "
                "train one: annotator suggest --model"
            )
        self.info = info
        import spacy

        try:
            self.nlp = spacy.load(folder / PIPELINE)
            ner: Any = self.nlp.get_pipe("ner")
        except Exception as error:  # spaCy raises many kinds on a damaged folder
            raise UserError(
                f"{folder / PIPELINE}: the model cannot be loaded ({type(error).__name__}: "
                f"{error}); retrain it (annotator suggest --model --retrain)"
            ) from error
        ner.cfg["beam_width"] = beam_width
        self.ner = ner
        from spacy.pipeline import Sentencizer

        self.sentencizer = Sentencizer()

    def suggest(self, text: str) -> list[Suggestion]:
        doc = self.sentencizer(self.nlp.make_doc(text))
        # Sentences parsed as one batch: the beam's cost per step is shared by the batch,
        # three times faster on an article than one long parse.
        sentences = [sentence for sentence in doc.sents if sentence.text.strip()]
        if not sentences:
            return []
        pieces = [sentence.as_doc() for sentence in sentences]
        beams = self.ner.predict(pieces)
        scores = self.ner.scored_ents(beams)
        self.ner.set_annotations(pieces, beams)
        found = []
        for sentence, piece, scored in zip(sentences, pieces, scores, strict=True):
            offset = sentence.start_char
            for ent in piece.ents:
                score = float(scored.get((ent.start, ent.end, ent.label_), 0.0))
                found.append(
                    Suggestion(
                        offset + ent.start_char, offset + ent.end_char, ent.label_,
                        self.source, round(min(1.0, score), 4),
                    )
                )  # fmt: skip
        return found


def model_suggester(
    corpus: Corpus, project_id: int, *, annotator: str | None = None
) -> ModelSuggester:
    """The saved model of this database, project and annotator."""
    return ModelSuggester(model_folder(corpus, project_id, annotator=annotator))


__all__ = [
    "RETRAIN_EVERY",
    "ModelInfo",
    "ModelSuggester",
    "TrainingCancelled",
    "TrainingData",
    "TrainingJob",
    "TrainingProgress",
    "epochs_for",
    "model_folder",
    "model_info",
    "model_suggester",
    "needs_training",
    "start_training",
    "train",
    "training_data",
]
