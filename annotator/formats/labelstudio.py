"""Label Studio JSON: a list of tasks, each with its text and everyone's annotations.

Label Studio runs in a browser, so its `start` and `end` count UTF-16 code units, as
JavaScript does; they are turned into code points here, and each span's recorded
`text` is checked against the document, so an emoji before a span never shifts it.

What is read, and how:
- The file is a JSON array of tasks, or one task object. A task's fields are in `data`
  (a task without `data` is its own data, as Label Studio's import takes it). The text
  is `data[--text-key]`, else `data.text`, else the only string field of `data`;
  `title`, `author`, `published` and `source_url` fill the document's fields and the
  other fields of `data` become its metadata.
- `annotations` (or `completions`, the export before Label Studio 1.0) each become one
  annotator's layer, marked done: `labels` results are spans (one per label), `choices`
  results document labels. The layer's name comes from `completed_by`: its email when
  it is an object with one, `labelstudio-user-<id>` for a bare user id, the importing
  user when it is absent (`annotator`, written by our own export, names it too).
- Left out and counted: cancelled (skipped) annotations, predictions (model
  suggestions), drafts, relations and every other kind of result (by its type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from annotator.base.errors import InputError
from annotator.base.offsets import Utf16Map
from annotator.base.safe_files import atomic_output
from annotator.base.text import normalize_newlines
from annotator.base.vocabulary import Origin, Status
from annotator.formats.json_lines import shape_of
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, WriteOptions, layers_of
from annotator.formats.source import (
    MAX_JSON_DEPTH,
    check_document_length,
    lone_surrogate,
    read_text,
)

# What our export names its controls; Label Studio's own examples use "ner" and others,
# which the reader accepts as they come (it goes by a result's type, not its name).
SPAN_CONTROL = "label"
CHOICE_CONTROL = "category"
TEXT_OBJECT = "text"
USER_ID_NAME = "labelstudio-user-{}"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RECORD_FIELDS = ("title", "author", "published", "source_url")
_STATUSES = frozenset(Status)
# A result type in the plural words of the report.
_LEFT_OUT_TYPES = {"relation": "relations"}


# --- reading ----------------------------------------------------------------------------


def read(path: Path, options: ReadOptions, notes: FileNotes) -> list[DocumentRecord]:
    """Every task of the file as a document, or the InputError of the first bad one."""
    content = read_text(path)
    return [
        _Task(path, _Place(content, position, line), index, notes).document(task, options.text_key)
        for index, (line, position, task) in enumerate(_tasks(content, path))
    ]


def _tasks(content: str, path: Path) -> Iterator[tuple[int, int, Any]]:
    """Each task with the line and position where it starts, the array walked element by element."""
    decoder = json.JSONDecoder()
    position = _skip_space(content, 0)
    if content.startswith("{", position):
        value, end = _decode(decoder, content, position, path)
        _expect_end(content, end, path)
        yield _line_at(content, position), position, value
        return
    if not content.startswith("[", position):
        raise InputError(
            "a Label Studio export is a JSON array of tasks ([...]) or one task ({...})",
            path=path,
            line=_line_at(content, position),
        )
    position = _skip_space(content, position + 1)
    if content.startswith("]", position):
        _expect_end(content, position + 1, path)
        return
    line, counted_to = 1, 0  # lines counted once, onwards, however many tasks there are
    while True:
        value, end = _decode(decoder, content, position, path)
        line += content.count("\n", counted_to, position)
        counted_to = position
        yield line, position, value
        position = _skip_space(content, end)
        if content.startswith(",", position):
            position = _skip_space(content, position + 1)
            continue
        if content.startswith("]", position):
            _expect_end(content, position + 1, path)
            return
        raise InputError(
            "not valid JSON (expected ',' or ']' after a task)",
            path=path,
            line=_line_at(content, position),
        )


def _decode(decoder: json.JSONDecoder, content: str, position: int, path: Path) -> tuple[Any, int]:
    try:
        value, end = decoder.raw_decode(content, position)
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON ({error.msg} at column {error.colno})", path=path, line=error.lineno
        ) from None
    except RecursionError:
        raise InputError(_TOO_DEEP, path=path, line=_line_at(content, position)) from None
    except ValueError:  # json's own errors are caught above: this is Python's digit limit
        raise InputError(
            "not valid JSON (a number with more than 4300 digits)",
            path=path,
            line=_line_at(content, position),
        ) from None
    return value, end


_TOO_DEEP = f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep"
_SPACE = " \t\r\n"


def _skip_space(content: str, position: int) -> int:
    while position < len(content) and content[position] in _SPACE:
        position += 1
    return position


def _expect_end(content: str, position: int, path: Path) -> None:
    rest = _skip_space(content, position)
    if rest < len(content):
        raise InputError(
            "not valid JSON (more after the end of the tasks)",
            path=path,
            line=_line_at(content, rest),
        )


def _line_at(content: str, position: int) -> int:
    return content.count("\n", 0, position) + 1


def _show(value: Any, limit: int = 60) -> str:
    """A value as it appears in JSON, shortened, for messages."""
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _check_strings_and_depth(value: Any) -> str | None:
    """Why a task cannot be kept (half a surrogate pair, too deep), without recursion."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if lone_surrogate(item) is not None:
                return (
                    "a \\u escape that is half of a surrogate pair (not a character); "
                    "the file was cut or mangled where it was made"
                )
        elif isinstance(item, dict | list):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return _TOO_DEEP
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth) for child in children)
    return None


