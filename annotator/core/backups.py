"""Copies of a SQLite corpus: daily, before a migration, on demand, and putting one back."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotator.base.errors import UserError
from annotator.base.safe_files import (
    SQLITE_SIDECARS,
    atomic_path,
    is_sqlite_file,
    refuse_database_target,
)
from annotator.core import db

FOLDER = "backups"
DAILY = "daily"
MANUAL = "manual"
BEFORE_RESTORE = "before-restore"
BEFORE_MIGRATION = "before-"  # + the revision migrated to
# How many of each kind are kept; the oldest beyond these are removed. Copies made by
# `annotator backup` are the user's and never removed.
KEEP = {DAILY: 7, BEFORE_MIGRATION: 3, BEFORE_RESTORE: 3}
DAILY_INTERVAL = timedelta(days=1)
_STAMP = "%Y%m%dT%H%M%SZ"

log = logging.getLogger(__name__)


def _now() -> datetime:
    """The clock, one place for tests to set it."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    kind: str
    taken: datetime


def folder_for(database: Path) -> Path:
    """Beside the database, so that the copies travel with it and need no setting."""
    return database.parent / FOLDER


def backups_of(database: Path) -> list[Backup]:
    """The copies of this database in its backups folder, oldest first."""
    pattern = re.compile(
        rf"{re.escape(database.name)}\.(?P<kind>[\w.-]+?)\.(?P<stamp>\d{{8}}T\d{{6}}Z)(-\d+)?\.bak"
    )
    found = []
    try:
        names = [entry.name for entry in folder_for(database).iterdir()]
    except OSError:
        return []
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        taken = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
        found.append(Backup(folder_for(database) / name, match["kind"], taken))
    return sorted(found, key=lambda backup: (backup.taken, backup.path.name))


def _group(kind: str) -> str:
    return (
        BEFORE_MIGRATION if kind.startswith(BEFORE_MIGRATION) and kind != BEFORE_RESTORE else kind
    )


