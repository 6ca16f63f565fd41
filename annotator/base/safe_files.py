"""Writing a file so that a failure never destroys what was there: temp file, then rename."""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager, suppress
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

from annotator.base.errors import UserError

SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_NOTADB = 26
# Files SQLite keeps beside a database; overwriting one loses or corrupts commits.
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def is_sqlite_file(path: Path) -> bool:
    """True when the file is a SQLite database with content, whatever its name.

    SQLite itself reads the header: closing a file descriptor of our own on a database
    drops every POSIX lock this process holds on it, so another program would take
    itself for the last user and delete the WAL our open connections still write to.
    """
    try:
        if not path.is_file() or path.stat().st_size < len(SQLITE_HEADER):
            return False
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except OSError:  # unreadable: not a database we could destroy
        return False
    except sqlite3.Error as error:
        # Only "not a database" says so; a database SQLite cannot open now is still one.
        return getattr(error, "sqlite_errorcode", 0) & 0xFF != _SQLITE_NOTADB
    return True


def _same_file(one: Path, other: Path) -> bool:
    try:
        if one.exists() and other.exists():
            return os.path.samefile(one, other)
    except OSError:
        pass
    return one.resolve() == other.resolve()


def refuse_database_target(path: Path, open_database: Path | None = None) -> None:
    """Raise a UserError when writing `path` could destroy a database.

    Called before anything is opened for writing: a typo such as `-o corpus.db` must
    not leave the corpus at 0 bytes.
    """
    if open_database is not None:
        if _same_file(path, open_database):
            raise UserError(f"refusing to write {path}: it is the open database")
        if any(_same_file(path, _sidecar(open_database, s)) for s in SQLITE_SIDECARS):
            raise UserError(f"refusing to write {path}: it belongs to the open database")
    for suffix in SQLITE_SIDECARS:
        if path.name.endswith(suffix):
            owner = path.with_name(path.name.removesuffix(suffix))
            if is_sqlite_file(owner) or path.exists():
                raise UserError(f"refusing to write {path}: it belongs to the database {owner}")
    if is_sqlite_file(path):
        raise UserError(f"refusing to write {path}: it is a SQLite database; choose another file")


def _sidecar(database: Path, suffix: str) -> Path:
    return database.with_name(database.name + suffix)


def _temp_beside(path: Path, *, private: bool) -> tuple[Path, int]:
    """A new file next to `path` (same folder, so the rename cannot cross file systems)."""
    permissions = 0o600 if private else 0o666  # the umask applies to the latter
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temp, os.open(temp, flags, permissions)
        except FileExistsError:
            continue


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows it (not on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _put_in_place(temp: Path, path: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(temp, path)
        return
    try:  # a hard link fails if the name is taken, with no window for a race
        os.link(temp, path)
    except FileExistsError:
        raise UserError(f"{path} already exists; choose another name") from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise UserError(f"{path} already exists; choose another name") from None
        os.replace(temp, path)
        return
    temp.unlink()


@contextmanager
def atomic_path(path: Path, *, private: bool = False, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it becomes `path` only if the block succeeds.

    For writers that want a path rather than an open file (SQLite's backup, HTML
    renderers). On any failure, including a cancel or Ctrl-C, the temporary file is
    removed and whatever was at `path` is untouched. `private` files are the user's
    alone (0600), for copies of a corpus; others get the usual permissions, or those
    of the file they replace.
    """
    path = Path(path)
    if overwrite and path.is_file() and not os.access(path, os.W_OK):
        # A file made read-only says "keep me": as if it were opened for writing.
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    try:
        temp, descriptor = _temp_beside(path, private=private)
    except OSError as error:
        raise _naming(error, path) from None
    os.close(descriptor)
    try:
        yield temp
        with temp.open("rb+") as written:
            os.fsync(written.fileno())
        if not private:
            with suppress(OSError):  # nothing there yet: the umask decided
                os.chmod(temp, stat.S_IMODE(path.stat().st_mode))
        _put_in_place(temp, path, overwrite=overwrite)
    except OSError as error:
        temp.unlink(missing_ok=True)
        if error.filename in (str(temp), temp):
            raise _naming(error, path) from None
        raise
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _naming(error: OSError, path: Path) -> OSError:
    """The same error about the file the user named, not the temporary one."""
    return type(error)(error.errno, error.strerror, str(path))


@overload
def atomic_output(
    path: Path,
    *,
    mode: Literal["w"] = "w",
    encoding: str | None = "utf-8",
    newline: str | None = None,
    private: bool = False,
    overwrite: bool = True,
) -> AbstractContextManager[TextIO]: ...


@overload
def atomic_output(
    path: Path,
    *,
    mode: Literal["wb"],
    encoding: None = None,
    newline: None = None,
    private: bool = False,
    overwrite: bool = True,
) -> AbstractContextManager[BinaryIO]: ...


def atomic_output(
    path: Path,
    *,
    mode: Literal["w", "wb"] = "w",
    encoding: str | None = "utf-8",
    newline: str | None = None,
    private: bool = False,
    overwrite: bool = True,
) -> AbstractContextManager[IO[Any]]:
    """Open a temporary file for writing; it replaces `path` only once the block ends well."""
    if mode not in {"w", "wb"}:
        raise ValueError(f"atomic_output writes new files only, not mode {mode!r}")
    return _atomic_output(
        path, binary=mode == "wb", encoding=encoding, newline=newline, private=private,
        overwrite=overwrite,
    )  # fmt: skip


@contextmanager
def _atomic_output(
    path: Path,
    *,
    binary: bool,
    encoding: str | None,
    newline: str | None,
    private: bool,
    overwrite: bool,
) -> Iterator[IO[Any]]:
    with atomic_path(path, private=private, overwrite=overwrite) as temp:
        if binary:
            with temp.open("wb") as raw:
                yield raw
        else:
            with temp.open("w", encoding=encoding, newline=newline) as out:
                yield out
