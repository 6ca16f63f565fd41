"""Streaming a project out of the database for the writers in `annotator.formats`.

Rows come straight from SQLAlchemy Core in document order, a batch at a time, so a
million spans never sit in memory; timestamps and context are computed in SQL so the
Python side only passes values through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.exc import DBAPIError

from annotator.base.errors import UserError
from annotator.base.safe_files import atomic_output, atomic_path, refuse_database_target
from annotator.base.text import CONTEXT_CHARS
from annotator.base.vocabulary import COUNTED_ORIGINS, GOLD, ExportFormat, Status
from annotator.core.catalog import Catalog
from annotator.core.db import place, sqlite_file
from annotator.core.effort import Effort
from annotator.core.failures import classify
from annotator.core.models import (
    annotator_t,
    doclabel_t,
    document_t,
    effort_t,
    label_t,
    span_t,
    status_t,
)
from annotator.core.ordering import code_point_order
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileFormat, FileNotes, WriteOptions, file_format

log = logging.getLogger(__name__)

SPAN_COLUMNS = (
    "span_id", "document_id", "document_hash", "document_title", "source_url",
    "annotator", "label", "start", "end", "text", "left_context", "right_context",
    "note", "origin", "created_at", "updated_at",
)  # fmt: skip
DOCUMENT_LABEL_COLUMNS = (
    "document_id", "document_hash", "document_title", "source_url",
    "annotator", "label", "created_at",
)  # fmt: skip
BATCH = 10_000


def format_timestamp(moment: datetime) -> str:
    """One fixed ISO 8601 form, the same one the SQL below produces."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _iso(column: Any, dialect: str) -> ColumnElement[str]:
    """The stored timestamp as text in SQL, so that no row is parsed into a datetime."""
    if dialect == "sqlite":  # stored as naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff'
        return func.replace(cast(column, String), " ", "T") + literal("+00:00")
    return func.to_char(func.timezone("UTC", column), literal('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))


@dataclass(frozen=True, slots=True)
class ExportFilter:
    annotators: Sequence[str] = ()
    labels: Sequence[str] = ()
    statuses: Sequence[Status] = ()
    origins: Sequence[str] = ()  # spans of these origins too, beyond COUNTED_ORIGINS

    @property
    def span_origins(self) -> list[str]:
        return sorted({*COUNTED_ORIGINS, *self.origins})


def _status_of(annotator_column: Any) -> ColumnElement[str]:
    return func.coalesce(
        select(status_t.c.status)
        .where(
            status_t.c.document_id == document_t.c.id,
            status_t.c.annotator_id == annotator_column,
        )
        .scalar_subquery(),
        literal(Status.TODO.value),
    )


def _filtered(
    query: Select[Any], chosen: ExportFilter, *, annotator_column: Any, label_column: Any
) -> Select[Any]:
    if chosen.annotators:
        query = query.where(annotator_t.c.name.in_(list(chosen.annotators)))
    if chosen.labels:
        query = query.where(label_column.in_(list(chosen.labels)))
    if chosen.statuses:
        query = query.where(
            _status_of(annotator_column).in_([status.value for status in chosen.statuses])
        )
    return query


def check_filter(connection: Connection, project_id: int, chosen: ExportFilter) -> None:
    """A filter that names nothing that exists is a typo, not an empty export."""
    if chosen.annotators:
        known = set(connection.execute(select(annotator_t.c.name)).scalars())
        unknown = sorted(set(chosen.annotators) - known)
        if unknown == [GOLD]:
            raise UserError("there is no gold layer yet: review decisions build it")
        if unknown:
            raise UserError(f"no annotator named {', '.join(unknown)}")
    if chosen.labels:
        known = set(
            connection.execute(
                select(label_t.c.name).where(label_t.c.project_id == project_id)
            ).scalars()
        )
        unknown = sorted(set(chosen.labels) - known)
        if unknown:
            raise UserError(f"no label named {', '.join(unknown)} in this project")


def span_rows(
    connection: Connection, project_id: int, chosen: ExportFilter = ExportFilter()
) -> Generator[Sequence[Any]]:
    """Rows in SPAN_COLUMNS order, sorted by document, then offsets."""
    dialect = connection.dialect.name
    start, end = span_t.c.start, span_t.c.end
    left_from = case((start > CONTEXT_CHARS, start - CONTEXT_CHARS), else_=0)
    query = (
        select(
            span_t.c.id, document_t.c.id, document_t.c.content_hash, document_t.c.title,
            document_t.c.source_url, annotator_t.c.name, label_t.c.name, start, end,
            span_t.c.text,
            func.substr(document_t.c.text, left_from + 1, start - left_from),
            func.substr(document_t.c.text, end + 1, CONTEXT_CHARS),
            span_t.c.note, span_t.c.origin,
            _iso(span_t.c.created_at, dialect), _iso(span_t.c.updated_at, dialect),
        )
        .select_from(span_t)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .join(annotator_t, annotator_t.c.id == span_t.c.annotator_id)
        .where(document_t.c.project_id == project_id)
        .order_by(span_t.c.document_id, start, end, span_t.c.id)
    )  # fmt: skip
    query = _filtered(
        query, chosen, annotator_column=span_t.c.annotator_id, label_column=label_t.c.name
    ).where(span_t.c.origin.in_(chosen.span_origins))
    # On PostgreSQL the rows come through a server-side cursor, closed here however the
    # reading ends (see `export_project`), not left open for the garbage collector.
    streamed = connection.execution_options(stream_results=True, yield_per=BATCH)
    with streamed.execute(query) as result:
        for partition in result.partitions():
            yield from partition


def document_label_rows(
    connection: Connection, project_id: int, chosen: ExportFilter = ExportFilter()
) -> Iterator[Sequence[Any]]:
    """Rows in DOCUMENT_LABEL_COLUMNS order."""
    dialect = connection.dialect.name
    created = _iso(doclabel_t.c.created_at, dialect)
    query = (
        select(
            document_t.c.id, document_t.c.content_hash, document_t.c.title,
            document_t.c.source_url, annotator_t.c.name, label_t.c.name, created,
        )
        .select_from(doclabel_t)
        .join(document_t, document_t.c.id == doclabel_t.c.document_id)
        .join(label_t, label_t.c.id == doclabel_t.c.label_id)
        .join(annotator_t, annotator_t.c.id == doclabel_t.c.annotator_id)
        .where(document_t.c.project_id == project_id)
        .order_by(
            document_t.c.id, code_point_order(annotator_t.c.name), label_t.c.position,
            code_point_order(label_t.c.name),
        )
    )  # fmt: skip
    query = _filtered(
        query, chosen, annotator_column=doclabel_t.c.annotator_id, label_column=label_t.c.name
    )
    yield from connection.execute(query)


def count_spans(connection: Connection, project_id: int) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(span_t)
            .join(document_t, document_t.c.id == span_t.c.document_id)
            .where(document_t.c.project_id == project_id)
        ).scalar_one()
    )


