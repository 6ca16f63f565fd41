"""The review's storage: reading layers and decisions, writing gold spans and decision rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import Session

from annotator.base.errors import UserError
from annotator.base.vocabulary import (
    COUNTED_ORIGINS,
    GOLD,
    AnnotatorKind,
    ItemKind,
    Origin,
    ReviewAction,
)
from annotator.core import operations as ops
from annotator.core.changes import Change, record, snapshot
from annotator.core.corpus import Corpus
from annotator.core.models import (
    ReviewDecision,
    annotator_t,
    decision_t,
    document_t,
    label_t,
    span_t,
)
from annotator.core.review.classify import (
    Decision,
    Identity,
    ReviewItem,
    ReviewProgress,
    SpanRef,
    _items,
)
from annotator.core.shared_rows import insert_or_get


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
            span_t.c.label_id, label_t.c.name, span_t.c.text, span_t.c.origin,
        )
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .where(
            span_t.c.annotator_id == annotator_id,
            span_t.c.origin.in_(COUNTED_ORIGINS),
            *where,
        )
        .order_by(span_t.c.document_id, span_t.c.start, span_t.c.end, span_t.c.id)
    )  # fmt: skip
    layers: dict[int, list[SpanRef]] = defaultdict(list)
    for document_id, span_id, start, end, label_id, label, text, origin in rows:
        accepted = origin == Origin.ACCEPTED.value
        layers[document_id].append(
            SpanRef(span_id, start, end, label_id, label, text, annotator, accepted)
        )
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


# -- writing --------------------------------------------------------------------------------


def _gold_id(session: Session) -> int:
    """The gold annotator, created the first time anything is written to gold."""
    found = _annotator_id(session.connection(), GOLD)
    if found is not None:
        return found
    # Two reviewers may write the first gold span at the same moment.
    gold_id, _made = insert_or_get(
        session.connection(),
        annotator_t,
        {"name": GOLD, "kind": AnnotatorKind.GOLD.value},
        ("name",),
    )
    return gold_id


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
