"""The models and the migrations describe one schema, on SQLite and on PostgreSQL.

The app creates tables only through the migrations, so a column, index, default or
allowed value added to a model without a migration would be missing from every database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pprint import pformat
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Column, Connection, Float, Index, MetaData, inspect
from sqlmodel import SQLModel

import annotator.core.models  # noqa: F401  (fills SQLModel.metadata)
from annotator.base.vocabulary import Origin
from annotator.core.db import open_engine

_QUOTED = re.compile(r"'((?:[^']|'')*)'")


@pytest.fixture
def migrated(empty_database_url: str) -> Iterator[Connection]:
    """An empty database brought to the newest revision the way every open does it."""
    engine = open_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _differences(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


def _allowed_values(sql: str) -> set[str]:
    """The quoted literals of a check, which survive PostgreSQL's rewriting of its text."""
    return {value.replace("''", "'") for value in _QUOTED.findall(sql)}


def test_migrations_build_the_schema_the_models_describe(migrated: Connection) -> None:
    differences = _differences(migrated, SQLModel.metadata)
    assert differences == [], "models and migrations differ:\n" + pformat(differences)


def test_check_constraints_allow_what_the_models_allow(migrated: Connection) -> None:
    """Autogenerate does not compare CHECK constraints, so the vocabulary checks are
    compared here by name and allowed values."""
    inspector = inspect(migrated)
    in_models = {
        (table.name, str(constraint.name)): _allowed_values(str(constraint.sqltext))
        for table in SQLModel.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    in_database = {
        (table.name, str(found["name"])): _allowed_values(found["sqltext"])
        for table in SQLModel.metadata.sorted_tables
        for found in inspector.get_check_constraints(table.name)
    }
    assert in_database == in_models
    assert in_models[("span", "ck_span_origin_known")] == {origin.value for origin in Origin}


def test_the_comparison_notices_what_the_database_lacks(migrated: Connection) -> None:
    """The comparison itself works: a column and an index only in the models are found."""
    models = MetaData(naming_convention=SQLModel.metadata.naming_convention)
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(models)
    models.tables["span"].append_column(Column("confidence", Float, nullable=True))
    Index("ix_document_title", models.tables["document"].c.title)
    differences = _differences(migrated, models)
    found = sorted((d[0], getattr(d[-1], "name", None)) for d in differences)
    assert found == [("add_column", "confidence"), ("add_index", "ix_document_title")], pformat(
        differences
    )


def test_postgresql_tables_notify_their_changes_and_sqlite_has_no_triggers(
    migrated: Connection,
) -> None:
    """Revision 0004's triggers, which the window's change watcher listens to."""
    from sqlalchemy import text

    if migrated.dialect.name == "sqlite":
        found = migrated.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        assert found.all() == []
        return
    rows = migrated.execute(
        text(
            "SELECT event_object_table, event_manipulation, action_orientation "
            "FROM information_schema.triggers WHERE trigger_name LIKE '%notify_change'"
        )
    ).all()
    watched = {"project", "label", "document", "span", "document_label", "document_status",
               "review_decision"}  # fmt: skip
    assert {(table, orientation) for table, _event, orientation in rows} == {
        (table, "STATEMENT") for table in watched
    }
    assert {event for _table, event, _orientation in rows} == {"INSERT", "UPDATE", "DELETE"}
