"""Labelling rules: what a label key does, and which span lies where, without a screen."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from annotator.base.text import snap_to_words, word_at
from annotator.base.vocabulary import LabelKind


class Extent(Protocol):
    """A span as the index needs it; offsets in one unit, whichever the caller counts in."""

    @property
    def id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class Keyed(Protocol):
    """A label as the hotkey rule needs it."""

    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def hotkey(self) -> str | None: ...


S = TypeVar("S", bound=Extent)
L = TypeVar("L", bound=Keyed)


def _key(span: Extent) -> tuple[int, int, int]:
    return (span.start, span.end, span.id)


def _innermost_first(span: Extent) -> tuple[int, int]:
    return (span.end - span.start, -span.start)


class SpanIndex(Generic[S]):
    """Spans sorted by start, so "what is here" costs a bisection, not a scan of the
    document's ten thousand spans. Units are the caller's: core counts code points,
    the article view UTF-16 units; the rules are the same."""

    def __init__(self, spans: Iterable[S] = ()) -> None:
        self._spans: list[S] = sorted(spans, key=_key)
        self._starts = [span.start for span in self._spans]
        self._by_id = {span.id: span for span in self._spans}
        # Never shrinks on removal: a longer bound only widens the window searched.
        self._longest = max((span.end - span.start for span in self._spans), default=0)

    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self) -> Iterator[S]:
        return iter(self._spans)

    def get(self, span_id: int | None) -> S | None:
        return self._by_id.get(span_id) if span_id is not None else None

    def add(self, span: S) -> None:
        """Insert (or replace) one span, keeping the order."""
        self.remove(span.id)
        position = bisect_left(self._spans, _key(span), key=_key)
        self._spans.insert(position, span)
        self._starts.insert(position, span.start)
        self._by_id[span.id] = span
        self._longest = max(self._longest, span.end - span.start)

    def remove(self, span_id: int) -> S | None:
        span = self._by_id.pop(span_id, None)
        if span is not None:
            position = bisect_left(self._spans, _key(span), key=_key)
            del self._spans[position]
            del self._starts[position]
        return span

    def _near(self, low: int, high: int) -> list[S]:
        """Spans that start in [low - longest, high]: every span that can reach [low, high]."""
        first = bisect_left(self._starts, low - self._longest)
        last = bisect_right(self._starts, high)
        return self._spans[first:last]

    def overlapping(self, start: int, stop: int) -> list[S]:
        """Non-empty spans sharing at least one unit with [start, stop), in text order."""
        if not self._spans:
            return []
        return [
            span for span in self._near(start, stop - 1)
            if span.start < stop and span.end > start and span.end > span.start
        ]  # fmt: skip

    def at(self, offset: int) -> list[S]:
        """Spans holding the character at `offset`, innermost (shortest) first: the
        spans nested at a click."""
        hits = [span for span in self.overlapping(offset, offset + 1) if span.start <= offset]
        hits.sort(key=lambda span: span.end - span.start)
        return hits

    def at_caret(self, caret: int) -> S | None:
        """The span a caret means: one holding the character after it, or ending right at
        it (the caret just after a word); the innermost when several do."""
        covering = [
            span for span in self._near(caret, caret)
            if span.start <= caret < span.end or (span.end == caret and caret > 0)
        ]  # fmt: skip
        return min(covering, key=_innermost_first) if covering else None

    def clicked(self, offset: int, selected: int | None) -> int | None:
        """The span a click at `offset` selects: the innermost, and clicking again while
        one of them is selected walks outwards, wrapping back to the innermost."""
        ids = [span.id for span in self.at(offset)]
        if not ids:
            return None
        if selected in ids:
            return ids[(ids.index(selected) + 1) % len(ids)]
        return ids[0]


LABEL_KEYS = tuple("123456789")
"""The keys labels get by themselves, in order; a tenth span label gets none."""


def next_free_key(taken: Iterable[str | None]) -> str | None:
    """The first of 1-9 no label holds, so every new span label can be keyed at once."""
    held = set(taken)
    return next((key for key in LABEL_KEYS if key not in held), None)


def label_for_key(labels: Iterable[L], key: str) -> L | None:
    """The span label a hotkey means; document labels are ticked, never keyed."""
    return next(
        (label for label in labels
         if label.hotkey == key and label.kind == LabelKind.SPAN and label.id is not None),
        None,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AddSpan:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Relabel:
    span_id: int


@dataclass(frozen=True, slots=True)
class Refuse:
    message: str


LabelStep = AddSpan | Relabel | Refuse


def label_step(
    text: str,
    *,
    selection: tuple[int, int] | None,
    caret: int,
    selected_span: int | None,
    snap: bool,
) -> LabelStep:
    """What a label key does: label the selection (widened to words when `snap`); with
    none, relabel the selected span, or else label the word at the caret."""
    if selection is None and selected_span is not None:
        return Relabel(selected_span)
    if selection is None:
        selection = word_at(text, caret)
        if selection is None:
            return Refuse("select some text first, then press a label key")
    elif snap:
        selection = snap_to_words(text, *selection)
    start, end = selection
    if start >= end:
        return Refuse("the selection holds only spaces")
    return AddSpan(start, end)


def span_to_delete(spans: SpanIndex[S], *, selected_span: int | None, caret: int) -> int | None:
    """The span the Delete key removes: the selected one, else the one at the caret."""
    if selected_span is not None:
        return selected_span
    found = spans.at_caret(caret)
    return found.id if found is not None else None
