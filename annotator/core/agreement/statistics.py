"""The agreement statistics on plain arrays: kappas, Krippendorff's alphas, unitizing alpha."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from annotator.core.agreement.data import IntArray, SpanTuple
from annotator.core.matching import overlapping_pairs


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
        first, second = overlapping_pairs(s1, e1, s2, e2)
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
    sizes: IntArray = edges_to - edges_from
    return sizes[sizes > 0]


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
