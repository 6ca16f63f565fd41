"""Telling a database annotator may open from one it must leave alone, before writing to it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Collection, Sequence
from contextlib import closing, suppress
from pathlib import Path
from urllib.parse import quote

from annotator.base.errors import DatabaseUnavailable, Unavailable

SQLITE_MAGIC = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"
# A table every revision of annotator's schema has: an unknown revision beside it is a
# newer annotator's; beside tables of its own, it is another application's Alembic.
OUR_MARK = "project"
_SQLITE_REFUSALS = {11: Unavailable.CORRUPT, 26: Unavailable.NOT_A_DATABASE}


def refusal(
    tables: Collection[str],
    revisions: Sequence[str],
    *,
    head: str,
    known: Callable[[str], bool],
) -> Unavailable | None:
    """Why a database holding `tables` at `revisions` must be left alone, or None.

    No tables at all is a new database. Tables without a recorded revision were made by
    another program: giving them our tables would mix two applications in one file.
    """
    tables = {name for name in tables if not name.startswith("sqlite_")}
    if VERSION_TABLE not in tables:
        return Unavailable.FOREIGN if tables else None
    if list(revisions) == [head] or all(known(revision) for revision in revisions):
        return None
    return Unavailable.TOO_NEW if OUR_MARK in tables else Unavailable.FOREIGN


def is_new_file(path: Path) -> bool:
    """A path with no file, or an empty file: SQLite makes a new database there."""
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False  # SQLite's own open says what is wrong with it


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner alone; SQLite gives the same mode
    to the -wal and -shm files it makes beside it. An existing file is left as it is."""
    # There already, or not allowed: SQLite's own open then reports the latter.
    with suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def read_sqlite(path: Path, *, where: str) -> tuple[set[str], list[str]]:
    """The tables and recorded revisions of an existing SQLite file, read without writing.

    Raises the DatabaseUnavailable of a file whose header is not a database's or is
    damaged, and SQLite's own error when it cannot read the file.
    """
    kind = _damaged_header(path)
    if kind is not None:
        raise DatabaseUnavailable(kind, where=where, detail="checked from the file header")
    if _alone(path):
        # An immutable read creates no -wal or -shm beside a file that has none. It may
        # see a file torn by a writer starting at that moment: only the plain read-only
        # open below may refuse it.
        try:
            return _read_tables(path, immutable=True)
        except sqlite3.DatabaseError:
            pass
    return _read_tables(path)


def check_integrity(path: Path, *, where: str) -> None:
    """SQLite's quick check over the whole file: a damaged database is never migrated.

    As in read_sqlite, only the plain read-only open may condemn the file."""
    for immutable in (True, False) if _alone(path) else (False,):
        try:
            with closing(_connect(path, immutable=immutable)) as connection:
                verdict = [row[0] for row in connection.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as error:
            kind = _SQLITE_REFUSALS.get(error.sqlite_errorcode & 0xFF)
            if kind is None:
                return
            if not immutable:
                raise DatabaseUnavailable(kind, where=where, detail=str(error)) from error
            continue
        if verdict == ["ok"]:
            return
    raise DatabaseUnavailable(Unavailable.CORRUPT, where=where, detail="; ".join(verdict))


def refuse_unusable_sqlite(
    path: Path, *, where: str, head: str, known: Callable[[str], bool]
) -> None:
    """Raise the DatabaseUnavailable of a SQLite file annotator must not open or change."""
    if is_new_file(path):
        return
    try:
        found = read_sqlite(path, where=where)
    except sqlite3.DatabaseError as error:
        kind = _SQLITE_REFUSALS.get(error.sqlite_errorcode & 0xFF)
        if kind is None:
            return
        raise DatabaseUnavailable(kind, where=where, detail=str(error)) from error
    tables, revisions = found
    kind = refusal(tables, revisions, head=head, known=known)
    if kind is not None:
        raise DatabaseUnavailable(kind, where=where, detail=f"tables {sorted(tables)}")
    if revisions != [head] and tables - {VERSION_TABLE}:
        check_integrity(path, where=where)  # about to be copied aside and migrated


def _read_tables(path: Path, *, immutable: bool = False) -> tuple[set[str], list[str]]:
    with closing(_connect(path, immutable=immutable)) as connection:
        tables = {
            str(name)
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        revisions: list[str] = []
        if VERSION_TABLE in tables:
            rows = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}")
            revisions = [str(revision) for (revision,) in rows]
    return tables, revisions


def _connect(path: Path, *, immutable: bool) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


def _alone(path: Path) -> bool:
    """No -wal and no hot -journal beside the file: the file alone is the whole database."""
    return not any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))


def _damaged_header(path: Path) -> Unavailable | None:
    """What the first hundred bytes and the size say, before SQLite reads any further.

    A file cut short is only noticed by SQLite when a query reaches the missing pages,
    long after the WAL switch would have written to its header.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
        size = path.stat().st_size
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return Unavailable.NOT_A_DATABASE
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return Unavailable.CORRUPT
    if size % page_size:
        return Unavailable.CORRUPT
    pages = int.from_bytes(header[28:32], "big")
    counted = header[24:28] == header[92:96]  # SQLite trusts the page count only then
    if counted and size < pages * page_size and _alone(path):
        return Unavailable.CORRUPT
    return None
