"""Telling a problem of the environment (a busy, full or unreachable database) from a bug."""

from __future__ import annotations

import errno
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from annotator.base.errors import DatabaseUnavailable, Unavailable
from annotator.base.vocabulary import GOLD

# SQLite's primary result codes (the low byte of an extended code), from sqlite3.h.
_SQLITE_CODES = {
    3: Unavailable.READ_ONLY,  # SQLITE_PERM
    5: Unavailable.LOCKED,  # SQLITE_BUSY
    6: Unavailable.LOCKED,  # SQLITE_LOCKED
    8: Unavailable.READ_ONLY,  # SQLITE_READONLY
    10: Unavailable.DISK_ERROR,  # SQLITE_IOERR
    11: Unavailable.CORRUPT,  # SQLITE_CORRUPT
    13: Unavailable.DISK_FULL,  # SQLITE_FULL
    14: Unavailable.CANNOT_OPEN,  # SQLITE_CANTOPEN
    15: Unavailable.LOCKED,  # SQLITE_PROTOCOL: a lock race between connections
    23: Unavailable.READ_ONLY,  # SQLITE_AUTH
    26: Unavailable.NOT_A_DATABASE,  # SQLITE_NOTADB
}

# PostgreSQL SQLSTATEs, exact first, then by class (the first two characters).
_PG_STATES = {
    "28000": Unavailable.LOGIN_REFUSED,  # invalid_authorization_specification
    "28P01": Unavailable.LOGIN_REFUSED,  # invalid_password
    "3D000": Unavailable.CANNOT_OPEN,  # invalid_catalog_name: no such database
    "42501": Unavailable.READ_ONLY,  # insufficient_privilege
    "25006": Unavailable.READ_ONLY,  # read_only_sql_transaction (a standby)
    "53100": Unavailable.DISK_FULL,  # disk_full
    "53300": Unavailable.LOCKED,  # too_many_connections
    "55P03": Unavailable.LOCKED,  # lock_not_available
    "40P01": Unavailable.LOCKED,  # deadlock_detected
    "57014": Unavailable.LOCKED,  # query_canceled: a statement or lock timeout
    "XX001": Unavailable.CORRUPT,  # data_corrupted
    "XX002": Unavailable.CORRUPT,  # index_corrupted
}
_PG_CLASSES = {
    "08": Unavailable.UNREACHABLE,  # connection_exception
    "57": Unavailable.UNREACHABLE,  # operator_intervention: shutting down, starting up
    "58": Unavailable.DISK_ERROR,  # system_error: I/O error on the server
}

# libpq reports a failed connection without a SQLSTATE; its words say which failure it was.
_LOGIN_WORDS = (
    "authentication failed",
    "password",
    "no pg_hba.conf entry",
    "is not permitted to log in",
    "role ",
)

_OS_ERRORS = {
    errno.ENOSPC: Unavailable.DISK_FULL,
    errno.EDQUOT: Unavailable.DISK_FULL,
    errno.EROFS: Unavailable.READ_ONLY,
    errno.EACCES: Unavailable.READ_ONLY,
    errno.EPERM: Unavailable.READ_ONLY,
    errno.EIO: Unavailable.DISK_ERROR,
}


def classify(error: BaseException, *, where: str | None = None) -> DatabaseUnavailable | None:
    """The environment problem behind `error`, or None when it is a bug.

    Only the driver's error codes decide; a message SQLAlchemy wraps around them (which
    holds the statement and its parameters) is never shown.
    """
    for link in _chain(error):
        if isinstance(link, DatabaseUnavailable):
            return link
        refused = _refusal(link, where)
        if refused is not None:
            return refused
        kind = _kind(link)
        if kind is not None:
            return DatabaseUnavailable(kind, where=where, detail=str(link))
    return None


def classify_uncaught(error: BaseException) -> DatabaseUnavailable | None:
    """For a last-resort handler: the database's own OSErrors come wrapped by its driver,
    so a bare one there was about some other file (an input, an output) and is a bug."""
    return None if isinstance(error, OSError) else classify(error)


