"""Reading annotator's own JSON Lines: one document a line with every annotator's layer.

The shape is the export's: text, title, author, published, source_url, meta, top-level
`spans` (the importing user's) and `annotations`, one entry per annotator with status,
document labels and spans. A line written by doccano or Prodigy is refused with the
`--format` that reads it: read as ours, a rejected Prodigy answer would become an
annotation. Every line is checked completely and the first bad one raises an InputError
naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.formats.json_lines import (
    DOCUMENT_FIELDS,
    ORIGINS,
    STATUSES,
    Line,
    json_objects,
    merged_meta,
    our_layers,
    parse_timestamp,
    shape_of,
    wrong_shape,
)
from annotator.formats.records import DocumentRecord
from annotator.formats.registry import FileNotes, ReadOptions

__all__ = ["ORIGINS", "STATUSES", "parse_timestamp", "read"]

_OUR_KEYS = frozenset({"text", *DOCUMENT_FIELDS, "meta", "spans", "annotations"})
# Keys only doccano (and Prodigy) give a meaning that our own shape does not have.
_DOCUMENT_LABEL_KEYS = ("label", "cats")


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[DocumentRecord]:
    """The registry's entry: our own JSONL, one document a line."""
    for number, obj in json_objects(path):
        yield _document(Line(path, number), obj)


def _document(line: Line, obj: dict[str, Any]) -> DocumentRecord:
    shape = shape_of(obj)
    if shape is None:
        key = next((key for key in _DOCUMENT_LABEL_KEYS if key in obj), None)
        shape = None if key is None else ("doccano", key)
    if shape is not None and shape[0] != "jsonl":
        raise wrong_shape(line, *shape, reading="jsonl")
    raw = line.text(obj, "text")
    if not raw.strip():
        raise line.error('"text" is empty')
    record, spans = line.document(raw, obj)
    if obj.get("spans") is not None:
        record.spans += spans.span_objects(obj["spans"], "spans", annotator=None)
    if obj.get("annotations") is not None:
        our_layers(line, obj["annotations"], spans, record)
    record.meta = merged_meta(obj, consumed=set(_OUR_KEYS))
    return record
