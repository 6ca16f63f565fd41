"""Adjudication: compare two layers of a document, decide each difference, build gold.

A lead compares annotator A with annotator B, or A with the gold layer (B = None), on
one document. `compare_layers` pairs their spans one to one and classifies each place
as a `ReviewItem`; `decide` settles one item and writes the outcome into the gold layer
(the spans of the reserved annotator `gold`); every decision is kept, append-only, in
`review_decision`, and the latest one per item is the current one.

Matching, in this order of priority, each span used at most once:

1. same offsets and label: AGREE;
2. same offsets, other label: LABEL;
3. overlapping, same label: BOUNDARY;
4. overlapping, other label and other offsets: LABEL as well, since the label is what
   differs first; the offsets differ too, which the item's spans show;
5. what is left: ONLY_A or ONLY_B.

Within steps 2 to 4 the pair with the larger overlap (then the smaller union, then the
earlier offsets and label names) wins, so the result never depends on row order.

What a decision does to gold. An item's *outcome* is the gold span its current decision
resolved to. Deciding replaces the old outcome with the new one: the new span is added
unless gold already holds one with the same label and offsets (then that one is the
result: no duplicates), and the old one is removed if the review wrote it and no other
current decision of the document still resolves to it. A span that was in gold before
the review is never removed by a pairwise review; reviewed against gold, the item's own
gold span B is what is being judged, so taking A, rejecting or editing removes it and
taking B keeps (or puts back) it.

Against gold, deciding changes the very layer being compared. `compare_layers` therefore
compares A with gold as it was before this review: current gold, minus the spans this
review wrote, plus the B spans recorded in its decisions. Item keys stay the same
however often the reviewer changes their mind.

Every mutation is one committed transaction with its history rows, and returns the
`Change`s it made; `corpus.revert(change)` over them in reverse order undoes it. The
gold annotator row itself is created once, on demand, and is not part of any undo.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, func, select
from sqlmodel import Session

from annotator.base.errors import UserError
from annotator.base.offsets import check_offsets
from annotator.base.text import CONTEXT_CHARS
from annotator.base.vocabulary import GOLD, AnnotatorKind, ItemKind, LabelKind, Origin, ReviewAction
from annotator.core import operations as ops
from annotator.core.changes import Change, record, snapshot
from annotator.core.corpus import Corpus
from annotator.core.exporting import format_timestamp
from annotator.core.models import (
    Annotator,
    ReviewDecision,
    annotator_t,
    decision_t,
    document_t,
    label_t,
    span_t,
)

__all__ = [
    "DECISION_COLUMNS",
    "FEEDBACK_COLUMNS",
    "GOLD",
    "Decision",
    "FeedbackRow",
    "ItemKind",
    "ReviewAction",
    "ReviewItem",
    "ReviewProgress",
    "SpanRef",
    "accept_agreements",
    "compare_layers",
    "decide",
    "decision_rows",
    "feedback_rows",
    "gold_spans",
    "match_spans",
    "review_progress",
    "write_feedback_html",
]


# (label_id, start, end): what makes two spans of one layer the same span.
Identity = tuple[int, int, int]

DECISION_COLUMNS = (
    "decision_id", "document_id", "document_hash", "document_title", "reviewer",
    "annotator_a", "annotator_b", "item_key", "kind", "action",
    "a_label", "a_start", "a_end", "a_text", "b_label", "b_start", "b_end", "b_text",
    "gold_label", "gold_start", "gold_end", "comment", "created_at",
)  # fmt: skip
"""Columns of `decision_rows`: every decision ever made, superseded ones included, in
document order then the order they were made. `annotator_b` is "gold" for a review
against gold; a side or the gold result that is absent leaves its four cells empty."""

FEEDBACK_COLUMNS = (
    "annotator", "document_id", "document_hash", "document_title", "item_key", "kind",
    "verdict", "your_label", "your_start", "your_end", "your_text",
    "other_annotator", "other_label", "other_start", "other_end", "other_text",
    "gold_label", "gold_start", "gold_end", "gold_text",
    "left_context", "passage", "right_context", "comment", "reviewer", "decided_at",
)  # fmt: skip

# Feedback verdicts: why an item is in an annotator's report.
REJECTED = "rejected"  # their span is not in gold, and nothing replaced it
OTHER_TAKEN = "other_taken"  # the other side's span went to gold instead
EDITED = "edited"  # the reviewer wrote a corrected span to gold
MISSED = "missed"  # they had no span here, gold has one

VERDICT_TEXT = {
    REJECTED: "rejected: not in gold",
    OTHER_TAKEN: "the other span was taken",
    EDITED: "corrected by the reviewer",
    MISSED: "missed: gold has a span here",
}


# -- values the API hands out ---------------------------------------------------------------


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


class FeedbackRow(NamedTuple):
    """One row of an annotator's feedback, in FEEDBACK_COLUMNS order."""

    annotator: str
    document_id: int
    document_hash: str
    document_title: str | None
    item_key: str
    kind: str
    verdict: str
    your_label: str | None
    your_start: int | None
    your_end: int | None
    your_text: str | None
    other_annotator: str
    other_label: str | None
    other_start: int | None
    other_end: int | None
    other_text: str | None
    gold_label: str | None
    gold_start: int | None
    gold_end: int | None
    gold_text: str | None
    left_context: str
    passage: str
    right_context: str
    comment: str | None
    reviewer: str
    decided_at: str


