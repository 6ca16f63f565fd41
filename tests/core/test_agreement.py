"""Inter-annotator agreement: cases worked by hand, published worked examples, the reference
implementations (scikit-learn, krippendorff) on random data, the loader on a real database,
and bratiaa's published reports on its own brat projects."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotator.base.errors import UserError
from annotator.base.vocabulary import GOLD, LabelKind, Status
from annotator.core import agreement as ag
from annotator.core.agreement import AgreementData, AgreementDocument, CellPair
from annotator.core.corpus import Corpus
from annotator.core.models import Annotator, Span
from tests.core.conftest import add_document

# -- helpers ------------------------------------------------------------------------------


def _data(annotators, *documents, span_labels=(), document_labels=()):
    return AgreementData(tuple(annotators), tuple(documents), tuple(span_labels),
                         tuple(document_labels))  # fmt: skip


def _naive_token_labels(text, spans, order, pattern=ag.TOKEN_PATTERN):
    """The documented rule, one token at a time: shortest span, then leftmost, then label."""
    rank = {label: k for k, label in enumerate(order)}
    labels = []
    for match in re.finditer(pattern, text):
        start, end = match.span()
        touching = [s for s in spans if s[0] < end and s[1] > start]
        if touching:
            labels.append(min(touching, key=lambda s: (s[1] - s[0], s[0], rank[s[2]]))[2])
        else:
            labels.append("O")
    return labels


def _brute_overlap_matches(a, b):
    """The size of a maximum one-to-one matching of same-label overlapping spans, by
    plain augmenting paths over every pair (the documented rule; greedy pairing by
    largest overlap, the old rule, can pair fewer)."""
    neighbours = [
        [j for j, y in enumerate(b) if x[2] == y[2] and x[0] < y[1] and y[0] < x[1]] for x in a
    ]
    partner = {}

    def augment(i, seen):
        for j in neighbours[i]:
            if j not in seen:
                seen.add(j)
                if j not in partner or augment(partner[j], seen):
                    partner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(a)))


def _fleiss_by_definition(counts):
    """Fleiss (1971) written out with loops, as a check on the vectorised one."""
    subjects = len(counts)
    raters = sum(counts[0])
    categories = len(counts[0])
    p = [sum(row[j] for row in counts) / (subjects * raters) for j in range(categories)]
    per_subject = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    observed = sum(per_subject) / subjects
    expected = sum(x * x for x in p)
    return (observed - expected) / (1 - expected)


WORDS = (
    "the", "minister", "said", "on", "Monday", "that", "Paris", "and", "Berlin", "would",
    "sign", "a", "treaty", "with", "ACME", "Corp", "in", "May", "Ada", "Lovelace",
)  # fmt: skip
LABELS = ("PER", "LOC", "ORG", "DATE")


def _random_data(seed, annotators=("ann", "ben", "cat"), documents=14, missing=0.2):
    """Annotators who mostly agree, with near misses, relabels, nesting, cut words and
    documents some of them never annotated."""
    rng = np.random.default_rng(seed)
    docs = []
    for k in range(documents):
        words = [str(w) for w in rng.choice(WORDS, size=int(rng.integers(15, 50)))]
        text = " ".join(w + ("," if rng.random() < 0.1 else "") for w in words) + "."
        tokens = [m.span() for m in re.finditer(r"\w+", text)]

        def span(rng=rng, tokens=tokens):
            first = int(rng.integers(len(tokens)))
            last = min(len(tokens) - 1, first + int(rng.integers(0, 3)))
            return tokens[first][0], tokens[last][1], str(rng.choice(LABELS))

        base = {span() for _ in range(int(rng.integers(2, 8)))}
        layers, marks = {}, {}
        for name in annotators:
            if k > 1 and rng.random() < missing:
                continue  # did not annotate this document (the first two: everyone did)
            spans = set()
            for start, end, label in sorted(base):
                roll = rng.random()
                if roll < 0.65:
                    spans.add((start, end, label))
                elif roll < 0.75:
                    spans.add((start, end, str(rng.choice(LABELS))))
                elif roll < 0.85:
                    spans.add((start, max(start + 1, end - 1), label))  # cuts a word
                elif roll < 0.92:
                    spans.add((start, end, label))
                    spans.add((start, min(len(text), start + 2), label))  # nested, same label
            if rng.random() < 0.4:
                spans.add(span())
            layers[name] = sorted(spans)
            marks[name] = frozenset(topic for topic in ("Politics", "Sport") if rng.random() < 0.5)
        docs.append(AgreementDocument(100 + k, text, layers, marks))
    return AgreementData(tuple(annotators), tuple(docs), LABELS, ("Politics", "Sport"))


SEEDS = [0, 1, 2, 3, 7, 42]


# -- tokens -------------------------------------------------------------------------------


def test_tokens_are_words_and_single_punctuation_marks():
    text = "Ada's car, 1833 — naïve!"
    starts, ends = ag.tokenize(text)
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == [
        "Ada", "'", "s", "car", ",", "1833", "—", "naïve", "!",
    ]  # fmt: skip
    starts, ends = ag.tokenize(text, r"\S+")
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == [
        "Ada's", "car,", "1833", "—", "naïve!",
    ]  # fmt: skip


@pytest.mark.parametrize("pattern", [r"(A)da|car", r"(?i)ADA|CAR", r"x*", r"\w+|[^\w\s]"])
def test_tokenize_agrees_with_finditer_for_any_pattern(pattern):
    text = "Ada's car, Ada."
    expected = [m.span() for m in re.finditer(pattern, text) if m.end() > m.start()]
    starts, ends = ag.tokenize(text, pattern)
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected


def test_a_token_takes_the_shortest_then_leftmost_span_touching_it():
    text = "New York City is big."
    spans = [
        (0, 13, "LOC"),  # New York City
        (4, 8, "ORG"),  # York: shorter than LOC
        (1, 2, "PER"),  # cuts "New": the whole token takes it
        (9, 16, "A"),  # City is
        (14, 21, "B"),  # is big. : as long as A, so A wins "is" by being leftmost
        (17, 20, "C"),  # big, and the same offsets again under D: C comes first
        (17, 20, "D"),
    ]
    assert ag.token_labels(text, spans, labels=("C", "D")) == [
        "PER", "ORG", "A", "A", "C", "B",
    ]  # fmt: skip
    assert ag.token_labels(text, spans, labels=("D", "C")) == [
        "PER", "ORG", "A", "A", "D", "B",
    ]  # fmt: skip
    assert ag.token_labels(text, []) == ["O"] * 6


# -- span F1 and the confusion matrix ----------------------------------------------------

TEXT = "Ada met Bob in Rome at ACME and then again at XYZ yesterday."


def _pair_ab():
    a = [(0, 3, "PER"), (8, 14, "LOC"), (20, 25, "ORG")]
    b = [(0, 3, "PER"), (8, 13, "LOC"), (20, 25, "PER"), (30, 33, "ORG")]
    return _data(
        ("a", "b"), AgreementDocument(7, TEXT, {"a": a, "b": b}),
        span_labels=("PER", "LOC", "ORG"),
    )  # fmt: skip


def test_exact_and_overlap_f1_worked_by_hand():
    pair = ag.compute_report(_pair_ab()).pair("a", "b")
    # Exact: only PER 0-3 is the same; A has 3 spans, B has 4.
    assert (pair.exact.agreed, pair.exact.a_count, pair.exact.b_count) == (1, 3, 4)
    assert pair.exact.precision == pytest.approx(1 / 4)
    assert pair.exact.recall == pytest.approx(1 / 3)
    assert pair.exact.f1 == pytest.approx(2 / 7)
    # Overlap: LOC 8-14 / 8-13 matches too; ORG 20-25 meets only a PER there.
    assert pair.overlap.agreed == 2
    assert pair.overlap.f1 == pytest.approx(4 / 7)
    assert pair.exact_by_label["PER"].f1 == pytest.approx(2 / 3)
    assert pair.exact_by_label["LOC"].f1 == 0
    assert pair.overlap_by_label["LOC"].f1 == 1
    assert pair.overlap_by_label["ORG"].f1 == 0


def test_confusion_pairs_exact_offsets_first_then_overlap_and_lists_the_spans():
    confusion = ag.compute_report(_pair_ab()).pair("a", "b").confusion
    assert confusion.names == ("PER", "LOC", "ORG", "O")
    assert confusion.counts.tolist() == [
        [1, 0, 0, 0],  # PER: PER
        [0, 1, 0, 0],  # LOC: LOC (by overlap)
        [1, 0, 0, 0],  # ORG 20-25: PER 20-25 (same offsets, other label)
        [0, 0, 1, 0],  # B's ORG 30-33 met nothing of A's
    ]
    assert confusion.cell("ORG", "PER") == [CellPair(7, (20, 25, "ORG"), (20, 25, "PER"))]
    assert confusion.cell("O", "ORG") == [CellPair(7, None, (30, 33, "ORG"))]
    assert confusion.cell("LOC", "LOC") == [CellPair(7, (8, 14, "LOC"), (8, 13, "LOC"))]
    assert [(r, c) for r, c, _ in confusion.disagreements()] == [("ORG", "PER"), ("O", "ORG")]


def test_overlap_matching_is_one_to_one_by_largest_overlap():
    assert ag.match_spans([(0, 10, "X")], [(0, 4, "X"), (3, 10, "X")]) == [(0, 1)]
    assert ag.match_spans([(0, 6, "X"), (5, 12, "X")], [(4, 8, "X")]) == [(1, 0)]
    assert ag.match_spans([(0, 6, "X")], [(0, 6, "Y")]) == []
    assert ag.match_spans([(0, 6, "X")], [(0, 6, "Y")], mode="any") == [(0, 0)]
    assert ag.match_spans([(0, 6, "X")], [(0, 5, "X")], mode="exact") == []
    # Same offsets under two labels: the confusion pairing prefers the same label.
    assert ag.match_spans([(0, 6, "X")], [(0, 6, "Y"), (0, 6, "X")], mode="any") == [(0, 1)]
    with pytest.raises(ValueError, match="mode"):
        ag.match_spans([], [], mode="fuzzy")


@pytest.mark.parametrize("seed", SEEDS)
def test_span_f1_counts_equal_a_direct_count(seed):
    data = _random_data(seed)
    report = ag.compute_report(data)
    for pair in report.pairs:
        exact = overlap = a_count = b_count = 0
        for document in data.documents:
            if pair.a in document.layers and pair.b in document.layers:
                a, b = document.layers[pair.a], document.layers[pair.b]
                exact += sum((Counter(a) & Counter(b)).values())
                overlap += _brute_overlap_matches(a, b)
                a_count += len(a)
                b_count += len(b)
        assert (pair.exact.agreed, pair.exact.a_count, pair.exact.b_count) == (
            exact, a_count, b_count,
        )  # fmt: skip
        assert pair.overlap.agreed == overlap
        assert sum(s.agreed for s in pair.exact_by_label.values()) == exact
        assert pair.confusion.counts[:-1].sum() == a_count
        assert pair.confusion.counts[:, :-1].sum() == b_count


# -- kappas and alphas --------------------------------------------------------------------


def test_token_kappa_worked_by_hand():
    text = "aa bb cc dd"
    a = [(0, 2, "PER"), (9, 11, "LOC")]  # PER O O LOC
    b = [(0, 2, "PER"), (6, 8, "LOC"), (9, 11, "LOC")]  # PER O LOC LOC
    pair = ag.compute_report(_data(("a", "b"), AgreementDocument(1, text, {"a": a, "b": b}))).pair(
        "a", "b"
    )
    # po = 3/4; marginals A (PER 1, O 2, LOC 1), B (PER 1, O 1, LOC 2): pe = 5/16.
    assert pair.token_kappa == pytest.approx((12 / 16 - 5 / 16) / (11 / 16))
    assert pair.tokens == 4
    assert pair.token_kappa_by_label["PER"] == 1
    # Token F1 leaves O out: 2 tokens agreed, A labelled 2, B labelled 3.
    assert pair.token_f1.f1 == pytest.approx(4 / 5)


def test_document_label_kappa_worked_by_hand():
    def document(k, a, b):
        return AgreementDocument(k, "text", {"a": [], "b": []}, {"a": a, "b": b})

    data = _data(
        ("a", "b"),
        document(1, frozenset({"Sport"}), frozenset({"Sport"})),
        document(2, frozenset({"Sport"}), frozenset()),
        document(3, frozenset(), frozenset()),
        document(4, frozenset({"Politics"}), frozenset({"Politics"})),
        AgreementDocument(5, "text", {"a": []}, {"a": frozenset({"Sport"})}),  # b never did
        document_labels=("Sport", "Politics"),
    )
    pair = ag.compute_report(data).pair("a", "b")
    assert pair.documents == 4
    # Sport: A 1 1 0 0, B 1 0 0 0 -> po 3/4, pe 1/2, kappa 1/2.
    assert pair.document_kappa_by_label["Sport"] == pytest.approx(0.5)
    assert pair.document_kappa_by_label["Politics"] == pytest.approx(1.0)
    assert pair.document_kappa_by_label["Sport"] == pytest.approx(
        cohen_kappa_score([1, 1, 0, 0], [1, 0, 0, 0])
    )
    assert pair.document_kappa == pytest.approx(
        cohen_kappa_score([1, 1, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 1])
    )


def test_fleiss_kappa_on_the_worked_example_of_fleiss_1971():
    # The worked example of Fleiss' kappa on Wikipedia ("Fleiss' kappa", section "Worked
    # example"): 10 subjects, 14 raters, 5 categories; it gives P-bar = 0.378,
    # P-bar-e = 0.213 and kappa = 0.210.
    counts = np.array([
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ])  # fmt: skip
    assert round(ag.fleiss_kappa(counts), 3) == 0.210
    assert ag.fleiss_kappa(counts) == pytest.approx(_fleiss_by_definition(counts.tolist()))


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_kappa_equals_the_definition_on_random_counts(seed):
    rng = np.random.default_rng(seed)
    raters, categories = int(rng.integers(3, 9)), int(rng.integers(2, 7))
    weights = rng.dirichlet(np.ones(categories))
    counts = rng.multinomial(raters, weights, size=int(rng.integers(5, 200)))
    assert ag.fleiss_kappa(counts) == pytest.approx(_fleiss_by_definition(counts.tolist()))


def test_fleiss_kappa_refuses_subjects_rated_by_different_numbers_of_raters():
    with pytest.raises(ValueError, match="same number"):
        ag.fleiss_kappa(np.array([[1, 2], [1, 1]]))


def test_krippendorff_alpha_on_the_worked_example_of_krippendorff_2011():
    # Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", the example with
    # 4 observers, 12 units, values 1-5 and missing data: nominal alpha = 0.743.
    nan = math.nan
    data = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ])  # fmt: skip
    assert round(ag.krippendorff_alpha(data), 3) == 0.743
    assert ag.krippendorff_alpha(data) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_krippendorff_alpha_equals_the_krippendorff_package_on_random_data(seed):
    rng = np.random.default_rng(seed)
    coders, units = int(rng.integers(2, 6)), int(rng.integers(10, 300))
    truth = rng.integers(0, 4, size=units)
    data = np.where(rng.random((coders, units)) < 0.7, truth, rng.integers(0, 4, (coders, units)))
    data = np.where(rng.random((coders, units)) < 0.15, np.nan, data.astype(float))
    assert ag.krippendorff_alpha(data) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_token_measures_equal_the_reference_implementations(seed):
    data = _random_data(seed, annotators=("ann", "ben", "cat", "dan"))
    report = ag.compute_report(data)
    order = report.span_labels
    code = {label: k for k, label in enumerate(("O", *order))}
    per_document = {
        (d.id, name): _naive_token_labels(d.text, d.layers[name], order)
        for d in data.documents for name in d.layers
    }  # fmt: skip

    for pair in report.pairs:
        a_seq, b_seq = [], []
        for d in data.documents:
            if pair.a in d.layers and pair.b in d.layers:
                a_seq += per_document[d.id, pair.a]
                b_seq += per_document[d.id, pair.b]
        assert pair.tokens == len(a_seq)
        assert pair.token_kappa == pytest.approx(cohen_kappa_score(a_seq, b_seq), abs=1e-12)
        for label in order:
            a_bin = [x == label for x in a_seq]
            b_bin = [x == label for x in b_seq]
            if len(set(a_bin) | set(b_bin)) < 2:  # kappa undefined: nobody used it
                assert math.isnan(pair.token_kappa_by_label[label])
                continue
            assert pair.token_kappa_by_label[label] == pytest.approx(
                cohen_kappa_score(a_bin, b_bin), abs=1e-12
            )

    # Krippendorff's alpha: every document two or more annotated, missing as NaN.
    columns = []
    for d in data.documents:
        if len(d.layers) < 2:
            continue
        size = len(_naive_token_labels(d.text, [], order))
        columns.append(np.array([
            [code[x] for x in per_document[d.id, name]] if name in d.layers else [np.nan] * size
            for name in data.annotators
        ], dtype=float))  # fmt: skip
    reliability = np.concatenate(columns, axis=1)
    assert report.group.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal"),
        abs=1e-12,
    )
    for label in order:
        binary = np.where(np.isnan(reliability), np.nan, reliability == code[label])
        assert report.group.alpha_by_label[label] == pytest.approx(
            krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal"),
            abs=1e-12,
        )

    # Fleiss: only documents all four annotated, as subject x category counts.
    rows = []
    for d in data.documents:
        if len(d.layers) == len(data.annotators):
            for labels in zip(*(per_document[d.id, n] for n in data.annotators), strict=True):
                counts = Counter(labels)
                rows.append([counts[name] for name in ("O", *order)])
    assert report.group.tokens_all == len(rows)
    assert report.group.fleiss_kappa == pytest.approx(_fleiss_by_definition(rows), abs=1e-12)


def test_fleiss_kappa_needs_three_annotators():
    report = ag.compute_report(_pair_ab())
    assert math.isnan(report.group.fleiss_kappa)
    assert report.to_json()["all_annotators"]["fleiss_kappa"]["overall"] is None


# -- unitizing alpha ----------------------------------------------------------------------

# Krippendorff (2004), Content Analysis: An Introduction to Its Methodology, 2nd ed.,
# section 11.6, the worked example on p. 254, as DKPro Statistics encodes it in
# Krippendorff2004Test (Meyer et al. 2014): a continuum from 150 to 450, two coders,
# categories c and k, units as (start, end).
KRIPPENDORFF_2004 = [
    [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")],
    [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")],
]


def test_unitizing_alpha_on_the_worked_example_of_krippendorff_2004():
    result = ag.unitizing_alpha(KRIPPENDORFF_2004, 300, begin=150)
    c, k = result.by_label["c"], result.by_label["k"]
    assert round(c.observed, 4) == 0.0144
    assert round(c.expected, 4) == 0.0532
    assert round(c.alpha, 4) == 0.7286
    assert k.observed == 0
    assert round(k.expected, 4) == 0.0490
    assert k.alpha == 1
    # The book pools the categories from the rounded disagreements above:
    # 1 - 0.0144 / (0.0532 + 0.0490) = 0.8591; unrounded it is 0.8587.
    assert round(1 - 0.0144 / (0.0532 + 0.0490), 4) == 0.8591
    assert result.overall == pytest.approx(0.8591, abs=0.0005)
    assert result.overall == pytest.approx(1 - c.observed / (c.expected + k.expected))


@pytest.mark.parametrize(
    ("units", "observed"),
    [
        # Krippendorff (1995) "On the reliability of unitizing contiguous data",
        # Sociological Methodology 25, the four pairs of coders of the example on p. 57
        # (A Bertha/Bill, B John/Jill, C Gerret/Gill, D Heather/Hill) on a continuum of 24;
        # observed disagreements as DKPro Statistics' Krippendorff1995Test asserts them.
        ([[(2, 10), (14, 20)], [(4, 8), (15, 17)]], 0.03125),
        ([[(0, 18)], [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 9), (9, 10)]], 2.26736),
        ([[(2, 8), (10, 12), (14, 18), (20, 22)],
          [(0, 2), (4, 8), (10, 14), (16, 18), (20, 22)]], 0.02777),
        ([[(0, 2), (2, 10), (10, 14), (14, 20), (20, 24)],
          [(0, 4), (4, 8), (8, 15), (15, 17), (17, 24)]], 0.38715),
    ],
)  # fmt: skip
def test_unitizing_observed_disagreement_on_krippendorff_1995(units, observed):
    assert ag.unitizing_disagreement(units, 24).observed == pytest.approx(observed, abs=1e-5)


def test_unitizing_alpha_invariants():
    units = KRIPPENDORFF_2004
    same = ag.unitizing_alpha([units[0], units[0], units[0]], 300, begin=150)
    assert all(score.alpha == 1 for score in same.by_label.values())
    swapped = ag.unitizing_alpha([units[1], units[0]], 300, begin=150)
    assert swapped.by_label["c"].alpha == pytest.approx(0.728599, abs=1e-6)
    moved = ag.unitizing_alpha(
        [[(s - 150, e - 150, x) for s, e, x in coded] for coded in units], 300
    )
    assert moved.overall == pytest.approx(ag.unitizing_alpha(units, 300, begin=150).overall)
    worse = ag.unitizing_alpha([units[0], [(200, 260, "c"), *units[1][1:]]], 300, begin=150)
    assert worse.by_label["c"].alpha < 0.7286
    # Overlapping units of one coder and category are merged: the same as their union.
    split = ag.unitizing_disagreement([[(0, 10), (5, 20)], [(0, 20)]], 100)
    assert split.observed == 0
    with pytest.raises(ValueError, match="outside"):
        ag.unitizing_disagreement([[(0, 120)], []], 100)


def test_report_unitizing_alpha_lays_documents_end_to_end():
    data = _random_data(5, missing=0.3)
    report = ag.compute_report(data)
    every = [d for d in data.documents if len(d.layers) == len(data.annotators)]
    offsets = np.cumsum([0] + [len(d.text) for d in every])
    units = [
        [(o + s, o + e, x) for d, o in zip(every, offsets, strict=False) for s, e, x in d.layers[n]]
        for n in data.annotators
    ]
    expected = ag.unitizing_alpha(units, int(offsets[-1]))
    assert report.group.characters == offsets[-1]
    assert report.group.documents_all == len(every)
    assert report.group.unitizing.overall == pytest.approx(expected.overall)
    for label, score in expected.by_label.items():
        assert report.group.unitizing.by_label[label].alpha == pytest.approx(score.alpha)
    assert report.group.unitizing.labels_ignored.alpha == pytest.approx(
        expected.labels_ignored.alpha
    )


# -- properties ---------------------------------------------------------------------------

_spans = st.lists(
    st.tuples(st.integers(0, 38), st.integers(1, 12), st.sampled_from(("X", "Y"))).map(
        lambda t: (t[0], min(40, t[0] + t[1]), t[2])
    ),
    max_size=8,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(a=_spans, b=_spans)
def test_swapping_annotators_swaps_precision_and_recall_and_keeps_the_rest(a, b):
    text = "abcd efgh " * 4
    document = AgreementDocument(1, text, {"a": a, "b": b})
    forward = ag.compute_report(_data(("a", "b"), document)).pairs[0]
    backward = ag.compute_report(_data(("b", "a"), document)).pairs[0]
    for one, other in ((forward.exact, backward.exact), (forward.overlap, backward.overlap)):
        assert one.agreed == other.agreed
        assert (one.precision, one.recall) == pytest.approx(
            (other.recall, other.precision), nan_ok=True
        )
    assert forward.token_kappa == pytest.approx(backward.token_kappa, nan_ok=True)
    assert forward.confusion.counts.tolist() == backward.confusion.counts.T.tolist()
    same = ag.compute_report(_data(("a", "b"), AgreementDocument(1, text, {"a": a, "b": a})))
    if a:
        assert same.pairs[0].exact.f1 == 1
        assert same.group.unitizing.labels_ignored.alpha == 1


# -- the report ---------------------------------------------------------------------------


def test_report_serialises_with_stable_keys_rounded_floats_and_no_nan():
    report = ag.compute_report(_random_data(3))
    payload = report.to_json()
    assert list(payload) == [
        "annotators", "span_labels", "document_labels", "documents",
        "single_annotator_documents", "token_pattern", "pairs", "pair_means", "all_annotators",
        "caveats",
    ]  # fmt: skip
    assert list(payload["pairs"][0]) == [
        "a", "b", "documents", "tokens", "exact_f1", "overlap_f1", "token_kappa", "token_f1",
        "document_label_kappa", "confusion",
    ]  # fmt: skip
    text = json.dumps(payload, allow_nan=False)
    for number in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text):
        assert len(number.split(".")[1]) <= 4
    assert payload["pairs"][0]["exact_f1"]["overall"]["f1"] == round(report.pairs[0].exact.f1, 4)
    assert set(payload["caveats"]) == set(ag.CAVEATS)


def test_text_report_shows_every_pair_and_what_each_measure_leaves_out():
    report = ag.compute_report(_random_data(4))
    text = report.to_text()
    for pair in report.pairs:
        assert f"{pair.a} / {pair.b}" in text
    for name, caveat in ag.CAVEATS.items():
        assert f"{name}: {caveat}" in text
    assert "Fleiss' kappa" in text
    assert "n/a" not in text.split("Pairs")[0]


def test_a_span_that_does_not_fit_its_document_is_refused():
    bad = _data(("a", "b"), AgreementDocument(3, "short", {"a": [(2, 9, "X")], "b": []}))
    with pytest.raises(ValueError, match="does not fit document 3"):
        ag.compute_report(bad)


def test_an_annotator_who_annotated_nothing_shared_gets_no_numbers():
    data = _data(
        ("a", "b"),
        AgreementDocument(1, "one two", {"a": [(0, 3, "X")]}),
        AgreementDocument(2, "three four", {"b": [(0, 5, "X")]}),
    )
    report = ag.compute_report(data)
    pair = report.pair("a", "b")
    assert pair.documents == 0
    assert math.isnan(pair.exact.f1)
    assert math.isnan(pair.token_kappa)
    assert report.documents == 0
    assert json.dumps(report.to_json(), allow_nan=False)
    assert report.to_text()


# -- the loader ---------------------------------------------------------------------------


def test_load_project_reads_layers_labels_and_who_annotated_what(corpus):
    project = corpus.create_project("agreement")
    pid = project.id
    per = corpus.add_label(pid, "PER").entity_id
    loc = corpus.add_label(pid, "LOC").entity_id
    sport = corpus.add_label(pid, "Sport", kind=LabelKind.DOCUMENT).entity_id
    corpus.add_label(pid, "Politics", kind=LabelKind.DOCUMENT)
    first = add_document(corpus, pid, "Ada met Bob in Rome.", "1")
    second = add_document(corpus, pid, "Nothing to see here.", "2")
    third = add_document(corpus, pid, "Only Ada read this.", "3")
    reset = add_document(corpus, pid, "Bob opened this and put it back.", "4")
    other = corpus.create_project("elsewhere")
    add_document(corpus, other.id, "Not in the project.", "x")

    alice = corpus
    bob = Corpus(corpus.engine, annotator="bob")
    alice.add_span(first, per, 0, 3)
    alice.add_span(first, loc, 15, 19)
    alice.set_document_label(first, sport, True)
    alice.set_status(second, Status.DONE)
    alice.add_span(third, per, 5, 8)
    alice.set_status(reset, Status.DONE)
    bob.add_span(first, per, 0, 3)
    bob.add_span(first, per, 8, 11)
    bob.set_status(second, Status.DONE)  # done with no span: agrees nothing is there
    bob.set_status(reset, Status.IN_PROGRESS)
    bob.set_status(reset, Status.TODO)  # put back: not annotated
    with corpus.session() as session:  # the gold layer, as review writes it
        reference = Annotator(name=GOLD)
        session.add(reference)
        session.flush()
        session.add(Span(document_id=first, annotator_id=reference.id, label_id=per,
                         start=0, end=3, text="Ada"))  # fmt: skip
        session.commit()

    data = ag.load_project(corpus, pid)
    assert data.annotators == ("alice", "bob")
    assert data.span_labels == ("PER", "LOC")
    assert data.document_labels == ("Sport", "Politics")
    assert [d.id for d in data.documents] == [first, second]
    assert data.single_annotator_documents == 2  # the third and the reset one
    one, two = data.documents
    assert one.text == "Ada met Bob in Rome."
    assert sorted(one.layers["alice"]) == [(0, 3, "PER"), (15, 19, "LOC")]
    assert sorted(one.layers["bob"]) == [(0, 3, "PER"), (8, 11, "PER")]
    assert one.labels == {"alice": frozenset({"Sport"}), "bob": frozenset()}
    assert dict(two.layers) == {"alice": [], "bob": []}
    assert data.annotated() == {"alice": {first, second}, "bob": {first, second}}

    report = ag.compute_report(data)
    pair = report.pair("alice", "bob")
    assert (pair.documents, pair.exact.agreed, pair.exact.a_count, pair.exact.b_count) == (
        2, 1, 2, 2,
    )  # fmt: skip
    assert pair.document_kappa_by_label["Sport"] == 0  # A: yes, no; B: no, no
    assert pair.confusion.cell("LOC", "O") == [CellPair(first, (15, 19, "LOC"), None)]

    with_gold = ag.load_project(corpus, pid, include_gold=True)
    assert with_gold.annotators == ("alice", "bob", "gold")
    assert with_gold.documents[0].layers["gold"] == [(0, 3, "PER")]
    chosen = ag.load_project(corpus, pid, annotators=["gold", "alice"])
    assert chosen.annotators == ("gold", "alice")
    assert [d.id for d in chosen.documents] == [first]
    assert set(chosen.documents[0].layers) == {"gold", "alice"}
    with pytest.raises(UserError, match="no annotator named carol"):
        ag.load_project(corpus, pid, annotators=["alice", "carol"])
    with pytest.raises(UserError, match="no project"):
        ag.load_project(corpus, 999_999)


# -- bratiaa's published reports ----------------------------------------------------------
#
# bratiaa (kldtz/bratiaa, the copy in the shared corpora) reports, per annotator pair, F1 =
# 2TP / (2TP + FP + FN) from counts summed over documents and labels, then the mean and the
# population SD over pairs. Its "instance-based" F1 compares (label, offsets) sets, which is
# our exact F1 on documents both annotated. Its "token-based" F1 (the CLI's `-t`) splits
# spans on `\S+` tokens, every token a span touches, and compares (label, token) multisets;
# that is our token F1 with the `\S+` pattern as long as no annotator has two spans touching
# one token, which the test checks first. Overlap F1, kappa and alpha have no bratiaa
# counterpart.

BRAT_LABELS = ("LOC", "MISC", "ORG", "PER")


def _read_brat(folder: Path, annotators) -> AgreementData:
    texts, layers = {}, {}
    for name in annotators:
        for ann in sorted((folder / name).glob("*.ann")):
            with ann.with_suffix(".txt").open(encoding="utf-8", newline="") as handle:
                text = handle.read()
            spans = set()
            for line in ann.read_text(encoding="utf-8").splitlines():
                if not line.startswith("T"):
                    continue
                _, middle, surface = line.split("\t", 2)
                label, offsets = middle.split(" ", 1)
                if ";" in offsets:  # discontinuous: not a span here
                    continue
                start, end = map(int, offsets.split())
                assert text[start:end] == surface
                spans.add((start, end, label))
            texts.setdefault(ann.name, text)
            layers.setdefault(ann.name, {})[name] = sorted(spans)
    documents = tuple(
        AgreementDocument(k, texts[name], layers[name]) for k, name in enumerate(sorted(texts))
    )
    return AgreementData(tuple(annotators), documents, BRAT_LABELS)


def _mean_sd(values):
    return round(float(np.mean(values)), 3), round(float(np.std(values)), 3)


@pytest.mark.corpora
def test_bratiaa_two_annotator_project(corpora):
    data = _read_brat(corpora / "bratiaa/data/agreement/agree-2", ("ann1", "ann2"))
    # bratiaa's own test (tests/bratiaa/test_agree.py, test_avg_total): 0.787878.
    assert ag.compute_report(data).pairs[0].exact.f1 == pytest.approx(0.787878, abs=1e-6)


# bratiaa/example-files/instance-agreement-report.md and token-agreement-report.md.
INSTANCE_BY_DOCUMENT = {
    "esp.train-doc-100.ann": (0.798, 0.167), "esp.train-doc-1400.ann": (0.894, 0.039),
    "esp.train-doc-29.ann": (0.906, 0.072), "esp.train-doc-423.ann": (0.906, 0.037),
    "esp.train-doc-46.ann": (0.936, 0.023), "esp.train-doc-503.ann": (0.907, 0.052),
    "esp.train-doc-896.ann": (0.873, 0.063),
}  # fmt: skip
INSTANCE_BY_LABEL = {
    "LOC": (0.819, 0.131), "MISC": (0.840, 0.090), "ORG": (0.906, 0.053), "PER": (0.938, 0.039),
}  # fmt: skip
TOKEN_BY_DOCUMENT = {
    "esp.train-doc-100.ann": (0.972, 0.009), "esp.train-doc-1400.ann": (0.945, 0.034),
    "esp.train-doc-29.ann": (0.928, 0.047), "esp.train-doc-423.ann": (0.943, 0.035),
    "esp.train-doc-46.ann": (0.974, 0.013), "esp.train-doc-503.ann": (0.977, 0.010),
    "esp.train-doc-896.ann": (0.952, 0.020),
}  # fmt: skip
TOKEN_BY_LABEL = {
    "LOC": (0.963, 0.013), "MISC": (0.918, 0.045), "ORG": (0.972, 0.015), "PER": (0.983, 0.006),
}  # fmt: skip


@pytest.mark.corpora
def test_bratiaa_example_project_reports(corpora):
    folder = corpora / "bratiaa/example-files/example-project"
    annotators = ("Lisa", "Maria", "Max", "Peter")
    data = _read_brat(folder, annotators)
    names = sorted(INSTANCE_BY_DOCUMENT)
    assert len(data.documents) == len(names) == 7
    assert all(set(d.layers) == set(annotators) for d in data.documents)
    # The token comparison holds only if no annotator touches one \S+ token twice.
    for d in data.documents:
        for spans in d.layers.values():
            starts, ends = ag.tokenize(d.text, r"\S+")
            touched = Counter(
                k for s, e, _ in spans for k in range(len(starts)) if starts[k] < e and ends[k] > s
            )
            assert max(touched.values(), default=1) == 1

    instance = ag.compute_report(data)
    tokens = ag.compute_report(data, token_pattern=r"\S+")
    assert _mean_sd([p.exact.f1 for p in instance.pairs]) == (0.890, 0.053)
    assert _mean_sd([p.token_f1.f1 for p in tokens.pairs]) == (0.964, 0.015)
    for label in BRAT_LABELS:
        assert (
            _mean_sd([p.exact_by_label[label].f1 for p in instance.pairs])
            == (INSTANCE_BY_LABEL[label])
        )
        assert (
            _mean_sd([p.token_f1_by_label[label].f1 for p in tokens.pairs])
            == (TOKEN_BY_LABEL[label])
        )
    for k, name in enumerate(names):
        one = data.subset([k])
        assert (
            _mean_sd([p.exact.f1 for p in ag.compute_report(one).pairs])
            == (INSTANCE_BY_DOCUMENT[name])
        )
        assert (
            _mean_sd([p.token_f1.f1 for p in ag.compute_report(one, token_pattern=r"\S+").pairs])
            == TOKEN_BY_DOCUMENT[name]
        )
    # The README's remark: Max marks long spans ("Grenoble (Francia)") where the others
    # mark two, so exact F1 against him drops far more than overlap or token agreement.
    lisa_max = instance.pair("Lisa", "Max")
    assert lisa_max.exact.f1 < lisa_max.overlap.f1 < 1
    assert lisa_max.exact.f1 < lisa_max.token_f1.f1


def test_pair_means_are_the_mean_and_population_sd_of_the_pairs_f1():
    report = ag.compute_report(_random_data(4))
    exact = np.array([pair.exact.f1 for pair in report.pairs])
    summary = report.pair_mean("exact_f1")
    assert summary.pairs == len(report.pairs) >= 3
    assert summary.mean == pytest.approx(exact.mean())
    assert summary.sd == pytest.approx(exact.std(ddof=0))
    label = report.span_labels[0]
    by_label = [pair.token_f1_by_label[label].f1 for pair in report.pairs]
    assert report.pair_mean("token_f1", label).mean == pytest.approx(np.nanmean(by_label))
    payload = report.to_json()["pair_means"]
    assert payload["exact_f1"]["overall"]["mean"] == round(exact.mean(), 4)
    assert f"Mean of the {len(report.pairs)} pairs' F1" in report.to_text()
