"""Documents for the JSON Lines formats' round trips: every writing system that breaks offsets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from annotator.base.vocabulary import Status
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, Record

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, ZWJ, woman, ZWJ, girl
# CRLF line breaks, an astral emoji, a ZWJ family, CJK, e + combining acute, Arabic, Hebrew.
RAW_TEXT = (
    "Laughing 😂 with the family " + FAMILY + " in 東京.\r\n"
    "Cafe\u0301 Ren\u00e9e met مرحبا and שלום there.\r\nEnd."
)
TEXT = RAW_TEXT.replace("\r\n", "\n")


def at(text: str, word: str, label: str, annotator: str | None = None) -> SpanRecord:
    start = text.index(word)
    return SpanRecord(start, start + len(word), label, annotator=annotator)


def documents() -> list[DocumentRecord]:
    """Two documents as an export hands them to a writer: every span names its annotator."""
    first = DocumentRecord(
        text=TEXT,
        title="Unicode 😂 test",
        author="Ann Author",
        published=date(2024, 2, 29),
        source_url="https://example.org/u",
        meta={"source": "test", "id": 7, "nested": {"k": [1, 2]}},
        spans=[
            at(TEXT, "😂", "EMOJI", "alice"),
            at(TEXT, FAMILY, "FAMILY", "alice"),
            at(TEXT, "東京", "LOC", "alice"),
            at(TEXT, "Cafe\u0301", "WORD", "alice"),
            at(TEXT, "مرحبا", "GREETING", "bob"),
            at(TEXT, "שלום", "GREETING", "bob"),
            at(TEXT, "there.\nEnd", "CROSS", "bob"),
        ],
        layers=[
            AnnotatorLayer("alice", Status.DONE, ["news", "travel"]),
            AnnotatorLayer("bob", Status.DONE, ["news"]),
        ],
    )
    second = DocumentRecord(
        text="第二 document 👍🏽 only labelled.",
        layers=[AnnotatorLayer("carol", Status.DONE, ["sport"])],
    )
    return [first, second]


def write_lines(path: Path, *objects: object) -> Path:
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_with(
    module: Any, path: Path, options: ReadOptions | None = None
) -> tuple[list[DocumentRecord], FileNotes]:
    notes = FileNotes()
    records: list[Record] = list(module.read(path, options or ReadOptions(), notes))
    assert all(isinstance(record, DocumentRecord) for record in records)
    return [r for r in records if isinstance(r, DocumentRecord)], notes


def surfaces(records: list[DocumentRecord]) -> list[str]:
    return [record.text[span.start : span.end] for record in records for span in record.spans]


_RANK = {None: -1, "todo": 0, "in_progress": 1, "done": 2}


def comparable(records: list[DocumentRecord], *, importer: str = "") -> list[Any]:
    """What an import would keep of the records, by text: spans, labels and statuses per
    annotator (None and "" being the importing user), title, author, dates and meta."""
    merged: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = merged.setdefault(
            record.text,
            {
                "text": record.text,
                "fields": (record.title, record.author, record.published, record.source_url),
                "meta": record.meta,
                "spans": set(),
                "labels": {},
                "statuses": {},
            },
        )
        for span in record.spans:
            who = span.annotator or importer
            entry["spans"].add((who, span.start, span.end, span.label, span.origin))
        for layer in record.layers:
            who = layer.annotator or importer
            entry["labels"].setdefault(who, set()).update(layer.document_labels)
            held = entry["statuses"].get(who)
            if _RANK[layer.status] > _RANK[held]:
                entry["statuses"][who] = layer.status
    return [
        {**entry, "labels": {k: v for k, v in entry["labels"].items() if v}}
        for _, entry in sorted(merged.items())
    ]
