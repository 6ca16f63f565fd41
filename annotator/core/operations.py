"""Data functions behind every user action: they take a session, check, change, never commit.

Each returns the `Change` it made so that the caller can record and undo it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from annotator.base.errors import UserError
from annotator.base.offsets import check_offsets
from annotator.base.vocabulary import COUNTED_ORIGINS, GOLD, LabelKind, Origin, Status
from annotator.core.changes import LABEL_ORDER, Change, place_labels, snapshot
from annotator.core.labelling import next_free_key
from annotator.core.models import (
    Annotator,
    Document,
    DocumentLabel,
    DocumentStatus,
    Label,
    Project,
    Span,
    annotator_t,
    utc_now,
)
from annotator.core.shared_rows import insert_ignoring_duplicates, insert_or_get

DEFAULT_COLORS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1",
    "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


def get_project(name: str, *, session: Session) -> Project:
    project = session.exec(select(Project).where(Project.name == name)).first()
    if project is None:
        known = session.exec(select(Project.name).order_by(Project.name)).all()
        hint = f"; projects: {', '.join(known)}" if known else "; there are no projects yet"
        raise UserError(f"no project named {name!r}{hint}")
    return project


def create_project(name: str, *, session: Session) -> Change:
    name = name.strip()
    if not name:
        raise UserError("a project needs a name")
    if session.exec(select(Project).where(Project.name == name)).first() is not None:
        raise UserError(f"a project named {name!r} already exists")
    project = Project(name=name)
    session.add(project)
    session.flush()
    return Change("create project", "project", None, snapshot(project), project_id=project.id)


def get_or_create_annotator(name: str, *, session: Session) -> Annotator:
    name = name.strip()
    if not name:
        raise UserError("an annotator needs a name")
    if name == GOLD:  # the gold layer is written by review decisions, never as a person
        raise UserError(f"{GOLD!r} is reserved for the reviewed gold layer; choose another name")
    annotator = session.exec(select(Annotator).where(Annotator.name == name)).first()
    if annotator is None:
        # Two windows of a new annotator may start at once: insert-or-get, not insert.
        annotator_id, _made = insert_or_get(
            session.connection(), annotator_t, {"name": name}, ("name",)
        )
        annotator = session.get(Annotator, annotator_id)
        assert annotator is not None
    return annotator


def _label(label_id: int, *, session: Session) -> Label:
    label = session.get(Label, label_id)
    if label is None:
        raise UserError(f"no label with id {label_id}")
    return label


def _check_hotkey(
    project_id: int, hotkey: str | None, label_id: int | None, *, session: Session
) -> None:
    if hotkey is None:
        return
    if len(hotkey) != 1 or hotkey.isspace():
        raise UserError(f"a hotkey is one key, not {hotkey!r}")
    taken = session.exec(
        select(Label).where(
            Label.project_id == project_id, Label.hotkey == hotkey, Label.id != label_id
        )
    ).first()
    if taken is not None:
        raise UserError(f"hotkey {hotkey!r} is already used by label {taken.name!r}")


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _check_color(color: str | None) -> None:
    """Refused before it reaches the window, which would paint a bad one black."""
    if color is not None and _COLOUR.fullmatch(color) is None:
        raise UserError(f"a colour is written #RRGGBB (such as #4e79a7), not {color!r}")


def add_label(
    project_id: int,
    name: str,
    *,
    session: Session,
    kind: LabelKind = LabelKind.SPAN,
    color: str | None = None,
    hotkey: str | None = None,
    description: str = "",
    auto_hotkey: bool = True,
) -> Change:
    """A new label; a span label without a hotkey takes the next free one of 1-9 unless
    `auto_hotkey` is off, so it can be used from the keyboard at once."""
    name = name.strip()
    if not name:
        raise UserError("a label needs a name")
    existing = session.exec(
        select(Label).where(Label.project_id == project_id, Label.kind == kind, Label.name == name)
    ).first()
    if existing is not None:
        raise UserError(f"the project already has a {kind.value} label named {name!r}")
    _check_hotkey(project_id, hotkey, None, session=session)
    _check_color(color)
    if hotkey is None and auto_hotkey and kind == LabelKind.SPAN:
        taken = session.exec(select(Label.hotkey).where(Label.project_id == project_id)).all()
        hotkey = next_free_key(taken)
    count = session.exec(select(func.count()).where(Label.project_id == project_id)).one()
    label = Label(
        project_id=project_id,
        name=name,
        kind=kind.value,
        color=color or DEFAULT_COLORS[count % len(DEFAULT_COLORS)],
        hotkey=hotkey,
        description=description,
        position=count,
    )
    session.add(label)
    session.flush()
    return Change("add label", "label", None, snapshot(label), project_id=project_id)


def update_label(
    label_id: int,
    *,
    session: Session,
    name: str | None = None,
    color: str | None = None,
    hotkey: str | None = None,
    clear_hotkey: bool = False,
    description: str | None = None,
    position: int | None = None,
) -> Change:
    """Rename, recolour, re-key or move a label; spans point at it by id, so they follow."""
    label = _label(label_id, session=session)
    before = snapshot(label)
    if name is not None:
        name = name.strip()
        if not name:
            raise UserError("a label needs a name")
        clash = session.exec(
            select(Label).where(
                Label.project_id == label.project_id,
                Label.kind == label.kind,
                Label.name == name,
                Label.id != label.id,
            )
        ).first()
        if clash is not None:
            raise UserError(f"another label is already named {name!r}")
        label.name = name
    if color is not None:
        _check_color(color)
        label.color = color
    if clear_hotkey:
        label.hotkey = None
    elif hotkey is not None:
        _check_hotkey(label.project_id, hotkey, label.id, session=session)
        label.hotkey = hotkey
    if description is not None:
        label.description = description
    if position is not None:
        label.position = position
    session.add(label)
    session.flush()
    return Change("update label", "label", before, snapshot(label), project_id=label.project_id)


def reorder_labels(project_id: int, ordered_ids: Sequence[int], *, session: Session) -> Change:
    """Number the project's labels in the given order, all or none."""
    labels = session.exec(
        select(Label)
        .where(Label.project_id == project_id)
        .order_by(col(Label.position), col(Label.id))
    ).all()
    positions = {label.id: label.position for label in labels if label.id is not None}
    if sorted(ordered_ids) != sorted(positions):
        raise UserError("a new order of the labels must name each of the project's labels once")
    before = [[label_id, position] for label_id, position in positions.items()]
    after = [[label_id, position] for position, label_id in enumerate(ordered_ids)]
    place_labels(session, after)
    return Change(
        "reorder labels", LABEL_ORDER,
        {"id": project_id, "positions": before}, {"id": project_id, "positions": after},
        project_id=project_id,
    )  # fmt: skip