_STEP = re.compile(r"([A-Za-z_]+)|\[([0-9]+)\]")


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a task is in the file, to find the line of any part of it when one is wrong."""

    content: str
    position: int
    line: int

    def line_of(self, where: str) -> int:
        steps = [int(i) if i else key for key, i in _STEP.findall(where)]
        try:
            found = _position_of(self.content, self.position, steps)
        except (ValueError, IndexError):  # never for a task that parsed; the task's line then
            found = None
        return self.line if found is None else _line_at(self.content, found)


def _position_of(content: str, position: int, steps: list[str | int]) -> int | None:
    """Where the value at `steps` (keys and indexes) starts, walking the JSON text."""
    decoder = json.JSONDecoder()
    for step in steps:
        position = _skip_space(content, position)
        opening, closing = ("{", "}") if isinstance(step, str) else ("[", "]")
        if not content.startswith(opening, position):
            return None
        position = _skip_space(content, position + 1)
        index = 0
        while not content.startswith(closing, position):
            if isinstance(step, str):
                key, position = decoder.raw_decode(content, position)
                position = _skip_space(content, position) + 1  # the colon
                position = _skip_space(content, position)
                if key == step:
                    break
            elif index == step:
                break
            _, position = decoder.raw_decode(content, position)
            position = _skip_space(content, position)
            if content.startswith(",", position):
                position = _skip_space(content, position + 1)
            index += 1
        else:
            return None
    return position


@dataclass(slots=True)
class _Layer:
    annotator: str | None
    status: str
    document_labels: list[str] = field(default_factory=list)
    spans: list[SpanRecord] = field(default_factory=list)


class _Task:
    """Reads one task, its errors naming the line where the task starts and its index."""

    def __init__(self, path: Path, place: _Place, index: int, notes: FileNotes) -> None:
        self.path = path
        self.place = place
        self.line = place.line
        self.index = index
        self.notes = notes
        self.raw = ""
        self.text = ""
        self.units: Utf16Map | None = None
        self.remap: Callable[[int], int] = int
        self.python_offsets_warned = False

    def error(self, message: str, where: str | None = None) -> InputError:
        """The error at the line of `where` (`annotations[0].result[2]`), else the task's."""
        line = self.place.line_of(where) if where is not None else self.line
        return InputError(f"task {self.index + 1}: {message}", path=self.path, line=line)

    def document(self, task: Any, text_key: str | None) -> DocumentRecord:
        if not isinstance(task, dict):
            raise self.error(f"a task must be a JSON object, found {_show(task)}")
        problem = _check_strings_and_depth(task)
        if problem is not None:
            raise self.error(problem)
        if "data" not in task:
            # A flat task is its own data, as Label Studio imports it, unless its keys are
            # another tool's annotations: those would be taken as data and lost as work.
            shape = shape_of(task)
            if shape is not None and shape[0] != "labelstudio":
                other, key = shape
                raise self.error(
                    f'this task has "{key}", as {other} files have and Label Studio tasks '
                    f"do not; import it with --format {other}"
                )
        data = task.get("data") if "data" in task else _without_task_keys(task)
        if not isinstance(data, dict):
            raise self.error(f'"data" must be an object, found {_show(data)}')
        used_key = self._text_key(data, text_key)
        raw = data[used_key]
        if not raw.strip():
            raise self.error(f'the text ("data.{used_key}") is empty')
        check_document_length(raw, path=self.path, line=self.line)
        self.raw = raw
        self.text, remap = normalize_newlines(raw)
        self.remap = remap
        self.units = Utf16Map(raw)

        record = DocumentRecord(text=self.text, line=self.line)
        meta = self._fields(data, used_key, record)
        if isinstance(task.get("id"), int | str):
            meta.setdefault("labelstudio_task_id", task["id"])
        record.meta = meta
        layers: dict[str | None, _Layer] = {}
        for key in ("annotations", "completions"):
            for position, annotation in enumerate(self._list(task, key)):
                self._annotation(annotation, f"{key}[{position}]", layers)
        self.notes.leave_out(
            "predictions (model suggestions)", len(self._list(task, "predictions"))
        )
        self.notes.leave_out("drafts (work not submitted)", len(self._list(task, "drafts")))
        for layer in layers.values():
            record.spans += layer.spans
            record.layers.append(
                AnnotatorLayer(layer.annotator or "", layer.status, layer.document_labels)
            )
        return record

    def _text_key(self, data: dict[str, Any], text_key: str | None) -> str:
        if text_key is not None:
            if not isinstance(data.get(text_key), str):
                raise self.error(f'no text: "data.{text_key}" is not a string field')
            return text_key
        if isinstance(data.get("text"), str):
            return "text"
        strings = [key for key, value in data.items() if isinstance(value, str)]
        if len(strings) == 1:
            return strings[0]
        found = ", ".join(strings) if strings else "none"
        raise self.error(
            f'no text: "data" has no "text" field and not exactly one string field '
            f"(string fields: {found}); name the field with --text-key"
        )

    def _fields(
        self, data: dict[str, Any], text_key: str, record: DocumentRecord
    ) -> dict[str, Any]:
        """Fill the document's fields from `data`; return the rest as its metadata."""
        meta: dict[str, Any] = {}
        nested = data.get("meta")
        for key, value in data.items():
            if key == text_key or (key == "meta" and isinstance(nested, dict)):
                continue
            if key in _RECORD_FIELDS and isinstance(value, str) and value.strip():
                if key != "published":
                    setattr(record, key, value)
                    continue
                if _DATE.fullmatch(value):
                    try:
                        record.published = date.fromisoformat(value)
                        continue
                    except ValueError:
                        pass
            meta[key] = value
        if isinstance(nested, dict):
            meta.update(nested)  # what our export had to tuck away beside the reserved names
        return meta

    def _list(self, task: dict[str, Any], key: str) -> list[Any]:
        value = task.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f'"{key}" must be an array, found {_show(value)}')
        return value

    def _annotation(self, annotation: Any, where: str, layers: dict[str | None, _Layer]) -> None:
        if not isinstance(annotation, dict):
            raise self.error(f"{where} must be an object, found {_show(annotation)}", where=where)
        if annotation.get("was_cancelled") is True or annotation.get("skipped") is True:
            self.notes.leave_out("cancelled annotations")
            return
        annotator = self._annotator(annotation, where)
        status = annotation.get("status")
        if status not in _STATUSES:  # an annotation in Label Studio is submitted work
            status = Status.DONE.value
        layer = layers.setdefault(annotator, _Layer(annotator, status))
        if "result" not in annotation:
            # Label Studio writes `result` on every annotation, an empty one included.
            raise self.error(
                f'{where} has no "result": not a Label Studio annotation '
                "(is this annotator's own JSONL? import it with --format jsonl)",
                where=where,
            )
        results = annotation.get("result")
        if results is None:
            results = []
        if not isinstance(results, list):
            raise self.error(
                f"{where}.result must be an array, found {_show(results)}", where=where
            )
        for position, result in enumerate(results):
            self._result(result, f"{where}.result[{position}]", layer)

    def _annotator(self, annotation: dict[str, Any], where: str) -> str | None:
        given = annotation.get("completed_by")
        if isinstance(given, dict):
            if isinstance(given.get("email"), str) and given["email"].strip():
                return str(given["email"]).strip()
            given = given.get("id")
        if isinstance(given, int) and not isinstance(given, bool):
            return USER_ID_NAME.format(given)
        if isinstance(given, str) and given.strip():
            return given.strip()
        if given is not None:
            raise self.error(
                f"{where}.completed_by must be a user id, an email or an object with one, "
                f"found {_show(annotation.get('completed_by'))}",
                where=where,
            )
        ours = annotation.get("annotator")
        return ours.strip() if isinstance(ours, str) and ours.strip() else None

    def _result(self, result: Any, where: str, layer: _Layer) -> None:
        if not isinstance(result, dict):
            raise self.error(f"{where} must be an object, found {_show(result)}", where=where)
        kind = result.get("type")
        value = result.get("value")
        if kind == "labels":
            self._span_labels(value, where, layer, result)
        elif kind == "choices":
            layer.document_labels += [
                label
                for label in self._names(value, "choices", where)
                if label not in layer.document_labels
            ]
        else:
            shown = kind if isinstance(kind, str) and kind else "(no type)"
            self.notes.leave_out(_LEFT_OUT_TYPES.get(shown, f'results of type "{shown}"'))

    def _names(self, value: Any, key: str, where: str) -> list[str]:
        names = value.get(key) if isinstance(value, dict) else None
        if not isinstance(names, list) or not names:
            raise self.error(
                f'{where}: "value.{key}" must be a non-empty array of names', where=where
            )
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise self.error(
                    f"{where}: a label must be a non-empty string, found {_show(name)}", where=where
                )
        return [str(name) for name in names]

    def _span_labels(self, value: Any, where: str, layer: _Layer, result: dict[str, Any]) -> None:
        labels = self._names(value, "labels", where)
        assert isinstance(value, dict)  # _names checked it
        start, end = self._offsets(value, where)
        note = _region_note(result)
        for label in labels:
            layer.spans.append(
                SpanRecord(
                    start, end, label, annotator=layer.annotator, text=self.text[start:end],
                    note=note,
                )
            )  # fmt: skip

    def _offsets(self, value: dict[str, Any], where: str) -> tuple[int, int]:
        """The span's code points in the normalised text, from UTF-16 units in the raw one."""
        assert self.units is not None
        start, end = value.get("start"), value.get("end")
        for name, offset in (("start", start), ("end", end)):
            if isinstance(offset, bool) or not isinstance(offset, int):
                raise self.error(
                    f'{where}: "value.{name}" must be a whole number, found {_show(offset)}',
                    where=where,
                )
        assert isinstance(start, int) and isinstance(end, int)
        length = self.units.to_utf16(len(self.raw))
        if start < 0 or end <= start or end > length:
            raise self.error(
                f"{where}: span {start}-{end} is not inside the text, which has {length} "
                "UTF-16 units (Label Studio's count)",
                where=where,
            )
        given = value.get("text")
        if given is not None and not isinstance(given, str):
            raise self.error(
                f'{where}: "value.text" must be a string, found {_show(given)}', where=where
            )
        expected = normalize_newlines(given)[0] if given is not None else None
        first, last = self.units.from_utf16(start), self.units.from_utf16(end)
        inside_pair = self.units.to_utf16(first) != start or self.units.to_utf16(last) != end
        found = self.text[self.remap(first) : self.remap(last)]
        if expected is not None and (found != expected or inside_pair):
            if self._python_offsets(start, end, expected, where):
                return self.remap(start), self.remap(end)
            raise self.error(
                f'{where}: span {start}-{end} should cover {_show(expected)} (its "text") '
                f"but the document has {_show(found)} there",
                where=where,
            )
        if inside_pair:
            raise self.error(
                f"{where}: span {start}-{end} cuts a character outside the BMP in two", where=where
            )
        new_start, new_end = self.remap(first), self.remap(last)
        if new_end <= new_start:
            raise self.error(
                f"{where}: span {start}-{end} covers only the CR of a CRLF", where=where
            )
        return new_start, new_end

    def _python_offsets(self, start: int, end: int, expected: str, where: str) -> bool:
        """Offsets written by a script in code points (Python's count) rather than UTF-16.

        Pre-annotations made outside Label Studio often count so; when the recorded text
        matches that way and not the other, the span is taken as meant and a warning says so.
        """
        if end > len(self.raw) or normalize_newlines(self.raw[start:end])[0] != expected:
            return False
        if not self.python_offsets_warned:
            self.python_offsets_warned = True
            self.notes.warn(
                f"task {self.index + 1}: {where} and maybe others count offsets in code points, "
                "not UTF-16 units as Label Studio does; taken as the recorded text says",
                path=self.path,
                line=self.line,
            )
        return True


