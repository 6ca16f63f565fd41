"""Opening a current database reads its version in one query; the catalog lists as the corpus."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine

from annotator.core import db
from annotator.core.catalog import Catalog
from annotator.core.corpus import Corpus
from tests.core.conftest import Seeded


def test_schema_head_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(db._alembic_config()).get_current_head()
    assert head == db.SCHEMA_HEAD


def test_schema_revisions_reads_the_recorded_version(database_url: str) -> None:
    with Corpus.open(database_url) as corpus:
        assert db.schema_revisions(corpus.engine) == [db.SCHEMA_HEAD]
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        assert db.schema_revisions(engine) == ["0001"]
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")
        assert db.schema_revisions(engine) == []
    finally:
        engine.dispose()


def database_at(path: Path, revision: str) -> None:
    """A SQLite corpus left at an older revision, with a project in it."""
    from alembic import command

    engine = create_engine(f"sqlite:///{path}")
    config = db._alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.exec_driver_sql(
                "INSERT INTO project (name, created_at) VALUES ('old', '2024-01-01 00:00:00')"
            )
    finally:
        engine.dispose()


def test_a_database_behind_the_head_is_migrated_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "behind.db"
    database_at(path, "0001")
    with Corpus.open(str(path)) as corpus:
        assert db.schema_revisions(corpus.engine) == [db.SCHEMA_HEAD]
        assert [p.name for p in corpus.projects()] == ["old"]
    assert len(list(tmp_path.glob(f"backups/behind.db.before-{db.SCHEMA_HEAD}.*.bak"))) == 1
    Corpus.open(str(path)).close()  # current now: no second copy
    assert len(list(tmp_path.rglob("*.bak"))) == 1


def test_catalog_counts_as_the_corpus_does(seeded: Seeded, database_url: str) -> None:
    corpus = seeded.corpus
    corpus.add_span(seeded.document_id, seeded.person, 0, 12)
    corpus.add_span(seeded.document_id, seeded.place, 36, 42)
    Corpus(corpus.engine, annotator="bob").add_span(seeded.document_id, seeded.person, 0, 3)
    corpus.create_project("empty")
    summaries = [(p.name, p.documents, p.spans, p.annotators) for p in corpus.projects()]
    assert summaries == [("empty", 0, 0, 0), ("news", 1, 3, 2)]
    with Catalog.open(database_url) as catalog:
        assert catalog.projects() == corpus.projects()
        assert catalog.annotator_name == "tester"  # the environment's choice, as for Corpus
