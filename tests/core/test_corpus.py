"""The core API the GUI and the command line share: one committed action, one history row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import select

from annotator.base.errors import UserError
from annotator.base.vocabulary import LabelKind, Status
from annotator.core import corpus as corpus_module
from annotator.core.corpus import Corpus
from annotator.core.exporting import export_project
from annotator.core.models import History, Span
from tests.core.conftest import Seeded, add_document


def _history(corpus: Corpus) -> list[History]:
    with corpus.session() as session:
        return list(session.exec(select(History).order_by(History.id)).all())


def test_add_span_commits_and_records_history(seeded: Seeded) -> None:
    corpus = seeded.corpus
    before = len(_history(corpus))
    change = corpus.add_span(seeded.document_id, seeded.person, 0, 12, note="first")
    spans = corpus.spans(seeded.document_id)
    assert [(s.start, s.end, s.text, s.note, s.origin) for s in spans] == [
        (0, 12, "Ada Lovelace", "first", "manual")
    ]
    rows = _history(corpus)
    assert len(rows) == before + 1
    assert (rows[-1].action, rows[-1].entity, rows[-1].annotator) == ("add span", "span", "alice")
    assert rows[-1].before is None and rows[-1].after == change.after
    assert rows[-1].at.tzinfo is not None


def test_a_failed_history_write_leaves_no_change(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(corpus_module, "record", broken)
    with pytest.raises(RuntimeError):
        seeded.corpus.add_span(seeded.document_id, seeded.person, 0, 3)
    assert seeded.corpus.spans(seeded.document_id) == []


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [(-1, 3, "negative"), (4, 4, "not after"), (5, 2, "not after"), (0, 10_000, "ends past")],
)
def test_span_outside_the_text_is_refused_clearly(
    seeded: Seeded, start: int, end: int, reason: str
) -> None:
    with pytest.raises(UserError, match=reason):
        seeded.corpus.add_span(seeded.document_id, seeded.person, start, end)
    assert seeded.corpus.spans(seeded.document_id) == []


def test_astral_and_combining_characters_keep_exact_offsets(seeded: Seeded) -> None:
    flag_start = seeded.text.index("🇬🇧")
    combining_start = seeded.text.index("e\u0301")
    corpus = seeded.corpus
    corpus.add_span(seeded.document_id, seeded.place, flag_start, flag_start + 2)
    corpus.add_span(seeded.document_id, seeded.person, combining_start, combining_start + 2)
    hebrew = seeded.text.index("שלום")
    corpus.add_span(seeded.document_id, seeded.person, hebrew, hebrew + 4)
    texts = {s.text for s in corpus.spans(seeded.document_id)}
    assert texts == {"🇬🇧", "e\u0301", "שלום"}


def test_overlapping_spans_and_same_offsets_with_other_labels_are_allowed(seeded: Seeded) -> None:
    corpus = seeded.corpus
    corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    corpus.add_span(seeded.document_id, seeded.place, 0, 12)
    corpus.add_span(seeded.document_id, seeded.person, 4, 20)
    with pytest.raises(UserError, match="already exists"):
        corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    assert len(corpus.spans(seeded.document_id)) == 3


def test_undo_and_redo_every_kind_of_change(seeded: Seeded) -> None:
    corpus = seeded.corpus
    added = corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    span_id = added.entity_id
    assert span_id is not None
    relabelled = corpus.relabel_span(span_id, seeded.place)
    noted = corpus.set_span_note(span_id, "check spelling")
    status = corpus.set_status(seeded.document_id, Status.DONE)
    ticked = corpus.set_document_label(seeded.document_id, seeded.topic, True)
    assert status is not None and ticked is not None

    def state() -> tuple[object, ...]:
        spans = [(s.label_id, s.note) for s in corpus.spans(seeded.document_id)]
        return (
            spans,
            corpus.documents(seeded.project_id)[0].status,
            corpus.document_labels(seeded.document_id),
        )

    final = state()
    assert final == ([(seeded.place, "check spelling")], "done", [seeded.topic])
    redo_stack = [corpus.revert(c) for c in (ticked, status, noted, relabelled, added)]
    # The first span began the document; undo takes back changes, not that beginning.
    assert state() == ([], "in_progress", [])
    for inverse in reversed(redo_stack):
        corpus.revert(inverse)
    assert state() == final
    assert corpus.spans(seeded.document_id)[0].id == span_id  # the same row came back


def test_remove_span_and_undo_brings_it_back_whole(seeded: Seeded) -> None:
    corpus = seeded.corpus
    added = corpus.add_span(seeded.document_id, seeded.person, 0, 12, note="n")
    assert added.entity_id is not None
    original = corpus.spans(seeded.document_id)[0]
    removed = corpus.remove_span(added.entity_id)
    assert corpus.spans(seeded.document_id) == []
    corpus.revert(removed)
    restored = corpus.spans(seeded.document_id)[0]
    assert restored.model_dump() == original.model_dump()


def test_each_annotator_has_a_layer(seeded: Seeded, database_url: str) -> None:
    seeded.corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    with Corpus.open(database_url, annotator="bob") as bob:
        bob.add_span(seeded.document_id, seeded.place, 0, 12)
        assert [s.label_id for s in bob.spans(seeded.document_id)] == [seeded.place]
        assert [s.label_id for s in bob.spans(seeded.document_id, annotator="alice")] == [
            seeded.person
        ]
        assert len(bob.all_spans(seeded.document_id)) == 2


def test_document_label_needs_a_document_kind_label(seeded: Seeded) -> None:
    with pytest.raises(UserError, match="not a document label"):
        seeded.corpus.set_document_label(seeded.document_id, seeded.person, True)
    with pytest.raises(UserError, match="not a span label"):
        seeded.corpus.add_span(seeded.document_id, seeded.topic, 0, 3)
    assert seeded.corpus.set_document_label(seeded.document_id, seeded.topic, False) is None


def test_documents_list_with_progress_per_annotator(seeded: Seeded, database_url: str) -> None:
    corpus = seeded.corpus
    second = add_document(corpus, seeded.project_id, "Second text about Paris.", title="Paris")
    corpus.add_span(second, seeded.place, 18, 23)
    corpus.set_status(second, Status.DONE)
    rows = corpus.documents(seeded.project_id)
    assert [(r.id, r.status, r.spans) for r in rows] == [
        (seeded.document_id, "todo", 0),
        (second, "done", 1),
    ]
    assert corpus.progress(seeded.project_id) == corpus_module.Progress(done=1, total=2)
    assert [r.id for r in corpus.documents(seeded.project_id, status=Status.DONE)] == [second]
    assert [r.id for r in corpus.documents(seeded.project_id, search="paris")] == [second]
    assert [r.id for r in corpus.documents(seeded.project_id, offset=1, limit=5)] == [second]
    with Corpus.open(database_url, annotator="bob") as bob:
        assert bob.progress(seeded.project_id).done == 0


def test_rename_label_keeps_its_spans(seeded: Seeded) -> None:
    corpus = seeded.corpus
    corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    corpus.update_label(seeded.person, name="Person", color="#112233", hotkey="9")
    label = next(lb for lb in corpus.labels(seeded.project_id) if lb.id == seeded.person)
    assert (label.name, label.color, label.hotkey) == ("Person", "#112233", "9")
    assert [s.label_id for s in corpus.spans(seeded.document_id)] == [seeded.person]


def test_label_rules(seeded: Seeded) -> None:
    corpus = seeded.corpus
    with pytest.raises(UserError, match="already used"):
        corpus.add_label(seeded.project_id, "ORG", hotkey="1")
    with pytest.raises(UserError, match="already has"):
        corpus.add_label(seeded.project_id, "PER")
    with pytest.raises(UserError, match="another label"):
        corpus.update_label(seeded.place, name="PER")
    corpus.add_label(seeded.project_id, "PER", kind=LabelKind.DOCUMENT)  # other kind: fine
    names = [(lb.name, lb.kind) for lb in corpus.labels(seeded.project_id)]
    assert names == [("PER", "span"), ("LOC", "span"), ("Science", "document"),
                     ("PER", "document")]  # fmt: skip


def test_projects_and_stats(seeded: Seeded) -> None:
    corpus = seeded.corpus
    corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    corpus.add_span(seeded.document_id, seeded.place, 36, 42)
    corpus.set_status(seeded.document_id, Status.IN_PROGRESS)
    [summary] = corpus.projects()
    assert (summary.name, summary.documents, summary.spans, summary.annotators) == ("news", 1, 2, 1)
    stats = corpus.stats(seeded.project_id)
    assert stats["labels"] == {"LOC": 1, "PER": 1}
    assert stats["annotators"]["alice"] == {
        "spans": 2, "documents_with_spans": 1, "done": 0, "in_progress": 1
    }  # fmt: skip
    with pytest.raises(UserError, match="no project named 'nope'; projects: news"):
        corpus.project("nope")
    with pytest.raises(UserError, match="already exists"):
        corpus.create_project("news")


def test_span_rows_keep_their_surface_text(seeded: Seeded) -> None:
    seeded.corpus.add_span(seeded.document_id, seeded.person, 17, 32)
    with seeded.corpus.session() as session:
        span = session.exec(select(Span)).one()
    assert span.text == "Charles Babbage" == seeded.text[17:32]


NAMES = ["Zoe", "alice", "Émile", "bob", "Bob"]


def test_names_are_listed_in_code_point_order_on_every_backend(
    seeded: Seeded, tmp_path: Path
) -> None:
    """Not in the server's collation: a list, a count table or an export reads the same
    from SQLite and from PostgreSQL, and the same after a copy from one to the other."""
    corpus = seeded.corpus
    for name in NAMES:
        corpus.create_project(name)
        label = corpus.add_label(seeded.project_id, f"{name} label").entity_id
        assert label is not None
        person = Corpus(corpus.engine, annotator=name)
        person.add_span(seeded.document_id, label, 0, 3)
        person.set_document_label(seeded.document_id, seeded.topic, True)
    assert [summary.name for summary in corpus.projects()] == sorted(["news", *NAMES])
    assert corpus.annotators() == sorted(NAMES)  # alice, the seeding annotator, among them
    stats = corpus.stats(seeded.project_id)
    assert list(stats["labels"]) == sorted(f"{name} label" for name in NAMES)
    assert list(stats["annotators"]) == sorted(NAMES)
    export_project(corpus, seeded.project_id, format_name="csv", output=tmp_path / "spans.csv")
    with (tmp_path / "spans.document-labels.csv").open(encoding="utf-8", newline="") as rows:
        assert [row["annotator"] for row in csv.DictReader(rows)] == sorted(NAMES)
