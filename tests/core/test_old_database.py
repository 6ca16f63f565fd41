"""A database of the first schema revision opens in this version with nothing lost."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from annotator.base.vocabulary import Origin, Status
from annotator.core import db
from annotator.core.corpus import Corpus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REV0001 = FIXTURES / "rev0001.db"
# Every table of revision 0001, each read in its primary key's order.
TABLES = {
    "annotator": "id",
    "project": "id",
    "label": "id",
    "document": "id",
    "span": "id",
    "document_label": "id",
    "document_status": "document_id, annotator_id",
    "history": "id",
}

Rows = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def dump(path: Path, columns: dict[str, list[str]] | None = None) -> Rows:
    """Every row of the 0001 tables as SQLite holds it (text, numbers, JSON as written)."""
    found: Rows = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        for table, order in TABLES.items():
            names = (
                columns[table]
                if columns is not None
                else [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            )
            quoted = ", ".join(f'"{name}"' for name in names)
            rows = connection.execute(f"SELECT {quoted} FROM {table} ORDER BY {order}").fetchall()
            found[table] = (names, rows)
    return found


def revision(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


def fingerprint(path: Path) -> tuple[str, int, list[str]]:
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        sorted(entry.name for entry in path.parent.iterdir()),
    )


@pytest.fixture
def old_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "corpus.db"
    shutil.copy2(REV0001, copy)
    return copy


def test_the_fixture_is_at_the_first_revision_and_full() -> None:
    assert revision(REV0001) == ["0001"]
    rows = dump(REV0001)
    assert {table: len(found) for table, (_names, found) in rows.items()} == {
        "annotator": 2, "project": 2, "label": 5, "document": 3, "span": 7,
        "document_label": 4, "document_status": 4, "history": 4,
    }  # fmt: skip
    assert REV0001.stat().st_size < 64 * 1024


def test_every_row_survives_the_migration(old_copy: Path) -> None:
    original = fingerprint(REV0001)
    before = dump(old_copy)
    Corpus.open(str(old_copy)).close()
    assert revision(old_copy) == [db.SCHEMA_HEAD] != ["0001"]
    columns = {table: names for table, (names, _rows) in before.items()}
    assert dump(old_copy, columns) == before
    with closing(sqlite3.connect(old_copy)) as connection:
        kinds = connection.execute("SELECT name, kind FROM annotator ORDER BY id").fetchall()
    assert kinds == [("alice", "person"), ("bob", "person")]
    (backup,) = (old_copy.parent / "backups").glob(f"corpus.db.before-{db.SCHEMA_HEAD}.*.bak")
    assert revision(backup) == ["0001"]
    assert dump(backup) == before
    assert fingerprint(REV0001) == original


def test_the_migrated_corpus_reads_as_it_was_written(old_copy: Path) -> None:
    with Corpus.open(str(old_copy), annotator="alice") as corpus:
        assert [(p.name, p.documents, p.spans, p.annotators) for p in corpus.projects()] == [
            ("Verträge", 1, 1, 1),  # by name, as SQLite compares: capitals first
            ("news", 2, 6, 2),
        ]
        news = corpus.project("news")
        assert news.id == 1
        labels = [(lb.name, lb.kind, lb.color, lb.hotkey, lb.description, lb.position)
                  for lb in corpus.labels(news.id)]  # fmt: skip
        assert labels == [
            ("PER", "span", "#e6194b", "1", "a person, by name", 0),
            ("LOC", "span", "#3cb44b", "2", "", 1),
            ("Science", "document", "#4363d8", None, "about research", 2),
            ("Politics", "document", "#f58231", None, "", 3),
        ]
        ada = corpus.document(1)
        assert ada.text == "Ada Lovelace met Charles Babbage in London 🇬🇧 in 1833."
        assert (ada.title, ada.author, ada.published, ada.source_url, ada.meta) == (
            "Ada", "A. Writer", date(2024, 2, 29), "https://example.org/ada",
            {"section": "history", "words": 9},
        )  # fmt: skip
        assert corpus.document(2).text == "שלום e\u0301 end: Marie Curie in Paris."

        def layer(document_id: int, who: str) -> list[tuple[object, ...]]:
            return [
                (s.label_id, s.start, s.end, s.text, s.note, s.origin, s.updated_at)
                for s in corpus.spans(document_id, annotator=who, origins=tuple(Origin))
            ]

        assert layer(1, "alice") == [
            (1, 0, 12, "Ada Lovelace", None, "manual", datetime(2024, 3, 1, 9, 10, tzinfo=UTC)),
            (1, 17, 32, "Charles Babbage", "the engine man", "manual",
             datetime(2024, 3, 1, 9, 12, 30, tzinfo=UTC)),
            (2, 36, 42, "London", None, "imported", datetime(2024, 3, 1, 9, 11, 30, tzinfo=UTC)),
        ]  # fmt: skip
        assert layer(1, "bob") == [
            (1, 0, 3, "Ada", "only the first name?", "manual",
             datetime(2024, 3, 1, 11, 0, tzinfo=UTC)),
            (2, 36, 45, "London 🇬🇧", None, "suggested", datetime(2024, 3, 1, 11, 1, tzinfo=UTC)),
        ]  # fmt: skip
        assert [(s.start, s.end, s.text) for s in corpus.spans(2, annotator="bob")] == [
            (13, 24, "Marie Curie")
        ]
        assert [(s.start, s.end, s.note) for s in corpus.spans(3, annotator="alice")] == [
            (4, 15, "Käuferin")
        ]
        assert sorted(corpus.document_labels(1, annotator="alice")) == [3]
        assert sorted(corpus.document_labels(1, annotator="bob")) == [3, 4]
        assert corpus.document_labels(2, annotator="alice") == [3]
        assert corpus.document_row(1, annotator="alice").status == Status.DONE
        assert corpus.document_row(1, annotator="bob").status == Status.IN_PROGRESS
        assert corpus.document_row(2, annotator="alice").status == Status.TODO
        assert corpus.document_row(3, annotator="alice").status == Status.DONE
        history = [(h.id, h.annotator, h.action, h.entity, h.entity_id, h.project_id,
                    h.before, h.after, h.at) for h in corpus.history()]  # fmt: skip
        assert history == [
            (4, "alice", "add_span", "span", 7, 2, None, {"start": 4, "end": 15, "label_id": 5},
             datetime(2024, 3, 2, 10, 40, tzinfo=UTC)),
            (3, "alice", "set_status", "document_status", 1, 1, {"status": "in_progress"},
             {"status": "done"}, datetime(2024, 3, 1, 9, 25, tzinfo=UTC)),
            (2, "alice", "set_span_note", "span", 2, 1, {"note": None},
             {"note": "the engine man"}, datetime(2024, 3, 1, 9, 12, 30, tzinfo=UTC)),
            (1, "alice", "add_span", "span", 1, 1, None, {"start": 0, "end": 12, "label_id": 1},
             datetime(2024, 3, 1, 9, 10, tzinfo=UTC)),
        ]  # fmt: skip
        # And it takes new work: the next span and status land beside the old ones.
        corpus.add_span(2, 2, 28, 33)
        corpus.set_status(2, Status.DONE)
    with Corpus.open(str(old_copy), annotator="alice") as reopened:
        assert [(s.start, s.end, s.text) for s in reopened.spans(2)] == [(28, 33, "Paris")]
        assert reopened.document_row(2).status == Status.DONE
        assert len(reopened.history()) == 6
    assert len(list(old_copy.parent.rglob("*.bak"))) == 1  # migrated once, copied once