def get_document(document_id: int, *, session: Session) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise UserError(f"no document with id {document_id}")
    return document


def add_span(
    document_id: int,
    label_id: int,
    start: int,
    end: int,
    *,
    session: Session,
    annotator_id: int,
    note: str | None = None,
    origin: Origin = Origin.MANUAL,
    text: str | None = None,
) -> Change:
    """`text`, when the caller already holds the document's (immutable) text, saves
    reading a long article again."""
    problem = check_offsets(sys.maxsize, start, end)  # types and order, before any query
    if problem is not None:
        raise UserError(f"cannot add the span to document {document_id}: {problem}")
    if text is not None:
        project_id = project_of(document_id, session=session)
        length, surface = len(text), text[start:end]
    else:
        # The database measures the text and cuts out the surface text (both count
        # code points, as Python does), so the whole article need not cross over.
        found = session.exec(
            select(
                Document.project_id,
                func.length(Document.text),
                func.substr(Document.text, start + 1, end - start),
            ).where(Document.id == document_id)
        ).first()
        if found is None:
            raise UserError(f"no document with id {document_id}")
        project_id, length, surface = found
    label = _label(label_id, session=session)
    if label.project_id != project_id or label.kind != LabelKind.SPAN:
        raise UserError(f"label {label.name!r} is not a span label of this document's project")
    problem = check_offsets(length, start, end)
    if problem is not None:
        raise UserError(f"cannot add the span to document {document_id}: {problem}")
    duplicate = session.exec(
        select(Span).where(
            Span.document_id == document_id,
            Span.annotator_id == annotator_id,
            Span.label_id == label_id,
            Span.start == start,
            Span.end == end,
        )
    ).first()
    if duplicate is not None:
        if duplicate.origin in COUNTED_ORIGINS:
            raise UserError(f"that {label.name} span at {start}-{end} already exists")
        # A rejected or suggested span at the same place becomes the person's span; undo
        # gives it back its former origin.
        before = snapshot(duplicate)
        duplicate.origin = origin.value
        duplicate.note = note if note is not None else duplicate.note
        duplicate.updated_at = utc_now()
        session.add(duplicate)
        session.flush()
        return Change(
            "add span", "span", before, snapshot(duplicate),
            project_id=project_id, document_id=document_id,
        )  # fmt: skip
    span = Span(
        document_id=document_id,
        annotator_id=annotator_id,
        label_id=label_id,
        start=start,
        end=end,
        text=surface,
        note=note,
        origin=origin.value,
    )
    session.add(span)
    session.flush()
    return Change(
        "add span", "span", None, snapshot(span),
        project_id=project_id, document_id=document_id,
    )  # fmt: skip


