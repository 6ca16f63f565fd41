"""Which format a file is in, by its name and then its content, when `--format` is not given.

Several formats share a suffix (doccano, Prodigy and our own JSONL are all `.jsonl`), so
the first JSON object decides by the keys only one of them writes. A guess that cannot
be made is an error that names the file and asks for `--format`, never a default.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from annotator.base.errors import InputError
from annotator.formats.registry import IMPORT_FORMATS

HEAD_BYTES = 256 * 1024
_CONLL_TAG = re.compile(r"(O|[BIESLU]-\S+|\S+-[BIESLU]|-X-)")
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
_CONLL_SUFFIXES = (".conll", ".conllx", ".iob", ".bio", ".bioes", ".tsv")
_PRODIGY_KEYS = frozenset({"_input_hash", "_task_hash", "answer", "_view_id", "_session_id"})
_LABEL_STUDIO_KEYS = frozenset({"annotations", "predictions", "completions"})
_DOCCANO_KEYS = frozenset({"label", "labels", "entities", "cats", "relations"})


def brat_partner(path: Path) -> Path | None:
    """The `.ann` beside a `.txt`, which makes the pair one brat document."""
    if path.suffix.lower() != ".txt":
        return None
    partner = path.with_suffix(".ann")
    return partner if partner.is_file() else None


def detect(path: Path) -> str:
    """The name of the format `path` is in; an InputError when the content does not say."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise InputError("a folder, not a file", path=path)
    if suffix == ".ann" or brat_partner(path) is not None:
        return "brat"
    if suffix == ".spacy":
        return "spacy"
    if suffix == ".csv":
        return "csv"
    if suffix in (".md", ".markdown"):
        return "md"
    head = _head(path)
    if head.startswith("#FORMAT=WebAnno TSV"):
        raise InputError(
            "WebAnno TSV (INCEpTION's export) is not a format annotator reads; "
            "export the project from INCEpTION as CoNLL 2002 instead",
            path=path,
            line=1,
        )
    if suffix in _JSON_SUFFIXES:
        return _json_format(path, head)
    if suffix in _CONLL_SUFFIXES or _looks_like_conll(head):
        return "conll"
    if suffix in (".txt", ".text"):
        return "txt"
    raise InputError(
        f"unknown file type {suffix or '(none)'}; "
        f"use --format with one of {', '.join(IMPORT_FORMATS)}",
        path=path,
    )


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(HEAD_BYTES)
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _json_format(path: Path, head: str) -> str:
    """By the first object's keys. Content that is not JSON objects goes to our own reader,
    whose error names the line and what is wrong with it."""
    stripped = head.lstrip()
    first: Any = None
    try:
        if stripped.startswith("["):
            first = _first_of_array(head)
        else:
            line = next((line for line in stripped.split("\n") if line.strip()), "")
            try:
                first = json.loads(line)
            except ValueError:
                first = _whole(path) if stripped.startswith("{") else None
    except RecursionError:
        first = None
    if isinstance(first, list):
        first = next((item for item in first if isinstance(item, dict)), None)
    if not isinstance(first, dict):
        return "jsonl"
    return _by_keys(first)


def _first_of_array(head: str) -> Any:
    """The first element of a JSON array that may go on past the head that was read."""
    decoder = json.JSONDecoder()
    position = head.index("[") + 1
    while position < len(head) and head[position] in " \t\r\n":
        position += 1
    try:
        return decoder.raw_decode(head, position)[0]
    except ValueError:
        return None


def _whole(path: Path) -> Any:
    """A pretty-printed object (doccano writes some of these as `.jsonl`)."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None


def _by_keys(task: dict[str, Any]) -> str:
    keys = set(task)
    if keys & _PRODIGY_KEYS or ("accept" in keys and "options" in keys):
        return "prodigy"
    if (isinstance(task.get("data"), dict) and keys & _LABEL_STUDIO_KEYS) or (
        _is_label_studio_list(task.get("annotations"))
        or _is_label_studio_list(task.get("predictions"))
        or "completions" in keys
    ):
        return "labelstudio"
    if _is_our_layers(task.get("annotations")):
        return "jsonl"
    if keys & _DOCCANO_KEYS or "annotations" in keys:
        return "doccano"
    if "text" not in keys and any(isinstance(value, str) for value in task.values()):
        # doccano 1.x (and flair) keep the text under "data"; doccano's import takes
        # any column name (`column_data`), which only --text-key can tell.
        return "doccano"
    if "spans" in keys and "tokens" in keys:
        return "prodigy"
    return "jsonl"


def _is_label_studio_list(value: Any) -> bool:
    return isinstance(value, list) and any(
        isinstance(item, dict) and "result" in item for item in value
    )


def _is_our_layers(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict) and "annotator" in item for item in value
    )


# A token line holds a token, a tag and a few columns more; a line of prose holds more.
_MAX_CONLL_FIELDS = 12
_SNIFFED_LINES = 50


def _looks_like_conll(head: str) -> bool:
    """Most of the first lines hold a token and then a tag (B-PER, I-LOC, O) in some column
    after it (flair's `token tag +/-` has one more after the tag)."""
    lines = [
        line
        for line in head.split("\n", 4 * _SNIFFED_LINES)[: 4 * _SNIFFED_LINES]
        if line.strip() and not line.startswith(("#", "-DOCSTART-"))
    ][:_SNIFFED_LINES]
    if len(lines) < 2:
        return False
    tagged = 0
    for line in lines:
        fields = line.split()
        if len(fields) > _MAX_CONLL_FIELDS:
            return False  # prose, not columns: said by its first long line
        if len(fields) >= 2 and any(_CONLL_TAG.fullmatch(field) for field in fields[1:]):
            tagged += 1
    return tagged >= 0.9 * len(lines)
