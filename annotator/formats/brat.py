"""brat standoff: a `.txt` and its `.ann` beside it make one document.

What comes in: every text-bound annotation (`T`) becomes spans, `#n AnnotatorNotes` on a
`T` its note. What annotator has no place for but brat users rely on (attributes `A`/`M`,
normalisations `N`, notes of other kinds, discontinuous spans) goes into the document's
metadata under `brat`, keyed by label and fragments since brat's ids do not survive, and
is written back by the export wherever the same spans are still there. Relations, events
and equivalences are counted as left out.

Line breaks: a brat line cannot hold one, so a span across lines is written as fragments
split at the line breaks, and a `T` whose fragments are separated only by line breaks is
read back as one span. Other discontinuous `T`s become one span per fragment, grouped in
`meta["brat"]["groups"]` so that the export writes them as one `T` again.

Offsets in brat are code points into the `.txt` as it is; they are moved onto the text
with its CRLF line breaks made LF, like every other reader's.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.base.errors import InputError, UserError
from annotator.base.offsets import check_offsets
from annotator.base.text import normalize_newlines
from annotator.formats.detection import brat_partner
from annotator.formats.records import DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, Layer, ReadOptions, WriteOptions, layers_of
from annotator.formats.source import MAX_FILE_BYTES, check_document_length, decode, read_text

META_KEY = "brat"
NOTE_TYPE = "AnnotatorNotes"
CONFIG_NAME = "annotation.conf"

Fragment = tuple[int, int]
# A text-bound annotation as the metadata names it: its label and its fragments.
TargetKey = tuple[str, tuple[Fragment, ...]]

_ID = re.compile(r"[TRE][0-9]+|[AMN#][0-9]*|\*")
_OFFSETS = re.compile(r"[0-9]+ [0-9]+(?:;[0-9]+ [0-9]+)*")
_ARGUMENT = re.compile(r"[^\s:]+:[TRE][0-9]+")
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")
# Names Windows keeps for devices, whatever the extension.
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}
)
_MAX_NAME = 80


# --------------------------------------------------------------------------- reading


def read(path: Path, options: ReadOptions, notes: FileNotes) -> list[DocumentRecord]:
    """The document of a `.ann` and its `.txt` (either may be named), checked whole."""
    ann_path, txt_path = _pair(path)
    raw = read_text(txt_path)
    check_document_length(raw, path=txt_path)
    text, remap = normalize_newlines(raw)
    lines = _ann_lines(ann_path)
    parsed = _AnnReader(ann_path, raw, text, remap, notes).parse(lines)
    record = DocumentRecord(text=text, title=txt_path.stem, spans=parsed.spans)
    record.meta["source_file"] = ann_path.name
    if parsed.meta:
        record.meta[META_KEY] = parsed.meta
    return [record]


def _pair(path: Path) -> tuple[Path, Path]:
    if path.suffix.lower() == ".ann":
        txt_path = path.with_suffix(".txt")
        if not txt_path.is_file():
            raise InputError(f"no {txt_path.name} beside this .ann (brat keeps the text there)",
                             path=path)  # fmt: skip
        return path, txt_path
    partner = brat_partner(path)
    if partner is None:
        raise InputError(f"no {path.with_suffix('.ann').name} beside this file", path=path)
    return partner, path


def _ann_lines(path: Path) -> list[str]:
    """The `.ann`'s lines; a 0-byte or blank one (a document nobody annotated) has none."""
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    if size > MAX_FILE_BYTES:
        read_text(path)  # refuses it by its size, in the words every reader uses
    if not data.strip():
        return []
    return [line.removesuffix("\r") for line in decode(data, path=path).split("\n")]


@dataclass(slots=True)
class _Parsed:
    spans: list[SpanRecord] = field(default_factory=list)
    meta: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(slots=True)
class _Textbound:
    label: str
    fragments: tuple[Fragment, ...]  # on the normalised text, line-break gaps closed
    spans: list[SpanRecord]


