"""The model source: trained from scratch in its own process on an annotator's done
documents, it finds names it never saw, reports progress, stops when cancelled, asks to
be retrained as documents are finished, and says so plainly when its files are damaged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert

from annotator.base.errors import UserError
from annotator.base.vocabulary import Origin, Status, SuggestionSource
from annotator.core.corpus import Corpus
from annotator.core.generated_news import NewsGenerator, generate
from annotator.core.importing import import_paths
from annotator.core.models import span_t, utc_now
from annotator.core.review.storage import _gold_id
from annotator.core.suggestions import store
from annotator.core.suggestions.evaluation import Score
from annotator.core.suggestions.model import (
    META_FILE,
    PIPELINE,
    ModelSuggester,
    TrainingProgress,
    model_folder,
    model_info,
    needs_training,
    start_training,
    training_data,
)


def _import(corpus: Corpus, folder: Path, name: str, records: list[dict[str, object]]) -> None:
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = import_paths(corpus, [path], project="news")
    assert not report.failures and report.documents == len(records)


def _mark_done(corpus: Corpus, document_ids: list[int]) -> None:
    for document_id in document_ids:
        corpus.set_status(document_id, Status.DONE)


@dataclass
class Trained:
    corpus: Corpus
    project_id: int
    folder: Path
    steps: list[TrainingProgress]
    unseen: dict[int, set[tuple[int, int, str]]]  # document id → its true entities
    seconds: float


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trained]:
    """300 generated documents done by alice, 100 more she has not opened; one model
    trained on the first (in a folder of the test's own: this fixture outlives the
    per-test data folder)."""
    folder = tmp_path_factory.mktemp("model")
    done, unseen = generate(300, seed=1), generate(100, seed=2)
    with Corpus.open(str(folder / "corpus.db"), annotator="alice") as corpus:
        _import(corpus, folder, "done", [d.as_record() for d in done])
        _import(corpus, folder, "unseen", [{"text": d.text} for d in unseen])
        project_id = corpus.project_id("news")
        ids = [row.id for row in corpus.documents(project_id)]
        _mark_done(corpus, ids[:300])
        steps: list[TrainingProgress] = []
        began = time.perf_counter()
        job = start_training(corpus, project_id, folder=folder / "saved")
        job.wait(steps.append)
        seconds = time.perf_counter() - began
        truth = {i: set(d.spans) for i, d in zip(ids[300:], unseen, strict=True)}
        yield Trained(corpus, project_id, folder / "saved", steps, truth, seconds)


def test_trained_on_300_done_documents_it_finds_unseen_names_in_100_others(
    trained: Trained,
) -> None:
    corpus = trained.corpus
    report = store.propose(corpus, trained.project_id, [ModelSuggester(trained.folder)])
    assert report.documents == 100  # the done documents are left alone
    score = Score()
    for document_id, expected in trained.unseen.items():
        pending = store.pending(corpus, document_id)
        assert {s.source for s in pending} <= {SuggestionSource.MODEL.value}
        assert all(s.score is not None and 0.0 < s.score <= 1.0 for s in pending)
        labels = {label.id: label.name for label in corpus.labels(trained.project_id)}
        found = {(s.start, s.end, labels[s.label_id]) for s in pending}
        score += Score(len(found & expected), len(found - expected), len(expected - found))
    print(f"F1 {score.f1:.3f} on 100 unseen documents, trained in {trained.seconds:.1f} s")
    assert score.f1 >= 0.8, score
    # The names there are new: the model generalised rather than remembered.
    seen = {span for _, text, spans in training_data(corpus, trained.project_id).documents
            for span in (text[s:e] for s, e, label in spans if label != "DATE")}  # fmt: skip
    texts = {d: corpus.document(d).text for d in trained.unseen}
    names = [texts[d][s:e] for d, spans in trained.unseen.items() for s, e, label in spans
             if label != "DATE"]  # fmt: skip
    assert sum(name in seen for name in names) < 0.05 * len(names)


def test_training_reports_its_progress_and_describes_what_it_learnt(trained: Trained) -> None:
    steps = trained.steps
    assert steps, "no progress came back"
    assert [s.fraction for s in steps] == sorted(s.fraction for s in steps)
    assert steps[-1].fraction == 1.0 and steps[-1].epoch == steps[-1].epochs
    ends = [s for s in steps if s.documents == s.total]
    assert [s.epoch for s in ends] == list(range(1, steps[-1].epochs + 1))
    assert ends[-1].loss < ends[0].loss  # it learnt
    info = model_info(trained.folder)
    assert info is not None
    assert (info.documents, info.labels) == (300, ["DATE", "LOC", "ORG", "PER"])
    assert info.reference == "alice's done documents" and info.annotator == "alice"
    assert info.trained_at.endswith("+00:00") and info.misaligned == 0


@pytest.fixture
def small(corpus: Corpus, tmp_path: Path) -> tuple[Corpus, int, list[int]]:
    """60 generated documents of alice's, none done yet."""
    _import(corpus, tmp_path, "news", [d.as_record() for d in generate(60, seed=5)])
    project_id = corpus.project_id("news")
    return corpus, project_id, [row.id for row in corpus.documents(project_id)]


