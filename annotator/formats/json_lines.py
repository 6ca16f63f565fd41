"""What every JSON Lines reader shares: splitting a file into checked JSON objects, each
with its line, and building spans that are checked against their document's text.

Our own JSONL, doccano and Prodigy differ only in the keys of an object; how a line is
split, which JSON is refused (half a surrogate pair, nesting too deep, a number too long)
and how an offset moves onto the text with its line breaks normalised to LF are the same,
so a file is refused with the same words whichever format it was read as.
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

# Fields of a document that our JSONL and the writers of other formats carry by name.
DOCUMENT_FIELDS = ("title", "author", "published", "source_url")

_JSON_SPACE = " \t\r"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The escape of half a surrogate pair; a whole pair is decoded into one character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
TOO_DEEP = f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep"


def json_objects(
    path: Path, *, whole_document: bool = False
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each JSON object of the file with the number of the line it starts on.

    One object a line; blank lines are skipped. With `whole_document`, a file that is one
    pretty-printed object, or an array of objects, is read too (doccano writes some of
    those under a `.jsonl` name); without it, such a file is explained rather than
    reported as bad JSON on its first line.
    """
    content = read_text(path)
    first = True
    for number, line in _lines(content):
        if not line.strip(_JSON_SPACE):
            continue
        try:
            value = _parse(line, path=path, number=number)
        except InputError:
            if first and not _decodes(line) and _is_one_json_document(content):
                if whole_document:
                    yield from _whole_document(content, path)
                    return
                raise InputError(
                    "this file holds one JSON document spread over several lines; "
                    "JSON Lines needs one object per line",
                    path=path,
                    line=number,
                ) from None
            raise
        if first and whole_document and isinstance(value, list) and _is_one_json_document(content):
            yield from _whole_document(content, path)
            return
        first = False
        yield number, _object(value, path=path, number=number)


def _parse(text: str, *, path: Path, number: int) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        reason = f"not valid JSON ({error.msg} at column {error.colno})"
        raise InputError(reason, path=path, line=number) from None
    except RecursionError:
        raise InputError(TOO_DEEP, path=path, line=number) from None
    except ValueError:  # json's own errors are caught above: this is Python's digit limit
        raise InputError(
            "not valid JSON (a number with more than 4300 digits)", path=path, line=number
        ) from None
    _check_value(value, text, path=path, number=number)
    return value


