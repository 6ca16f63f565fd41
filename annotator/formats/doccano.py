"""doccano's JSONL, every shape it has exported or imported, and an export doccano imports.

Read: the text under `text` or doccano 1.x's `data` (or the `column_data` the user names
with `text_key`); spans as `label`/`labels` lists of `[start, end, "LABEL"]`, as
`entities` (lists or `{start_offset, end_offset, label}` objects) or as 1.x
`annotations` (`label` or `label_name`, and the `user` whose layer they are); document
labels as a list of names, a single name, or spaCy's `cats`. A line in our own JSONL
shape (`spans` objects, `annotations` with an annotator) is read as ours, so a file made
by hand that mixes them comes in whole; a file of nothing but such lines is ours, and a
line of Prodigy's or Label Studio's is refused, naming the format that reads it.
Relations are left out and counted; every other key is kept in the document's meta. A
whole file that is one pretty-printed object or an array of them (doccano's relation
export) is read too.

Write: one line per document and annotator layer, `label` holding spans or document
labels as doccano's sequence-labelling and text-classification imports take them (or
`entities` and `cats` when an export has both), the annotator and status in keys
doccano keeps as metadata, and the document's meta keys beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.base.safe_files import atomic_output
from annotator.base.vocabulary import Origin
from annotator.formats.json_lines import (
    DOCUMENT_FIELDS,
    STATUSES,
    Line,
    Spans,
    describe_document,
    json_objects,
    kind,
    merged_meta,
    our_layers,
    shape_of,
    show,
    without_repeats,
    wrong_shape,
)
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, Layer, ReadOptions, WriteOptions, layers_of

_LABEL_KEYS = ("label", "labels")  # doccano writes either, depending on its version
_TEXT_KEYS = ("text", "data")  # doccano 1.x (and flair) keep the text under "data"
# Where the writer names the layer; doccano keeps unknown keys as the example's meta.
ANNOTATOR_KEY = "annotator"
STATUS_KEY = "status"
# Keys by which detection would take the file for Prodigy's or Label Studio's.
_OTHER_TOOLS_KEYS = frozenset(
    {"answer", "accept", "options", "tokens", "predictions", "completions"}
)
# Keys the reader takes a meaning from: a meta key of that name is written inside "meta".
_RESERVED = frozenset(
    {*_TEXT_KEYS, *_LABEL_KEYS, *DOCUMENT_FIELDS, "entities", "spans", "cats", "annotations",
     "relations", ANNOTATOR_KEY, STATUS_KEY, "meta"}
)  # fmt: skip


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[DocumentRecord]:
    """Every example of the file, checked whole before the first is given.

    A line of Prodigy's or Label Studio's is refused with the format that reads it. Lines
    in our own shape are read among doccano's, but a file of nothing else is ours.
    """
    records: list[DocumentRecord] = []
    first_of_ours: tuple[Line, str] | None = None
    doccano_seen = options.text_key is not None or options.label_key is not None
    for number, obj in json_objects(path, whole_document=True):
        line = Line(path, number)
        shape = shape_of(obj)
        if shape is not None and shape[0] in ("prodigy", "labelstudio"):
            raise wrong_shape(line, *shape, reading="doccano")
        if shape is not None and shape[0] == "jsonl":
            first_of_ours = first_of_ours or (line, shape[1])
        elif shape is not None or "label" in obj or "cats" in obj:
            doccano_seen = True
        record = _Example(line, options, notes).record(obj)
        if record is not None:
            records.append(record)
    if first_of_ours is not None and not doccano_seen:
        raise wrong_shape(first_of_ours[0], "jsonl", first_of_ours[1], reading="doccano")
    return iter(records)


class _Example:
    """One doccano example (a line, or an object of a whole-file document)."""

    def __init__(self, line: Line, options: ReadOptions, notes: FileNotes) -> None:
        self.line = line
        self.options = options
        self.notes = notes

    def record(self, obj: dict[str, Any]) -> DocumentRecord | None:
        text_key = self._text_key(obj)
        raw = self.line.text(obj, text_key)
        if not raw.strip():
            self.notes.warn(
                f'blank example skipped ("{text_key}" holds no text)',
                path=self.line.path,
                line=self.line.number,
            )
            return None
        record, spans = self.line.document(raw, obj)
        default = self._annotator(obj)
        status = self._status(obj)
        consumed = {text_key, *DOCUMENT_FIELDS, "relations"}
        if status is not None:
            consumed.add(STATUS_KEY)
        if default is not None:
            consumed.add(ANNOTATOR_KEY)
        labels: dict[str | None, list[str]] = {}

        def add_labels(annotator: str | None, names: list[str]) -> None:
            held = labels.setdefault(annotator, [])
            held += [name for name in names if name not in held]

        label_keys = (self.options.label_key,) if self.options.label_key else _LABEL_KEYS
        for key in label_keys:
            consumed.add(key)
            if obj.get(key) is not None:
                found, names = self._labels(obj[key], key, spans, default)
                record.spans += found
                add_labels(default, names)
        if obj.get("entities") is not None:
            consumed.add("entities")
            record.spans += self._entities(obj["entities"], spans, default)
        if obj.get("spans") is not None:  # a hand-made file in Prodigy's or our own shape
            consumed.add("spans")
            record.spans += spans.span_objects(obj["spans"], "spans", annotator=default)
        if obj.get("cats") is not None:
            consumed.add("cats")
            add_labels(default, self.line.cats(obj["cats"], "cats"))
        if _is_our_layers(obj.get("annotations")):  # a line of our own JSONL among doccano's
            consumed.add("annotations")
            our_layers(self.line, obj["annotations"], spans, record)
        elif isinstance(obj.get("annotations"), list):
            consumed.add("annotations")
            for annotator, found, names in self._annotations(obj["annotations"], spans, default):
                record.spans += found
                add_labels(annotator, names)
        relations = obj.get("relations")
        if isinstance(relations, list):
            self.notes.leave_out("relations", len(relations))
        elif relations is not None:
            raise self.line.error(f'"relations" must be an array, found {kind(relations)}')
        record.spans, repeats = without_repeats(record.spans)
        self.notes.leave_out("spans given twice", repeats)
        layer_names = {span.annotator for span in record.spans} | set(labels)
        if status is not None:
            layer_names.add(default)
        for annotator in sorted(layer_names, key=lambda name: name or ""):
            given = labels.get(annotator, [])
            layer_status = status if annotator == default else None
            if given or layer_status is not None:
                record.layers.append(AnnotatorLayer(annotator or "", layer_status, given))
        record.meta = merged_meta(obj, consumed)
        return record

    def _text_key(self, obj: dict[str, Any]) -> str:
        if self.options.text_key is not None:
            return self.options.text_key
        for key in _TEXT_KEYS:
            if isinstance(obj.get(key), str):
                return key
        return "text"  # absent or not a string: Line.text says which

    def _annotator(self, obj: dict[str, Any]) -> str | None:
        """The layer the example's own labels belong to: the writer's `annotator` key, or
        None for the importing user."""
        value = obj.get(ANNOTATOR_KEY)
        if isinstance(value, str) and value.strip():
            return value
        return None

    def _status(self, obj: dict[str, Any]) -> str | None:
        """The layer's status as the writer gives it; any other "status" stays in meta."""
        value = obj.get(STATUS_KEY)
        if ANNOTATOR_KEY in obj and isinstance(value, str) and value in STATUSES:
            return value
        return None

    def _labels(
        self, value: Any, key: str, spans: Spans, annotator: str | None
    ) -> tuple[list[SpanRecord], list[str]]:
        """`label`: [[start, end, "LABEL"], ...] for spans, ["Sports", ...] (or one name)
        for document labels."""
        if isinstance(value, str):
            return [], self.line.label_list([value], f'"{key}"')
        if not isinstance(value, list):
            raise self.line.error(f'"{key}" must be an array, found {kind(value)}')
        if all(isinstance(item, str) for item in value):
            return [], self.line.label_list(value, key)
        made: list[SpanRecord] = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(item, list) or len(item) != 3:
                raise self.line.error(
                    f'{where} must be [start, end, "LABEL"] (or every item a label name), '
                    f"found {show(item)}"
                )
            start, end, label = item
            made.append(spans.make(where, start, end, label, annotator=annotator))
        return made, []

    def _entities(self, value: Any, spans: Spans, annotator: str | None) -> list[SpanRecord]:
        """`entities`: [start, end, "LABEL"] lists or {start_offset, end_offset, label} objects."""
        if not isinstance(value, list):
            raise self.line.error(f'"entities" must be an array, found {kind(value)}')
        made: list[SpanRecord] = []
        for index, item in enumerate(value):
            where = f"entities[{index}]"
            if isinstance(item, list) and len(item) == 3:
                made.append(spans.make(where, *item, annotator=annotator))
            elif isinstance(item, dict):
                spans.require(item, where, ("start_offset", "end_offset", "label"))
                made.append(
                    spans.make(
                        where,
                        item["start_offset"],
                        item["end_offset"],
                        item["label"],
                        annotator=annotator,
                    )
                )
            else:
                raise self.line.error(
                    f'{where} must be [start, end, "LABEL"] or an object with start_offset, '
                    f"end_offset and label, found {show(item)}"
                )
        return made

    def _annotations(
        self, value: list[Any], spans: Spans, default: str | None
    ) -> Iterator[tuple[str | None, list[SpanRecord], list[str]]]:
        """doccano 1.x: [{label or label_name, start_offset, end_offset, user}], a document
        label where there are no offsets; each user's work is their own layer."""
        for here, item in spans.objects(value, "annotations"):
            annotator = self._user(item.get("user"), here, default)
            label = item.get("label_name", item.get("label"))
            if isinstance(label, int) and not isinstance(label, bool):
                label = str(label)  # a label id: the name is not in the file
            if "start_offset" in item or "end_offset" in item:
                spans.require(item, here, ("start_offset", "end_offset"))
                span = spans.make(
                    here, item["start_offset"], item["end_offset"], label, annotator=annotator
                )
                yield annotator, [span], []
            else:
                yield annotator, [], self.line.label_list([label], f"{here}.label")

    def _user(self, value: Any, where: str, default: str | None) -> str | None:
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return f"user {value}"  # doccano 1.x exported the user's id, not their name
        if isinstance(value, str) and value.strip():
            return value
        raise self.line.error(f'{where}: "user" must be a name or a user id, found {show(value)}')


