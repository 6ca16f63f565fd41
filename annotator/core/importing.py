"""Bringing files into a project: every file whole or not at all, duplicates counted, bulk speed.

Readers (in `annotator.formats`) parse and validate a whole file before anything is
written, so a bad line leaves nothing of its file behind. Writing goes through
SQLAlchemy Core because the ORM is ~10x slower for thousands of rows. The whole
import is one transaction, each file a savepoint inside it, so a cancelled import
writes nothing and a file the database refuses does not take the others with it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlmodel import Session

from annotator.base.errors import InputError, UserError
from annotator.base.offsets import check_offsets
from annotator.base.text import content_hash
from annotator.base.vocabulary import GOLD, ImportFormat, LabelKind, Status
from annotator.core.changes import record as record_change
from annotator.core.corpus import Corpus
from annotator.core.db import place, writing
from annotator.core.failures import classify, translated
from annotator.core.models import (
    DocumentLabel,
    DocumentStatus,
    Span,
    annotator_t,
    doclabel_t,
    document_t,
    history_t,
    label_t,
    project_t,
    span_t,
    status_t,
    utc_now,
)
from annotator.core.operations import DEFAULT_COLORS, create_project
from annotator.formats.records import (
    AnnotatorLayer,
    DocumentLabelRowRecord,
    DocumentRecord,
    SpanRecord,
    SpanRowRecord,
)

Record = DocumentRecord | SpanRowRecord | DocumentLabelRowRecord
Reader = Callable[[Path], Iterable[Record]]
ProgressCallback = Callable[[int, int, str], bool | None]

log = logging.getLogger(__name__)

STATUS_RANK = {Status.TODO.value: 0, Status.IN_PROGRESS.value: 1, Status.DONE.value: 2}
KNOWN_SUFFIXES = {
    ".txt": ImportFormat.TXT, ".text": ImportFormat.TXT,
    ".md": ImportFormat.MD, ".markdown": ImportFormat.MD,
    ".jsonl": ImportFormat.JSONL, ".ndjson": ImportFormat.JSONL, ".csv": ImportFormat.CSV,
}  # fmt: skip
FORMATS = tuple(ImportFormat)


class ImportCancelled(UserError):
    """The user stopped the import; nothing of it was written."""


@dataclass
class ImportReport:
    files: int = 0
    documents: int = 0
    duplicates: int = 0
    spans: int = 0
    spans_already_present: int = 0
    document_labels: int = 0
    statuses: int = 0
    labels_created: list[str] = field(default_factory=list)
    failures: list[InputError] = field(default_factory=list)

    def add(self, counts: _FileCounts) -> None:
        """Count what a committed write did."""
        self.documents += counts.documents
        self.duplicates += counts.duplicates
        self.spans += counts.spans
        self.spans_already_present += counts.spans_present
        self.document_labels += counts.document_labels
        self.statuses += counts.statuses
        self.labels_created.extend(name for _, name, _ in counts.new_labels)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self, *, details: bool = True) -> str:
        """What happened, in words; `details` adds one line per failed file."""
        lines = [
            f"imported {self.documents} document(s) and {self.spans} span(s) "
            f"from {self.files - len(self.failures)} of {self.files} file(s)",
            f"skipped {self.duplicates} duplicate document(s)"
            + (f" and {self.spans_already_present} span(s) already present"
               if self.spans_already_present else ""),
        ]  # fmt: skip
        if self.document_labels or self.statuses:
            lines.append(
                f"set {self.document_labels} document label(s) and {self.statuses} status(es)"
            )
        if self.labels_created:
            lines.append(f"created label(s): {', '.join(self.labels_created)}")
        lines.append(f"failed: {len(self.failures)} file(s)")
        if details:
            lines.extend(f"  {failure}" for failure in self.failures)
        return "\n".join(lines)


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[InputError]]:
    """Files to read: folders recursively (known suffixes only, hidden entries skipped).

    A folder that cannot be read, or holds nothing to import, is a failure of its own,
    never a silent "0 of 0 files".
    """
    files: list[Path] = []
    problems: list[InputError] = []
    for path in paths:
        if path.is_dir():
            found = _folder_files(path, problems)
            if not found and not any(problem.path == path for problem in problems):
                known = ", ".join(sorted(KNOWN_SUFFIXES))
                problems.append(InputError(f"no files to import here ({known})", path=path))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(InputError("no such file or folder", path=path))
    return files, problems


def _folder_files(folder: Path, problems: list[InputError]) -> list[Path]:
    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        problems.append(InputError(f"cannot read this folder: {error.strerror}", path=where))

    found: list[Path] = []
    for root, folders, names in os.walk(folder, onerror=unreadable):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            candidate = Path(root) / name
            if name.startswith(".") or candidate.suffix.lower() not in KNOWN_SUFFIXES:
                continue
            if candidate.is_file():
                found.append(candidate)
    return sorted(found)


def reader_for(path: Path, *, format_name: str | None, text_column: str) -> Reader:
    # Each reader is imported when a file needs it: Markdown parsing alone takes longer
    # to load than a small JSONL import takes to run.
    name = format_name or KNOWN_SUFFIXES.get(path.suffix.lower())
    if name in (ImportFormat.TXT, ImportFormat.MD):
        from annotator.formats import article

        markdown: dict[str, bool] = {ImportFormat.MD: True, ImportFormat.TXT: False}
        forced = markdown.get(format_name or "")
        return lambda p: [article.read_text_document(p, markdown=forced)]
    if name == ImportFormat.JSONL:
        from annotator.formats import jsonl

        return jsonl.read_jsonl
    if name == ImportFormat.CSV:
        from annotator.formats import csvfile

        return lambda p: csvfile.read_csv(p, text_column=text_column)
    raise InputError(
        f"unknown file type {path.suffix or '(none)'}; "
        f"use --format with one of {', '.join(FORMATS)}",
        path=path,
    )


def import_paths(
    corpus: Corpus,
    paths: Sequence[Path],
    *,
    project: str,
    format_name: str | None = None,
    text_column: str = "text",
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import files into `project` (created when missing); failures are reported, not raised."""
    if format_name is not None and format_name not in FORMATS:
        raise UserError(f"unknown import format {format_name!r}; choose from {', '.join(FORMATS)}")
    if corpus.annotator_name == GOLD:
        raise UserError(f"{GOLD!r} is the adjudicated layer, built by review: import as a person")
    files, missing = expand_paths(paths)
    report = ImportReport(files=len(files) + len(missing), failures=list(missing))
    total_bytes = sum(_size(path) for path in files) or 1
    done_bytes = 0
    with (
        translated(place(corpus.engine.url)),
        writing(corpus.engine) as connection,
    ):
        # Created in the import's transaction, so a cancelled import leaves no project behind.
        existed = _project_id(connection, project) is not None
        project_id = ensure_project(connection, project, importer=corpus.annotator_name)
        writer = Writer(connection, project_id=project_id, importer=corpus.annotator_name)
        batch = _Batch(connection, writer, report)
        for path in files:
            if on_progress is not None and on_progress(done_bytes, total_bytes, path.name) is False:
                raise ImportCancelled("import cancelled; nothing was written")
            try:
                reader = reader_for(path, format_name=format_name, text_column=text_column)
                records = list(_located(reader(path), path))
            except InputError as error:
                report.failures.append(error.located(path=path))
            else:
                batch.add(path, records)
            done_bytes += _size(path)
        batch.flush()
        if on_progress is not None and on_progress(total_bytes, total_bytes, "") is False:
            raise ImportCancelled("import cancelled; nothing was written")
        if not existed and not _wrote_anything(report):
            # Every file failed: the project this import made would be an empty leftover.
            connection.execute(delete(history_t).where(history_t.c.project_id == project_id))
            connection.execute(delete(project_t).where(project_t.c.id == project_id))
    # File names and line numbers only: a reason may quote the article's text.
    for failure in report.failures:
        log.info("import refused %s (line %s)", failure.path, failure.line)
    log.info(
        "imported %d document(s), %d span(s) into %r from %d of %d file(s)",
        report.documents, report.spans, project, report.files - len(report.failures),
        report.files,
    )  # fmt: skip
    return report