def _span(span_id: int, *, session: Session) -> Span:
    span = session.get(Span, span_id)
    if span is None:
        raise UserError(f"no span with id {span_id}")
    return span


def project_of(document_id: int, *, session: Session) -> int:
    project_id = session.exec(select(Document.project_id).where(Document.id == document_id)).first()
    if project_id is None:
        raise UserError(f"no document with id {document_id}")
    return project_id


def _make_way_for_relabel(span: Span, label: Label, *, session: Session) -> None:
    """A span takes a label where its layer already holds that label at the same place.
    Another annotation there is a clear error. A suggestion there (pending, or rejected
    before) is settled by the person's choice, so it gives way: the span now standing
    there keeps it from being proposed again."""
    if span.label_id == label.id:
        return
    blocking = session.exec(
        select(Span).where(
            Span.document_id == span.document_id,
            Span.annotator_id == span.annotator_id,
            Span.label_id == label.id,
            Span.start == span.start,
            Span.end == span.end,
        )
    ).first()
    if blocking is None:
        return
    if blocking.origin in COUNTED_ORIGINS:
        raise UserError(f"the same span is already labelled {label.name!r}")
    session.delete(blocking)
    session.flush()


def relabel_span(span_id: int, label_id: int, *, session: Session) -> Change:
    span = _span(span_id, session=session)
    label = _label(label_id, session=session)
    project_id = project_of(span.document_id, session=session)
    if label.project_id != project_id or label.kind != LabelKind.SPAN:
        raise UserError(f"label {label.name!r} is not a span label of this project")
    _make_way_for_relabel(span, label, session=session)
    before = snapshot(span)
    span.label_id = label_id
    span.updated_at = utc_now()
    session.add(span)
    session.flush()
    return Change(
        "relabel span", "span", before, snapshot(span),
        project_id=project_id, document_id=span.document_id,
    )  # fmt: skip


def set_span_note(span_id: int, note: str | None, *, session: Session) -> Change:
    span = _span(span_id, session=session)
    before = snapshot(span)
    span.note = note or None
    span.updated_at = utc_now()
    session.add(span)
    session.flush()
    return Change(
        "set span note", "span", before, snapshot(span),
        project_id=project_of(span.document_id, session=session), document_id=span.document_id,
    )  # fmt: skip


