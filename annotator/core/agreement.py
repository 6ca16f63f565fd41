"""Inter-annotator agreement for span annotation: pure functions on plain data, one loader.

The measures work on plain Python data (`AgreementData`), so they are testable without a
database and fast on large projects: every document is laid end to end on one line of
code points (the *continuum*), spans and tokens become numpy arrays in that coordinate,
and each measure is a few array operations. Only `load_project` talks to the database.

Who counts where
    A document counts for an annotator when they *annotated* it: they have a span, a
    document label or a status other than "todo" on it. `AgreementDocument.layers` holds a
    key (perhaps with no spans) for exactly those annotators. A pair is compared only on
    documents both annotated; Fleiss' kappa and unitizing alpha only on documents all
    annotated; Krippendorff's alpha on every document two or more annotated, the others'
    missing values being missing data. A document marked done with no span is therefore
    agreement that nothing is there, and one the annotator never opened is not a
    disagreement.

Tokens
    `TOKEN_PATTERN` (`\\w+|[^\\w\\s]`: words, and each punctuation mark alone) over the
    document text. A token takes the label of a span of that annotator that shares at
    least one character with it (so a span that cuts a word labels the whole word); when
    several do, the shortest span wins, then the leftmost, then the label that comes
    first. A token inside no span is "O".

Span matching
    One-to-one. Exact: same start, end and label. Overlap: same label and at least one
    shared character, paired greedily by the largest overlap (ties: the smaller boundary
    difference, then text order), which is a maximal matching, not always a maximum one.
    The confusion matrix pairs spans whatever their label: exact offsets first (same
    label preferred), then the same greedy overlap pairing; what is left meets "O".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, select

from annotator.base.errors import UserError
from annotator.base.vocabulary import GOLD, AnnotatorKind, LabelKind, Status
from annotator.core.models import (
    annotator_t,
    doclabel_t,
    document_t,
    label_t,
    project_t,
    span_t,
    status_t,
)

__all__ = [
    "CAVEATS", "GOLD", "OUTSIDE", "TOKEN_PATTERN", "AgreementData", "AgreementDocument",
    "AgreementReport", "CellPair", "ConfusionMatrix", "F1Score", "GroupAgreement",
    "PairAgreement", "UnitizingAlpha", "UnitizingScore", "cohen_kappa", "compute_report",
    "fleiss_kappa", "krippendorff_alpha", "krippendorff_alpha_counts", "load_project",
    "match_spans", "token_labels", "tokenize", "unitizing_alpha", "unitizing_disagreement",
]  # fmt: skip

SpanTuple = tuple[int, int, str]
IntArray = NDArray[np.int64]

OUTSIDE = "O"
TOKEN_PATTERN = r"\w+|[^\w\s]"
DIGITS = 4
_IDS_PER_QUERY = 500

CAVEATS: dict[str, str] = {
    "exact_f1": (
        "same start, end and label only: a span one character off is a full miss"
        " (overlap F1 shows near misses); no chance correction"
    ),
    "overlap_f1": (
        "one shared character of the same label is enough, so boundary disagreement is"
        " invisible; greedy one-to-one pairing by largest overlap; no chance correction"
    ),
    "token_kappa": (
        "depends on the tokenisation; counts agreement on O, which dominates when spans"
        " are sparse; a token inside several spans of one annotator keeps only the"
        " shortest span's label; per label it is that label against everything else"
    ),
    "token_f1": (
        "bratiaa's token-based F1 for one label per token: O tokens are left out, a span"
        " labels every token it touches, so boundary errors inside a token and between"
        " adjacent spans of one label vanish; no chance correction"
    ),
    "document_label_kappa": (
        "present or absent per document and label, on documents both annotated; the"
        " overall value pools every (document, label) decision"
    ),
    "fleiss_kappa": (
        "assumes every rater rated every item: only documents all annotators annotated;"
        " tokens with O as items; three or more annotators; per label: label against rest"
    ),
    "krippendorff_alpha": (
        "nominal, tokens with O as units; a document an annotator did not annotate is"
        " missing data; depends on the tokenisation like token kappa"
    ),
    "unitizing_alpha": (
        "characters of documents all annotators annotated, laid end to end as one"
        " continuum; per label, overlapping spans of one annotator and label are merged;"
        " 'labels ignored' treats every span alike; the overall value pools the labels"
        " (1 - sum Do / sum De); with three or more annotators this 2004 form is known to"
        " misbehave (Krippendorff et al. 2016)"
    ),
    "confusion": (
        "pairs spans whatever their label, exact offsets first, then largest overlap;"
        " a span overlapping several is paired with one and the rest meet O; tokens"
        " nobody labelled are not counted, so the O/O cell stays 0"
    ),
}


# -- plain data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    """One document's text and, per annotator who annotated it, spans and document labels.

    A key in `layers` (even with no span) says that annotator annotated the document; an
    annotator without a key did not, and measures skip the document for them.
    """

    id: int
    text: str
    layers: Mapping[str, Sequence[SpanTuple]]
    labels: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgreementData:
    """What the measures read. `span_labels` and `document_labels` give the report's
    order; labels found in the data but not listed are added after them, sorted."""

    annotators: tuple[str, ...]
    documents: tuple[AgreementDocument, ...]
    span_labels: tuple[str, ...] = ()
    document_labels: tuple[str, ...] = ()
    project_id: int | None = None
    single_annotator_documents: int = 0

    def annotated(self) -> dict[str, set[int]]:
        """Document ids each annotator annotated."""
        return {
            name: {document.id for document in self.documents if name in document.layers}
            for name in self.annotators
        }

    def subset(self, document_ids: Iterable[int]) -> AgreementData:
        """The same data restricted to some documents, e.g. to report one document."""
        wanted = set(document_ids)
        return AgreementData(
            self.annotators,
            tuple(document for document in self.documents if document.id in wanted),
            self.span_labels, self.document_labels, self.project_id,
        )  # fmt: skip


# -- lower-level measures on plain arrays -------------------------------------------------


def tokenize(
    text: str, pattern: str | re.Pattern[str] = TOKEN_PATTERN
) -> tuple[IntArray, IntArray]:
    """Token starts and ends (code points, end exclusive); empty matches are dropped."""
    splitter = _splitter(pattern if isinstance(pattern, str) else pattern.pattern,
                         0 if isinstance(pattern, str) else pattern.flags)  # fmt: skip
    if splitter is not None:
        # Splitting on one capturing group alternates gap, token, gap, ...: the lengths
        # of the pieces are all that is needed, and split and len both run in C.
        pieces = splitter.split(text)
        ends = np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)))
        starts, stops = ends[0:-1:2], ends[1::2]
    else:
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        bounds = np.array([m.span() for m in compiled.finditer(text)], dtype=np.int64)
        starts, stops = bounds.reshape(-1, 2)[:, 0], bounds.reshape(-1, 2)[:, 1]
    keep = starts < stops
    return starts[keep].copy(), stops[keep].copy()


@lru_cache(maxsize=16)
def _splitter(pattern: str, flags: int) -> re.Pattern[str] | None:
    """The pattern wrapped in one capturing group, or None when that is not safe."""
    try:
        if re.compile(pattern, flags).groups:
            return None
        return re.compile(f"({pattern})", flags)
    except re.error:  # e.g. global flags like (?i) must stay at the very start
        return None


def token_labels(
    text: str,
    spans: Sequence[SpanTuple],
    *,
    labels: Sequence[str] = (),
    pattern: str = TOKEN_PATTERN,
) -> list[str]:
    """Each token's label by the rules the token measures use ("O" outside every span),
    for checking them and for showing an annotator what was compared."""
    data = AgreementData(("",), (AgreementDocument(0, text, {"": spans}),), tuple(labels))
    prepared = _Prepared(data, pattern, minimum=1)
    names = (OUTSIDE, *prepared.labels)
    return [names[code] for code in prepared.token_codes[0].tolist()]


def cohen_kappa(confusion: NDArray[Any]) -> float:
    """Cohen's kappa from a square confusion matrix (rows: first rater); NaN when the
    raters used one and the same category throughout, as scikit-learn gives."""
    matrix = np.asarray(confusion, dtype=np.float64)
    total = matrix.sum()
    if total == 0:
        return math.nan
    observed = np.trace(matrix) / total
    expected = float(matrix.sum(axis=1) @ matrix.sum(axis=0)) / (total * total)
    if expected >= 1.0:
        return math.nan
    return float((observed - expected) / (1.0 - expected))


def fleiss_kappa(counts: NDArray[Any]) -> float:
    """Fleiss' (1971) kappa from a subject x category matrix of rater counts.

    Every subject must have been rated by the same number of raters (two or more).
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] == 0:
        return math.nan
    raters = table.sum(axis=1)
    n = raters[0]
    if n < 2 or not np.all(raters == n):
        raise ValueError("Fleiss' kappa needs the same number (>= 2) of raters per subject")
    subjects = table.shape[0]
    shares = table.sum(axis=0) / (subjects * n)
    per_subject = ((table * table).sum(axis=1) - n) / (n * (n - 1))
    observed = per_subject.mean()
    expected = float(shares @ shares)
    if expected >= 1.0:
        return math.nan
    return float((observed - expected) / (1.0 - expected))


