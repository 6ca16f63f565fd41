"""Suggestions are proposals in the annotator's own layer: never annotations until accepted,
each decision one undoable step, and a rejected one never proposed again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.errors import UserError
from annotator.base.vocabulary import Origin, Status, SuggestionSource
from annotator.core.corpus import Corpus
from annotator.core.exporting import ExportFilter, export_project
from annotator.core.importing import import_paths
from annotator.core.suggestions import Suggestion, store
from annotator.core.suggestions.corpus_forms import corpus_suggester, labelled_forms

TEXTS = [
    "Kim Jong Un met Kim in Seoul. Seoul-based analysts agreed.",
    "In Seoul, Kim Jong Un spoke. Kimchi sold well in Busan.",
]


@pytest.fixture
def news(corpus: Corpus, tmp_path: Path) -> tuple[int, list[int]]:
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), encoding="utf-8")
    assert import_paths(corpus, [source], project="news", format_name="jsonl").ok
    project_id = corpus.project_id("news")
    corpus.add_label(project_id, "PER", hotkey="1")
    corpus.add_label(project_id, "LOC", hotkey="2")
    return project_id, [row.id for row in corpus.documents(project_id)]


def _labels(corpus: Corpus, project_id: int) -> dict[str, int]:
    return {label.name: label.id for label in corpus.labels(project_id) if label.id}


def test_corpus_source_proposes_other_occurrences_whole_words_longest_first(
    corpus: Corpus, news: tuple[int, list[int]]
) -> None:
    project_id, (first, second) = news
    labels = _labels(corpus, project_id)
    corpus.add_span(first, labels["PER"], 0, 11)  # Kim Jong Un
    corpus.add_span(first, labels["PER"], 16, 19)  # Kim
    corpus.add_span(first, labels["LOC"], 23, 28)  # Seoul
    assert sorted(labelled_forms(corpus, project_id)) == [
        ("Kim", "PER"), ("Kim Jong Un", "PER"), ("Seoul", "LOC"),
    ]  # fmt: skip

    report = store.propose(corpus, project_id, [corpus_suggester(corpus, project_id)])

    found = {(s.start, s.end, TEXTS[1][s.start : s.end]) for s in store.pending(corpus, second)}
    # "Kim Jong Un" whole rather than "Kim"; "Kimchi" is not the word "Kim".
    assert found == {(3, 8, "Seoul"), (10, 21, "Kim Jong Un")}
    [seoul_again] = store.pending(corpus, first)
    assert TEXTS[0][seoul_again.start : seoul_again.end] == "Seoul"  # "Seoul-based"
    assert seoul_again.source == SuggestionSource.CORPUS
    assert report.total == 3 and report.already_there == 3  # the three made by hand
    # Suggestions are not annotations.
    assert [(s.start, s.end) for s in corpus.spans(second)] == []
    assert corpus.documents(project_id)[1].spans == 0


def test_accept_reject_undo_and_remembered_rejections(
    corpus: Corpus, news: tuple[int, list[int]], tmp_path: Path
) -> None:
    project_id, (_, second) = news
    labels = _labels(corpus, project_id)
    found = {second: [Suggestion(3, 8, "LOC", "patterns"), Suggestion(10, 21, "PER", "model", 0.9)]}
    store.write_suggestions(corpus, project_id, found)
    seoul, kim = store.pending(corpus, second)

    [accepted] = store.accept(corpus, [kim.id], label_id=labels["LOC"])
    assert accepted.after is not None and accepted.after["origin"] == Origin.ACCEPTED
    assert [(s.start, s.end, s.label_id, s.origin) for s in corpus.spans(second)] == [
        (10, 21, labels["LOC"], Origin.ACCEPTED)
    ]
    assert corpus.document_row(second).status == Status.IN_PROGRESS
    corpus.revert_all([accepted])
    assert [s.id for s in store.pending(corpus, second)] == [seoul.id, kim.id]
    assert corpus.spans(second) == []

    [rejected] = store.reject(corpus, [seoul.id])
    with pytest.raises(UserError, match="already been decided"):
        store.accept(corpus, [seoul.id])
    # A rejected suggestion is not proposed again, and not exported.
    again = store.write_suggestions(corpus, project_id, found)
    assert again.total == 0 and again.already_there == 2
    output = tmp_path / "out.jsonl"
    export_project(corpus, project_id, format_name="jsonl", output=output, chosen=ExportFilter())
    assert "Seoul" not in {
        s["text"]
        for line in output.read_text().splitlines()
        for layer in json.loads(line)["annotations"]
        for s in layer["spans"]
    }
    store.accept(corpus, [kim.id])
    export_project(
        corpus, project_id, format_name="jsonl", output=output,
        chosen=ExportFilter(origins=(Origin.SUGGESTED.value,)),
    )  # fmt: skip
    del rejected


def test_suggestions_go_only_where_the_layer_is_free(
    corpus: Corpus, news: tuple[int, list[int]]
) -> None:
    project_id, (first, _) = news
    labels = _labels(corpus, project_id)
    corpus.add_span(first, labels["PER"], 0, 3)
    report = store.write_suggestions(
        corpus, project_id,
        {first: [Suggestion(0, 11, "PER", "corpus"), Suggestion(16, 19, "ORG", "patterns"),
                 Suggestion(23, 28, "LOC", "corpus")]},
    )  # fmt: skip
    assert report.already_there == 1 and report.unknown_labels == {"ORG": 1}
    assert [(s.start, s.end) for s in store.pending(corpus, first)] == [(23, 28)]
    with pytest.raises(UserError, match="outside"):
        store.write_suggestions(corpus, project_id, {first: [Suggestion(50, 90, "LOC", "x")]})
    assert store.clear(corpus, project_id) == 1
    assert store.pending(corpus, first) == []


def test_agreement_with_and_without_accepted_suggestions(
    corpus: Corpus, news: tuple[int, list[int]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Two annotators agree on Kim only because both accepted the same suggestion: the
    agreement counts it by default and leaves it out when asked."""
    from annotator.cli import main
    from annotator.core.agreement import compute_report, load_project

    project_id, (first, _) = news
    for name in ("alice", "bob"):
        person = Corpus(corpus.engine, annotator=name)
        labels = _labels(person, project_id)
        person.add_span(first, labels["LOC"], 23, 28)
        store.write_suggestions(person, project_id, {first: [Suggestion(16, 19, "PER", "corpus")]})
        store.accept(person, [s.id for s in store.pending(person, first)])

    def exact(origins: tuple[str, ...]) -> tuple[int, int, int]:
        [pair] = compute_report(load_project(corpus, project_id, origins=origins)).pairs
        return pair.exact.agreed, pair.exact.a_count, pair.exact.b_count

    assert exact(store.counted_origins()) == (2, 2, 2)
    assert exact(store.counted_origins(with_accepted=False)) == (1, 1, 1)
    url = str(corpus.engine.url.render_as_string(hide_password=False))
    for flag, agreed in (([], 2), (["--without-suggestions"], 1)):
        assert main(["--db", url, "agreement", "--project", "news", "--json", *flag]) == 0
        [pair] = json.loads(capsys.readouterr().out)["pairs"]
        assert pair["exact_f1"]["overall"]["agreed"] == agreed, pair["exact_f1"]


