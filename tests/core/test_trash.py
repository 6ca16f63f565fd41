"""Deleted documents and labels go to the trash and come back exactly as they were."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from annotator.base.errors import UserError
from annotator.base.vocabulary import ReviewAction, Status
from annotator.core import db
from annotator.core import review as rv
from annotator.core.corpus import Corpus
from annotator.core.history import document_history
from annotator.core.models import Document, history_t
from tests.core.conftest import Seeded, add_document


def _spans(corpus: Corpus, document_id: int) -> list[tuple[Any, ...]]:
    return [
        (s.start, s.end, s.text, s.note, s.origin, s.created_at, s.updated_at, s.annotator_id)
        for s in corpus.all_spans(document_id)
    ]


def _work(seeded: Seeded) -> Corpus:
    """Two layers, a note, a document label, statuses and a review decision."""
    corpus, doc = seeded.corpus, seeded.document_id
    bob = Corpus(corpus.engine, annotator="bob")
    corpus.add_span(doc, seeded.person, 0, 12, note="the countess")
    corpus.add_span(doc, seeded.place, 36, 42)
    bob.add_span(doc, seeded.person, 17, 32)
    corpus.set_document_label(doc, seeded.topic, True)
    corpus.set_status(doc, Status.DONE)
    bob.set_status(doc, Status.IN_PROGRESS)
    lead = Corpus(corpus.engine, annotator="lead")
    rv.decide(lead, rv.compare_layers(lead, doc, "alice", "bob")[0], ReviewAction.TAKE_A)
    return bob


def test_a_deleted_document_comes_back_whole(seeded: Seeded) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    bob = _work(seeded)
    spans = _spans(corpus, doc)
    document = corpus.document(doc)
    decisions = list(rv.decision_rows(corpus, seeded.project_id))
    assert len(spans) == 4  # alice's two, bob's one, gold's one

    deleted = corpus.delete_document(doc)
    assert corpus.documents(seeded.project_id) == []
    with pytest.raises(UserError):
        corpus.document(doc)
    [item] = corpus.trash(seeded.project_id)
    assert (item.kind, item.name, item.spans, item.deleted_by) == ("document", "t", 4, "alice")
    assert item.id == deleted.entity_id

    restored = corpus.restore(item.id)
    assert corpus.trash(seeded.project_id) == []
    new_id = restored.after["item_id"]  # type: ignore[index]
    back = corpus.document(new_id)
    assert (back.text, back.title, back.created_at, back.content_hash) == (
        document.text, document.title, document.created_at, document.content_hash,
    )  # fmt: skip
    assert _spans(corpus, new_id) == spans
    assert corpus.document_labels(new_id) == [seeded.topic]
    assert corpus.documents(seeded.project_id)[0].status == "done"
    assert bob.documents(seeded.project_id)[0].status == "in_progress"
    assert list(rv.decision_rows(corpus, seeded.project_id)) == decisions
    assert decisions
    with pytest.raises(UserError, match="already restored"):
        corpus.restore(item.id)
    assert [line.what for line in document_history(corpus, new_id)][:2] == [
        "restore document t",
        "delete document t",
    ]


def test_a_deleted_label_takes_its_spans_and_brings_them_back(seeded: Seeded) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    _work(seeded)
    spans = _spans(corpus, doc)
    label = next(label for label in corpus.labels(seeded.project_id) if label.id == seeded.person)
    corpus.delete_label(seeded.person)
    assert seeded.person not in [label.id for label in corpus.labels(seeded.project_id)]
    assert [s[2] for s in _spans(corpus, doc)] == ["London"]
    [item] = corpus.trash(seeded.project_id)
    assert (item.kind, item.name, item.spans) == ("label", "PER", 3)

    restored = corpus.restore(item.id)
    new_id = restored.after["item_id"]  # type: ignore[index]
    again = next(label for label in corpus.labels(seeded.project_id) if label.id == new_id)
    assert (again.name, again.color, again.hotkey, again.position, again.kind) == (
        label.name, label.color, label.hotkey, label.position, label.kind,
    )  # fmt: skip
    assert _spans(corpus, doc) == spans


def test_a_document_label_goes_with_its_label(seeded: Seeded) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    corpus.set_document_label(doc, seeded.topic, True)
    item = corpus.delete_label(seeded.topic)
    assert corpus.document_labels(doc) == []
    new_id = corpus.restore(item.entity_id or 0).after["item_id"]  # type: ignore[index]
    assert corpus.document_labels(doc) == [new_id]


def test_a_restore_that_would_clash_says_so(seeded: Seeded) -> None:
    corpus = seeded.corpus
    gone = corpus.delete_document(seeded.document_id).entity_id
    add_document(corpus, seeded.project_id, seeded.text, title="again")
    assert gone is not None
    with pytest.raises(UserError, match="same text"):
        corpus.restore(gone)
    assert len(corpus.trash(seeded.project_id)) == 1  # still there, nothing half-written

    label = corpus.delete_label(seeded.place).entity_id
    corpus.add_label(seeded.project_id, "LOC", hotkey="2")
    assert label is not None
    with pytest.raises(UserError, match="exists again"):
        corpus.restore(label)
    with pytest.raises(UserError, match="nothing in the trash"):
        corpus.restore(999)
    with pytest.raises(UserError, match="no document"):
        corpus.delete_document(999)


def test_a_label_whose_document_is_in_the_trash_waits_for_it(seeded: Seeded) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    corpus.add_span(doc, seeded.person, 0, 12)
    label = corpus.delete_label(seeded.person).entity_id
    document = corpus.delete_document(doc).entity_id
    assert label is not None and document is not None
    with pytest.raises(UserError, match="restore it first"):
        corpus.restore(label)
    corpus.restore(document)
    corpus.restore(label)
    assert [s.text for s in corpus.all_spans(corpus.documents(seeded.project_id)[0].id)] == [
        "Ada Lovelace"
    ]


def test_undo_of_a_delete_restores_and_redo_deletes_again(seeded: Seeded) -> None:
    corpus, doc = seeded.corpus, seeded.document_id
    corpus.add_span(doc, seeded.person, 0, 12, note="n")
    spans = _spans(corpus, doc)
    corpus.delete_document(doc)
    assert [c.action for c in corpus.undo_last()] == ["undo delete document"]
    [row] = corpus.documents(seeded.project_id)
    assert _spans(corpus, row.id) == spans
    assert [c.action for c in corpus.redo_last()] == ["redo delete document"]
    assert corpus.documents(seeded.project_id) == []
    assert len(corpus.trash(seeded.project_id)) == 1
    corpus.undo_last()
    assert _spans(corpus, corpus.documents(seeded.project_id)[0].id) == spans


def test_migration_0003_keeps_the_data_and_finds_each_rows_document(
    empty_database_url: str,
) -> None:
    """A corpus at revision 0002 with work in it opens at the head with everything kept,
    and its old history rows name their document (each table's first row has id 1)."""
    engine = create_engine(empty_database_url)
    config = db._alembic_config()
    from alembic import command

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        run = connection.exec_driver_sql
        run("INSERT INTO project (name, created_at) VALUES ('news', '2025-01-01')")
        run("INSERT INTO annotator (name, kind) VALUES ('alice', 'person')")
        run(
            "INSERT INTO label (project_id, name, kind, color, description, position) "
            "VALUES (1, 'PER', 'span', '#000000', '', 0)"
        )
        run(
            "INSERT INTO document (project_id, text, meta, content_hash, created_at) "
            "VALUES (1, 'Kim Jong-un', '{}', 'h', '2025-01-01')"
        )
        run(
            'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, '
            "origin, created_at, updated_at) "
            "VALUES (1, 1, 1, 0, 3, 'Kim', 'manual', '2025-01-02', '2025-01-02')"
        )
        run(
            "INSERT INTO history (at, annotator, action, entity, project_id, after) "
            "VALUES ('2025-01-01', 'alice', 'add label', 'label', 1, '{\"id\": 1}')"
        )
        after = (
            '{"id": 1, "document_id": 1, "annotator_id": 1, "label_id": 1, "start": 0, '
            '"end": 3, "text": "Kim", "note": null}'
        )
        connection.execute(
            text(
                "INSERT INTO history (at, annotator, action, entity, entity_id, project_id, "
                "after) VALUES ('2025-01-02', 'alice', 'add span', 'span', 1, 1, :after)"
            ),
            {"after": after},
        )
    engine.dispose()

    with Corpus.open(empty_database_url, annotator="alice") as corpus:
        assert db.schema_revisions(corpus.engine) == [db.SCHEMA_HEAD]
        assert [s.text for s in corpus.spans(1)] == ["Kim"]
        with corpus.engine.connect() as connection:
            rows = connection.execute(
                select(history_t.c.action, history_t.c.document_id).order_by(history_t.c.id)
            ).all()
        assert [tuple(row) for row in rows] == [("add label", None), ("add span", 1)]
        assert [line.what for line in document_history(corpus, 1)] == ["added PER 'Kim' 0-3"]
        assert corpus.undo_last()[0].action == "undo add span"  # old rows undo too
        assert corpus.undo_last()[0].action == "undo add label"
        assert corpus.spans(1) == []
        deleted = corpus.delete_document(1).entity_id
        assert deleted is not None and corpus.trash(1)[0].name == "document 1"
        with corpus.session() as session:
            assert session.get(Document, 1) is None
