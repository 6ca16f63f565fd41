"""Classifying two layers of one document into review items: pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from annotator.base.vocabulary import GOLD, ItemKind, ReviewAction
from annotator.core.matching import pair_spans

# (label_id, start, end): what makes two spans of one layer the same span.
Identity = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class SpanRef:
    """One span of a layer as the review sees it."""

    id: int
    start: int
    end: int
    label_id: int
    label: str
    text: str
    annotator: str
    # The span was a suggestion the annotator accepted, which the reviewer is shown.
    accepted_suggestion: bool = False

    @property
    def identity(self) -> Identity:
        return (self.label_id, self.start, self.end)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "start": self.start, "end": self.end,
            "label_id": self.label_id, "label": self.label, "text": self.text,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Decision:
    """One review_decision row. `subject` holds the snapshots {"a": ..., "b": ...} of the
    item's spans (id, start, end, label_id, label, text, or null); `result` the gold span
    written (the same keys plus `created`: whether this review added it), or None."""

    id: int
    document_id: int
    reviewer: str
    annotator_a: str
    annotator_b: str | None
    item_key: str
    kind: ItemKind
    action: ReviewAction
    subject: dict[str, Any]
    result: dict[str, Any] | None
    comment: str | None
    created_at: datetime

    @property
    def result_identity(self) -> Identity | None:
        return _identity(self.result)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One place where the layers are compared. `key` is stable while both spans exist
    ("a17:b23", "a17:-", "-:b23"); `start`, `end` cover both spans."""

    key: str
    document_id: int
    kind: ItemKind
    a: SpanRef | None
    b: SpanRef | None
    start: int
    end: int
    decision: Decision | None
    annotator_a: str
    annotator_b: str | None  # None: the gold layer

    @property
    def decided(self) -> bool:
        return self.decision is not None


class ReviewProgress(NamedTuple):
    decided: int
    total: int


# -- matching -------------------------------------------------------------------------------


def _identity(data: dict[str, Any] | None) -> Identity | None:
    if not data:
        return None
    return (int(data["label_id"]), int(data["start"]), int(data["end"]))


def _order(span: SpanRef) -> tuple[int, int, str, int]:
    return (span.start, span.end, span.label, span.label_id)


def match_spans(
    a_spans: Iterable[SpanRef], b_spans: Iterable[SpanRef]
) -> list[tuple[ItemKind, SpanRef | None, SpanRef | None]]:
    """Pair two layers one to one by `annotator.core.matching`'s tiers, the rules the
    agreement report uses too; a layer's spans with one identity count once."""
    a_layer = sorted({span.identity: span for span in a_spans}.values(), key=_order)
    b_layer = sorted({span.identity: span for span in b_spans}.values(), key=_order)
    # Labels by name first (then id), the order agreement's matching sees them in.
    pairs = pair_spans(
        [(span.start, span.end, (span.label, span.label_id)) for span in a_layer],
        [(span.start, span.end, (span.label, span.label_id)) for span in b_layer],
    )
    return [
        (kind, a_layer[a] if a is not None else None, b_layer[b] if b is not None else None)
        for kind, a, b in pairs
    ]


def _key(a: SpanRef | None, b: SpanRef | None) -> str:
    return f"{f'a{a.id}' if a else '-'}:{f'b{b.id}' if b else '-'}"


def _latest(decisions: Iterable[Decision]) -> dict[str, Decision]:
    """The current decision per item key; decisions come in id order."""
    return {decision.item_key: decision for decision in decisions}


def _gold_baseline(
    a_spans: Sequence[SpanRef],
    gold: Iterable[SpanRef],
    pair_decisions: Sequence[Decision],
    labels: dict[int, str],
) -> list[SpanRef]:
    """Gold as it was before this review of A against gold (see the module docstring).

    A decision whose A span has since gone or changed no longer stands for an item: its
    gold span is left in view as an ordinary one, to be reviewed again."""
    held = {(span.id, span.identity) for span in a_spans}
    current = [
        decision
        for decision in _latest(pair_decisions).values()
        if not decision.subject.get("a")
        or (decision.subject["a"]["id"], _identity(decision.subject["a"])) in held
    ]
    written = {
        decision.result_identity
        for decision in pair_decisions
        if decision.result is not None and decision.result.get("created")
    }
    resolved = {decision.result_identity for decision in current} & written
    baseline = {span.identity: span for span in gold if span.identity not in resolved}
    for decision in current:
        b = decision.subject.get("b")
        if b:
            span = _from_json(b, GOLD, labels)
            baseline[span.identity] = span
    return list(baseline.values())


def _from_json(data: dict[str, Any], annotator: str, labels: dict[int, str]) -> SpanRef:
    label_id = int(data["label_id"])
    return SpanRef(
        id=int(data["id"]), start=int(data["start"]), end=int(data["end"]), label_id=label_id,
        label=labels.get(label_id, str(data.get("label", ""))), text=str(data.get("text", "")),
        annotator=annotator,
    )  # fmt: skip


def _items(
    document_id: int,
    annotator_a: str,
    annotator_b: str | None,
    a_spans: Sequence[SpanRef],
    b_spans: Sequence[SpanRef],
    pair_decisions: Sequence[Decision],
    labels: dict[int, str],
) -> list[ReviewItem]:
    if annotator_b is None:
        b_spans = _gold_baseline(a_spans, b_spans, pair_decisions, labels)
    current = _latest(pair_decisions)
    items = []
    for kind, a, b in match_spans(a_spans, b_spans):
        key = _key(a, b)
        sides = [span for span in (a, b) if span is not None]
        items.append(
            ReviewItem(
                key=key, document_id=document_id, kind=kind, a=a, b=b,
                start=min(s.start for s in sides), end=max(s.end for s in sides),
                decision=current.get(key), annotator_a=annotator_a, annotator_b=annotator_b,
            )
        )  # fmt: skip
    items.sort(key=lambda item: (item.start, item.end, item.key))
    return items
