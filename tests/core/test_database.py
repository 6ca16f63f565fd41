"""The database keeps its own rules, is tuned as designed and migrates safely on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from annotator.base.environment import default_database_path
from annotator.base.errors import UserError
from annotator.core import db
from annotator.core.corpus import Corpus
from tests.core.conftest import Seeded


def _raw_span(seeded: Seeded, start: int, end: int, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "document_id": seeded.document_id, "annotator_id": seeded.corpus.annotator_id(),
        "label_id": seeded.person, "start": start, "end": end, "text": "x",
        "origin": "manual", "created_at": "2024-01-01 00:00:00.000000",
        "updated_at": "2024-01-01 00:00:00.000000",
    }  # fmt: skip
    values.update(overrides)
    return values


INSERT_SPAN = text(
    'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, origin, '
    "created_at, updated_at) VALUES (:document_id, :annotator_id, :label_id, :start, :end, "
    ":text, :origin, :created_at, :updated_at)"
)


@pytest.mark.parametrize(
    ("start", "end", "overrides"),
    [
        (-1, 3, {}),  # negative start
        (5, 5, {}),  # empty
        (6, 2, {}),  # reversed
        (0, 3, {"document_id": 999}),  # no such document
        (0, 3, {"label_id": 999}),  # no such label
        (0, 3, {"origin": "guessed"}),  # unknown origin
    ],
)
def test_database_itself_refuses_invalid_spans(
    seeded: Seeded, start: int, end: int, overrides: dict[str, object]
) -> None:
    with seeded.corpus.engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(INSERT_SPAN, _raw_span(seeded, start, end, **overrides))
        connection.commit()


def test_database_itself_refuses_duplicate_span(seeded: Seeded) -> None:
    with seeded.corpus.engine.connect() as connection:
        connection.execute(INSERT_SPAN, _raw_span(seeded, 0, 3))
        with pytest.raises(IntegrityError):
            connection.execute(INSERT_SPAN, _raw_span(seeded, 0, 3))


def test_duplicate_document_text_is_refused_by_the_database(seeded: Seeded) -> None:
    from tests.core.conftest import add_document

    with pytest.raises(IntegrityError):
        add_document(seeded.corpus, seeded.project_id, seeded.text)


def test_sqlite_is_tuned_for_a_desktop_app(tmp_path: Path) -> None:
    with Corpus.open(str(tmp_path / "c.db")) as corpus, corpus.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_default_database_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    url = db.resolve_url(None)
    assert url == f"sqlite:///{default_database_path()}"
    assert str(default_database_path()).startswith(str(Path.home()))
    with Corpus.open() as corpus:
        corpus.create_project("p")
    assert default_database_path().is_file()


def test_environment_variable_and_flag_choose_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.db"))
    assert db.resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert db.resolve_url(str(tmp_path / "flag.db")) == f"sqlite:///{tmp_path / 'flag.db'}"
    assert db.resolve_url("postgresql://u@h/d") == "postgresql://u@h/d"


def test_a_database_is_named_as_a_person_names_it() -> None:
    assert db.short_place("sqlite:////data/annotator/corpus.db") == "corpus.db"
    assert db.short_place("postgresql+psycopg://ann:s3cret@db.example:5433/news") == (
        "news on db.example:5433"
    )
    assert db.short_place("postgresql+psycopg://ann@/news") == "news on this machine"


def test_passwords_are_masked() -> None:
    assert db.masked("postgresql+psycopg://ann:s3cret@db.example/corpus") == (
        "postgresql+psycopg://ann:***@db.example/corpus"
    )


def test_a_password_given_as_a_query_parameter_is_masked_too() -> None:
    shown = db.masked("postgresql+psycopg://ann@db.example/corpus?sslmode=require&password=s3")
    assert shown == "postgresql+psycopg://ann@db.example/corpus?password=***&sslmode=require"
    assert "s3" not in db.masked("postgresql://ann@db.example/corpus?PASSWORD=s3&x=1")


def test_new_database_is_migrated_to_head_without_a_backup(
    tmp_path: Path, empty_database_url: str
) -> None:
    Corpus.open(empty_database_url).close()
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    assert {"project", "label", "document", "annotator", "span", "document_label",
            "document_status", "history"} <= tables  # fmt: skip
    assert version == _head()
    assert not list(tmp_path.rglob("*.bak"))


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(db._alembic_config()).get_current_head()


def test_an_outdated_database_is_copied_aside_before_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    # An older database: data of its own and a schema version below the current one.
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    connection.close()
    Corpus.open(str(path)).close()
    backups = list(tmp_path.glob("backups/old.db.before-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT body FROM notes").fetchall() == [("keep me",)]
        assert "project" not in {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
    copy.close()
    with sqlite3.connect(path) as migrated:
        assert migrated.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (_head(),)
        ]
    migrated.close()


def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not a sqlite database at all" * 100)
    with pytest.raises(UserError, match="cannot open the database"):
        Corpus.open(str(path))


@pytest.mark.parametrize(
    ("url", "message"),
    [("nonsense://host/x", "unsupported database"), ("postgresql://:@:/", "not a database URL")],
)
def test_bad_url_is_a_user_error(url: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        Corpus.open(url)