class _AnnReader:
    """One `.ann` against its text: every line checked, references resolved at the end."""

    def __init__(
        self, path: Path, raw: str, text: str, remap: Callable[[int], int], notes: FileNotes
    ) -> None:
        self.path = path
        self.raw = raw
        self.text = text
        self.remap = remap
        self.notes = notes
        self.textbounds: dict[str, _Textbound] = {}
        self.others: dict[str, str] = {}  # id of an R or E: its kind, for references
        self.seen: set[str] = set()
        # Lines that refer to another annotation, checked once every id is known.
        self.references: list[tuple[int, str, str, dict[str, Any]]] = []
        self.left_out: Counter[str] = Counter()

    def error(self, message: str, line: int) -> InputError:
        return InputError(message, path=self.path, line=line)

    def parse(self, lines: list[str]) -> _Parsed:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                self._line(line, number)
        parsed = _Parsed()
        for textbound in self.textbounds.values():
            parsed.spans += textbound.spans
            if len(textbound.fragments) > 1:
                parsed.meta.setdefault("groups", []).append(
                    {"label": textbound.label, "fragments": [list(f) for f in textbound.fragments]}
                )
        for number, kind, target, entry in self.references:
            found = self.textbounds.get(target)
            if found is None:
                if target not in self.others:
                    raise self.error(f"refers to {target}, which is not in this file", number)
                what = {"#": "notes", "N": "normalizations"}.get(kind, "attributes")
                self.left_out[f"{what} on relations and events"] += 1
                continue
            if kind == "#" and entry["type"] == NOTE_TYPE:
                first = found.spans[0]
                first.note = (
                    entry["text"] if first.note is None else f"{first.note}\n{entry['text']}"
                )
                continue
            entry["target"] = {
                "label": found.label,
                "fragments": [list(f) for f in found.fragments],
            }
            section = {"#": "notes", "N": "normalizations"}.get(kind, "attributes")
            parsed.meta.setdefault(section, []).append(entry)
        for reason, count in self.left_out.items():
            self.notes.leave_out(reason, count)
        return parsed

    def _line(self, line: str, number: int) -> None:
        identifier, _, rest = line.partition("\t")
        if _ID.fullmatch(identifier) is None:
            raise self.error(
                f"not a brat annotation line: it should start with an id such as T1, R1, E1, "
                f"A1, M1, N1, #1 or * and a tab, found {_show(identifier)}",
                number,
            )
        if identifier != "*":
            if identifier in self.seen:
                raise self.error(f"the id {identifier} is used twice", number)
            self.seen.add(identifier)
        if not rest.strip():
            raise self.error(f"{identifier} has nothing after its id", number)
        kind = identifier[0]
        if kind == "T":
            self._textbound(identifier, rest, number)
        elif kind in "RE":
            self._relation_or_event(identifier, rest, number)
        elif kind == "*":
            fields = rest.split()
            if len(fields) < 3:
                raise self.error("an equivalence needs a type and two or more ids", number)
            self.left_out["equivalences"] += 1
        elif kind in "AM":
            self._attribute(identifier, rest, number)
        elif kind == "N":
            self._normalization(identifier, rest, number)
        else:
            self._note(rest, number)

    def _textbound(self, identifier: str, rest: str, number: int) -> None:
        head, tab, recorded = rest.partition("\t")
        label, _, offsets = head.partition(" ")
        offsets = offsets.strip()
        if not label or _OFFSETS.fullmatch(offsets) is None:
            raise self.error(
                f"a text-bound annotation is `{identifier}<TAB>Label start end<TAB>text` "
                f"(fragments as `start end;start end`), found {_show(rest)}",
                number,
            )
        fragments: list[Fragment] = []
        for piece in offsets.split(";"):
            start_text, end_text = piece.split(" ")
            start, end = int(start_text), int(end_text)
            reason = check_offsets(len(self.raw), start, end)
            if reason is not None:
                raise self.error(f"{identifier}: {reason}", number)
            new = (self.remap(start), self.remap(end))
            if new[0] >= new[1]:
                raise self.error(
                    f"{identifier}: {start}-{end} covers only the CR of a CRLF line break", number
                )
            fragments.append(new)
        fragments.sort()
        if tab:
            # brat's own text: the fragments joined by a space; a line break shows as one.
            found = " ".join(self.text[s:e] for s, e in fragments).replace("\n", " ")
            if recorded != found:
                raise self.error(
                    f"{identifier} {offsets} should cover {_show(recorded)} but the text has "
                    f"{_show(found)} there",
                    number,
                )
        joined = _close_line_gaps(self.text, fragments)
        spans = [SpanRecord(start=s, end=e, label=label, text=self.text[s:e]) for s, e in joined]
        self.textbounds[identifier] = _Textbound(label, tuple(joined), spans)

    def _relation_or_event(self, identifier: str, rest: str, number: int) -> None:
        fields = rest.split()  # a trailing tab after the arguments is common and harmless
        if identifier[0] == "R":
            if len(fields) < 3 or not all(_ARGUMENT.fullmatch(f) for f in fields[1:]):
                raise self.error(
                    f"a relation is `{identifier}<TAB>Type Arg1:T1 Arg2:T2`, found {_show(rest)}",
                    number,
                )
            self.left_out["relations"] += 1
        else:
            if (
                not fields
                or not _ARGUMENT.fullmatch(fields[0])
                or not all(_ARGUMENT.fullmatch(f) for f in fields[1:])
            ):
                raise self.error(
                    f"an event is `{identifier}<TAB>Type:T1 Role:T2 ...`, found {_show(rest)}",
                    number,
                )
            self.left_out["events"] += 1
        self.others[identifier] = identifier[0]

    def _attribute(self, identifier: str, rest: str, number: int) -> None:
        fields = rest.split()
        if len(fields) not in (2, 3):
            raise self.error(
                f"an attribute is `{identifier}<TAB>Name T1` or `Name T1 Value`, "
                f"found {_show(rest)}",
                number,
            )
        entry: dict[str, Any] = {"name": fields[0]}
        if len(fields) == 3:
            entry["value"] = fields[2]
        self.references.append((number, "A", fields[1], entry))

    def _normalization(self, identifier: str, rest: str, number: int) -> None:
        head, _, name = rest.partition("\t")
        fields = head.split()
        if len(fields) != 3 or ":" not in fields[2]:
            raise self.error(
                f"a normalisation is `{identifier}<TAB>Type T1 Resource:ID<TAB>name`, "
                f"found {_show(rest)}",
                number,
            )
        resource, _, reference = fields[2].partition(":")
        entry = {"type": fields[0], "resource": resource, "id": reference, "text": name}
        self.references.append((number, "N", fields[1], entry))

    def _note(self, rest: str, number: int) -> None:
        head, _, text = rest.partition("\t")
        fields = head.split()
        if len(fields) != 2:
            raise self.error(
                f"a note is `#1<TAB>AnnotatorNotes T1<TAB>text`, found {_show(rest)}", number
            )
        self.references.append((number, "#", fields[1], {"type": fields[0], "text": text}))


