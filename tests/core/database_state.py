"""What a database holds, every row of every table, to show that a failed step left it as it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, select, text

from annotator.core.corpus import Corpus


def database_state(corpus: Corpus) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, so two states compare equal exactly when nothing changed."""
    with corpus.engine.connect() as connection:
        tables = MetaData()
        tables.reflect(connection)
        return {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in tables.tables.items()
        }


def integrity_ok(corpus: Corpus) -> bool:
    """SQLite's own check of every page and index; PostgreSQL has no such command."""
    if corpus.engine.dialect.name != "sqlite":
        return True
    with corpus.engine.connect() as connection:
        return connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