def krippendorff_alpha_counts(counts: NDArray[Any]) -> float:
    """Nominal Krippendorff's alpha from a unit x value matrix of how many coders gave each
    value; units with fewer than two values are not pairable and drop out."""
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError("expected a unit x value matrix")
    coders = table.sum(axis=1)
    table, coders = table[coders >= 2], coders[coders >= 2]
    total = coders.sum()
    if total == 0:
        return math.nan
    agreeing = float((table * (table - 1) / (coders - 1)[:, None]).sum())
    per_value = table.sum(axis=0)
    spread = total * total - float(per_value @ per_value)
    if spread == 0:
        return math.nan
    return float(1.0 - (total - 1) * (total - agreeing) / spread)


def krippendorff_alpha(reliability_data: NDArray[Any]) -> float:
    """Nominal alpha from coder x unit data with NaN for missing, the `krippendorff`
    package's input shape."""
    data = np.asarray(reliability_data, dtype=np.float64)
    present = ~np.isnan(data)
    values, codes = np.unique(data[present], return_inverse=True)
    units = np.nonzero(present)[1]
    counts = np.zeros((data.shape[1], len(values)), dtype=np.int64)
    np.add.at(counts, (units, codes), 1)
    return krippendorff_alpha_counts(counts)


@dataclass(frozen=True, slots=True)
class UnitizingScore:
    observed: float
    expected: float

    @property
    def alpha(self) -> float:
        if not self.expected:
            return math.nan
        return 1.0 - self.observed / self.expected


@dataclass(frozen=True, slots=True)
class UnitizingAlpha:
    """Krippendorff's unitizing alpha: per label, pooled over labels, and labels ignored."""

    by_label: dict[str, UnitizingScore]
    labels_ignored: UnitizingScore

    @property
    def overall(self) -> float:
        observed = sum(score.observed for score in self.by_label.values())
        expected = sum(score.expected for score in self.by_label.values())
        return 1.0 - observed / expected if expected else math.nan


def unitizing_disagreement(
    units: Sequence[Sequence[tuple[int, int]]], length: int, *, begin: int = 0
) -> UnitizingScore:
    """Observed and expected disagreement of one category (Krippendorff 2004, sec. 11.6).

    `units[i]` are coder i's units as (start, end) inside [begin, begin + length); a
    coder's overlapping units are merged first, since the formulas need them disjoint.
    """
    coders = [
        _merge_overlaps(np.array([u[0] for u in coded], np.int64),
                        np.array([u[1] for u in coded], np.int64))
        for coded in units
    ]  # fmt: skip
    for starts, ends in coders:
        if len(starts) and (starts.min() < begin or ends.max() > begin + length):
            raise ValueError("a unit lies outside the continuum")
    return _unitizing(coders, begin, length)


def unitizing_alpha(
    units: Sequence[Sequence[SpanTuple]], length: int, *, begin: int = 0
) -> UnitizingAlpha:
    """Unitizing alpha of labelled units, `units[i]` being coder i's (start, end, label)."""
    labels = sorted({unit[2] for coded in units for unit in coded})
    by_label = {
        label: unitizing_disagreement(
            [[(s, e) for s, e, name in coded if name == label] for coded in units],
            length, begin=begin,
        )
        for label in labels
    }  # fmt: skip
    ignored = unitizing_disagreement(
        [[(s, e) for s, e, _ in coded] for coded in units], length, begin=begin
    )
    return UnitizingAlpha(by_label, ignored)


