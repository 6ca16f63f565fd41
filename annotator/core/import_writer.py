"""Writing validated records into a project: insert-or-get for every row that others
may be creating at the same moment, so imports running at once all succeed.

Documents, labels and annotators are shared: two imports (or an import and a person in
the window) may make the same one at once. Every insert of such a row, and of the
annotations an import brings, is an insert that leaves a row already there alone
(`ON CONFLICT DO NOTHING`) followed by reading the row's id, on both backends. On SQLite
the import holds the write lock throughout, so nothing can come between; on PostgreSQL
another transaction can, and its row is then taken as found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlmodel import Session

from annotator.base.errors import InputError, UserError
from annotator.base.offsets import check_offsets
from annotator.base.text import content_hash
from annotator.base.vocabulary import LabelKind, Status
from annotator.core.changes import Change, snapshot
from annotator.core.changes import record as record_change
from annotator.core.labelling import next_free_key
from annotator.core.models import (
    Project,
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
from annotator.core.operations import DEFAULT_COLORS
from annotator.core.shared_rows import insert_ignoring_duplicates, insert_or_get
from annotator.formats.records import (
    AnnotatorLayer,
    DocumentLabelRowRecord,
    DocumentRecord,
    SpanRecord,
    SpanRowRecord,
)
from annotator.formats.registry import FileNotes, Record

STATUS_RANK = {Status.TODO.value: 0, Status.IN_PROGRESS.value: 1, Status.DONE.value: 2}


UNREAD = "?"  # the format of a file that was never read


@dataclass
class FileReport:
    """What one file brought in and what it left out: the report's line for that file."""

    path: Path
    format_name: str
    detected: bool = False  # the format was told by the file's content, not by --format
    documents: int = 0
    duplicates: int = 0
    spans: int = 0
    spans_present: int = 0
    document_labels: int = 0
    statuses: int = 0
    layers: list[str] = field(default_factory=list)
    notes: FileNotes = field(default_factory=FileNotes)
    failure: InputError | None = None

    def add(self, counts: _FileCounts) -> None:
        self.documents += counts.documents
        self.duplicates += counts.duplicates
        self.spans += counts.spans
        self.spans_present += counts.spans_present
        self.document_labels += counts.document_labels
        self.statuses += counts.statuses

    def lines(self) -> list[str]:
        how = "detected" if self.detected else "as named"
        # A file that was never read (missing, or of no format) has no format to name.
        known = self.format_name != UNREAD
        head = f"{self.path.name} ({self.format_name}, {how}): " if known else f"{self.path.name}: "
        if self.failure is not None:
            return [head + f"not imported: {self.failure.reason}"
                    + (f" (line {self.failure.line})" if self.failure.line else "")]  # fmt: skip
        parts = [f"{self.documents} new document(s)"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already there")
        parts.append(f"{self.spans} span(s)")
        if self.spans_present:
            parts.append(f"{self.spans_present} span(s) already there")
        if self.document_labels:
            parts.append(f"{self.document_labels} document label(s)")
        if self.statuses:
            parts.append(f"{self.statuses} status(es)")
        if self.layers:
            parts.append(f"layer(s): {', '.join(self.layers)}")
        return [head + ", ".join(parts), *(f"  {line}" for line in self.notes.lines())]


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
    per_file: list[FileReport] = field(default_factory=list)
    first_new_document: int | None = None  # the first document this import made

    def add(self, counts: _FileCounts) -> None:
        """Count what a committed write did."""
        self.documents += counts.documents
        self.duplicates += counts.duplicates
        self.spans += counts.spans
        self.spans_already_present += counts.spans_present
        self.document_labels += counts.document_labels
        self.statuses += counts.statuses
        self.labels_created.extend(name for _, name, _ in counts.new_labels)
        made = list(counts.new_hashes.values())
        if made:
            first = min(made)
            if self.first_new_document is None or first < self.first_new_document:
                self.first_new_document = first

    @property
    def ok(self) -> bool:
        return not self.failures

    def sentences(self) -> str:
        """The totals in sentences, for a person reading the window."""
        files = self.files - len(self.failures)
        said = [
            f"Imported {_count(self.documents, 'new document')} with "
            f"{_count(self.spans, 'span')} from {files} of {_count(self.files, 'file')}."
        ]
        if self.duplicates:
            verb = "was" if self.duplicates == 1 else "were"
            said.append(f"{_count(self.duplicates, 'document')} {verb} in the project already.")
        if self.document_labels or self.statuses:
            said.append(
                f"Set {_count(self.document_labels, 'document label')} and "
                f"{_count(self.statuses, 'status', 'statuses')}."
            )
        if self.labels_created:
            said.append(f"New labels: {', '.join(self.labels_created)}.")
        if self.failures:
            failed = len(self.failures)
            said.append(
                f"{_count(failed, 'file')} could not be imported; nothing of "
                f"{'it' if failed == 1 else 'them'} was written."
            )
        return "\n".join(said)

    @property
    def left_out(self) -> bool:
        """Whether any file left something out on purpose or warned."""
        return any(f.notes.left_out or f.notes.warnings for f in self.per_file)

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

    def file_lines(self, *, limit: int = 50) -> list[str]:
        """Per file: the format, what came in and what was left out and why. Files with
        nothing to say beyond their counts are shown only up to `limit`."""
        shown: list[str] = []
        quiet = 0
        for index, file in enumerate(self.per_file):
            noteworthy = file.failure is not None or file.notes.left_out or file.notes.warnings
            if noteworthy or index < limit:
                shown.extend(file.lines())
            else:
                quiet += 1
        if quiet:
            shown.append(f"... and {quiet} more file(s) imported without remarks")
        return shown


def _count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number:,} {word if number == 1 else plural or word + 's'}"


