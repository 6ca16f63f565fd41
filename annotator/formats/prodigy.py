"""Prodigy's JSONL tasks (`prodigy db-out`), read with their answers, and tasks `db-in` takes.

Read: only what a person accepted is an annotation. A task answered `reject` or
`ignore`, and a span that carries its own such answer, is left out and counted (with
`keep_rejected`, rejected spans are kept as rejected suggestions). An accepted task is
its annotator's finished work (status done), spans or none; a binary `ner` task (ner.teach)
confirms one suggestion and says nothing of the rest of the text, so its status is in
progress. A task without an answer is taken as `db-in` takes it, accepted, with no status.
`_annotator_id` (else `_session_id`) names the layer. Classification gives document
labels: `label` of an accepted task, the `accept`ed option ids, or spaCy's `cats`; the
spans of a classification task only highlight pattern matches and are left out. The
text of every task is imported, even a rejected one's; tasks with the same text become
one document in the importer.

Write: one task per document and annotator layer, with tokens cut at every span's
edges, spans with their token indices, `answer: accept` for a finished layer (no answer
for any other), the project's document labels as `options` with the layer's `accept`ed,
and title, author, published, source_url and the document's meta in `meta`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from annotator.base.safe_files import atomic_output
from annotator.base.vocabulary import Origin, Status
from annotator.formats.json_lines import (
    DOCUMENT_FIELDS,
    Line,
    Spans,
    describe_document,
    json_objects,
    kind,
    merged_meta,
    shape_of,
    show,
    without_repeats,
    wrong_shape,
)
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, Layer, ReadOptions, WriteOptions, layers_of

ACCEPT, REJECT, IGNORE = "accept", "reject", "ignore"
_ANSWERS = (ACCEPT, REJECT, IGNORE)
# Views where a person answers yes or no to one suggestion, not for the whole text.
_BINARY_VIEWS = frozenset({"ner"})
# Views where spans only highlight the text for a question about the whole of it.
_HIGHLIGHT_VIEWS = frozenset({"classification"})
# Keys the reader takes a meaning from; every other key of a task is kept in meta.
_TASK_KEYS = frozenset(
    {"text", "spans", "tokens", "answer", "accept", "options", "label", "cats", "relations",
     "_annotator_id", "_session_id"}
)  # fmt: skip
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[DocumentRecord]:
    """Every task of the file, checked whole before the first is given."""
    records: list[DocumentRecord] = []
    for number, obj in json_objects(path, whole_document=True):
        shape = shape_of(obj)
        if shape is not None and shape[0] != "prodigy":
            # Read as tasks, another tool's work would come in as nobody's answer.
            raise wrong_shape(Line(path, number), *shape, reading="prodigy")
        record = _Task(Line(path, number), options, notes).record(obj)
        if record is not None:
            records.append(record)
    return iter(records)


class _Task:
    def __init__(self, line: Line, options: ReadOptions, notes: FileNotes) -> None:
        self.line = line
        self.options = options
        self.notes = notes

    def record(self, obj: dict[str, Any]) -> DocumentRecord | None:
        text_key = self.options.text_key or "text"
        raw = self.line.text(obj, text_key)
        if not raw.strip():
            self.notes.warn("blank task skipped", path=self.line.path, line=self.line.number)
            return None
        answer = self._answer(obj.get("answer"))
        annotator = self._annotator(obj)
        given_meta = obj.get("meta")
        fields = _document_fields(given_meta) if isinstance(given_meta, dict) else {}
        record, spans = self.line.document(raw, fields)
        if answer == REJECT:
            self.notes.leave_out("rejected answers")
        elif answer == IGNORE:
            self.notes.leave_out("ignored answers")
        if obj.get("spans") is not None and obj.get("_view_id") in _HIGHLIGHT_VIEWS:
            # textcat.teach shows pattern matches as spans: highlights, not annotations.
            shown = list(spans.objects(obj["spans"], "spans"))
            self.notes.leave_out("spans highlighted in classification tasks", len(shown))
        elif obj.get("spans") is not None:
            record.spans, repeats = without_repeats(
                self._spans(obj["spans"], obj.get("tokens"), spans, annotator, answer)
            )
            self.notes.leave_out("spans given twice", repeats)
        labels = self._document_labels(obj)
        relations = obj.get("relations")
        if isinstance(relations, list):
            self.notes.leave_out("relations", len(relations))
        status: str | None = None
        if answer == ACCEPT:
            binary = obj.get("_view_id") in _BINARY_VIEWS
            status = Status.IN_PROGRESS if binary else Status.DONE
        if answer in (REJECT, IGNORE):
            labels = []
        if status is not None or labels:
            record.layers.append(AnnotatorLayer(annotator or "", status, labels))
        meta = merged_meta(obj, consumed={text_key, *_TASK_KEYS})
        for key in fields:
            meta.pop(key, None)
        record.meta = meta
        return record

    def _answer(self, value: Any) -> str | None:
        if value is None or value in _ANSWERS:
            return None if value is None else str(value)
        raise self.line.error(
            f'"answer" must be "accept", "reject" or "ignore", found {show(value)}'
        )

    def _annotator(self, obj: dict[str, Any]) -> str | None:
        for key in ("_annotator_id", "_session_id"):
            value = obj.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise self.line.error(f'"{key}" must be a name, found {show(value)}')
            return value
        return None

    def _spans(
        self,
        value: Any,
        tokens: Any,
        spans: Spans,
        annotator: str | None,
        answer: str | None,
    ) -> list[SpanRecord]:
        made: list[SpanRecord] = []
        for here, item in spans.objects(value, "spans"):
            own = self._answer(item.get("answer"))
            start, end = self._offsets(item, tokens, here)
            span = spans.make(
                here, start, end, item.get("label"), annotator=annotator,
                given_text=item.get("text"),
            )  # fmt: skip
            if answer in (REJECT, IGNORE):
                if answer == REJECT and self.options.keep_rejected:
                    span.origin = Origin.REJECTED
                    made.append(span)
                continue  # counted once, as the task's answer
            if own == IGNORE:
                self.notes.leave_out("ignored answers")
            elif own == REJECT:
                self.notes.leave_out("rejected answers")
                if self.options.keep_rejected:
                    span.origin = Origin.REJECTED
                    made.append(span)
            else:
                made.append(span)
        return made

    def _offsets(self, item: dict[str, Any], tokens: Any, where: str) -> tuple[Any, Any]:
        """Character offsets, or those of the tokens a span names when it gives none."""
        if "start" in item or "end" in item or "token_start" not in item:
            for key in ("start", "end", "label"):
                if key not in item:
                    raise self.line.error(f'{where}: no "{key}"')
            return item["start"], item["end"]
        if "token_end" not in item:
            raise self.line.error(f'{where}: no "token_end"')
        return (
            self._token_offset(tokens, item["token_start"], "start", where),
            self._token_offset(tokens, item["token_end"], "end", where),
        )

    def _token_offset(self, tokens: Any, index: Any, key: str, where: str) -> Any:
        if not isinstance(tokens, list):
            raise self.line.error(f'{where}: token_{key} is given but the task has no "tokens"')
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(tokens):
            raise self.line.error(
                f"{where}: token_{key} must be the index of one of the {len(tokens)} tokens, "
                f"found {show(index)}"
            )
        token = tokens[index]
        if not isinstance(token, dict) or key not in token:
            raise self.line.error(f'tokens[{index}] must be an object with "{key}"')
        return token[key]

    def _document_labels(self, obj: dict[str, Any]) -> list[str]:
        labels: list[str] = []
        label = obj.get("label")
        if label is not None:
            labels += self.line.label_list([label], '"label"')
        accepted = obj.get("accept")
        if accepted is not None:
            if not isinstance(accepted, list):
                raise self.line.error(
                    f'"accept" must be an array of option ids, found {kind(accepted)}'
                )
            ids = [str(item) if isinstance(item, int) and not isinstance(item, bool) else item
                   for item in accepted]  # fmt: skip
            labels += self.line.label_list(ids, "accept")
        if obj.get("cats") is not None:
            labels += self.line.cats(obj["cats"], "cats")
        return list(dict.fromkeys(labels))


def _document_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """Title, author, published and source_url from a task's meta, where they have the
    shape the writer gives them; otherwise they stay in meta as they are."""
    fields: dict[str, Any] = {}
    for key in DOCUMENT_FIELDS:
        value = meta.get(key)
        if not isinstance(value, str) or not value:
            continue
        if key == "published" and not _is_date(value):
            continue
        fields[key] = value
    return fields


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def write(
    documents: Iterable[DocumentRecord], target: Path, options: WriteOptions, notes: FileNotes
) -> None:
    """One task per document and layer, written whole or not at all."""
    layered = [(document, layers_of(document)) for document in documents]
    all_labels = sorted({name for _, layers in layered for layer in layers
                         for name in layer.document_labels})  # fmt: skip
    with atomic_output(target, encoding="utf-8", newline="\n") as out:
        for number, (document, layers) in enumerate(layered, start=1):
            # One tokenization per text, cut at every layer's span edges: the tasks of one
            # text share their tokens, as Prodigy's do.
            edges = [edge for span in document.spans for edge in (span.start, span.end)]
            tokens = tokenize(document.text, edges)
            shared = _json(tokens)  # the bulk of a task, written out once per text
            each: list[Layer | None] = [*layers] if layers else [None]
            for layer in each:
                where = describe_document(document, number)
                task = _json(_task(document, where, tokens, layer, all_labels, notes))
                out.write(f'{task[:-1]},"tokens":{shared}}}\n')


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _task(
    document: DocumentRecord,
    where: str,
    tokens: list[dict[str, Any]],
    layer: Layer | None,
    all_labels: list[str],
    notes: FileNotes,
) -> dict[str, Any]:
    spans = layer.spans if layer is not None else []
    token_at = {token["start"]: token["id"] for token in tokens}
    token_ending = {token["end"]: token["id"] for token in tokens}
    task: dict[str, Any] = {"text": document.text, "spans": []}  # the tokens follow
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.label)):
        written: dict[str, Any] = {"start": span.start, "end": span.end, "label": span.label}
        if span.start in token_at and span.end in token_ending:  # not an edge in white space
            written["token_start"] = token_at[span.start]
            written["token_end"] = token_ending[span.end]
        if span.origin == Origin.REJECTED:
            written["answer"] = REJECT
        task["spans"].append(written)
        if span.note:
            notes.warn(
                f"{where}: the note on span {span.start}-{span.end} is not "
                "written (a Prodigy span has no place for it)"
            )
    if all_labels:
        task["options"] = [{"id": name, "text": name} for name in all_labels]
        task["accept"] = sorted(layer.document_labels) if layer is not None else []
    if layer is not None and layer.annotator:
        task["_annotator_id"] = task["_session_id"] = layer.annotator
    if layer is not None and layer.status == Status.DONE:
        task["answer"] = ACCEPT
    elif layer is not None and layer.status is not None:
        notes.leave_out(f"{Status(layer.status).display} statuses (Prodigy has only answers)")
    meta = dict(document.meta)
    for key in DOCUMENT_FIELDS:
        value = getattr(document, key)
        if value is not None:
            meta[key] = value.isoformat() if key == "published" else value
    task["meta"] = meta
    return task


def tokenize(text: str, edges: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Prodigy's tokens: words and single other characters, also cut at every given edge,
    so that each span starts and ends on a token boundary."""
    cuts = sorted(set(edges))
    next_cut = 0
    tokens: list[dict[str, Any]] = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        while next_cut < len(cuts) and cuts[next_cut] <= start:
            next_cut += 1
        piece_start = start
        while next_cut < len(cuts) and cuts[next_cut] < end:
            cut = cuts[next_cut]
            tokens.append(_token(text, piece_start, cut, len(tokens), ws=False))
            piece_start = cut
            next_cut += 1
        ws = end < len(text) and text[end].isspace()
        tokens.append(_token(text, piece_start, end, len(tokens), ws=ws))
    return tokens


def _token(text: str, start: int, end: int, number: int, *, ws: bool) -> dict[str, Any]:
    return {"text": text[start:end], "start": start, "end": end, "id": number, "ws": ws}