def _merge_overlaps(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Disjoint units: overlapping ones become their union; touching ones stay apart."""
    if len(starts) == 0:
        return starts, ends
    order = np.lexsort((ends, starts))
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    fresh = np.ones(len(starts), dtype=bool)
    fresh[1:] = starts[1:] >= reach[:-1]
    heads = np.flatnonzero(fresh)
    return starts[heads], np.maximum.reduceat(ends, heads)


def _unitizing(
    coders: Sequence[tuple[IntArray, IntArray]], begin: int, length: int
) -> UnitizingScore:
    """cDo and cDe of Krippendorff (2004) for disjoint sorted units of one category.

    Observed: over ordered coder pairs, units that overlap add (start gap)^2 + (end gap)^2,
    a unit lying in the other coder's gap adds its length^2; divided by m(m-1)L^2.
    Expected: 2/L * sum over units g of [(N-1)(2l^3 - 3l^2 + l)/3
    + l^2 * sum over gaps h with l_h >= l of (l_h - l + 1)], over mL(mL-1) - sum l(l-1).
    """
    m = len(coders)
    if m < 2 or length <= 0:
        return UnitizingScore(math.nan, math.nan)
    pair_sum = 0.0
    for (s1, e1), (s2, e2) in combinations(coders, 2):
        first, second = _overlapping_pairs(s1, e1, s2, e2)
        pair_sum += float(
            np.sum((s1[first] - s2[second]).astype(np.float64) ** 2)
            + np.sum((e1[first] - e2[second]).astype(np.float64) ** 2)
        )
        for starts, ends, touched in ((s1, e1, first), (s2, e2, second)):
            alone = np.ones(len(starts), dtype=bool)
            alone[touched] = False
            pair_sum += float(np.sum((ends[alone] - starts[alone]).astype(np.float64) ** 2))
    observed = 2.0 * pair_sum / (m * (m - 1) * float(length) ** 2)

    lengths = np.concatenate([e - s for s, e in coders]).astype(np.float64)
    gaps = np.sort(np.concatenate([_gaps(s, e, begin, begin + length) for s, e in coders]))
    gaps = gaps.astype(np.float64)
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
    first_fit = np.searchsorted(gaps, lengths, side="left")
    fitting = len(gaps) - first_fit
    room = suffix[first_fit] - fitting * (lengths - 1.0)
    count = len(lengths)
    within = (count - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3.0
    numerator = 2.0 / length * float(np.sum(within + lengths**2 * room))
    total = m * float(length)
    denominator = total * (total - 1) - float(np.sum(lengths * (lengths - 1)))
    expected = numerator / denominator if denominator else math.nan
    return UnitizingScore(observed, expected)


def _gaps(starts: IntArray, ends: IntArray, begin: int, finish: int) -> IntArray:
    edges_from = np.concatenate([[begin], ends])
    edges_to = np.concatenate([starts, [finish]])
    sizes = edges_to - edges_from
    return sizes[sizes > 0]


# -- span matching ------------------------------------------------------------------------


def _expand_ranges(low: IntArray, high: IntArray) -> tuple[IntArray, IntArray]:
    """Every (k, i) with low[k] <= i < high[k], without a Python loop."""
    counts = np.maximum(high - low, 0)
    owner = np.repeat(np.arange(len(low), dtype=np.int64), counts)
    firsts = np.cumsum(counts) - counts
    index = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(firsts - low, counts)
    return owner, index


def _overlapping_pairs(
    a_start: IntArray, a_end: IntArray, b_start: IntArray, b_end: IntArray
) -> tuple[IntArray, IntArray]:
    """Index pairs (i, j) whose intervals share at least one position.

    B sorted by start with a running maximum of ends bounds each A's candidates to a
    window; nested spans only widen the window, they never make it wrong.
    """
    if len(a_start) == 0 or len(b_start) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(b_start, kind="stable")
    starts, ends = b_start[order], b_end[order]
    reach = np.maximum.accumulate(ends)
    low = np.searchsorted(reach, a_start, side="right")
    high = np.searchsorted(starts, a_end, side="left")
    first, window = _expand_ranges(low, high)
    keep = ends[window] > a_start[first]
    return first[keep], order[window[keep]]


def _greedy(
    first: IntArray, second: IntArray, keys: Sequence[NDArray[Any]], sizes: tuple[int, int]
) -> tuple[IntArray, IntArray]:
    """One-to-one pairs taken in `keys` order (most significant first) while both are free.

    A candidate whose two members have no other candidate is always taken, so only the
    contested ones go through the Python loop.
    """
    if len(first) == 0:
        return first, second
    order = np.lexsort(tuple(reversed([*keys, first, second])))
    first, second = first[order], second[order]
    alone = (np.bincount(first, minlength=sizes[0])[first] == 1) & (
        np.bincount(second, minlength=sizes[1])[second] == 1
    )
    taken_first: list[int] = []
    taken_second: list[int] = []
    used_first, used_second = bytearray(sizes[0]), bytearray(sizes[1])
    for i, j in zip(first[~alone].tolist(), second[~alone].tolist(), strict=True):
        if used_first[i] or used_second[j]:
            continue
        used_first[i] = used_second[j] = 1
        taken_first.append(i)
        taken_second.append(j)
    return (
        np.concatenate([first[alone], np.array(taken_first, dtype=np.int64)]),
        np.concatenate([second[alone], np.array(taken_second, dtype=np.int64)]),
    )


def match_spans(
    a: Sequence[SpanTuple], b: Sequence[SpanTuple], *, mode: str = "overlap"
) -> list[tuple[int, int]]:
    """Index pairs of matched spans of one document: mode "exact", "overlap" (same label
    in both) or "any" (the confusion matrix's pairing, whatever the label)."""
    labels = {label: k for k, label in enumerate(sorted({s[2] for s in (*a, *b)}))}
    arrays = [
        (np.array([s[0] for s in spans], np.int64), np.array([s[1] for s in spans], np.int64),
         np.array([labels[s[2]] for s in spans], np.int64))
        for spans in (a, b)
    ]  # fmt: skip
    if mode == "any":
        first, second = _confusion_pairs(*arrays[0], *arrays[1])
    elif mode in ("exact", "overlap"):
        shift = 1 + max([s[1] for s in (*a, *b)], default=0)
        first, second = _label_pairs(*arrays[0], *arrays[1], shift=shift, exact=mode == "exact")
    else:
        raise ValueError(f"unknown match mode {mode!r}")
    return sorted(zip(first.tolist(), second.tolist(), strict=True))


def _label_pairs(
    a_start: IntArray, a_end: IntArray, a_code: IntArray,
    b_start: IntArray, b_end: IntArray, b_code: IntArray, *, shift: int, exact: bool,
) -> tuple[IntArray, IntArray]:  # fmt: skip
    """Same-label matching: labels are moved apart by `shift` so one sweep serves all."""
    first, second = _overlapping_pairs(
        a_start + a_code * shift, a_end + a_code * shift,
        b_start + b_code * shift, b_end + b_code * shift,
    )  # fmt: skip
    sizes = (len(a_start), len(b_start))
    if exact:
        same = (a_start[first] == b_start[second]) & (a_end[first] == b_end[second])
        return _greedy(first[same], second[same], (), sizes)
    overlap = np.minimum(a_end[first], b_end[second]) - np.maximum(a_start[first], b_start[second])
    offset = np.abs(a_start[first] - b_start[second]) + np.abs(a_end[first] - b_end[second])
    return _greedy(first, second, (-overlap, offset, a_start[first], b_start[second]), sizes)


def _confusion_pairs(
    a_start: IntArray, a_end: IntArray, a_code: IntArray,
    b_start: IntArray, b_end: IntArray, b_code: IntArray,
) -> tuple[IntArray, IntArray]:  # fmt: skip
    """Label-blind pairing: exact offsets first (same label preferred), then overlap."""
    first, second = _overlapping_pairs(a_start, a_end, b_start, b_end)
    sizes = (len(a_start), len(b_start))
    differs = (a_code[first] != b_code[second]).astype(np.int64)
    same = (a_start[first] == b_start[second]) & (a_end[first] == b_end[second])
    exact_a, exact_b = _greedy(first[same], second[same], (differs[same],), sizes)
    free_a = np.ones(sizes[0], dtype=bool)
    free_b = np.ones(sizes[1], dtype=bool)
    free_a[exact_a] = False
    free_b[exact_b] = False
    rest = free_a[first] & free_b[second]
    first, second, differs = first[rest], second[rest], differs[rest]
    overlap = np.minimum(a_end[first], b_end[second]) - np.maximum(a_start[first], b_start[second])
    offset = np.abs(a_start[first] - b_start[second]) + np.abs(a_end[first] - b_end[second])
    near_a, near_b = _greedy(
        first, second, (-overlap, differs, offset, a_start[first], b_start[second]), sizes
    )
    return np.concatenate([exact_a, near_a]), np.concatenate([exact_b, near_b])


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class F1Score:
    """Agreement counted as matches: `agreed` of `a_count` (reference) and `b_count`."""

    agreed: int
    a_count: int
    b_count: int

    @property
    def precision(self) -> float:
        """B measured against A."""
        return self.agreed / self.b_count if self.b_count else math.nan

    @property
    def recall(self) -> float:
        return self.agreed / self.a_count if self.a_count else math.nan

    @property
    def f1(self) -> float:
        """Symmetric: 2 agreed / (a + b)."""
        total = self.a_count + self.b_count
        return 2 * self.agreed / total if total else math.nan

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": _number(self.precision), "recall": _number(self.recall),
            "f1": _number(self.f1), "agreed": self.agreed, "a": self.a_count, "b": self.b_count,
        }  # fmt: skip


class CellPair(NamedTuple):
    """One entry behind a confusion cell; None stands for "O" (no span)."""

    document_id: int
    a: SpanTuple | None
    b: SpanTuple | None


@dataclass(frozen=True, slots=True)
class ConfusionMatrix:
    """Labels of paired spans: rows are A's labels then O, columns B's labels then O."""

    labels: tuple[str, ...]
    counts: NDArray[np.int64]
    _row: IntArray = field(repr=False)
    _column: IntArray = field(repr=False)
    _document: IntArray = field(repr=False)
    _a: IntArray = field(repr=False)  # place in A's layer, -1 for O
    _b: IntArray = field(repr=False)
    _source: tuple[tuple[AgreementDocument, ...], str, str] = field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.labels, OUTSIDE)

    def count(self, row: str, column: str) -> int:
        return int(self.counts[self.names.index(row), self.names.index(column)])

    def cell(self, row: str, column: str) -> list[CellPair]:
        """The span pairs behind one cell, in document and text order."""
        r, c = self.names.index(row), self.names.index(column)
        documents, a, b = self._source
        found = []
        for k in np.flatnonzero((self._row == r) & (self._column == c)).tolist():
            document = documents[int(self._document[k])]
            x, y = int(self._a[k]), int(self._b[k])
            found.append(
                CellPair(
                    document.id,
                    _as_span(document.layers[a][x]) if x >= 0 else None,
                    _as_span(document.layers[b][y]) if y >= 0 else None,
                )
            )
        return found

    def disagreements(self) -> Iterator[tuple[str, str, list[CellPair]]]:
        """Every off-diagonal cell that is not empty."""
        for r, c in zip(*np.nonzero(self.counts), strict=True):
            if r != c:
                yield self.names[r], self.names[c], self.cell(self.names[r], self.names[c])

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.names), "counts": self.counts.tolist()}


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """Two annotators on the documents both annotated; A is the reference for P and R."""

    a: str
    b: str
    documents: int
    tokens: int
    exact: F1Score
    exact_by_label: dict[str, F1Score]
    overlap: F1Score
    overlap_by_label: dict[str, F1Score]
    token_kappa: float
    token_kappa_by_label: dict[str, float]
    token_f1: F1Score
    token_f1_by_label: dict[str, F1Score]
    document_kappa: float
    document_kappa_by_label: dict[str, float]
    confusion: ConfusionMatrix

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "tokens": self.tokens,
            "exact_f1": _by_label(self.exact, self.exact_by_label),
            "overlap_f1": _by_label(self.overlap, self.overlap_by_label),
            "token_kappa": _by_label(self.token_kappa, self.token_kappa_by_label),
            "token_f1": _by_label(self.token_f1, self.token_f1_by_label),
            "document_label_kappa": _by_label(self.document_kappa, self.document_kappa_by_label),
            "confusion": self.confusion.to_json(),
        }