class _Batch:
    """Files of plain documents are written many at a time: each file alone costs a
    savepoint and a round of inserts, which dominates a folder of short articles. When
    a batch is refused, its files are written again one by one, so that only the file
    at fault fails."""

    MAX_FILES = 500
    MAX_CHARACTERS = 16 * 1024 * 1024

    def __init__(self, connection: Connection, writer: Writer, report: ImportReport) -> None:
        self.connection = connection
        self.writer = writer
        self.report = report
        self.pending: list[tuple[Path, list[Record]]] = []
        self.characters = 0

    def add(self, path: Path, records: list[Record]) -> None:
        plain = all(isinstance(r, DocumentRecord) and not r.spans and not r.layers for r in records)
        if not plain:
            self.flush()
            self.write_one(path, records)
            return
        self.pending.append((path, records))
        self.characters += sum(len(r.text) for r in records if isinstance(r, DocumentRecord))
        if len(self.pending) >= self.MAX_FILES or self.characters >= self.MAX_CHARACTERS:
            self.flush()

    def flush(self) -> None:
        pending, self.pending, self.characters = self.pending, [], 0
        if not pending:
            return
        if len(pending) > 1:
            savepoint = self.connection.begin_nested()
            try:
                counts = self.writer.write_plain_batch(pending)
                savepoint.commit()
            except (InputError, SQLAlchemyError) as error:
                if classify(error) is not None:
                    # The database itself is unavailable: no file would fare better. The
                    # savepoint may be gone (SQLite ends the whole transaction when the disk
                    # is full), so the import's own transaction rolls back instead.
                    raise
                savepoint.rollback()
                self.writer.forget_pending()
            else:
                self.committed(counts)
                return
        for path, records in pending:
            self.write_one(path, records)

    def write_one(self, path: Path, records: list[Record]) -> None:
        savepoint = self.connection.begin_nested()
        try:
            counts = self.writer.write(records, source=path)
            savepoint.commit()
        except InputError as error:
            savepoint.rollback()
            self.writer.forget_pending()
            self.report.failures.append(error.located(path=path))
            return
        except (IntegrityError, DataError) as error:
            # The file's data broke a rule of the schema. Only the driver's words are shown:
            # SQLAlchemy's own message holds the statement and the file's text.
            savepoint.rollback()
            self.writer.forget_pending()
            self.report.failures.append(
                InputError(f"the database refused this file: {error.orig}", path=path)
            )
            return
        self.committed(counts)

    def committed(self, counts: _FileCounts) -> None:
        self.writer.remember(counts)
        self.report.add(counts)