# -- matching: pure functions ---------------------------------------------------------------


def _identity(data: dict[str, Any] | None) -> Identity | None:
    if not data:
        return None
    return (int(data["label_id"]), int(data["start"]), int(data["end"]))


def _overlap(a: SpanRef, b: SpanRef) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _order(span: SpanRef) -> tuple[int, int, str, int]:
    return (span.start, span.end, span.label, span.label_id)


def _overlapping(a_spans: list[SpanRef], b_spans: list[SpanRef]) -> list[tuple[SpanRef, SpanRef]]:
    """Every (a, b) that shares a character, by one sweep over starts: a pair is found when
    its later span begins, while the earlier one is still open."""
    events = sorted(
        [(span.start, 0, span) for span in a_spans] + [(span.start, 1, span) for span in b_spans],
        key=lambda event: (event[0], event[1], _order(event[2])),
    )
    open_spans: tuple[list[SpanRef], list[SpanRef]] = ([], [])
    pairs: list[tuple[SpanRef, SpanRef]] = []
    for position, side, span in events:
        for index in (0, 1):
            open_spans[index][:] = [s for s in open_spans[index] if s.end > position]
        for other in open_spans[1 - side]:
            pairs.append((span, other) if side == 0 else (other, span))
        open_spans[side].append(span)
    return pairs


def match_spans(
    a_spans: Iterable[SpanRef], b_spans: Iterable[SpanRef]
) -> list[tuple[ItemKind, SpanRef | None, SpanRef | None]]:
    """Pair two layers one to one by the rules in the module docstring."""
    a_left = {span.identity: span for span in a_spans}
    b_left = {span.identity: span for span in b_spans}
    found: list[tuple[ItemKind, SpanRef | None, SpanRef | None]] = []
    for identity in sorted(a_left.keys() & b_left.keys()):
        found.append((ItemKind.AGREE, a_left.pop(identity), b_left.pop(identity)))

    by_offsets: dict[tuple[int, int], tuple[list[SpanRef], list[SpanRef]]] = defaultdict(
        lambda: ([], [])
    )
    for span in a_left.values():
        by_offsets[(span.start, span.end)][0].append(span)
    for span in b_left.values():
        by_offsets[(span.start, span.end)][1].append(span)
    for offsets in sorted(by_offsets):
        a_group, b_group = (sorted(group, key=_order) for group in by_offsets[offsets])
        for a, b in zip(a_group, b_group, strict=False):
            found.append((ItemKind.LABEL, a_left.pop(a.identity), b_left.pop(b.identity)))

    candidates = _overlapping(list(a_left.values()), list(b_left.values()))
    candidates.sort(
        key=lambda pair: (
            pair[0].label_id != pair[1].label_id,  # same label (BOUNDARY) first
            -_overlap(*pair),
            max(pair[0].end, pair[1].end) - min(pair[0].start, pair[1].start),
            _order(pair[0]),
            _order(pair[1]),
        )
    )
    for a, b in candidates:
        if a.identity in a_left and b.identity in b_left:
            kind = ItemKind.BOUNDARY if a.label_id == b.label_id else ItemKind.LABEL
            found.append((kind, a_left.pop(a.identity), b_left.pop(b.identity)))

    found.extend((ItemKind.ONLY_A, span, None) for span in sorted(a_left.values(), key=_order))
    found.extend((ItemKind.ONLY_B, None, span) for span in sorted(b_left.values(), key=_order))
    return found


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


