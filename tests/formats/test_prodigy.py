"""Prodigy JSONL: only accepted answers become annotations, everything else is counted; an
export `prodigy db-in` takes and that reads back the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.errors import InputError
from annotator.base.vocabulary import Origin, Status
from annotator.formats import prodigy
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

FIXTURES = Path(__file__).parent.parent / "fixtures" / "prodigy"
ALICE = "ner_news-alice"


def read_all(path: Path, *, keep_rejected: bool = False) -> list[DocumentRecord]:
    return read_with(prodigy, path, ReadOptions(keep_rejected=keep_rejected))[0]


def expect_error(path: Path, line: int, *fragments: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_all(path)
    error = caught.value
    assert error.path == path and error.line == line
    assert f"{path}, line {line}" in str(error)
    for fragment in fragments:
        assert fragment in str(error)
    return error


def write(records: list[DocumentRecord], target: Path) -> FileNotes:
    notes = FileNotes()
    prodigy.write(iter(records), target, WriteOptions(), notes)
    return notes


def span(source: str, word: str, label: str, **extra: object) -> dict[str, object]:
    start = source.index(word)
    return {"start": start, "end": start + len(word), "label": label, **extra}


# --- answers ---------------------------------------------------------------------------------


def test_ner_teach_keeps_only_accepted_suggestions_and_counts_the_rest() -> None:
    path = FIXTURES / "ner_teach.jsonl"
    records, notes = read_with(prodigy, path)
    assert len(records) == 12  # every task's text; the blank one skipped
    assert sorted(surfaces(records)) == ["Angela Merkel", "Apple", "London", "San Francisco"]
    assert all(
        s.annotator == ALICE and s.origin == Origin.IMPORTED for r in records for s in r.spans
    )
    assert notes.left_out == {"rejected answers": 6, "ignored answers": 2}
    assert [(w.line, w.reason) for w in notes.warnings] == [(7, "blank task skipped")]
    # A binary accept confirms one entity, not the whole text: in progress, not done.
    statuses = {(r.text, layer.status) for r in records for layer in r.layers}
    assert {status for _, status in statuses} == {Status.IN_PROGRESS}
    assert len(statuses) == 4  # one per text that has an accepted answer
    first = records[0]
    assert first.meta == {
        "score": 0.5,
        "source": "news",
        "_input_hash": -1000,
        "_task_hash": 5000,
        "_view_id": "ner",
        "_timestamp": 1700000000,
    }
    assert detect(path) == "prodigy"


def test_keep_rejected_keeps_rejected_spans_as_rejected_suggestions() -> None:
    records, notes = read_with(
        prodigy, FIXTURES / "ner_teach.jsonl", ReadOptions(keep_rejected=True)
    )
    rejected = [
        (r.text[s.start : s.end], s.label)
        for r in records
        for s in r.spans
        if s.origin == Origin.REJECTED
    ]
    assert sorted(rejected) == [
        ("Macron", "ORG"),
        ("U.K.", "ORG"),
        ("big", "ORG"),
        ("city", "GPE"),
        ("sidewalk", "GPE"),
        ("startup", "ORG"),
    ]
    assert len([s for r in records for s in r.spans if s.origin == Origin.IMPORTED]) == 4
    assert notes.left_out == {"rejected answers": 6, "ignored answers": 2}  # still said


def test_manual_tasks_accept_reject_ignore_and_answers_on_spans(tmp_path: Path) -> None:
    text = "Alice met Bob in Paris."
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": text, "_view_id": "ner_manual", "answer": "accept", "_annotator_id": "ds-bob",
         "spans": [span(text, "Alice", "PER"), span(text, "Paris", "LOC", answer="reject")]},
        {"text": "Nothing to mark here.", "spans": [], "answer": "accept",
         "_session_id": "ds-carol"},
        {"text": "A rejected example.", "spans": [span("A rejected example.", "example", "X")],
         "answer": "reject", "_annotator_id": "ds-bob"},
        {"text": "Skipped.", "spans": [span("Skipped.", "Skipped", "X")], "answer": "ignore"},
        {"text": "Not yet answered.", "spans": [span("Not yet answered.", "answered", "X")]},
    )  # fmt: skip
    records, notes = read_with(prodigy, path)
    manual, empty, rejected, ignored, unanswered = records
    assert manual.spans == [SpanRecord(0, 5, "PER", annotator="ds-bob")]
    assert manual.layers == [AnnotatorLayer("ds-bob", Status.DONE, [])]
    # An accept with no spans is finished work: the document counts as annotated.
    assert empty.layers == [AnnotatorLayer("ds-carol", Status.DONE, [])]
    assert (rejected.spans, rejected.layers) == ([], [])
    assert (ignored.spans, ignored.layers) == ([], [])
    # No answer: taken as db-in takes it, accepted, but nobody said it is finished.
    assert unanswered.spans == [SpanRecord(8, 16, "X")] and unanswered.layers == []
    assert notes.left_out == {"rejected answers": 2, "ignored answers": 1}


def test_classification_label_options_and_cats(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": "Goal in the last minute", "label": "SPORTS", "answer": "accept",
         "_view_id": "classification", "spans": [{"start": 0, "end": 4, "label": "SPORTS"}]},
        {"text": "Rates rise again", "label": "SPORTS", "answer": "reject"},
        {"text": "Rates rise again",
         "options": [{"id": "FIN", "text": "Finance"}, {"id": 7, "text": "Seven"},
                     {"id": "POL", "text": "Politics"}],
         "accept": ["FIN", 7], "answer": "accept", "_view_id": "choice",
         "_annotator_id": "cats-dan"},
        {"text": "Election results", "cats": {"POL": 0.9, "FIN": 0.2}, "answer": "accept"},
    )  # fmt: skip
    records, notes = read_with(prodigy, path)
    assert [r.layers for r in records] == [
        [AnnotatorLayer("", Status.DONE, ["SPORTS"])],
        [],
        [AnnotatorLayer("cats-dan", Status.DONE, ["FIN", "7"])],
        [AnnotatorLayer("", Status.DONE, ["POL"])],
    ]
    assert records[2].meta == {"_view_id": "choice"}  # the options are the labels
    assert records[0].spans == []  # a pattern match shown to help the decision
    assert notes.left_out == {
        "rejected answers": 1,
        "spans highlighted in classification tasks": 1,
    }


def test_token_offsets_and_recorded_span_text(tmp_path: Path) -> None:
    text = "New York 😂 is big"
    tokens = prodigy.tokenize(text)
    assert [t["text"] for t in tokens] == ["New", "York", "😂", "is", "big"]
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": text, "tokens": tokens, "answer": "accept",
         "spans": [{"token_start": 0, "token_end": 1, "label": "GPE"},
                   {"start": 9, "end": 10, "label": "EMOJI", "text": "😂",
                    "token_start": 2, "token_end": 2}]},
    )  # fmt: skip
    (record,) = read_all(path)
    assert surfaces([record]) == ["New York", "😂"]
    assert record.spans[1].text == "😂"


def test_crlf_astral_combining_and_rtl_offsets(tmp_path: Path) -> None:
    words = ["😂", FAMILY, "東京", "Cafe\u0301", "مرحبا", "שלום", "there.\r\nEnd"]
    spans = [span(RAW_TEXT, w, "W", text=w) for w in words]
    path = write_lines(
        tmp_path / "in.jsonl", {"text": RAW_TEXT, "spans": spans, "answer": "accept"}
    )
    (record,) = read_all(path)
    assert record.text == TEXT
    assert surfaces([record]) == [w.replace("\r\n", "\n") for w in words]


def test_json_array_of_tasks(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    tasks = [{"text": "one", "answer": "accept"}, {"text": "two", "answer": "reject"}]
    path.write_text(json.dumps(tasks, indent=2), encoding="utf-8")
    records, notes = read_with(prodigy, path)
    assert [(r.text, r.line) for r in records] == [("one", 2), ("two", 6)]
    assert notes.left_out == {"rejected answers": 1}


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ("{oops", ("not valid JSON",)),
        ('{"spans": []}', ('no "text" field',)),
        (
            '{"text": "abc", "answer": "maybe"}',
            ('"answer" must be "accept", "reject" or "ignore"',),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "X"}]}',
            ("spans[0]", "ends past"),
        ),
        ('{"text": "abc", "spans": [{"start": 0, "end": 1}]}', ('spans[0]: no "label"',)),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": "X", "text": "bc"}]}',
            ('should cover "bc"', 'the document has "ab"'),
        ),
        (
            '{"text": "abc", "spans": [{"token_start": 0, "token_end": 0, "label": "X"}]}',
            ('no "tokens"',),
        ),
        (
            '{"text": "abc", "tokens": [{"start": 0, "end": 3}], "spans": '
            '[{"token_start": 0, "token_end": 4, "label": "X"}]}',
            ("token_end must be the index of one of the 1 tokens",),
        ),
        (
            '{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "X", "answer": "no"}]}',
            ('"answer" must be',),
        ),
        ('{"text": "abc", "label": 5}', ("a label must be a non-empty string",)),
        ('{"text": "abc", "accept": "A"}', ('"accept" must be an array',)),
        ('{"text": "abc", "_annotator_id": 3}', ('"_annotator_id" must be a name',)),
    ],
)
def test_bad_line_names_file_and_line(
    tmp_path: Path, line: str, fragments: tuple[str, ...]
) -> None:
    path = write_lines(tmp_path / "in.jsonl", {"text": "fine"}, "", line, {"text": "fine"})
    expect_error(path, 3, *fragments)


@pytest.mark.parametrize(
    ("line", "whose", "key", "format_name"),
    [
        ('{"text": "abc", "label": [[0, 1, "X"]]}', "doccano's", "label", "doccano"),
        ('{"text": "abc", "entities": [], "relations": []}', "doccano's", "entities", "doccano"),
        (
            '{"text": "abc", "annotations": [{"annotator": "a", "status": "done"}]}',
            "annotator's own JSONL",
            "annotations",
            "jsonl",
        ),
        ('{"data": {"text": "abc"}, "predictions": []}', "Label Studio's", "data", "labelstudio"),
    ],
)
def test_another_tools_line_is_refused_with_its_format(
    tmp_path: Path, line: str, whose: str, key: str, format_name: str
) -> None:
    path = write_lines(tmp_path / "in.jsonl", {"text": "fine", "answer": "accept"}, line)
    expect_error(
        path, 2, f'in {whose} shape (it has "{key}")', "not Prodigy's", f"--format {format_name}"
    )


# --- writing ---------------------------------------------------------------------------------


def test_export_gives_tasks_db_in_takes(tmp_path: Path) -> None:
    text = "Alice met Bob in Paris."
    records = [
        DocumentRecord(
            text=text,
            title="A meeting",
            source_url="https://example.org/m",
            meta={"_input_hash": 12, "section": "world"},
            spans=[
                SpanRecord(0, 5, "PER", annotator="alice"),
                SpanRecord(17, 22, "LOC", annotator="alice", note="the city"),
                SpanRecord(10, 13, "ORG", annotator="bob", origin=Origin.REJECTED),
            ],
            layers=[
                AnnotatorLayer("alice", Status.DONE, ["news"]),
                AnnotatorLayer("bob", Status.IN_PROGRESS, []),
            ],
        ),
    ]
    target = tmp_path / "out.jsonl"
    notes = write(records, target)
    alice, bob = (json.loads(line) for line in target.read_text(encoding="utf-8").splitlines())
    assert alice["answer"] == "accept" and "answer" not in bob
    assert alice["_annotator_id"] == alice["_session_id"] == "alice"
    assert alice["spans"] == [
        {"start": 0, "end": 5, "label": "PER", "token_start": 0, "token_end": 0},
        {"start": 17, "end": 22, "label": "LOC", "token_start": 4, "token_end": 4},
    ]
    assert bob["spans"] == [
        {
            "start": 10,
            "end": 13,
            "label": "ORG",
            "token_start": 2,
            "token_end": 2,
            "answer": "reject",
        }
    ]
    assert [t["text"] for t in alice["tokens"]] == ["Alice", "met", "Bob", "in", "Paris", "."]
    assert alice["options"] == bob["options"] == [{"id": "news", "text": "news"}]
    assert (alice["accept"], bob["accept"]) == (["news"], [])
    assert alice["meta"] == {
        "_input_hash": 12,
        "section": "world",
        "title": "A meeting",
        "source_url": "https://example.org/m",
    }
    assert "_input_hash" not in alice  # Prodigy hashes the text anew
    assert notes.left_out == {"in progress statuses (Prodigy has only answers)": 1}
    assert [w.reason for w in notes.warnings] == [
        'document 1 ("A meeting"): the note on span 17-22 is not written '
        "(a Prodigy span has no place for it)"
    ]
    assert detect(target) == "prodigy"
    again, _ = read_with(prodigy, target, ReadOptions(keep_rejected=True))
    assert [(s.annotator, s.label, s.origin) for r in again for s in r.spans] == [
        ("alice", "PER", Origin.IMPORTED),
        ("alice", "LOC", Origin.IMPORTED),
        ("bob", "ORG", Origin.REJECTED),
    ]


def test_tokens_are_cut_at_span_edges_inside_words(tmp_path: Path) -> None:
    record = DocumentRecord(
        text="Hamburger-Straße 5", spans=[SpanRecord(0, 7, "CITY", annotator="a")]
    )
    target = tmp_path / "out.jsonl"
    write([record], target)
    task = json.loads(target.read_text(encoding="utf-8"))
    assert [t["text"] for t in task["tokens"]] == ["Hamburg", "er", "-", "Straße", "5"]
    assert task["spans"][0]["token_start"] == task["spans"][0]["token_end"] == 0
    assert [t["ws"] for t in task["tokens"]] == [False, False, False, True, False]


def test_round_trip_of_every_layer_with_emoji_cjk_combining_rtl_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    notes = write(documents(), target)
    assert notes.left_out == {} and notes.warnings == []
    again, notes = read_with(prodigy, target)
    assert comparable(again) == comparable(documents())
    assert notes.left_out == {} and notes.warnings == []
    write(again, tmp_path / "again.jsonl")
    assert comparable(read_all(tmp_path / "again.jsonl")) == comparable(documents())


def test_a_teach_file_read_written_and_read_again_keeps_its_answers(tmp_path: Path) -> None:
    first = read_all(FIXTURES / "ner_teach.jsonl", keep_rejected=True)
    target = tmp_path / "out.jsonl"
    notes = write(first, target)
    assert notes.left_out == {"in progress statuses (Prodigy has only answers)": 4}
    again = read_all(target, keep_rejected=True)
    expected = comparable(first)
    for entry in expected:
        entry["statuses"] = {}  # in progress has no answer in Prodigy: said above
    assert comparable(again) == expected


def test_a_failed_write_leaves_what_was_there(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("before", encoding="utf-8")

    def documents_then_failure():  # type: ignore[no-untyped-def]
        yield DocumentRecord(text="a")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        prodigy.write(documents_then_failure(), target, WriteOptions(), FileNotes())
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
