"""Bringing files into a project: every file whole or not at all, duplicates counted, bulk speed.

Readers (in `annotator.formats`) parse and validate a whole file before anything is
written, so a bad line leaves nothing of its file behind. Writing goes through
SQLAlchemy Core because the ORM is ~10x slower for thousands of rows. The whole
import is one transaction, each file a savepoint inside it, so a cancelled import
writes nothing and a file the database refuses does not take the others with it.
Rows other imports may be making at the same moment are written by `import_writer`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Connection, delete
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from annotator.base.errors import InputError, UserError
from annotator.base.vocabulary import GOLD, ImportFormat
from annotator.core.corpus import Corpus
from annotator.core.db import place, writing
from annotator.core.failures import classify, translated
from annotator.core.import_writer import (
    UNREAD,
    FileReport,
    ImportReport,
    Writer,
    _FileCounts,
    ensure_project,
    make_project,
)
from annotator.core.models import history_t, project_t
from annotator.core.shared_rows import retried
from annotator.formats.detection import brat_partner, detect
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRowRecord
from annotator.formats.registry import (
    IMPORT_FORMATS,
    FileFormat,
    FileNotes,
    ReadOptions,
    Record,
    file_format,
)

__all__ = [
    "FileReport", "ImportCancelled", "ImportReport", "Writer", "ensure_project", "import_paths",
]  # fmt: skip

ProgressCallback = Callable[[int, int, str], bool | None]

log = logging.getLogger(__name__)

# What a folder's walk takes: every suffix some format reads. A `.txt` beside an `.ann`
# of the same name is half of a brat document and comes in with it.
KNOWN_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".markdown", ".jsonl", ".ndjson", ".json", ".csv", ".ann",
     ".conll", ".iob", ".bio", ".bioes", ".spacy"}
)  # fmt: skip
FORMATS = IMPORT_FORMATS


class ImportCancelled(UserError):
    """The user stopped the import; nothing of it was written."""


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
            if brat_partner(candidate) is not None:
                continue  # read with its .ann
            if candidate.is_file():
                found.append(candidate)
    return sorted(found)


def format_of(path: Path, format_name: str | None) -> tuple[FileFormat, bool]:
    """The file's format, and whether it was detected (not named by the user)."""
    if format_name is not None:
        return file_format(format_name), False
    return file_format(detect(path)), True


def read_file(
    path: Path, file_format: FileFormat, options: ReadOptions, notes: FileNotes, *, named: bool
) -> list[Record]:
    """Every record of the file, or the InputError of its first bad line.

    A `.txt` is read as an article when it looks like one, unless the user named the
    format: `--format txt` keeps it verbatim, `--format md` reads it as Markdown.
    """
    if named and file_format.name in (ImportFormat.TXT, ImportFormat.MD):
        options = replace(options, markdown=file_format.name == ImportFormat.MD)
    records = list(_located(file_format.reader(path, options, notes), path))
    if options.annotator_from_folder:
        _attribute(records, path.parent.name)
    return records


def _attribute(records: list[Record], annotator: str) -> None:
    """Give the work no one is named for to `annotator`; a document with none is still
    theirs to have seen (a brat file with an empty .ann)."""
    for record in records:
        if isinstance(record, DocumentRecord):
            for span in record.spans:
                span.annotator = span.annotator or annotator
            for layer in record.layers:
                layer.annotator = layer.annotator or annotator
            if not record.layers:
                record.layers.append(AnnotatorLayer(annotator))
        elif isinstance(record, SpanRowRecord):
            record.span.annotator = record.span.annotator or annotator