def _without_task_keys(task: dict[str, Any]) -> dict[str, Any]:
    reserved = {"annotations", "completions", "predictions", "drafts", "id", "meta"}
    return {key: value for key, value in task.items() if key not in reserved}


def _region_note(result: dict[str, Any]) -> str | None:
    """The region's meta text (Label Studio's note on a region), as the span's note."""
    meta = result.get("meta")
    lines = meta.get("text") if isinstance(meta, dict) else None
    if isinstance(lines, list) and lines and all(isinstance(line, str) for line in lines):
        joined = "\n".join(lines).strip()
        return joined or None
    return None


# --- writing ----------------------------------------------------------------------------


def write(
    documents: Iterable[DocumentRecord], target: Path, options: WriteOptions, notes: FileNotes
) -> None:
    """A JSON array of tasks that Label Studio imports, and `<stem>.config.xml` beside it.

    One annotation per annotator layer, offsets in UTF-16 units. No `completed_by`:
    Label Studio refuses a whole file that names a user id or email it does not know,
    and gives an annotation without one to the person who imports it. Each annotation
    names its annotator and status under keys Label Studio ignores, so reading the file
    back restores the layers. Spans of origin `suggested` become predictions;
    `rejected` ones are left out.
    """
    span_labels: set[str] = set()
    document_labels: set[str] = set()
    annotators: set[str] = set()
    with atomic_output(target, encoding="utf-8", newline="\n") as out:
        out.write("[")
        first = True
        for document in documents:
            task = _task(document, notes, span_labels, document_labels)
            annotators.update(a["annotator"] for a in task["annotations"])
            out.write("\n" if first else ",\n")
            first = False
            _write_indented(out, task)
        out.write("\n]\n" if not first else "]\n")
        with atomic_output(config_path(target), encoding="utf-8", newline="\n") as config:
            config.write(labelling_config(sorted(span_labels), sorted(document_labels)))
    if len(annotators) > 1:
        notes.warn(
            f"Label Studio gives every annotation to the person who imports the file; the "
            f"names of the {len(annotators)} annotators stay in each annotation's "
            '"annotator", which annotator reads back'
        )


