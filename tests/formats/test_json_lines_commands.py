"""doccano and Prodigy files through the `annotator` command, as a user runs it, on each backend:
import, export, import the export again, and the same spans, labels and statuses come back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.formats import jsonl
from annotator.formats.detection import detect
from annotator.formats.registry import FileNotes, ReadOptions
from tests.formats.json_samples import FAMILY, RAW_TEXT, write_lines

FIXTURES = Path(__file__).parent.parent / "fixtures"
WORDS = ["😂", FAMILY, "東京", "Cafe\u0301", "مرحبا", "שלום", "there.\r\nEnd"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def exported_layers(
    capsys: pytest.CaptureFixture[str], database_url: str, project: str, target: Path
) -> list[dict[str, Any]]:
    """A project as our own JSONL holds it: by text, every layer's spans, labels and status."""
    code, _, err = run(capsys, "export", "--project", project, "--format", "jsonl",
                       "--output", str(target), "--db", database_url)  # fmt: skip
    assert code == 0, err
    documents = []
    for record in jsonl.read(target, ReadOptions(), FileNotes()):
        layers = {
            layer.annotator: (
                layer.status,
                sorted(layer.document_labels),
                sorted(
                    (s.start, s.end, s.label, record.text[s.start : s.end], s.origin)
                    for s in record.spans
                    if s.annotator == layer.annotator
                ),
            )
            for layer in record.layers
        }
        documents.append({"text": record.text, "layers": layers})
    return sorted(documents, key=lambda document: document["text"])