def import_paths(
    corpus: Corpus,
    paths: Sequence[Path],
    *,
    project: str,
    format_name: str | None = None,
    text_column: str = "text",
    options: ReadOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import files into `project` (created when missing); failures are reported, not raised.

    Without `format_name`, each file's format is detected by its name and content.
    """
    if format_name is not None:
        file_format(format_name)  # an unknown name is refused before anything is read
    if options is None:
        options = ReadOptions(text_column=text_column)
    if corpus.annotator_name == GOLD:
        raise UserError(f"{GOLD!r} is the adjudicated layer, built by review: import as a person")
    files, missing = expand_paths(paths)
    total_bytes = sum(_size(path) for path in files) or 1

    def attempt() -> ImportReport:
        report = ImportReport(files=len(files) + len(missing), failures=list(missing))
        report.per_file = [FileReport(m.path or Path(), UNREAD, failure=m) for m in missing]
        done_bytes = 0
        with writing(corpus.engine) as connection:
            # Made in the import's transaction, so a cancelled import leaves no project.
            project_id, made = make_project(connection, project, importer=corpus.annotator_name)
            writer = Writer(connection, project_id=project_id, importer=corpus.annotator_name)
            batch = _Batch(connection, writer, report)
            for path in files:
                if (
                    on_progress is not None
                    and on_progress(done_bytes, total_bytes, path.name) is False
                ):
                    raise ImportCancelled("import cancelled; nothing was written")
                file = FileReport(path, format_name or UNREAD)
                report.per_file.append(file)
                try:
                    found, file.detected = format_of(path, format_name)
                    file.format_name = found.name
                    records = read_file(path, found, options, file.notes, named=not file.detected)
                except InputError as error:
                    file.failure = error.located(path=path)
                    report.failures.append(file.failure)
                else:
                    file.layers = _layers(records, corpus.annotator_name)
                    batch.add(file, records)
                done_bytes += _size(path)
            batch.flush()
            if on_progress is not None and on_progress(total_bytes, total_bytes, "") is False:
                raise ImportCancelled("import cancelled; nothing was written")
            if made and not _wrote_anything(report):
                # Every file failed: the project this import made would be an empty leftover.
                connection.execute(delete(history_t).where(history_t.c.project_id == project_id))
                connection.execute(delete(project_t).where(project_t.c.id == project_id))
        return report

    with translated(place(corpus.engine.url)):
        # On PostgreSQL, imports of the same documents at once can deadlock; the server
        # rolls one back, which then runs again from the start.
        report = retried(attempt, what="the import")
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
        self.pending: list[tuple[FileReport, list[Record]]] = []
        self.characters = 0

    def add(self, file: FileReport, records: list[Record]) -> None:
        plain = all(isinstance(r, DocumentRecord) and not r.spans and not r.layers for r in records)
        if not plain:
            self.flush()
            self.write_one(file, records)
            return
        self.pending.append((file, records))
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
                counts = self.writer.write_plain_batch(
                    [(file.path, records) for file, records in pending]
                )
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
                for (file, _), (new, duplicates) in zip(
                    pending, self.writer.batch_files, strict=True
                ):
                    file.documents, file.duplicates = new, duplicates
                return
        for file, records in pending:
            self.write_one(file, records)

    def write_one(self, file: FileReport, records: list[Record]) -> None:
        path = file.path
        savepoint = self.connection.begin_nested()
        try:
            counts = self.writer.write(records, source=path)
            savepoint.commit()
        except InputError as error:
            savepoint.rollback()
            self.writer.forget_pending()
            self.failed(file, error.located(path=path))
            return
        except (IntegrityError, DataError) as error:
            # The file's data broke a rule of the schema. Only the driver's words are shown:
            # SQLAlchemy's own message holds the statement and the file's text.
            savepoint.rollback()
            self.writer.forget_pending()
            self.failed(
                file, InputError(f"the database refused this file: {error.orig}", path=path)
            )
            return
        self.committed(counts)
        file.add(counts)

    def failed(self, file: FileReport, error: InputError) -> None:
        file.failure = error
        file.layers = []
        self.report.failures.append(error)

    def committed(self, counts: _FileCounts) -> None:
        self.writer.remember(counts)
        self.report.add(counts)


def _wrote_anything(report: ImportReport) -> bool:
    return bool(
        report.documents or report.duplicates or report.spans or report.spans_already_present
        or report.document_labels or report.statuses or report.labels_created
    )  # fmt: skip


def _layers(records: list[Record], importer: str) -> list[str]:
    """Whose work the records carry: the annotators of their spans and layers."""
    names: set[str] = set()
    for record in records:
        if isinstance(record, DocumentRecord):
            names.update((span.annotator or importer) for span in record.spans)
            names.update((layer.annotator or importer) for layer in record.layers)
        elif isinstance(record, SpanRowRecord):
            names.add(record.span.annotator or importer)
        else:
            names.add(record.annotator or importer)
    return sorted(names)


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
