"""Every span label gets a key 1-9, however it was made, so labelling starts at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.base.errors import UserError
from annotator.base.vocabulary import LabelKind
from annotator.core.corpus import Corpus
from annotator.core.importing import import_paths
from annotator.core.labelling import next_free_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def keys(corpus: Corpus, project: str) -> list[tuple[str, str, str | None]]:
    project_id = corpus.project_id(project)
    return [(label.kind, label.name, label.hotkey) for label in corpus.labels(project_id)]


def test_the_next_free_key_fills_gaps_and_stops_after_nine() -> None:
    assert next_free_key([]) == "1"
    assert next_free_key(["1", None, "3"]) == "2"
    assert next_free_key([str(n) for n in range(1, 10)]) is None


def test_an_import_into_a_new_project_keys_its_span_labels_in_order(corpus: Corpus) -> None:
    report = import_paths(corpus, [FIXTURES / "doccano" / "intent_and_slots.jsonl"], project="new")
    assert report.ok
    assert keys(corpus, "new") == [
        ("span", "CITY", "1"), ("span", "PEOPLE", "2"),
        ("document", "booking", None), ("document", "weather", None),
    ]  # fmt: skip


def test_an_import_takes_the_keys_left_free(corpus: Corpus) -> None:
    project_id = corpus.create_project("mixed").id
    assert project_id is not None
    corpus.add_label(project_id, "Person", hotkey="1")
    corpus.add_label(project_id, "Other", hotkey="2")
    import_paths(corpus, [FIXTURES / "doccano" / "intent_and_slots.jsonl"], project="mixed")
    assert [(name, key) for kind, name, key in keys(corpus, "mixed") if kind == "span"] == [
        ("Person", "1"), ("Other", "2"), ("CITY", "3"), ("PEOPLE", "4"),
    ]  # fmt: skip


def test_a_tenth_span_label_gets_no_key_and_an_explicit_none_stays_none(corpus: Corpus) -> None:
    project_id = corpus.create_project("many").id
    assert project_id is not None
    corpus.add_label(project_id, "Quiet", auto_hotkey=False)
    for n in range(10):
        corpus.add_label(project_id, f"L{n}")
    corpus.add_label(project_id, "Topic", kind=LabelKind.DOCUMENT)
    found = {name: key for _, name, key in keys(corpus, "many")}
    assert found["Quiet"] is None
    assert [found[f"L{n}"] for n in range(10)] == [*"123456789", None]
    assert found["Topic"] is None


def test_a_bad_colour_is_refused_in_words(corpus: Corpus) -> None:
    project_id = corpus.create_project("colours").id
    assert project_id is not None
    with pytest.raises(UserError, match="#RRGGBB"):
        corpus.add_label(project_id, "Red", color="red")


def test_a_merged_label_whose_key_is_taken_here_takes_the_next_free_one(
    corpus: Corpus, tmp_path: Path
) -> None:
    from annotator.core.merging import merge_database

    other_path = tmp_path / "other.db"
    with Corpus.open(str(other_path), annotator="bob") as other:
        other_id = other.create_project("news").id
        assert other_id is not None
        other.add_label(other_id, "Vehicle", hotkey="1")
        other.add_label(other_id, "Plain", auto_hotkey=False)
    project_id = corpus.create_project("news").id
    assert project_id is not None
    corpus.add_label(project_id, "Person", hotkey="1")
    merge_database(corpus, other_path)
    assert [(name, key) for _, name, key in keys(corpus, "news")] == [
        ("Person", "1"), ("Vehicle", "2"), ("Plain", "3"),
    ]  # fmt: skip
