"""The data as arrays on one continuum: tokens, and each annotator's spans and token labels.

Every document is laid end to end on one line of code points, so spans and tokens become
numpy arrays in that coordinate and each measure is a few array operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from annotator.core.agreement.data import (
    OUTSIDE,
    TOKEN_PATTERN,
    AgreementData,
    AgreementDocument,
    IntArray,
    SpanTuple,
)
from annotator.core.matching import expand_ranges


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
    prepared = Prepared(data, pattern, minimum=1)
    names = (OUTSIDE, *prepared.labels)
    return [names[code] for code in prepared.token_codes[0].tolist()]


class Prepared:
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
        self.annotated = np.array(
            [[name in d.layers for d in documents] for name in names], dtype=bool
        ).reshape(len(names), len(documents))

        # Tokens only where a comparison can happen: two or more annotators.
        compiled = re.compile(pattern)
        token_starts: list[IntArray] = []
        token_ends: list[IntArray] = []
        token_docs: list[IntArray] = []
        for k in np.flatnonzero(self.annotated.sum(axis=0) >= minimum).tolist():
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

    def _span_arrays(self, name: str) -> Spans:
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
        return Spans(
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
        owner, token = expand_ranges(low, high)
        best = np.full(len(codes), len(order), dtype=np.int64)
        np.minimum.at(best, token, rank[owner])
        hit = best < len(order)
        codes[hit] = spans.code[order[best[hit]]]
        return codes


@dataclass(frozen=True, slots=True)
class Spans:
    doc: IntArray
    place: IntArray
    start: IntArray
    end: IntArray
    code: IntArray

    def where(self, keep: NDArray[np.bool_]) -> Spans:
        return Spans(self.doc[keep], self.place[keep], self.start[keep], self.end[keep],
                      self.code[keep])  # fmt: skip


def _ordered(listed: Sequence[str], seen: Iterable[str]) -> tuple[str, ...]:
    known = set(listed)
    extra = sorted(set(seen) - known)
    return (*listed, *extra)


def _joined(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
