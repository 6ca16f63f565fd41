"""CSV reader: document tables, our span and document-label exports, lines and neutralisation."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.base.errors import InputError
from annotator.base.text import normalize_newlines
from annotator.base.vocabulary import CSV_FORMULA_STARTS
from annotator.formats import csv_export
from annotator.formats.csvfile import read_csv, unneutralise
from annotator.formats.records import (
    DocumentLabelRowRecord,
    DocumentRecord,
    SpanRecord,
    SpanRowRecord,
)

SPAN_HEADER = [
    "span_id",
    "document_id",
    "document_hash",
    "document_title",
    "source_url",
    "annotator",
    "label",
    "start",
    "end",
    "text",
    "left_context",
    "right_context",
    "note",
    "origin",
    "created_at",
    "updated_at",
]
HASH = "ab" * 32


def write_csv(tmp_path: Path, rows: list[list[str]], *, bom: bool = False) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path = tmp_path / "in.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def write_raw(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "raw.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def expect_error(path: Path, line: int | None, *fragments: str, **options: str) -> None:
    with pytest.raises(InputError) as caught:
        list(read_csv(path, **options))
    error = caught.value
    assert error.path == path
    assert error.line == line
    message = str(error)
    assert str(path) in message
    if line is not None:
        assert f"line {line}" in message
    for fragment in fragments:
        assert fragment in message


# --- document tables -----------------------------------------------------------------------


TRICKY = [
    'She said "hi, there", then left.',
    "First line\nsecond line, with a comma\n\nfourth",
    "Emoji 😀 and \U0001d518 and cafe\u0301",
    "عربي مع English و עברית",
    '"quoted at both ends"',
    "  leading and trailing spaces  ",
    "'=not ours: no BOM, so kept",
]


def test_text_table_reads_back_exactly(tmp_path: Path) -> None:
    rows = [["id", "text", "title", "source"]]
    rows += [[str(i), text, f"T{i}" if i % 2 else "", ""] for i, text in enumerate(TRICKY)]
    records = list(read_csv(write_csv(tmp_path, rows)))
    assert all(isinstance(r, DocumentRecord) for r in records)
    assert [r.text for r in records] == TRICKY
    assert [r.title for r in records] == [None if i % 2 == 0 else f"T{i}" for i in range(7)]
    assert [r.meta for r in records] == [{"id": str(i)} for i in range(7)]
    assert all(r.spans == [] and r.layers == [] for r in records)


def test_line_numbers_across_multiline_cells(tmp_path: Path) -> None:
    content = (
        "text,title\r\n"  # 1
        '"one\r\ntwo\r\nthree",a\r\n'  # 2-4
        "plain,b\r\n"  # 5
        "\r\n"  # 6 blank
        '"x\ny",c\r\n'  # 7-8
        ",,\r\n"  # 9: a spreadsheet's empty trailing row
        "last,d"  # 10, no final newline
    )
    records = list(read_csv(write_raw(tmp_path, content)))
    assert [(r.line, r.title) for r in records] == [(2, "a"), (5, "b"), (7, "c"), (10, "d")]
    assert records[0].text == "one\ntwo\nthree"
    assert records[2].text == "x\ny"


def test_custom_text_column_and_case_insensitive_match(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["label", "body"], ["pos", "Nice"]])
    (record,) = read_csv(path, text_column="body")
    assert (record.text, record.meta) == ("Nice", {"label": "pos"})
    path = write_csv(tmp_path, [["Text", "Title"], ["Body", "Heading"]])
    (record,) = read_csv(path)
    assert record.text == "Body"
    assert record.meta == {"Title": "Heading"}  # only a column named exactly "title" is the title


def test_short_rows_are_padded(tmp_path: Path) -> None:
    path = write_raw(tmp_path, "text,title,extra\nonly text\n")
    (record,) = read_csv(path)
    assert (record.text, record.title, record.meta) == ("only text", None, {})


def test_long_cell_beyond_csv_default_limit(tmp_path: Path) -> None:
    text = "word " * 60_000
    (record,) = read_csv(write_csv(tmp_path, [["text"], [text]]))
    assert record.text == text


def test_excel_bom_header_is_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["text", "n"], ["hello", "1"]], bom=True)
    (record,) = read_csv(path)
    assert (record.text, record.meta) == ("hello", {"n": "1"})


# --- our exports ---------------------------------------------------------------------------------


def span_row(**cells: str) -> list[str]:
    defaults = {"document_hash": HASH, "annotator": "alice", "label": "PER"}
    defaults |= {"start": "0", "end": "5", "text": "Alice"}
    defaults |= cells
    return [defaults.get(name, "") for name in SPAN_HEADER]


def test_span_export_rows(tmp_path: Path) -> None:
    rows = [
        SPAN_HEADER,
        span_row(
            span_id="1",
            document_title="Doc",
            note="check, please",
            origin="manual",
            created_at="2024-03-01T10:00:00+00:00",
            updated_at="2024-03-01T11:00:00Z",
            left_context="",
            right_context=" met Bob",
        ),
        span_row(annotator="", text="", start="6", end="9", label="LOC"),
        span_row(text="two\r\nlines", end="10"),
    ]
    first, second, third = read_csv(write_csv(tmp_path, rows))
    assert first == SpanRowRecord(
        HASH,
        SpanRecord(
            0,
            5,
            "PER",
            annotator="alice",
            text="Alice",
            note="check, please",
            origin="manual",
            created_at=datetime(2024, 3, 1, 10, tzinfo=UTC),
            updated_at=datetime(2024, 3, 1, 11, tzinfo=UTC),
        ),
        line=2,
    )
    assert second == SpanRowRecord(HASH, SpanRecord(6, 9, "LOC"), line=3)
    assert second.span.annotator is None and second.span.origin == "imported"
    assert third.span.text == "two\nlines"
    assert third.line == 4


def test_minimal_span_header(tmp_path: Path) -> None:
    rows = [["text", "end", "start", "label", "annotator", "document_hash"]]
    rows.append(["Bob", "3", "0", "PER", "bob", HASH])
    (record,) = read_csv(write_csv(tmp_path, rows))
    assert record == SpanRowRecord(HASH, SpanRecord(0, 3, "PER", annotator="bob", text="Bob"), 2)


def test_document_label_export_rows(tmp_path: Path) -> None:
    header = ["document_id", "document_hash", "document_title", "annotator", "label", "created_at"]
    rows = [
        header,
        ["1", HASH, "Doc", "alice", "sports", "2024-05-01T08:00:00+00:00"],
        ["1", HASH, "Doc", "", "news", ""],
    ]
    first, second = read_csv(write_csv(tmp_path, rows))
    assert first == DocumentLabelRowRecord(
        HASH, "alice", "sports", 2, datetime(2024, 5, 1, 8, tzinfo=UTC)
    )
    assert second == DocumentLabelRowRecord(HASH, "", "news", 3, None)


def test_span_header_missing_columns(tmp_path: Path) -> None:
    rows = [["document_hash", "annotator", "label", "start"], [HASH, "a", "X", "0"]]
    expect_error(write_csv(tmp_path, rows), 1, "span export", "end, text")


@pytest.mark.parametrize(
    ("cells", "fragments"),
    [
        ({"start": "one"}, ("start must be a whole number", "'one'")),
        ({"end": "5.0"}, ("end must be a whole number",)),
        ({"end": ""}, ("end must be a whole number",)),
        ({"start": "1_0"}, ("start must be a whole number",)),
        ({"start": "\u0661"}, ("start must be a whole number",)),  # Arabic-Indic digit one
        ({"start": "-1"}, ("start -1 is negative",)),
        ({"start": "5", "end": "5"}, ("end 5 is not after start 5",)),
        ({"start": "6", "end": "2"}, ("end 2 is not after start 6",)),
        ({"document_hash": " "}, ("document_hash cell is empty",)),
        ({"label": ""}, ("label cell is empty",)),
        ({"origin": "robot"}, ("origin must be one of",)),
        ({"created_at": "2024-03-01 10:00"}, ("created_at", "no timezone")),
        ({"updated_at": "soon"}, ("updated_at", "not an ISO 8601 timestamp")),
    ],
)
def test_bad_span_row(tmp_path: Path, cells: dict[str, str], fragments: tuple[str, ...]) -> None:
    rows = [SPAN_HEADER, span_row(), span_row(text="multi\nline"), span_row(**cells)]
    expect_error(write_csv(tmp_path, rows), 5, *fragments)


def test_bad_document_label_row(tmp_path: Path) -> None:
    rows = [["document_hash", "annotator", "label"], [HASH, "a", "x"], ["", "a", "y"]]
    expect_error(write_csv(tmp_path, rows), 3, "document_hash cell is empty")


# --- spreadsheet neutralisation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "plain"),
    [
        ("'=SUM(A1:A2)", "=SUM(A1:A2)"),
        ("'+1", "+1"),
        ("'-1", "-1"),
        ("'@home", "@home"),
        ("'\tx", "\tx"),
        ("'\r\nx", "\r\nx"),
        ("''=x", "'=x"),
        ("'x", "'x"),
        ("'", "'"),
        ("=raw", "=raw"),
        ("", ""),
        ("it's", "it's"),
    ],
)
def test_unneutralise(cell: str, plain: str) -> None:
    assert unneutralise(cell) == plain


def neutralise(cell: str) -> str:
    """The exporter's side of the contract that makes every round trip exact."""
    return "'" + cell if re.match(r"'*[=+\-@\t\r]", cell) else cell