def _copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup: the WAL's commits included, and
    safe while another program writes. The copy is one file, with no WAL of its own."""
    with (
        closing(sqlite3.connect(source, timeout=db.BUSY_TIMEOUT)) as origin,
        closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")


def _new_name(database: Path, kind: str, moment: datetime) -> Path:
    folder = folder_for(database)
    base = f"{database.name}.{kind}.{moment.strftime(_STAMP)}"
    target = folder / f"{base}.bak"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{base}-{number}.bak"
    return target


def take_backup(database: Path, *, kind: str, target: Path | None = None) -> Path:
    """Copy `database` into its backups folder (or to `target`, never over a file).

    The copy is the user's alone (0600): it holds the whole corpus.
    """
    if not is_sqlite_file(database):
        raise UserError(f"there is no SQLite database at {database}")
    if target is None:
        folder_for(database).mkdir(mode=0o700, parents=True, exist_ok=True)
        target = _new_name(database, kind, _now())
    else:
        if target.is_dir():
            target = target / _new_name(database, kind, _now()).name
        if target.exists():
            raise UserError(f"{target} already exists; a backup never overwrites a file")
        refuse_database_target(target, database)
    with atomic_path(target, private=True, overwrite=False) as temp:
        _copy(database, temp)
    _prune(database, kind)
    log.info("copied %s to %s", database, target)
    return target


def _prune(database: Path, kind: str) -> None:
    group = _group(kind)
    keep = KEEP.get(group)
    if keep is None:
        return
    same = [backup for backup in backups_of(database) if _group(backup.kind) == group]
    for backup in same[: max(0, len(same) - keep)]:
        backup.path.unlink(missing_ok=True)
        log.info("removed the old backup %s", backup.path)


def _has_projects(database: Path) -> bool:
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        row = connection.execute("SELECT EXISTS (SELECT 1 FROM project)").fetchone()
        return bool(row == (1,))


def daily_backup(database: Path) -> Path | None:
    """A copy when the newest one is more than a day old, and the corpus holds anything.

    Called on opening; a copy that cannot be made is logged, never in the user's way.
    """
    try:
        newest = backups_of(database)
        if newest and _now() - max(backup.taken for backup in newest) < DAILY_INTERVAL:
            return None
        if not _has_projects(database):
            return None
        return take_backup(database, kind=DAILY)
    except (OSError, sqlite3.Error, UserError) as error:
        log.warning("could not make the daily backup of %s: %s", database, error)
        return None


def before_migration(database: Path, revision: str) -> Path | None:
    """A copy before migrating to `revision`; only one, however often the migration is
    tried. A copy that cannot be made stops the migration."""
    kind = f"{BEFORE_MIGRATION}{revision}"
    if any(backup.kind == kind for backup in backups_of(database)):
        return None
    try:
        return take_backup(database, kind=kind)
    except (OSError, sqlite3.Error) as error:
        raise UserError(f"cannot copy {database} aside before migrating it: {error}") from error


# --- restoring ------------------------------------------------------------------------------


def check_restorable(source: Path) -> str:
    """The schema revision of `source`, once it is known to be a whole annotator database."""
    if not source.is_file():
        raise UserError(f"there is no file at {source}")
    if not is_sqlite_file(source):
        raise UserError(f"{source} is not a SQLite database; nothing was restored")
    try:
        uri = f"{source.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            checked = connection.execute("PRAGMA integrity_check").fetchall()
            if checked != [("ok",)]:
                raise UserError(f"{source} is damaged; nothing was restored")
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables or "project" not in tables:
                raise UserError(f"{source} is not an annotator database; nothing was restored")
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as error:
        raise UserError(
            f"{source} cannot be read as a database ({error}); nothing was restored"
        ) from error
    revisions = [str(row[0]) for row in rows]
    if len(revisions) != 1 or revisions[0] not in _known_revisions():
        raise UserError(
            f"{source} was made by another version of annotator "
            f"(schema {', '.join(revisions) or 'none'}); nothing was restored"
        )
    return revisions[0]


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from annotator.core.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


@dataclass(frozen=True, slots=True)
class Restore:
    """What a restore does, said before it is done."""

    database: Path
    source: Path
    revision: str
    replaces: bool
    kept: Path | None = None

    def describe(self) -> str:
        if not self.replaces:
            return f"{self.database} does not exist; it will be a copy of {self.source}"
        size = self.database.stat().st_size if self.database.exists() else 0
        return (
            f"would replace {self.database} ({size} bytes) with {self.source} "
            f"(schema {self.revision}); a copy of the current database would be kept in "
            f"{folder_for(self.database)}"
        )


def plan_restore(database: Path, source: Path) -> Restore:
    revision = check_restorable(source)
    if database.exists() and source.resolve() == database.resolve():
        raise UserError(f"{source} is the database itself; choose a backup to restore")
    return Restore(database, source, revision, replaces=database.exists())


def restore(plan: Restore) -> Restore:
    """Put the backup in place of the database, keeping a copy of what it replaces.

    The new file is complete before one rename puts it where the database was; a
    database still in use elsewhere is left alone.
    """
    database = plan.database
    kept = _keep_current(database) if plan.replaces else None
    with atomic_path(database) as temp:
        _copy(plan.source, temp)
        if plan.replaces:
            _release(database)
        for suffix in SQLITE_SIDECARS:  # a damaged file's: they must not meet the new one
            database.with_name(database.name + suffix).unlink(missing_ok=True)
    log.info("restored %s from %s", database, plan.source)
    return Restore(database, plan.source, plan.revision, plan.replaces, kept)


def _keep_current(database: Path) -> Path:
    try:
        return take_backup(database, kind=BEFORE_RESTORE)
    except (sqlite3.DatabaseError, UserError):
        pass  # damaged, or not a database at all: keep its bytes as they are
    folder_for(database).mkdir(mode=0o700, parents=True, exist_ok=True)
    target = _new_name(database, BEFORE_RESTORE, _now())
    for suffix in ("-wal", ""):
        original = database.with_name(database.name + suffix)
        if original.exists():
            with atomic_path(target.with_name(target.name + suffix), private=True) as temp:
                shutil.copyfile(original, temp)
    return target


def _release(database: Path) -> None:
    """Fold the WAL into the file and leave WAL mode, which only works when no one else
    has the database open: a stale WAL must never be applied to the restored file."""
    try:
        with closing(sqlite3.connect(database, timeout=1.0)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise UserError(
                f"{database} is in use by another program; close annotator there and try again"
            ) from error
    except sqlite3.DatabaseError:
        pass  # the damaged file being replaced
