"""Which format a file is in, told by its name and then its content, as a user expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.errors import InputError
from annotator.formats.detection import detect
from tests.conftest import SAMPLES

LINES = {
    "ours.jsonl": {"text": "A", "annotations": [{"annotator": "alice", "spans": []}]},
    "doccano.jsonl": {"text": "A", "label": [[0, 1, "X"]]},
    "doccano-1x.jsonl": {"data": "A", "label": [[0, 1, "X"]]},
    "custom-keys.jsonl": {"sentence": "A", "tags": []},
    "prodigy.jsonl": {"text": "A", "spans": [], "answer": "accept"},
    "prodigy-choice.jsonl": {"text": "A", "options": [{"id": "X"}], "accept": ["X"]},
    "plain.jsonl": {"text": "A"},
}
EXPECTED = {
    "ours.jsonl": "jsonl", "doccano.jsonl": "doccano", "doccano-1x.jsonl": "doccano",
    "custom-keys.jsonl": "doccano", "prodigy.jsonl": "prodigy",
    "prodigy-choice.jsonl": "prodigy", "plain.jsonl": "jsonl",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LINES))
def test_a_json_lines_file_is_told_by_its_first_objects_keys(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(LINES[name]) + "\n", encoding="utf-8")
    assert detect(path) == EXPECTED[name]


def test_label_studio_tasks_and_a_pretty_printed_doccano_object(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.json"
    tasks.write_text(
        json.dumps([{"data": {"text": "A"}, "annotations": [{"result": []}]}], indent=2),
        encoding="utf-8",
    )
    assert detect(tasks) == "labelstudio"
    pretty = tmp_path / "relations.jsonl"
    pretty.write_text(json.dumps({"text": "A", "entities": []}, indent=2), encoding="utf-8")
    assert detect(pretty) == "doccano"


def test_text_files_are_articles_unless_their_lines_are_tokens_and_tags(tmp_path: Path) -> None:
    assert {detect(path) for path in SAMPLES.glob("*.txt")} == {"txt"}
    columns = tmp_path / "train.txt"
    columns.write_text("EU\tB-ORG\nrejects\tO\nGerman\tB-MISC\n\nPeter\tB-PER\n", encoding="utf-8")
    assert detect(columns) == "conll"
    flags = tmp_path / "eng.testa"  # flair's `token tag +/-`, the tag not last
    flags.write_text("EU B-ORG +\nrejects O -\ncall O -\n", encoding="utf-8")
    assert detect(flags) == "conll"
    prose = tmp_path / "notes.txt"
    prose.write_text(
        "The B-52 flew over I-95 at dawn.\nNobody saw it.\nO for a camera!\n", encoding="utf-8"
    )
    assert detect(prose) == "txt"


def test_a_brat_pair_is_told_by_its_ann_from_either_file(tmp_path: Path) -> None:
    text = tmp_path / "doc.txt"
    text.write_text("Kim met Lee.", encoding="utf-8")
    ann = tmp_path / "doc.ann"
    ann.write_text("T1\tPER 0 3\tKim\n", encoding="utf-8")
    assert detect(text) == detect(ann) == "brat"


def test_an_unknown_type_names_the_file_and_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(InputError, match=r"scan\.pdf: unknown file type \.pdf; use --format"):
        detect(path)


def test_webanno_tsv_is_named_for_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|value\n", encoding="utf-8")
    with pytest.raises(InputError, match="WebAnno TSV"):
        detect(path)
