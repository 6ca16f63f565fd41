"""The corpus schema: SQLModel tables whose rules also live in the database itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Index,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from annotator.base.vocabulary import (
    GOLD,
    AnnotatorKind,
    ItemKind,
    LabelKind,
    Origin,
    ReviewAction,
    Status,
)

# Named constraints keep Alembic migrations (and SQLite batch mode) predictable.
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend, though SQLite itself stores them naive."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp() -> Any:
    return Field(default_factory=utc_now, sa_type=UtcDateTime, nullable=False)


def _one_of(column: str, values: type[StrEnum]) -> str:
    listed = ", ".join(f"'{value.value}'" for value in values)
    return f"{column} IN ({listed})"


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, min_length=1)
    created_at: datetime = _timestamp()

    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)


class Label(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    name: str
    kind: str = Field(default=LabelKind.SPAN.value)
    color: str = "#4e79a7"
    hotkey: str | None = None
    description: str = ""
    position: int = 0

    __table_args__ = (
        UniqueConstraint("project_id", "kind", "name", name="uq_label_project_kind_name"),
        CheckConstraint(_one_of("kind", LabelKind), name="kind_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    title: str | None = None
    author: str | None = None
    published: date | None = None
    source_url: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    created_at: datetime = _timestamp()

    __table_args__ = (
        UniqueConstraint("project_id", "content_hash", name="uq_document_project_hash"),
    )


class _InsertContext(Protocol):
    """What a column default sees of SQLAlchemy's DefaultExecutionContext, whose
    get_current_parameters() carries no annotations."""

    def get_current_parameters(self) -> Mapping[str, Any]: ...


def _annotator_kind(context: _InsertContext) -> str:
    """The kind follows the reserved name, so every writer (ORM, Core, import, merge)
    that creates the `gold` annotator makes it the gold layer without saying so."""
    name = context.get_current_parameters().get("name")
    return AnnotatorKind.GOLD.value if name == GOLD else AnnotatorKind.PERSON.value


class Annotator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    # None only on a new object: the insert fills it in from the name.
    kind: str = Field(
        default=None,
        sa_column=Column(
            String,
            nullable=False,
            default=_annotator_kind,
            server_default=AnnotatorKind.PERSON.value,
        ),
    )

    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(_one_of("kind", AnnotatorKind), name="kind_known"),
    )


class Span(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="annotator.id")
    label_id: int = Field(foreign_key="label.id")
    start: int
    end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = None
    origin: str = Field(default=Origin.MANUAL.value)
    # Set on suggestions (and kept once accepted or rejected): which source proposed the
    # span, and the model's confidence where it gives one.
    source: str | None = None
    score: float | None = None
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    __table_args__ = (
        CheckConstraint("start >= 0", name="start_not_negative"),
        CheckConstraint('start < "end"', name="start_before_end"),
        CheckConstraint(_one_of("origin", Origin), name="origin_known"),
        UniqueConstraint(
            "document_id", "annotator_id", "label_id", "start", "end", name="uq_span_identity"
        ),
        Index("ix_span_document_annotator", "document_id", "annotator_id"),
        Index("ix_span_label", "label_id"),
    )


class DocumentLabel(SQLModel, table=True):
    __tablename__ = "document_label"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="annotator.id")
    label_id: int = Field(foreign_key="label.id")
    created_at: datetime = _timestamp()

    __table_args__ = (
        UniqueConstraint(
            "document_id", "annotator_id", "label_id", name="uq_document_label_identity"
        ),
    )


class DocumentStatus(SQLModel, table=True):
    __tablename__ = "document_status"

    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", primary_key=True)
    annotator_id: int = Field(foreign_key="annotator.id", primary_key=True)
    status: str = Field(default=Status.TODO.value)
    updated_at: datetime = _timestamp()

    __table_args__ = (CheckConstraint(_one_of("status", Status), name="status_known"),)


class ReviewDecision(SQLModel, table=True):
    """Append-only: the latest row per (document, annotator_a, annotator_b, item_key) is
    the current decision, the earlier ones are how the reviewer got there."""

    __tablename__ = "review_decision"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    reviewer_id: int = Field(foreign_key="annotator.id")
    annotator_a: str
    annotator_b: str | None = None  # None: annotator_a was reviewed against the gold layer
    item_key: str
    kind: str
    action: str
    subject: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    comment: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = _timestamp()

    __table_args__ = (
        CheckConstraint(_one_of("kind", ItemKind), name="kind_known"),
        CheckConstraint(_one_of("action", ReviewAction), name="action_known"),
        Index("ix_review_decision_item", "document_id", "annotator_a", "annotator_b", "item_key"),
    )


class Effort(SQLModel, table=True):
    """Time and keys an annotator spent on a document, added to as they work: active
    seconds (idle stretches left out), key presses, and spans made or accepted."""

    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", primary_key=True)
    annotator_id: int = Field(foreign_key="annotator.id", primary_key=True)
    active_seconds: float = 0.0
    keystrokes: int = 0
    spans_made: int = 0
    updated_at: datetime = _timestamp()

    __table_args__ = (
        CheckConstraint("active_seconds >= 0", name="active_not_negative"),
        CheckConstraint("keystrokes >= 0", name="keystrokes_not_negative"),
        CheckConstraint("spans_made >= 0", name="spans_not_negative"),
    )


class History(SQLModel, table=True):
    """Append-only: one row per change, written in the same transaction as the change."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp()
    annotator: str
    action: str
    entity: str
    entity_id: int | None = None
    project_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The document a row concerns, so a document's story is one indexed query.
    document_id: int | None = Field(default=None, index=True)
    # Rows written by one action share it: undo and redo take the whole action back.
    batch: str | None = None


class Trash(SQLModel, table=True):
    """A deleted document or label with every row that went with it, restorable."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    kind: str
    name: str
    deleted_by: str
    deleted_at: datetime = _timestamp()
    rows: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    restored_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)

    __table_args__ = (CheckConstraint("kind IN ('document', 'label')", name="kind_known"),)


# The same tables for SQLAlchemy Core, which the bulk paths (import, export, merge,
# agreement, review) use because the ORM is about ten times slower for many rows.
project_t: Table = Project.__table__  # type: ignore[attr-defined]
label_t: Table = Label.__table__  # type: ignore[attr-defined]
document_t: Table = Document.__table__  # type: ignore[attr-defined]
annotator_t: Table = Annotator.__table__  # type: ignore[attr-defined]
span_t: Table = Span.__table__  # type: ignore[attr-defined]
doclabel_t: Table = DocumentLabel.__table__  # type: ignore[attr-defined]
status_t: Table = DocumentStatus.__table__  # type: ignore[attr-defined]
decision_t: Table = ReviewDecision.__table__  # type: ignore[attr-defined]
effort_t: Table = Effort.__table__  # type: ignore[attr-defined]
history_t: Table = History.__table__  # type: ignore[attr-defined]
trash_t: Table = Trash.__table__  # type: ignore[attr-defined]