# -- reading the database -------------------------------------------------------------------


def _pair(annotator_a: str, annotator_b: str | None) -> tuple[str, str | None]:
    """Normalise and check who is compared; naming gold as B is the same as None."""
    annotator_a = annotator_a.strip()
    annotator_b = annotator_b.strip() if annotator_b is not None else None
    if annotator_b == GOLD:
        annotator_b = None
    if annotator_a == GOLD:
        raise UserError("compare a person (A) with gold: pass gold as B, not as A")
    if annotator_a == annotator_b:
        raise UserError(f"compare {annotator_a!r} with someone else, or with gold")
    return annotator_a, annotator_b


def _annotator_id(connection: Connection, name: str) -> int | None:
    return connection.execute(
        select(annotator_t.c.id).where(annotator_t.c.name == name)
    ).scalar_one_or_none()


def _person_id(connection: Connection, name: str) -> int:
    found = _annotator_id(connection, name)
    if found is None:
        raise UserError(f"no annotator named {name!r}")
    return found


def _labels(connection: Connection, project_id: int) -> dict[int, str]:
    return dict(
        connection.execute(
            select(label_t.c.id, label_t.c.name).where(label_t.c.project_id == project_id)
        ).all()
    )


def _spans(
    connection: Connection, annotator_id: int | None, annotator: str, *where: Any
) -> dict[int, list[SpanRef]]:
    """One layer's spans per document."""
    if annotator_id is None:
        return {}
    rows = connection.execute(
        select(
            span_t.c.document_id, span_t.c.id, span_t.c.start, span_t.c.end,
            span_t.c.label_id, label_t.c.name, span_t.c.text,
        )
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .where(span_t.c.annotator_id == annotator_id, *where)
        .order_by(span_t.c.document_id, span_t.c.start, span_t.c.end, span_t.c.id)
    )  # fmt: skip
    layers: dict[int, list[SpanRef]] = defaultdict(list)
    for document_id, *values in rows:
        layers[document_id].append(SpanRef(*values, annotator=annotator))
    return layers


def _decision_query(*where: Any) -> Any:
    return (
        select(
            decision_t.c.id, decision_t.c.document_id, annotator_t.c.name,
            decision_t.c.annotator_a, decision_t.c.annotator_b, decision_t.c.item_key,
            decision_t.c.kind, decision_t.c.action, decision_t.c.subject, decision_t.c.result,
            decision_t.c.comment, decision_t.c.created_at,
        )
        .join(annotator_t, annotator_t.c.id == decision_t.c.reviewer_id)
        .join(document_t, document_t.c.id == decision_t.c.document_id)
        .where(*where)
        .order_by(decision_t.c.id)
    )  # fmt: skip


def _decision(row: Sequence[Any]) -> Decision:
    values = list(row)
    values[6] = ItemKind(values[6])
    values[7] = ReviewAction(values[7])
    return Decision(*values)


def _decisions(connection: Connection, *where: Any) -> list[Decision]:
    return [_decision(row) for row in connection.execute(_decision_query(*where))]


def _pair_filter(annotator_a: str, annotator_b: str | None) -> list[Any]:
    b_column = decision_t.c.annotator_b
    return [
        decision_t.c.annotator_a == annotator_a,
        b_column.is_(None) if annotator_b is None else b_column == annotator_b,
    ]


def _document(connection: Connection, document_id: int) -> tuple[int, int]:
    """(project_id, text length) of a document."""
    found = connection.execute(
        select(document_t.c.project_id, func.length(document_t.c.text)).where(
            document_t.c.id == document_id
        )
    ).first()
    if found is None:
        raise UserError(f"no document with id {document_id}")
    return found[0], found[1]


