"""Pulling every layer from another annotator database, for teams on separate machines.

The other file is never changed: it is copied aside and the copy brought to this
schema version. Documents are matched by content; what is already here is left as
it is, so merging twice adds nothing the second time.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from annotator.base.errors import UserError
from annotator.base.vocabulary import LabelKind
from annotator.core.corpus import Corpus
from annotator.core.db import open_engine, place
from annotator.core.db import writing as writing_to
from annotator.core.failures import classify, translated
from annotator.core.import_writer import ImportReport, Writer, ensure_project
from annotator.core.labelling import next_free_key
from annotator.core.models import (
    annotator_t,
    doclabel_t,
    document_t,
    label_t,
    project_t,
    span_t,
    status_t,
)
from annotator.core.shared_rows import insert_ignoring_duplicates
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord

BATCH = 200
ProgressCallback = Callable[[int, int, str], bool | None]


def merge_database(
    corpus: Corpus, other: Path, *, on_progress: ProgressCallback | None = None
) -> dict[str, ImportReport]:
    """Merge every project of `other` into this corpus; one report per project."""
    if not other.is_file():
        raise UserError(f"{other}: no such database file")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "other.db"
        try:
            with (
                closing(sqlite3.connect(f"file:{other}?mode=ro", uri=True)) as source,
                closing(sqlite3.connect(copy)) as target,
            ):
                source.backup(target)
        except sqlite3.DatabaseError as error:
            problem = classify(error, where=str(other))
            if problem is not None:
                raise problem from error
            raise UserError(f"{other}: not an annotator database ({error})") from error
        source_engine = open_engine(f"sqlite:///{copy}")
        try:
            with translated(place(corpus.engine.url)):
                return _merge(corpus, source_engine, other, on_progress)
        finally:
            source_engine.dispose()


def _merge(
    corpus: Corpus, source: Engine, other: Path, on_progress: ProgressCallback | None
) -> dict[str, ImportReport]:
    reports: dict[str, ImportReport] = {}
    with source.connect() as reading, writing_to(corpus.engine) as writing:
        projects = reading.execute(select(project_t.c.id, project_t.c.name)).all()
        total = int(reading.execute(select(func.count()).select_from(document_t)).scalar_one())
        done = 0
        for source_project, name in projects:
            project_id = ensure_project(writing, name, importer=corpus.annotator_name)
            _copy_labels(reading, writing, source_project, project_id)
            writer = Writer(writing, project_id=project_id, importer=corpus.annotator_name)
            report = reports[name] = ImportReport(files=1)
            for records in _documents(reading, source_project):
                counts = writer.write(records, source=other, history=False)
                writer.remember(counts)
                report.add(counts)
                done += len(records)
                if on_progress is not None and on_progress(done, total, name) is False:
                    raise UserError("merge cancelled; nothing was written")
            writer.record_history(source=other, counts=report, action="merge")
    return reports


def _copy_labels(reading: Connection, writing: Connection, source: int, target: int) -> None:
    """Labels the other side has and this one lacks, with their colour, key and guideline."""
    here = {
        (kind, name): hotkey
        for kind, name, hotkey in writing.execute(
            select(label_t.c.kind, label_t.c.name, label_t.c.hotkey).where(
                label_t.c.project_id == target
            )
        )
    }
    taken_keys = {key for key in here.values() if key}
    position = len(here)
    for row in reading.execute(
        select(label_t).where(label_t.c.project_id == source).order_by(label_t.c.position)
    ).mappings():
        if (row["kind"], row["name"]) in here:
            continue
        hotkey = row["hotkey"] if row["hotkey"] not in taken_keys else None
        if hotkey is None and row["kind"] == LabelKind.SPAN:
            hotkey = next_free_key(taken_keys)  # one whose key is taken here takes another
        writing.execute(
            insert_ignoring_duplicates(writing, label_t).values(
                project_id=target, name=row["name"], kind=row["kind"], color=row["color"],
                hotkey=hotkey, description=row["description"], position=position,
            )
        )  # fmt: skip
        if hotkey:
            taken_keys.add(hotkey)
        here[(row["kind"], row["name"])] = hotkey
        position += 1


def _documents(reading: Connection, project_id: int) -> Iterator[list[DocumentRecord]]:
    """The other project's documents with every layer, a batch at a time."""
    last_id = 0
    while True:
        documents = (
            reading.execute(
                select(document_t)
                .where(document_t.c.project_id == project_id, document_t.c.id > last_id)
                .order_by(document_t.c.id)
                .limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not documents:
            return
        last_id = documents[-1]["id"]
        ids = [row["id"] for row in documents]
        spans: dict[int, list[SpanRecord]] = defaultdict(list)
        for row in reading.execute(
            select(
                span_t.c.document_id, span_t.c.start, span_t.c.end, label_t.c.name.label("label"),
                annotator_t.c.name.label("annotator"), span_t.c.note, span_t.c.origin,
                span_t.c.created_at, span_t.c.updated_at,
            )
            .join(label_t, label_t.c.id == span_t.c.label_id)
            .join(annotator_t, annotator_t.c.id == span_t.c.annotator_id)
            .where(span_t.c.document_id.in_(ids))
        ).mappings():  # fmt: skip
            spans[row["document_id"]].append(
                SpanRecord(
                    start=row["start"], end=row["end"], label=row["label"],
                    annotator=row["annotator"], note=row["note"], origin=row["origin"],
                    created_at=row["created_at"], updated_at=row["updated_at"],
                )
            )  # fmt: skip
        layers: dict[int, dict[str, AnnotatorLayer]] = defaultdict(dict)
        for document_id, annotator, status in reading.execute(
            select(status_t.c.document_id, annotator_t.c.name, status_t.c.status)
            .join(annotator_t, annotator_t.c.id == status_t.c.annotator_id)
            .where(status_t.c.document_id.in_(ids))
        ):
            layers[document_id].setdefault(annotator, AnnotatorLayer(annotator)).status = status
        for document_id, annotator, label in reading.execute(
            select(doclabel_t.c.document_id, annotator_t.c.name, label_t.c.name)
            .join(annotator_t, annotator_t.c.id == doclabel_t.c.annotator_id)
            .join(label_t, label_t.c.id == doclabel_t.c.label_id)
            .where(doclabel_t.c.document_id.in_(ids))
        ):
            layer = layers[document_id].setdefault(annotator, AnnotatorLayer(annotator))
            layer.document_labels.append(label)
        yield [_record(row, spans[row["id"]], layers[row["id"]]) for row in documents]


def _record(row: Any, spans: list[SpanRecord], layers: dict[str, AnnotatorLayer]) -> DocumentRecord:
    return DocumentRecord(
        text=row["text"], title=row["title"], author=row["author"],
        published=row["published"], source_url=row["source_url"], meta=dict(row["meta"] or {}),
        spans=spans, layers=list(layers.values()),
    )  # fmt: skip