def _nested(key: str) -> bool:
    """Whether a meta key goes inside "meta": one the reader gives a meaning, or one by which
    the file would be taken for another tool's (Prodigy's `_input_hash`, `answer`, ...)."""
    return key in _RESERVED or key in _OTHER_TOOLS_KEYS or key.startswith("_")


def _is_our_layers(value: Any) -> bool:
    return isinstance(value, list) and any(
        isinstance(item, dict) and "annotator" in item for item in value
    )


def write(
    documents: Iterable[DocumentRecord], target: Path, options: WriteOptions, notes: FileNotes
) -> None:
    """One line per document and layer, written whole or not at all."""
    listed = list(documents)
    layered = [(document, layers_of(document)) for document in listed]
    has_spans = any(layer.spans for _, layers in layered for layer in layers)
    has_labels = any(layer.document_labels for _, layers in layered for layer in layers)
    with atomic_output(target, encoding="utf-8", newline="\n") as out:
        for number, (document, layers) in enumerate(layered, start=1):
            for line in _lines(document, layers or [None], number, notes, has_spans, has_labels):
                out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
                out.write("\n")


def _lines(
    document: DocumentRecord,
    layers: list[Layer] | list[None],
    number: int,
    notes: FileNotes,
    has_spans: bool,
    has_labels: bool,
) -> Iterator[dict[str, Any]]:
    where = describe_document(document, number)
    for layer in layers:
        line: dict[str, Any] = {"text": document.text}
        spans: list[list[Any]] = []
        labels: list[str] = []
        if layer is not None:
            for span in layer.spans:
                if span.origin == Origin.REJECTED:
                    notes.leave_out("rejected suggestions (doccano has no word for them)")
                    continue
                if span.note:
                    notes.warn(
                        f"{where}: the note on span {span.start}-{span.end} is not written "
                        "(doccano has no place for it)"
                    )
                spans.append([span.start, span.end, span.label])
            labels = list(layer.document_labels)
        if has_spans and has_labels:
            line["entities"] = spans
            line["cats"] = labels
        elif has_labels:
            line["label"] = labels
        else:
            line["label"] = spans
        if layer is not None and layer.annotator:
            line[ANNOTATOR_KEY] = layer.annotator
            if layer.status is not None:
                line[STATUS_KEY] = layer.status
        for key in DOCUMENT_FIELDS:
            value = getattr(document, key)
            if value is not None:
                line[key] = value.isoformat() if key == "published" else value
        nested = {key: value for key, value in document.meta.items() if _nested(key)}
        line.update({key: value for key, value in document.meta.items() if key not in nested})
        if nested:
            line["meta"] = nested
        yield line
