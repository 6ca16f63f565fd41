"""What the review decided, as rows: the decision log, and each annotator's feedback."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from sqlalchemy import Engine, func, select

from annotator.base.errors import UserError
from annotator.base.text import CONTEXT_CHARS
from annotator.base.vocabulary import GOLD, ReviewAction
from annotator.core.catalog import Catalog
from annotator.core.exporting import format_timestamp
from annotator.core.models import annotator_t, decision_t, document_t
from annotator.core.review.classify import Decision, _identity
from annotator.core.review.storage import _decisions, _person_id
from annotator.formats.feedback_html import EDITED, MISSED, OTHER_TAKEN, REJECTED, FeedbackRow

DECISION_COLUMNS = (
    "decision_id", "document_id", "document_hash", "document_title", "reviewer",
    "annotator_a", "annotator_b", "item_key", "kind", "action",
    "a_label", "a_start", "a_end", "a_text", "b_label", "b_start", "b_end", "b_text",
    "gold_label", "gold_start", "gold_end", "comment", "created_at",
)  # fmt: skip
"""Columns of `decision_rows`: every decision ever made, superseded ones included, in
document order then the order they were made. `annotator_b` is "gold" for a review
against gold; a side or the gold result that is absent leaves its four cells empty."""


def _cells(data: dict[str, Any] | None) -> tuple[Any, Any, Any, Any]:
    if not data:
        return (None, None, None, None)
    return (data.get("label"), data.get("start"), data.get("end"), data.get("text"))


def decision_rows(corpus: Catalog, project_id: int) -> Generator[tuple[Any, ...]]:
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
    # The server-side cursor of PostgreSQL is closed as soon as the reading stops, even
    # when the file being written fails midway, not left to the garbage collector.
    with (
        corpus.engine.connect() as connection,
        connection.execution_options(stream_results=True, yield_per=1000).execute(query) as result,
    ):
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


def feedback_rows(corpus: Catalog, project_id: int, annotator: str) -> Iterator[FeedbackRow]:
    """What the review decided against `annotator`'s work: every current decision where
    their span was not taken as is (rejected, the other side's taken, edited) or where
    gold has a span they missed, with the reviewer's comment and the text around it."""
    if annotator.strip() == GOLD:
        raise UserError("feedback is for a person; gold is what they are compared with")
    with corpus.engine.connect() as connection:
        _person_id(connection, annotator)  # checked now, before any file is opened
    return _feedback_rows(corpus.engine, project_id, annotator)


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
