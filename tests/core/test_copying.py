"""Copying a whole database between SQLite and PostgreSQL: every row, ids and all."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, cast, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import JSON, Text

from annotator.base.errors import DatabaseUnavailable, UserError
from annotator.base.vocabulary import ExportFormat, LabelKind, Status
from annotator.core import copying, exporting
from annotator.core import review as rv
from annotator.core.corpus import Corpus
from annotator.core.effort import Effort, add_effort
from annotator.core.importing import import_paths

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL")
needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)"
)

TEXTS = [
    "Ada Lovelace met Charles Babbage in London 🇬🇧 in 1833.\nשלום e\u0301 end.",
    "Paris, 😀 and Zürich: “quotes”, tabs\tand a very long line " + "lorem ipsum " * 400,
    "A third document, to be thrown away.",
]


def _server_database() -> Iterator[str]:
    """A new empty database on the test server, dropped afterwards."""
    assert PG_URL is not None
    name = f"annotator_copy_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def server_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    yield from _server_database()


@pytest.fixture
def second_server_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    yield from _server_database()


def fill(url: str, workdir: Path) -> None:
    """A corpus with something in every table, made the way users make it."""
    articles = workdir / "articles.jsonl"
    lines = [
        {"text": TEXTS[0], "title": "Ada <&> Charles", "author": "Zoë", "published": "1843-10-05",
         "source_url": "https://example.org/ada?x=1&y=2", "meta": {"tags": ["😀", 1.5, None]},
         "annotations": [{"annotator": "carol", "status": "done",
                          "spans": [{"start": 0, "end": 3, "label": "PER"}]}]},
        {"text": TEXTS[1], "title": None, "meta": {"nested": {"ok": True}}},
        {"text": TEXTS[2], "title": "bin"},
    ]  # fmt: skip
    articles.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    with Corpus.open(url, annotator="alice") as alice:
        report = import_paths(alice, [articles], project="news")
        assert report.ok, report.summary()
        project_id = alice.project_id("news")
        alice.create_project("empty project ✓")
        labels = {label.name: label.id for label in alice.labels(project_id)}
        per = labels["PER"]
        loc = alice.add_label(
            project_id, "LOC", hotkey="2", color="#e15759", description="Places: cities, 🇬🇧"
        ).entity_id
        alice.update_label(per, hotkey="1", description="People, by full name")
        topic = alice.add_label(project_id, "Science", kind=LabelKind.DOCUMENT).entity_id
        assert per and loc and topic
        first, second, third = (row.id for row in alice.documents(project_id))
        bob = Corpus(alice.engine, annotator="bob")
        for who in (alice, bob):
            who.add_span(first, per, 0, 12, note=f"{who.annotator_name}: Ada")
            who.add_span(first, loc, 36, 42)
            who.add_span(second, loc, 0, 5)
        alice.add_span(first, per, 17, 32, note="Babbage ✓")
        bob.add_span(first, per, 25, 32)
        bob.add_span(first, loc, 36, 45)
        moved = alice.add_span(second, per, 7, 8).entity_id
        assert moved is not None
        alice.relabel_span(moved, loc)
        alice.remove_span(moved)
        alice.set_document_label(first, topic, True)
        add_effort(alice, first, Effort(active_seconds=42.5, keystrokes=17, spans_made=3))
        bob.set_document_label(second, topic, True)
        alice.set_status(first, Status.DONE)
        bob.set_status(first, Status.IN_PROGRESS)
        lead = Corpus(alice.engine, annotator="lead")
        rv.accept_agreements(lead, first, "alice", "bob")
        items = rv.compare_layers(lead, first, "alice", "bob")
        undecided = [item for item in items if item.a is not None and item.b is not None]
        rv.decide(lead, undecided[0], "take_a", comment="full name 😀")
        rv.decide(lead, rv.compare_layers(lead, first, "alice", "bob")[-1], "reject")
        alice.delete_document(third)
        for name in ("ORG", "MISC"):
            added = alice.add_label(project_id, name).entity_id
            assert added is not None
            trashed = alice.delete_label(added).entity_id
        assert trashed is not None
        alice.restore(trashed)


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ids included, JSON as its stored text too."""
    engine = create_engine(make_url(url))
    rows: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as connection:
            for table in copying.tables():
                raw = [cast(c, Text) for c in table.columns if isinstance(c.type, JSON)]
                query = select(table, *raw).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()
    return rows