@given(st.text(alphabet="'=+-@\t\rax", max_size=8))
def test_neutralise_round_trip(cell: str) -> None:
    assert unneutralise(neutralise(cell)) == cell


@given(st.text(alphabet="'=+-@\t\rax ", max_size=8))
def test_round_trip_with_our_exporter(cell: str) -> None:
    # A cell that itself starts with quotes and a formula character (`'=x`) is the one
    # case our exporter leaves ambiguous; every other cell comes back unchanged.
    if not re.match(r"'+[=+\-@\t\r]", cell):
        assert unneutralise(csv_export.neutralise(cell)) == cell


def test_excel_export_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "spans.csv"
    row = span_row(label="-neg", text="=1+2", note="@bob\r\nsecond line", end="4")
    row[SPAN_HEADER.index("left_context")] = "\tindented"
    with csv_export.open_for_writing(path, excel=True) as out:
        csv_export.write_rows(out, SPAN_HEADER, [row], excel=True)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    (record,) = read_csv(path)
    assert (record.span.label, record.span.text) == ("-neg", "=1+2")
    assert record.span.note == "@bob\r\nsecond line"  # notes keep their line breaks as written


@pytest.mark.parametrize("first", CSV_FORMULA_STARTS)
def test_every_formula_start_is_quoted_on_export_and_unquoted_on_import(first: str) -> None:
    cell = first + "1"
    assert csv_export.neutralise(cell) == "'" + cell
    assert unneutralise(csv_export.neutralise(cell)) == cell