@dataclass(frozen=True, slots=True)
class GroupAgreement:
    """All annotators at once."""

    annotators: tuple[str, ...]
    documents_all: int
    tokens_all: int
    fleiss_kappa: float
    fleiss_kappa_by_label: dict[str, float]
    documents_alpha: int
    tokens_alpha: int
    alpha: float
    alpha_by_label: dict[str, float]
    characters: int
    unitizing: UnitizingAlpha

    def to_json(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "documents_all": self.documents_all,
            "tokens_all": self.tokens_all,
            "fleiss_kappa": _by_label(self.fleiss_kappa, self.fleiss_kappa_by_label),
            "documents_alpha": self.documents_alpha,
            "tokens_alpha": self.tokens_alpha,
            "krippendorff_alpha": _by_label(self.alpha, self.alpha_by_label),
            "characters": self.characters,
            "unitizing_alpha": {
                "overall": _number(self.unitizing.overall),
                "labels_ignored": _number(self.unitizing.labels_ignored.alpha),
                "by_label": {
                    label: _number(score.alpha) for label, score in self.unitizing.by_label.items()
                },
            },
        }


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Everything `compute_report` measured; `to_json` for tools, `to_text` for people."""

    annotators: tuple[str, ...]
    span_labels: tuple[str, ...]
    document_labels: tuple[str, ...]
    documents: int
    token_pattern: str
    pairs: tuple[PairAgreement, ...]
    group: GroupAgreement
    single_annotator_documents: int = 0

    def pair(self, a: str, b: str) -> PairAgreement:
        for pair in self.pairs:
            if (pair.a, pair.b) == (a, b):
                return pair
        raise KeyError(f"no pair {a} / {b}; pairs keep the annotators' order")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types, stable keys, floats rounded to 4 places, NaN as None."""
        return {
            "annotators": list(self.annotators),
            "span_labels": list(self.span_labels),
            "document_labels": list(self.document_labels),
            "documents": self.documents,
            "single_annotator_documents": self.single_annotator_documents,
            "token_pattern": self.token_pattern,
            "pairs": [pair.to_json() for pair in self.pairs],
            "all_annotators": self.group.to_json(),
            "caveats": dict(CAVEATS),
        }

    def to_text(self) -> str:
        return _render_text(self)