def exports(url: str, folder: Path) -> dict[str, bytes]:
    """What `annotator export` writes for every project, and the review log."""
    folder.mkdir()
    files: dict[str, bytes] = {}
    with Corpus.open(url, annotator="reader") as corpus:
        for summary in corpus.projects():
            for format_name in (ExportFormat.JSONL, ExportFormat.CSV):
                output = folder / f"{summary.id}.{format_name}"
                report = exporting.export_project(
                    corpus, summary.id, format_name=format_name, output=output
                )
                for path in report.files:
                    files[path.name] = path.read_bytes()
            log = folder / f"{summary.id}.review.csv"
            exporting.write_review_log(corpus, summary.id, log, excel=False)
            files[log.name] = log.read_bytes()
    return files


def test_the_filled_corpus_has_rows_in_every_table(tmp_path: Path) -> None:
    """Otherwise the copy tests below would prove nothing for an empty table."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    fill(url, tmp_path)
    empty = [name for name, rows in snapshot(url).items() if not rows]
    assert empty == []


def test_sqlite_to_sqlite_copies_every_table_exactly(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", str(tmp_path / "sub" / "b.db")
    fill(source, tmp_path)
    seen: list[tuple[int, int]] = []
    report = copying.copy_database(
        source, target, on_progress=lambda done, total: seen.append((done, total))
    )
    before = snapshot(source)
    assert snapshot(f"sqlite:///{target}") == before
    assert report.rows == {name: len(rows) for name, rows in before.items()}
    assert list(report.rows) == [table.name for table in copying.tables()]
    total = sum(report.rows.values())
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert "copied" in report.summary() and "span" in report.summary()
    assert exports(source, tmp_path / "from") == exports(f"sqlite:///{target}", tmp_path / "to")


@needs_postgres
def test_sqlite_to_postgresql_and_back_is_exact_and_exports_the_same_bytes(
    tmp_path: Path, server_database: str
) -> None:
    source, back = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'back.db'}"
    fill(source, tmp_path)
    copying.copy_database(source, server_database)
    original = snapshot(source)
    assert snapshot(server_database) == original
    copying.copy_database(server_database, back)
    assert snapshot(back) == original

    written = exports(source, tmp_path / "sqlite")
    assert len(written) == 8  # two projects: JSONL, CSV, its document labels, review log
    assert exports(server_database, tmp_path / "postgresql") == written
    assert exports(back, tmp_path / "back") == written


@needs_postgres
def test_postgresql_to_sqlite_and_to_another_server_database(
    tmp_path: Path, server_database: str, second_server_database: str
) -> None:
    fill(server_database, tmp_path)
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    copying.copy_database(server_database, target)
    original = snapshot(server_database)
    assert snapshot(target) == original
    copying.copy_database(server_database, second_server_database)
    assert snapshot(second_server_database) == original
    written = exports(server_database, tmp_path / "postgresql")
    assert exports(target, tmp_path / "sqlite") == written
    assert exports(second_server_database, tmp_path / "second") == written


@needs_postgres
def test_new_rows_after_a_copy_to_postgresql_take_new_ids(
    tmp_path: Path, server_database: str
) -> None:
    source = f"sqlite:///{tmp_path / 'a.db'}"
    fill(source, tmp_path)
    copying.copy_database(source, server_database)
    highest = {name: max(row[0] for row in rows) for name, rows in snapshot(source).items()}
    with Corpus.open(server_database, annotator="dave") as dave:
        project = dave.create_project("after the copy")
        assert project.id is not None and project.id > highest["project"]
        label = dave.add_label(project.id, "PER").entity_id
        assert label is not None and label > highest["label"]
        document = import_paths(dave, [_one_article(tmp_path)], project="after the copy")
        assert document.ok
        (row,) = dave.documents(project.id)
        assert row.id > highest["document"]
        span = dave.add_span(row.id, label, 0, 3).entity_id
        assert span is not None and span > highest["span"]
        assert dave.annotator_id() > highest["annotator"]
        history = max(entry.id or 0 for entry in dave.history(limit=1))
        assert history > highest["history"]


@needs_postgres
def test_a_copy_between_server_databases_keeps_deleted_ids_unused(
    server_database: str, second_server_database: str
) -> None:
    with Corpus.open(server_database, annotator="alice") as alice:
        project_id = alice.create_project("news").id
        assert project_id is not None
        alice.add_label(project_id, "PER")
        deleted = alice.add_label(project_id, "LOC").entity_id
        assert deleted is not None
        alice.delete_label(deleted)
    copying.copy_database(server_database, second_server_database)
    with Corpus.open(second_server_database, annotator="alice") as alice:
        added = alice.add_label(project_id, "ORG").entity_id
        assert added is not None and added > deleted


def _one_article(folder: Path) -> Path:
    path = folder / "new.txt"
    path.write_text("Dave wrote this after the copy.", encoding="utf-8")
    return path


def test_a_target_holding_data_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "b.db"
    fill(source, tmp_path)
    with Corpus.open(str(target), annotator="erin") as erin:
        erin.create_project("mine")
    before = snapshot(f"sqlite:///{target}")
    with pytest.raises(UserError, match=r"b\.db already holds data \(in history, project\)"):
        copying.copy_database(source, str(target))
    assert snapshot(f"sqlite:///{target}") == before


@needs_postgres
def test_a_server_database_holding_data_is_refused_and_left_unchanged(
    tmp_path: Path, server_database: str
) -> None:
    source = f"sqlite:///{tmp_path / 'a.db'}"
    fill(source, tmp_path)
    with Corpus.open(server_database, annotator="erin") as erin:
        erin.create_project("mine")
    before = snapshot(server_database)
    with pytest.raises(UserError, match="already holds data") as refused:
        copying.copy_database(source, server_database)
    assert "postgres@" in str(refused.value) or "127.0.0.1" in str(refused.value)
    assert snapshot(server_database) == before


def test_a_missing_source_is_a_plain_error_and_creates_nothing(tmp_path: Path) -> None:
    missing, target = tmp_path / "nothing.db", tmp_path / "b.db"
    with pytest.raises(UserError, match=r"no annotator database to copy at .*nothing\.db"):
        copying.copy_database(str(missing), str(target))
    assert not missing.exists() and not target.exists()


def test_a_source_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("not a database, only some notes\n" * 10, encoding="utf-8")
    with pytest.raises(DatabaseUnavailable):
        copying.copy_database(str(notes), str(tmp_path / "b.db"))
    assert not (tmp_path / "b.db").exists()


def test_copying_onto_itself_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.db"
    fill(f"sqlite:///{source}", tmp_path)
    with pytest.raises(UserError, match="onto itself"):
        copying.copy_database(str(source), f"sqlite:///{source}")


def test_a_failed_copy_removes_the_file_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "b.db"
    fill(source, tmp_path)

    def stop(done: int, total: int) -> None:
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copying.copy_database(source, str(target), on_progress=stop)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.db")) == []


@needs_postgres
def test_a_failed_copy_to_a_server_leaves_no_rows(tmp_path: Path, server_database: str) -> None:
    source = f"sqlite:///{tmp_path / 'a.db'}"
    fill(source, tmp_path)
    calls = 0

    def stop(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if done > total // 2:
            raise RuntimeError("stopped halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        copying.copy_database(source, server_database, on_progress=stop)
    assert calls > 2
    assert all(rows == [] for rows in snapshot(server_database).values())
    copying.copy_database(source, server_database)  # an empty database may be copied into
    assert snapshot(server_database) == snapshot(source)


def test_every_table_of_the_schema_is_copied(tmp_path: Path) -> None:
    """A new model lands in SQLModel.metadata and so in copying.tables(); this fails if
    a table is ever left out of the copy."""
    from sqlmodel import SQLModel

    from annotator.core import models

    core_tables = {value.name for value in vars(models).values() if isinstance(value, Table)}
    declared = core_tables | set(SQLModel.metadata.tables)
    assert {table.name for table in copying.tables()} == declared
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    fill(source, tmp_path)
    copying.copy_database(source, target)
    engine = create_engine(target)
    with engine.connect() as connection:
        for name in declared:
            table = SQLModel.metadata.tables[name]
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() > 0
    engine.dispose()
