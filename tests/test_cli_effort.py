"""Time and effort outside the window: `annotator stats` and the JSONL export carry it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.effort import Effort, add_effort, clock_time
from tests.test_cli import run


@pytest.fixture
def worked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    """Two documents; alice worked on both in the window, bob on the first only."""
    db = str(tmp_path / "corpus.db")
    source = tmp_path / "work.jsonl"
    span = {"start": 0, "end": 3, "label": "PER"}
    lines = [{"text": "Ada Lovelace met Charles Babbage.", "spans": [span]}, {"text": "Paris."}]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, out, _ = run(capsys, "import", str(source), "--project", "news", "--db", db)
    assert code == 0, out
    for name, efforts in {
        "alice": [Effort(3600 + 125.4, 300, 10), Effort(60.0, 20, 2)],
        "bob": [Effort(90.0, 7, 0)],
    }.items():
        corpus = Corpus.open(db, annotator=name)
        try:
            project_id = corpus.project_id("news")
            ids = [document.id for document in corpus.documents(project_id)]
            for document_id, effort in zip(ids, efforts, strict=False):
                assert document_id is not None
                add_effort(corpus, document_id, effort)
        finally:
            corpus.close()
    return db


def test_clock_time_is_hours_minutes_seconds() -> None:
    assert clock_time(0) == "0:00:00"
    assert clock_time(59.6) == "0:01:00"
    assert clock_time(3600 + 125.4) == "1:02:05"
    assert clock_time(90_000) == "25:00:00"


def test_stats_shows_active_time_keystrokes_and_spans_per_minute(
    capsys: pytest.CaptureFixture[str], worked: str
) -> None:
    code, out, err = run(capsys, "stats", "--project", "news", "--db", worked)
    assert code == 0 and err == ""
    rows = [line.split() for line in out.splitlines()]
    assert ["annotator", "active", "keystrokes", "spans/min"] in rows
    # alice: 3785.4 s and 12 spans, 12 / 63.09 min; bob made none
    assert ["alice", "1:03:05", "320", "0.19"] in rows
    assert ["bob", "0:01:30", "7", "0.00"] in rows

    code, out, _ = run(capsys, "stats", "--project", "news", "--json", "--db", worked)
    assert code == 0
    assert json.loads(out)["effort"] == {
        "alice": {
            "active_seconds": 3785.4, "keystrokes": 320, "spans_made": 12,
            "spans_per_minute": 0.19,
        },
        "bob": {"active_seconds": 90.0, "keystrokes": 7, "spans_made": 0, "spans_per_minute": 0.0},
    }  # fmt: skip


def test_stats_without_effort_leaves_the_table_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "empty.db")
    source = tmp_path / "one.txt"
    source.write_text("Nothing done yet.", encoding="utf-8")
    assert run(capsys, "import", str(source), "--project", "news", "--db", db)[0] == 0
    code, out, _ = run(capsys, "stats", "--project", "news", "--db", db)
    assert code == 0 and "keystrokes" not in out
    code, out, _ = run(capsys, "stats", "--project", "news", "--db", db, "--json")
    assert "effort" not in json.loads(out)


def test_jsonl_export_carries_effort_per_annotator_and_imports_again(
    capsys: pytest.CaptureFixture[str], worked: str, tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    code, out, _ = run(
        capsys, "export", "--project", "news", "--format", "jsonl", "-o", str(output),
        "--db", worked,
    )  # fmt: skip
    assert code == 0, out
    documents = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    first, second = ({a["annotator"]: a for a in d["annotations"]} for d in documents)
    assert first["alice"]["effort"] == {
        "active_seconds": 3725.4, "keystrokes": 300, "spans_made": 10,
    }  # fmt: skip
    assert first["bob"]["effort"] == {"active_seconds": 90.0, "keystrokes": 7, "spans_made": 0}
    assert second["alice"]["effort"] == {"active_seconds": 60.0, "keystrokes": 20, "spans_made": 2}
    assert "bob" not in second  # effort alone on a document is no layer of it
    tester = first["tester"]  # the importer's layer, never in the window: no effort key
    assert "effort" not in tester and tester["spans"]

    again = str(tmp_path / "again.db")
    code, out, err = run(
        capsys, "import", str(output), "--project", "news", "--db", again, "--format", "jsonl"
    )
    assert code == 0, out + err
    assert "imported 2 document(s)" in out
    code, out, _ = run(capsys, "stats", "--project", "news", "--db", again, "--json")
    stats = json.loads(out)
    assert stats["annotators"]["tester"]["spans"] == 1
    assert "effort" not in stats  # an export's effort is a record, not work in this database


def test_other_formats_get_no_layer_from_effort_alone(
    capsys: pytest.CaptureFixture[str], worked: str
) -> None:
    from annotator.core.exporting import document_records

    corpus = Corpus.open(worked, annotator="tester")
    try:
        with corpus.engine.connect() as connection:
            records = list(document_records(connection, corpus.project_id("news")))
    finally:
        corpus.close()
    assert [[layer.annotator for layer in record.layers] for record in records] == [
        ["tester"],
        [],
    ]