def test_bom_file_has_neutralised_cells_undone(tmp_path: Path) -> None:
    rows = [
        SPAN_HEADER,
        span_row(label="'-neg", text="'=cmd|' /C calc'!A0", note="'@mention", end="18"),
    ]
    (record,) = read_csv(write_csv(tmp_path, rows, bom=True))
    assert isinstance(record, SpanRowRecord)
    assert record.span.label == "-neg"
    assert record.span.text == "=cmd|' /C calc'!A0"
    assert record.span.note == "@mention"
    docs = write_csv(tmp_path, [["text", "title"], ["'+44 20 7946 0000", "'=title"]], bom=True)
    (document,) = read_csv(docs)
    assert (document.text, document.title) == ("+44 20 7946 0000", "=title")


def test_without_bom_cells_are_kept(tmp_path: Path) -> None:
    rows = [SPAN_HEADER, span_row(label="'-neg", text="'=x", end="3")]
    (record,) = read_csv(write_csv(tmp_path, rows))
    assert (record.span.label, record.span.text) == ("'-neg", "'=x")


# --- bad input ---------------------------------------------------------------------------------


def test_missing_text_column_lists_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["body", "label"], ["x", "y"]])
    expect_error(path, 1, "no 'text' column", "'body', 'label'")


def test_semicolon_file_gets_a_hint(tmp_path: Path) -> None:
    expect_error(write_raw(tmp_path, "text;label\nx;y\n"), 1, "'text;label'", "commas")


