"""Reading JSON Lines: doccano, Prodigy, flair and our own export, one document per line.

Every line is checked completely (offsets, labels, recorded span text) and the first bad
line raises an InputError naming the file and line, so an import is all or nothing.
Offsets in the file refer to the raw text; they are mapped onto the text with its line
breaks normalised to LF, so a span keeps covering the same characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from annotator.base.errors import InputError
from annotator.base.offsets import check_offsets
from annotator.base.text import normalize_newlines
from annotator.base.vocabulary import Origin, Status
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions
from annotator.formats.source import (
    MAX_JSON_DEPTH,
    check_document_length,
    lone_surrogate,
    read_text,
)

# Mirrors annotator.core.models.Status and Origin; checked here so a bad value is reported
# with its line instead of failing later in the database.
STATUSES = frozenset(Status)
ORIGINS = frozenset(Origin)

# Keys whose meaning the reader understands; any other top-level key is kept in meta.
_DOCUMENT_KEYS = frozenset(
    {"title", "author", "published", "source_url", "meta", "annotations", "spans", "entities"}
)
_DEFAULT_LABEL_KEYS = ("label", "labels")  # doccano writes either, depending on version
_FLAIR_TEXT_KEY = "data"  # flair's JSONL keeps the text under "data"
_JSON_SPACE = " \t\r"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The escape of half a surrogate pair; a whole pair is decoded into one character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def read_jsonl(
    path: Path, *, text_key: str | None = None, label_key: str | None = None
) -> Iterator[DocumentRecord]:
    """Yield one DocumentRecord per non-blank line, raising on the first bad one.

    `text_key` and `label_key` name the fields for files exported with custom column
    names (doccano's `column_data` / `column_label`). Without them the text is `text`
    (or flair's `data`) and labels are doccano's `label` or `labels`.
    """
    content = read_text(path)
    first = True
    for number, line in _lines(content):
        if not line.strip(_JSON_SPACE):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            reason = f"not valid JSON ({error.msg} at column {error.colno})"
            if first and _is_one_json_document(content):
                reason = (
                    "this file holds one JSON document spread over several lines; "
                    "JSON Lines needs one object per line"
                )
            raise InputError(reason, path=path, line=number) from None
        except RecursionError:
            raise InputError(_TOO_DEEP, path=path, line=number) from None
        except ValueError:  # json's own errors are caught above: this is Python's digit limit
            raise InputError(
                "not valid JSON (a number with more than 4300 digits)", path=path, line=number
            ) from None
        first = False
        _check_value(value, line, path=path, number=number)
        if not isinstance(value, dict):
            raise InputError(
                f"each line must be a JSON object ({{...}}), found {_kind(value)}",
                path=path,
                line=number,
            )
        yield _Line(path, number).document(value, text_key, label_key)


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp with its timezone; a naive one is refused (its instant is unknown)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{_show(value)} is not an ISO 8601 timestamp") from None
    if moment.utcoffset() is None:
        raise ValueError(f"timestamp {_show(value)} has no timezone (add Z or +hh:mm)")
    return moment


def _lines(content: str) -> Iterator[tuple[int, str]]:
    """Lines split on LF only: JSON strings may hold U+2028 and friends unescaped."""
    start = 0
    number = 1
    while start <= len(content):
        end = content.find("\n", start)
        if end == -1:
            end = len(content)
        yield number, content[start:end]
        start = end + 1
        number += 1


_TOO_DEEP = f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep"


def _check_value(value: Any, line: str, *, path: Path, number: int) -> None:
    """Refuse what json accepts but nothing after it can keep: half a surrogate pair, and
    nesting so deep that writing the value out again would exhaust the stack."""
    if _SURROGATE_ESCAPE.search(line) is not None:
        for string in _strings(value):
            if lone_surrogate(string) is not None:
                raise InputError(
                    "a \\u escape that is half of a surrogate pair (not a character); "
                    "the file was cut or mangled where it was made",
                    path=path,
                    line=number,
                )
    if line.count("[") + line.count("{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise InputError(_TOO_DEEP, path=path, line=number)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included, without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _depth(value: Any) -> int:
    """How many arrays and objects deep a JSON value nests, without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth) for child in children)
    return deepest


def _is_one_json_document(content: str) -> bool:
    try:
        return isinstance(json.loads(content), dict | list)
    except (ValueError, RecursionError):
        return False


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"


