"""Rows several programs may create at the same moment: insert-or-get on both backends.

Checking that a label exists and then inserting it leaves a gap in which another program
(another annotator's import, a second window) can insert the same label; one of the two
then fails on the unique constraint. An insert that leaves an existing row alone
(`ON CONFLICT DO NOTHING`), followed by reading the row that is there, closes the gap: on
PostgreSQL the insert waits for the other transaction and then finds its row, on SQLite
the write lock already keeps the other program out.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert

log = logging.getLogger(__name__)

# SQLSTATEs after which the whole transaction may simply run again: PostgreSQL chose it
# to break a deadlock, or found it could not be serialised with another.
_RETRYABLE_STATES = frozenset({"40P01", "40001"})
ATTEMPTS = 5

T = TypeVar("T")


def insert_ignoring_duplicates(connection: Connection, table: Table) -> Insert:
    """An INSERT that skips a row whose unique key is already taken instead of failing."""
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"annotator does not support {name} databases")


def insert_or_get(
    connection: Connection, table: Table, values: Mapping[str, Any], key: Sequence[str]
) -> tuple[int, bool]:
    """The id of the row whose `key` columns hold `values`, and whether this call made it."""
    made = connection.execute(
        insert_ignoring_duplicates(connection, table).values(**values).returning(table.c.id)
    ).scalar()
    if made is not None:
        return int(made), True
    found = connection.execute(
        select(table.c.id).where(*(table.c[column] == values[column] for column in key))
    ).scalar_one()
    return int(found), False


def is_retryable(error: BaseException) -> bool:
    """Whether the database rolled the transaction back only because of another one."""
    original = getattr(error, "orig", None)
    return isinstance(error, DBAPIError) and getattr(original, "sqlstate", None) in (
        _RETRYABLE_STATES
    )


def retried(work: Callable[[], T], *, what: str) -> T:
    """`work` (one whole transaction) run again, a few times, when the database broke a
    deadlock by rolling it back; a short random pause lets the other transaction finish."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except DBAPIError as error:
            if attempt == ATTEMPTS or not is_retryable(error):
                raise
            log.info("%s met another transaction (%s); trying again", what, error.orig)
            time.sleep(random.uniform(0.05, 0.2) * attempt)
    raise AssertionError("unreachable")
