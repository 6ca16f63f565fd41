"""The one span matcher: maximum matchings, its tiers, and the review list counting what the
agreement report counts."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.base.vocabulary import ItemKind, LabelKind
from annotator.core import agreement as ag
from annotator.core import matching as mt
from annotator.core import review as rv
from annotator.core.agreement import AgreementData, AgreementDocument
from annotator.core.corpus import Corpus
from annotator.core.review import SpanRef
from tests.core.conftest import add_document

Span = tuple[int, int, str]

# The example where pairing greedily by the largest overlap leaves a pair out: (70, 84)
# overlaps (68, 83) most and takes it, and (67, 71) has nothing else to overlap.
B = [(67, 71, "X"), (70, 84, "X")]
C = [(68, 83, "X"), (72, 84, "X")]


def _overlap(x: Span, y: Span) -> int:
    return min(x[1], y[1]) - max(x[0], y[0])


def _greedy_size(a: list[Span], b: list[Span]) -> int:
    """Pairs of the old rule: same label, largest overlap first, while both are free."""
    candidates = sorted(
        (-_overlap(x, y), i, j)
        for i, x in enumerate(a)
        for j, y in enumerate(b)
        if x[2] == y[2] and _overlap(x, y) > 0
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(used_a)


def _maximum_size(a: list[Span], b: list[Span]) -> int:
    """The largest number of one-to-one same-label overlapping pairs, by trying them all."""

    def best(i: int, used: frozenset[int]) -> int:
        if i == len(a):
            return 0
        found = best(i + 1, used)
        for j, y in enumerate(b):
            if j not in used and a[i][2] == y[2] and _overlap(a[i], y) > 0:
                found = max(found, 1 + best(i + 1, used | {j}))
        return found

    return best(0, frozenset())


def _report(a: list[Span], b: list[Span], labels: tuple[str, ...] = ()) -> ag.PairAgreement:
    length = max([s[1] for s in (*a, *b)], default=0) + 1
    document = AgreementDocument(1, "x" * length, {"a": a, "b": b})
    return ag.compute_report(AgreementData(("a", "b"), (document,), labels)).pair("a", "b")


LABEL_IDS = {"PER": 1, "LOC": 2, "ORG": 3, "X": 4}


def _refs(spans: list[Span], first_id: int) -> list[SpanRef]:
    return [
        SpanRef(first_id + k, start, end, LABEL_IDS[label], label, "t", "x")
        for k, (start, end, label) in enumerate(spans)
    ]


# -- maximum matching -------------------------------------------------------------------------


def test_overlap_f1_pairs_by_a_maximum_matching() -> None:
    assert _greedy_size(B, C) == 1  # what the old greedy pairing found
    assert mt.match_spans(B, C) == [(0, 0), (1, 1)]
    pair = _report(B, C)
    assert pair.overlap.agreed == 2
    assert pair.overlap.f1 == 1.0
    assert pair.exact.agreed == 0
    # The review pairs them alike: two boundary items, nothing left alone.
    kinds = [kind for kind, _, _ in rv.match_spans(_refs(B, 1), _refs(C, 10))]
    assert kinds == [ItemKind.BOUNDARY, ItemKind.BOUNDARY]


def test_among_maximum_matchings_the_larger_overlap_then_identical_spans_win() -> None:
    assert mt.match_spans([(0, 10, "X")], [(0, 4, "X"), (3, 10, "X")]) == [(0, 1)]
    assert mt.match_spans([(0, 6, "X"), (5, 12, "X")], [(4, 8, "X")]) == [(1, 0)]
    # identical spans come first for overlap F1, even against a larger overlap
    assert mt.match_spans([(0, 4, "X"), (0, 20, "X")], [(0, 4, "X")]) == [(0, 0)]
    # the maximum is kept even where it costs the larger overlap: (0, 9) and (8, 20)
    # would overlap most, but then (0, 3) would stay alone
    assert mt.match_spans([(0, 9, "X"), (10, 20, "X")], [(0, 3, "X"), (8, 20, "X")]) == [
        (0, 0),
        (1, 1),
    ]
    assert mt.match_spans([(0, 6, "X")], [(0, 5, "X")], mode="exact") == []
    with pytest.raises(ValueError, match="mode"):
        mt.match_spans([], [], mode="fuzzy")


def test_a_long_chain_is_matched_in_full() -> None:
    """Each A overlaps the B before it most, so greedy pairing leaves the first A and the
    last B alone; only the 50 pairs with the smaller overlap pair everything."""
    a = [(10 * k, 10 * k + 6, "X") for k in range(50)]
    b = [(10 * k + 5, 10 * k + 14, "X") for k in range(50)]
    assert _greedy_size(a, b) == 49
    assert mt.match_spans(a, b) == [(k, k) for k in range(50)]
    assert _report(a, b).overlap.f1 == 1.0


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 5, "X")], [(0, 5, "X")], [(ItemKind.AGREE, 0, 0)]),
        ([(0, 5, "X")], [(0, 5, "Y")], [(ItemKind.LABEL, 0, 0)]),
        ([(0, 5, "X")], [(3, 9, "X")], [(ItemKind.BOUNDARY, 0, 0)]),
        ([(0, 5, "X")], [(3, 9, "Y")], [(ItemKind.LABEL, 0, 0)]),
        # same offsets under another label come before an overlap with the same label
        (
            [(0, 5, "X")],
            [(0, 7, "X"), (0, 5, "Y")],
            [(ItemKind.LABEL, 0, 1), (ItemKind.ONLY_B, None, 0)],
        ),
        # identical spans pair first, even where that leaves two same-label spans alone
        (
            [(0, 10, "X"), (5, 15, "X")],
            [(0, 10, "X"), (0, 3, "X")],
            [(ItemKind.AGREE, 0, 0), (ItemKind.ONLY_A, 1, None), (ItemKind.ONLY_B, None, 1)],
        ),
        ([], [(1, 2, "X")], [(ItemKind.ONLY_B, None, 0)]),
    ],
)
def test_the_tiers(a: list[Span], b: list[Span], expected: list[tuple[ItemKind, int, int]]) -> None:
    assert [tuple(pair) for pair in mt.pair_spans(a, b)] == expected


def test_identical_spans_paired_first_can_cost_overlap_matches() -> None:
    """The one case the invariants allow: overlap F1 finds more pairs than the items."""
    a, b = [(0, 10, "X"), (5, 15, "X")], [(0, 10, "X"), (0, 3, "X")]
    pair = _report(a, b)
    assert pair.overlap.agreed == 2
    assert pair.exact.agreed == 1
    assert pair.confusion.count("X", "X") == 1


_layer = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 10), st.sampled_from(("X", "Y"))).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=7,
)


@settings(max_examples=300, deadline=None)
@given(a=_layer, b=_layer)
def test_maximum_matching_is_at_least_greedy_and_uses_each_span_once(
    a: list[Span], b: list[Span]
) -> None:
    pairs = mt.match_spans(a, b)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(a[i][2] == b[j][2] and _overlap(a[i], b[j]) > 0 for i, j in pairs)
    assert len(pairs) >= _greedy_size(a, b)
    assert len(pairs) == _maximum_size(a, b)
    # blind to which layer is which
    assert sorted((i, j) for j, i in mt.match_spans(b, a)) == pairs
    assert sorted((i, j) for j, i in mt.match_spans(b, a, mode="any")) == mt.match_spans(
        a, b, mode="any"
    )
    # the tiered pairing places every span exactly once
    placed = mt.pair_spans(a, b)
    assert sorted(p.a for p in placed if p.a is not None) == list(range(len(a)))
    assert sorted(p.b for p in placed if p.b is not None) == list(range(len(b)))


# -- the review list against the agreement report -------------------------------------------


def _random_layer(rng: random.Random, *, apart: bool = False) -> list[Span]:
    spans: set[Span] = set()
    for _ in range(rng.randrange(25)):
        start = rng.randrange(80)
        spans.add((start, start + rng.randrange(1, 9), rng.choice(("PER", "LOC", "ORG"))))
    if apart:  # no two spans of one layer overlap
        kept: list[Span] = []
        for span in sorted(spans):
            if not kept or kept[-1][1] <= span[0]:
                kept.append(span)
        return kept
    return sorted(spans)


def _check_counts(a: list[Span], b: list[Span]) -> tuple[Counter[ItemKind], ag.PairAgreement]:
    """The invariants the matcher's docstring states, on one pair of layers."""
    rng = random.Random(len(a) * 31 + len(b))
    a_refs, b_refs = _refs(a, 1), _refs(b, 1000)
    rng.shuffle(a_refs)  # row order does not matter
    items = Counter(kind for kind, _, _ in rv.match_spans(a_refs, b_refs))
    pair = _report(a, b, ("LOC", "ORG", "PER"))
    counts = pair.confusion.counts
    spans = counts[:-1, :-1]
    assert items[ItemKind.AGREE] == pair.exact.agreed
    assert int(np.trace(spans)) == items[ItemKind.AGREE] + items[ItemKind.BOUNDARY]
    assert int(spans.sum() - np.trace(spans)) == items[ItemKind.LABEL]
    assert int(counts[:-1, -1].sum()) == items[ItemKind.ONLY_A]
    assert int(counts[-1, :-1].sum()) == items[ItemKind.ONLY_B]
    assert pair.overlap.agreed >= items[ItemKind.AGREE] + items[ItemKind.BOUNDARY]
    return items, pair


