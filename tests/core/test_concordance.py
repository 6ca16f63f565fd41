"""Corpus search: occurrences in context with every layer's labels, and labelling a list
of them as one undoable action."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from annotator.base.errors import UserError
from annotator.base.vocabulary import GOLD, Origin
from annotator.core import history
from annotator.core.concordance import compile_pattern, label_hits, relabelled, search
from annotator.core.corpus import Corpus
from annotator.core.models import annotator_t, span_t
from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.store import write_suggestions
from tests.core.conftest import Seeded, add_document


def _gold_span(corpus: Corpus, document_id: int, label_id: int, start: int, end: int) -> None:
    """A span in the reviewed layer, as review writes it."""
    with corpus.engine.begin() as connection:
        gold = connection.execute(
            select(annotator_t.c.id).where(annotator_t.c.name == GOLD)
        ).first()
        gold_id = (
            gold.id
            if gold is not None
            else connection.execute(insert(annotator_t).values(name=GOLD)).inserted_primary_key[0]
        )
        text = corpus.document(document_id).text
        connection.execute(
            insert(span_t).values(
                document_id=document_id, annotator_id=gold_id, label_id=label_id,
                start=start, end=end, text=text[start:end], origin=Origin.MANUAL.value,
            )
        )  # fmt: skip


def test_hits_carry_code_point_offsets_context_on_one_line_and_every_layer(seeded: Seeded) -> None:
    corpus, text = seeded.corpus, seeded.text
    london = text.index("London")
    corpus.add_span(seeded.document_id, seeded.place, london, london + 6)
    bob = Corpus(corpus.engine, annotator="bob")
    bob.add_span(seeded.document_id, seeded.person, london, london + 6)
    _gold_span(corpus, seeded.document_id, seeded.place, london, london + 6)
    write_suggestions(
        corpus, seeded.project_id, {seeded.document_id: [Suggestion(0, 3, "PER", "corpus")]}
    )

    found = search(corpus.engine, seeded.project_id, "in", whole_word=True, width=10)
    assert [(hit.start, hit.end) for hit in found.hits] == [
        (match.start(), match.end())
        for match in compile_pattern("in", whole_word=True).finditer(text)
    ]
    assert all(text[hit.start : hit.end] == "in" for hit in found.hits)
    after_flag = found.hits[1]  # "🇬🇧 in 1833.\nשלום": astral characters before it, a newline after
    assert after_flag.start == text.index("🇬🇧") + 3
    assert after_flag.right == " 1833. שלו" and "\n" not in after_flag.right
    assert len(after_flag.left) == 10

    (place,) = search(corpus.engine, seeded.project_id, "london", ignore_case=True).hits
    assert (place.start, place.end, place.match) == (london, london + 6, "London")
    # People by name, gold last; a pending suggestion is not a label.
    assert place.labels == {"alice": ("LOC",), "bob": ("PER",), GOLD: ("LOC",)}
    assert place.labels_text() == "alice: LOC · bob: PER · gold: LOC"
    (ada,) = search(corpus.engine, seeded.project_id, "Ada").hits
    assert ada.labels == {}


def test_regex_case_and_word_options(seeded: Seeded) -> None:
    engine, project = seeded.corpus.engine, seeded.project_id
    assert [h.match for h in search(engine, project, r"[A-Z]\w+ [A-Z]\w+", regex=True).hits] == [
        "Ada Lovelace", "Charles Babbage",
    ]  # fmt: skip
    assert search(engine, project, "ada").hits == []
    assert len(search(engine, project, "ada", ignore_case=True).hits) == 1
    assert len(search(engine, project, "e", whole_word=True).hits) == 0  # only "é" as e + accent
    assert [h.match for h in search(engine, project, "e\u0301", whole_word=True).hits] == [
        "e\u0301"
    ]
    assert search(engine, project, "x*", regex=True).hits == []  # empty matches are not hits
    pairs = add_document(seeded.corpus, project, "xa a a; ab abab", "pairs")
    found = search(engine, project, "a a", whole_word=True).hits
    assert [(hit.document_id, hit.start) for hit in found] == [(pairs, 3)]  # after "xa a", refused
    both = search(engine, project, r"a|ab", regex=True, whole_word=True).hits
    assert [(h.match, h.start) for h in both if h.document_id == pairs] == [
        ("a", 3), ("a", 5), ("ab", 8),
    ]  # fmt: skip
    assert search(engine, project, "a.b", ignore_case=True).hits == []  # literal, not a pattern


def test_a_bad_regex_or_empty_search_is_a_clear_error(seeded: Seeded) -> None:
    with pytest.raises(
        UserError, match=r"bad regular expression '\(Ada': missing \), .*position 0"
    ):
        search(seeded.corpus.engine, seeded.project_id, "(Ada", regex=True)
    with pytest.raises(UserError, match="type something"):
        search(seeded.corpus.engine, seeded.project_id, "")


def test_the_search_streams_documents_and_stops_at_the_limit(seeded: Seeded) -> None:
    corpus = seeded.corpus
    for number in range(7):
        add_document(corpus, seeded.project_id, f"doc {number}: cat and cat", title=f"d{number}")
    seen: list[int] = []
    everything = search(corpus.engine, seeded.project_id, "cat", batch=3, progress=seen.append)
    assert len(everything.hits) == 14 and not everything.capped
    assert seen == [3, 6, 8] and everything.documents == 8
    assert [hit.title for hit in everything.hits[:3]] == ["d0", "d0", "d1"]
    capped = search(corpus.engine, seeded.project_id, "cat", batch=3, limit=5)
    assert len(capped.hits) == 5 and capped.capped
    assert "stopped at the limit of 5" in capped.summary()
    exact = search(corpus.engine, seeded.project_id, "cat", limit=14)
    assert len(exact.hits) == 14 and not exact.capped


def test_labelling_hits_is_one_step_skipping_overlaps(seeded: Seeded) -> None:
    corpus = seeded.corpus
    other = add_document(corpus, seeded.project_id, "in the morning, in 🎉 the evening", "second")
    hits = search(corpus.engine, seeded.project_id, "in", whole_word=True).hits
    first_in = hits[0]
    corpus.add_span(first_in.document_id, seeded.person, first_in.start - 4, first_in.end)
    done = label_hits(corpus, hits, seeded.place)
    assert done.skipped == 1 and len(done.changes) == len(hits) - 1
    assert (
        done.sentence("LOC")
        == f"Labelled {len(hits) - 1} matches LOC; skipped 1 overlapping a span already there"
    )
    mine = {(span.document_id, span.start, span.end) for span in corpus.all_spans(other)}
    assert (other, 16, 18) in mine
    fresh = relabelled(corpus.engine, hits)
    assert fresh[0].labels == {"alice": ("PER",)}
    assert all(hit.labels == {"alice": ("LOC",)} for hit in fresh[1:])
    assert corpus.document_row(other).status == "in_progress"

    undo, _redo = history.stacks(corpus, documents_only=True)
    assert len(undo[-1].ids) == len(hits) - 1  # one step holds every span
    corpus.undo_last(documents_only=True)
    assert all(hit.labels == {} for hit in relabelled(corpus.engine, hits[1:]))
    corpus.redo_last(documents_only=True)
    assert len(corpus.all_spans(other)) == 2

    again = label_hits(corpus, hits, seeded.person)  # all taken now: nothing changes
    assert again.changes == [] and again.skipped == len(hits)


def test_a_suggestion_at_the_place_is_no_obstacle(seeded: Seeded) -> None:
    corpus = seeded.corpus
    write_suggestions(
        corpus, seeded.project_id, {seeded.document_id: [Suggestion(0, 3, "LOC", "corpus")]}
    )
    (ada,) = search(corpus.engine, seeded.project_id, "Ada").hits
    done = label_hits(corpus, [ada], seeded.place)
    assert done.skipped == 0 and len(done.changes) == 1
    (span,) = corpus.all_spans(seeded.document_id)
    assert (span.start, span.end, span.origin) == (0, 3, Origin.MANUAL.value)


def test_labelling_with_another_projects_label_changes_nothing(seeded: Seeded) -> None:
    corpus = seeded.corpus
    other = corpus.create_project("other")
    assert other.id is not None
    foreign = corpus.add_label(other.id, "ORG").entity_id
    assert foreign is not None
    hits = search(corpus.engine, seeded.project_id, "in").hits
    with pytest.raises(UserError, match="not a span label of this document's project"):
        label_hits(corpus, hits, foreign)
    assert corpus.all_spans(seeded.document_id) == []
    with pytest.raises(UserError, match="no span label"):
        label_hits(corpus, hits, seeded.topic)