def test_a_span_relabelled_onto_a_suggestion_or_refusal_settles_it(
    corpus: Corpus, news: tuple[int, list[int]]
) -> None:
    """The layer holds one row per label and place: a person's relabel onto a pending or
    rejected suggestion there replaces it; onto another annotation it is refused."""
    project_id, (first, _second) = news
    labels = _labels(corpus, project_id)
    store.write_suggestions(
        corpus, project_id, {first: [Suggestion(23, 28, "LOC", "corpus")]}
    )  # Seoul as LOC, proposed
    seoul = corpus.add_span(first, labels["PER"], 23, 28).after
    assert seoul is not None
    corpus.relabel_span(seoul["id"], labels["LOC"])
    rows = {(s.start, s.end, s.origin, s.label_id) for s in corpus.spans(first, origins=ALL)}
    assert rows == {(23, 28, Origin.MANUAL.value, labels["LOC"])}

    # A refusal at the place: the relabel onto it settles it too.
    store.write_suggestions(corpus, project_id, {first: [Suggestion(0, 3, "PER", "corpus")]})
    [proposal] = store.pending(corpus, first)
    store.reject(corpus, [proposal.id])
    kim = corpus.add_span(first, labels["LOC"], 0, 3).after
    assert kim is not None
    corpus.relabel_span(kim["id"], labels["PER"])
    rows = {(s.start, s.end, s.origin, s.label_id) for s in corpus.spans(first, origins=ALL)}
    assert (0, 3, Origin.MANUAL.value, labels["PER"]) in rows
    assert (0, 3, Origin.REJECTED.value, labels["PER"]) not in rows

    # Another annotation there: a clear refusal, nothing changed, and the next action works.
    corpus.add_span(first, labels["LOC"], 0, 3)
    with pytest.raises(UserError, match="already labelled 'LOC'"):
        corpus.relabel_span(kim["id"], labels["LOC"])
    assert corpus.add_span(first, labels["PER"], 4, 8).after is not None
    rows = {(s.start, s.end, s.label_id) for s in corpus.spans(first)}
    assert rows == {
        (23, 28, labels["LOC"]), (0, 3, labels["PER"]), (0, 3, labels["LOC"]),
        (4, 8, labels["PER"]),
    }  # fmt: skip


ALL = tuple(origin.value for origin in Origin)


def test_a_run_stopped_part_way_keeps_what_it_proposed_and_says_so(
    corpus: Corpus, news: tuple[int, list[int]]
) -> None:
    project_id, (first, second) = news
    labels = _labels(corpus, project_id)
    corpus.add_span(first, labels["LOC"], 23, 28)  # Seoul
    seen: list[tuple[int, int]] = []

    def stop_after_one(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 1

    report = store.propose(
        corpus, project_id, [corpus_suggester(corpus, project_id)], progress=stop_after_one
    )
    assert seen == [(1, 2)]
    assert report.stopped_after == (1, 2)
    assert report.sentences()[-1] == "Stopped after 1 of 2 documents, as asked."
    assert [TEXTS[0][s.start : s.end] for s in store.pending(corpus, first)] == ["Seoul"]
    assert store.pending(corpus, second) == []
    # A new run goes on where it stopped.
    store.propose(corpus, project_id, [corpus_suggester(corpus, project_id)])
    assert [TEXTS[1][s.start : s.end] for s in store.pending(corpus, second)] == ["Seoul"]