@dataclass(frozen=True, slots=True)
class _Loaded:
    """Both layers, the pair's decisions and the label names, per document."""

    a: dict[int, list[SpanRef]]
    b: dict[int, list[SpanRef]]
    decisions: dict[int, list[Decision]]
    labels: dict[int, str]

    def items(
        self, document_id: int, annotator_a: str, annotator_b: str | None
    ) -> list[ReviewItem]:
        return _items(
            document_id, annotator_a, annotator_b, self.a.get(document_id, []),
            self.b.get(document_id, []), self.decisions.get(document_id, []), self.labels,
        )  # fmt: skip


def _load(
    connection: Connection, project_id: int, scope: Any, annotator_a: str, annotator_b: str | None
) -> _Loaded:
    """Everything compare needs for the documents `scope` (a condition on document) picks."""
    a_id = _person_id(connection, annotator_a)
    b_id = (
        _person_id(connection, annotator_b)
        if annotator_b is not None
        else _annotator_id(connection, GOLD)
    )
    decisions: dict[int, list[Decision]] = defaultdict(list)
    in_pair = _pair_filter(annotator_a, annotator_b)
    for decision in _decisions(connection, decision_t.c.project_id == project_id, scope, *in_pair):
        decisions[decision.document_id].append(decision)
    return _Loaded(
        a=_spans(connection, a_id, annotator_a, scope),
        b=_spans(connection, b_id, annotator_b or GOLD, scope),
        decisions=decisions,
        labels=_labels(connection, project_id),
    )


def _compare(
    connection: Connection, document_id: int, annotator_a: str, annotator_b: str | None
) -> list[ReviewItem]:
    project_id, _length = _document(connection, document_id)
    loaded = _load(connection, project_id, document_t.c.id == document_id, annotator_a, annotator_b)
    return loaded.items(document_id, annotator_a, annotator_b)


def compare_layers(
    corpus: Corpus, document_id: int, annotator_a: str, annotator_b: str | None
) -> list[ReviewItem]:
    """Every place where A and B (None or "gold": the gold layer) are compared, agreements
    included, sorted by start, each with its current decision."""
    annotator_a, annotator_b = _pair(annotator_a, annotator_b)
    with corpus.engine.connect() as connection:
        return _compare(connection, document_id, annotator_a, annotator_b)


def review_progress(
    corpus: Corpus,
    annotator_a: str,
    annotator_b: str | None,
    *,
    document_id: int | None = None,
    project_id: int | None = None,
) -> ReviewProgress:
    """(decided, total) items of one document or of a whole project (give exactly one)."""
    annotator_a, annotator_b = _pair(annotator_a, annotator_b)
    if document_id is not None and project_id is None:
        items = compare_layers(corpus, document_id, annotator_a, annotator_b)
        return ReviewProgress(sum(item.decided for item in items), len(items))
    if project_id is None or document_id is not None:
        raise UserError("review progress is of one document or of one project")
    with corpus.engine.connect() as connection:
        scope = document_t.c.project_id == project_id
        loaded = _load(connection, project_id, scope, annotator_a, annotator_b)
    decided = total = 0
    for document_id_ in sorted(loaded.a.keys() | loaded.b.keys() | loaded.decisions.keys()):
        items = loaded.items(document_id_, annotator_a, annotator_b)
        decided += sum(item.decided for item in items)
        total += len(items)
    return ReviewProgress(decided, total)


def gold_spans(corpus: Corpus, document_id: int) -> list[SpanRef]:
    """The document's gold layer, by offsets."""
    with corpus.engine.connect() as connection:
        _document(connection, document_id)
        gold_id = _annotator_id(connection, GOLD)
        return _spans(connection, gold_id, GOLD, document_t.c.id == document_id).get(
            document_id, []
        )


# -- deciding -------------------------------------------------------------------------------


def _gold_id(session: Session) -> int:
    """The gold annotator, created the first time anything is written to gold."""
    found = _annotator_id(session.connection(), GOLD)
    if found is not None:
        return found
    gold = Annotator(name=GOLD, kind=AnnotatorKind.GOLD.value)
    session.add(gold)
    session.flush()
    assert gold.id is not None
    return gold.id