def _project_id(connection: Connection, name: str) -> int | None:
    found = connection.execute(select(project_t.c.id).where(project_t.c.name == name.strip()))
    value = found.scalar()
    return None if value is None else int(value)


def _wrote_anything(report: ImportReport) -> bool:
    return bool(
        report.documents or report.duplicates or report.spans or report.spans_already_present
        or report.document_labels or report.statuses or report.labels_created
    )  # fmt: skip


def ensure_project(connection: Connection, name: str, *, importer: str) -> int:
    """The project's id, creating it (with its history row) in the connection's transaction."""
    name = name.strip()
    found = _project_id(connection, name)
    if found is not None:
        return found
    # The session joins the open transaction and never commits it.
    with Session(bind=connection) as session:
        change = create_project(name, session=session)
        record_change(session, change, annotator=importer)
        session.flush()
    assert change.entity_id is not None
    return change.entity_id


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _located(records: Iterable[Record], path: Path) -> Iterator[Record]:
    try:
        yield from records
    except InputError as error:
        raise error.located(path=path) from None
    except (OSError, ValueError) as error:
        raise InputError(str(error), path=path) from error
    except RecursionError:
        # A parser that recurses met input nested deeper than the stack: bad input, not a bug.
        raise InputError("the file is nested too deeply to read", path=path) from None


