"""The corpus façade the GUI and the command line share: one object per open database.

Every public mutation is one committed transaction that also appends to the history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, and_, case, distinct, literal
from sqlalchemy import select as core_select  # sqlmodel types select() up to four columns
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, func, select

from annotator.base.errors import UserError
from annotator.base.vocabulary import COUNTED_ORIGINS, LabelKind, Origin, Status
from annotator.core import operations as ops
from annotator.core.catalog import Catalog
from annotator.core.changes import Change, apply_state, record, recorded_inverse
from annotator.core.db import WRITES, place
from annotator.core.failures import classify
from annotator.core.models import (
    Annotator,
    Document,
    DocumentLabel,
    DocumentStatus,
    History,
    Label,
    Project,
    Span,
    span_t,
)
from annotator.core.ordering import code_point_order

if TYPE_CHECKING:
    from annotator.core.trash import TrashItem

TEXTS_KEPT = 8
# What a unique constraint PostgreSQL names means, when another program made the same row
# between our check and our insert (on SQLite the write lock leaves no such moment).
_TAKEN = {
    "uq_label_project_kind_name": "the project already has a label of that name",
    "uq_project_name": "a project of that name already exists",
    "uq_span_identity": "that span is already there",
    "uq_document_label_identity": "that document label is already set",
}


def _refusal(error: IntegrityError) -> str:
    diagnosis = getattr(error.orig, "diag", None)
    constraint = getattr(diagnosis, "constraint_name", None)
    if constraint in _TAKEN:
        return f"{_TAKEN[constraint]} (someone else has just made it)"
    return f"the database refused the change: {error.orig}"


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    title: str | None
    status: str
    spans: int
    chars: int


@dataclass(frozen=True, slots=True)
class SpanInfo:
    id: int
    label_id: int
    start: int
    end: int
    note: str | None


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int


class Corpus(Catalog):
    """An open corpus database, acting on behalf of one annotator."""

    def __init__(self, engine: Engine, *, annotator: str) -> None:
        super().__init__(engine, annotator=annotator)
        self._annotator_id: int | None = None
        self._texts: dict[int, str] = {}

    # -- sessions ---------------------------------------------------------------------

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def action(self) -> Iterator[Session]:
        """One user action: one transaction, committed at the end or rolled back whole.

        A refused change and a problem of the environment become UserErrors; any other
        database error is a bug and goes on as it is.
        """
        with self.session() as session:
            try:
                # Takes the write lock now (see core.db.writing), inside the error handling.
                session.connection(execution_options={WRITES: True})
                yield session
                session.commit()
            except IntegrityError as error:
                session.rollback()
                raise UserError(_refusal(error)) from error
            except DBAPIError as error:
                session.rollback()
                problem = classify(error, where=place(self.engine.url))
                if problem is None:
                    raise
                raise problem from error
            except BaseException:
                session.rollback()
                raise

    def _commit_change(self, session: Session, change: Change | None) -> Change | None:
        if change is not None:
            record(session, change, annotator=self.annotator_name)
        return change

    def annotator_id(self, name: str | None = None) -> int:
        if name is None and self._annotator_id is not None:
            return self._annotator_id
        with self.action() as session:
            annotator_id = ops.get_or_create_annotator(
                name or self.annotator_name, session=session
            ).id
        assert annotator_id is not None
        if name is None:
            self._annotator_id = annotator_id
        return annotator_id

    def reader_id(self, name: str | None) -> int:
        """The annotator's id for a read; one who never worked matches nothing (-1),
        and looking is not a reason to create them."""
        if name is None and self._annotator_id is not None:
            return self._annotator_id
        with self.session() as session:
            found = session.exec(
                select(Annotator.id).where(Annotator.name == (name or self.annotator_name))
            ).first()
        if found is None:
            return -1
        if name is None:
            self._annotator_id = found
        return found

    # -- projects and labels ----------------------------------------------------------

    def create_project(self, name: str) -> Project:
        with self.action() as session:
            change = ops.create_project(name, session=session)
            self._commit_change(session, change)
            project = session.get(Project, change.entity_id)
        assert project is not None
        return project

    def project(self, name: str) -> Project:
        with self.session() as session:
            return ops.get_project(name, session=session)

    def project_id(self, name: str) -> int:
        project_id = self.project(name).id
        assert project_id is not None  # stored rows always have one
        return project_id

    def ensure_project(self, name: str) -> Project:
        """The project, made unless it exists (or another program makes it meanwhile)."""
        from annotator.core.import_writer import make_project

        with self.session() as session:
            project = session.exec(select(Project).where(Project.name == name)).first()
        if project is not None:
            return project
        with self.action() as session:
            project_id, _made = make_project(
                session.connection(), name, importer=self.annotator_name
            )
            project = session.get(Project, project_id)
        assert project is not None
        return project

    def labels(self, project_id: int, *, kind: LabelKind | None = None) -> list[Label]:
        with self.session() as session:
            query = select(Label).where(Label.project_id == project_id)
            if kind is not None:
                query = query.where(Label.kind == kind.value)
            return list(session.exec(query.order_by(col(Label.position), col(Label.id))).all())

    def add_label(
        self,
        project_id: int,
        name: str,
        *,
        kind: LabelKind = LabelKind.SPAN,
        color: str | None = None,
        hotkey: str | None = None,
        description: str = "",
        auto_hotkey: bool = True,
    ) -> Change:
        with self.action() as session:
            change = ops.add_label(
                project_id, name, session=session, kind=kind, color=color,
                hotkey=hotkey, description=description, auto_hotkey=auto_hotkey,
            )  # fmt: skip
            self._commit_change(session, change)
        return change

    def add_labels(self, project_id: int, entries: Sequence[Mapping[str, Any]]) -> list[Change]:
        """Several labels in one transaction (a label set, another project's labels), so
        the window undoes them in one step. Each entry holds `name` and optionally `kind`,
        `color`, `hotkey` and `description`, as `resources/labels/*.json` does."""
        changes: list[Change] = []
        with self.action() as session:
            for entry in entries:
                change = ops.add_label(
                    project_id, entry["name"], session=session,
                    kind=LabelKind(entry.get("kind", LabelKind.SPAN)), color=entry.get("color"),
                    hotkey=entry.get("hotkey"), description=entry.get("description") or "",
                )  # fmt: skip
                self._commit_change(session, change)
                changes.append(change)
        return changes

    def update_label(self, label_id: int, **fields: Any) -> Change:
        with self.action() as session:
            change = ops.update_label(label_id, session=session, **fields)
            self._commit_change(session, change)
        return change

    # -- documents --------------------------------------------------------------------

    def document(self, document_id: int) -> Document:
        with self.session() as session:
            document = ops.get_document(document_id, session=session)
        self._remember_text(document_id, document.text)
        return document

    def _remember_text(self, document_id: int, text: str) -> None:
        """Texts never change once stored, so the last few opened are kept at hand."""
        self._texts.pop(document_id, None)
        self._texts[document_id] = text
        while len(self._texts) > TEXTS_KEPT:
            self._texts.pop(next(iter(self._texts)))

    def documents(
        self,
        project_id: int,
        *,
        annotator: str | None = None,
        status: Status | None = None,
        search: str | None = None,
        after_id: int = 0,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[DocumentRow]:
        """Documents in import order with this annotator's status and span count.

        `after_id` pages by key, which stays fast deep into a large project.
        """
        annotator_id = self.reader_id(annotator)
        span_count = (
            select(func.count())
            .where(
                Span.document_id == Document.id,
                Span.annotator_id == annotator_id,
                col(Span.origin).in_(COUNTED_ORIGINS),
            )
            .correlate(Document)
            .scalar_subquery()
        )
        status_column = func.coalesce(DocumentStatus.status, literal(Status.TODO.value))
        query = (
            core_select(
                col(Document.id),
                col(Document.title),
                status_column,
                span_count,
                func.length(col(Document.text)),
            )
            .outerjoin(
                DocumentStatus,
                and_(
                    col(DocumentStatus.document_id) == col(Document.id),
                    col(DocumentStatus.annotator_id) == annotator_id,
                ),
            )
            .where(col(Document.project_id) == project_id, col(Document.id) > after_id)
            .order_by(col(Document.id))
        )
        if status is not None:
            query = query.where(status_column == status.value)
        if search:
            pattern = f"%{search}%"
            query = query.where(
                col(Document.title).ilike(pattern) | col(Document.text).ilike(pattern)
            )
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            return [DocumentRow(*row) for row in session.connection().execute(query).all()]

    def document_row(self, document_id: int, *, annotator: str | None = None) -> DocumentRow:
        with self.session() as session:
            project_id = ops.project_of(document_id, session=session)
        rows = self.documents(project_id, annotator=annotator, after_id=document_id - 1, limit=1)
        return rows[0]

    def document_position(self, document_id: int) -> tuple[int, int]:
        """(1-based place in import order, documents in the project), counted in SQL."""
        with self.session() as session:
            project_id = ops.project_of(document_id, session=session)
            in_project = Document.project_id == project_id
            place = session.exec(
                select(func.count()).where(in_project, col(Document.id) <= document_id)
            ).one()
            total = session.exec(select(func.count()).where(in_project)).one()
        return place, total

    def progress(self, project_id: int, *, annotator: str | None = None) -> Progress:
        annotator_id = self.reader_id(annotator)
        with self.session() as session:
            total = session.exec(
                select(func.count()).where(Document.project_id == project_id)
            ).one()
            done = session.exec(
                select(func.count())
                .select_from(DocumentStatus)
                .join(Document, col(Document.id) == col(DocumentStatus.document_id))
                .where(
                    Document.project_id == project_id,
                    DocumentStatus.annotator_id == annotator_id,
                    DocumentStatus.status == Status.DONE.value,
                )
            ).one()
        return Progress(done=done, total=total)

    def set_status(self, document_id: int, status: Status) -> Change | None:
        annotator_id = self.annotator_id()
        with self.action() as session:
            change = ops.set_status(document_id, status, session=session, annotator_id=annotator_id)
            return self._commit_change(session, change)

    def set_document_label(self, document_id: int, label_id: int, present: bool) -> Change | None:
        annotator_id = self.annotator_id()
        with self.action() as session:
            change = ops.set_document_label(
                document_id, label_id, present, session=session, annotator_id=annotator_id
            )
            if change is not None:
                ops.start_document(document_id, session=session, annotator_id=annotator_id)
            return self._commit_change(session, change)

    def document_labels(self, document_id: int, *, annotator: str | None = None) -> list[int]:
        annotator_id = self.reader_id(annotator)
        with self.session() as session:
            return list(
                session.exec(
                    select(DocumentLabel.label_id).where(
                        DocumentLabel.document_id == document_id,
                        DocumentLabel.annotator_id == annotator_id,
                    )
                ).all()
            )

    # -- spans ------------------------------------------------------------------------

    def spans(
        self,
        document_id: int,
        *,
        annotator: str | None = None,
        origins: Sequence[str] = COUNTED_ORIGINS,
    ) -> list[Span]:
        """The layer's annotations; `origins` widens it to suggested or rejected spans."""
        annotator_id = self.reader_id(annotator)
        with self.session() as session:
            return ops.spans_of(
                document_id, session=session, annotator_id=annotator_id, origins=origins
            )

    def span_view(self, document_id: int, *, annotator: str | None = None) -> list[SpanInfo]:
        """Light rows for drawing a document: SQLAlchemy Core, no ORM objects, since a long
        article may hold ten thousand spans."""
        annotator_id = self.reader_id(annotator)
        table = span_t
        query = (
            core_select(table.c.id, table.c.label_id, table.c.start, table.c.end, table.c.note)
            .where(
                table.c.document_id == document_id,
                table.c.annotator_id == annotator_id,
                table.c.origin.in_(COUNTED_ORIGINS),
            )
            .order_by(table.c.start, table.c.end, table.c.id)
        )
        with self.engine.connect() as connection:
            return [SpanInfo(*row) for row in connection.execute(query)]

    def annotators(self) -> list[str]:
        with self.session() as session:
            names = select(Annotator.name).order_by(code_point_order(Annotator.name))
            return list(session.exec(names).all())

    def all_spans(self, document_id: int) -> list[Span]:
        with self.session() as session:
            return ops.spans_of(document_id, session=session, annotator_id=None)

    def add_span(
        self,
        document_id: int,
        label_id: int,
        start: int,
        end: int,
        *,
        note: str | None = None,
        origin: Origin = Origin.MANUAL,
    ) -> Change:
        annotator_id = self.annotator_id()
        with self.action() as session:
            change = ops.add_span(
                document_id, label_id, start, end, session=session,
                annotator_id=annotator_id, note=note, origin=origin,
                text=self._texts.get(document_id),
            )  # fmt: skip
            if origin == Origin.MANUAL:
                ops.start_document(document_id, session=session, annotator_id=annotator_id)
            self._commit_change(session, change)
        return change

    def relabel_span(self, span_id: int, label_id: int) -> Change:
        me = self.annotator_id()  # before the transaction: it may write the annotator
        with self.action() as session:
            change = ops.relabel_span(span_id, label_id, session=session)
            self._start_own_document(session, change, me)
            self._commit_change(session, change)
        return change

    def set_span_note(self, span_id: int, note: str | None) -> Change:
        with self.action() as session:
            change = ops.set_span_note(span_id, note, session=session)
            self._commit_change(session, change)
        return change

    def remove_span(self, span_id: int) -> Change:
        me = self.annotator_id()  # before the transaction: it may write the annotator
        with self.action() as session:
            change = ops.remove_span(span_id, session=session)
            self._start_own_document(session, change, me)
            self._commit_change(session, change)
        return change

    def _start_own_document(self, session: Session, change: Change, me: int) -> None:
        """A change to one's own span begins the document (see `ops.start_document`);
        one to another layer's, such as the gold layer, does not."""
        row = change.before or change.after
        if row is None or change.document_id is None:
            return
        if row["annotator_id"] == me:
            ops.start_document(change.document_id, session=session, annotator_id=me)

    # -- undo and history -------------------------------------------------------------

    def revert(self, change: Change) -> Change:
        """Put the row back as it was before `change`; the returned change redoes it."""
        inverse = change.inverse()
        with self.action() as session:
            apply_state(session, inverse)
            self._commit_change(session, recorded_inverse(change))
        return inverse

    def revert_all(self, changes: Sequence[Change]) -> list[Change]:
        """Undo one compound action's `changes` (in the order made) in one transaction, so
        a failure leaves all of them in place; `revert_all` of the result redoes them."""
        inverses: list[Change] = []
        with self.action() as session:
            for change in reversed(changes):
                inverse = change.inverse()
                apply_state(session, inverse)
                session.flush()
                self._commit_change(session, recorded_inverse(change))
                inverses.append(inverse)
        return inverses

    def history(self, *, project_id: int | None = None, limit: int = 100) -> list[History]:
        with self.session() as session:
            query = select(History).order_by(col(History.id).desc()).limit(limit)
            if project_id is not None:
                query = query.where(History.project_id == project_id)
            return list(session.exec(query).all())

    # -- undo after a restart, and the trash (annotator.core.history and .trash) -------

    def undo_last(
        self, *, project_id: int | None = None, documents_only: bool = False
    ) -> list[Change]:
        """Undo this annotator's newest action from the history, even one made before
        the corpus was last opened; the undo is recorded, so redo_last can replay it."""
        from annotator.core.history import undo_last

        return undo_last(self, project_id=project_id, documents_only=documents_only)

    def redo_last(
        self, *, project_id: int | None = None, documents_only: bool = False
    ) -> list[Change]:
        from annotator.core.history import redo_last

        return redo_last(self, project_id=project_id, documents_only=documents_only)

    def delete_document(self, document_id: int) -> Change:
        from annotator.core.trash import delete_document

        return delete_document(self, document_id)

    def delete_label(self, label_id: int) -> Change:
        from annotator.core.trash import delete_label

        return delete_label(self, label_id)

    def trash(self, project_id: int) -> list[TrashItem]:
        from annotator.core.trash import trash

        return trash(self, project_id)

    def restore(self, trash_id: int) -> Change:
        from annotator.core.trash import restore

        return restore(self, trash_id)

    # -- compound actions and whole-project reads the window asks for ------------------

    def reorder_labels(self, project_id: int, ordered_ids: Sequence[int]) -> Change:
        """Put the project's labels in this order: one transaction, one history row, so a
        failure half-way leaves the old order and undo restores it in one step."""
        with self.action() as session:
            change = ops.reorder_labels(project_id, ordered_ids, session=session)
            self._commit_change(session, change)
        return change

    # -- statistics -------------------------------------------------------------------

    def stats(self, project_id: int) -> dict[str, Any]:
        """Counts a lead looks at before exporting: per label, per annotator, per status."""
        with self.session() as session:
            documents = session.exec(
                select(func.count()).where(Document.project_id == project_id)
            ).one()
            per_label = session.exec(
                select(Label.name, func.count(col(Span.id)))
                .join(Span, col(Span.label_id) == col(Label.id))
                .where(Label.project_id == project_id, col(Span.origin).in_(COUNTED_ORIGINS))
                .group_by(Label.name)
                .order_by(code_point_order(Label.name))
            ).all()
            per_annotator = session.exec(
                select(
                    Annotator.name,
                    func.count(col(Span.id)),
                    func.count(distinct(col(Span.document_id))),
                )
                .join(Span, col(Span.annotator_id) == col(Annotator.id))
                .join(Document, col(Document.id) == col(Span.document_id))
                .where(Document.project_id == project_id, col(Span.origin).in_(COUNTED_ORIGINS))
                .group_by(Annotator.name)
                .order_by(code_point_order(Annotator.name))
            ).all()
            statuses = session.exec(
                select(
                    Annotator.name,
                    func.sum(case((col(DocumentStatus.status) == Status.DONE.value, 1), else_=0)),
                    func.sum(
                        case((col(DocumentStatus.status) == Status.IN_PROGRESS.value, 1), else_=0)
                    ),
                )
                .join(DocumentStatus, col(DocumentStatus.annotator_id) == col(Annotator.id))
                .join(Document, col(Document.id) == col(DocumentStatus.document_id))
                .where(Document.project_id == project_id)
                .group_by(Annotator.name)
            ).all()
        done = {name: (int(d or 0), int(p or 0)) for name, d, p in statuses}
        return {
            "documents": documents,
            "spans": sum(count for _, count in per_label),
            "labels": {name: count for name, count in per_label},
            "annotators": {
                name: {
                    "spans": spans,
                    "documents_with_spans": docs,
                    Status.DONE: done.get(name, (0, 0))[0],
                    Status.IN_PROGRESS: done.get(name, (0, 0))[1],
                }
                for name, spans, docs in per_annotator
            }
            | {
                name: {
                    "spans": 0,
                    "documents_with_spans": 0,
                    Status.DONE: d,
                    Status.IN_PROGRESS: p,
                }
                for name, (d, p) in done.items()
                if name not in {row[0] for row in per_annotator}
            },
        }