@dataclass
class _Writer:
    """The state one action works on: the document's gold layer and every decision on it
    (all pairs), kept up to date as the action changes them."""

    corpus: Corpus
    session: Session
    document_id: int
    project_id: int
    labels: dict[int, str]
    reviewer_id: int
    gold: dict[Identity, SpanRef] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @classmethod
    def open(
        cls, corpus: Corpus, session: Session, document_id: int, *, reviewer_id: int
    ) -> _Writer:
        connection = session.connection()
        project_id, _length = _document(connection, document_id)
        gold_id = _annotator_id(connection, GOLD)
        in_document = document_t.c.id == document_id
        gold = _spans(connection, gold_id, GOLD, in_document).get(document_id, [])
        return cls(
            corpus=corpus, session=session, document_id=document_id, project_id=project_id,
            labels=_labels(connection, project_id), reviewer_id=reviewer_id,
            gold={span.identity: span for span in gold},
            decisions=_decisions(connection, decision_t.c.document_id == document_id),
        )  # fmt: skip

    def _record(self, change: Change) -> None:
        record(self.session, change, annotator=self.corpus.annotator_name)
        self.changes.append(change)

    def _held_elsewhere(self, identity: Identity, item: ReviewItem, *, same_pair: bool) -> bool:
        """Whether another item's current decision still resolves to this gold span."""
        current: dict[tuple[str, str | None, str], Decision] = {
            (d.annotator_a, d.annotator_b, d.item_key): d for d in self.decisions
        }
        this = (item.annotator_a, item.annotator_b, item.key)
        return any(
            key != this
            and decision.result_identity == identity
            and (not same_pair or key[:2] == this[:2])
            for key, decision in current.items()
        )

    def _written_by_pair(self, identity: Identity, item: ReviewItem) -> bool:
        return any(
            d.annotator_a == item.annotator_a
            and d.annotator_b == item.annotator_b
            and d.result is not None
            and d.result.get("created")
            and d.result_identity == identity
            for d in self.decisions
        )

    def _removable(self, identity: Identity, item: ReviewItem) -> bool:
        if item.annotator_b is None and item.b is not None and identity == item.b.identity:
            return not self._held_elsewhere(identity, item, same_pair=True)
        return self._written_by_pair(identity, item) and not self._held_elsewhere(
            identity, item, same_pair=False
        )

    def decide(
        self, item: ReviewItem, action: ReviewAction, target: Identity | None, comment: str | None
    ) -> None:
        """Move the item's outcome to `target` in gold and record the decision."""
        previous = item.decision
        if previous is not None:
            old = previous.result_identity
        elif item.annotator_b is None and item.b is not None:
            old = item.b.identity  # against gold, an undecided item's outcome is its B
        else:
            old = None
        if old is not None and old != target and old in self.gold and self._removable(old, item):
            change = ops.remove_span(self.gold.pop(old).id, session=self.session)
            self._record(replace(change, action="remove gold span"))
        result: dict[str, Any] | None = None
        if target is not None:
            existing = self.gold.get(target)
            if existing is None:
                label_id, start, end = target
                change = ops.add_span(
                    self.document_id, label_id, start, end, session=self.session,
                    annotator_id=_gold_id(self.session), origin=Origin.MANUAL,
                )  # fmt: skip
                self._record(replace(change, action="add gold span"))
                assert change.after is not None
                existing = SpanRef(
                    id=change.after["id"], start=start, end=end, label_id=label_id,
                    label=self.labels[label_id], text=change.after["text"], annotator=GOLD,
                )  # fmt: skip
                self.gold[target] = existing
                created = True
            else:
                created = bool(
                    previous is not None
                    and previous.result is not None
                    and previous.result_identity == target
                    and previous.result.get("created")
                )
            result = {**existing.as_json(), "created": created}
        row = ReviewDecision(
            project_id=self.project_id, document_id=self.document_id,
            reviewer_id=self.reviewer_id, annotator_a=item.annotator_a,
            annotator_b=item.annotator_b, item_key=item.key, kind=item.kind.value,
            action=action.value,
            subject={
                "a": item.a.as_json() if item.a else None,
                "b": item.b.as_json() if item.b else None,
            },
            result=result, comment=comment,
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        change = Change(
            f"review {action.value}", "review_decision", None, snapshot(row),
            project_id=self.project_id, document_id=self.document_id,
        )  # fmt: skip
        self._record(change)
        assert row.id is not None
        self.decisions.append(
            Decision(
                id=row.id, document_id=self.document_id, reviewer=self.corpus.annotator_name,
                annotator_a=item.annotator_a, annotator_b=item.annotator_b,
                item_key=item.key, kind=item.kind, action=action, subject=row.subject,
                result=result, comment=comment, created_at=row.created_at,
            )
        )  # fmt: skip


def _current_item(connection: Connection, item: ReviewItem) -> ReviewItem:
    """The item as the database has it now; an item whose spans changed since it was
    shown cannot be decided on stale content."""
    items = _compare(connection, item.document_id, item.annotator_a, item.annotator_b)
    for fresh in items:
        if fresh.key == item.key and (fresh.kind, _sides(fresh)) == (item.kind, _sides(item)):
            return fresh
    raise UserError(
        f"item {item.key} of document {item.document_id} changed since it was shown; "
        "compare the layers again"
    )


def _sides(item: ReviewItem) -> tuple[Identity | None, Identity | None]:
    return (item.a.identity if item.a else None, item.b.identity if item.b else None)


def decide(
    corpus: Corpus,
    item: ReviewItem,
    action: ReviewAction | str,
    *,
    comment: str | None = None,
    edited: tuple[int, int, int] | None = None,
) -> list[Change]:
    """Settle one item: take_a / take_b put that side's span into gold, reject puts
    nothing, edit puts `edited` = (start, end, label_id). A later decision on the same
    item replaces the earlier one's gold span. Returns the changes, for undo."""
    try:
        action = ReviewAction(action)
    except ValueError as error:
        raise UserError(f"unknown review action {action!r}") from error
    if action is ReviewAction.ACCEPT_AGREEMENT:
        raise UserError("agreements are accepted with accept_agreements; take_a takes one")
    if (edited is not None) != (action is ReviewAction.EDIT):
        raise UserError("an edit needs the edited span, and only an edit takes one")
    comment = (comment.strip() or None) if comment is not None else None
    # Before the action's transaction: a reviewer new to this database is created (and
    # committed) on their own, and SQLite must not see that write from a stale snapshot.
    reviewer_id = corpus.annotator_id()
    with corpus.action() as session:
        connection = session.connection()
        fresh = _current_item(connection, item)
        target: Identity | None
        if action is ReviewAction.TAKE_A:
            if fresh.a is None:
                raise UserError(f"item {fresh.key} has no span of {fresh.annotator_a} to take")
            target = fresh.a.identity
        elif action is ReviewAction.TAKE_B:
            if fresh.b is None:
                raise UserError(
                    f"item {fresh.key} has no span of {fresh.annotator_b or GOLD} to take"
                )
            target = fresh.b.identity
        elif action is ReviewAction.REJECT:
            target = None
        else:
            assert edited is not None
            target = _checked_edit(connection, fresh.document_id, edited)
        writer = _Writer.open(corpus, session, fresh.document_id, reviewer_id=reviewer_id)
        writer.decide(fresh, action, target, comment)
    return writer.changes


def _checked_edit(
    connection: Connection, document_id: int, edited: tuple[int, int, int]
) -> Identity:
    try:
        start, end, label_id = edited
    except (TypeError, ValueError) as error:
        raise UserError("an edited span is (start, end, label_id)") from error
    project_id, length = _document(connection, document_id)
    problem = check_offsets(length, start, end)
    if problem is not None:
        raise UserError(f"cannot write the edited span: {problem}")
    label = connection.execute(
        select(label_t.c.project_id, label_t.c.kind).where(label_t.c.id == label_id)
    ).first()
    if label is None or label.project_id != project_id or label.kind != LabelKind.SPAN.value:
        raise UserError(f"label {label_id} is not a span label of this document's project")
    return (label_id, start, end)


def accept_agreements(
    corpus: Corpus, document_id: int, annotator_a: str, annotator_b: str | None
) -> list[Change]:
    """Put every undecided AGREE item into gold, one decision each, in one transaction."""
    annotator_a, annotator_b = _pair(annotator_a, annotator_b)
    reviewer_id = corpus.annotator_id()
    with corpus.action() as session:
        items = _compare(session.connection(), document_id, annotator_a, annotator_b)
        pending = [item for item in items if item.kind is ItemKind.AGREE and not item.decided]
        if not pending:
            return []
        writer = _Writer.open(corpus, session, document_id, reviewer_id=reviewer_id)
        for item in pending:
            assert item.a is not None
            writer.decide(item, ReviewAction.ACCEPT_AGREEMENT, item.a.identity, None)
    return writer.changes


# -- export ---------------------------------------------------------------------------------


def _cells(data: dict[str, Any] | None) -> tuple[Any, Any, Any, Any]:
    if not data:
        return (None, None, None, None)
    return (data.get("label"), data.get("start"), data.get("end"), data.get("text"))


def decision_rows(engine: Engine, project_id: int) -> Iterator[tuple[Any, ...]]:
    """Every decision of the project, superseded ones included, in DECISION_COLUMNS order."""
    query = (
        select(
            decision_t.c.id, decision_t.c.document_id, document_t.c.content_hash,
            document_t.c.title, annotator_t.c.name, decision_t.c.annotator_a,
            decision_t.c.annotator_b, decision_t.c.item_key, decision_t.c.kind,
            decision_t.c.action, decision_t.c.subject, decision_t.c.result,
            decision_t.c.comment, decision_t.c.created_at,
        )
        .join(document_t, document_t.c.id == decision_t.c.document_id)
        .join(annotator_t, annotator_t.c.id == decision_t.c.reviewer_id)
        .where(decision_t.c.project_id == project_id)
        .order_by(decision_t.c.document_id, decision_t.c.id)
    )  # fmt: skip
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=1000).execute(query)
        for row in result:
            subject = row.subject or {}
            yield (
                row.id, row.document_id, row.content_hash, row.title, row.name,
                row.annotator_a, row.annotator_b or GOLD, row.item_key, row.kind, row.action,
                *_cells(subject.get("a")), *_cells(subject.get("b")),
                *_cells(row.result)[:3], row.comment, format_timestamp(row.created_at),
            )  # fmt: skip