@pytest.mark.parametrize("seed", range(40))
def test_review_items_count_what_the_agreement_report_counts(seed: int) -> None:
    rng = random.Random(seed)
    _check_counts(_random_layer(rng), _random_layer(rng))


@pytest.mark.parametrize("seed", range(40))
def test_without_nesting_or_relabelled_offsets_overlap_matches_are_the_items(seed: int) -> None:
    rng = random.Random(seed)
    a = _random_layer(rng, apart=True)
    offsets = {(s, e): label for s, e, label in a}
    b = [s for s in _random_layer(rng, apart=True) if offsets.get(s[:2], s[2]) == s[2]]
    items, pair = _check_counts(a, b)
    assert pair.overlap.agreed == items[ItemKind.AGREE] + items[ItemKind.BOUNDARY]


def test_the_dashboard_and_the_review_list_agree_on_a_project(corpus: Corpus) -> None:
    project_id = corpus.create_project("counts").id
    assert project_id is not None
    # Positions not in name order, so the report's label order is not the names' order.
    labels = {}
    for name in ("PER", "ORG", "LOC"):
        labels[name] = corpus.add_label(project_id, name, kind=LabelKind.SPAN).entity_id
    text = "".join(random.Random(5).choice("abc de") for _ in range(120))
    document_id = add_document(corpus, project_id, text, title="one")
    rng = random.Random(11)
    for who in ("alice", "bob"):
        layer = Corpus(corpus.engine, annotator=who)
        for start, end, label in _random_layer(rng):
            layer.add_span(document_id, labels[label], start, end)
    items = Counter(item.kind for item in rv.compare_layers(corpus, document_id, "alice", "bob"))
    pair = ag.compute_report(ag.load_project(corpus, project_id)).pair("alice", "bob")
    counts = pair.confusion.counts
    assert items[ItemKind.AGREE] == pair.exact.agreed
    assert int(np.trace(counts[:-1, :-1])) == items[ItemKind.AGREE] + items[ItemKind.BOUNDARY]
    assert int(counts[:-1, :-1].sum() - np.trace(counts[:-1, :-1])) == items[ItemKind.LABEL]
    assert int(counts[:-1, -1].sum()) == items[ItemKind.ONLY_A]
    assert int(counts[-1, :-1].sum()) == items[ItemKind.ONLY_B]
    assert sum(items.values()) > 10
