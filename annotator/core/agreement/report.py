"""Every measure for every pair of annotators and for all of them: `compute_report`."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from annotator.core.agreement.data import TOKEN_PATTERN, AgreementData, IntArray
from annotator.core.agreement.prepared import Prepared, Spans
from annotator.core.agreement.results import (
    AgreementReport,
    ConfusionMatrix,
    F1Score,
    GroupAgreement,
    PairAgreement,
)
from annotator.core.agreement.statistics import (
    UnitizingAlpha,
    _alpha_binary,
    _binary,
    _count_table,
    _fleiss_binary,
    _merge_overlaps,
    _two_by_two,
    _unitizing,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha_counts,
)
from annotator.core.matching import overlap_pairs, overlapping_pairs, tiered_pairs


def compute_report(data: AgreementData, *, token_pattern: str = TOKEN_PATTERN) -> AgreementReport:
    """Every measure for every pair of `data.annotators`, and for all of them at once."""
    prepared = Prepared(data, token_pattern)
    pairs = tuple(
        _pair_agreement(prepared, a, b) for a, b in combinations(range(len(data.annotators)), 2)
    )
    return AgreementReport(
        data.annotators, prepared.labels, prepared.document_labels,
        int(np.count_nonzero(prepared.annotated.sum(axis=0) >= 2)), token_pattern, pairs,
        _group_agreement(prepared), data.single_annotator_documents,
    )  # fmt: skip


def _pair_agreement(prepared: Prepared, i: int, j: int) -> PairAgreement:
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

    # One pairing for the confusion matrix and exact F1, as the review pairs spans. The
    # matcher sees labels ranked by name, as the review hands them over, so that even its
    # last tie-break between spans with the same offsets is the review's.
    rank = np.zeros(count, dtype=np.int64)
    rank[1:] = np.argsort(np.argsort(np.array(labels, dtype=object), kind="stable")) + 1
    arrays = (a.start, a.end, rank[a.code], b.start, b.end, rank[b.code])
    candidates = overlapping_pairs(a.start, a.end, b.start, b.end)
    tiered = tiered_pairs(*arrays, candidates=candidates)
    near_first, _ = overlap_pairs(*arrays, candidates=candidates)
    exact, exact_by_label = f1_scores(tiered[0][tiered[2] == 0])
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
        _confusion(prepared, i, j, a, b, tiered[0], tiered[1]),
    )  # fmt: skip


def _confusion(
    prepared: Prepared, i: int, j: int, a: Spans, b: Spans, first: IntArray, second: IntArray
) -> ConfusionMatrix:
    """The pairs (`first`, `second`) of A's spans `a` and B's `b` by label, lone ones at O."""
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


def _group_agreement(prepared: Prepared) -> GroupAgreement:
    names = prepared.data.annotators
    m = len(names)
    count = len(prepared.labels) + 1
    codes = prepared.token_codes

    every = np.asarray(prepared.annotated.all(axis=0) if m else np.zeros(0), dtype=np.bool_)
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


def _group_unitizing(prepared: Prepared, every: NDArray[np.bool_]) -> tuple[UnitizingAlpha, int]:
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