def _object(value: Any, *, path: Path, number: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(
            f"each line must be a JSON object ({{...}}), found {kind(value)}",
            path=path,
            line=number,
        )
    return value


def _whole_document(content: str, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of one JSON document: itself, or each element of an array, by the line
    where it starts."""
    start = len(content) - len(content.lstrip())
    number = content.count("\n", 0, start) + 1
    if content[start] != "[":
        yield number, _object(_parse(content, path=path, number=number), path=path, number=number)
        return
    _parse(content, path=path, number=number)  # the depth, surrogate and digit checks
    decoder = json.JSONDecoder()
    position = start + 1
    while True:
        while position < len(content) and content[position] in " \t\r\n,":
            position += 1
        if position >= len(content) or content[position] == "]":
            return
        number = content.count("\n", 0, position) + 1
        value, position = decoder.raw_decode(content, position)
        yield number, _object(value, path=path, number=number)


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
        raise InputError(TOO_DEEP, path=path, line=number)


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


def _decodes(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def _is_one_json_document(content: str) -> bool:
    try:
        return isinstance(json.loads(content), dict | list)
    except (ValueError, RecursionError):
        return False


def kind(value: Any) -> str:
    """What a JSON value is, in words, for messages."""
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


def show(value: Any, limit: int = 60) -> str:
    """A value as it appears in JSON, shortened, for messages."""
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp with its timezone; a naive one is refused (its instant is unknown)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{show(value)} is not an ISO 8601 timestamp") from None
    if moment.utcoffset() is None:
        raise ValueError(f"timestamp {show(value)} has no timezone (add Z or +hh:mm)")
    return moment


def merged_meta(obj: dict[str, Any], consumed: set[str]) -> dict[str, Any]:
    """The "meta" object plus every key the reader does not understand; meta's own keys win."""
    given = obj.get("meta")
    meta: dict[str, Any] = {}
    if isinstance(given, dict):
        meta.update(given)
    elif given is not None:
        meta["meta"] = given
    for key, value in obj.items():
        if key not in consumed and key != "meta" and key not in meta:
            meta[key] = value
    return meta


# Whose shape a line is in, by keys only that tool writes, for refusing a file read as the
# wrong format with the format that reads it (a Prodigy file read as ours would turn its
# rejected answers into annotations).
_WHOSE = {
    "prodigy": "Prodigy's",
    "doccano": "doccano's",
    "labelstudio": "Label Studio's",
    "jsonl": "annotator's own JSONL",
}
_PRODIGY_KEYS = ("_input_hash", "_task_hash", "answer", "_view_id", "_session_id",
                 "_annotator_id", "_timestamp", "tokens", "accept")  # fmt: skip
_DOCCANO_KEYS = ("labels", "entities", "relations")
_DOCCANO_1_KEYS = frozenset({"label", "label_name", "start_offset", "end_offset", "user"})


def shape_of(obj: dict[str, Any]) -> tuple[str, str] | None:
    """The format whose shape a line is in and the key that says so, or None for a line
    that says nothing (a text, spans objects, meta)."""
    for key in _PRODIGY_KEYS:
        if key in obj:
            return "prodigy", key
    if isinstance(obj.get("data"), dict) or "completions" in obj or "predictions" in obj:
        return "labelstudio", "data" if "data" in obj else "predictions"
    annotations = obj.get("annotations")
    if isinstance(annotations, list):
        items = [item for item in annotations if isinstance(item, dict)]
        if any("result" in item for item in items):
            return "labelstudio", "annotations"
        if any("annotator" in item for item in items):
            return "jsonl", "annotations"
        if any(item.keys() & _DOCCANO_1_KEYS for item in items):
            return "doccano", "annotations"
    if isinstance(obj.get("label"), list):
        return "doccano", "label"
    for key in _DOCCANO_KEYS:
        if key in obj:
            return "doccano", key
    if "text" not in obj and isinstance(obj.get("data"), str):
        return "doccano", "data"
    return None


def wrong_shape(line: Line, shape: str, key: str, reading: str) -> InputError:
    """The error for a line of another format: which one, and the --format that reads it."""
    return line.error(
        f'this line is in {_WHOSE[shape]} shape (it has "{key}"), not {_WHOSE[reading]}; '
        f"import it with --format {shape}"
    )


class Line:
    """One JSON object of a file: errors located at its line, and its common fields."""

    def __init__(self, path: Path, number: int) -> None:
        self.path = path
        self.number = number

    def error(self, message: str) -> InputError:
        return InputError(message, path=self.path, line=self.number)

    def text(self, obj: dict[str, Any], key: str) -> str:
        """The raw text under `key` (the caller decides what a blank one means)."""
        if key not in obj:
            raise self.error(f'no "{key}" field (the document text)')
        raw = obj[key]
        if not isinstance(raw, str):
            raise self.error(f'"{key}" must be a string, found {kind(raw)}')
        check_document_length(raw, path=self.path, line=self.number)
        return raw

    def document(self, raw_text: str, fields: dict[str, Any]) -> tuple[DocumentRecord, Spans]:
        """A record for the text, with title, author, published and source_url read from
        `fields`, and the span builder for its offsets."""
        text, remap = normalize_newlines(raw_text)
        record = DocumentRecord(
            text=text,
            title=self.optional_string(fields, "title"),
            author=self.optional_string(fields, "author"),
            published=self.published(fields.get("published")),
            source_url=self.optional_string(fields, "source_url"),
            line=self.number,
        )
        return record, Spans(self, raw_length=len(raw_text), text=text, remap=remap)

    def optional_string(self, obj: dict[str, Any], key: str, where: str = "") -> str | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            prefix = f"{where}: " if where else ""
            raise self.error(f'{prefix}"{key}" must be a string or null, found {show(value)}')
        return value

    def published(self, value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f'"published" must be a date as "YYYY-MM-DD" or null, found {show(value)}')

    def status(self, value: Any, where: str) -> str | None:
        if value is not None and value not in STATUSES:
            raise self.error(
                f'{where}"status" must be one of {", ".join(sorted(STATUSES))} or null, '
                f"found {show(value)}"
            )
        return None if value is None else str(value)

    def label_list(self, value: Any, where: str) -> list[str]:
        """Document labels given as names, each once, in their order."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{where} must be an array of labels, found {kind(value)}")
        labels: list[str] = []
        for index, label in enumerate(value):
            if not isinstance(label, str) or not label.strip():
                raise self.error(
                    f"{where}[{index}]: a label must be a non-empty string, found {show(label)}"
                )
            if label not in labels:
                labels.append(label)
        return labels

    def cats(self, value: Any, where: str) -> list[str]:
        """spaCy's `cats`: {"POS": 1.0, "NEG": 0.0} gives the labels scored 0.5 or more (or
        true); a list gives its names (doccano's intent detection)."""
        if isinstance(value, list):
            return self.label_list(value, where)
        if not isinstance(value, dict):
            raise self.error(f"{where} must be an object of label scores, found {kind(value)}")
        labels: list[str] = []
        for name, score in value.items():
            if not name.strip():
                raise self.error(f"{where}: a label must be a non-empty string, found {show(name)}")
            if isinstance(score, bool):
                chosen = score
            elif isinstance(score, int | float):
                chosen = score >= 0.5
            else:
                raise self.error(
                    f"{where}.{name} must be a score from 0 to 1 or true/false, found {show(score)}"
                )
            if chosen:
                labels.append(name)
        return labels


class Spans:
    """Builds SpanRecords for one document, checking offsets, labels and recorded text."""

    def __init__(
        self, line: Line, *, raw_length: int, text: str, remap: Callable[[int], int]
    ) -> None:
        self.line = line
        self.raw_length = raw_length
        self.text = text
        self.remap = remap

    def span_objects(self, value: Any, where: str, *, annotator: str | None) -> list[SpanRecord]:
        """Our own span objects: start, end, label and optional text, note, origin, times."""
        made: list[SpanRecord] = []
        for here, item in self.objects(value, where):
            origin = item.get("origin")
            if origin is not None and origin not in ORIGINS:
                raise self.line.error(
                    f'{here}: "origin" must be one of {", ".join(sorted(ORIGINS))}, '
                    f"found {show(origin)}"
                )
            self.require(item, here, ("start", "end", "label"))
            made.append(
                self.make(
                    here,
                    item["start"],
                    item["end"],
                    item["label"],
                    annotator=annotator,
                    given_text=item.get("text"),
                    note=self.line.optional_string(item, "note", here),
                    origin=origin or Origin.IMPORTED,
                    created_at=self._timestamp(item, "created_at", here),
                    updated_at=self._timestamp(item, "updated_at", here),
                )
            )
        return made

    def objects(self, value: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The items of an array of objects, each with where it is for messages."""
        if not isinstance(value, list):
            raise self.line.error(f"{where} must be an array, found {kind(value)}")
        for index, item in enumerate(value):
            here = f"{where}[{index}]"
            if not isinstance(item, dict):
                raise self.line.error(f"{here} must be an object, found {kind(item)}")
            yield here, item

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
                    f"{where}: {name} must be a whole number, found {show(offset)}"
                )
        reason = check_offsets(self.raw_length, start, end)
        if reason is not None:
            raise self.line.error(f"{where}: {reason}")
        new_start, new_end = self.remap(start), self.remap(end)
        reason = check_offsets(len(self.text), new_start, new_end)
        if reason is not None:  # only a span that covers nothing but the CR of a CRLF
            raise self.line.error(f"{where}: {reason} once CRLF line breaks become LF")
        if not isinstance(label, str) or not label.strip():
            raise self.line.error(f"{where}: label must be a non-empty string, found {show(label)}")
        surface: str | None = None
        if given_text is not None:
            if not isinstance(given_text, str):
                raise self.line.error(f'{where}: "text" must be a string, found {show(given_text)}')
            surface = normalize_newlines(given_text)[0]
            found = self.text[new_start:new_end]
            if surface != found:
                raise self.line.error(
                    f'{where}: span {start}-{end} should cover {show(surface)} (its "text") '
                    f"but the document has {show(found)} there"
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

    def require(self, item: dict[str, Any], where: str, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key not in item:
                raise self.line.error(f'{where}: no "{key}"')

    def _timestamp(self, item: dict[str, Any], key: str, where: str) -> datetime | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.line.error(
                f'{where}: "{key}" must be a timestamp string, found {show(value)}'
            )
        try:
            return parse_timestamp(value)
        except ValueError as error:
            raise self.line.error(f'{where}: "{key}": {error}') from None


def our_layers(line: Line, value: Any, spans: Spans, record: DocumentRecord) -> None:
    """Our own `annotations`: one entry per annotator, with status, document labels and spans."""
    if not isinstance(value, list):
        raise line.error(f'"annotations" must be an array, found {kind(value)}')
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"annotations[{index}]"
        if not isinstance(entry, dict):
            raise line.error(f"{where} must be an object, found {kind(entry)}")
        annotator = entry.get("annotator")
        if not isinstance(annotator, str) or not annotator.strip():
            raise line.error(
                f'{where}: "annotator" must be a non-empty string, found {show(annotator)}'
            )
        if annotator in seen:
            raise line.error(f"{where}: annotator {show(annotator)} appears twice")
        seen.add(annotator)
        status = line.status(entry.get("status"), f"{where}: ")
        labels = line.label_list(entry.get("document_labels"), f"{where}.document_labels")
        record.layers.append(AnnotatorLayer(annotator, status, labels))
        if entry.get("spans") is not None:
            record.spans += spans.span_objects(
                entry["spans"], f"{where}.spans", annotator=annotator
            )


def without_repeats(spans: list[SpanRecord]) -> tuple[list[SpanRecord], int]:
    """Each span once (by annotator, offsets, label and origin), and how many repeats went."""
    seen: set[tuple[str | None, int, int, str, str]] = set()
    kept: list[SpanRecord] = []
    for span in spans:
        key = (span.annotator, span.start, span.end, span.label, span.origin)
        if key not in seen:
            seen.add(key)
            kept.append(span)
    return kept, len(spans) - len(kept)


def describe_document(document: DocumentRecord, number: int) -> str:
    """How a writer's note names a document: its number in the export and its title."""
    if document.title:
        return f"document {number} ({show(document.title, 40)})"
    return f"document {number}"