def count_documents(connection: Connection, project_id: int) -> int:
    return int(
        connection.execute(
            select(func.count()).where(document_t.c.project_id == project_id)
        ).scalar_one()
    )


def documents_with_layers(
    connection: Connection,
    project_id: int,
    chosen: ExportFilter = ExportFilter(),
    *,
    batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Each document with every annotator's spans, document labels and status."""
    last_id = 0
    while True:
        documents = connection.execute(
            select(
                document_t.c.id, document_t.c.text, document_t.c.title, document_t.c.author,
                document_t.c.published, document_t.c.source_url, document_t.c.meta,
            )
            .where(document_t.c.project_id == project_id, document_t.c.id > last_id)
            .order_by(document_t.c.id)
            .limit(batch)
        ).all()  # fmt: skip
        if not documents:
            return
        last_id = documents[-1].id
        ids = [row.id for row in documents]
        layers = _layers(connection, ids, chosen)
        for row in documents:
            annotations = layers.get(row.id, {})
            if chosen.statuses and not annotations:
                continue
            yield {
                "text": row.text,
                "title": row.title,
                "author": row.author,
                "published": row.published.isoformat() if row.published else None,
                "source_url": row.source_url,
                "meta": row.meta or {},
                "annotations": [annotations[name] for name in sorted(annotations)],
            }


def _layers(
    connection: Connection, document_ids: list[int], chosen: ExportFilter
) -> dict[int, dict[str, dict[str, Any]]]:
    layers: dict[int, dict[str, dict[str, Any]]] = {}

    def layer(document_id: int, annotator: str) -> dict[str, Any]:
        per_document = layers.setdefault(document_id, {})
        if annotator not in per_document:
            per_document[annotator] = {
                "annotator": annotator, "status": None, "document_labels": [], "spans": [],
            }  # fmt: skip
        return per_document[annotator]

    statuses = connection.execute(
        select(status_t.c.document_id, annotator_t.c.name, status_t.c.status)
        .join(annotator_t, annotator_t.c.id == status_t.c.annotator_id)
        .where(status_t.c.document_id.in_(document_ids))
    )
    status_of = {(document_id, name): status for document_id, name, status in statuses}

    def wanted(document_id: int, annotator: str) -> bool:
        if chosen.annotators and annotator not in chosen.annotators:
            return False
        if chosen.statuses:
            status = status_of.get((document_id, annotator), Status.TODO.value)
            return status in {s.value for s in chosen.statuses}
        return True

    for (document_id, name), status in status_of.items():
        if wanted(document_id, name):
            layer(document_id, name)["status"] = status
    _add_effort(connection, document_ids, wanted, layer)
    labels = connection.execute(
        select(doclabel_t.c.document_id, annotator_t.c.name, label_t.c.name)
        .join(annotator_t, annotator_t.c.id == doclabel_t.c.annotator_id)
        .join(label_t, label_t.c.id == doclabel_t.c.label_id)
        .where(doclabel_t.c.document_id.in_(document_ids))
    )
    for document_id, name, label in labels:
        if wanted(document_id, name) and (not chosen.labels or label in chosen.labels):
            layer(document_id, name)["document_labels"].append(label)
    spans = connection.execute(
        select(
            span_t.c.document_id, annotator_t.c.name, span_t.c.start, span_t.c.end,
            label_t.c.name, span_t.c.text, span_t.c.note, span_t.c.origin,
            span_t.c.created_at, span_t.c.updated_at,
        )
        .join(annotator_t, annotator_t.c.id == span_t.c.annotator_id)
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .where(span_t.c.document_id.in_(document_ids), span_t.c.origin.in_(chosen.span_origins))
    )  # fmt: skip
    for document_id, name, start, end, label, text, note, origin, created, updated in spans:
        if wanted(document_id, name) and (not chosen.labels or label in chosen.labels):
            layer(document_id, name)["spans"].append(
                {
                    "start": start, "end": end, "label": label, "text": text, "note": note,
                    "origin": origin, "created_at": format_timestamp(created),
                    "updated_at": format_timestamp(updated),
                }
            )  # fmt: skip
    # Sorted here, by name rather than by label position or database collation: neither
    # travels with the file, and a re-imported export must write the same bytes again.
    for per_document in layers.values():
        for entry in per_document.values():
            entry["document_labels"].sort()
            entry["spans"].sort(key=lambda span: (span["start"], span["end"], span["label"]))
    return layers


def _add_effort(
    connection: Connection,
    document_ids: list[int],
    wanted: Callable[[int, str], bool],
    layer: Callable[[int, str], dict[str, Any]],
) -> None:
    """Time spent beside the status: a layer gets "effort" only where a row exists, so
    files from before the measuring began, and their re-exports, stay as they were."""
    rows = connection.execute(
        select(
            effort_t.c.document_id, annotator_t.c.name, effort_t.c.active_seconds,
            effort_t.c.keystrokes, effort_t.c.spans_made,
        )
        .join(annotator_t, annotator_t.c.id == effort_t.c.annotator_id)
        .where(effort_t.c.document_id.in_(document_ids))
    )  # fmt: skip
    for document_id, name, seconds, keystrokes, spans_made in rows:
        if wanted(document_id, name):
            effort = Effort(float(seconds), int(keystrokes), int(spans_made)).as_json()
            del effort["spans_per_minute"]  # derived; stats gives it
            layer(document_id, name)["effort"] = effort


ProgressCallback = Callable[[int, int], bool | None]


@dataclass(frozen=True, slots=True)
class ExportReport:
    rows: int  # spans for CSV, documents for the other formats
    document_labels: int
    files: tuple[Path, ...]
    notes: FileNotes = field(default_factory=FileNotes)  # what the format could not hold


def document_records(
    connection: Connection, project_id: int, chosen: ExportFilter = ExportFilter()
) -> Iterator[DocumentRecord]:
    """Each document with every layer, as the records the format writers take."""
    for document in documents_with_layers(connection, project_id, chosen):
        record = DocumentRecord(
            text=document["text"],
            title=document["title"],
            author=document["author"],
            published=date.fromisoformat(document["published"]) if document["published"] else None,
            source_url=document["source_url"],
            meta=dict(document["meta"]),
        )
        for layer in document["annotations"]:
            if not (layer["status"] or layer["document_labels"] or layer["spans"]):
                continue  # effort alone, which only our JSONL holds
            name = layer["annotator"]
            record.layers.append(AnnotatorLayer(name, layer["status"], layer["document_labels"]))
            record.spans.extend(
                SpanRecord(
                    start=span["start"], end=span["end"], label=span["label"], annotator=name,
                    text=span["text"], note=span["note"], origin=span["origin"],
                )
                for span in layer["spans"]
            )  # fmt: skip
        yield record


class ExportCancelled(UserError):
    """The user stopped the export; whatever was at the output path is as it was."""


def refuse_output(corpus: Catalog, path: Path) -> None:
    """Refuse an output path that is the open database, its journal, or any SQLite file."""
    refuse_database_target(path, sqlite_file(corpus.engine.url))


def export_project(
    corpus: Catalog,
    project_id: int,
    *,
    format_name: str,
    output: Path,
    chosen: ExportFilter = ExportFilter(),
    excel: bool = False,
    options: WriteOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> ExportReport:
    """Write a project in any format of the registry; the CLI and GUI share it.

    `on_progress(done, total)` may return False to cancel. Each file is written beside
    its path and renamed into place only once complete, so a failure or a cancel leaves
    what was there before untouched and no partial file behind.
    """
    from annotator.formats import csv_export, jsonl_export

    def report(done: int, total: int) -> None:
        if on_progress is not None and on_progress(done, total) is False:
            raise ExportCancelled("export cancelled")

    chosen_format = file_format(format_name, exporting=True)
    if format_name not in (ExportFormat.CSV, ExportFormat.JSONL):
        refuse_output(corpus, output)
        return _export_documents(
            corpus, project_id, chosen_format, output, chosen, options or WriteOptions(), report
        )
    labels_path = csv_export.companion_path(output, "document-labels")
    refuse_output(corpus, output)
    if format_name == ExportFormat.CSV:
        refuse_output(corpus, labels_path)
    with _export_errors(corpus, output), corpus.engine.connect() as connection:
        check_filter(connection, project_id, chosen)
        if format_name == ExportFormat.CSV:
            total = count_spans(connection, project_id)
            encoding = csv_export.encoding_for(excel=excel)
            # Both renames happen only once both tables are written.
            with (
                atomic_output(output, encoding=encoding, newline="") as spans_out,
                atomic_output(labels_path, encoding=encoding, newline="") as labels_out,
                closing(span_rows(connection, project_id, chosen)) as spans,
            ):
                rows = csv_export.write_rows(
                    spans_out, SPAN_COLUMNS, spans, excel=excel,
                    on_rows=lambda n: report(n, total),
                )  # fmt: skip
                labels = csv_export.write_rows(
                    labels_out, DOCUMENT_LABEL_COLUMNS,
                    document_label_rows(connection, project_id, chosen), excel=excel,
                )  # fmt: skip
            log.info("exported %d span(s) of project %d to %s", rows, project_id, output)
            return ExportReport(rows, labels, (output, labels_path))
        total = count_documents(connection, project_id)
        with atomic_output(output, encoding="utf-8", newline="\n") as out:
            rows = jsonl_export.write_documents(
                out, documents_with_layers(connection, project_id, chosen),
                on_document=lambda n: report(n, total),
            )  # fmt: skip
        log.info("exported %d document(s) of project %d to %s", rows, project_id, output)
        return ExportReport(rows, 0, (output,))


@contextmanager
def _export_errors(corpus: Catalog, output: Path) -> Iterator[None]:
    """The environment's failures in words: the database's, and the disk's at `output`."""
    try:
        yield
    except (ExportCancelled, DBAPIError) as error:
        problem = classify(error, where=place(corpus.engine.url))
        if problem is None:
            raise
        raise problem from error
    except OSError as error:
        raise UserError(
            f"cannot write {error.filename or output}: {error.strerror or error}"
        ) from error


def _export_documents(
    corpus: Catalog,
    project_id: int,
    chosen_format: FileFormat,
    output: Path,
    chosen: ExportFilter,
    options: WriteOptions,
    report: Callable[[int, int], None],
) -> ExportReport:
    """A document format: the writer takes the records as they stream out of the database."""
    writer = chosen_format.writer  # a missing extra is said before anything is read
    notes = FileNotes()
    written = 0

    def counted(records: Iterator[DocumentRecord], total: int) -> Iterator[DocumentRecord]:
        nonlocal written
        for record in records:
            yield record
            written += 1
            if written % 100 == 0:
                report(written, total)
        report(written, total)

    with _export_errors(corpus, output), corpus.engine.connect() as connection:
        check_filter(connection, project_id, chosen)
        total = count_documents(connection, project_id)
        writer(
            counted(document_records(connection, project_id, chosen), total),
            output, options, notes,
        )  # fmt: skip
    log.info(
        "exported %d document(s) of project %d as %s to %s",
        written, project_id, chosen_format.name, output,
    )  # fmt: skip
    return ExportReport(written, 0, (output,), notes)


def write_review_log(corpus: Catalog, project_id: int, output: Path, *, excel: bool) -> int:
    """Every review decision as CSV, written safely; returns the number of rows."""
    from annotator.core.review import DECISION_COLUMNS, decision_rows

    refuse_output(corpus, output)
    with closing(decision_rows(corpus, project_id)) as rows:
        return _write_csv(output, DECISION_COLUMNS, rows, excel=excel)


def write_feedback(
    corpus: Catalog,
    project_id: int,
    annotator: str,
    output: Path,
    *,
    excel: bool = False,
    title: str | None = None,
    html: bool | None = None,
) -> int:
    """An annotator's review feedback as one HTML page, or CSV (by default for a .csv path)."""
    from annotator.core.review import feedback_rows
    from annotator.formats.feedback_html import FEEDBACK_COLUMNS, write_feedback_html

    refuse_output(corpus, output)
    rows = feedback_rows(corpus, project_id, annotator)
    if html is False or (html is None and output.suffix.lower() == ".csv"):
        return _write_csv(output, FEEDBACK_COLUMNS, rows, excel=excel)
    try:
        with atomic_path(output) as temp:
            return write_feedback_html(rows, temp, title=title)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror or error}") from error


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool
) -> int:
    from annotator.formats import csv_export

    try:
        with atomic_output(path, encoding=csv_export.encoding_for(excel=excel), newline="") as out:
            return csv_export.write_rows(out, header, rows, excel=excel)
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror or error}") from error
