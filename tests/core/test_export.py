"""Exporting: CSV a spreadsheet and pandas read back exactly, JSONL that round-trips byte for byte.

The CSV and JSONL files are written the way `annotator export` writes them: the rows
from `annotator.core.exporting` through the writers in `annotator.formats`.
"""

from __future__ import annotations

import codecs
import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from annotator.base.errors import UserError
from annotator.base.text import content_hash
from annotator.base.vocabulary import LabelKind, Status
from annotator.core import exporting
from annotator.core.corpus import Corpus
from annotator.core.exporting import ExportFilter
from annotator.core.importing import import_paths
from annotator.core.models import Annotator, Document, DocumentLabel, Label, Span
from annotator.formats import csv_export, jsonl_export
from tests.conftest import Databases

PREFIX = "An opening sentence that is long enough for context. "
TRICKY = PREFIX + 'He said, "hello, world"\nthen left 😀 for שלום and مرحبا.\n=SUM(A1) +1 -2 @home'
PLAIN = "Ada Lovelace met Charles Babbage in London in 1833."
UNTOUCHED = "Nobody has annotated this one yet."


def _at(text: str, part: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def _span(text: str, part: str, label: str, **extra: Any) -> dict[str, Any]:
    start, end = _at(text, part)
    return {"start": start, "end": end, "label": label, "text": part, **extra}


SOURCE: list[dict[str, Any]] = [
    {
        "text": TRICKY,
        "title": 'Quotes, "commas" and 😀',
        "author": "Ana Luísa Conceição",
        "published": "2024-07-07",
        "source_url": "https://example.org/a?x=1,2",
        "meta": {"source_file": "a.txt", "tags": ["x", "ü"], "rank": 3},
        "annotations": [
            {
                "annotator": "alice",
                "status": "done",
                "document_labels": ["Science"],
                "spans": [
                    _span(
                        TRICKY,
                        'said, "hello, world"\nthen',
                        "QUOTE",
                        note='a note, with "quotes"\nand a line break',
                        created_at="2024-01-02T03:04:05.123456+00:00",
                        updated_at="2024-01-03T00:00:00+02:00",
                    ),
                    _span(TRICKY, "😀", "EMOJI"),
                    _span(TRICKY, "שלום", "LOC"),
                    _span(TRICKY, "مرحبا", "LOC"),
                    _span(TRICKY, "=SUM(A1)", "FORMULA", note="=1+1"),
                    _span(TRICKY, "+1", "FORMULA"),
                    _span(TRICKY, "-2", "FORMULA"),
                    _span(TRICKY, "@home", "FORMULA", note="@me"),
                ],
            },
            {
                "annotator": "bob",
                "status": "in_progress",
                "spans": [_span(TRICKY, "שלום", "PER")],
            },
        ],
    },
    {
        "text": PLAIN,
        "title": "Plain",
        "annotations": [
            {
                "annotator": "alice",
                "status": "done",
                "document_labels": ["Sports", "Science"],
                "spans": [_span(PLAIN, "Ada Lovelace", "PER"), _span(PLAIN, "London", "LOC")],
            },
            {"annotator": "carol", "spans": [_span(PLAIN, "Charles Babbage", "PER")]},
        ],
    },
    {"text": UNTOUCHED},
]


EVERYTHING = ExportFilter()


# --- helpers -----------------------------------------------------------------------------


def write_jsonl(path: Path, objects: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8"
    )
    return path


def project_id(corpus: Corpus, name: str = "news") -> int:
    found = corpus.project(name).id
    assert found is not None
    return found


def export_csv(
    corpus: Corpus, path: Path, chosen: ExportFilter = EVERYTHING, *, excel: bool = False
) -> tuple[Path, Path]:
    """The span CSV and its document-labels companion, as `annotator export --format csv`."""
    labels_path = csv_export.companion_path(path, "document-labels")
    with corpus.engine.connect() as connection:
        exporting.check_filter(connection, project_id(corpus), chosen)
        with csv_export.open_for_writing(path, excel=excel) as out:
            csv_export.write_rows(
                out, exporting.SPAN_COLUMNS,
                exporting.span_rows(connection, project_id(corpus), chosen), excel=excel,
            )  # fmt: skip
        with csv_export.open_for_writing(labels_path, excel=excel) as out:
            csv_export.write_rows(
                out, exporting.DOCUMENT_LABEL_COLUMNS,
                exporting.document_label_rows(connection, project_id(corpus), chosen),
                excel=excel,
            )  # fmt: skip
    return path, labels_path


def export_jsonl(corpus: Corpus, path: Path, chosen: ExportFilter = EVERYTHING) -> Path:
    with (
        corpus.engine.connect() as connection,
        path.open("w", encoding="utf-8", newline="\n") as out,
    ):
        jsonl_export.write_documents(
            out, exporting.documents_with_layers(connection, project_id(corpus), chosen)
        )
    return path


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def stored_spans(corpus: Corpus) -> list[tuple[str, str, str, int, int, str, str | None]]:
    """(document text, annotator, label, start, end, text, note), sorted."""
    with corpus.engine.connect() as connection:
        rows = connection.execute(
            select(Document.text, Annotator.name, Label.name, Span.start, Span.end, Span.text,
                   Span.note)
            .join(Document, Document.id == Span.document_id)
            .join(Annotator, Annotator.id == Span.annotator_id)
            .join(Label, Label.id == Span.label_id)
        ).all()  # fmt: skip
    return sorted(tuple(row) for row in rows)  # type: ignore[misc]


def stored_document_labels(corpus: Corpus) -> list[tuple[str, str, str]]:
    with corpus.engine.connect() as connection:
        rows = connection.execute(
            select(Document.text, Annotator.name, Label.name)
            .select_from(DocumentLabel)
            .join(Document, Document.id == DocumentLabel.document_id)
            .join(Annotator, Annotator.id == DocumentLabel.annotator_id)
            .join(Label, Label.id == DocumentLabel.label_id)
        ).all()
    return sorted(tuple(row) for row in rows)  # type: ignore[misc]


def document_texts(corpus: Corpus) -> dict[int, str]:
    with corpus.engine.connect() as connection:
        return {
            document_id: text
            for document_id, text in connection.execute(select(Document.id, Document.text))
        }


@pytest.fixture
def annotated(corpus: Corpus, tmp_path: Path) -> Corpus:
    """Three documents, three annotators, notes, statuses and document labels."""
    source = write_jsonl(tmp_path / "source.jsonl", SOURCE)
    report = import_paths(corpus, [source], project="news")
    assert report.ok, report.summary()
    return corpus


def fresh(databases: Databases, name: str, annotator: str = "zoe") -> Corpus:
    """A second database on the same backend as `annotated`."""
    return Corpus.open(databases.new(name), annotator=annotator)


SPAN_COUNT = sum(
    len(layer.get("spans", [])) for doc in SOURCE for layer in doc.get("annotations", [])
)


# --- CSV ---------------------------------------------------------------------------------


def test_csv_has_the_documented_columns_and_one_row_per_span(
    annotated: Corpus, tmp_path: Path
) -> None:
    spans_path, labels_path = export_csv(annotated, tmp_path / "spans.csv")
    header, rows = read_csv_rows(spans_path)
    assert header == list(exporting.SPAN_COLUMNS)
    assert len(rows) == SPAN_COUNT == len(stored_spans(annotated))
    assert len({row["span_id"] for row in rows}) == SPAN_COUNT
    assert labels_path.name == "spans.document-labels.csv"
    label_header, label_rows = read_csv_rows(labels_path)
    assert label_header == list(exporting.DOCUMENT_LABEL_COLUMNS)
    assert sorted((r["annotator"], r["label"]) for r in label_rows) == [
        ("alice", "Science"), ("alice", "Science"), ("alice", "Sports"),
    ]  # fmt: skip
    assert {r["document_hash"] for r in label_rows} == {content_hash(TRICKY), content_hash(PLAIN)}


def test_csv_text_reads_back_identically_with_csv_and_pandas(
    annotated: Corpus, tmp_path: Path
) -> None:
    spans_path, _ = export_csv(annotated, tmp_path / "spans.csv")
    raw = spans_path.read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    _, rows = read_csv_rows(spans_path)
    frame = pd.read_csv(spans_path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(frame.columns) == list(exporting.SPAN_COLUMNS)
    assert frame.to_dict("records") == rows

    texts = document_texts(annotated)
    expected = sorted(
        (text, annotator, label, start, end, span_text, note or "")
        for text, annotator, label, start, end, span_text, note in stored_spans(annotated)
    )
    got = sorted(
        (texts[int(r["document_id"])], r["annotator"], r["label"], int(r["start"]),
         int(r["end"]), r["text"], r["note"])
        for r in rows
    )  # fmt: skip
    assert got == expected
    # The awkward ones really are there, unchanged.
    cells = {r["text"] for r in rows} | {r["note"] for r in rows}
    for awkward in ('said, "hello, world"\nthen', "😀", "שלום", "مرحبا", "=SUM(A1)", "-2"):
        assert awkward in cells
    assert 'a note, with "quotes"\nand a line break' in cells
    assert frame.loc[frame["label"] == "EMOJI", "text"].tolist() == ["😀"]


def test_csv_offsets_and_context_are_code_points(annotated: Corpus, tmp_path: Path) -> None:
    spans_path, _ = export_csv(annotated, tmp_path / "spans.csv")
    texts = document_texts(annotated)
    _, rows = read_csv_rows(spans_path)
    far_from_start = 0
    for row in rows:
        text = texts[int(row["document_id"])]
        start, end = int(row["start"]), int(row["end"])
        assert row["text"] == text[start:end]
        assert row["left_context"] == text[max(0, start - 40) : start]
        assert row["right_context"] == text[end : end + 40]
        assert row["document_hash"] == content_hash(text)
        far_from_start += start > 40
    assert far_from_start >= 5  # the 40-character cut-off is exercised, not just the start


def test_csv_timestamps_are_iso_8601_in_utc(annotated: Corpus, tmp_path: Path) -> None:
    spans_path, labels_path = export_csv(annotated, tmp_path / "spans.csv")
    _, rows = read_csv_rows(spans_path)
    _, label_rows = read_csv_rows(labels_path)
    stamps = [row[key] for row in rows for key in ("created_at", "updated_at")]
    stamps += [row["created_at"] for row in label_rows]
    for stamp in stamps:
        assert stamp.endswith("+00:00"), stamp
        assert "T" in stamp
        moment = datetime.fromisoformat(stamp)
        assert moment.utcoffset() == timedelta(0)
        assert exporting.format_timestamp(moment) == stamp
    quote = next(row for row in rows if row["label"] == "QUOTE")
    assert quote["created_at"] == "2024-01-02T03:04:05.123456+00:00"
    assert quote["updated_at"] == "2024-01-02T22:00:00.000000+00:00"  # given at +02:00
    assert datetime.fromisoformat(quote["updated_at"]) == datetime(2024, 1, 2, 22, tzinfo=UTC)


def _exported(
    corpus: Corpus, tmp_path: Path, chosen: ExportFilter
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    spans_path, labels_path = export_csv(corpus, tmp_path / "filtered.csv", chosen)
    spans = sorted((r["annotator"], r["label"]) for r in read_csv_rows(spans_path)[1])
    labels = sorted((r["annotator"], r["label"]) for r in read_csv_rows(labels_path)[1])
    return spans, labels


def test_csv_filter_by_annotator(annotated: Corpus, tmp_path: Path) -> None:
    spans, labels = _exported(annotated, tmp_path, ExportFilter(annotators=("bob", "carol")))
    assert spans == [("bob", "PER"), ("carol", "PER")]
    assert labels == []


def test_csv_filter_by_label(annotated: Corpus, tmp_path: Path) -> None:
    spans, labels = _exported(annotated, tmp_path, ExportFilter(labels=("LOC", "Sports")))
    assert spans == [("alice", "LOC")] * 3
    assert labels == [("alice", "Sports")]


def test_csv_filter_by_status(annotated: Corpus, tmp_path: Path) -> None:
    done, done_labels = _exported(annotated, tmp_path, ExportFilter(statuses=(Status.DONE,)))
    assert {annotator for annotator, _ in done} == {"alice"}
    assert len(done) == 10
    assert len(done_labels) == 3
    busy, _ = _exported(annotated, tmp_path, ExportFilter(statuses=(Status.IN_PROGRESS,)))
    assert busy == [("bob", "PER")]
    # carol never set a status: her work counts as "todo".
    todo, todo_labels = _exported(annotated, tmp_path, ExportFilter(statuses=(Status.TODO,)))
    assert todo == [("carol", "PER")]
    assert todo_labels == []


def test_filters_combine(annotated: Corpus, tmp_path: Path) -> None:
    chosen = ExportFilter(annotators=("alice",), labels=("PER",), statuses=(Status.DONE,))
    spans, _ = _exported(annotated, tmp_path, chosen)
    assert spans == [("alice", "PER")]


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (ExportFilter(annotators=("alice", "zed")), "no annotator named zed"),
        (ExportFilter(labels=("NOPE",)), "no label named NOPE"),
    ],
)
def test_an_unknown_filter_name_is_a_user_error(
    annotated: Corpus, tmp_path: Path, chosen: ExportFilter, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        export_csv(annotated, tmp_path / "spans.csv", chosen)


# --- spreadsheets --------------------------------------------------------------------------


def test_excel_export_has_a_bom_and_neutralised_formulas(annotated: Corpus, tmp_path: Path) -> None:
    excel_path, excel_labels = export_csv(annotated, tmp_path / "excel.csv", excel=True)
    plain_path, _ = export_csv(annotated, tmp_path / "plain.csv")
    assert excel_path.read_bytes().startswith(codecs.BOM_UTF8)
    assert excel_labels.read_bytes().startswith(codecs.BOM_UTF8)
    assert not plain_path.read_bytes().startswith(codecs.BOM_UTF8)

    _, plain_rows = read_csv_rows(plain_path)
    with excel_path.open(encoding="utf-8-sig", newline="") as handle:
        excel_rows = list(csv.DictReader(handle))
    assert len(excel_rows) == len(plain_rows)
    neutralised = 0
    for excel, plain in zip(excel_rows, plain_rows, strict=True):
        for column in exporting.SPAN_COLUMNS:
            value = plain[column]
            if value[:1] in ("=", "+", "-", "@"):
                assert excel[column] == "'" + value, (column, value)
                neutralised += 1
            else:
                assert excel[column] == value, (column, value)
    assert neutralised >= 6  # four span texts and two notes
    # The default export is faithful: formula-like text stays as it is.
    assert {"=SUM(A1)", "+1", "-2", "@home"} <= {row["text"] for row in plain_rows}
    assert "=1+1" in {row["note"] for row in plain_rows}
    frame = pd.read_csv(excel_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "'=SUM(A1)" in frame["text"].tolist()


# --- CSV back in ---------------------------------------------------------------------------


def _documents_only(tmp_path: Path) -> Path:
    """The same documents without any annotation, as a JSONL export with spans stripped."""
    stripped = [{k: v for k, v in doc.items() if k != "annotations"} for doc in SOURCE]
    return write_jsonl(tmp_path / "documents.jsonl", stripped)


@pytest.mark.parametrize("excel", [False, True], ids=["plain", "excel"])
def test_an_exported_csv_imports_back_with_its_spans(
    annotated: Corpus, tmp_path: Path, databases: Databases, excel: bool
) -> None:
    spans_path, labels_path = export_csv(annotated, tmp_path / "spans.csv", excel=excel)
    with fresh(databases, "target") as target:
        assert import_paths(target, [_documents_only(tmp_path)], project="copy").ok
        report = import_paths(target, [spans_path, labels_path], project="copy")
        assert report.ok, report.summary()
        assert (report.documents, report.spans, report.document_labels) == (0, SPAN_COUNT, 3)
        assert stored_spans(target) == stored_spans(annotated)
        assert stored_document_labels(target) == stored_document_labels(annotated)
        copied = target.labels(project_id(target, "copy"))
        assert {(label.kind, label.name) for label in copied} == {
            ("span", "QUOTE"), ("span", "EMOJI"), ("span", "LOC"), ("span", "FORMULA"),
            ("span", "PER"), ("document", "Science"), ("document", "Sports"),
        }  # fmt: skip
        # Importing the same CSV again adds nothing.
        again = import_paths(target, [spans_path, labels_path], project="copy")
        assert (again.spans, again.spans_already_present, again.document_labels) == (
            0,
            SPAN_COUNT,
            0,
        )


def test_a_span_csv_without_its_documents_fails_naming_file_and_line(
    annotated: Corpus, tmp_path: Path, databases: Databases
) -> None:
    spans_path, labels_path = export_csv(annotated, tmp_path / "spans.csv")
    with fresh(databases, "empty") as target:
        report = import_paths(target, [spans_path, labels_path], project="copy")
        assert not report.ok
        assert [failure.path for failure in report.failures] == [spans_path, labels_path]
        assert [failure.line for failure in report.failures] == [2, 2]
        for failure in report.failures:
            assert "is not in this project; import the documents first" in failure.reason
            assert f"{failure.path}, line 2: " in report.summary()
        assert stored_spans(target) == []
        with target.engine.connect() as connection:
            assert connection.execute(select(Label.id)).all() == []
            assert connection.execute(select(Annotator.id)).all() == []


def test_an_edited_span_text_is_refused_on_import(
    annotated: Corpus, tmp_path: Path, databases: Databases
) -> None:
    spans_path, _ = export_csv(annotated, tmp_path / "spans.csv")
    header, rows = read_csv_rows(spans_path)
    rows[3]["text"] = "edited by hand"
    with spans_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, header)
        writer.writeheader()
        writer.writerows(rows)
    with fresh(databases, "target") as target:
        import_paths(target, [_documents_only(tmp_path)], project="copy")
        report = import_paths(target, [spans_path], project="copy")
        [failure] = report.failures
        assert failure.path == spans_path
        assert failure.line is not None and failure.line > 2  # quoted line breaks count
        assert "should read 'edited by hand'" in failure.reason
        assert stored_spans(target) == []


# --- JSONL ---------------------------------------------------------------------------------


def _add_manual_work(corpus: Corpus) -> None:
    """Work done in the window rather than imported: new annotator, labels out of order."""
    project = project_id(corpus)
    ids = {text: document_id for document_id, text in document_texts(corpus).items()}
    tricky, plain, untouched = ids[TRICKY], ids[PLAIN], ids[UNTOUCHED]
    dave = Corpus(corpus.engine, annotator="dave")
    # "Arts" is the project's newest label but dave uses it on the first document, so a
    # re-import creates it before "Sports": positions differ between the two databases.
    arts = corpus.add_label(project, "Arts", kind=LabelKind.DOCUMENT).entity_id
    labels = {(label.kind, label.name): label.id for label in corpus.labels(project)}
    sports, per = labels[("document", "Sports")], labels[("span", "PER")]
    assert arts is not None and sports is not None and per is not None
    dave.set_document_label(tricky, arts, True)
    dave.set_document_label(plain, arts, True)
    dave.set_document_label(plain, sports, True)
    dave.add_span(plain, per, 0, 3, note="just the first name 😀")
    dave.add_span(plain, per, 4, 12)
    dave.set_status(plain, Status.DONE)
    dave.set_status(untouched, Status.TODO)


def test_jsonl_export_import_export_is_byte_identical(
    annotated: Corpus, tmp_path: Path, databases: Databases
) -> None:
    _add_manual_work(annotated)
    first = export_jsonl(annotated, tmp_path / "first.jsonl")
    lines = first.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert "😀" in lines[0] and "\\ud83d" not in lines[0]  # UTF-8, not escapes
    parsed = [json.loads(line) for line in lines]
    assert [doc["text"] for doc in parsed] == [TRICKY, PLAIN, UNTOUCHED]
    assert parsed[0]["published"] == "2024-07-07"
    assert parsed[0]["meta"] == SOURCE[0]["meta"]
    assert [layer["annotator"] for layer in parsed[1]["annotations"]] == ["alice", "carol", "dave"]

    with fresh(databases, "target") as target:
        report = import_paths(target, [first], project="news")
        assert report.ok, report.summary()
        second = export_jsonl(target, tmp_path / "second.jsonl")

    assert second.read_bytes() == first.read_bytes()


def test_jsonl_export_keeps_only_what_the_filter_asks_for(
    annotated: Corpus, tmp_path: Path
) -> None:
    path = export_jsonl(annotated, tmp_path / "bob.jsonl", ExportFilter(annotators=("bob",)))
    parsed = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [doc["text"] for doc in parsed] == [TRICKY, PLAIN, UNTOUCHED]
    assert [[layer["annotator"] for layer in doc["annotations"]] for doc in parsed] == [
        ["bob"], [], [],
    ]  # fmt: skip
    done = export_jsonl(annotated, tmp_path / "done.jsonl", ExportFilter(statuses=(Status.DONE,)))
    parsed = [json.loads(line) for line in done.read_text(encoding="utf-8").splitlines()]
    assert [doc["text"] for doc in parsed] == [TRICKY, PLAIN]
    assert {layer["annotator"] for doc in parsed for layer in doc["annotations"]} == {"alice"}