def config_path(target: Path) -> Path:
    """Where the labelling config goes: `tasks.json` → `tasks.config.xml`."""
    return target.with_name(f"{target.stem}.config.xml")


def labelling_config(span_labels: list[str], document_labels: list[str]) -> str:
    """The labelling interface that shows the export's labels over the text."""
    lines = ["<View>"]
    if span_labels:
        lines.append(f'  <Labels name="{SPAN_CONTROL}" toName="{TEXT_OBJECT}">')
        lines += [f"    <Label value={quoteattr(label)}/>" for label in span_labels]
        lines.append("  </Labels>")
    lines.append(f'  <Text name="{TEXT_OBJECT}" value="${TEXT_OBJECT}"/>')
    if document_labels:
        lines.append(
            f'  <Choices name="{CHOICE_CONTROL}" toName="{TEXT_OBJECT}" choice="multiple">'
        )
        lines += [f"    <Choice value={quoteattr(label)}/>" for label in document_labels]
        lines.append("  </Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def _write_indented(out: TextIO, task: dict[str, Any]) -> None:
    text = json.dumps(task, ensure_ascii=False, indent=2)
    out.write("  " + text.replace("\n", "\n  "))


def _task(
    document: DocumentRecord,
    notes: FileNotes,
    span_labels: set[str],
    document_labels: set[str],
) -> dict[str, Any]:
    units = Utf16Map(document.text)
    annotations: list[dict[str, Any]] = []
    predictions: list[dict[str, Any]] = []
    for layer in layers_of(document):
        results: list[dict[str, Any]] = []
        suggested: list[dict[str, Any]] = []
        for span in sorted(layer.spans, key=lambda s: (s.start, s.end, s.label)):
            if span.origin == Origin.REJECTED:
                notes.leave_out("rejected spans (Label Studio keeps no refusals)")
                continue
            result = _span_result(document.text, units, span, len(results) + len(suggested))
            span_labels.add(span.label)
            (suggested if span.origin == Origin.SUGGESTED else results).append(result)
        if layer.document_labels:
            document_labels.update(layer.document_labels)
            results.append(
                {
                    "id": f"r{len(results) + len(suggested)}",
                    "from_name": CHOICE_CONTROL,
                    "to_name": TEXT_OBJECT,
                    "type": "choices",
                    "value": {"choices": list(layer.document_labels)},
                }
            )
        if suggested:
            predictions.append(
                {"model_version": f"suggestions for {layer.annotator}", "result": suggested}
            )
        if not results and layer.status in (None, Status.TODO):
            continue  # nothing done: no annotation, as in Label Studio
        annotations.append(
            {
                "result": results,
                "annotator": layer.annotator,
                "status": layer.status or Status.DONE.value,
            }
        )
    task: dict[str, Any] = {"data": _data(document), "annotations": annotations}
    if predictions:
        task["predictions"] = predictions
    return task


def _span_result(text: str, units: Utf16Map, span: SpanRecord, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": f"r{index}",
        "from_name": SPAN_CONTROL,
        "to_name": TEXT_OBJECT,
        "type": "labels",
        "value": {
            "start": units.to_utf16(span.start),
            "end": units.to_utf16(span.end),
            "text": text[span.start : span.end],
            "labels": [span.label],
        },
    }
    if span.note:
        result["meta"] = {"text": [span.note]}
    return result


def _data(document: DocumentRecord) -> dict[str, Any]:
    """The task's fields: the text, the document's fields, then its metadata.

    A metadata key that is one of the reserved names goes under `data.meta` instead.
    """
    data: dict[str, Any] = {TEXT_OBJECT: document.text}
    if document.title:
        data["title"] = document.title
    if document.author:
        data["author"] = document.author
    if document.published:
        data["published"] = document.published.isoformat()
    if document.source_url:
        data["source_url"] = document.source_url
    tucked: dict[str, Any] = {}
    for key, value in document.meta.items():
        if key in (TEXT_OBJECT, "meta", *_RECORD_FIELDS):
            tucked[key] = value
        else:
            data[key] = value
    if tucked:
        data["meta"] = tucked
    return data
