"""Each format's real files, imported on each backend and exported, give back what was read."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from annotator.base.text import content_hash
from annotator.core.corpus import Corpus
from annotator.core.exporting import export_project
from annotator.core.importing import format_of, import_paths, read_file
from annotator.formats import jsonl
from annotator.formats.csv_export import companion_path
from annotator.formats.records import DocumentRecord
from annotator.formats.registry import FileNotes, ReadOptions
from tests.conftest import REPO, SAMPLES

PROJECT = "round trip"
DOCCANO = "doccano/backend"
OURS = REPO / "tests" / "fixtures" / "round_trip"


@dataclass(frozen=True)
class Case:
    path: str  # under `ours` when given, else under the third-party corpora
    format_name: str | None = None  # None: chosen by the file's suffix, as the CLI does
    text_column: str = "text"
    ours: Path | None = None


CASES = {
    "txt-samples": Case(".", ours=SAMPLES),
    "md-samples": Case(".", format_name="md", ours=SAMPLES),
    "jsonl-layers-of-a-team": Case("team.jsonl", ours=OURS),
    "csv-articles": Case("articles.csv", text_column="body", ours=OURS),
    "txt-seed-article": Case("seed"),
    "md-seed-article": Case("seed", format_name="md"),
    "jsonl-doccano-spans": Case(
        f"{DOCCANO}/data_export/pipeline/examples/sequence_labeling/example.jsonl"
    ),
    "jsonl-doccano-categories": Case(
        f"{DOCCANO}/data_export/pipeline/examples/text_classification/example.jsonl"
    ),
    "jsonl-doccano-relations": Case(
        f"{DOCCANO}/data_import/pipeline/examples/relation_extraction/example.jsonl"
    ),
    "jsonl-doccano-overlapping": Case(
        f"{DOCCANO}/data_import/tests/data/sequence_labeling/example_overlapping.jsonl"
    ),
    "jsonl-flair": Case("flair/tests/resources/tasks/jsonl"),
    "csv-doccano-categories": Case(
        f"{DOCCANO}/data_export/pipeline/examples/text_classification/example.csv"
    ),
    "csv-doccano-utf16": Case(f"{DOCCANO}/data_import/tests/data/example.utf16.csv"),
}


def _source(case: Case, request: pytest.FixtureRequest) -> Path:
    if case.ours is not None:
        return case.ours / case.path
    corpora: Path = request.getfixturevalue("corpora")
    return corpora / case.path


def _files(source: Path) -> list[Path]:
    return sorted(source.iterdir()) if source.is_dir() else [source]


SpanKey = tuple[int, int, str, str, str | None]  # start, end, label, surface, note
Layer = tuple[frozenset[SpanKey], frozenset[str], str | None]


@dataclass(frozen=True)
class Document:
    """What a document is worth comparing, whichever way it was read."""

    title: str | None
    author: str | None
    published: date | None
    source_url: str | None
    meta: tuple[tuple[str, str], ...]
    layers: tuple[tuple[str, Layer], ...]


def _document(record: DocumentRecord, layers: dict[str, Layer]) -> Document:
    meta = tuple(sorted((key, repr(value)) for key, value in record.meta.items()))
    return Document(
        record.title, record.author, record.published, record.source_url, meta,
        tuple(sorted((name, layer) for name, layer in layers.items() if any(layer))),
    )  # fmt: skip


def _who(name: str | None, importer: str) -> str:
    return (name or importer).strip() or importer


def expected(records: list[DocumentRecord], importer: str) -> dict[str, Document]:
    """What the import should store: a text read twice holds the work of both readings."""
    first: dict[str, DocumentRecord] = {}
    spans: dict[str, dict[str, set[SpanKey]]] = {}
    labels: dict[str, dict[str, set[str]]] = {}
    statuses: dict[str, dict[str, str | None]] = {}
    for record in records:
        first.setdefault(record.text, record)
        for span in record.spans:
            who = _who(span.annotator, importer)
            surface = record.text[span.start : span.end]
            spans.setdefault(record.text, {}).setdefault(who, set()).add(
                (span.start, span.end, span.label.strip(), surface, span.note)
            )
        for layer in record.layers:
            who = _who(layer.annotator, importer)
            held = labels.setdefault(record.text, {}).setdefault(who, set())
            held.update(name.strip() for name in layer.document_labels)
            if layer.status is not None:
                statuses.setdefault(record.text, {})[who] = layer.status
    result = {}
    for text, record in first.items():
        names = set(spans.get(text, {})) | set(labels.get(text, {})) | set(statuses.get(text, {}))
        layers: dict[str, Layer] = {
            who: (
                frozenset(spans.get(text, {}).get(who, set())),
                frozenset(labels.get(text, {}).get(who, set())),
                statuses.get(text, {}).get(who),
            )
            for who in names
        }
        result[text] = _document(record, layers)
    return result


def from_jsonl(path: Path) -> dict[str, Document]:
    """Our export read back by our own reader, which names every span's annotator."""
    result = {}
    for record in jsonl.read(path, ReadOptions(), FileNotes()):
        layers: dict[str, Layer] = {}
        for layer in record.layers:
            mine = frozenset(
                (s.start, s.end, s.label, record.text[s.start : s.end], s.note)
                for s in record.spans
                if s.annotator == layer.annotator
            )
            layers[layer.annotator] = (mine, frozenset(layer.document_labels), layer.status)
        result[record.text] = _document(record, layers)
    return result


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def from_csv(spans_csv: Path, texts: dict[str, str]) -> tuple[set[Any], set[Any]]:
    """The span table and the document-label table, documents found by their hash."""
    spans = {
        (texts[row["document_hash"]], row["annotator"], int(row["start"]), int(row["end"]),
         row["label"], row["text"], row["note"] or None)
        for row in _rows(spans_csv)
    }  # fmt: skip
    labels = {
        (texts[row["document_hash"]], row["annotator"], row["label"])
        for row in _rows(companion_path(spans_csv, "document-labels"))
    }
    return spans, labels


@pytest.mark.parametrize(
    "name",
    [name if CASES[name].ours else pytest.param(name, marks=pytest.mark.corpora) for name in CASES],
)
def test_a_format_survives_import_and_export_on_every_backend(
    name: str, corpus: Corpus, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    case = CASES[name]
    source = _source(case, request)
    records: list[DocumentRecord] = []
    for path in _files(source):
        found, detected = format_of(path, case.format_name)
        options = ReadOptions(text_column=case.text_column)
        for record in read_file(path, found, options, FileNotes(), named=not detected):
            assert isinstance(record, DocumentRecord)
            records.append(record)
    assert records, f"{source} holds no documents"

    report = import_paths(
        corpus, [source], project=PROJECT, format_name=case.format_name,
        text_column=case.text_column,
    )  # fmt: skip
    assert report.ok, report.summary()
    project_id = corpus.project_id(PROJECT)
    jsonl_out = tmp_path / "out.jsonl"
    export_project(corpus, project_id, format_name="jsonl", output=jsonl_out)
    spans_out = tmp_path / "spans.csv"
    export_project(corpus, project_id, format_name="csv", output=spans_out)

    wanted = expected(records, corpus.annotator_name)
    assert from_jsonl(jsonl_out) == wanted
    texts = {content_hash(text): text for text in wanted}
    assert from_csv(spans_out, texts) == (
        {
            (text, who, *span)
            for text, document in wanted.items()
            for who, (spans, _labels, _status) in document.layers
            for span in spans
        },
        {
            (text, who, label)
            for text, document in wanted.items()
            for who, (_spans, labels, _status) in document.layers
            for label in labels
        },
    )
