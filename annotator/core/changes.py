"""Reversible changes: what a mutation did, stored in history and replayed backwards for undo."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Date
from sqlmodel import Session, SQLModel

from annotator.base.errors import UserError
from annotator.core.models import (
    Annotator,
    Document,
    DocumentLabel,
    DocumentStatus,
    History,
    Label,
    Project,
    ReviewDecision,
    Span,
    UtcDateTime,
)

TABLES: dict[str, type[SQLModel]] = {
    model.__tablename__: model  # type: ignore[misc]
    for model in (
        Project,
        Label,
        Document,
        Annotator,
        Span,
        DocumentLabel,
        DocumentStatus,
        ReviewDecision,
    )
}
# Not a table: the positions of a project's labels, changed (and undone) as one.
LABEL_ORDER = "label_order"


@dataclass(frozen=True, slots=True)
class Change:
    """One row's state before and after an action; None on a side means absent."""

    action: str
    entity: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    project_id: int | None = None
    document_id: int | None = None

    @property
    def entity_id(self) -> int | None:
        row = self.after if self.after is not None else self.before
        return row.get("id") if row else None

    def inverse(self) -> Change:
        return Change(
            action=self.action[5:] if self.action.startswith("undo ") else f"undo {self.action}",
            entity=self.entity,
            before=self.after,
            after=self.before,
            project_id=self.project_id,
            document_id=self.document_id,
        )


def recorded_inverse(change: Change) -> Change:
    """`change.inverse()` as the history names it: undoing an undo is a redo, so the
    history tells actions, undos and redos apart and undo can be rebuilt from it."""
    inverse = change.inverse()
    if change.action.startswith("undo "):
        return replace(inverse, action=f"redo {inverse.action}")
    return inverse


def inverse_action(action: str) -> str:
    if action.startswith("undo "):
        return f"redo {action[5:]}"
    if action.startswith("redo "):
        return f"undo {action[5:]}"
    return f"undo {action}"


def snapshot(row: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a row's columns."""
    data: dict[str, Any] = {}
    for column in row.__table__.columns:  # type: ignore[attr-defined]
        value = getattr(row, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        data[column.key] = value
    return data


def from_snapshot(model: type[SQLModel], data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        value = data.get(column.key)
        if isinstance(value, str) and isinstance(column.type, UtcDateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        values[column.key] = value
    return values


def _primary_key(model: type[SQLModel], data: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(data[column.key] for column in model.__table__.primary_key.columns)  # type: ignore[attr-defined]


def apply_state(session: Session, change: Change) -> None:
    """Make the row look like `change.after`: create, update or delete it."""
    if change.entity == LABEL_ORDER:
        assert change.after is not None
        place_labels(session, change.after["positions"])
        return
    model = TABLES[change.entity]
    current_data = change.after if change.after is not None else change.before
    assert current_data is not None
    key = _primary_key(model, current_data)
    existing = session.get(model, key if len(key) > 1 else key[0])
    if change.after is None:
        if existing is not None:
            session.delete(existing)
        return
    values = from_snapshot(model, change.after)
    if existing is None:
        session.add(model(**values))
    else:
        for name, value in values.items():
            setattr(existing, name, value)
    session.flush()


def place_labels(session: Session, positions: list[list[int]]) -> None:
    """Give each label (id, position) its place; one flush for all of them."""
    for label_id, position in positions:
        label = session.get(Label, label_id)
        if label is None:
            raise UserError(f"no label with id {label_id}")
        label.position = position
        session.add(label)
    session.flush()


def batch_of(session: Session) -> str:
    """The key shared by every history row of the session's transaction: one action."""
    batch = session.info.get("history_batch")
    if batch is None:
        batch = session.info["history_batch"] = uuid4().hex
    return str(batch)


def record(session: Session, change: Change, *, annotator: str) -> None:
    """Append the change to the history in the caller's transaction."""
    session.add(
        History(
            annotator=annotator,
            action=change.action,
            entity=change.entity,
            entity_id=change.entity_id,
            project_id=change.project_id,
            document_id=change.document_id,
            batch=batch_of(session),
            before=change.before,
            after=change.after,
        )
    )