def round_trip(
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
    source: Path,
    format_name: str,
    *extra: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Import `source` (its format detected), export the project in the format, import the
    export into a second project; both projects as our JSONL, and the first import's output."""
    code, imported, err = run(capsys, "import", str(source), "--project", "first",
                              "--db", database_url, *extra)  # fmt: skip
    assert code == 0, err
    assert f"({format_name}, detected)" in imported
    export = tmp_path / f"out.{format_name}.jsonl"
    code, _, err = run(capsys, "export", "--project", "first", "--format", format_name,
                         "--output", str(export), "--db", database_url)  # fmt: skip
    assert code == 0, err
    assert detect(export) == format_name
    code, _, err = run(capsys, "import", str(export), "--project", "second",
                       "--db", database_url)  # fmt: skip
    assert code == 0, err
    first = exported_layers(capsys, database_url, "first", tmp_path / "first.jsonl")
    second = exported_layers(capsys, database_url, "second", tmp_path / "second.jsonl")
    return first, second, imported


def test_doccano_import_export_import_keeps_spans_labels_and_layers(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    label = [[RAW_TEXT.index(w), RAW_TEXT.index(w) + len(w), "W"] for w in WORDS]
    source = write_lines(
        tmp_path / "doccano.jsonl",
        {"id": 1, "text": RAW_TEXT, "label": label},
        {"id": 2, "text": "A match report 第二.", "label": [[15, 17, "CJK"]]},
        {"id": 3, "text": "Ada wrote.", "annotations": [
            {"label_name": "PER", "start_offset": 0, "end_offset": 3, "user": "maria"},
            {"label_name": "letters", "user": "maria"}]},
        {"id": 4, "text": "   "},
        {"id": 5, "text": "Google hired Page.", "entities": [
            {"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
            {"id": 1, "start_offset": 13, "end_offset": 17, "label": "PER"}],
         "relations": [{"from_id": 0, "to_id": 1, "type": "hired"}]},
    )  # fmt: skip
    first, second, imported = round_trip(capsys, database_url, tmp_path, source, "doccano")
    assert "left out 1 relations" in imported
    assert "line 4: blank example skipped" in imported
    assert first == second
    texts = {document["text"]: document["layers"] for document in first}
    assert len(texts) == 4
    surfaces = [span[3] for span in texts[RAW_TEXT.replace("\r\n", "\n")]["tester"][2]]
    assert sorted(surfaces) == sorted(w.replace("\r\n", "\n") for w in WORDS)
    assert texts["Ada wrote."] == {"maria": (None, ["letters"], [(0, 3, "PER", "Ada", "imported")])}


def test_prodigy_import_export_import_keeps_accepted_work_and_statuses(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    text = "Alice met Bob in 東京 😂."
    spans = [{"start": 0, "end": 5, "label": "PER"}, {"start": 17, "end": 19, "label": "LOC"},
             {"start": 10, "end": 13, "label": "ORG", "answer": "reject"}]  # fmt: skip
    source = write_lines(
        tmp_path / "prodigy.jsonl",
        {"text": text, "spans": spans, "answer": "accept", "_annotator_id": "ds-alice",
         "_view_id": "ner_manual", "_input_hash": 1, "_task_hash": 2},
        {"text": text, "spans": spans[:1], "answer": "accept", "_annotator_id": "ds-bob"},
        {"text": "Nothing to mark, שלום.", "spans": [], "answer": "accept",
         "_session_id": "ds-bob"},
        {"text": "Rates rise\r\nagain", "options": [{"id": "FIN"}, {"id": "POL"}],
         "accept": ["FIN"], "answer": "accept", "_annotator_id": "ds-carol"},
        {"text": "A skipped one.", "spans": [{"start": 2, "end": 9, "label": "X"}],
         "answer": "ignore", "_annotator_id": "ds-bob"},
    )  # fmt: skip
    first, second, imported = round_trip(capsys, database_url, tmp_path, source, "prodigy")
    assert "left out 1 ignored answers" in imported and "left out 1 rejected answers" in imported
    assert first == second
    texts = {document["text"]: document["layers"] for document in first}
    assert texts[text] == {
        "ds-alice": (
            "done",
            [],
            [(0, 5, "PER", "Alice", "imported"), (17, 19, "LOC", "東京", "imported")],
        ),
        "ds-bob": ("done", [], [(0, 5, "PER", "Alice", "imported")]),
    }
    assert texts["Nothing to mark, שלום."] == {"ds-bob": ("done", [], [])}
    assert texts["Rates rise\nagain"] == {"ds-carol": ("done", ["FIN"], [])}
    assert texts["A skipped one."] == {}


def test_a_ner_teach_file_keeps_rejected_suggestions_only_when_asked(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    source = FIXTURES / "prodigy" / "ner_teach.jsonl"
    code, out, err = run(capsys, "import", str(source), "--project", "teach",
                         "--db", database_url)  # fmt: skip
    assert code == 0, err
    assert "left out 6 rejected answers" in out and "left out 2 ignored answers" in out
    assert "line 7: blank task skipped" in out
    documents = exported_layers(capsys, database_url, "teach", tmp_path / "a.jsonl")
    spans = [s for d in documents for layer in d["layers"].values() for s in layer[2]]
    assert sorted(s[3] for s in spans) == ["Angela Merkel", "Apple", "London", "San Francisco"]
    assert {layer[0] for d in documents for layer in d["layers"].values()} == {"in_progress"}

    code, out, err = run(capsys, "import", str(source), "--project", "kept", "--keep-rejected",
                         "--db", database_url)  # fmt: skip
    assert code == 0, err
    target = tmp_path / "kept.jsonl"
    code, _, err = run(capsys, "export", "--project", "kept", "--format", "jsonl", "--origin",
                       "rejected", "--output", str(target), "--db", database_url)  # fmt: skip
    assert code == 0, err
    origins = [
        span["origin"]
        for line in target.read_text(encoding="utf-8").splitlines()
        for layer in json.loads(line)["annotations"]
        for span in layer["spans"]
    ]
    assert sorted(origins) == ["imported"] * 4 + ["rejected"] * 6


@pytest.mark.parametrize("shape", ["doccano", "prodigy"])
def test_format_jsonl_on_another_tools_file_is_a_clear_error_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path, shape: str
) -> None:
    line = (
        {"text": "EU rejects German lamb.", "label": [[0, 2, "ORG"]]}
        if shape == "doccano"
        else {"text": "EU rejects German lamb.", "spans": [], "answer": "reject"}
    )
    source = write_lines(tmp_path / "theirs.jsonl", line)
    code, _, err = run(capsys, "import", str(source), "--format", "jsonl", "--project", "P",
                       "--db", database_url)  # fmt: skip
    assert code == 1
    whose = {"doccano": "doccano's", "prodigy": "Prodigy's"}[shape]
    assert f"{source}, line 1: this line is in {whose} shape" in err
    assert f"import it with --format {shape}" in err
    code, out, _ = run(capsys, "projects", "--db", database_url)
    assert code == 0 and "P" not in out.split()


@pytest.mark.corpora
def test_detection_picks_doccano_and_prodigy_for_their_files(corpora: Path) -> None:
    doccano = corpora / "doccano/backend"
    for path in (
        doccano / "data_export/pipeline/examples/sequence_labeling/example.jsonl",
        doccano / "data_export/pipeline/examples/relation_extraction/example.jsonl",
        doccano / "data_import/pipeline/examples/sequence_labeling/example.jsonl",
        corpora / "flair/tests/resources/tasks/jsonl/train.jsonl",
        FIXTURES / "doccano" / "doccano1_annotations.jsonl",
        FIXTURES / "doccano" / "intent_and_slots.jsonl",
        FIXTURES / "doccano" / "pretty_array.json",
    ):
        assert detect(path) == "doccano", path
    assert detect(FIXTURES / "prodigy" / "ner_teach.jsonl") == "prodigy"
