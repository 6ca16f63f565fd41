"""Label Studio JSON: real exports read with every span's text checked, UTF-16 offsets
turned into code points, what is left out counted, and our export read back by Label
Studio's rules (UTF-16 slices) and by our own reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.base.errors import InputError
from annotator.cli import main
from annotator.formats import labelstudio
from annotator.formats.detection import detect
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, WriteOptions

FIXTURES = Path(__file__).parent.parent / "fixtures" / "labelstudio"
UNICODE_TASKS = FIXTURES / "unicode_tasks.json"
NER_EXAMPLE = Path("label-studio-frontend/examples/named_entity")
LEGACY_348 = Path("label-studio-converter/test/fixtures/completions/348.json")
# Emoji (astral, a ZWJ family), CJK, a combining mark, Arabic and Hebrew, CRLF.
MIXED = "😂 Ann 👨\u200d👩\u200d👧 met Bob in 東京.\r\nCafé e\u0301 and مرحبا עולם 😂 Zoë."


def read(path: Path, **options: Any) -> tuple[list[DocumentRecord], FileNotes]:
    notes = FileNotes()
    return list(labelstudio.read(path, ReadOptions(**options), notes)), notes


def write(documents: list[DocumentRecord], target: Path) -> FileNotes:
    notes = FileNotes()
    labelstudio.write(iter(documents), target, WriteOptions(), notes)
    return notes


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def units(text: str, part: str) -> tuple[int, int]:
    """Where `part` is in `text`, in UTF-16 units, as Label Studio counts."""
    start = len(text[: text.index(part)].encode("utf-16-le")) // 2
    return start, start + len(part.encode("utf-16-le")) // 2


def span_result(text: str, part: str, label: str) -> dict[str, Any]:
    start, end = units(text, part)
    return {
        "type": "labels", "from_name": "ner", "to_name": "text",
        "value": {"start": start, "end": end, "text": part, "labels": [label]},
    }  # fmt: skip


def tasks_file(tmp_path: Path, tasks: Any, name: str = "tasks.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def first_result_line(path: Path, after: int = 0) -> int:
    """The line where the first result object after line `after` starts (indent=2 JSON)."""
    lines = path.read_text("utf-8").splitlines()
    return next(n for n in range(after, len(lines)) if '"result": [' in lines[n]) + 2


def expect_error(path: Path, line: int, *fragments: str) -> None:
    with pytest.raises(InputError) as caught:
        read(path)
    assert caught.value.path == path
    assert caught.value.line == line
    message = str(caught.value)
    assert f"{path}, line {line}: " in message
    for fragment in fragments:
        assert fragment in message


def checked(document: DocumentRecord) -> None:
    for span in document.spans:
        assert span.text == document.text[span.start : span.end]


# --- Label Studio's own files ---------------------------------------------------------------


def test_predictions_are_counted_not_imported(corpora: Path) -> None:
    (document,), notes = read(corpora / NER_EXAMPLE / "tasks.json")
    assert document.text.startswith("Showers continued throughout the week")
    assert "\n\nThe dry period" in document.text
    assert document.spans == []
    assert document.layers == []
    assert document.line == 2
    assert notes.left_out == {"predictions (model suggestions)": 1}


def test_one_task_object_with_a_human_annotation(corpora: Path) -> None:
    (document,), notes = read(corpora / NER_EXAMPLE / "annotations" / "1.json")
    assert document.spans == [SpanRecord(343, 354, "Date", None, text="February 22")]
    assert document.layers == [AnnotatorLayer("", "done", [])]
    assert document.meta == {"labelstudio_task_id": 1}
    assert not notes.left_out and not notes.warnings


def test_legacy_completions_keep_every_span_as_recorded(corpora: Path) -> None:
    path = corpora / LEGACY_348
    recorded = [r["value"] for r in json.loads(path.read_text("utf-8"))["completions"][0]["result"]]
    (document,), notes = read(path)
    assert len(document.spans) == len(recorded) == 38
    checked(document)
    # In the file's order, which is not the order of the offsets.
    assert [(s.start, s.end, s.text) for s in document.spans] == [
        (v["start"], v["end"], v["text"]) for v in recorded
    ]
    assert [s.start for s in document.spans] != sorted(s.start for s in document.spans)
    assert {s.label for s in document.spans} == {"INGREDIENT"}
    # The corpora's README says 31 end in a comma; 30 do, and "1,2-Hexanediol" has one inside.
    assert sum(s.text is not None and s.text.endswith(",") for s in document.spans) == 30
    assert SpanRecord(718, 735, "INGREDIENT", text=" Polyquaternium-7") in document.spans
    assert all(s.annotator is None for s in document.spans)  # no completed_by: the importer
    assert document.layers == [AnnotatorLayer("", "done", [])]
    assert not notes.left_out and not notes.warnings


@pytest.mark.parametrize(
    "relative",
    [NER_EXAMPLE / "tasks.json", NER_EXAMPLE / "annotations" / "1.json", LEGACY_348],
)
def test_label_studio_files_are_detected(corpora: Path, relative: Path) -> None:
    assert detect(corpora / relative) == "labelstudio"


# --- our fixture: UTF-16 offsets over emoji, CJK, combining marks, RTL, CRLF ---------------


def test_utf16_offsets_become_code_points() -> None:
    (first, second), notes = read(UNICODE_TASKS)
    for document in (first, second):
        checked(document)
    text = MIXED.replace("\r\n", "\n")
    assert first.text == text
    assert (first.line, second.line) == (2, 244)
    assert first.title == "Emoji first"
    assert first.meta == {"source": "made for annotator's tests", "labelstudio_task_id": 11}

    def at(part: str, label: str, annotator: str, occurrence: int = 0) -> SpanRecord:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(part, start + 1)
        return SpanRecord(start, start + len(part), label, annotator, text=part)

    user, ana = "labelstudio-user-7", "ana@example.org"
    assert first.spans == [
        at("Bob", "PER", user), at("Ann", "PER", user), at("東京", "LOC", user),
        at("東京.\nCafé", "LOC", ana), at("e\u0301", "WORD", ana), at("مرحبا", "GREETING", ana),
        at("עולם", "WORLD", ana), at("Zoë", "PER", ana), at("😂", "EMOJI", ana, 1),
        at("👨\u200d👩\u200d👧", "FAMILY", ana),
    ]  # fmt: skip
    assert first.spans[0] == SpanRecord(16, 19, "PER", user, text="Bob")  # 😂 and the family
    assert first.layers == [AnnotatorLayer(user, "done", ["travel"]), AnnotatorLayer(ana, "done")]
    assert [(s.start, s.end, s.label) for s in second.spans] == [
        (8, 13, "WORLD"), (15, 22, "FANCY"), (5, 7, "EMOJI"),
    ]  # fmt: skip
    assert notes.left_out == {
        "cancelled annotations": 1,
        "predictions (model suggestions)": 1,
        "relations": 1,
        'results of type "textarea"': 1,
    }
    assert notes.warnings == []


def test_text_from_the_only_string_field_or_the_text_key(tmp_path: Path) -> None:
    tasks = [{"data": {"body": "Ann met Bob.", "n": 3}, "annotations": []}]
    (document,), _ = read(tasks_file(tmp_path, tasks))
    assert document.text == "Ann met Bob."
    assert document.meta == {"n": 3}
    two = [{"data": {"body": "Ann met Bob.", "other": "x"}}]
    path = tasks_file(tmp_path, two, "two.json")
    expect_error(path, 2, "task 1", 'no "text" field', "body, other", "--text-key")
    (chosen,), _ = read(path, text_key="other")
    assert (chosen.text, chosen.meta) == ("x", {"body": "Ann met Bob."})


def test_a_task_without_data_is_its_own_data(tmp_path: Path) -> None:
    (document,), _ = read(tasks_file(tmp_path, [{"text": "Plain", "id": 4, "lang": "en"}]))
    assert document.text == "Plain"
    assert document.meta == {"lang": "en", "labelstudio_task_id": 4}


def test_offsets_counted_in_code_points_are_taken_with_a_warning(tmp_path: Path) -> None:
    text = "😂 Ann"
    result = {"type": "labels", "value": {"start": 2, "end": 5, "text": "Ann", "labels": ["P"]}}
    path = tasks_file(tmp_path, [{"data": {"text": text}, "annotations": [{"result": [result]}]}])
    (document,), notes = read(path)
    assert document.spans == [SpanRecord(2, 5, "P", None, text="Ann")]
    (warning,) = notes.warnings
    assert warning.line == 2
    assert "code points, not UTF-16 units" in str(warning)


# --- errors name the file, the line where the task starts, and the task ---------------------


def test_a_span_whose_text_differs_names_its_task_and_line(tmp_path: Path) -> None:
    good = {"data": {"text": "Ann met Bob."}, "annotations": []}
    bad_result = span_result("Ann met Bob.", "Bob", "PER")
    bad_result["value"]["text"] = "Rob"
    bad = {"data": {"text": "Ann met Bob."}, "annotations": [{"result": [bad_result]}]}
    path = tasks_file(tmp_path, [good, bad])
    task_line = path.read_text("utf-8").splitlines().index("  {", 2) + 1
    line = first_result_line(path, after=task_line)
    assert line > task_line + 3
    expect_error(path, line, "task 2", "annotations[0].result[0]", '"Rob"', '"Bob"')


def test_the_line_named_is_the_wrong_result_s_own(tmp_path: Path) -> None:
    lines = UNICODE_TASKS.read_text("utf-8").splitlines()
    wrong = next(n for n, line in enumerate(lines) if '"text": "Zoë"' in line)
    lines[wrong] = lines[wrong].replace("Zoë", "Zoe")
    path = tmp_path / "wrong.json"
    path.write_text("\n".join(lines), "utf-8")
    opening = next(n for n in range(wrong, 0, -1) if lines[n] == "          {") + 1
    expect_error(path, opening, "task 1", "annotations[1].result[4]", '"Zoe"', '"Zoë"')


def test_a_task_without_text_is_an_error(tmp_path: Path) -> None:
    path = tasks_file(tmp_path, [{"data": {"image": 3}}])
    expect_error(path, 2, "task 1", "no text")
    empty = tasks_file(tmp_path, [{"data": {"text": "  "}}], "empty.json")
    expect_error(empty, 2, "task 1", "empty")


def test_an_offset_inside_an_emoji_is_an_error(tmp_path: Path) -> None:
    result = {"type": "labels", "value": {"start": 1, "end": 3, "labels": ["X"]}}
    path = tasks_file(
        tmp_path, [{"data": {"text": "😂 Ann"}, "annotations": [{"result": [result]}]}]
    )
    expect_error(path, first_result_line(path), "cuts a character outside the BMP in two")


def test_offsets_past_the_text_are_an_error(tmp_path: Path) -> None:
    result = {"type": "labels", "value": {"start": 0, "end": 9, "labels": ["X"]}}
    path = tasks_file(
        tmp_path, [{"data": {"text": "😂 Ann"}, "annotations": [{"result": [result]}]}]
    )
    expect_error(
        path, first_result_line(path), "span 0-9 is not inside the text, which has 6 UTF-16 units"
    )


def test_broken_json_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"data": {"text": "a"}},\n  {"data": {"text": "b"}\n]\n', "utf-8")
    expect_error(path, 4, "not valid JSON")
    trailing = tmp_path / "trailing.json"
    trailing.write_text('[{"data": {"text": "a"}}]\n\n{}\n', "utf-8")
    expect_error(trailing, 3, "more after the end")
    scalar = tmp_path / "scalar.json"
    scalar.write_text('\n"text"\n', "utf-8")
    expect_error(scalar, 2, "JSON array of tasks")


# --- writing -------------------------------------------------------------------------------


def layered_document() -> DocumentRecord:
    text = MIXED.replace("\r\n", "\n")

    def span(part: str, label: str, annotator: str, **extra: Any) -> SpanRecord:
        start = text.index(part)
        return SpanRecord(start, start + len(part), label, annotator, text=part, **extra)

    return DocumentRecord(
        text=text,
        title="Mixed",
        meta={"source": "tests", "title": "a metadata key that clashes"},
        spans=[
            span("Ann", "PER", "ana@example.org", note="first name only"),
            span("👨\u200d👩\u200d👧", "FAMILY", "ana@example.org"),
            span("東京.\nCafé", "LOC", "labelstudio-user-7"),
            span("東京", "LOC", "labelstudio-user-7"),
            span("e\u0301", "WORD", "tester"),
            span("مرحبا", "GREETING", "tester"),
            span("עולם", "WORLD", "tester"),
            span("Zoë", "PER", "tester", origin="suggested"),
            span("Bob", "ORG", "tester", origin="rejected"),
        ],
        layers=[
            AnnotatorLayer("ana@example.org", "done", ["travel"]),
            AnnotatorLayer("labelstudio-user-7", "in_progress", []),
            AnnotatorLayer("tester", "done", ["news", "travel"]),
            AnnotatorLayer("nobody", "todo", []),
        ],
    )


def test_written_offsets_are_utf16_units_as_label_studio_reads_them(tmp_path: Path) -> None:
    document = layered_document()
    target = tmp_path / "export.json"
    notes = write([document], target)
    (task,) = json.loads(target.read_text("utf-8"))
    assert task["data"]["text"] == document.text
    assert task["data"]["title"] == "Mixed"
    assert task["data"]["meta"] == {"title": "a metadata key that clashes"}
    results = [r for a in task["annotations"] for r in a["result"]]
    results += [r for p in task["predictions"] for r in p["result"]]
    spans = [r for r in results if r["type"] == "labels"]
    assert len(spans) == 8
    for result in spans:
        value = result["value"]
        assert value["text"] == utf16_slice(document.text, value["start"], value["end"])
        assert (result["from_name"], result["to_name"]) == ("label", "text")
    family = next(r["value"] for r in spans if r["value"]["labels"] == ["FAMILY"])
    assert (family["start"], family["end"]) == (7, 15)  # 😂 is two units, the family eight
    by_name = {a["annotator"]: a for a in task["annotations"]}
    assert set(by_name) == {"ana@example.org", "labelstudio-user-7", "tester"}  # not "nobody"
    # Label Studio refuses a whole file naming users it does not know: nobody is named.
    assert all("completed_by" not in a for a in task["annotations"])
    assert by_name["labelstudio-user-7"]["status"] == "in_progress"
    choices = [r for r in by_name["tester"]["result"] if r["type"] == "choices"]
    assert choices == [
        {"id": "r4", "from_name": "category", "to_name": "text", "type": "choices",
         "value": {"choices": ["news", "travel"]}},
    ]  # fmt: skip
    assert [r["value"]["labels"] for r in task["predictions"][0]["result"]] == [["PER"]]
    assert notes.left_out == {"rejected spans (Label Studio keeps no refusals)": 1}
    (warning,) = notes.warnings
    assert "gives every annotation to the person who imports the file" in str(warning)
    assert "3 annotators" in str(warning)
    config = (tmp_path / "export.config.xml").read_text("utf-8")
    assert '<Labels name="label" toName="text">' in config
    for label in ("PER", "FAMILY", "LOC", "WORD", "GREETING", "WORLD"):
        assert f'<Label value="{label}"/>' in config
    assert '<Choice value="news"/>' in config and '<Choice value="travel"/>' in config


def test_round_trip_keeps_every_layer(tmp_path: Path) -> None:
    document = layered_document()
    target = tmp_path / "export.json"
    write([document], target)
    (back,), notes = read(target)
    kept = [s for s in document.spans if s.origin == "imported"]
    key = lambda s: (s.annotator, s.start, s.end, s.label)  # noqa: E731
    assert sorted(map(key, back.spans)) == sorted(map(key, kept))
    assert {(s.start, s.label): s.note for s in back.spans}[(2, "PER")] == "first name only"
    assert back.text == document.text
    assert back.title == document.title
    assert back.meta == document.meta
    assert back.layers == [
        AnnotatorLayer("ana@example.org", "done", ["travel"]),
        AnnotatorLayer("labelstudio-user-7", "in_progress", []),
        AnnotatorLayer("tester", "done", ["news", "travel"]),
    ]
    assert notes.left_out == {"predictions (model suggestions)": 1}
    # Written again, the file is the same but for the suggestion (and so the results' ids).
    again = tmp_path / "again.json"
    write([back], again)
    first, second = (json.loads(p.read_text("utf-8")) for p in (target, again))
    first[0].pop("predictions")
    for tasks in (first, second):
        for annotation in tasks[0]["annotations"]:
            for result in annotation["result"]:
                result.pop("id")
    assert first == second


def test_a_failed_export_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_text("previous", "utf-8")

    def documents() -> Any:
        yield layered_document()
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        labelstudio.write(documents(), target, WriteOptions(), FileNotes())
    assert target.read_text("utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]


def test_an_empty_export_is_an_empty_list(tmp_path: Path) -> None:
    target = tmp_path / "none.json"
    write([], target)
    assert json.loads(target.read_text("utf-8")) == []


# --- the command line, on SQLite and PostgreSQL --------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_and_export_through_the_command_line(
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
    corpora: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", "tester")
    code, out, err = run(
        capsys, "import", str(UNICODE_TASKS), str(corpora / LEGACY_348),
        "--project", "P", "--db", database_url,
    )  # fmt: skip
    assert code == 0, err
    assert "unicode_tasks.json (labelstudio, detected): 2 new document(s), 13 span(s)" in out
    assert "348.json (labelstudio, detected): 1 new document(s), 38 span(s)" in out
    assert "left out 1 predictions (model suggestions)" in out
    assert "left out 1 cancelled annotations" in out

    output = tmp_path / "out.json"
    code, out, err = run(
        capsys, "export", "--project", "P", "--format", "labelstudio", "-o", str(output),
        "--db", database_url,
    )  # fmt: skip
    assert code == 0, err
    assert f"wrote 3 document(s) to {output}" in out
    tasks = json.loads(output.read_text("utf-8"))
    spans = [
        (task["data"]["text"], r["value"])
        for task in tasks
        for a in task["annotations"]
        for r in a["result"]
        if r["type"] == "labels"
    ]
    assert len(spans) == 13 + 38
    for text, value in spans:
        assert value["text"] == utf16_slice(text, value["start"], value["end"])
    annotators = {a["annotator"] for task in tasks for a in task["annotations"]}
    assert annotators == {"ana@example.org", "labelstudio-user-7", "tester"}
    assert (tmp_path / "out.config.xml").is_file()

    code, out, err = run(
        capsys, "import", str(output), "--project", "Again", "--db", database_url
    )  # fmt: skip
    assert code == 0, err
    assert "3 new document(s), 51 span(s)" in out