def _show(value: Any, limit: int = 60) -> str:
    """A value as it appears in JSON, shortened, for messages."""
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _Line:
    """Parses one JSON object, raising errors located at its line."""

    def __init__(self, path: Path, number: int) -> None:
        self.path = path
        self.number = number

    def error(self, message: str) -> InputError:
        return InputError(message, path=self.path, line=self.number)

    def document(
        self, obj: dict[str, Any], text_key: str | None, label_key: str | None
    ) -> DocumentRecord:
        used_text_key = self._text_key(obj, text_key)
        raw = obj[used_text_key]
        if not isinstance(raw, str):
            raise self.error(f'"{used_text_key}" must be a string, found {_kind(raw)}')
        if not raw.strip():
            raise self.error(f'"{used_text_key}" is empty')
        check_document_length(raw, path=self.path, line=self.number)
        text, remap = normalize_newlines(raw)
        label_keys = (label_key,) if label_key is not None else _DEFAULT_LABEL_KEYS
        spans = _Spans(self, raw_length=len(raw), text=text, remap=remap)

        record = DocumentRecord(
            text=text,
            title=self._optional_string(obj, "title"),
            author=self._optional_string(obj, "author"),
            published=self._published(obj.get("published")),
            source_url=self._optional_string(obj, "source_url"),
            line=self.number,
        )
        document_labels: list[str] = []
        for key in label_keys:
            if obj.get(key) is not None:
                document_labels += spans.doccano_labels(obj[key], key, record.spans)
        if obj.get("spans") is not None:
            record.spans += spans.span_objects(obj["spans"], "spans", annotator=None)
        if obj.get("entities") is not None:
            record.spans += spans.doccano_entities(obj["entities"])
        if document_labels:
            record.layers.append(AnnotatorLayer(annotator="", document_labels=document_labels))
        if obj.get("annotations") is not None:
            self._layers(obj["annotations"], spans, record)
        record.meta = self._meta(obj, consumed={used_text_key, *label_keys, *_DOCUMENT_KEYS})
        return record

    def _text_key(self, obj: dict[str, Any], text_key: str | None) -> str:
        if text_key is not None:
            if text_key not in obj:
                raise self.error(f'no "{text_key}" field (the document text)')
            return text_key
        if "text" in obj:
            return "text"
        if isinstance(obj.get(_FLAIR_TEXT_KEY), str):
            return _FLAIR_TEXT_KEY
        raise self.error('no "text" field (the document text)')

    def _optional_string(self, obj: dict[str, Any], key: str) -> str | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(f'"{key}" must be a string or null, found {_show(value)}')
        return value

    def _published(self, value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(
            f'"published" must be a date as "YYYY-MM-DD" or null, found {_show(value)}'
        )

    def _meta(self, obj: dict[str, Any], consumed: set[str]) -> dict[str, Any]:
        """The "meta" object plus every key we do not understand; meta's own keys win."""
        given = obj.get("meta")
        meta: dict[str, Any] = {}
        if isinstance(given, dict):
            meta.update(given)
        elif given is not None:
            meta["meta"] = given
        for key, value in obj.items():
            if key not in consumed and key not in meta:
                meta[key] = value
        return meta

    def _layers(self, value: Any, spans: _Spans, record: DocumentRecord) -> None:
        """Our own export: one entry per annotator, with status, document labels and spans."""
        if not isinstance(value, list):
            raise self.error(f'"annotations" must be an array, found {_kind(value)}')
        seen: set[str] = set()
        for index, entry in enumerate(value):
            where = f"annotations[{index}]"
            if not isinstance(entry, dict):
                raise self.error(f"{where} must be an object, found {_kind(entry)}")
            annotator = entry.get("annotator")
            if not isinstance(annotator, str) or not annotator.strip():
                raise self.error(
                    f'{where}: "annotator" must be a non-empty string, found {_show(annotator)}'
                )
            if annotator in seen:
                raise self.error(f"{where}: annotator {_show(annotator)} appears twice")
            seen.add(annotator)
            status = entry.get("status")
            if status is not None and status not in STATUSES:
                raise self.error(
                    f'{where}: "status" must be one of {", ".join(sorted(STATUSES))} or null, '
                    f"found {_show(status)}"
                )
            labels = self.label_list(entry.get("document_labels"), f"{where}.document_labels")
            record.layers.append(AnnotatorLayer(annotator, status, labels))
            if entry.get("spans") is not None:
                record.spans += spans.span_objects(
                    entry["spans"], f"{where}.spans", annotator=annotator
                )

    def label_list(self, value: Any, where: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{where} must be an array of labels, found {_kind(value)}")
        labels: list[str] = []
        for index, label in enumerate(value):
            if not isinstance(label, str) or not label.strip():
                raise self.error(
                    f"{where}[{index}]: a label must be a non-empty string, found {_show(label)}"
                )
            if label not in labels:
                labels.append(label)
        return labels


class _Spans:
    """Builds SpanRecords for one document, checking offsets, labels and recorded text."""

    def __init__(
        self, line: _Line, *, raw_length: int, text: str, remap: Callable[[int], int]
    ) -> None:
        self.line = line
        self.raw_length = raw_length
        self.text = text
        self.remap = remap

    def doccano_labels(self, value: Any, key: str, into: list[SpanRecord]) -> list[str]:
        """doccano's `label`: [[start, end, "LABEL"], ...] for spans, ["Sports", ...] for classes.

        Spans are appended to `into`; document labels are returned.
        """
        if not isinstance(value, list):
            raise self.line.error(f'"{key}" must be an array, found {_kind(value)}')
        if all(isinstance(item, str) for item in value):
            return self.line.label_list(value, key)
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(item, list) or len(item) != 3:
                raise self.line.error(
                    f'{where} must be [start, end, "LABEL"] (or every item a label name), '
                    f"found {_show(item)}"
                )
            start, end, label = item
            into.append(self.make(where, start, end, label, annotator=None))
        return []

    def doccano_entities(self, value: Any) -> list[SpanRecord]:
        """doccano's relation export: entities with start_offset / end_offset."""
        if not isinstance(value, list):
            raise self.line.error(f'"entities" must be an array, found {_kind(value)}')
        made: list[SpanRecord] = []
        for index, item in enumerate(value):
            where = f"entities[{index}]"
            if not isinstance(item, dict):
                raise self.line.error(f"{where} must be an object, found {_kind(item)}")
            self._require(item, where, ("start_offset", "end_offset", "label"))
            made.append(
                self.make(
                    where, item["start_offset"], item["end_offset"], item["label"], annotator=None
                )
            )
        return made

    def span_objects(self, value: Any, where: str, *, annotator: str | None) -> list[SpanRecord]:
        """Prodigy's and our own span objects: start, end, label and optional extras."""
        if not isinstance(value, list):
            raise self.line.error(f"{where} must be an array, found {_kind(value)}")
        made: list[SpanRecord] = []
        for index, item in enumerate(value):
            here = f"{where}[{index}]"
            if not isinstance(item, dict):
                raise self.line.error(f"{here} must be an object, found {_kind(item)}")
            self._require(item, here, ("start", "end", "label"))
            origin = item.get("origin")
            if origin is not None and origin not in ORIGINS:
                raise self.line.error(
                    f'{here}: "origin" must be one of {", ".join(sorted(ORIGINS))}, '
                    f"found {_show(origin)}"
                )
            made.append(
                self.make(
                    here,
                    item["start"],
                    item["end"],
                    item["label"],
                    annotator=annotator,
                    given_text=item.get("text"),
                    note=self._optional_string(item, "note", here),
                    origin=origin or Origin.IMPORTED,
                    created_at=self._timestamp(item, "created_at", here),
                    updated_at=self._timestamp(item, "updated_at", here),
                )
            )
        return made

    def make(
        self,
        where: str,
        start: Any,
        end: Any,
        label: Any,
        *,
        annotator: str | None,
        given_text: Any = None,
        note: str | None = None,
        origin: str = Origin.IMPORTED,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> SpanRecord:
        """One checked span, its offsets moved onto the normalised text."""
        for name, offset in (("start", start), ("end", end)):
            if isinstance(offset, bool) or not isinstance(offset, int):
                raise self.line.error(
                    f"{where}: {name} must be a whole number, found {_show(offset)}"
                )
        reason = check_offsets(self.raw_length, start, end)
        if reason is not None:
            raise self.line.error(f"{where}: {reason}")
        new_start, new_end = self.remap(start), self.remap(end)
        reason = check_offsets(len(self.text), new_start, new_end)
        if reason is not None:  # only a span that covers nothing but the CR of a CRLF
            raise self.line.error(f"{where}: {reason} once CRLF line breaks become LF")
        if not isinstance(label, str) or not label.strip():
            raise self.line.error(
                f"{where}: label must be a non-empty string, found {_show(label)}"
            )
        surface: str | None = None
        if given_text is not None:
            if not isinstance(given_text, str):
                raise self.line.error(
                    f'{where}: "text" must be a string, found {_show(given_text)}'
                )
            surface = normalize_newlines(given_text)[0]
            found = self.text[new_start:new_end]
            if surface != found:
                raise self.line.error(
                    f'{where}: span {start}-{end} should cover {_show(surface)} (its "text") '
                    f"but the document has {_show(found)} there"
                )
        return SpanRecord(
            start=new_start,
            end=new_end,
            label=label,
            annotator=annotator,
            text=surface,
            note=note,
            origin=origin,
            created_at=created_at,
            updated_at=updated_at,
        )

    def _require(self, item: dict[str, Any], where: str, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key not in item:
                raise self.line.error(f'{where}: no "{key}"')

    def _optional_string(self, item: dict[str, Any], key: str, where: str) -> str | None:
        value = item.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.line.error(
                f'{where}: "{key}" must be a string or null, found {_show(value)}'
            )
        return value

    def _timestamp(self, item: dict[str, Any], key: str, where: str) -> datetime | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.line.error(
                f'{where}: "{key}" must be a timestamp string, found {_show(value)}'
            )
        try:
            return parse_timestamp(value)
        except ValueError as error:
            raise self.line.error(f'{where}: "{key}": {error}') from None


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[DocumentRecord]:
    """The registry's entry: our own JSONL (see `read_jsonl`)."""
    return read_jsonl(path, text_key=options.text_key, label_key=options.label_key)