def _verdict(decision: Decision, mine: dict[str, Any] | None) -> str | None:
    result = decision.result
    if decision.action is ReviewAction.ACCEPT_AGREEMENT:
        return None
    if mine is None:
        return MISSED if result is not None else None
    if result is not None and _identity(result) == _identity(mine):
        return None  # taken as is
    if decision.action is ReviewAction.REJECT:
        return REJECTED
    if decision.action is ReviewAction.EDIT:
        return EDITED
    return OTHER_TAKEN


def feedback_rows(engine: Engine, project_id: int, annotator: str) -> Iterator[FeedbackRow]:
    """What the review decided against `annotator`'s work: every current decision where
    their span was not taken as is (rejected, the other side's taken, edited) or where
    gold has a span they missed, with the reviewer's comment and the text around it."""
    if annotator.strip() == GOLD:
        raise UserError("feedback is for a person; gold is what they are compared with")
    with engine.connect() as connection:
        _person_id(connection, annotator)  # checked now, before any file is opened
    return _feedback_rows(engine, project_id, annotator)


def _feedback_rows(engine: Engine, project_id: int, annotator: str) -> Iterator[FeedbackRow]:
    latest = (
        select(func.max(decision_t.c.id))
        .where(decision_t.c.project_id == project_id)
        .group_by(
            decision_t.c.document_id, decision_t.c.annotator_a, decision_t.c.annotator_b,
            decision_t.c.item_key,
        )
    )  # fmt: skip
    mine = (decision_t.c.annotator_a == annotator) | (decision_t.c.annotator_b == annotator)
    with engine.connect() as connection:
        decisions = _decisions(connection, decision_t.c.id.in_(latest), mine)
        decisions.sort(key=lambda d: (d.document_id, _extent(d)[0], d.item_key))
        document_id, text, title, digest = -1, "", None, ""
        for decision in decisions:
            side = "a" if decision.annotator_a == annotator else "b"
            yours = decision.subject.get(side)
            verdict = _verdict(decision, yours)
            if verdict is None:
                continue
            if decision.document_id != document_id:
                document_id = decision.document_id
                text, title, digest = connection.execute(
                    select(document_t.c.text, document_t.c.title, document_t.c.content_hash)
                    .where(document_t.c.id == document_id)
                ).one()  # fmt: skip
            other = decision.subject.get("b" if side == "a" else "a")
            other_name = decision.annotator_b if side == "a" else decision.annotator_a
            start, end = _extent(decision)
            gold = _cells(decision.result)
            yield FeedbackRow(
                annotator, document_id, digest, title, decision.item_key, decision.kind.value,
                verdict, *_cells(yours), other_name or GOLD, *_cells(other), *gold,
                text[max(0, start - CONTEXT_CHARS) : start], text[start:end],
                text[end : end + CONTEXT_CHARS], decision.comment, decision.reviewer,
                format_timestamp(decision.created_at),
            )  # fmt: skip


