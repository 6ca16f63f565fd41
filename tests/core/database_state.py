"""What a database holds, to show a failed step left it as it was; a database with no room left."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import MetaData, event, select, text
from sqlalchemy.engine import Engine

from annotator.core.corpus import Corpus


def database_state(corpus: Corpus) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, so two states compare equal exactly when nothing changed."""
    with corpus.engine.connect() as connection:
        tables = _TABLES.get(corpus.engine)
        if tables is None:  # reflected once per engine: it costs more than the rows
            tables = _TABLES[corpus.engine] = MetaData()
            tables.reflect(connection)
        return {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in tables.tables.items()
        }


_TABLES: WeakKeyDictionary[Engine, MetaData] = WeakKeyDictionary()


def integrity_ok(corpus: Corpus) -> bool:
    """SQLite's own check of every page and index; PostgreSQL has no such command."""
    if corpus.engine.dialect.name != "sqlite":
        return True
    with corpus.engine.connect() as connection:
        return connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"


class NoRoom:
    """While on, every SQLite connection opened may not grow its database by a single page.

    Fault injection through SQLite's own limit: the error is SQLite's SQLITE_FULL, raised
    where a full disk raises it, and the rollback that follows is SQLite's own.
    """

    def __init__(self) -> None:
        self.on = False

    def start(self) -> None:
        event.listen(Engine, "connect", self._limit)
        self.on = True

    def stop(self) -> None:
        if self.on:
            event.remove(Engine, "connect", self._limit)
            self.on = False

    @staticmethod
    def _limit(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        cursor.close()
