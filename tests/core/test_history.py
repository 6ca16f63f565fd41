"""Every change is in the history in its own transaction; undo and redo survive a restart."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from annotator.base.vocabulary import LabelKind, ReviewAction, Status
from annotator.core import review as rv
from annotator.core.corpus import Corpus
from annotator.core.history import document_history
from annotator.core.importing import Writer, import_paths
from annotator.core.models import SQLModel, history_t
from tests.core.conftest import Seeded, add_document


def _history_count(corpus: Corpus) -> int:
    with corpus.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(history_t)).scalar_one())


def _everything(corpus: Corpus) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that a failed action left nothing behind."""
    with corpus.engine.connect() as connection:
        return {
            table.name: sorted(
                (
                    tuple(json.dumps(v, default=str) for v in row)
                    for row in connection.execute(select(table))
                ),
            )
            for table in SQLModel.metadata.sorted_tables
        }


def test_every_mutation_writes_its_history_row_in_its_own_transaction(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    bob = Corpus(corpus.engine, annotator="bob")
    lead = Corpus(corpus.engine, annotator="lead")
    for who in (corpus, bob, lead):
        who.annotator_id()  # the annotator rows are identities, not changes
    bob.add_span(doc, seeded.person, 0, 12)
    bob.add_span(doc, seeded.person, 17, 32)  # only bob's: an item to decide
    for who in (corpus, bob):  # an agreement for the review to accept
        who.add_span(doc, seeded.place, 36, 42)
    state: dict[str, Any] = {}

    def remember(key: str, value: Any) -> None:
        state[key] = value

    def item() -> rv.ReviewItem:
        items = rv.compare_layers(lead, doc, "alice", "bob")
        return next(item for item in items if item.kind is not rv.ItemKind.AGREE)

    steps: list[tuple[str, Callable[[], object]]] = [
        ("create project", lambda: corpus.create_project("other")),
        ("add label", lambda: remember("org", corpus.add_label(seeded.project_id, "ORG"))),
        ("rename label", lambda: corpus.update_label(state["org"].entity_id, name="Org")),
        ("recolour label", lambda: corpus.update_label(state["org"].entity_id, color="#000000")),
        ("reorder labels", lambda: corpus.reorder_labels(
            seeded.project_id, [state["org"].entity_id, seeded.place, seeded.person, seeded.topic]
        )),
        ("add span", lambda: remember("span", corpus.add_span(doc, seeded.person, 0, 12))),
        ("relabel span", lambda: corpus.relabel_span(state["span"].entity_id, seeded.place)),
        ("note span", lambda: corpus.set_span_note(state["span"].entity_id, "check")),
        ("document label", lambda: corpus.set_document_label(doc, seeded.topic, True)),
        ("status", lambda: corpus.set_status(doc, Status.DONE)),
        ("undo by change", lambda: remember("undone", corpus.revert(state["span"]))),
        ("redo by change", lambda: corpus.revert(state["undone"])),
        ("undo from history", corpus.undo_last),
        ("redo from history", corpus.redo_last),
        ("review decision", lambda: rv.decide(lead, item(), ReviewAction.TAKE_B)),
        ("accept agreements", lambda: rv.accept_agreements(lead, doc, "alice", "bob")),
        ("remove span", lambda: corpus.remove_span(state["span"].entity_id)),
        ("delete label", lambda: remember("trashed", corpus.delete_label(state["org"].entity_id))),
        ("restore label", lambda: corpus.restore(state["trashed"].entity_id)),
        ("delete document", lambda: remember("trashed", corpus.delete_document(doc))),
        ("restore document", lambda: corpus.restore(state["trashed"].entity_id)),
    ]  # fmt: skip
    for name, step in steps:
        before, rows_before = _history_count(corpus), _everything(corpus)
        with monkeypatch.context() as patch:
            seen: list[int] = []
            original = Session.commit

            def commit(self: Session, seen: list[int] = seen) -> None:
                self.flush()
                count = select(func.count()).select_from(history_t)
                seen.append(int(self.connection().execute(count).scalar_one()))
                raise RuntimeError("the power went before the commit")

            patch.setattr(Session, "commit", commit)
            with pytest.raises(RuntimeError, match="power went"):
                step()
        assert Session.commit is original
        assert seen and seen[-1] > before, f"{name}: no history row inside its transaction"
        assert _everything(corpus) == rows_before, f"{name}: a failed commit left a trace"
        step()
        assert _history_count(corpus) > before, f"{name}: committed without a history row"
        assert _everything(corpus) != rows_before, f"{name}: changed nothing"


def test_an_import_writes_one_history_row_per_file_in_its_transaction(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.jsonl"
    first.write_text("One article.", encoding="utf-8")
    second.write_text(
        json.dumps({"text": "Kim went home.", "spans": [{"start": 0, "end": 3, "label": "PER"}]})
        + "\n",
        encoding="utf-8",
    )
    original = Writer.record_history

    def after_history(self: Writer, **kwargs: Any) -> None:
        original(self, **kwargs)
        raise RuntimeError("the disk went after the history row")

    with monkeypatch.context() as patch:
        patch.setattr(Writer, "record_history", after_history)
        with pytest.raises(RuntimeError):
            import_paths(corpus, [second], project="news")
    assert _history_count(corpus) == 0 and corpus.projects() == []

    import_paths(corpus, [first, second], project="news")
    rows = [row for row in corpus.history() if row.entity == "file"]
    assert sorted((row.action, row.after["file"], row.after["documents"]) for row in rows) == [
        ("import", "a.txt", 1),
        ("import", "b.jsonl", 1),
    ]
    assert {row.annotator for row in rows} == {"alice"}


def test_undo_and_redo_survive_closing_the_corpus(database_url: str) -> None:
    with Corpus.open(database_url, annotator="alice") as corpus:
        project_id = corpus.create_project("news").id
        assert project_id is not None
        person = corpus.add_label(project_id, "Person").entity_id
        assert person is not None
        doc = add_document(corpus, project_id, "Kim Jong-un met Moon Jae-in.")
        corpus.add_span(doc, person, 0, 11, note="leader")
        corpus.add_span(doc, person, 16, 27)
        corpus.set_status(doc, Status.DONE)
    with Corpus.open(database_url, annotator="bob") as other:
        other.add_span(doc, person, 0, 3)  # bob's newest action is not alice's to undo
    with Corpus.open(database_url, annotator="alice") as corpus:
        undone = corpus.undo_last()
        assert [c.action for c in undone] == ["undo set status"]
        assert corpus.documents(project_id)[0].status == "in_progress"  # as the spans left it
        assert [c.action for c in corpus.undo_last()] == ["undo add span"]
        assert [(s.start, s.end) for s in corpus.spans(doc)] == [(0, 11)]
    with Corpus.open(database_url, annotator="alice") as corpus:
        assert [c.action for c in corpus.redo_last()] == ["add span"]
        assert corpus.history(limit=1)[0].action == "redo add span"  # as the history says
        assert [(s.start, s.end) for s in corpus.spans(doc)] == [(0, 11), (16, 27)]
        assert [c.action for c in corpus.redo_last()] == ["set status"]
        assert corpus.redo_last() == []  # nothing more to redo
        assert corpus.documents(project_id)[0].status == "done"
        # A new action after an undo forgets what could be redone, as any editor does.
        corpus.undo_last()
        corpus.add_span(doc, person, 4, 10)
        assert corpus.redo_last() == []
        assert corpus.documents(project_id)[0].status == "in_progress"  # as the spans left it
    with Corpus.open(database_url, annotator="bob") as other:
        assert [(s.start, s.end) for s in other.spans(doc)] == [(0, 3)]
        assert [c.action for c in other.undo_last()] == ["undo add span"]
        assert other.spans(doc) == []


def test_undo_from_history_takes_a_whole_action_back(seeded: Seeded) -> None:
    """Several rows of one transaction (a review's accepting every agreement) are one
    step; an undo made in the window (a revert) counts as an undo too."""
    corpus, doc = seeded.corpus, seeded.document_id
    bob = Corpus(corpus.engine, annotator="bob")
    for who in (corpus, bob):
        who.add_span(doc, seeded.person, 0, 12)
        who.add_span(doc, seeded.place, 17, 32)
    lead = Corpus(corpus.engine, annotator="lead")
    changes = rv.accept_agreements(lead, doc, "alice", "bob")
    assert len(changes) == 4  # two gold spans and two decisions
    assert len(rv.gold_spans(lead, doc)) == 2
    assert len(lead.undo_last()) == 4
    assert rv.gold_spans(lead, doc) == []
    assert len(lead.redo_last()) == 4
    assert len(rv.gold_spans(lead, doc)) == 2

    added = corpus.add_span(doc, seeded.person, 36, 42)
    corpus.revert(added)  # the window's own undo
    assert [c.action for c in corpus.redo_last()] == ["add span"]
    assert [row.action for row in corpus.history(limit=3)] == [
        "redo add span",
        "undo add span",
        "add span",
    ]
    assert (36, 42) in [(s.start, s.end) for s in corpus.spans(doc)]


def test_a_document_history_in_plain_words(seeded: Seeded) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    organisation = corpus.add_label(seeded.project_id, "Organisation").entity_id
    assert organisation is not None
    span = corpus.add_span(doc, seeded.person, 0, 12).entity_id
    assert span is not None
    corpus.relabel_span(span, organisation)
    corpus.set_span_note(span, "a person, surely")
    corpus.set_status(doc, Status.DONE)
    corpus.set_document_label(doc, seeded.topic, True)
    other = add_document(corpus, seeded.project_id, "Another text.")
    corpus.add_span(other, seeded.person, 0, 7)
    lines = document_history(corpus, doc)
    assert [line.what for line in lines] == [
        "ticked document label Science",
        "status done",
        "noted Organisation 'Ada Lovelace' 0-12: 'a person, surely'",
        "relabelled 'Ada Lovelace' 0-12 from PER to Organisation",
        "added PER 'Ada Lovelace' 0-12",
    ]
    assert {line.annotator for line in lines} == {"alice"}
    assert lines[0].at >= lines[-1].at
    assert [c.document_id for c in corpus.undo_last()] == [other]  # the newest action
    corpus.undo_last()
    assert document_history(corpus, doc)[0].what == "undo: unticked document label Science"
    assert [line.what for line in document_history(corpus, other)] == [
        "undo: removed PER 'Another' 0-7",
        "added PER 'Another' 0-7",
    ]


def test_label_kinds_stay_out_of_the_span_story(seeded: Seeded) -> None:
    """Changing a label is the project's history, not a document's."""
    seeded.corpus.add_label(seeded.project_id, "Tone", kind=LabelKind.DOCUMENT)
    assert document_history(seeded.corpus, seeded.document_id) == []


def test_undo_looks_back_over_the_newest_rows_only(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year of history costs undo nothing more: only the newest REACH rows are read,
    and the oldest step read, which may be cut in two, is left out."""
    from annotator.core import history

    corpus, doc = seeded.corpus, seeded.document_id
    for start in (0, 17, 36):
        corpus.add_span(doc, seeded.person, start, start + 3)
    monkeypatch.setattr(history, "REACH", 3)
    assert [c.before["start"] for c in corpus.undo_last() if c.before] == [36]
    assert [(s.start, s.end) for s in corpus.spans(doc)] == [(0, 3), (17, 20)]
    assert corpus.undo_last() == []  # (17, 20) is the oldest step read, and is left out
    monkeypatch.setattr(history, "REACH", 5000)
    assert len(corpus.undo_last()) == 1
    assert [(s.start, s.end) for s in corpus.spans(doc)] == [(0, 3)]