def remove_span(span_id: int, *, session: Session) -> Change:
    span = _span(span_id, session=session)
    before = snapshot(span)
    project_id = project_of(span.document_id, session=session)
    session.delete(span)
    session.flush()
    return Change(
        "remove span", "span", before, None, project_id=project_id, document_id=span.document_id
    )


def set_document_label(
    document_id: int, label_id: int, present: bool, *, session: Session, annotator_id: int
) -> Change | None:
    """Tick or untick a whole-document label; None when it was already so."""
    project_id = project_of(document_id, session=session)
    label = _label(label_id, session=session)
    if label.project_id != project_id or label.kind != LabelKind.DOCUMENT:
        raise UserError(f"label {label.name!r} is not a document label of this project")
    existing = session.exec(
        select(DocumentLabel).where(
            DocumentLabel.document_id == document_id,
            DocumentLabel.annotator_id == annotator_id,
            DocumentLabel.label_id == label_id,
        )
    ).first()
    if present and existing is None:
        row = DocumentLabel(document_id=document_id, annotator_id=annotator_id, label_id=label_id)
        session.add(row)
        session.flush()
        return Change(
            "set document label", "document_label", None, snapshot(row),
            project_id=project_id, document_id=document_id,
        )  # fmt: skip
    if not present and existing is not None:
        before = snapshot(existing)
        session.delete(existing)
        session.flush()
        return Change(
            "clear document label", "document_label", before, None,
            project_id=project_id, document_id=document_id,
        )  # fmt: skip
    return None


def set_status(
    document_id: int, status: Status, *, session: Session, annotator_id: int
) -> Change | None:
    project_id = project_of(document_id, session=session)  # not the text: it may be long
    row = session.get(DocumentStatus, (document_id, annotator_id))
    before = snapshot(row) if row is not None else None
    if row is not None and row.status == status.value:
        return None
    if row is None:
        row = DocumentStatus(document_id=document_id, annotator_id=annotator_id)
    row.status = status.value
    row.updated_at = utc_now()
    session.add(row)
    session.flush()
    return Change(
        "set status", "document_status", before, snapshot(row),
        project_id=project_id, document_id=document_id,
    )  # fmt: skip


def start_document(document_id: int, *, session: Session, annotator_id: int) -> bool:
    """Put a document the annotator has not begun "in progress", in the transaction of
    their first change to it: the list then tells begun work from untouched work without
    a key press, while "done" stays the annotator's own decision. It is no change of its
    own (no history row), so undoing that first change leaves the document in progress.
    True when it was started now."""
    status_t = DocumentStatus.__table__  # type: ignore[attr-defined]
    mine = (status_t.c.document_id == document_id, status_t.c.annotator_id == annotator_id)
    current = session.execute(select(status_t.c.status).where(*mine)).scalar()
    if current is None:
        # Ignoring a row another window of the same person inserted meanwhile.
        connection = session.connection()
        inserted = session.execute(
            insert_ignoring_duplicates(connection, status_t).values(
                document_id=document_id,
                annotator_id=annotator_id,
                status=Status.IN_PROGRESS.value,
                updated_at=utc_now(),
            )
        )
        return bool(inserted.rowcount)  # type: ignore[attr-defined]
    if current != Status.TODO.value:
        return False
    session.execute(
        update(status_t)
        .where(*mine, status_t.c.status == Status.TODO.value)
        .values(status=Status.IN_PROGRESS.value, updated_at=utc_now())
    )
    return True


def spans_of(
    document_id: int,
    *,
    session: Session,
    annotator_id: int | None,
    origins: Sequence[str] = COUNTED_ORIGINS,
) -> list[Span]:
    query = select(Span).where(Span.document_id == document_id, col(Span.origin).in_(origins))
    if annotator_id is not None:
        query = query.where(Span.annotator_id == annotator_id)
    return list(session.exec(query.order_by(col(Span.start), col(Span.end), col(Span.id))).all())
