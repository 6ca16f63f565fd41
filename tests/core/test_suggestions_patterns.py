"""Pattern files read as spaCy's EntityRuler and gazetteers read them, at the size of a
real gazetteer, and precision/recall/F1 of a source against the gold layer."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from annotator.base.errors import InputError
from annotator.base.vocabulary import Origin, Status
from annotator.core.corpus import Corpus
from annotator.core.importing import import_paths
from annotator.core.models import span_t, utc_now
from annotator.core.review.storage import _gold_id
from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.evaluation import evaluate
from annotator.core.suggestions.patterns import load_patterns


def test_a_gazetteer_of_100000_entries_loads_and_matches(tmp_path: Path) -> None:
    gazetteer = tmp_path / "TOWN.txt"
    gazetteer.write_text("".join(f"Town{number:06d}\n" for number in range(100_000)))
    source = load_patterns([gazetteer])
    assert source.size == 100_000
    text = "From Town000000 to Town099999 via Town050000x and Town1234567."
    found = [(text[s.start : s.end], s.label, s.source) for s in source.suggest(text)]
    # Whole words only: "Town050000x" and "Town1234567" are other words.
    assert found == [("Town000000", "TOWN", "patterns"), ("Town099999", "TOWN", "patterns")]


def test_gazetteer_lines_may_name_their_label_and_case_may_be_ignored(tmp_path: Path) -> None:
    gazetteer = tmp_path / "PER.txt"
    gazetteer.write_text("\ufeffAda Lovelace\n\nnew york\tLOC\nNew York City\tLOC\n")
    text = "ada lovelace flew to New York City, then to New York."
    exact = load_patterns([gazetteer]).suggest(text)
    assert [(text[s.start : s.end], s.label) for s in exact] == [("New York City", "LOC")]
    loose = load_patterns([gazetteer], case_sensitive=False).suggest(text)
    assert [(text[s.start : s.end], s.label) for s in loose] == [
        ("ada lovelace", "PER"), ("New York City", "LOC"), ("New York", "LOC"),
    ]  # fmt: skip


def test_entity_ruler_phrases_and_token_patterns_together_longest_first(tmp_path: Path) -> None:
    ruler = tmp_path / "ruler.jsonl"
    entries: list[dict[str, Any]] = [
        {"label": "GPE", "pattern": "San Francisco"},
        {"label": "ORG", "pattern": [{"LOWER": w} for w in ("san", "francisco", "giants")]},
        {"label": "NUM", "pattern": [{"IS_DIGIT": True}]},
    ]  # fmt: skip
    ruler.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    source = load_patterns([ruler])
    text = "The San Francisco Giants won 3 games in San Francisco."
    assert source.suggest(text) == [
        Suggestion(4, 24, "ORG", "patterns"),
        Suggestion(29, 30, "NUM", "patterns"),
        Suggestion(40, 53, "GPE", "patterns"),
    ]


def test_token_patterns_without_spacy_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ruler = tmp_path / "ruler.jsonl"
    ruler.write_text(
        '{"label": "A", "pattern": "x"}\n{"label": "B", "pattern": [{"LOWER": "y"}]}\n'
    )
    real_import = builtins.__import__

    def no_spacy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    with pytest.raises(InputError, match=r"install annotator\[spacy\]") as caught:
        load_patterns([ruler])
    assert caught.value.path == ruler and caught.value.line == 2


def test_an_invalid_token_pattern_is_located(tmp_path: Path) -> None:
    ruler = tmp_path / "ruler.jsonl"
    ruler.write_text('{"label": "B", "pattern": [{"NO_SUCH_ATTRIBUTE": "y"}]}\n')
    with pytest.raises(InputError, match="not a valid token pattern") as caught:
        load_patterns([ruler])
    assert caught.value.path == ruler and caught.value.line == 1


def test_evaluation_prefers_the_gold_layer(corpus: Corpus, tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    texts = ["Paris and Rome.", "Rome, not Paris.", "Oslo."]
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    assert import_paths(corpus, [source], project="news", format_name="jsonl").ok
    project_id = corpus.project_id("news")
    corpus.add_label(project_id, "LOC", hotkey="1")
    [label_id] = [label.id for label in corpus.labels(project_id) if label.id]
    first, second, third = (row.id for row in corpus.documents(project_id))
    gazetteer = tmp_path / "LOC.txt"
    gazetteer.write_text("Paris\nOslo\n")
    patterns = load_patterns([gazetteer])

    corpus.add_span(third, label_id, 0, 4)  # Oslo, done by the annotator
    corpus.set_status(third, Status.DONE)
    own = evaluate(corpus, project_id, [patterns])
    assert own.documents == 1 and own.overall.tp == 1 and own.overall.fp == 0

    # Paris and Rome, then Paris: as review decisions write the gold layer.
    with corpus.action() as session:
        gold = _gold_id(session)
        for document_id, start, end in ((first, 0, 5), (first, 10, 14), (second, 10, 15)):
            now = utc_now()
            session.execute(
                insert(span_t).values(
                    document_id=document_id, annotator_id=gold, label_id=label_id, start=start,
                    end=end, text="", origin=Origin.MANUAL.value, created_at=now, updated_at=now,
                )
            )  # fmt: skip
    result = evaluate(corpus, project_id, [patterns])
    assert result.reference == "the gold layer" and result.documents == 2
    score = result.by_label[("patterns", "LOC")]
    assert (score.tp, score.fp, score.fn) == (2, 0, 1)
    assert (score.precision, score.recall) == (1.0, 2 / 3)
    assert score.f1 == pytest.approx(0.8)
