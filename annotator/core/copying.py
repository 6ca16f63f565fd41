"""Moving a whole corpus database to another, between SQLite and PostgreSQL either way."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from annotator.base.errors import UserError
from annotator.core import models as _models  # noqa: F401  (fills SQLModel.metadata)
from annotator.core import vetting
from annotator.core.db import (
    SCHEMA_HEAD,
    _known_revision,
    _parse,
    open_engine,
    place,
    resolve_url,
    sqlite_file,
    writing,
)
from annotator.core.failures import classify

log = logging.getLogger(__name__)

# Rows read and written at a time: few round trips, little memory however large the corpus.
BATCH = 2000

CopyProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str
    target: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        counts = ", ".join(f"{table} {count}" for table, count in self.rows.items())
        return f"copied {self.total} row(s) from {self.source} to {self.target}: {counts}"


def tables() -> list[Table]:
    """Every table of the schema, parents before children: a new model is copied too.

    Alembic's version table is the target's own, and SQLite's `sqlite_sequence` (none of
    our tables use AUTOINCREMENT) would follow the copied ids by itself anyway.
    """
    return list(SQLModel.metadata.sorted_tables)


def copy_database(
    source_url: str, target_url: str, *, on_progress: CopyProgress | None = None
) -> CopyReport:
    """Copy every row of `source_url` into `target_url`, ids and all, in one transaction.

    The target must hold no data; it is given the current schema when it is new. A
    failure leaves no row in it, and a SQLite file made for the copy is removed again.
    Only rows are written: the schema, triggers included, is the migrations' alone.
    """
    source_url, target_url = resolve_url(source_url), resolve_url(target_url)
    source_place, target_place = place(_parse(source_url)), place(_parse(target_url))
    if _parse(source_url) == _parse(target_url):
        raise UserError(f"cannot copy {source_place} onto itself; give another target")
    for url in (source_url, target_url):
        if _parse(url).get_backend_name() not in {"sqlite", "postgresql"}:
            raise UserError(
                f"cannot copy {place(_parse(url))}: use a SQLite file or a PostgreSQL URL"
            )
    _refuse_missing_source(source_url)
    filled = _filled_tables(target_url)
    if filled:
        raise UserError(
            f"the target {target_place} already holds data (in {', '.join(filled)}); "
            "copy into a new SQLite file or an empty database"
        )
    target_path = sqlite_file(_parse(target_url))
    made_target = target_path is not None and not target_path.exists()
    source = open_engine(source_url)
    target: Engine | None = None
    try:
        target = open_engine(target_url)
        rows = _copy_rows(source, target, on_progress=on_progress)
    except BaseException:
        if target is not None:
            target.dispose()
        if made_target and target_path is not None:
            _remove_sqlite_file(target_path)
        raise
    finally:
        source.dispose()
    target.dispose()
    report = CopyReport(source_place, target_place, rows)
    log.info("%s", report.summary())
    return report


def _refuse_missing_source(url: str) -> None:
    """Opening a source that is not there would create it, empty."""
    found = _look(url)
    if found is None or vetting.OUR_MARK not in found[0]:
        raise UserError(f"there is no annotator database to copy at {place(_parse(url))}")


def _filled_tables(url: str) -> list[str]:
    """The tables of an existing target that hold rows: a target that is refused must
    not even be migrated."""
    found = _look(url)
    return [] if found is None else found[1]


def _look(url: str) -> tuple[set[str], list[str]] | None:
    """The tables a database has and those of our schema that hold rows, read without
    writing anything; None for a SQLite file that does not exist yet."""
    names = [table.name for table in tables()]
    path = sqlite_file(_parse(url))
    if path is not None:
        if vetting.is_new_file(path):
            return None
        where = str(path)
        vetting.refuse_unusable_sqlite(path, where=where, head=SCHEMA_HEAD, known=_known_revision)
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        try:
            with closing(sqlite3.connect(uri, uri=True)) as connection:
                listed = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
                present = {str(name) for (name,) in listed}
                filled = [
                    name
                    for name in names
                    if name in present
                    and connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()
                ]
        except sqlite3.DatabaseError as error:
            raise UserError(f"cannot read {where}: {error}") from error
        return present, filled
    engine = create_engine(_parse(url), hide_parameters=True)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            filled = [
                name
                for name in names
                if name in present
                and connection.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first()
            ]
    except DBAPIError as error:
        problem = classify(error, where=place(_parse(url)))
        if problem is None:
            raise
        raise problem from error
    finally:
        engine.dispose()
    return present, filled


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of the source, however long the copy takes."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


def _copy_rows(
    source: Engine, target: Engine, *, on_progress: CopyProgress | None
) -> dict[str, int]:
    schema = tables()
    on_postgresql = target.dialect.name == "postgresql"
    copied: dict[str, int] = {}
    try:
        with _snapshot(source) as reading, writing(target) as written:
            total = sum(
                int(reading.execute(select(func.count()).select_from(table)).scalar_one())
                for table in schema
            )
            done = 0
            if on_progress is not None:
                on_progress(0, total)
            for table in schema:
                write = _copy_into if on_postgresql else _insert_into
                copied[table.name] = 0
                # Closed at once when progress raises: a COPY must end before the rollback.
                with closing(write(written, table, _read_batches(reading, table))) as writes:
                    for count in writes:
                        done += count
                        copied[table.name] += count
                        if on_progress is not None:
                            on_progress(done, total)
            if on_postgresql:
                _move_sequences(written, reading, schema)
    except DBAPIError as error:
        problem = classify(error, where=place(target.url))
        if problem is None:
            raise
        raise problem from error
    return copied


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def _read_batches(connection: Connection, table: Table) -> Iterator[Sequence[Sequence[Any]]]:
    """The table's rows in id order, in its columns' order, as the Core types give them.
    JSON is read as its stored text, so that a SQL NULL stays NULL and not JSON null,
    and the document is written back unchanged."""
    columns: list[ColumnElement[Any]] = [
        cast(column, Text).label(column.name) if _is_json(column) else column
        for column in table.columns
    ]
    query = select(*columns).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=BATCH).execute(query)
    yield from result.partitions()


def _insert_into(
    written: Connection, table: Table, batches: Iterator[Sequence[Sequence[Any]]]
) -> Generator[int]:
    """INSERTs of every column, a batch at a time; JSON text goes in as it was read."""
    values: dict[str, Any] = {}
    keys: list[str] = []
    for column in table.columns:
        key = f"{column.name}_as_text" if _is_json(column) else column.name
        keys.append(key)  # a column's own name is SQLAlchemy's for its default parameter
        values[column.name] = bindparam(key, type_=Text if _is_json(column) else column.type)
    statement = insert(table).values(values)
    for batch in batches:
        written.execute(statement, [dict(zip(keys, row, strict=True)) for row in batch])
        yield len(batch)


def _copy_into(
    written: Connection, table: Table, batches: Iterator[Sequence[Sequence[Any]]]
) -> Generator[int]:
    """PostgreSQL's COPY, in the same transaction: over twice as fast as INSERTs, which
    psycopg sends one row at a time. The values are those the Core types read (aware
    datetimes, dates, JSON text), which psycopg adapts as SQLAlchemy would."""
    quote = written.dialect.identifier_preparer.quote
    columns = ", ".join(quote(column.name) for column in table.columns)
    cursor = written.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
        for batch in batches:
            for row in batch:
                copy.write_row(row)
            yield len(batch)


def _move_sequences(written: Connection, reading: Connection, schema: list[Table]) -> None:
    """Set each id sequence past the largest id, and never behind the source's own
    sequence, so later inserts neither collide nor reuse the ids of deleted rows."""
    from_postgresql = reading.dialect.name == "postgresql"
    for table in schema:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = written.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        ).scalar_one_or_none()
        if sequence is None:
            continue
        highest = int(written.execute(select(func.coalesce(func.max(column), 0))).scalar_one())
        if from_postgresql:
            highest = max(highest, _last_value(reading, table.name, column.name))
        if highest > 0:
            written.execute(text("SELECT setval(:sequence, :value)"), {
                "sequence": sequence, "value": highest,
            })  # fmt: skip


def _last_value(connection: Connection, table: str, column: str) -> int:
    """How far the source's own sequence went; 0 when unused, or hidden from this role
    (pg_sequences shows NULL then, where reading the sequence would fail the copy)."""
    last = connection.execute(
        text(
            "SELECT s.last_value FROM pg_sequences AS s "
            "WHERE format('%I.%I', s.schemaname, s.sequencename) "
            "= pg_get_serial_sequence(:table, :column)"
        ),
        {"table": table, "column": column},
    ).scalar_one_or_none()
    return int(last) if last is not None else 0