def _extent(decision: Decision) -> tuple[int, int]:
    spans = [
        s for s in (decision.subject.get("a"), decision.subject.get("b"), decision.result) if s
    ]
    if not spans:
        return (0, 0)
    return (min(int(s["start"]) for s in spans), max(int(s["end"]) for s in spans))


_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 70em;
       padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .4em .6em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
mark { background: #ffe08a; padding: 0 .1em; }
.label { font-weight: 600; } .muted { color: #777; }
.context { font-family: ui-serif, Georgia, serif; white-space: pre-wrap; }
@media (prefers-color-scheme: dark) {
  body { color: #ddd; background: #1e1e1e; } th { background: #2c2c2c; }
  th, td { border-color: #444; } mark { background: #7a5d00; color: #fff; }
}
"""


_NONE = '<span class="muted">&mdash;</span>'


def _span_cell(label: str | None, start: int | None, end: int | None, text: str | None) -> str:
    if label is None:
        return _NONE
    return (
        f'<span class="label">{html.escape(label)}</span> '
        f'<span class="muted">{start}&ndash;{end}</span><br>&ldquo;{html.escape(text or "")}&rdquo;'
    )


def write_feedback_html(
    rows: Iterable[FeedbackRow], path: Path, *, title: str | None = None
) -> int:
    """One self-contained HTML file (inline style, no scripts, every text escaped) with a
    table per document: their span, what the review decided, the comment, the context.
    Returns the number of rows written."""
    by_document: dict[int, list[FeedbackRow]] = {}
    names: set[str] = set()
    for row in rows:
        by_document.setdefault(row.document_id, []).append(row)
        names.add(row.annotator)
    heading = title or (
        f"Review feedback for {', '.join(sorted(names))}" if names else "Review feedback"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
    ]
    count = sum(len(group) for group in by_document.values())
    if not count:
        parts.append("<p>The review took every one of your spans as it was.</p>")
    else:
        parts.append(
            f"<p>{count} place(s) where the gold layer differs from your spans. Offsets count "
            "characters (code points) from the start of the document.</p>"
        )
    for group in by_document.values():
        first = group[0]
        name = first.document_title or f"Document {first.document_id}"
        parts.append(
            f"<section><h2>{html.escape(name)} "
            f'<span class="muted">(#{first.document_id})</span></h2>'
        )
        parts.append(
            "<table><thead><tr><th>Context</th><th>Your span</th><th>Review</th>"
            "<th>Comment</th></tr></thead><tbody>"
        )
        for row in group:
            context = (
                f"{html.escape(row.left_context)}<mark>{html.escape(row.passage)}</mark>"
                f"{html.escape(row.right_context)}"
            )
            decided = html.escape(VERDICT_TEXT.get(row.verdict, row.verdict))
            gold = _span_cell(row.gold_label, row.gold_start, row.gold_end, row.gold_text)
            review = f"{decided}<br>gold: {gold}"
            if row.verdict == OTHER_TAKEN:
                review += f'<br><span class="muted">from {html.escape(row.other_annotator)}</span>'
            comment = html.escape(row.comment) if row.comment else _NONE
            parts.append(
                f'<tr><td class="context">{context}</td>'
                f"<td>{_span_cell(row.your_label, row.your_start, row.your_end, row.your_text)}"
                f"</td><td>{review}</td><td>{comment}<br>"
                f'<span class="muted">{html.escape(row.reviewer)}</span></td></tr>'
            )
        parts.append("</tbody></table></section>")
    parts.append("</body></html>\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return count