def test_duplicate_header_column(tmp_path: Path) -> None:
    expect_error(write_raw(tmp_path, "text,meta,meta\na,b,c\n"), 1, "'meta' appears twice")


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ('text\nfine\n"never closed\nstill open\n', 3, "malformed CSV"),
        ('text,x\nfine,1\n"quoted"junk,2\n', 3, "malformed CSV"),
        ('text,x\nfine,1\n"a\nb",1\nc,2,3\n', 5, "3 cells but the header has 2 columns"),
        ('text,x\n"a\nb",1\n,2\n', 4, "'text' cell is empty"),
        ("text,x\na,1\n   ,2\n", 3, "'text' cell is empty"),
    ],
)
def test_malformed_rows(tmp_path: Path, content: str, line: int, fragment: str) -> None:
    expect_error(write_raw(tmp_path, content), line, fragment)


def test_bad_utf8_names_the_line(tmp_path: Path) -> None:
    path = write_raw(tmp_path, b"text\nfine\ncaf\xe9\n")
    expect_error(path, 3, "not valid UTF-8")


def test_binary_file(tmp_path: Path) -> None:
    expect_error(write_raw(tmp_path, b"text\nok\n\x00\x00\x00"), 3, "binary")


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", codecs.BOM_UTF8])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    expect_error(write_raw(tmp_path, content), None, "empty")


def test_header_only_gives_nothing(tmp_path: Path) -> None:
    assert list(read_csv(write_raw(tmp_path, "text,title\n"))) == []


# --- property: any text survives the round trip, lines counted right ---------------------------


CELL = st.lists(
    st.sampled_from(
        ["a", " ", ",", '"', "😀", "\U0001d518", "e\u0301", "ש", "ل", "\r\n", "\n", "\r", "'"]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(CELL.filter(lambda t: t.strip() != ""), min_size=1, max_size=6))
def test_text_and_lines_round_trip(tmp_path: Path, texts: list[str]) -> None:
    path = write_csv(tmp_path, [["text", "n"]] + [[text, str(i)] for i, text in enumerate(texts)])
    records = list(read_csv(path))
    assert [r.text for r in records] == [normalize_newlines(t)[0] for t in texts]
    expected_line = 2
    for record, text in zip(records, texts, strict=True):
        assert record.line == expected_line
        expected_line += len(re.findall(r"\r\n|\r|\n", text)) + 1


# --- real files from other tools ---------------------------------------------------------------


DOCCANO = Path("doccano/backend")


@pytest.mark.corpora
def test_doccano_utf16_csv(corpora: Path) -> None:
    records = list(read_csv(corpora / DOCCANO / "data_import/tests/data/example.utf16.csv"))
    assert [(r.text, r.meta, r.line) for r in records] == [
        ("AAA", {"label": "Positive"}, 2),
        ("BBB", {"label": "Positive"}, 3),
        ("CCC", {"label": "Negative"}, 4),
    ]


@pytest.mark.corpora
def test_doccano_classification_export_csv(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/text_classification/example.csv"
    records = list(read_csv(path))
    assert [r.text for r in records] == [
        "Terrible customer service.",
        "Really great transaction.",
        "Great price.",
    ]
    assert [r.meta["label"] for r in records] == ["negative", "positive", "positive"]


@pytest.mark.corpora
def test_doccano_custom_column_csv(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/pipeline/examples/text_classification/example.csv"
    expect_error(path, 1, "no 'text' column", "'column_data', 'column_label'")
    records = list(read_csv(path, text_column="column_data"))
    assert [r.meta for r in records] == [{"column_label": "negative"}] + [
        {"column_label": "positive"}
    ] * 2


@pytest.mark.corpora
def test_doccano_empty_cells_stop_at_the_empty_text(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/tests/data/text_classification/example.csv"
    records = read_csv(path)
    assert next(records).meta == {"label": "positive"}
    assert next(records).meta == {}
    with pytest.raises(InputError) as caught:
        next(records)
    assert caught.value.line == 4


@pytest.mark.corpora
def test_doccano_out_of_order_columns(corpora: Path) -> None:
    path = (
        corpora
        / DOCCANO
        / "data_import/tests/data/text_classification/example_out_of_order_columns.csv"
    )
    records = read_csv(path)
    first = next(records)
    assert (first.text, first.meta) == ("exampleA", {"label": "positive", "foo": "foo1"})
    assert next(records).text == "exampleB"
    with pytest.raises(InputError) as caught:
        next(records)
    assert caught.value.line == 4


@pytest.mark.corpora
def test_doccano_invalid_csv(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/tests/data/text_classification/example.invalid.2.csv"
    expect_error(path, 2, "3 cells but the header has 2 columns")
