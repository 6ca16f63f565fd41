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
)
from annotator.formats.records import DocumentRecord
from annotator.formats.registry import FileNotes, ReadOptions

__all__ = ["ORIGINS", "STATUSES", "foreign_format", "parse_timestamp", "read"]

_OUR_KEYS = frozenset({"text", *DOCUMENT_FIELDS, "meta", "spans", "annotations"})
_PRODIGY_KEYS = ("_input_hash", "_task_hash", "answer", "_view_id", "_session_id",
                 "_annotator_id", "tokens", "accept", "options")  # fmt: skip
_DOCCANO_KEYS = ("label", "labels", "entities", "relations", "cats")
_DOCCANO_1_KEYS = frozenset({"label", "label_name", "start_offset", "end_offset", "user"})


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[DocumentRecord]:
    """The registry's entry: our own JSONL, one document a line."""
    for number, obj in json_objects(path):
        yield _document(Line(path, number), obj)


def foreign_format(obj: dict[str, Any]) -> tuple[str, str] | None:
    """The format a line written by another tool is in, and the key that says so."""
    for key in _PRODIGY_KEYS:
        if key in obj:
            return "prodigy", key
    if isinstance(obj.get("data"), dict) or "completions" in obj or "predictions" in obj:
        return "labelstudio", "data" if "data" in obj else "predictions"
    for key in _DOCCANO_KEYS:
        if key in obj:
            return "doccano", key
    if "text" not in obj and isinstance(obj.get("data"), str):
        return "doccano", "data"
    annotations = obj.get("annotations")
    if isinstance(annotations, list) and any(
        isinstance(item, dict) and "annotator" not in item and item.keys() & _DOCCANO_1_KEYS
        for item in annotations
    ):
        return "doccano", "annotations"
    return None


def _document(line: Line, obj: dict[str, Any]) -> DocumentRecord:
    foreign = foreign_format(obj)
    if foreign is not None:
        name, key = foreign
        raise line.error(
            f"this line is in {name}'s shape (it has \"{key}\"), not annotator's own JSONL; "
            f"import it with --format {name}"
        )
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