def compute_report(data: AgreementData, *, token_pattern: str = TOKEN_PATTERN) -> AgreementReport:
    """Every measure for every pair of `data.annotators`, and for all of them at once."""
    prepared = _Prepared(data, token_pattern)
    pairs = tuple(
        _pair_agreement(prepared, a, b) for a, b in combinations(range(len(data.annotators)), 2)
    )
    return AgreementReport(
        data.annotators, prepared.labels, prepared.document_labels,
        int(np.count_nonzero(prepared.annotated.sum(axis=0) >= 2)), token_pattern, pairs,
        _group_agreement(prepared), data.single_annotator_documents,
    )  # fmt: skip


class _Prepared:
    """The data as arrays on one continuum: every document's text laid end to end."""

    def __init__(self, data: AgreementData, pattern: str, *, minimum: int = 2) -> None:
        names = data.annotators
        documents = data.documents
        self.data = data
        self.labels = _ordered(
            data.span_labels,
            (s[2] for d in documents for n in names for s in d.layers.get(n, ())),
        )
        self.document_labels = _ordered(
            data.document_labels,
            (label for d in documents for n in names for label in d.labels.get(n, ())),
        )
        self.codes = {label: k + 1 for k, label in enumerate(self.labels)}
        lengths = np.array([len(d.text) for d in documents], dtype=np.int64)
        self.lengths = lengths
        self.offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.shift = int(self.offsets[-1]) + 1
        self.annotated = np.array(
            [[name in d.layers for d in documents] for name in names], dtype=bool
        ).reshape(len(names), len(documents))

        # Tokens only where a comparison can happen: two or more annotators.
        compiled = re.compile(pattern)
        token_starts: list[IntArray] = []
        token_ends: list[IntArray] = []
        token_docs: list[IntArray] = []
        for k in np.flatnonzero(self.annotated.sum(axis=0) >= minimum):
            starts, ends = tokenize(documents[k].text, compiled)
            token_starts.append(starts + self.offsets[k])
            token_ends.append(ends + self.offsets[k])
            token_docs.append(np.full(len(starts), k, dtype=np.int64))
        self.token_start = _joined(token_starts)
        self.token_end = _joined(token_ends)
        self.token_doc = _joined(token_docs)

        self.spans = [self._span_arrays(name) for name in names]
        per_annotator = [self._token_codes(k) for k in range(len(names))]
        self.token_codes = (
            np.stack(per_annotator)
            if per_annotator
            else np.zeros((0, len(self.token_start)), dtype=np.int64)
        )
        marks = {label: k for k, label in enumerate(self.document_labels)}
        self.document_marks = np.zeros(
            (len(names), len(documents), len(self.document_labels)), dtype=bool
        )
        for i, name in enumerate(names):
            for k, document in enumerate(documents):
                for label in document.labels.get(name, ()):
                    self.document_marks[i, k, marks[label]] = True

    def _span_arrays(self, name: str) -> _Spans:
        doc: list[int] = []
        place: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        codes: list[int] = []
        code_of = self.codes.__getitem__
        for k, document in enumerate(self.data.documents):
            layer = document.layers.get(name)
            if not layer:
                continue
            layer_starts, layer_ends, layer_labels = zip(*layer, strict=True)
            starts.extend(layer_starts)
            ends.extend(layer_ends)
            codes.extend(map(code_of, layer_labels))
            doc.extend([k] * len(layer))
            place.extend(range(len(layer)))
        doc_array = np.array(doc, dtype=np.int64)
        local_start = np.array(starts, dtype=np.int64)
        local_end = np.array(ends, dtype=np.int64)
        bad = np.flatnonzero(
            (local_start < 0) | (local_end <= local_start) | (local_end > self.lengths[doc_array])
        )
        if len(bad):
            k = int(bad[0])
            raise ValueError(
                f"span {starts[k]}-{ends[k]} of {name} does not fit document"
                f" {self.data.documents[doc[k]].id} ({self.lengths[doc[k]]} characters)"
            )
        base = self.offsets[doc_array]
        return _Spans(
            doc_array, np.array(place, dtype=np.int64), local_start + base, local_end + base,
            np.array(codes, dtype=np.int64),
        )  # fmt: skip

    def _token_codes(self, who: int) -> IntArray:
        """Label code per token (0 = O, -1 = document not annotated by them)."""
        codes = np.where(self.annotated[who][self.token_doc], 0, -1).astype(np.int64)
        spans = self.spans[who]
        if len(spans.start) == 0 or len(self.token_start) == 0:
            return codes
        low = np.searchsorted(self.token_end, spans.start, side="right")
        high = np.searchsorted(self.token_start, spans.end, side="left")
        # Rank spans so that the smallest rank is the one a token keeps.
        order = np.lexsort((spans.code, spans.start, spans.end - spans.start))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        owner, token = _expand_ranges(low, high)
        best = np.full(len(codes), len(order), dtype=np.int64)
        np.minimum.at(best, token, rank[owner])
        hit = best < len(order)
        codes[hit] = spans.code[order[best[hit]]]
        return codes


@dataclass(frozen=True, slots=True)
class _Spans:
    doc: IntArray
    place: IntArray
    start: IntArray
    end: IntArray
    code: IntArray

    def where(self, keep: NDArray[np.bool_]) -> _Spans:
        return _Spans(self.doc[keep], self.place[keep], self.start[keep], self.end[keep],
                      self.code[keep])  # fmt: skip