def test_cancel_stops_the_training_process_and_keeps_no_model(
    small: tuple[Corpus, int, list[int]],
) -> None:
    corpus, project_id, ids = small
    _mark_done(corpus, ids)
    job = start_training(corpus, project_id, epochs=500)
    deadline = time.monotonic() + 120
    while not job.poll() and time.monotonic() < deadline:  # it is really training
        time.sleep(0.05)
    assert job.last is not None and job.running
    job.cancel()
    assert not job.process.is_alive() and job.process.exitcode is not None
    assert job.cancelled and job.result is None
    folder = model_folder(corpus, project_id)
    assert not folder.exists() and not folder.with_name(folder.name + ".new").exists()
    assert needs_training(corpus, project_id) == "there is no model yet"


def test_retraining_is_asked_for_once_20_more_documents_are_done(
    small: tuple[Corpus, int, list[int]],
) -> None:
    corpus, project_id, ids = small
    assert needs_training(corpus, project_id) == "there is no model yet"
    _mark_done(corpus, ids[:20])
    info = start_training(corpus, project_id, epochs=1).wait()
    assert info.documents == 20 and info.document_ids == ids[:20]
    assert needs_training(corpus, project_id) is None
    _mark_done(corpus, ids[20:39])
    assert needs_training(corpus, project_id) is None  # 19 new
    _mark_done(corpus, ids[39:40])
    assert needs_training(corpus, project_id) == "20 documents were finished since it was trained"
    assert needs_training(corpus, project_id, every=50) is None
    # Someone else's layer has its own model: bob has none.
    assert needs_training(corpus, project_id, annotator="bob") == "there is no model yet"
    assert model_folder(corpus, project_id, annotator="bob") != model_folder(corpus, project_id)


def test_a_missing_or_damaged_model_is_named_plainly(
    small: tuple[Corpus, int, list[int]],
) -> None:
    corpus, project_id, ids = small
    folder = model_folder(corpus, project_id)
    with pytest.raises(UserError, match="no model has been trained here yet"):
        ModelSuggester(folder)
    _mark_done(corpus, ids[:10])
    start_training(corpus, project_id, epochs=1).wait()
    assert ModelSuggester(folder).suggest("") == []
    weights = folder / PIPELINE / "ner" / "model"
    weights.write_bytes(b"\x00 not a model")
    with pytest.raises(UserError, match=r"the model cannot be loaded .*retrain it"):
        ModelSuggester(folder)
    (folder / META_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(UserError, match=rf"{META_FILE}: the model's description cannot be read"):
        ModelSuggester(folder)


def test_nothing_to_train_on_is_refused_before_a_process_starts(
    small: tuple[Corpus, int, list[int]],
) -> None:
    corpus, project_id, _ = small
    with pytest.raises(
        UserError, match="nothing to train on: there are no alice's done documents yet"
    ):
        start_training(corpus, project_id)


def test_the_gold_layer_is_learnt_from_when_the_project_has_one(
    small: tuple[Corpus, int, list[int]],
) -> None:
    corpus, project_id, ids = small
    _mark_done(corpus, ids[:30])
    assert training_data(corpus, project_id).reference == "alice's done documents"
    [label_id] = [label.id for label in corpus.labels(project_id) if label.name == "PER"]
    with corpus.action() as session:  # as review decisions write it
        gold = _gold_id(session)
        now = utc_now()
        session.execute(
            insert(span_t).values(
                document_id=ids[45], annotator_id=gold, label_id=label_id, start=0, end=4,
                text="", origin=Origin.MANUAL.value, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    data = training_data(corpus, project_id)
    assert data.reference == "the gold layer" and data.document_ids == [ids[45]]
    assert [spans for _, _, spans in data.documents] == [[(0, 4, "PER")]]


def test_spans_off_token_boundaries_are_widened_and_counted(
    small: tuple[Corpus, int, list[int]], tmp_path: Path
) -> None:
    corpus, project_id, _ = small
    text = "Visitors from Zarbeanbrim arrived."
    # "arbeanbrim" starts inside a token: widened to the word, and counted.
    _import(corpus, tmp_path, "odd", [{"text": text, "label": [[15, 25, "LOC"]]}])
    odd = corpus.documents(project_id)[-1].id
    _mark_done(corpus, [odd])
    info = start_training(corpus, project_id, epochs=1).wait()
    assert (info.spans, info.misaligned) == (1, 1)
    assert "1 span did not begin or end at a token boundary" in " ".join(info.sentences())


def test_generated_news_is_the_same_for_a_seed_and_its_spans_are_names() -> None:
    first, again = NewsGenerator(7).documents(5), NewsGenerator(7).documents(5)
    assert first == again and first != NewsGenerator(8).documents(5)
    for document in first:
        for start, end, _ in document.spans:
            name = document.text[start:end]
            assert (name == name.strip() and name[0].isupper()) or name[0].isdigit()
    article = NewsGenerator(3).article(3000)
    assert 3000 <= len(article.text) < 4500 and len(article.spans) > 20
