"""Which database errors are the environment's (plain sentences) and which are bugs."""

from __future__ import annotations

import errno
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from annotator.base.errors import DatabaseUnavailable, Unavailable, UserError
from annotator.core import db
from annotator.core.corpus import Corpus
from annotator.core.failures import classify, classify_uncaught, translated
from tests.core.conftest import SEED_TEXT, Seeded


def wrapped(error: Exception) -> OperationalError:
    """How SQLAlchemy hands a driver error on: with the statement and its parameters."""
    return OperationalError("SELECT text FROM document WHERE x = ?", ("secret text",), error)


def sqlite_error(code: int, message: str) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (5, Unavailable.LOCKED),  # SQLITE_BUSY
        (517, Unavailable.LOCKED),  # SQLITE_BUSY_SNAPSHOT: the primary code decides
        (8, Unavailable.READ_ONLY),
        (13, Unavailable.DISK_FULL),
        (26, Unavailable.NOT_A_DATABASE),
        (11, Unavailable.CORRUPT),
        (14, Unavailable.CANNOT_OPEN),
        (10, Unavailable.DISK_ERROR),
    ],
)
def test_sqlite_codes_of_the_environment_are_classified(code: int, kind: Unavailable) -> None:
    problem = classify(wrapped(sqlite_error(code, "whatever")), where="c.db")
    assert problem is not None
    assert problem.kind is kind
    assert problem.exit_code == kind.exit_code
    assert "c.db" in str(problem)


def test_an_unknown_column_is_a_bug_not_the_environment(database_url: str) -> None:
    engine = create_engine(database_url)
    with pytest.raises(DBAPIError) as caught, engine.connect() as connection:
        connection.execute(text("SELECT nosuchcolumn"))
    engine.dispose()
    if engine.dialect.name == "sqlite":
        assert isinstance(caught.value, OperationalError)
        assert "no such column" in str(caught.value)
    else:
        assert isinstance(caught.value, ProgrammingError)
        assert 'column "nosuchcolumn" does not exist' in str(caught.value)
    assert classify(caught.value) is None


def test_os_errors_and_their_numbers() -> None:
    full = classify(OSError(errno.ENOSPC, "No space left on device"))
    read_only = classify(OSError(errno.EROFS, "Read-only file system"))
    denied = classify(OSError(errno.EACCES, "Permission denied"))
    assert full is not None and full.kind is Unavailable.DISK_FULL
    assert read_only is not None and read_only.kind is Unavailable.READ_ONLY
    assert denied is not None and denied.kind is Unavailable.READ_ONLY
    assert classify(OSError(errno.ENOENT, "No such file or directory")) is None
    # A last-resort handler does not blame the database for another file's OSError.
    assert classify_uncaught(OSError(errno.ENOSPC, "No space left on device")) is None
    assert classify_uncaught(wrapped(sqlite_error(13, "database or disk is full"))) is not None


def test_other_errors_are_bugs() -> None:
    assert classify(ValueError("no")) is None
    assert classify(KeyError("x")) is None
    assert classify(wrapped(sqlite_error(1, "no such table: nope"))) is None


def test_the_sentence_holds_neither_sql_nor_parameters() -> None:
    problem = classify(wrapped(sqlite_error(5, "database is locked")), where="c.db")
    assert problem is not None
    message = str(problem)
    assert "SELECT" not in message and "secret text" not in message
    assert problem.detail == "database is locked"  # the driver's words, for the log


def test_every_kind_has_its_own_exit_status_and_a_sentence() -> None:
    codes = [kind.exit_code for kind in Unavailable]
    assert len(set(codes)) == len(codes)
    assert not {1, 2, 70, 130} & set(codes)
    for kind in Unavailable:
        problem = DatabaseUnavailable(kind, where="here.db")
        assert isinstance(problem, UserError)
        assert "here.db" in str(problem)
        assert "{" not in str(problem)


def test_translated_turns_environment_errors_only(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable) as caught, translated("c.db"):
        raise wrapped(sqlite_error(13, "database or disk is full"))
    assert caught.value.kind is Unavailable.DISK_FULL
    with pytest.raises(OperationalError), translated("c.db"):
        raise wrapped(sqlite_error(1, "no such column: x"))


def test_a_database_from_a_newer_version_says_so(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    Corpus.open(str(path)).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    connection.close()
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(str(path))
    assert caught.value.kind is Unavailable.TOO_NEW
    assert "newer version of annotator" in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_write_while_another_program_holds_the_lock_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    with Corpus.open(str(path)) as corpus:
        project_id = corpus.create_project("news").id
    assert project_id is not None
    monkeypatch.setattr(db, "BUSY_TIMEOUT", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with (
            Corpus.open(str(path), annotator="alice") as corpus,
            pytest.raises(DatabaseUnavailable) as caught,
        ):
            corpus.add_label(project_id, "ORG")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert caught.value.kind is Unavailable.LOCKED
    assert str(caught.value).startswith(f"the database {path} is busy")
    assert "INSERT" not in str(caught.value) and "ORG" not in str(caught.value)


def test_a_bug_inside_an_action_goes_on_as_a_bug(seeded: Seeded) -> None:
    """It used to come out as 'the database is not available'."""
    with pytest.raises(DBAPIError) as caught, seeded.corpus.action() as session:
        session.execute(text("SELECT nosuchcolumn FROM document"))
    assert not isinstance(caught.value, UserError)
    assert classify(caught.value) is None
    # The statement's parameters never reach a message (here: the document's text).
    with pytest.raises(DBAPIError) as caught, seeded.corpus.action() as session:
        session.execute(text("SELECT nosuchcolumn FROM document WHERE text = :t"), {"t": SEED_TEXT})
    assert SEED_TEXT not in str(caught.value)


def test_a_read_only_database_cannot_be_written(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Corpus.open(str(path)) as corpus:
        corpus.create_project("news")
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    with (
        pytest.raises(DatabaseUnavailable) as caught,
        Corpus.open(url, annotator="alice") as corpus,
    ):
        corpus.create_project("more")
    assert caught.value.kind is Unavailable.READ_ONLY
    assert str(path) in str(caught.value)


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening: bound, then closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_closed_port_is_unreachable() -> None:
    pytest.importorskip("psycopg")
    port = closed_port()
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(f"postgresql://someone:hunter2@127.0.0.1:{port}/corpus")
    assert caught.value.kind is Unavailable.UNREACHABLE
    assert "hunter2" not in str(caught.value)
    assert f"127.0.0.1:{port}" in str(caught.value)


@pytest.mark.postgres
def test_a_refused_login_says_so(refused_login_url: str) -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(refused_login_url)
    assert caught.value.kind is Unavailable.LOGIN_REFUSED
    assert "wrong" not in str(caught.value)