def _inserted_id(result: CursorResult[Any]) -> int:
    """The key a one-row insert was given; SQLAlchemy types it optional because some
    statements report none, which an insert into our tables never does."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


@dataclass
class _FileCounts:
    documents: int = 0
    duplicates: int = 0
    spans: int = 0
    spans_present: int = 0
    document_labels: int = 0
    statuses: int = 0
    new_hashes: dict[str, int] = field(default_factory=dict)
    new_labels: list[tuple[str, str, int]] = field(default_factory=list)
    new_annotators: dict[str, int] = field(default_factory=dict)


class Writer:
    """Writes validated records; caches ids but forgets what a rolled-back file added."""

    def __init__(self, connection: Connection, *, project_id: int, importer: str) -> None:
        self.connection = connection
        self.project_id = project_id
        self.importer = importer
        document = document_t
        label = label_t
        annotator = annotator_t
        self.hashes: dict[str, int] = {
            digest: document_id
            for digest, document_id in connection.execute(
                select(document.c.content_hash, document.c.id).where(
                    document.c.project_id == project_id
                )
            )
        }
        self.labels: dict[tuple[str, str], int] = {
            (kind, name): label_id
            for label_id, kind, name in connection.execute(
                select(label.c.id, label.c.kind, label.c.name).where(
                    label.c.project_id == project_id
                )
            )
        }
        self.label_count = len(self.labels)
        self.annotators: dict[str, int] = {
            name: annotator_id
            for annotator_id, name in connection.execute(select(annotator.c.id, annotator.c.name))
        }
        self._pending = _FileCounts()

    # -- ids ---------------------------------------------------------------------------

    def _annotator_id(self, name: str | None) -> int:
        name = (name or self.importer).strip() or self.importer
        found = self.annotators.get(name) or self._pending.new_annotators.get(name)
        if found is not None:
            return found
        table = annotator_t
        new_id = _inserted_id(self.connection.execute(insert(table).values(name=name)))
        self._pending.new_annotators[name] = new_id
        return new_id

    def _label_id(self, name: str, kind: LabelKind) -> int:
        name = name.strip()
        key = (kind.value, name)
        found = self.labels.get(key)
        if found is None:
            found = next((i for k, n, i in self._pending.new_labels if (k, n) == key), None)
        if found is not None:
            return found
        if not name.strip():
            raise InputError("a label name is empty")
        position = self.label_count + len(self._pending.new_labels)
        table = label_t
        new_id = _inserted_id(
            self.connection.execute(
                insert(table).values(
                    project_id=self.project_id, name=name, kind=kind.value,
                    color=DEFAULT_COLORS[position % len(DEFAULT_COLORS)], hotkey=None,
                    description="", position=position,
                )
            )
        )  # fmt: skip
        self._pending.new_labels.append((kind.value, name, new_id))
        return new_id

    def remember(self, counts: _FileCounts) -> None:
        self.hashes.update(counts.new_hashes)
        self.annotators.update(counts.new_annotators)
        self.label_count += len(counts.new_labels)
        for kind, name, label_id in counts.new_labels:
            self.labels[(kind, name)] = label_id
        self._pending = _FileCounts()

    # -- writing -----------------------------------------------------------------------

    def write(
        self, records: Sequence[Record], *, source: Path, history: bool = True
    ) -> _FileCounts:
        """Write one file's records; `history=False` when the caller records one row for
        many batches (a merge). The caller adds the counts to its report once committed."""
        counts = self._pending = _FileCounts()
        documents = [r for r in records if isinstance(r, DocumentRecord)]
        self._write_documents(documents, counts)
        span_rows = [r for r in records if isinstance(r, SpanRowRecord)]
        label_rows = [r for r in records if isinstance(r, DocumentLabelRowRecord)]
        if span_rows or label_rows:
            self._write_rows_by_hash(span_rows, label_rows, counts)
        if history:
            self.record_history(source=source, counts=counts, action="import")
        return counts

    def forget_pending(self) -> None:
        """What a rolled-back write created (labels, annotators) no longer exists."""
        self._pending = _FileCounts()

    def write_plain_batch(self, pending: list[tuple[Path, list[Record]]]) -> _FileCounts:
        """Documents without annotations from many files, with one history row per file."""
        counts = self._pending = _FileCounts()
        seen: set[str] = set()
        history: list[dict[str, Any]] = []
        now = utc_now()
        for path, records in pending:
            new = duplicates = 0
            for record in records:
                assert isinstance(record, DocumentRecord)
                digest = content_hash(record.text)
                if digest in self.hashes or digest in seen:
                    duplicates += 1
                else:
                    seen.add(digest)
                    new += 1
            history.append(
                {
                    "at": now, "annotator": self.importer, "action": "import",
                    "entity": "file", "entity_id": None, "project_id": self.project_id,
                    "before": None,
                    "after": {"file": path.name, "documents": new,
                              "duplicates": duplicates, "spans": 0},
                }
            )  # fmt: skip
        documents = [r for _, records in pending for r in records]
        self._write_documents(documents, counts)  # type: ignore[arg-type]
        self.connection.execute(insert(history_t), history)
        return counts

    def record_history(
        self, *, source: Path, counts: _FileCounts | ImportReport, action: str
    ) -> None:
        self.connection.execute(
            insert(history_t),
            [
                {
                    "at": utc_now(), "annotator": self.importer, "action": action,
                    "entity": "file", "entity_id": None, "project_id": self.project_id,
                    "before": None,
                    "after": {
                        "file": source.name, "documents": counts.documents,
                        "duplicates": counts.duplicates, "spans": counts.spans,
                    },
                }
            ],
        )  # fmt: skip

    def _write_documents(self, records: list[DocumentRecord], counts: _FileCounts) -> None:
        new_rows: list[dict[str, Any]] = []
        new_records: list[DocumentRecord] = []
        # Repeats of a document already in the project or earlier in this file; kept by
        # hash because a document new in this file has no id until it is inserted.
        repeated: list[tuple[str, DocumentRecord]] = []
        now = utc_now()
        for record in records:
            if "\x00" in record.text:
                # Databases treat NUL as the end of a string; refuse rather than truncate.
                raise InputError("the text contains a NUL character", line=record.line)
            digest = content_hash(record.text)
            if digest in self.hashes or digest in counts.new_hashes:
                counts.duplicates += 1
                repeated.append((digest, record))
                continue
            counts.new_hashes[digest] = -1  # placeholder until the id is known
            new_records.append(record)
            new_rows.append(
                {
                    "project_id": self.project_id, "text": record.text, "title": record.title,
                    "author": record.author, "published": record.published,
                    "source_url": record.source_url, "meta": record.meta,
                    "content_hash": digest, "created_at": now,
                }
            )  # fmt: skip
        if new_rows:
            ids = self._insert_documents(new_rows)
            if len(ids) != len(new_rows):
                raise RuntimeError(f"{len(new_rows)} documents inserted, {len(ids)} found")
            counts.new_hashes.update(ids)
            counts.documents += len(new_rows)
            pairs = [
                (ids[row["content_hash"]], record, False)
                for row, record in zip(new_rows, new_records, strict=True)
            ]
        else:
            pairs = []
        pairs.extend(
            (self.hashes.get(digest) or counts.new_hashes[digest], record, True)
            for digest, record in repeated
        )
        self._write_annotations(pairs, counts)

    def _insert_documents(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new documents and return their ids by content hash.

        A plain executemany is the fastest bulk insert on SQLite; RETURNING in parameter
        order would insert row by row. The ids are read back afterwards: each hash is
        unique in the project, and new rows get ids above the largest one before them.
        """
        table = document_t
        before = self.connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
        self.connection.execute(insert(table), rows)
        wanted = {row["content_hash"] for row in rows}
        inserted = self.connection.execute(
            select(table.c.content_hash, table.c.id).where(
                table.c.project_id == self.project_id, table.c.id > before
            )
        )
        return {digest: document_id for digest, document_id in inserted if digest in wanted}

    def _write_annotations(
        self, pairs: list[tuple[int, DocumentRecord, bool]], counts: _FileCounts
    ) -> None:
        span_rows: list[dict[str, Any]] = []
        label_rows: list[dict[str, Any]] = []
        status_rows: list[dict[str, Any]] = []
        now = utc_now()
        # What each document holds already, or gets earlier in this file: a repeated
        # import, or the same document twice in one file, adds nothing twice.
        spans_held: dict[int, set[tuple[int, int, int, int]]] = {}
        labels_held: dict[int, set[tuple[int, int]]] = {}
        statuses_held: dict[int, dict[int, str]] = {}
        status_updates: list[dict[str, Any]] = []
        for document_id, record, already_there in pairs:
            if document_id not in spans_held:
                held = self._present_keys(document_id) if already_there else (set(), set(), {})
                spans_held[document_id], labels_held[document_id] = held[0], held[1]
                statuses_held[document_id] = held[2]
            for span in record.spans:
                problem = check_offsets(len(record.text), span.start, span.end)
                if problem is not None:
                    raise InputError(problem, line=record.line)
                row = self._span_row(document_id, record.text, span, now)
                key = (row["annotator_id"], row["label_id"], row["start"], row["end"])
                if key in spans_held[document_id]:
                    counts.spans_present += 1
                    continue
                spans_held[document_id].add(key)
                span_rows.append(row)
            for layer in record.layers:
                annotator_id = self._annotator_id(layer.annotator)
                for name in layer.document_labels:
                    label_key = (annotator_id, self._label_id(name, LabelKind.DOCUMENT))
                    if label_key in labels_held[document_id]:
                        continue
                    labels_held[document_id].add(label_key)
                    label_rows.append(
                        {"document_id": document_id, "annotator_id": annotator_id,
                         "label_id": label_key[1], "created_at": now}
                    )  # fmt: skip
                if layer.status is None:
                    continue
                incoming = Status(layer.status).value
                current = statuses_held[document_id].get(annotator_id)
                row = {"document_id": document_id, "annotator_id": annotator_id,
                       "status": incoming, "updated_at": now}  # fmt: skip
                if current is None:
                    status_rows.append(row)
                elif STATUS_RANK[incoming] > STATUS_RANK[current]:
                    # Work that moved on elsewhere (todo -> done) comes along; a file
                    # that is behind never sets a document back.
                    status_updates.append(row)
                else:
                    continue
                statuses_held[document_id][annotator_id] = incoming
        self._insert(Span, span_rows)
        self._insert(DocumentLabel, label_rows)
        self._insert(DocumentStatus, status_rows)
        if status_updates:
            table = status_t
            self.connection.execute(
                update(table)
                .where(
                    table.c.document_id == bindparam("b_document"),
                    table.c.annotator_id == bindparam("b_annotator"),
                )
                .values(status=bindparam("b_status"), updated_at=bindparam("b_updated")),
                [
                    {"b_document": r["document_id"], "b_annotator": r["annotator_id"],
                     "b_status": r["status"], "b_updated": r["updated_at"]}
                    for r in status_updates
                ],
            )  # fmt: skip
        counts.spans += len(span_rows)
        counts.document_labels += len(label_rows)
        counts.statuses += len(status_rows) + len(status_updates)

    def _span_row(self, document_id: int, text: str, span: SpanRecord, now: Any) -> dict[str, Any]:
        return {
            "document_id": document_id,
            "annotator_id": self._annotator_id(span.annotator),
            "label_id": self._label_id(span.label, LabelKind.SPAN),
            "start": span.start,
            "end": span.end,
            "text": text[span.start : span.end],
            "note": span.note,
            "origin": span.origin,
            "created_at": span.created_at or now,
            "updated_at": span.updated_at or span.created_at or now,
        }

    def _present_keys(
        self, document_id: int
    ) -> tuple[set[tuple[int, int, int, int]], set[tuple[int, int]], dict[int, str]]:
        """What an existing document already holds, so a repeated import adds nothing."""
        span = span_t
        label = doclabel_t
        status = status_t
        spans = {
            (annotator_id, label_id, start, end)
            for annotator_id, label_id, start, end in self.connection.execute(
                select(span.c.annotator_id, span.c.label_id, span.c.start, span.c.end).where(
                    span.c.document_id == document_id
                )
            )
        }
        labels = {
            (annotator_id, label_id)
            for annotator_id, label_id in self.connection.execute(
                select(label.c.annotator_id, label.c.label_id).where(
                    label.c.document_id == document_id
                )
            )
        }
        statuses = {
            annotator_id: value
            for annotator_id, value in self.connection.execute(
                select(status.c.annotator_id, status.c.status).where(
                    status.c.document_id == document_id
                )
            )
        }
        return spans, labels, statuses

    def _write_rows_by_hash(
        self,
        span_rows: list[SpanRowRecord],
        label_rows: list[DocumentLabelRowRecord],
        counts: _FileCounts,
    ) -> None:
        """Spans and labels from an exported CSV, put back on documents found by content."""
        table = document_t
        texts: dict[int, str] = {}
        by_document: dict[int, DocumentRecord] = {}
        rows: list[SpanRowRecord | DocumentLabelRowRecord] = [*span_rows, *label_rows]
        for row in rows:
            document_id = self.hashes.get(row.document_hash) or counts.new_hashes.get(
                row.document_hash
            )
            if document_id is None:
                raise InputError(
                    f"document {row.document_hash[:12]}… is not in this project; "
                    "import the documents first (for example from a JSONL export)",
                    line=row.line,
                )
            if document_id not in texts:
                texts[document_id] = self.connection.execute(
                    select(table.c.text).where(table.c.id == document_id)
                ).scalar_one()
                by_document[document_id] = DocumentRecord(text=texts[document_id])
            record = by_document[document_id]
            if isinstance(row, SpanRowRecord):
                span = row.span
                problem = check_offsets(len(record.text), span.start, span.end)
                if problem is not None:
                    raise InputError(problem, line=row.line)
                found = record.text[span.start : span.end]
                if span.text is not None and span.text != found:
                    raise InputError(
                        f"span {span.start}-{span.end} should read {span.text!r} "
                        f"but the document has {found!r} there",
                        line=row.line,
                    )
                record.spans.append(span)
            else:
                record.layers.append(
                    AnnotatorLayer(annotator=row.annotator, document_labels=[row.label])
                )
        self._write_annotations([(i, r, True) for i, r in by_document.items()], counts)

    def _insert(self, model: type, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