def _pair_agreement(prepared: _Prepared, i: int, j: int) -> PairAgreement:
    both = prepared.annotated[i] & prepared.annotated[j]
    first_all, second_all = prepared.spans[i], prepared.spans[j]
    keep_a, keep_b = both[first_all.doc], both[second_all.doc]
    a, b = first_all.where(keep_a), second_all.where(keep_b)
    labels = prepared.labels
    count = len(labels) + 1

    def f1_scores(first: IntArray) -> tuple[F1Score, dict[str, F1Score]]:
        agreed = np.bincount(a.code[first], minlength=count)
        a_count = np.bincount(a.code, minlength=count)
        b_count = np.bincount(b.code, minlength=count)
        overall = F1Score(len(first), len(a.code), len(b.code))
        return overall, {
            label: F1Score(int(agreed[k + 1]), int(a_count[k + 1]), int(b_count[k + 1]))
            for k, label in enumerate(labels)
        }

    exact_first, _ = _label_pairs(
        a.start, a.end, a.code, b.start, b.end, b.code, shift=prepared.shift, exact=True
    )
    near_first, _ = _label_pairs(
        a.start, a.end, a.code, b.start, b.end, b.code, shift=prepared.shift, exact=False
    )
    exact, exact_by_label = f1_scores(exact_first)
    overlap, overlap_by_label = f1_scores(near_first)

    token_a, token_b = prepared.token_codes[i], prepared.token_codes[j]
    shared = (token_a >= 0) & (token_b >= 0)
    table = np.bincount(token_a[shared] * count + token_b[shared], minlength=count * count).reshape(
        count, count
    )
    kappa_by_label = {label: cohen_kappa(_binary(table, k + 1)) for k, label in enumerate(labels)}
    token_f1_by_label = {
        label: F1Score(int(table[k, k]), int(table[k].sum()), int(table[:, k].sum()))
        for k, label in enumerate(labels, start=1)
    }
    token_f1 = F1Score(int(np.trace(table[1:, 1:])), int(table[1:].sum()), int(table[:, 1:].sum()))

    marks_a = prepared.document_marks[i][both]
    marks_b = prepared.document_marks[j][both]
    document_by_label = {
        label: cohen_kappa(_two_by_two(marks_a[:, k], marks_b[:, k]))
        for k, label in enumerate(prepared.document_labels)
    }
    document_kappa = cohen_kappa(_two_by_two(marks_a.ravel(), marks_b.ravel()))

    return PairAgreement(
        prepared.data.annotators[i], prepared.data.annotators[j], int(both.sum()),
        int(shared.sum()), exact, exact_by_label, overlap, overlap_by_label,
        cohen_kappa(table), kappa_by_label, token_f1, token_f1_by_label,
        document_kappa, document_by_label,
        _confusion(prepared, i, j, np.flatnonzero(keep_a), np.flatnonzero(keep_b)),
    )  # fmt: skip


def _confusion(
    prepared: _Prepared, i: int, j: int, a_index: IntArray, b_index: IntArray
) -> ConfusionMatrix:
    a, b = prepared.spans[i].where(a_index), prepared.spans[j].where(b_index)
    first, second = _confusion_pairs(a.start, a.end, a.code, b.start, b.end, b.code)
    outside = len(prepared.labels)  # codes are label index + 1; O goes last here
    lone_a = np.ones(len(a.code), dtype=bool)
    lone_a[first] = False
    lone_a = np.flatnonzero(lone_a)
    lone_b = np.ones(len(b.code), dtype=bool)
    lone_b[second] = False
    lone_b = np.flatnonzero(lone_b)
    rows = np.concatenate([a.code[first] - 1, a.code[lone_a] - 1,
                           np.full(len(lone_b), outside)]).astype(np.int64)  # fmt: skip
    columns = np.concatenate([b.code[second] - 1, np.full(len(lone_a), outside),
                              b.code[lone_b] - 1]).astype(np.int64)  # fmt: skip
    side_a = np.concatenate([first, lone_a, np.full(len(lone_b), -1)]).astype(np.int64)
    side_b = np.concatenate([second, np.full(len(lone_a), -1), lone_b]).astype(np.int64)
    where = np.concatenate([a.start[first], a.start[lone_a], b.start[lone_b]])
    order = np.argsort(where, kind="stable")
    rows, columns, side_a, side_b = rows[order], columns[order], side_a[order], side_b[order]
    has_a, has_b = side_a >= 0, side_b >= 0
    document = np.empty(len(rows), dtype=np.int64)
    document[has_a] = a.doc[side_a[has_a]]
    document[~has_a] = b.doc[side_b[~has_a]]
    place_a = np.full(len(rows), -1, dtype=np.int64)
    place_a[has_a] = a.place[side_a[has_a]]
    place_b = np.full(len(rows), -1, dtype=np.int64)
    place_b[has_b] = b.place[side_b[has_b]]
    size = outside + 1
    counts = np.bincount(rows * size + columns, minlength=size * size).reshape(size, size)
    names = prepared.data.annotators
    return ConfusionMatrix(
        prepared.labels, counts.astype(np.int64), rows, columns, document, place_a, place_b,
        (prepared.data.documents, names[i], names[j]),
    )  # fmt: skip


def _group_agreement(prepared: _Prepared) -> GroupAgreement:
    names = prepared.data.annotators
    m = len(names)
    count = len(prepared.labels) + 1
    codes = prepared.token_codes

    every = prepared.annotated.all(axis=0) if m else np.zeros(0, dtype=bool)
    tokens_all = every[prepared.token_doc] if m else np.zeros(0, dtype=bool)
    fleiss = math.nan
    fleiss_by_label = dict.fromkeys(prepared.labels, math.nan)
    if m >= 3 and tokens_all.any():
        table = _count_table(codes[:, tokens_all], count)
        fleiss = fleiss_kappa(table)
        fleiss_by_label = dict(zip(prepared.labels, _fleiss_binary(table[:, 1:], m), strict=True))

    table = _count_table(codes, count)
    raters = table.sum(axis=1)
    pairable = raters >= 2
    alpha = krippendorff_alpha_counts(table[pairable])
    alpha_by_label = dict(
        zip(prepared.labels, _alpha_binary(table[pairable, 1:], raters[pairable]), strict=True)
    )
    alpha_documents = np.flatnonzero(
        np.bincount(prepared.token_doc[pairable], minlength=len(prepared.lengths))
    )

    unitizing, characters = _group_unitizing(prepared, every)
    return GroupAgreement(
        names, int(every.sum()), int(tokens_all.sum()), fleiss, fleiss_by_label,
        len(alpha_documents), int(pairable.sum()), alpha, alpha_by_label,
        characters, unitizing,
    )  # fmt: skip