@contextmanager
def translated(where: str | None = None) -> Iterator[None]:
    """Inside, a database error the environment caused leaves as its DatabaseUnavailable;
    any other goes on unchanged, a bug."""
    try:
        yield
    except DBAPIError as error:
        problem = classify(error, where=where)
        if problem is None:
            raise
        raise problem from error


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver error SQLAlchemy wraps, and the errors it was raised from."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        link = pending.pop(0)
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        orig = getattr(link, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None, link.__cause__]


def _kind(error: BaseException) -> Unavailable | None:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return _SQLITE_CODES.get(code & 0xFF) if isinstance(code, int) else None
    if isinstance(error, OSError):
        return _OS_ERRORS.get(error.errno) if error.errno is not None else None
    if _is_unknown_revision(error):
        return Unavailable.TOO_NEW
    return _postgres_kind(error)


def _is_unknown_revision(error: BaseException) -> bool:
    """Alembic cannot place the database's revision: a later annotator wrote it."""
    revision = sys.modules.get("alembic.script.revision")
    return revision is not None and isinstance(error, revision.ResolutionError)


def _postgres_kind(error: BaseException) -> Unavailable | None:
    psycopg = sys.modules.get("psycopg")  # loaded by then whenever the error is psycopg's
    if psycopg is None or not isinstance(error, psycopg.Error):
        return None
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        return _PG_STATES.get(state) or _PG_CLASSES.get(state[:2])
    if isinstance(error, psycopg.OperationalError):
        # No SQLSTATE: the connection itself failed, before or during the session.
        words = str(error).lower()
        if any(word in words for word in _LOGIN_WORDS):
            return Unavailable.LOGIN_REFUSED
        if "database" in words and "does not exist" in words:
            return Unavailable.CANNOT_OPEN
        return Unavailable.UNREACHABLE
    return None


class NotPermitted(DatabaseUnavailable):
    """The server refused what this database role may not do (team mode's grants and
    row-level security): said in the words of the team's rules, with the exit status of a
    database one may not write to."""

    def __init__(self, sentence: str, *, where: str | None, detail: str) -> None:
        super().__init__(Unavailable.READ_ONLY, where=where, detail=detail)
        self.args = (sentence,)


# The team guard of core.team raises these with SQLSTATE 42501; they are shown as they are.
OWN_LAYER_ONLY = "you may change only your own layer"
GOLD_REVIEWERS_ONLY = f"only a reviewer may change the {GOLD} layer"
# What each table's refusal means to the person.
_OWNERS_ONLY = "only the database owner may"
_REFUSALS = {
    "span": OWN_LAYER_ONLY,
    "document_label": OWN_LAYER_ONLY,
    "document_status": OWN_LAYER_ONLY,
    "review_decision": "only a reviewer may record or undo review decisions, and only their own",
    "label": f"{_OWNERS_ONLY} change labels",
    "project": f"{_OWNERS_ONLY} create or change projects",
    "document": f"{_OWNERS_ONLY} add or delete documents",
    "trash": f"{_OWNERS_ONLY} delete or restore documents and labels",
    "annotator": f"{_OWNERS_ONLY} add annotators (annotator team add)",
    "history": "you may write the history only under your own name",
    "alembic_version": f"{_OWNERS_ONLY} upgrade the database: ask them to run "
    "`annotator team init`",
}
_TABLE = re.compile(r'(?:table|relation) "?([A-Za-z_][A-Za-z0-9_]*)"?')


def _refusal(error: BaseException, where: str | None) -> NotPermitted | None:
    """A PostgreSQL permission refusal (SQLSTATE 42501: "permission denied", "new row
    violates row-level security policy", the team guard), or None."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(error, psycopg.Error):
        return None
    if getattr(error, "sqlstate", None) != "42501":
        return None
    primary = str(getattr(error.diag, "message_primary", None) or error)
    if primary in (OWN_LAYER_ONLY, GOLD_REVIEWERS_ONLY):
        return NotPermitted(primary, where=where, detail=primary)
    found = _TABLE.search(primary)
    table = found.group(1) if found else ""
    if primary.startswith("must be owner") or "for schema" in primary:  # a migration's DDL
        sentence = _REFUSALS["alembic_version"]
    elif table in _REFUSALS:
        sentence = _REFUSALS[table]
    else:
        sentence = (
            "your database role may not do this; after an upgrade of annotator, the "
            "database owner runs `annotator team init` again"
        )
    return NotPermitted(sentence, where=where, detail=primary)
