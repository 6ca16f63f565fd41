"""Work moving between machines: JSONL per annotator, and merging whole databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

from annotator.base.vocabulary import LabelKind, Status
from annotator.core.corpus import Corpus
from annotator.core.exporting import ExportFilter, export_project
from annotator.core.importing import import_paths
from annotator.core.merging import merge_database
from tests.conftest import Databases

SHARED = ["Seoul summoned Russia's ambassador on Friday.", "Kim Jong Un met Putin in Pyongyang."]


def _machine(url: str, annotator: str, texts: list[str], folder: Path) -> Corpus:
    """A machine with the shared project, some documents and the usual labels."""
    corpus = Corpus.open(url, annotator=annotator)
    project_id = corpus.ensure_project("news").id
    if texts:
        source = folder / f"{annotator}-texts.jsonl"
        source.write_text("".join(f'{{"text": "{t}"}}\n' for t in texts), encoding="utf-8")
        assert import_paths(corpus, [source], project="news").ok
    labels = {label.name for label in corpus.labels(project_id)}
    if "LOC" not in labels:
        corpus.add_label(project_id, "LOC", hotkey="1", color="#59a14f")
        corpus.add_label(project_id, "PER", hotkey="2")
        corpus.add_label(project_id, "Politics", kind=LabelKind.DOCUMENT)
    return corpus


def _label(corpus: Corpus, name: str) -> int:
    project_id = corpus.project("news").id
    return next(lb.id for lb in corpus.labels(project_id) if lb.name == name)


def _document(corpus: Corpus, text: str) -> int:
    project_id = corpus.project("news").id
    return next(r.id for r in corpus.documents(project_id) if corpus.document(r.id).text == text)


def _annotate_as_alice(corpus: Corpus) -> None:
    first = _document(corpus, SHARED[0])
    corpus.add_span(first, _label(corpus, "LOC"), 0, 5, note="capital")
    corpus.add_span(first, _label(corpus, "LOC"), 15, 21)
    corpus.set_document_label(first, _label(corpus, "Politics"), True)
    corpus.set_status(first, Status.DONE)


def _layer(corpus: Corpus, annotator: str) -> dict[str, object]:
    """Everything of one annotator's layer, keyed by document text (ids differ per machine)."""
    project_id = corpus.project("news").id
    names = {lb.id: lb.name for lb in corpus.labels(project_id)}
    layer: dict[str, object] = {}
    for row in corpus.documents(project_id, annotator=annotator):
        text = corpus.document(row.id).text
        spans = sorted((names[s.label_id], s.start, s.end, s.note, s.origin)
                       for s in corpus.spans(row.id, annotator=annotator))  # fmt: skip
        labels = sorted(names[i] for i in corpus.document_labels(row.id, annotator=annotator))
        layer[text] = (spans, labels, row.status)
    return layer


def test_an_annotator_layer_travels_as_jsonl_and_twice_adds_nothing(
    tmp_path: Path, databases: Databases
) -> None:
    with _machine(databases.new("alice"), "alice", SHARED, tmp_path) as alice:
        _annotate_as_alice(alice)
        out = tmp_path / "alice-layer.jsonl"
        export_project(alice, alice.project("news").id, format_name="jsonl", output=out,
                       chosen=ExportFilter(annotators=("alice",)))  # fmt: skip
        expected = _layer(alice, "alice")
    lead_texts = [SHARED[1], "A document only the lead has."]
    with _machine(databases.new("lead"), "lead", lead_texts, tmp_path) as lead:
        first = import_paths(lead, [out], project="news")
        assert first.ok and first.documents == 1  # SHARED[0] was only on alice's side
        assert _layer(lead, "alice") == {**expected, lead_texts[1]: ([], [], "todo")}
        second = import_paths(lead, [out], project="news")
        assert (second.documents, second.spans, second.document_labels, second.statuses) == (
            0, 0, 0, 0
        )  # fmt: skip
        assert second.spans_already_present == 2
        assert _layer(lead, "alice")[SHARED[0]] == expected[SHARED[0]]
        assert _layer(lead, "lead")[SHARED[0]] == ([], [], "todo")  # the lead's own layer


def test_a_status_that_moved_on_elsewhere_comes_along_but_never_back(
    tmp_path: Path, databases: Databases
) -> None:
    with _machine(databases.new("alice"), "alice", SHARED, tmp_path) as alice:
        first = _document(alice, SHARED[0])
        alice.set_status(first, Status.IN_PROGRESS)
        early = tmp_path / "early.jsonl"
        export_project(alice, alice.project("news").id, format_name="jsonl", output=early)
        alice.set_status(first, Status.DONE)
        late = tmp_path / "late.jsonl"
        export_project(alice, alice.project("news").id, format_name="jsonl", output=late)
    with _machine(databases.new("lead"), "lead", [], tmp_path) as lead:
        import_paths(lead, [early], project="news")
        assert _layer(lead, "alice")[SHARED[0]][2] == "in_progress"
        assert import_paths(lead, [late], project="news").statuses == 1
        assert _layer(lead, "alice")[SHARED[0]][2] == "done"
        import_paths(lead, [early], project="news")
        assert _layer(lead, "alice")[SHARED[0]][2] == "done"


def test_merge_pulls_every_layer_and_twice_adds_nothing(tmp_path: Path, database_url: str) -> None:
    other_path = tmp_path / "alice.db"  # what is merged in is always a SQLite file
    with _machine(str(other_path), "alice", SHARED, tmp_path) as alice:
        _annotate_as_alice(alice)
        bob_view = Corpus(alice.engine, annotator="bob")
        bob_view.add_span(_document(alice, SHARED[1]), _label(alice, "PER"), 0, 11)
        alice_layer, bob_layer = _layer(alice, "alice"), _layer(alice, "bob")
        colours = {lb.name: lb.color for lb in alice.labels(alice.project("news").id)}
    before = hashlib.sha256(other_path.read_bytes()).hexdigest()
    lead_only = "Only on the lead's machine."
    with Corpus.open(database_url, annotator="lead") as lead:
        source = tmp_path / "lead.txt"
        source.write_text(lead_only, encoding="utf-8")
        import_paths(lead, [source], project="news")
        reports = merge_database(lead, other_path)
        assert reports["news"].documents == 2 and reports["news"].spans == 3
        assert {k: v for k, v in _layer(lead, "alice").items() if k in SHARED} == alice_layer
        assert {k: v for k, v in _layer(lead, "bob").items() if k in SHARED} == bob_layer
        assert lead_only in _layer(lead, "lead")
        merged_colours = {lb.name: lb.color for lb in lead.labels(lead.project("news").id)}
        assert {k: merged_colours[k] for k in colours} == colours
        again = merge_database(lead, other_path)["news"]
        assert (again.documents, again.spans, again.document_labels, again.statuses) == (
            0, 0, 0, 0
        )  # fmt: skip
    assert hashlib.sha256(other_path.read_bytes()).hexdigest() == before


def test_merge_refuses_a_file_that_is_not_a_database(tmp_path: Path, database_url: str) -> None:
    import pytest

    from annotator.base.errors import UserError

    bogus = tmp_path / "notes.db"
    bogus.write_text("just some notes", encoding="utf-8")
    with Corpus.open(database_url) as lead, pytest.raises(UserError, match=r"notes\.db"):
        merge_database(lead, bogus)
    with Corpus.open(database_url) as lead, pytest.raises(UserError, match="no such"):
        merge_database(lead, tmp_path / "missing.db")
