"""doccano JSONL: every shape doccano has exported or imported, read; an export doccano takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.errors import InputError
from annotator.base.vocabulary import Origin, Status
from annotator.formats import doccano
from annotator.formats.detection import detect
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, WriteOptions
from tests.formats.json_samples import (
    FAMILY,
    RAW_TEXT,
    TEXT,
    comparable,
    documents,
    read_with,
    surfaces,
    write_lines,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "doccano"
DOCCANO = Path("doccano/backend")


def read_all(path: Path, **options: str) -> list[DocumentRecord]:
    return read_with(doccano, path, ReadOptions(**options))[0]  # type: ignore[arg-type]


def expect_error(path: Path, line: int | None, *fragments: str, **options: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_all(path, **options)
    error = caught.value
    assert error.path == path and error.line == line
    assert str(path) in str(error)
    if line is not None:
        assert f"line {line}" in str(error)
    for fragment in fragments:
        assert fragment in str(error)
    return error


def write(records: list[DocumentRecord], target: Path) -> FileNotes:
    notes = FileNotes()
    doccano.write(iter(records), target, WriteOptions(), notes)
    return notes


# --- shapes doccano writes -----------------------------------------------------------------


def test_sequence_labelling(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"id": 7, "text": "EU rejects German lamb.", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]},
        {"text": "No spans", "label": []},
    )
    first, second = read_all(path)
    assert first.text == "EU rejects German lamb."
    assert first.spans == [SpanRecord(0, 2, "ORG"), SpanRecord(11, 17, "MISC")]
    assert first.meta == {"id": 7}
    assert first.layers == [] and second.spans == [] and second.layers == []
    assert (first.line, second.line) == (1, 2)


def test_labels_key_and_comments_go_to_meta(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"id": 1, "text": "Berlin", "labels": [[0, 6, "LOC"]], "Comments": ["check"]},
    )
    (record,) = read_all(path)
    assert record.spans == [SpanRecord(0, 6, "LOC")]
    assert record.meta == {"id": 1, "Comments": ["check"]}


def test_classification_gives_document_labels_for_the_importing_user(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": "Great match", "label": ["Sports", "Fun", "Sports"]},
        {"text": "One label as a name", "label": "News"},
    )
    first, second = read_all(path)
    assert first.spans == []
    assert first.layers == [AnnotatorLayer(annotator="", document_labels=["Sports", "Fun"])]
    assert second.layers == [AnnotatorLayer(annotator="", document_labels=["News"])]


def test_entities_as_lists_or_objects_and_relations_counted(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": "Google hired Page.", "entities": [[0, 6, "ORG"], [13, 17, "PER"]]},
        {
            "text": "Google was founded by Larry Page.",
            "entities": [
                {"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
                {"id": 1, "start_offset": 22, "end_offset": 32, "label": "PERSON"},
            ],
            "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "foundedBy"}],
        },
    )
    records, notes = read_with(doccano, path)
    assert surfaces(records) == ["Google", "Page", "Google", "Larry Page"]
    assert records[1].meta == {}
    assert notes.left_out == {"relations": 1}
    assert list(notes.lines()) == ["left out 1 relations"]


def test_cats_scores_and_lists(tmp_path: Path) -> None:
    records = read_all(FIXTURES / "intent_and_slots.jsonl")
    assert surfaces(records) == ["Köln", "two", "Tōkyō"]
    assert [r.layers for r in records] == [
        [AnnotatorLayer("", None, ["booking"])],
        [AnnotatorLayer("", None, ["weather"])],
    ]
    path = write_lines(
        tmp_path / "in.jsonl", {"text": "x", "cats": {"A": True, "B": False, "C": 0.5, "D": 0.49}}
    )
    assert read_all(path)[0].layers == [AnnotatorLayer("", None, ["A", "C"])]


def test_doccano_1_annotations_by_label_id_or_name_per_user() -> None:
    records, notes = read_with(doccano, FIXTURES / "doccano1_annotations.jsonl")
    ada, paris = records
    assert ada.spans == [
        SpanRecord(0, 12, "2", annotator="user 1"),
        SpanRecord(22, 29, "2", annotator="user 1"),
        SpanRecord(0, 12, "2", annotator="user 2"),
    ]
    assert ada.meta == {"source": "letters", "id": 11, "annotation_approver": None}
    assert paris.spans == [SpanRecord(0, 5, "LOC", annotator="maria")]
    assert paris.layers == [AnnotatorLayer("maria", None, ["travel"])]
    assert notes.left_out == {} and notes.warnings == []


def test_text_under_data_and_custom_keys(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl", {"id": 3, "data": "New Berlin", "label": [[4, 10, "LOC"]]}
    )
    (record,) = read_all(path)
    assert (record.text, record.spans, record.meta) == (
        "New Berlin",
        [SpanRecord(4, 10, "LOC")],
        {"id": 3},
    )
    path = write_lines(
        tmp_path / "custom.jsonl",
        {"column_data": "Peter", "column_label": [[0, 5, "PER"]], "label": "kept"},
    )
    (record,) = read_all(path, text_key="column_data", label_key="column_label")
    assert (record.text, record.spans) == ("Peter", [SpanRecord(0, 5, "PER")])
    assert record.meta == {"label": "kept"}  # the label key named replaces doccano's own
    expect_error(path, 1, 'no "text" field')


def test_pretty_printed_array_is_read_with_the_line_of_each_object() -> None:
    records = read_all(FIXTURES / "pretty_array.json")
    assert [r.line for r in records] == [2, 6]
    assert surfaces(records) == ["Alice", "Bob"]


def test_blank_text_is_skipped_with_a_warning_and_missing_text_is_an_error(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": "a", "label": []},
        {"text": " \n\t", "label": []},
        {"text": "b"},
    )
    records, notes = read_with(doccano, path)
    assert [r.text for r in records] == ["a", "b"]
    assert [(w.line, w.reason) for w in notes.warnings] == [
        (2, 'blank example skipped ("text" holds no text)')
    ]
    assert list(notes.lines()) == ['warning: line 2: blank example skipped ("text" holds no text)']
    path = write_lines(tmp_path / "in.jsonl", {"text": "a"}, {"label": [[0, 1, "X"]]})
    expect_error(path, 2, 'no "text" field')


def test_the_same_span_twice_is_kept_once_and_counted(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl", {"text": "ab", "label": [[0, 1, "X"], [0, 1, "X"], [0, 1, "Y"]]}
    )
    records, notes = read_with(doccano, path)
    assert records[0].spans == [SpanRecord(0, 1, "X"), SpanRecord(0, 1, "Y")]
    assert notes.left_out == {"spans given twice": 1}


def test_crlf_astral_combining_and_rtl_offsets(tmp_path: Path) -> None:
    words = ["😂", FAMILY, "東京", "Cafe\u0301", "مرحبا", "שלום", "there.\r\nEnd"]
    label = [[RAW_TEXT.index(w), RAW_TEXT.index(w) + len(w), "W"] for w in words]
    path = write_lines(tmp_path / "in.jsonl", {"text": RAW_TEXT, "label": label})
    (record,) = read_all(path)
    assert record.text == TEXT
    assert surfaces([record]) == [w.replace("\r\n", "\n") for w in words]


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ("{not json", ("not valid JSON",)),
        ('["text", "a"]', ("JSON object", "an array")),
        ('{"text": 5}', ('"text" must be a string',)),
        ('{"title": "no text"}', ('no "text" field',)),
        ('{"text": "abc", "label": [[0, 4, "X"]]}', ("label[0]", "ends past the text")),
        ('{"text": "abc", "label": [[2, 1, "X"]]}', ("end 1 is not after start 2",)),
        ('{"text": "abc", "label": [[true, 2, "X"]]}', ("start must be a whole number",)),
        ('{"text": "abc", "label": [[0, 2, ""]]}', ("label must be a non-empty string",)),
        ('{"text": "abc", "label": [[0, 2]]}', ('[start, end, "LABEL"]',)),
        ('{"text": "abc", "label": ["A", [0, 1, "B"]]}', ('[start, end, "LABEL"]',)),
        ('{"text": "abc", "label": {"A": 1}}', ('"label" must be an array',)),
        ('{"text": "abc", "entities": [{"start_offset": 0, "label": "X"}]}', ('no "end_offset"',)),
        ('{"text": "abc", "entities": [[0, 1]]}', ("entities[0] must be",)),
        ('{"text": "abc", "cats": {"A": "yes"}}', ("cats.A must be a score",)),
        ('{"text": "abc", "cats": "A"}', ("cats must be an object",)),
        ('{"text": "abc", "relations": {}}', ('"relations" must be an array',)),
        (
            '{"text": "abc", "annotations": [{"label": 1, "start_offset": 0, "user": 1}]}',
            ('annotations[0]: no "end_offset"',),
        ),
        ('{"text": "abc", "annotations": [{"label": 1, "user": [1]}]}', ('"user" must be',)),
    ],
)
def test_bad_line_names_file_and_line(
    tmp_path: Path, line: str, fragments: tuple[str, ...]
) -> None:
    path = write_lines(tmp_path / "in.jsonl", {"text": "fine"}, "", line, {"text": "fine"})
    expect_error(path, 3, *fragments)


@pytest.mark.parametrize(
    ("line", "whose", "key"),
    [
        ('{"text": "abc", "spans": [], "answer": "reject"}', "Prodigy's", "answer"),
        ('{"text": "abc", "label": [[0, 1, "X"]], "_input_hash": 7}', "Prodigy's", "_input_hash"),
        ('{"data": {"text": "abc"}, "annotations": [{"result": []}]}', "Label Studio's", "data"),
    ],
)
def test_another_tools_line_is_refused_with_its_format(
    tmp_path: Path, line: str, whose: str, key: str
) -> None:
    path = write_lines(tmp_path / "in.jsonl", {"text": "fine", "label": []}, line)
    error = expect_error(path, 2, f'in {whose} shape (it has "{key}")', "not doccano's")
    assert "--format " in error.reason


def test_our_lines_among_doccanos_are_read_but_a_file_of_ours_is_refused(tmp_path: Path) -> None:
    ours = {"text": "Our own.", "annotations": [{"annotator": "carol", "status": "done",
            "spans": [{"start": 0, "end": 3, "label": "X"}]}]}  # fmt: skip
    mixed = write_lines(tmp_path / "mixed.jsonl", {"text": "EU", "label": [[0, 2, "ORG"]]}, ours)
    _, second = read_all(mixed)
    assert second.spans == [SpanRecord(0, 3, "X", annotator="carol")]
    assert second.layers == [AnnotatorLayer("carol", Status.DONE, [])]
    only_ours = write_lines(tmp_path / "ours.jsonl", {"text": "plain"}, ours)
    expect_error(only_ours, 2, "annotator's own JSONL shape", "--format jsonl")


# --- writing ---------------------------------------------------------------------------------


def test_export_is_one_line_per_document_and_layer_in_doccano_shape(tmp_path: Path) -> None:
    spans_only = [
        DocumentRecord(
            text="EU rejects German lamb.",
            meta={"id": 3, "label": "a meta key doccano would read"},
            spans=[
                SpanRecord(0, 2, "ORG", annotator="alice"),
                SpanRecord(11, 17, "MISC", annotator="bob", note="adjective?"),
                SpanRecord(3, 10, "VERB", annotator="bob", origin=Origin.REJECTED),
            ],
            layers=[AnnotatorLayer("alice", Status.DONE, [])],
        ),
        DocumentRecord(text="No work yet."),
    ]
    target = tmp_path / "out.jsonl"
    notes = write(spans_only, target)
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {
            "text": "EU rejects German lamb.",
            "label": [[0, 2, "ORG"]],
            "annotator": "alice",
            "status": "done",
            "id": 3,
            "meta": {"label": "a meta key doccano would read"},
        },
        {
            "text": "EU rejects German lamb.",
            "label": [[11, 17, "MISC"]],
            "annotator": "bob",
            "id": 3,
            "meta": {"label": "a meta key doccano would read"},
        },
        {"text": "No work yet.", "label": []},
    ]
    assert notes.left_out == {"rejected suggestions (doccano has no word for them)": 1}
    assert [w.reason for w in notes.warnings] == [
        "document 1: the note on span 11-17 is not written (doccano has no place for it)"
    ]
    assert detect(target) == "doccano"

    labels_only = [
        DocumentRecord(text="Great match", layers=[AnnotatorLayer("alice", None, ["Sports"])])
    ]
    write(labels_only, target)
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "text": "Great match",
        "label": ["Sports"],
        "annotator": "alice",
    }


def test_meta_from_another_tool_is_nested_so_the_export_stays_doccano(tmp_path: Path) -> None:
    meta = {"_input_hash": 1, "_view_id": "ner", "answer": "accept", "tokens": [], "id": 9}
    record = DocumentRecord(text="From Prodigy.", meta=meta)
    target = tmp_path / "out.jsonl"
    write([record], target)
    line = json.loads(target.read_text(encoding="utf-8"))
    assert line == {
        "text": "From Prodigy.",
        "label": [],
        "id": 9,
        "meta": {"_input_hash": 1, "_view_id": "ner", "answer": "accept", "tokens": []},
    }
    assert detect(target) == "doccano"
    assert read_all(target)[0].meta == meta


def test_round_trip_of_every_layer_with_emoji_cjk_combining_rtl_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    notes = write(documents(), target)
    assert notes.left_out == {} and notes.warnings == []
    first = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) >= {"text", "entities", "cats", "annotator", "status", "title"}
    again, notes = read_with(doccano, target)
    assert comparable(again) == comparable(documents())
    assert notes.left_out == {} and notes.warnings == []
    write(again, tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == target.read_bytes()


def test_a_file_read_as_it_came_is_written_and_read_back_the_same(tmp_path: Path) -> None:
    words = ["😂", FAMILY, "東京", "Cafe\u0301", "مرحبا", "שלום"]
    label = [[RAW_TEXT.index(w), RAW_TEXT.index(w) + len(w), "W"] for w in words]
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        (
            json.dumps({"text": RAW_TEXT, "label": label, "id": 1}, ensure_ascii=False) + "\r\n"
        ).encode()
    )
    first = read_all(source)
    for span in first[0].spans:
        span.annotator = "me"  # as the export gives it: the importing user's name
    write(first, tmp_path / "out.jsonl")
    assert comparable(read_all(tmp_path / "out.jsonl")) == comparable(first)


def test_a_failed_write_leaves_what_was_there(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("before", encoding="utf-8")

    def failing() -> DocumentRecord:
        raise RuntimeError("database went away")

    def documents_then_failure():  # type: ignore[no-untyped-def]
        yield DocumentRecord(text="a")
        yield failing()

    with pytest.raises(RuntimeError):
        doccano.write(documents_then_failure(), target, WriteOptions(), FileNotes())
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


# --- real files from doccano and flair --------------------------------------------------------


@pytest.mark.corpora
def test_sequence_labelling_export(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/sequence_labeling/example.jsonl"
    records = read_all(path)
    assert surfaces(records) == ["EU", "German", "Peter Blackburn", "Obama"]
    assert [s.label for r in records for s in r.spans] == ["ORG", "MISC", "PERSON", "PERSON"]
    assert detect(path) == "doccano"


@pytest.mark.corpora
def test_classification_export(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/text_classification/example.jsonl"
    records = read_all(path)
    assert [r.layers for r in records] == [
        [AnnotatorLayer("", None, ["negative"])],
        [AnnotatorLayer("", None, ["positive"])],
        [AnnotatorLayer("", None, ["positive"])],
    ]


@pytest.mark.corpora
def test_relation_import_on_one_line(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/pipeline/examples/relation_extraction/example.jsonl"
    records, notes = read_with(doccano, path)
    assert surfaces(records) == ["Google", "September 4, 1998", "Larry Page", "Sergey Brin"]
    assert notes.left_out == {"relations": 3}


@pytest.mark.corpora
def test_pretty_printed_relation_export_over_49_lines_is_read(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_export/pipeline/examples/relation_extraction/example.jsonl"
    assert len(path.read_text(encoding="utf-8").splitlines()) == 49
    records, notes = read_with(doccano, path)
    assert surfaces(records) == ["Google", "September 4, 1998", "Larry Page", "Sergey Brin"]
    assert [s.label for s in records[0].spans] == ["ORG", "DATE", "PERSON", "PERSON"]
    assert records[0].line == 1
    assert notes.left_out == {"relations": 3}
    assert detect(path) == "doccano"


@pytest.mark.corpora
def test_custom_column_names(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/pipeline/examples/sequence_labeling/example.jsonl"
    expect_error(path, 1, 'no "text" field')
    records = read_all(path, text_key="column_data", label_key="column_label")
    assert surfaces(records) == ["EU", "Peter Blackburn", "Obama"]
    path = corpora / DOCCANO / "data_import/pipeline/examples/text_classification/example.jsonl"
    records = read_all(path, text_key="column_data", label_key="column_label")
    assert [r.layers[0].document_labels for r in records] == [
        ["negative"],
        ["positive"],
        ["positive"],
    ]


@pytest.mark.corpora
def test_a_record_without_text_is_an_error_at_its_line(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/tests/data/sequence_labeling/example.jsonl"
    expect_error(path, 3, 'no "text" field')


@pytest.mark.corpora
def test_the_same_span_twice_in_doccanos_test_file(corpora: Path) -> None:
    path = corpora / DOCCANO / "data_import/tests/data/sequence_labeling/example_overlapping.jsonl"
    records, notes = read_with(doccano, path)
    assert records[0].spans == [SpanRecord(0, 1, "LOC")]
    assert records[0].meta == {"wikiPageID": 1}
    assert notes.left_out == {"spans given twice": 1}


@pytest.mark.corpora
@pytest.mark.parametrize(("name", "spans"), [("train", 7), ("testa", 5), ("testb", 5)])
def test_flair_jsonl(corpora: Path, name: str, spans: int) -> None:
    path = corpora / "flair/tests/resources/tasks/jsonl" / f"{name}.jsonl"
    records = read_all(path)
    found = surfaces(records)
    assert len(found) == spans
    assert "New Berlin" in found and "Peter Blackburn" in found
    assert all("id" in r.meta for r in records)
    if name == "train":
        # the same entity once without and once with the sentence's final period
        assert found[:3] == ["New Berlin", "New Berlin", "New Berlin."]
    if name == "testa":
        assert records[0].meta == {"id": 101319, "metadata": [["from", 123]]}
    assert detect(path) == "doccano"
