"""Deciding review items: each decision, and accepting every agreement, is one transaction."""

from __future__ import annotations

from sqlalchemy import Connection, select

from annotator.base.errors import UserError
from annotator.base.offsets import check_offsets
from annotator.base.vocabulary import GOLD, ItemKind, LabelKind, ReviewAction
from annotator.core.changes import Change
from annotator.core.corpus import Corpus
from annotator.core.models import label_t
from annotator.core.review.classify import Identity, ReviewItem
from annotator.core.review.storage import _compare, _document, _pair, _Writer


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