def _group_unitizing(prepared: _Prepared, every: NDArray[np.bool_]) -> tuple[UnitizingAlpha, int]:
    """Unitizing alpha on the documents all annotated, laid end to end without the others."""
    lengths = np.where(every, prepared.lengths, 0)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    length = int(offsets[-1])
    coders = []
    for spans in prepared.spans:
        keep = every[spans.doc] if len(spans.doc) else np.zeros(0, dtype=bool)
        moved = offsets[spans.doc[keep]] - prepared.offsets[spans.doc[keep]]
        coders.append((spans.start[keep] + moved, spans.end[keep] + moved, spans.code[keep]))
    by_label = {}
    for k, label in enumerate(prepared.labels, start=1):
        units = [_merge_overlaps(s[c == k], e[c == k]) for s, e, c in coders]
        by_label[label] = _unitizing(units, 0, length)
    ignored = _unitizing([_merge_overlaps(s, e) for s, e, _ in coders], 0, length)
    return UnitizingAlpha(by_label, ignored), length


def _fleiss_binary(counts: NDArray[np.int64], raters: int) -> list[float]:
    """Fleiss' kappa of each column against the rest, all columns at once."""
    chosen = counts.astype(np.float64)
    other = raters - chosen
    subjects = len(chosen)
    agreement = ((chosen * (chosen - 1) + other * (other - 1)) / (raters * (raters - 1))).mean(0)
    share = chosen.sum(axis=0) / (subjects * raters)
    expected = share * share + (1 - share) * (1 - share)
    return [
        float((p - e) / (1 - e)) if e < 1 else math.nan
        for p, e in zip(agreement.tolist(), expected.tolist(), strict=True)
    ]


def _alpha_binary(counts: NDArray[np.int64], raters: NDArray[np.int64]) -> list[float]:
    """Nominal alpha of each column against the rest, for pairable units only."""
    chosen = counts.astype(np.float64)
    other = raters[:, None].astype(np.float64) - chosen
    total = float(raters.sum())
    agreeing = ((chosen * (chosen - 1) + other * (other - 1)) / (raters - 1)[:, None]).sum(0)
    share = chosen.sum(axis=0)
    spread = total * total - share * share - (total - share) ** 2
    return [
        float(1 - (total - 1) * (total - a) / s) if s else math.nan
        for a, s in zip(agreeing.tolist(), spread.tolist(), strict=True)
    ]


def _count_table(codes: NDArray[np.int64], count: int) -> NDArray[np.int64]:
    """Unit x category counts from annotator x unit codes, -1 (missing) left out."""
    units = codes.shape[1]
    present = codes >= 0
    unit_index = np.broadcast_to(np.arange(units), codes.shape)[present]
    flat = np.bincount(unit_index * count + codes[present], minlength=units * count)
    return flat.reshape(units, count)