def _project_id(connection: Connection, name: str) -> int | None:
    found = connection.execute(select(project_t.c.id).where(project_t.c.name == name.strip()))
    value = found.scalar()
    return None if value is None else int(value)


def ensure_project(connection: Connection, name: str, *, importer: str) -> int:
    """The project's id, creating it (with its history row) in the connection's transaction."""
    return make_project(connection, name, importer=importer)[0]


def make_project(connection: Connection, name: str, *, importer: str) -> tuple[int, bool]:
    """The project's id, and whether this call made it: not when it was there already, nor
    when another program made it at the same moment."""
    name = name.strip()
    if not name:
        raise UserError("a project needs a name")
    found = _project_id(connection, name)
    if found is not None:
        return found, False
    project_id, made = insert_or_get(
        connection, project_t, {"name": name, "created_at": utc_now()}, ("name",)
    )
    if made:
        # The session joins the open transaction and never commits it.
        with Session(bind=connection) as session:
            project = session.get(Project, project_id)
            assert project is not None
            change = Change("create project", "project", None, snapshot(project), project_id)
            record_change(session, change, annotator=importer)
            session.flush()
    return project_id, made


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
    new_label_keys: set[str] = field(default_factory=set)
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
        self.label_keys: set[str] = {
            key
            for (key,) in connection.execute(
                select(label.c.hotkey).where(
                    label.c.project_id == project_id, label.c.hotkey.is_not(None)
                )
            )
        }
        self.annotators: dict[str, int] = {
            name: annotator_id
            for annotator_id, name in connection.execute(select(annotator.c.id, annotator.c.name))
        }
        self._pending = _FileCounts()
        self.batch_files: list[tuple[int, int]] = []  # (new, duplicates) per file of a batch

    # -- ids ---------------------------------------------------------------------------

    def _annotator_id(self, name: str | None) -> int:
        name = (name or self.importer).strip() or self.importer
        found = self.annotators.get(name) or self._pending.new_annotators.get(name)
        if found is not None:
            return found
        new_id, made = insert_or_get(self.connection, annotator_t, {"name": name}, ("name",))
        if made:
            self._pending.new_annotators[name] = new_id
        else:  # made and committed by another program meanwhile: it stays whatever we do
            self.annotators[name] = new_id
        return new_id

    def _label_id(self, name: str, kind: LabelKind) -> int:
        name = name.strip()
        key = (kind.value, name)
        found = self.labels.get(key)
        if found is None:
            found = next((i for k, n, i in self._pending.new_labels if (k, n) == key), None)
        if found is not None:
            return found
        if not name:
            raise InputError("a label name is empty")
        position = self.label_count + len(self._pending.new_labels)
        # A label an import brings is keyed like one made by hand: after importing,
        # pressing 1 labels. Document labels are ticked, never keyed.
        hotkey = None
        if kind == LabelKind.SPAN:
            hotkey = next_free_key(self.label_keys | self._pending.new_label_keys)
        values = {
            "project_id": self.project_id, "name": name, "kind": kind.value,
            "color": DEFAULT_COLORS[position % len(DEFAULT_COLORS)], "hotkey": hotkey,
            "description": "", "position": position,
        }  # fmt: skip
        new_id, made = insert_or_get(
            self.connection, label_t, values, ("project_id", "kind", "name")
        )
        if made:
            self._pending.new_labels.append((kind.value, name, new_id))
            if hotkey is not None:
                self._pending.new_label_keys.add(hotkey)
        else:
            self.labels[key] = new_id
        return new_id

    def remember(self, counts: _FileCounts) -> None:
        self.hashes.update(counts.new_hashes)
        self.annotators.update(counts.new_annotators)
        self.label_count += len(counts.new_labels)
        self.label_keys |= counts.new_label_keys
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
        self.batch_files = []
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
            self.batch_files.append((new, duplicates))
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
        pairs: list[tuple[int, DocumentRecord, bool]] = []
        if new_rows:
            ids, made = self._insert_documents(new_rows)
            if len(ids) != len(new_rows):
                raise RuntimeError(f"{len(new_rows)} documents inserted, {len(ids)} found")
            counts.new_hashes.update(ids)
            for row, record in zip(new_rows, new_records, strict=True):
                digest = row["content_hash"]
                if digest in made:
                    counts.documents += 1
                else:  # another import brought it in meanwhile: it may hold layers already
                    counts.duplicates += 1
                pairs.append((ids[digest], record, digest not in made))
        pairs.extend(
            (self.hashes.get(digest) or counts.new_hashes[digest], record, True)
            for digest, record in repeated
        )
        self._write_annotations(pairs, counts)

    def _insert_documents(self, rows: list[dict[str, Any]]) -> tuple[dict[str, int], set[str]]:
        """Insert new documents; their ids by content hash, and the hashes this call made.

        On SQLite, which holds the write lock, a plain executemany is the fastest bulk
        insert (RETURNING in parameter order would insert row by row) and the ids are read
        back afterwards: each hash is unique in the project, and new rows get ids above the
        largest one before them. On PostgreSQL another import may be adding the same
        documents: the rows it made are skipped and their ids read, and RETURNING says
        which rows were ours.
        """
        table = document_t
        connection = self.connection
        wanted = {row["content_hash"] for row in rows}
        statement = insert_ignoring_duplicates(connection, table)
        if connection.dialect.name == "sqlite":
            before = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
            connection.execute(statement, rows)
            inserted = connection.execute(
                select(table.c.content_hash, table.c.id).where(
                    table.c.project_id == self.project_id, table.c.id > before
                )
            )
            ids = {digest: document_id for digest, document_id in inserted if digest in wanted}
            return ids, set(ids)
        returned = connection.execute(statement.returning(table.c.content_hash, table.c.id), rows)
        ids = {digest: document_id for digest, document_id in returned}
        made = set(ids)
        missing = sorted(wanted - made)
        for start in range(0, len(missing), 1000):
            found = connection.execute(
                select(table.c.content_hash, table.c.id).where(
                    table.c.project_id == self.project_id,
                    table.c.content_hash.in_(missing[start : start + 1000]),
                )
            )
            ids.update({digest: document_id for digest, document_id in found})
        return ids, made

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
        added = self._insert(span_t, span_rows)
        counts.spans += added
        counts.spans_present += len(span_rows) - added
        counts.document_labels += self._insert(doclabel_t, label_rows)
        counts.statuses += self._insert(status_t, status_rows) + self._raise(status_updates)

    def _raise(self, updates: list[dict[str, Any]]) -> int:
        """Move statuses forward; one that another program moved further meanwhile stays."""
        table = status_t
        for incoming in {row["status"] for row in updates}:
            rank = STATUS_RANK[incoming]
            behind = [status for status, earlier in STATUS_RANK.items() if earlier < rank]
            self.connection.execute(
                update(table)
                .where(
                    table.c.document_id == bindparam("b_document"),
                    table.c.annotator_id == bindparam("b_annotator"),
                    table.c.status.in_(behind),
                )
                .values(status=incoming, updated_at=bindparam("b_updated")),
                [
                    {"b_document": r["document_id"], "b_annotator": r["annotator_id"],
                     "b_updated": r["updated_at"]}
                    for r in updates if r["status"] == incoming
                ],
            )  # fmt: skip
        return len(updates)

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

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> int:
        """Insert annotations, skipping any another program added meanwhile (two people
        importing the same file at once); how many were new."""
        if not rows:
            return 0
        statement = insert_ignoring_duplicates(self.connection, table)
        if self.connection.dialect.name == "sqlite":  # the write lock kept everyone out
            self.connection.execute(statement, rows)
            return len(rows)
        key = next(iter(table.primary_key.columns))
        return len(self.connection.execute(statement.returning(key), rows).all())
