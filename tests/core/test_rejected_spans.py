"""Spans someone rejected are kept apart: never drawn, counted, compared, reviewed or exported
as annotations, and a person who marks the same place makes it theirs."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.base.vocabulary import Origin
from annotator.core.agreement import compute_report, load_project
from annotator.core.corpus import Corpus
from annotator.core.exporting import ExportFilter, export_project
from annotator.core.importing import import_paths

TEXT = "Kim met Lee in Seoul."


def _import(corpus: Corpus, tmp_path: Path) -> int:
    layers = [
        {
            "annotator": name,
            "status": "done",
            "spans": [
                {"start": 0, "end": 3, "label": "PER"},
                {"start": 15, "end": 20, "label": "LOC", "origin": Origin.REJECTED},
            ],
        }
        for name in ("alice", "bob")
    ]
    source = tmp_path / "layers.jsonl"
    source.write_text(json.dumps({"text": TEXT, "annotations": layers}) + "\n", encoding="utf-8")
    report = import_paths(corpus, [source], project="news", format_name="jsonl")
    assert report.ok, report.summary()
    assert report.spans == 4
    return corpus.project_id("news")


def _exported(corpus: Corpus, project_id: int, path: Path, chosen: ExportFilter) -> list[str]:
    export_project(corpus, project_id, format_name="jsonl", output=path, chosen=chosen)
    [document] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(
        f"{layer['annotator']}:{span['label']}:{span['origin']}"
        for layer in document["annotations"]
        for span in layer["spans"]
    )


def test_rejected_spans_are_not_annotations_anywhere(corpus: Corpus, tmp_path: Path) -> None:
    project_id = _import(corpus, tmp_path)
    [document] = corpus.documents(project_id)
    alice = Corpus(corpus.engine, annotator="alice")

    assert [(s.start, s.end) for s in alice.spans(document.id)] == [(0, 3)]
    assert [(s.start, s.end) for s in alice.span_view(document.id)] == [(0, 3)]
    assert alice.documents(project_id)[0].spans == 1
    assert corpus.stats(project_id)["labels"] == {"PER": 2}

    report = compute_report(load_project(corpus, project_id))
    [pair] = report.pairs
    assert (pair.exact.agreed, pair.exact.a_count, pair.exact.b_count) == (1, 1, 1)

    assert _exported(corpus, project_id, tmp_path / "out.jsonl", ExportFilter()) == [
        "alice:PER:imported", "bob:PER:imported",
    ]  # fmt: skip
    kept = ExportFilter(origins=(Origin.REJECTED,))
    assert _exported(corpus, project_id, tmp_path / "all.jsonl", kept) == [
        "alice:LOC:rejected", "alice:PER:imported", "bob:LOC:rejected", "bob:PER:imported",
    ]  # fmt: skip


def test_marking_a_rejected_place_makes_the_span_a_persons_own_and_undo_gives_it_back(
    corpus: Corpus, tmp_path: Path
) -> None:
    project_id = _import(corpus, tmp_path)
    [document] = corpus.documents(project_id)
    alice = Corpus(corpus.engine, annotator="alice")
    [location] = [label for label in alice.labels(project_id) if label.name == "LOC"]

    change = alice.add_span(document.id, location.id, 15, 20)

    assert [(s.label_id, s.origin) for s in alice.spans(document.id) if s.start == 15] == [
        (location.id, Origin.MANUAL)
    ]
    alice.revert(change)
    assert [(s.start, s.end) for s in alice.spans(document.id)] == [(0, 3)]
    kept = ExportFilter(annotators=("alice",), origins=(Origin.REJECTED,))
    assert _exported(corpus, project_id, tmp_path / "back.jsonl", kept) == [
        "alice:LOC:rejected", "alice:PER:imported",
    ]  # fmt: skip
