"""Plain records that readers produce and the importer writes: the contract between them.

Offsets are Unicode code point indices into `text`, end exclusive, after newline
normalisation (see `annotator.base.text.normalize_newlines`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from annotator.base.vocabulary import Origin


@dataclass(slots=True)
class SpanRecord:
    start: int
    end: int
    label: str
    annotator: str | None = None  # None: the importing user's name
    text: str | None = None  # surface text given by the source, checked against the document
    note: str | None = None
    origin: str = Origin.IMPORTED
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class AnnotatorLayer:
    """One annotator's work on one document, as carried by our own JSONL."""

    annotator: str
    status: str | None = None
    document_labels: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DocumentRecord:
    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    source_url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanRecord] = field(default_factory=list)
    layers: list[AnnotatorLayer] = field(default_factory=list)
    line: int | None = None  # where the record starts in its file, for error messages


@dataclass(slots=True)
class SpanRowRecord:
    """A span that refers to an existing document by content hash (a re-imported span CSV)."""

    document_hash: str
    span: SpanRecord
    line: int


@dataclass(slots=True)
class DocumentLabelRowRecord:
    """A document label that refers to an existing document by content hash (a re-imported CSV)."""

    document_hash: str
    annotator: str
    label: str
    line: int
    created_at: datetime | None = None