def _close_line_gaps(text: str, fragments: list[Fragment]) -> list[Fragment]:
    """Fragments that only a line break separates are one span (how the export splits one)."""
    joined: list[Fragment] = []
    for start, end in fragments:
        if joined and start > joined[-1][1] and not text[joined[-1][1] : start].strip("\n"):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _show(value: str, limit: int = 60) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# --------------------------------------------------------------------------- writing


def write(
    documents: Iterable[DocumentRecord], target: Path, options: WriteOptions, notes: FileNotes
) -> None:
    """A brat folder: `.txt` + `.ann` per document, flat for one annotator, one subfolder
    per annotator otherwise (bratiaa's project layout), and an `annotation.conf`.

    Written into a hidden folder beside `target` and renamed into place at the end, so a
    failure or a cancel leaves nothing behind; an existing folder with files is refused.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} is a file; brat export writes a folder, name a new one")
    if target.is_dir() and any(target.iterdir()):
        raise UserError(f"{target} is a folder that holds files already; name a new or empty one")
    work = _make_work_folder(target)
    try:
        _Export(work, notes).run(documents)
        _put_in_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _make_work_folder(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        work = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            work.mkdir()
        except FileExistsError:
            continue
        return work


def _put_in_place(work: Path, target: Path) -> None:
    if target.is_dir():
        with suppress(OSError):
            target.rmdir()  # empty, checked above; another program filling it meanwhile wins
    try:
        os.rename(work, target)
    except OSError as error:
        if target.exists():
            raise UserError(f"{target} appeared while exporting; nothing was written") from error
        raise


class _Export:
    """Streams documents into `work/.texts` and `work/.layers/<n>/`, arranges them at the end."""

    def __init__(self, work: Path, notes: FileNotes) -> None:
        self.work = work
        self.notes = notes
        self.texts = work / ".texts"
        self.layers = work / ".layers"
        self.texts.mkdir()
        self.layers.mkdir()
        self.stems: list[str] = []
        self.taken: set[str] = set()
        self.annotators: dict[str, Path] = {}  # name: its folder under .layers
        self.entity_types: set[str] = set()
        self.attributes: dict[str, set[str]] = {}  # name: values (none for a binary one)
        self.renamed_labels: dict[str, str] = {}
        self.document_labels = 0
        self.statuses = 0

    def run(self, documents: Iterable[DocumentRecord]) -> None:
        for number, document in enumerate(documents, start=1):
            stem = self._stem(document, number)
            self.stems.append(stem)
            _write_text(self.texts / f"{stem}.txt", document.text)
            meta = document.meta.get(META_KEY)
            extras = _Extras.of(meta if isinstance(meta, dict) else {})
            where = _describe(document, number)
            for layer in layers_of(document):
                self.document_labels += len(layer.document_labels)
                self.statuses += layer.status is not None
                folder = self._layer_folder(layer.annotator)
                if layer.spans:
                    lines = self._ann(document.text, layer, extras, where)
                    _write_text(folder / f"{stem}.ann", "".join(lines))
        self.notes.leave_out("document labels (brat has none)", self.document_labels)
        self.notes.leave_out("document statuses (brat has none)", self.statuses)
        self._arrange()

    def _stem(self, document: DocumentRecord, number: int) -> str:
        stem = _safe_name(document.title or "", fallback=f"document-{number}")
        candidate, n = stem, 1
        while candidate.casefold() in self.taken:
            n += 1
            candidate = f"{stem}-{n}"
        self.taken.add(candidate.casefold())
        return candidate

    def _layer_folder(self, annotator: str) -> Path:
        folder = self.annotators.get(annotator)
        if folder is None:
            folder = self.layers / str(len(self.annotators))
            folder.mkdir()
            self.annotators[annotator] = folder
        return folder

    def _label(self, label: str) -> str:
        """A brat type has no white space; it becomes `_`, said once per label."""
        if not re.search(r"\s", label):
            return label
        renamed = self.renamed_labels.get(label)
        if renamed is None:
            renamed = re.sub(r"\s+", "_", label.strip())
            self.renamed_labels[label] = renamed
            self.notes.warn(f"label {label!r} written as {renamed!r}: brat types have no spaces")
        return renamed

    def _ann(self, text: str, layer: Layer, extras: _Extras, where: str) -> list[str]:
        lines: list[str] = []
        remaining = Counter((span.start, span.end, span.label) for span in layer.spans)
        by_place = {(span.start, span.end, span.label): span for span in layer.spans}
        units: list[tuple[str, tuple[Fragment, ...], list[SpanRecord]]] = []
        for label, fragments in extras.groups:
            keys = [(s, e, label) for s, e in fragments]
            if all(remaining[key] > 0 for key in keys):
                for key in keys:
                    remaining[key] -= 1
                units.append((label, fragments, [by_place[key] for key in keys]))
        for span in layer.spans:
            place = (span.start, span.end, span.label)
            if remaining[place] > 0:
                remaining[place] -= 1
                units.append((span.label, ((span.start, span.end),), [span]))
        units.sort(key=lambda unit: (unit[1][0][0], unit[1][-1][1], unit[0]))
        note_number = attribute_number = normalization_number = 0
        for index, (label, fragments, spans) in enumerate(units, start=1):
            written = self._label(label)
            self.entity_types.add(written)
            pieces = [piece for s, e in fragments for piece in _split_at_line_breaks(text, s, e)]
            offsets = ";".join(f"{s} {e}" for s, e in pieces)
            surface = " ".join(text[s:e] for s, e in pieces)
            lines.append(f"T{index}\t{written} {offsets}\t{surface}\n")
            for span in spans:
                # A note of several lines is several notes on one T, as brat keeps them.
                for line in span.note.replace("\r\n", "\n").split("\n") if span.note else ():
                    note_number += 1
                    note = self._one_line(line, where, span)
                    lines.append(f"#{note_number}\t{NOTE_TYPE} T{index}\t{note}\n")
            target: TargetKey = (label, fragments)
            for entry in extras.attributes.get(target, ()):
                attribute_number += 1
                value = f" {entry['value']}" if "value" in entry else ""
                lines.append(f"A{attribute_number}\t{entry['name']} T{index}{value}\n")
                values = self.attributes.setdefault(str(entry["name"]), set())
                if "value" in entry:
                    values.add(str(entry["value"]))
            for entry in extras.normalizations.get(target, ()):
                normalization_number += 1
                lines.append(
                    f"N{normalization_number}\t{entry['type']} T{index} "
                    f"{entry['resource']}:{entry['id']}\t{entry['text']}\n"
                )
            for entry in extras.notes.get(target, ()):
                note_number += 1
                lines.append(f"#{note_number}\t{entry['type']} T{index}\t{entry['text']}\n")
        return lines

    def _one_line(self, note: str, where: str, span: SpanRecord) -> str:
        if "\t" not in note and "\r" not in note:
            return note
        self.notes.warn(
            f"{where}, span {span.start}-{span.end}: a tab or carriage return in the note "
            "became a space (brat notes hold neither)"
        )
        return re.sub(r"[\t\r]", " ", note)

    def _arrange(self) -> None:
        """Flat for one annotator (or none), a folder per annotator for several."""
        config = _config(self.entity_types, self.attributes)
        if len(self.annotators) <= 1:
            folder = next(iter(self.annotators.values()), None)
            self._fill(self.work, folder, move=True)
        else:
            names: set[str] = set()
            for annotator, folder in sorted(self.annotators.items()):
                name = _safe_name(annotator, fallback="annotator")
                candidate, n = name, 1
                while candidate.casefold() in names:
                    n += 1
                    candidate = f"{name}-{n}"
                names.add(candidate.casefold())
                destination = self.work / candidate
                destination.mkdir()
                self._fill(destination, folder, move=False)
        shutil.rmtree(self.texts)
        shutil.rmtree(self.layers)
        _write_text(self.work / CONFIG_NAME, config)

    def _fill(self, destination: Path, layer_folder: Path | None, *, move: bool) -> None:
        """Every document's `.txt` and this layer's `.ann` (empty where it has no span)."""
        for stem in self.stems:
            text = self.texts / f"{stem}.txt"
            if move:
                os.replace(text, destination / text.name)
            else:
                shutil.copyfile(text, destination / text.name)
            ann = layer_folder / f"{stem}.ann" if layer_folder is not None else None
            if ann is not None and ann.exists():
                os.replace(ann, destination / ann.name)
            else:
                (destination / f"{stem}.ann").touch()


@dataclass(slots=True)
class _Extras:
    """What the reader kept in `meta["brat"]`, keyed by the annotation it belongs to."""

    groups: list[tuple[str, tuple[Fragment, ...]]]
    attributes: dict[TargetKey, list[dict[str, Any]]]
    normalizations: dict[TargetKey, list[dict[str, Any]]]
    notes: dict[TargetKey, list[dict[str, Any]]]

    @classmethod
    def of(cls, meta: dict[str, Any]) -> _Extras:
        groups = []
        for group in _entries(meta.get("groups")):
            key = _key(group)
            if key is not None:
                groups.append(key)
        return cls(
            groups,
            _by_target(meta.get("attributes"), ("name",)),
            _by_target(meta.get("normalizations"), ("type", "resource", "id", "text")),
            _by_target(meta.get("notes"), ("type", "text")),
        )


def _entries(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (entry for entry in value if isinstance(entry, dict))


def _key(entry: dict[str, Any]) -> TargetKey | None:
    """(label, fragments) of a stored entry; None for one edited out of shape by hand."""
    label, fragments = entry.get("label"), entry.get("fragments")
    if not isinstance(label, str) or not isinstance(fragments, list) or not fragments:
        return None
    pairs: list[Fragment] = []
    for fragment in fragments:
        if (
            not isinstance(fragment, list)
            or len(fragment) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in fragment)
        ):
            return None
        pairs.append((fragment[0], fragment[1]))
    return label, tuple(pairs)


def _by_target(value: Any, required: tuple[str, ...]) -> dict[TargetKey, list[dict[str, Any]]]:
    found: dict[TargetKey, list[dict[str, Any]]] = {}
    for entry in _entries(value):
        target = entry.get("target")
        key = _key(target) if isinstance(target, dict) else None
        if key is None or not all(isinstance(entry.get(name), str) for name in required):
            continue
        # Hand-edited metadata that would break a line of the .ann is not written.
        if any(re.search(r"[\t\n\r]", v) for v in entry.values() if isinstance(v, str)):
            continue
        if any(re.search(r"\s", str(entry.get(name, "x"))) for name in (*required, "value")
               if name != "text"):  # fmt: skip
            continue
        found.setdefault(key, []).append(entry)
    return found


def _split_at_line_breaks(text: str, start: int, end: int) -> Iterator[Fragment]:
    """The parts of `start`-`end` between line breaks (a brat line cannot hold one)."""
    position = start
    while position < end:
        stop = text.find("\n", position, end)
        if stop == -1:
            stop = end
        if stop > position:
            yield position, stop
        position = stop + 1


def _safe_name(name: str, *, fallback: str) -> str:
    """A file name every system accepts, from a title or an annotator's name."""
    name = unicodedata.normalize("NFC", name)
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._-")[:_MAX_NAME].rstrip("._-")
    if not cleaned:
        return fallback
    if cleaned.split(".")[0].casefold() in _RESERVED_NAMES:
        cleaned = f"_{cleaned}"
    return cleaned


def _describe(document: DocumentRecord, number: int) -> str:
    return f"document {number} ({document.title!r})" if document.title else f"document {number}"


def _write_text(path: Path, content: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(content)


def _config(entity_types: set[str], attributes: dict[str, set[str]]) -> str:
    """What brat needs to open the folder: the entity types, and any attribute written."""
    lines = ["[entities]", *sorted(entity_types), "", "[relations]"]
    # Any two spans may overlap or nest, as they may in annotator.
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", ""]
    lines.append("[attributes]")
    for name, values in sorted(attributes.items()):
        declared = f"{name}\tArg:<ENTITY>"
        if values:
            declared += f", Value:{'|'.join(sorted(values))}"
        lines.append(declared)
    return "\n".join(lines) + "\n"
