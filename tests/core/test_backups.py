"""Backups of a SQLite corpus: daily on opening, once before a migration, pruned; restoring."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from annotator.base.errors import UserError
from annotator.core import backups, db
from annotator.core.corpus import Corpus
from tests.core.conftest import SEED_TEXT, add_document
from tests.core.test_opening import database_at

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr(backups, "_now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _kinds(database: Path) -> list[str]:
    return [backup.kind for backup in backups.backups_of(database)]


def _projects(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM project ORDER BY name")]
    connection.close()
    return names


def _with_project(path: Path, name: str = "news") -> Path:
    with Corpus.open(str(path)) as corpus:
        project = corpus.create_project(name)
        assert project.id is not None
        add_document(corpus, project.id, SEED_TEXT)
    return path


def test_a_daily_backup_is_made_once_a_day_on_opening(tmp_path: Path, clock: Clock) -> None:
    database = tmp_path / "corpus.db"
    Corpus.open(str(database)).close()
    assert _kinds(database) == []  # an empty corpus has nothing to lose
    _with_project(database)  # opened before the project existed: still no copy
    assert _kinds(database) == []
    Corpus.open(str(database)).close()
    assert _kinds(database) == ["daily"]
    clock.advance(hours=23)
    Corpus.open(str(database)).close()
    assert _kinds(database) == ["daily"]
    clock.advance(hours=2)
    Corpus.open(str(database)).close()
    assert _kinds(database) == ["daily", "daily"]
    (first, second) = backups.backups_of(database)
    assert second.taken - first.taken == timedelta(hours=25)
    assert _projects(second.path) == ["news"]


def test_pruning_keeps_the_newest_daily_backups(tmp_path: Path, clock: Clock) -> None:
    database = _with_project(tmp_path / "corpus.db")
    for _day in range(10):
        Corpus.open(str(database)).close()
        clock.advance(days=1)
    kept = backups.backups_of(database)
    assert [backup.kind for backup in kept] == ["daily"] * backups.KEEP["daily"]
    assert kept[0].taken == START + timedelta(days=3)  # the three oldest went
    assert kept[-1].taken == START + timedelta(days=9)


def test_a_manual_backup_is_never_pruned_and_counts_as_the_newest(
    tmp_path: Path, clock: Clock
) -> None:
    database = _with_project(tmp_path / "corpus.db")
    backups.take_backup(database, kind=backups.MANUAL)
    for _day in range(9):
        clock.advance(days=1)
        Corpus.open(str(database)).close()
    assert _kinds(database).count("manual") == 1
    assert _kinds(database).count("daily") == 7


def test_a_backup_holds_what_is_still_in_the_wal_and_is_private(tmp_path: Path) -> None:
    database = _with_project(tmp_path / "corpus.db")
    with Corpus.open(str(database)) as corpus:
        corpus.create_project("late")  # committed into the WAL, not yet the file
        assert Path(f"{database}-wal").exists()
        copy = backups.take_backup(database, kind=backups.MANUAL)
    assert _projects(copy) == ["late", "news"]
    assert copy.parent == tmp_path / "backups"
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    if os.name == "posix":
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_a_migration_backup_is_made_once_however_often_the_migration_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    database = tmp_path / "old.db"
    database_at(database, "0001")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(command, "upgrade", broken)
        for _attempt in range(3):
            with pytest.raises(UserError):
                Corpus.open(str(database)).close()
    assert _kinds(database) == [f"before-{db.SCHEMA_HEAD}"]
    Corpus.open(str(database)).close()  # migrated now
    (copy,) = backups.backups_of(database)
    with sqlite3.connect(copy.path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001",)
        ]
    connection.close()
    assert copy.path.name.startswith(f"old.db.before-{db.SCHEMA_HEAD}.")


def test_pruning_keeps_three_migration_backups(tmp_path: Path, clock: Clock) -> None:
    database = _with_project(tmp_path / "corpus.db")
    for revision in ("0001", "0002", "0003", "0004"):
        assert backups.before_migration(database, revision) is not None
        assert backups.before_migration(database, revision) is None  # once per revision
        clock.advance(minutes=1)
    assert _kinds(database) == ["before-0002", "before-0003", "before-0004"]


def test_backup_to_a_path_never_overwrites(tmp_path: Path) -> None:
    database = _with_project(tmp_path / "corpus.db")
    existing = tmp_path / "copy.db"
    existing.write_bytes(b"precious")
    with pytest.raises(UserError, match="already exists"):
        backups.take_backup(database, kind=backups.MANUAL, target=existing)
    assert existing.read_bytes() == b"precious"
    made = backups.take_backup(database, kind=backups.MANUAL, target=tmp_path / "new.db")
    assert _projects(made) == ["news"]
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    inside = backups.take_backup(database, kind=backups.MANUAL, target=folder)
    assert inside.parent == folder and _projects(inside) == ["news"]
    with pytest.raises(UserError, match="no SQLite database"):
        backups.take_backup(tmp_path / "missing.db", kind=backups.MANUAL)


# --- restoring ------------------------------------------------------------------------------


def test_restore_replaces_the_database_and_keeps_a_copy(tmp_path: Path) -> None:
    database = _with_project(tmp_path / "corpus.db")
    saved = backups.take_backup(database, kind=backups.MANUAL)
    _with_project(database, "later")
    plan = backups.plan_restore(database, saved)
    assert plan.replaces
    assert str(database) in plan.describe()
    assert _projects(database) == ["later", "news"]  # planning changes nothing
    done = backups.restore(plan)
    assert _projects(database) == ["news"]
    assert done.kept is not None and _projects(done.kept) == ["later", "news"]
    with Corpus.open(str(database)) as corpus:
        assert [project.name for project in corpus.projects()] == ["news"]


def test_restore_refuses_what_is_not_a_whole_annotator_database(tmp_path: Path) -> None:
    database = _with_project(tmp_path / "corpus.db")
    before = database.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    damaged = backups.take_backup(database, kind=backups.MANUAL, target=tmp_path / "bad.db")
    raw = bytearray(damaged.read_bytes())
    raw[4096 : 4096 * 3] = b"\xff" * (4096 * 2)  # pages of the tables overwritten
    damaged.write_bytes(bytes(raw))
    for source, reason in [
        (text, "not a SQLite database"),
        (other, "not an annotator database"),
        (damaged, "damaged|cannot be read"),
        (tmp_path / "missing.db", "no file"),
        (database, "the database itself"),
    ]:
        with pytest.raises(UserError, match=reason):
            backups.plan_restore(database, source)
    assert database.read_bytes() == before


def test_restore_refuses_a_database_that_is_in_use(tmp_path: Path) -> None:
    database = _with_project(tmp_path / "corpus.db")
    saved = backups.take_backup(database, kind=backups.MANUAL)
    with Corpus.open(str(database)) as corpus:
        corpus.create_project("open")
        with pytest.raises(UserError, match="in use"):
            backups.restore(backups.plan_restore(database, saved))
        assert [project.name for project in corpus.projects()] == ["news", "open"]
    assert _projects(database) == ["news", "open"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_restore_replaces_a_damaged_database_and_keeps_its_bytes(tmp_path: Path) -> None:
    database = _with_project(tmp_path / "corpus.db")
    saved = backups.take_backup(database, kind=backups.MANUAL)
    database.write_bytes(b"garbage that was once a corpus")
    done = backups.restore(backups.plan_restore(database, saved))
    assert _projects(database) == ["news"]
    assert done.kept is not None and done.kept.read_bytes() == b"garbage that was once a corpus"


def test_restore_into_a_missing_database_needs_no_copy(tmp_path: Path) -> None:
    source = _with_project(tmp_path / "corpus.db")
    target = tmp_path / "fresh" / "restored.db"
    target.parent.mkdir()
    plan = backups.plan_restore(target, source)
    assert not plan.replaces
    assert backups.restore(plan).kept is None
    assert _projects(target) == ["news"]
