"""A database that is not ours, damaged or too new is refused in one sentence and left
exactly as it was: not a byte written, no WAL switch, no copy beside it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from annotator.base.errors import DatabaseUnavailable, Unavailable
from annotator.cli import main
from annotator.core import db
from annotator.core.corpus import Corpus
from tests.conftest import PG_URL, fresh_pg_url

Folder = dict[str, tuple[str, int]]


def folder(path: Path) -> Folder:
    """Every file beside the database, with its content's hash and modification time."""
    return {
        entry.name: (hashlib.sha256(entry.read_bytes()).hexdigest(), entry.stat().st_mtime_ns)
        for entry in sorted(path.parent.iterdir())
    }


def rollback_mode(path: Path) -> None:
    """Leave a database in SQLite's default journal mode: the WAL switch on connect
    would rewrite its header, so any write on open shows in its bytes."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    assert path.read_bytes()[18] == 1


def our_database(path: Path) -> None:
    with Corpus.open(str(path), annotator="alice") as corpus:
        project = corpus.create_project("news")
        assert project.id is not None
        corpus.add_label(project.id, "PER")
    rollback_mode(path)


def too_new(path: Path) -> None:
    our_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    connection.close()


def another_application(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        connection.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    connection.close()


def another_application_with_alembic(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('3f1c2a9b7d44')")
    connection.close()


def not_a_database(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def a_text_file(path: Path) -> None:
    path.write_text("project,label\nnews,PER\n", encoding="utf-8")


def cut_mid_page(path: Path) -> None:
    our_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def cut_at_a_page(path: Path) -> None:
    our_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: 4096 * 3])


def cut_in_wal_mode(path: Path) -> None:
    """As annotator leaves its files: in WAL mode, everything checkpointed into the file."""
    with Corpus.open(str(path), annotator="alice") as corpus:
        corpus.create_project("news")
    assert path.read_bytes()[18] == 2 and not Path(f"{path}-wal").exists()
    data = path.read_bytes()
    path.write_bytes(data[: 4096 * 3])


def scrambled_schema(path: Path) -> None:
    our_database(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = bytes(range(256)) * 15 + bytes(range(156))
    path.write_bytes(bytes(data))


def bad_page_size(path: Path) -> None:
    our_database(path)
    data = bytearray(path.read_bytes())
    data[16:18] = (3000).to_bytes(2, "big")
    path.write_bytes(bytes(data))


CASES: list[tuple[Callable[[Path], None], Unavailable, str]] = [
    (not_a_database, Unavailable.NOT_A_DATABASE, "the file is not a database"),
    (a_text_file, Unavailable.NOT_A_DATABASE, "the file is not a database"),
    (cut_mid_page, Unavailable.CORRUPT, "is damaged; restore it from a backup copy"),
    (cut_at_a_page, Unavailable.CORRUPT, "is damaged; restore it from a backup copy"),
    (cut_in_wal_mode, Unavailable.CORRUPT, "is damaged; restore it from a backup copy"),
    (scrambled_schema, Unavailable.CORRUPT, "is damaged; restore it from a backup copy"),
    (bad_page_size, Unavailable.CORRUPT, "is damaged; restore it from a backup copy"),
    (another_application, Unavailable.FOREIGN, "was made by another application, not annotator"),
    (
        another_application_with_alembic,
        Unavailable.FOREIGN,
        "was made by another application, not annotator",
    ),
    (too_new, Unavailable.TOO_NEW, "a newer version of annotator made it"),
]


@pytest.mark.parametrize(("make", "kind", "words"), CASES, ids=[c[0].__name__ for c in CASES])
def test_refused_and_left_as_it_was(
    tmp_path: Path, make: Callable[[Path], None], kind: Unavailable, words: str
) -> None:
    path = tmp_path / "corpus.db"
    make(path)
    before = folder(path)
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(str(path))
    assert caught.value.kind is kind
    assert str(caught.value).count(str(path)) == 1
    assert words in str(caught.value)
    assert folder(path) == before  # no byte, no mtime, no backup, no -wal or -shm


@pytest.mark.parametrize(("make", "kind", "words"), CASES, ids=[c[0].__name__ for c in CASES])
def test_the_command_line_says_one_sentence_with_its_own_status(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], None],
    kind: Unavailable,
    words: str,
) -> None:
    path = tmp_path / "corpus.db"
    make(path)
    before = folder(path)
    code = main(["--db", str(path), "projects", "--create", "sport"])
    captured = capsys.readouterr()
    assert code == kind.exit_code
    assert captured.out == ""
    assert captured.err.startswith("annotator: error: ")
    assert words in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err and "SELECT" not in captured.err
    assert folder(path) == before


def test_each_refusal_has_its_own_exit_status() -> None:
    kinds = {kind for _make, kind, _words in CASES}
    assert len({kind.exit_code for kind in kinds}) == len(kinds) == 4
    assert Unavailable.FOREIGN.exit_code == 20


def test_an_empty_file_is_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Corpus.open(str(path)) as corpus:
        assert corpus.projects() == []
        assert db.schema_revisions(corpus.engine) == [db.SCHEMA_HEAD]
    assert not list(tmp_path.rglob("*.bak"))


def test_our_database_with_a_table_of_its_own_keeps_migrating(tmp_path: Path) -> None:
    """An alembic_version of a known revision says the file is ours, whatever else it
    holds: only the foreign-table rule without it refuses."""
    path = tmp_path / "ours.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE scratch (body TEXT)")
    connection.close()
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(str(path))
    assert caught.value.kind is Unavailable.FOREIGN
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    connection.close()
    Corpus.open(str(path)).close()
    assert len(list((tmp_path / "backups").glob("ours.db.before-*.bak"))) == 1


def test_a_damaged_database_is_not_migrated_nor_copied(tmp_path: Path) -> None:
    """Damage deep in the file, behind an intact schema: found before the migration."""
    path = tmp_path / "old.db"
    our_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
        connection.execute("CREATE TABLE filler (body TEXT)")
        connection.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    connection.close()
    data = bytearray(path.read_bytes())
    data[-4096 * 3 :] = b"\xff" * (4096 * 3)
    path.write_bytes(bytes(data))
    before = folder(path)
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(str(path))
    assert caught.value.kind is Unavailable.CORRUPT
    assert folder(path) == before


# -- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> str:
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    return fresh_pg_url()


def _pg_state(url: str) -> tuple[set[str], list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            rows = connection.execute(text("SELECT * FROM stranger ORDER BY id")).all()
            versions: list[tuple[object, ...]] = []
            if "alembic_version" in tables:
                versions = [
                    tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))
                ]
        return tables, [tuple(row) for row in rows], versions
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("revision", "kind"),
    [(None, Unavailable.FOREIGN), ("3f1c2a9b7d44", Unavailable.FOREIGN)],
)
def test_a_server_database_of_another_application_is_refused(
    pg_url: str, revision: str | None, kind: Unavailable
) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE stranger (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("INSERT INTO stranger VALUES (1, 'keep me')"))
        if revision is not None:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            connection.execute(text(f"INSERT INTO alembic_version VALUES ('{revision}')"))
    engine.dispose()
    before = _pg_state(pg_url)
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(pg_url)
    assert caught.value.kind is kind
    assert "another application" in str(caught.value)
    assert _pg_state(pg_url) == before
    assert "project" not in before[0]


@pytest.mark.postgres
def test_a_server_database_from_a_newer_version_is_refused_untouched(pg_url: str) -> None:
    Corpus.open(pg_url).close()
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
        connection.execute(text("CREATE TABLE stranger (id INTEGER PRIMARY KEY, body TEXT)"))
    engine.dispose()
    before = _pg_state(pg_url)
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(pg_url)
    assert caught.value.kind is Unavailable.TOO_NEW
    assert _pg_state(pg_url) == before == (before[0], [], [("ffff_future",)])


# -- permissions --------------------------------------------------------------------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_a_new_database_and_its_wal_are_the_users_alone(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual default: files readable by everyone
    try:
        path = tmp_path / "new" / "corpus.db"
        with Corpus.open(str(path)) as corpus:
            corpus.create_project("news")
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.exists() and shm.exists()
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        os.umask(old_umask)


@posix_only
def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    Corpus.open(str(path)).close()
    path.chmod(0o640)
    with Corpus.open(str(path)) as corpus:
        corpus.create_project("news")
    assert mode(path) == 0o640


@posix_only
def test_the_copy_before_a_migration_is_the_users_alone(tmp_path: Path) -> None:
    from tests.core.test_opening import database_at

    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "behind.db"
        database_at(path, "0001")
        Corpus.open(str(path)).close()
    finally:
        os.umask(old_umask)
    (backup,) = (tmp_path / "backups").glob("behind.db.before-*.bak")
    assert mode(backup) == 0o600
