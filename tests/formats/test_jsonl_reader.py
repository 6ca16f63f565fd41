"""Our own JSONL reader: every layer read back, other tools' shapes refused with the format
that reads them, every bad input named by file and line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.base.errors import InputError
from annotator.base.text import normalize_newlines
from annotator.formats.jsonl import ORIGINS, STATUSES, read
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions


def write_lines(tmp_path: Path, *objects: object, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_all(path: Path) -> list[DocumentRecord]:
    return list(read(path, ReadOptions(), FileNotes()))


def expect_error(path: Path, line: int | None, *fragments: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_all(path)
    error = caught.value
    assert error.path == path
    assert error.line == line
    message = str(error)
    assert str(path) in message
    if line is not None:
        assert f"line {line}" in message
    for fragment in fragments:
        assert fragment in message
    return error


# --- accepted shapes -----------------------------------------------------------------------


def test_meta_object_and_extra_keys(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {"text": "x", "meta": {"wikiPageID": 1, "id": "from-meta"}, "id": 5, "comments": []},
    )
    (record,) = read_all(path)
    # meta's own keys win over a top-level key of the same name
    assert record.meta == {"wikiPageID": 1, "id": "from-meta", "comments": []}


def test_our_own_shape(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {
            "text": "Alice met Bob in Paris.",
            "title": "A meeting",
            "author": "Reporter",
            "published": "2024-02-29",
            "source_url": "https://example.org/a",
            "meta": {"section": "world"},
            "annotations": [
                {
                    "annotator": "alice",
                    "status": "done",
                    "document_labels": ["news"],
                    "spans": [
                        {
                            "start": 0,
                            "end": 5,
                            "label": "PER",
                            "text": "Alice",
                            "note": "first",
                            "origin": "manual",
                            "created_at": "2024-03-01T10:00:00Z",
                            "updated_at": "2024-03-01T12:30:00+02:00",
                        }
                    ],
                },
                {
                    "annotator": "bob",
                    "status": None,
                    "document_labels": [],
                    "spans": [{"start": 17, "end": 22, "label": "LOC", "text": "Paris"}],
                },
                {"annotator": "carol", "status": "in_progress"},
            ],
        },
    )
    (record,) = read_all(path)
    assert record.title == "A meeting"
    assert record.author == "Reporter"
    assert record.published == date(2024, 2, 29)
    assert record.source_url == "https://example.org/a"
    assert record.meta == {"section": "world"}
    assert record.layers == [
        AnnotatorLayer("alice", "done", ["news"]),
        AnnotatorLayer("bob", None, []),
        AnnotatorLayer("carol", "in_progress", []),
    ]
    alice, bob = record.spans
    assert alice == SpanRecord(
        0,
        5,
        "PER",
        annotator="alice",
        text="Alice",
        note="first",
        origin="manual",
        created_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
        updated_at=datetime(2024, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
    )
    assert alice.created_at is not None and alice.created_at.tzinfo is not None
    assert bob == SpanRecord(17, 22, "LOC", annotator="bob", text="Paris", origin="imported")


def test_null_optional_fields(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {"text": "t", "title": None, "author": None, "published": None, "source_url": None},
        {"text": "t", "spans": None, "annotations": None, "meta": None},
    )
    first, second = read_all(path)
    assert (first.title, first.author, first.published, first.source_url) == (None,) * 4
    assert (second.spans, second.layers, second.meta) == ([], [], {})


def test_status_and_origin_values_match_the_database_model() -> None:
    models = pytest.importorskip("annotator.core.models")
    assert {status.value for status in models.Status} == STATUSES
    assert {origin.value for origin in models.Origin} == ORIGINS


def test_blank_lines_skipped_and_lines_counted(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text('\n{"text": "a"}\n   \n\n{"text": "b"}', encoding="utf-8")
    assert [(r.text, r.line) for r in read_all(path)] == [("a", 2), ("b", 5)]


def test_crlf_file_and_unicode_line_separators_inside_strings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    text = "one\u2028two\x85three"
    line = json.dumps(
        {"text": text, "spans": [{"start": 0, "end": 3, "label": "A"}]}, ensure_ascii=False
    )
    path.write_bytes((line + "\r\n" + line + "\r\n").encode("utf-8"))
    records = read_all(path)
    assert [r.text for r in records] == [text, text]
    assert [r.line for r in records] == [1, 2]


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "utf16.jsonl"
    path.write_text(
        '{"text": "Grüße 😀", "spans": [{"start": 6, "end": 7, "label": "E"}]}\n', encoding="utf-16"
    )
    (record,) = read_all(path)
    assert record.text[6:7] == "😀"


def test_crlf_text_spans_are_remapped(tmp_path: Path) -> None:
    raw = "Line one\r\nAlice\r\nand\rBob\r\n"
    alice, both, bob = (10, 15), (10, 24), (21, 24)
    assert raw[slice(*alice)] == "Alice" and raw[slice(*bob)] == "Bob"
    path = write_lines(
        tmp_path,
        {
            "text": raw,
            "spans": [
                {"start": 10, "end": 15, "label": "PER", "text": "Alice"},
                {"start": 10, "end": 24, "label": "X", "text": raw[10:24]},
                {"start": 21, "end": 24, "label": "PER"},
            ],
        },
    )
    (record,) = read_all(path)
    assert record.text == "Line one\nAlice\nand\nBob\n"
    for span, (start, end) in zip(record.spans, (alice, both, bob), strict=True):
        assert record.text[span.start : span.end] == normalize_newlines(raw[start:end])[0]
    assert record.spans[1].text == "Alice\nand\nBob"


def test_astral_and_combining_offsets_are_code_points(tmp_path: Path) -> None:
    word = "cafe\u0301"  # e + combining acute: five code points
    text = f"😀 {word} \U0001d518 שלום"
    start = 2  # the emoji is one code point (two UTF-16 units)
    path = write_lines(
        tmp_path,
        {"text": text, "spans": [{"start": start, "end": start + 5, "label": "W", "text": word}]},
    )
    (record,) = read_all(path)
    assert record.text[record.spans[0].start : record.spans[0].end] == word


# --- bad input -------------------------------------------------------------------------------


GOOD = {"text": "hello world"}


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ("{not json", ("not valid JSON",)),
        ('["text", "a"]', ("JSON object", "an array")),
        ('"just a string"', ("JSON object", "a string")),
        ("42", ("JSON object", "a number")),
        ("null", ("JSON object", "null")),
        ('{"title": "no text"}', ('no "text" field',)),
        ('{"text": 5}', ('"text" must be a string',)),
        ('{"text": "   \\n "}', ('"text" is empty',)),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 4, "label": "X"}]}',
            ("spans[0]", "ends past the text"),
        ),
        (
            '{"text": "abc", "spans": [{"start": 2, "end": 2, "label": "X"}]}',
            ("end 2 is not after start 2",),
        ),
        (
            '{"text": "abc", "spans": [{"start": 2, "end": 1, "label": "X"}]}',
            ("end 1 is not after start 2",),
        ),
        (
            '{"text": "abc", "spans": [{"start": -1, "end": 2, "label": "X"}]}',
            ("start -1 is negative",),
        ),
        (
            '{"text": "abc", "spans": [{"start": true, "end": 2, "label": "X"}]}',
            ("start must be a whole number", "true"),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": true, "label": "X"}]}',
            ("end must be a whole number",),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0.0, "end": 2, "label": "X"}]}',
            ("start must be a whole number",),
        ),
        (
            '{"text": "abc", "spans": [{"start": "0", "end": 2, "label": "X"}]}',
            ("start must be a whole number",),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": 7}]}',
            ("label must be a non-empty string",),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": ""}]}',
            ("label must be a non-empty string",),
        ),
        ('{"text": "abc", "spans": [{"start": 0, "end": 2}]}', ('no "label"',)),
        ('{"text": "abc", "spans": [{"start": 0, "end": 2, "label": null}]}', ("label must be",)),
        ('{"text": "abc", "spans": [[0, 2, "X"]]}', ("spans[0] must be an object",)),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": "X", "text": "ac"}]}',
            ('should cover "ac"', 'the document has "ab"'),
        ),
        (
            '{"text": "abc", "annotations": [{"annotator": "a", "status": "finished"}]}',
            ('"status" must be one of', "finished"),
        ),
        ('{"text": "abc", "annotations": [{"status": "done"}]}', ('"annotator" must be',)),
        (
            '{"text": "abc", "annotations": [{"annotator": "a"}, {"annotator": "a"}]}',
            ("appears twice",),
        ),
        (
            '{"text": "abc", "annotations": {"annotator": "a"}}',
            ('"annotations" must be an array, found an object',),
        ),
        (
            '{"text": "abc", "annotations": [{"annotator": "a", "document_labels": [1]}]}',
            ("document_labels[0]",),
        ),
        (
            '{"text": "abc", "annotations": [{"annotator": "a", "spans": '
            '[{"start": 0, "end": 1, "label": "X", "created_at": "2024-01-01T10:00:00"}]}]}',
            ("annotations[0].spans[0]", "no timezone"),
        ),
        (
            '{"text": "abc", "annotations": [{"annotator": "a", "spans": '
            '[{"start": 0, "end": 1, "label": "X", "updated_at": "yesterday"}]}]}',
            ("not an ISO 8601 timestamp",),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "X", "origin": "robot"}]}',
            ('"origin" must be one of',),
        ),
        ('{"text": "abc", "published": "2024-02-30"}', ('"published" must be a date',)),
        ('{"text": "abc", "published": "20240101"}', ('"published" must be a date',)),
        ('{"text": "abc", "title": 3}', ('"title" must be a string or null',)),
    ],
)
def test_bad_line_names_file_and_line(
    tmp_path: Path, line: str, fragments: tuple[str, ...]
) -> None:
    path = write_lines(tmp_path, GOOD, "", line, GOOD)
    expect_error(path, 3, *fragments)


def test_reader_stops_at_first_bad_record(tmp_path: Path) -> None:
    path = write_lines(tmp_path, GOOD, "{oops", "{also bad")
    records = read(path, ReadOptions(), FileNotes())
    assert next(records).line == 1
    with pytest.raises(InputError) as caught:
        next(records)
    assert caught.value.line == 2


def test_pretty_printed_json_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps({"text": "abc", "spans": []}, indent=4), encoding="utf-8")
    expect_error(path, 1, "one JSON document spread over several lines")


def test_span_covering_only_the_cr_of_crlf(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path, {"text": "ab\r\ncd", "spans": [{"start": 2, "end": 3, "label": "X"}]}
    )
    expect_error(path, 1, "once CRLF line breaks become LF")


def test_span_text_newlines_compared_normalised(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {"text": "a\r\nb", "spans": [{"start": 0, "end": 4, "label": "X", "text": "a\nb"}]},
    )
    (record,) = read_all(path)
    assert record.spans[0].text == "a\nb"
    assert (record.spans[0].start, record.spans[0].end) == (0, 3)


def test_bad_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "fine"}\n{"text": "fine"}\n{"text": "caf\xe9"}\n')
    expect_error(path, 3, "not valid UTF-8")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.jsonl"
    path.write_bytes(b'{"text": "a"}\n\x00\x01\x02\x03')
    expect_error(path, 2, "binary")


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    expect_error(path, None, "empty")


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "absent.jsonl", None, "cannot read the file")


@pytest.mark.parametrize(
    ("line", "format_name", "key"),
    [
        ('{"text": "abc", "label": [[0, 1, "X"]]}', "doccano", "label"),
        ('{"text": "abc", "labels": ["A"]}', "doccano", "labels"),
        ('{"text": "abc", "entities": [[0, 1, "X"]], "relations": []}', "doccano", "entities"),
        ('{"text": "abc", "cats": {"POS": 1.0}}', "doccano", "cats"),
        ('{"id": 1, "data": "abc"}', "doccano", "data"),
        (
            '{"text": "abc", "annotations": [{"label": 3, "start_offset": 0, "end_offset": 1}]}',
            "doccano",
            "annotations",
        ),
        ('{"text": "abc", "spans": [], "answer": "reject"}', "prodigy", "answer"),
        ('{"text": "abc", "_input_hash": 1, "_task_hash": 2}', "prodigy", "_input_hash"),
        ('{"text": "abc", "accept": ["A"], "options": [{"id": "A"}]}', "prodigy", "accept"),
        ('{"data": {"text": "abc"}, "annotations": []}', "labelstudio", "data"),
    ],
)
def test_other_tools_lines_are_refused_with_the_format_that_reads_them(
    tmp_path: Path, line: str, format_name: str, key: str
) -> None:
    path = write_lines(tmp_path, GOOD, line)
    error = expect_error(path, 2, f"--format {format_name}", f'"{key}"', "not annotator's own")
    whose = {"doccano": "doccano's", "prodigy": "Prodigy's", "labelstudio": "Label Studio's"}
    assert f"in {whose[format_name]} shape" in error.reason


# --- property: offsets survive JSON, newline normalisation and any Unicode -----------------


ASCII = ["a", "Z", " ", ",", '"', "\\", "\t"]
OTHER = ["😀", "\U0001d518", "e\u0301", "ש", "ל", "ل", "م", "\u200f"]  # astral, combining, RTL
BREAKS = ["\r\n", "\n", "\r", "\u2028", "\x85"]
PIECES = st.sampled_from([*ASCII, *OTHER, *BREAKS])


@st.composite
def text_with_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    raw = "".join(draw(st.lists(PIECES, min_size=1, max_size=40)))
    # Boundaries a user can select: never between the CR and LF of one line break.
    cuts = [
        i for i in range(len(raw) + 1) if not (0 < i < len(raw) and raw[i - 1 : i + 1] == "\r\n")
    ]
    pairs = st.tuples(st.sampled_from(cuts), st.sampled_from(cuts)).filter(lambda p: p[0] != p[1])
    spans = draw(st.lists(pairs, max_size=6))
    return raw, [(min(p), max(p)) for p in spans]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=text_with_spans())
def test_spans_keep_their_surface_text(tmp_path: Path, sample: tuple[str, list]) -> None:
    raw, spans = sample
    if not raw.strip():
        raw = "x" + raw  # the reader refuses blank documents; shift the spans along
        spans = [(start + 1, end + 1) for start, end in spans]
    path = tmp_path / "property.jsonl"
    line = {"text": raw, "spans": [{"start": s, "end": e, "label": "L"} for s, e in spans]}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    (record,) = read_all(path)
    assert record.text == normalize_newlines(raw)[0]
    assert len(record.spans) == len(spans)
    for span, (start, end) in zip(record.spans, spans, strict=True):
        assert record.text[span.start : span.end] == normalize_newlines(raw[start:end])[0]
