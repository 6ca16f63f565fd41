"""What the agreement report holds: F1 scores, the confusion matrix, per pair and per group."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from annotator.core.agreement.data import (
    CAVEATS,
    OUTSIDE,
    AgreementDocument,
    IntArray,
    SpanTuple,
)
from annotator.core.agreement.rendering import render_text
from annotator.core.agreement.statistics import UnitizingAlpha

DIGITS = 4


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


class PairMean(NamedTuple):
    """One measure over every pair: bratiaa's summary of pairwise F1."""

    mean: float
    sd: float  # population standard deviation (numpy's default, as bratiaa)
    pairs: int  # how many pairs had a value

    @classmethod
    def of(cls, values: Sequence[float]) -> PairMean:
        kept = np.array([v for v in values if not math.isnan(v)], dtype=float)
        if not len(kept):
            return cls(math.nan, math.nan, 0)
        return cls(float(kept.mean()), float(kept.std()), len(kept))

    def to_json(self) -> dict[str, Any]:
        return {"mean": _number(self.mean), "sd": _number(self.sd), "pairs": self.pairs}


# The F1 measures whose means over the pairs the report gives, by their JSON names.
PAIR_MEASURES = ("exact_f1", "overlap_f1", "token_f1")


def _f1_of(pair: PairAgreement, measure: str) -> tuple[F1Score, dict[str, F1Score]]:
    if measure == "exact_f1":
        return pair.exact, pair.exact_by_label
    if measure == "overlap_f1":
        return pair.overlap, pair.overlap_by_label
    return pair.token_f1, pair.token_f1_by_label


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

    def pair_mean(self, measure: str, label: str | None = None) -> PairMean:
        """Mean and SD over the pairs of one F1 (`exact_f1`, `overlap_f1`, `token_f1`),
        overall or for one label: how bratiaa summarises a team."""
        values = []
        for pair in self.pairs:
            overall, by_label = _f1_of(pair, measure)
            values.append((overall if label is None else by_label[label]).f1)
        return PairMean.of(values)

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
            "pair_means": {
                measure: {
                    "overall": self.pair_mean(measure).to_json(),
                    "by_label": {
                        label: self.pair_mean(measure, label).to_json()
                        for label in self.span_labels
                    },
                }
                for measure in PAIR_MEASURES
            },
            "all_annotators": self.group.to_json(),
            "caveats": dict(CAVEATS),
        }

    def to_text(self) -> str:
        return render_text(self)


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


def _as_span(span: Sequence[Any]) -> SpanTuple:
    start, end, label = span
    return start, end, label