def _binary(table: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    """One label against the rest, from a full confusion matrix."""
    both = table[k, k]
    only_a = table[k].sum() - both
    only_b = table[:, k].sum() - both
    neither = table.sum() - both - only_a - only_b
    return np.array([[neither, only_b], [only_a, both]])


def _two_by_two(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> NDArray[np.int64]:
    return np.bincount(a.astype(np.int64) * 2 + b, minlength=4).reshape(2, 2)


def _as_span(span: Sequence[Any]) -> SpanTuple:
    start, end, label = span
    return start, end, label


def _ordered(listed: Sequence[str], seen: Iterable[str]) -> tuple[str, ...]:
    known = set(listed)
    extra = sorted(set(seen) - known)
    return (*listed, *extra)


def _joined(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


# -- serialising --------------------------------------------------------------------------


def _number(value: float) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), DIGITS)


def _value(value: float | F1Score) -> Any:
    return value.to_json() if isinstance(value, F1Score) else _number(value)


def _by_label(overall: float | F1Score, by_label: Mapping[str, float | F1Score]) -> dict[str, Any]:
    return {
        "overall": _value(overall),
        "by_label": {label: _value(value) for label, value in by_label.items()},
    }


def _cell(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.3f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    widths = [max(len(str(row[k])) for row in (headers, *rows)) for k in range(len(headers))]
    lines = [
        indent + "  ".join(
            str(cell).ljust(width) if k == 0 else str(cell).rjust(width)
            for k, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in (headers, *rows)
    ]  # fmt: skip
    lines.insert(1, indent + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _render_text(report: AgreementReport) -> str:
    out = [
        "Inter-annotator agreement",
        f"  annotators: {', '.join(report.annotators) or 'none'}",
        f"  documents annotated by two or more: {report.documents:,}"
        + (
            f" (and {report.single_annotator_documents:,} by only one, left out)"
            if report.single_annotator_documents
            else ""
        ),
        f"  tokens: regular expression {report.token_pattern}",
        "",
        "Pairs (A is the reference for precision and recall; F1 and kappa are symmetric)",
    ]
    pair_rows = [
        [
            f"{pair.a} / {pair.b}", f"{pair.documents:,}",
            _cell(pair.exact.precision), _cell(pair.exact.recall), _cell(pair.exact.f1),
            _cell(pair.overlap.precision), _cell(pair.overlap.recall), _cell(pair.overlap.f1),
            _cell(pair.token_kappa), _cell(pair.token_f1.f1), _cell(pair.document_kappa),
        ]
        for pair in report.pairs
    ]  # fmt: skip
    out.append(
        _table(
            [
                "A / B",
                "docs",
                "exact P",
                "exact R",
                "exact F1",
                "ovl P",
                "ovl R",
                "ovl F1",
                "tok kappa",
                "tok F1",
                "doc kappa",
            ],
            pair_rows,
        )
    )
    for pair in report.pairs:
        out += ["", f"Per label, {pair.a} / {pair.b} ({pair.tokens:,} tokens)"]
        rows = [
            [label, str(pair.exact_by_label[label].a_count),
             str(pair.exact_by_label[label].b_count), _cell(pair.exact_by_label[label].f1),
             _cell(pair.overlap_by_label[label].f1), _cell(pair.token_kappa_by_label[label]),
             _cell(pair.token_f1_by_label[label].f1)]
            for label in report.span_labels
        ]  # fmt: skip
        out.append(
            _table(
                ["label", "A spans", "B spans", "exact F1", "ovl F1", "tok kappa", "tok F1"], rows
            )
        )
        if report.document_labels:
            out.append("")
            out.append(
                _table(
                    ["document label", "kappa"],
                    [
                        [label, _cell(pair.document_kappa_by_label[label])]
                        for label in report.document_labels
                    ],
                )
            )
        names = pair.confusion.names
        out += ["", f"  confusion: {pair.a} down, {pair.b} across (O = no span)"]
        out.append(
            _table(
                [f"{pair.a} \\ {pair.b}", *names],
                [
                    [name, *(str(v) for v in row)]
                    for name, row in zip(names, pair.confusion.counts.tolist(), strict=True)
                ],
                indent="    ",
            )
        )
    group = report.group
    out += [
        "",
        f"All annotators ({len(group.annotators)})",
        f"  Fleiss' kappa, tokens of the {group.documents_all:,} documents all annotated"
        f" ({group.tokens_all:,} tokens): {_cell(group.fleiss_kappa)}"
        + ("" if len(group.annotators) >= 3 else " (needs three or more annotators)"),
        f"  Krippendorff's alpha, nominal, tokens of {group.documents_alpha:,} documents"
        f" ({group.tokens_alpha:,} tokens): {_cell(group.alpha)}",
        f"  unitizing alpha over {group.characters:,} characters: pooled"
        f" {_cell(group.unitizing.overall)}, labels ignored"
        f" {_cell(group.unitizing.labels_ignored.alpha)}",
        "",
    ]
    out.append(
        _table(
            ["label", "Fleiss kappa", "alpha", "unitizing alpha"],
            [
                [
                    label,
                    _cell(group.fleiss_kappa_by_label[label]),
                    _cell(group.alpha_by_label[label]),
                    _cell(group.unitizing.by_label[label].alpha),
                ]
                for label in report.span_labels
            ],
        )
    )
    out += ["", "What each measure leaves out"]
    out += [f"  {name}: {text}" for name, text in CAVEATS.items()]
    return "\n".join(out) + "\n"


# -- loading from the database ------------------------------------------------------------


def load_project(
    engine: Engine,
    project_id: int,
    *,
    annotators: Sequence[str] | None = None,
    include_gold: bool = False,
) -> AgreementData:
    """A project's annotations for `compute_report`, read with SQLAlchemy Core.

    `annotators` picks and orders the people compared; by default everyone who annotated
    something in the project, by name, except the gold layer (the reserved annotator
    "gold", built by review), which is a reference rather than a rater, unless
    `include_gold`. Spans come in one pass ordered by document; texts are
    read only for documents two or more chosen annotators annotated.
    """
    with engine.connect() as connection:
        if (
            connection.execute(select(project_t.c.id).where(project_t.c.id == project_id)).first()
            is None
        ):
            raise UserError(f"no project with id {project_id}")
        rows = connection.execute(
            select(annotator_t.c.id, annotator_t.c.name, annotator_t.c.kind)
        ).all()
        people = {row.id: row.name for row in rows}
        by_name = {name: key for key, name in people.items()}
        gold = {row.id for row in rows if row.kind == AnnotatorKind.GOLD.value}
        if annotators is not None:
            chosen = list(dict.fromkeys(annotators))
            unknown = [name for name in chosen if name not in by_name]
            if unknown:
                raise UserError(f"no annotator named {', '.join(unknown)}")
            wanted: set[int] | None = {by_name[name] for name in chosen}
        else:
            wanted = None if include_gold or not gold else set(people) - gold
        labels = connection.execute(
            select(label_t.c.id, label_t.c.name, label_t.c.kind)
            .where(label_t.c.project_id == project_id)
            .order_by(label_t.c.position, label_t.c.id)
        ).all()
        label_name = {row.id: row.name for row in labels}
        layers, marks = _read_annotations(connection, project_id, wanted, people, label_name)
        if annotators is None:
            chosen = sorted({name for per_document in layers.values() for name in per_document})
        present = set(chosen)
        for per_document in layers.values():
            for name in [name for name in per_document if name not in present]:
                del per_document[name]
        shared = sorted(k for k, per_document in layers.items() if len(per_document) >= 2)
        solo = sum(1 for per_document in layers.values() if len(per_document) == 1)
        texts = _read_texts(connection, shared)
    documents = tuple(
        AgreementDocument(
            key, texts[key], layers[key],
            {name: frozenset(marks.get((key, name), ())) for name in layers[key]},
        )
        for key in shared
    )  # fmt: skip
    return AgreementData(
        tuple(chosen), documents,
        tuple(row.name for row in labels if row.kind == LabelKind.SPAN.value),
        tuple(row.name for row in labels if row.kind == LabelKind.DOCUMENT.value),
        project_id, solo,
    )  # fmt: skip


def _read_annotations(
    connection: Connection,
    project_id: int,
    wanted: set[int] | None,
    people: Mapping[int, str],
    label_name: Mapping[int, str],
) -> tuple[dict[int, dict[str, list[SpanTuple]]], dict[tuple[int, str], list[str]]]:
    """Spans, document labels and statuses as layers; a key means "annotated"."""
    layers: dict[int, dict[str, list[SpanTuple]]] = {}

    def restrict(query: Any, column: Any) -> Any:
        return query if wanted is None else query.where(column.in_(sorted(wanted)))

    in_project = document_t.c.project_id == project_id
    spans = restrict(
        select(span_t.c.document_id, span_t.c.annotator_id, span_t.c.label_id,
               span_t.c.start, span_t.c.end)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .where(in_project)
        .order_by(span_t.c.document_id, span_t.c.annotator_id),
        span_t.c.annotator_id,
    )  # fmt: skip
    # Every span ends up in memory anyway, so a plain pass beats a streamed one (which
    # costs SQLAlchemy's batching without saving memory here).
    current: tuple[int, int] | None = None
    layer: list[SpanTuple] = []
    for document_id, annotator_id, label_id, start, end in connection.execute(spans):
        if (document_id, annotator_id) != current:
            current = (document_id, annotator_id)
            layer = layers.setdefault(document_id, {}).setdefault(people[annotator_id], [])
        layer.append((start, end, label_name[label_id]))

    marks: dict[tuple[int, str], list[str]] = {}
    document_labels = restrict(
        select(doclabel_t.c.document_id, doclabel_t.c.annotator_id, doclabel_t.c.label_id)
        .join(document_t, document_t.c.id == doclabel_t.c.document_id)
        .where(in_project),
        doclabel_t.c.annotator_id,
    )
    for document_id, annotator_id, label_id in connection.execute(document_labels):
        name = people[annotator_id]
        layers.setdefault(document_id, {}).setdefault(name, [])
        marks.setdefault((document_id, name), []).append(label_name[label_id])
    statuses = restrict(
        select(status_t.c.document_id, status_t.c.annotator_id)
        .join(document_t, document_t.c.id == status_t.c.document_id)
        .where(in_project, status_t.c.status != Status.TODO.value),
        status_t.c.annotator_id,
    )
    for document_id, annotator_id in connection.execute(statuses):
        layers.setdefault(document_id, {}).setdefault(people[annotator_id], [])
    return layers, marks


def _read_texts(connection: Connection, document_ids: Sequence[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for at in range(0, len(document_ids), _IDS_PER_QUERY):
        batch = document_ids[at : at + _IDS_PER_QUERY]
        texts.update(
            connection.execute(
                select(document_t.c.id, document_t.c.text).where(document_t.c.id.in_(batch))
            ).all()
        )
    return texts
