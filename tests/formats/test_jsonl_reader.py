"""JSONL reader: doccano, Prodigy, flair and our own shape; every bad input names file and line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.base.errors import InputError
from annotator.base.text import normalize_newlines
from annotator.formats.jsonl import ORIGINS, STATUSES, read_jsonl
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord


def write_lines(tmp_path: Path, *objects: object, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_all(path: Path, **options: str) -> list[DocumentRecord]:
    return list(read_jsonl(path, **options))


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


def test_doccano_sequence_labelling(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {"id": 7, "text": "EU rejects German lamb.", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]},
        {"text": "No spans", "label": []},
    )
    first, second = read_all(path)
    assert first.text == "EU rejects German lamb."
    assert first.spans == [SpanRecord(0, 2, "ORG"), SpanRecord(11, 17, "MISC")]
    assert all(span.annotator is None for span in first.spans)
    assert first.meta == {"id": 7}
    assert first.layers == []
    assert (first.line, second.line) == (1, 2)
    assert second.spans == [] and second.layers == []


def test_doccano_labels_key_and_comments_go_to_meta(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {"id": 1, "text": "Berlin", "labels": [[0, 6, "LOC"]], "Comments": ["check"]},
    )
    (record,) = read_all(path)
    assert record.spans == [SpanRecord(0, 6, "LOC")]
    assert record.meta == {"id": 1, "Comments": ["check"]}


def test_doccano_classification_gives_document_labels_for_importing_user(tmp_path: Path) -> None:
    path = write_lines(tmp_path, {"text": "Great match", "label": ["Sports", "Fun", "Sports"]})
    (record,) = read_all(path)
    assert record.spans == []
    assert record.layers == [AnnotatorLayer(annotator="", document_labels=["Sports", "Fun"])]


def test_doccano_meta_object_and_extra_keys(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {"text": "x", "meta": {"wikiPageID": 1, "id": "from-meta"}, "id": 5, "comments": []},
    )
    (record,) = read_all(path)
    # meta's own keys win over a top-level key of the same name
    assert record.meta == {"wikiPageID": 1, "id": "from-meta", "comments": []}


def test_doccano_relation_entities_become_spans(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {
            "text": "Google was founded by Larry Page.",
            "entities": [
                {"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
                {"id": 1, "start_offset": 22, "end_offset": 32, "label": "PERSON"},
            ],
            "relations": [{"from_id": 0, "to_id": 1, "type": "foundedBy"}],
        },
    )
    (record,) = read_all(path)
    assert [(s.start, s.end, s.label) for s in record.spans] == [(0, 6, "ORG"), (22, 32, "PERSON")]
    assert record.meta == {"relations": [{"from_id": 0, "to_id": 1, "type": "foundedBy"}]}


def test_prodigy_spans(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        {
            "text": "Apple hires Tim",
            "spans": [
                {"start": 0, "end": 5, "label": "ORG", "token_start": 0, "token_end": 0},
                {"start": 12, "end": 15, "label": "PERSON", "text": "Tim"},
            ],
            "meta": {"source": "news"},
            "_input_hash": 123,
            "answer": "accept",
        },
    )
    (record,) = read_all(path)
    assert record.spans == [SpanRecord(0, 5, "ORG"), SpanRecord(12, 15, "PERSON", text="Tim")]
    assert record.meta == {"source": "news", "_input_hash": 123, "answer": "accept"}


def test_flair_text_under_data(tmp_path: Path) -> None:
    path = write_lines(tmp_path, {"id": 3, "data": "This is New Berlin", "label": [[8, 18, "LOC"]]})
    (record,) = read_all(path)
    assert record.text == "This is New Berlin"
    assert record.spans == [SpanRecord(8, 18, "LOC")]
    assert record.meta == {"id": 3}


def test_custom_field_names(tmp_path: Path) -> None:
    path = write_lines(tmp_path, {"column_data": "Peter", "column_label": [[0, 5, "PER"]]})
    (record,) = read_all(path, text_key="column_data", label_key="column_label")
    assert record.text == "Peter"
    assert record.spans == [SpanRecord(0, 5, "PER")]
    assert record.meta == {}
    expect_error(path, 1, 'no "text" field')


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
        {"text": "t", "label": None, "spans": None, "annotations": None, "meta": None},
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
    line = json.dumps({"text": text, "label": [[0, 3, "A"]]}, ensure_ascii=False)
    path.write_bytes((line + "\r\n" + line + "\r\n").encode("utf-8"))
    records = read_all(path)
    assert [r.text for r in records] == [text, text]
    assert [r.line for r in records] == [1, 2]


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "utf16.jsonl"
    path.write_text('{"text": "Grüße 😀", "label": [[6, 7, "EMOJI"]]}\n', encoding="utf-16")
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
        ('{"text": "abc", "label": [[0, 4, "X"]]}', ("label[0]", "ends past the text")),
        ('{"text": "abc", "label": [[2, 2, "X"]]}', ("end 2 is not after start 2",)),
        ('{"text": "abc", "label": [[2, 1, "X"]]}', ("end 1 is not after start 2",)),
        ('{"text": "abc", "label": [[-1, 2, "X"]]}', ("start -1 is negative",)),
        ('{"text": "abc", "label": [[true, 2, "X"]]}', ("start must be a whole number", "true")),
        ('{"text": "abc", "label": [[0, true, "X"]]}', ("end must be a whole number",)),
        ('{"text": "abc", "label": [[0.0, 2, "X"]]}', ("start must be a whole number",)),
        ('{"text": "abc", "label": [["0", 2, "X"]]}', ("start must be a whole number",)),
        ('{"text": "abc", "label": [[0, 2, 7]]}', ("label must be a non-empty string",)),
        ('{"text": "abc", "label": [[0, 2, ""]]}', ("label must be a non-empty string",)),
        ('{"text": "abc", "label": [[0, 2]]}', ('[start, end, "LABEL"]',)),
        ('{"text": "abc", "label": ["A", [0, 1, "B"]]}', ('[start, end, "LABEL"]',)),
        ('{"text": "abc", "label": "A"}', ('"label" must be an array',)),
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
    records = read_jsonl(path)
    assert next(records).line == 1
    with pytest.raises(InputError) as caught:
        next(records)
    assert caught.value.line == 2


def test_pretty_printed_json_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps({"text": "abc", "label": []}, indent=4), encoding="utf-8")
    expect_error(path, 1, "one JSON document spread over several lines")


def test_span_covering_only_the_cr_of_crlf(tmp_path: Path) -> None:
    path = write_lines(tmp_path, {"text": "ab\r\ncd", "label": [[2, 3, "X"]]})
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
    line = {"text": raw, "label": [[start, end, "L"] for start, end in spans]}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    (record,) = read_all(path)
    assert record.text == normalize_newlines(raw)[0]
    assert len(record.spans) == len(spans)
    for span, (start, end) in zip(record.spans, spans, strict=True):
        assert record.text[span.start : span.end] == normalize_newlines(raw[start:end])[0]


# --- real files from other tools ---------------------------------------------------------------


DOCCANO = Path("doccano/backend")


@pytest.mark.corpora
def test_doccano_sequence_labelling_export(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/sequence_labeling/example.jsonl"
    records = read_all(path)
    assert [r.text[s.start : s.end] for r in records for s in r.spans] == [
        "EU",
        "German",
        "Peter Blackburn",
        "Obama",
    ]
    assert [s.label for r in records for s in r.spans] == ["ORG", "MISC", "PERSON", "PERSON"]


@pytest.mark.corpora
def test_doccano_classification_export(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/text_classification/example.jsonl"
    records = read_all(path)
    assert [r.layers[0].document_labels for r in records] == [
        ["negative"],
        ["positive"],
        ["positive"],
    ]
    assert all(r.layers[0].annotator == "" for r in records)


@pytest.mark.corpora
def test_doccano_relation_import_single_line(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/pipeline/examples/relation_extraction/example.jsonl"
    (record,) = read_all(path)
    assert [record.text[s.start : s.end] for s in record.spans] == [
        "Google",
        "September 4, 1998",
        "Larry Page",
        "Sergey Brin",
    ]
    assert len(record.meta["relations"]) == 3


@pytest.mark.corpora
def test_doccano_pretty_printed_relation_export_is_refused_plainly(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/relation_extraction/example.jsonl"
    expect_error(path, 1, "one JSON document spread over several lines")


@pytest.mark.corpora
def test_doccano_custom_column_names(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/pipeline/examples/sequence_labeling/example.jsonl"
    expect_error(path, 1, 'no "text" field')
    records = read_all(path, text_key="column_data", label_key="column_label")
    assert [r.text[s.start : s.end] for r in records for s in r.spans] == [
        "EU",
        "Peter Blackburn",
        "Obama",
    ]
    path = corpora / DOCCANO / "data_import/pipeline/examples/text_classification/example.jsonl"
    records = read_all(path, text_key="column_data", label_key="column_label")
    assert [r.layers[0].document_labels for r in records] == [
        ["negative"],
        ["positive"],
        ["positive"],
    ]


@pytest.mark.corpora
def test_doccano_record_without_text_stops_at_its_line(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/tests/data/sequence_labeling/example.jsonl"
    records = read_jsonl(path)
    first, second = next(records), next(records)
    assert first.meta == {"wikiPageID": 1} and first.spans == [SpanRecord(0, 1, "LOC")]
    assert second.spans == []
    with pytest.raises(InputError) as caught:
        next(records)
    assert caught.value.line == 3
    assert 'no "text" field' in str(caught.value)


@pytest.mark.corpora
def test_doccano_duplicate_spans_are_kept_for_the_importer(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/tests/data/sequence_labeling/example_overlapping.jsonl"
    (record,) = read_all(path)
    assert record.spans == [SpanRecord(0, 1, "LOC"), SpanRecord(0, 1, "LOC")]


@pytest.mark.corpora
@pytest.mark.parametrize("name", ["train", "testa", "testb"])
def test_flair_jsonl(corpora: Path, name: str) -> None:
    path = corpora / "flair/tests/resources/tasks/jsonl" / f"{name}.jsonl"
    records = read_all(path)
    surfaces = [r.text[s.start : s.end] for r in records for s in r.spans]
    assert "New Berlin" in surfaces
    assert "Peter Blackburn" in surfaces
    assert all("id" in r.meta for r in records)
    if name == "train":
        # the same entity once without and once with the sentence's final period
        assert surfaces[:3] == ["New Berlin", "New Berlin", "New Berlin."]
    if name == "testa":
        assert records[0].meta["metadata"] == [["from", 123]]
