"""The trash: a deleted document or label keeps every row that went with it, restorable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from annotator.base.errors import UserError
from annotator.base.vocabulary import COUNTED_ORIGINS, Origin
from annotator.core.changes import TABLES, Change, from_snapshot, inverse_action, record
from annotator.core.models import (
    decision_t,
    doclabel_t,
    document_t,
    label_t,
    span_t,
    status_t,
    trash_t,
    utc_now,
)

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus

TRASH = "trash"
# What goes with each kind of item, children after their parent, as restore inserts them.
_DOCUMENT_ROWS: tuple[Table, ...] = (document_t, span_t, doclabel_t, status_t, decision_t)
_LABEL_ROWS: tuple[Table, ...] = (label_t, span_t, doclabel_t)


@dataclass(frozen=True, slots=True)
class TrashItem:
    id: int
    kind: str
    item_id: int
    name: str
    spans: int
    deleted_by: str
    deleted_at: datetime


def _json(row: Any) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime | date) else value
        for key, value in row._mapping.items()
    }


def _take_rows(
    connection: Connection, tables: tuple[Table, ...], parent: str, item_id: int
) -> dict[str, list[dict[str, Any]]]:
    """Copy the item's rows (the first table's by id, the others' by `parent`), then
    delete them, children first."""
    top, *children = tables
    taken = {
        top.name: [_json(r) for r in connection.execute(select(top).where(top.c.id == item_id))]
    }
    if not taken[top.name]:
        raise UserError(f"no {top.name} with id {item_id}")
    for table in children:
        query = select(table).where(table.c[parent] == item_id)
        taken[table.name] = [_json(row) for row in connection.execute(query)]
    for table in reversed(children):
        connection.execute(delete(table).where(table.c[parent] == item_id))
    connection.execute(delete(top).where(top.c.id == item_id))
    return taken


def delete_document(corpus: Corpus, document_id: int, *, action: str = "delete document") -> Change:
    """Move the document with every layer's spans, document labels, statuses and
    review decisions to the trash: one transaction, one history row."""
    with corpus.action() as session:
        connection = session.connection()
        rows = _take_rows(connection, _DOCUMENT_ROWS, "document_id", document_id)
        document = rows["document"][0]
        name = document["title"] or f"document {document_id}"
        return _into_trash(corpus, session, "document", document, name, rows, action)


def delete_label(corpus: Corpus, label_id: int, *, action: str = "delete label") -> Change:
    """Move the label and every span and document label that uses it to the trash."""
    with corpus.action() as session:
        connection = session.connection()
        rows = _take_rows(connection, _LABEL_ROWS, "label_id", label_id)
        label = rows["label"][0]
        return _into_trash(corpus, session, "label", label, label["name"], rows, action)


def _into_trash(
    corpus: Corpus,
    session: Any,
    kind: str,
    item: dict[str, Any],
    name: str,
    rows: dict[str, list[dict[str, Any]]],
    action: str,
) -> Change:
    connection = session.connection()
    trash_id = connection.execute(
        insert(trash_t)
        .values(
            project_id=item["project_id"], kind=kind, name=name,
            deleted_by=corpus.annotator_name, deleted_at=utc_now(), rows=rows,
        )
        .returning(trash_t.c.id)
    ).scalar_one()  # fmt: skip
    change = Change(
        action, TRASH,
        {"id": trash_id, "kind": kind, "item_id": item["id"], "name": name,
         # Annotations only: pending suggestions and refusals go too, but were never spans.
         "spans": sum(1 for row in rows.get("span", [])
                      if row.get("origin", Origin.MANUAL.value) in COUNTED_ORIGINS)},
        None, project_id=item["project_id"],
        document_id=item["id"] if kind == "document" else None,
    )  # fmt: skip
    record(session, change, annotator=corpus.annotator_name)
    return change


def trash(corpus: Corpus, project_id: int) -> list[TrashItem]:
    """The project's deleted documents and labels not yet restored, newest first."""
    query = (
        select(trash_t)
        .where(trash_t.c.project_id == project_id, trash_t.c.restored_at.is_(None))
        .order_by(trash_t.c.id.desc())
    )
    with corpus.engine.connect() as connection:
        return [
            TrashItem(
                id=row.id,
                kind=row.kind,
                item_id=row.rows[row.kind][0]["id"],
                name=row.name,
                spans=len(row.rows.get("span", [])),
                deleted_by=row.deleted_by,
                deleted_at=row.deleted_at,
            )
            for row in connection.execute(query)
        ]


def restore(corpus: Corpus, trash_id: int, *, action: str | None = None) -> Change:
    """Put everything back as it was. An id taken since by a new row is given anew (and
    the rows below follow it); content, offsets, notes, times and annotators are kept."""
    with corpus.action() as session:
        connection = session.connection()
        found = connection.execute(select(trash_t).where(trash_t.c.id == trash_id)).first()
        if found is None:
            raise UserError(f"nothing in the trash with id {trash_id}")
        if found.restored_at is not None:
            raise UserError(f"{found.kind} {found.name!r} was already restored")
        tables = _DOCUMENT_ROWS if found.kind == "document" else _LABEL_ROWS
        parent = "document_id" if found.kind == "document" else "label_id"
        item = found.rows[found.kind][0]
        _check_free(connection, found.kind, item)
        new_id = _insert(connection, tables[0], item, {})
        for table in tables[1:]:
            for row in found.rows.get(table.name, []):
                _insert(connection, table, row, {parent: new_id})
        connection.execute(
            update(trash_t).where(trash_t.c.id == trash_id).values(restored_at=utc_now())
        )
        change = Change(
            action or f"restore {found.kind}", TRASH, None,
            {"id": trash_id, "kind": found.kind, "item_id": new_id, "name": found.name,
             "spans": len(found.rows.get("span", []))},
            project_id=found.project_id,
            document_id=new_id if found.kind == "document" else None,
        )  # fmt: skip
        record(session, change, annotator=corpus.annotator_name)
        return change


def _check_free(connection: Connection, kind: str, item: dict[str, Any]) -> None:
    """A restore that would clash with what was added since says so, before writing."""
    if kind == "document":
        clash = connection.execute(
            select(document_t.c.id).where(
                document_t.c.project_id == item["project_id"],
                document_t.c.content_hash == item["content_hash"],
            )
        ).first()
        if clash is not None:
            raise UserError(f"document {clash.id} has the same text; delete it to restore this")
        return
    clash = connection.execute(
        select(label_t.c.id).where(
            label_t.c.project_id == item["project_id"],
            label_t.c.kind == item["kind"],
            label_t.c.name == item["name"],
        )
    ).first()
    if clash is not None:
        raise UserError(f"a label named {item['name']!r} exists again; rename it to restore")
    if item["hotkey"] is not None:
        taken = connection.execute(
            select(func.count()).where(
                label_t.c.project_id == item["project_id"], label_t.c.hotkey == item["hotkey"]
            )
        ).scalar_one()
        if taken:
            item["hotkey"] = None  # the key went to another label meanwhile


def _insert(
    connection: Connection, table: Table, row: dict[str, Any], moved: dict[str, int]
) -> int:
    """Insert a saved row, under its old id when that is still free; returns the id."""
    values = from_snapshot(TABLES[table.name], row) | moved
    if "id" in values:
        taken = connection.execute(select(table.c.id).where(table.c.id == values["id"])).first()
        if taken is not None:
            del values["id"]
        if table is span_t or table is doclabel_t:
            _check_document(connection, values["document_id"])
        inserted = connection.execute(insert(table).values(values).returning(table.c.id))
        return int(inserted.scalar_one())
    connection.execute(insert(table).values(values))
    return 0


def _check_document(connection: Connection, document_id: int) -> None:
    if connection.execute(select(document_t.c.id).where(document_t.c.id == document_id)).first():
        return
    raise UserError(f"document {document_id} is in the trash too; restore it first")


def replay_inverse(corpus: Corpus, change: Change) -> list[Change]:
    """Undo a delete by restoring; redo it by deleting what the restore brought back."""
    if change.before is not None:  # a delete: restore it
        return [restore(corpus, change.before["id"], action=inverse_action(change.action))]
    assert change.after is not None
    kind, item_id = change.after["kind"], change.after["item_id"]
    again = inverse_action(change.action)
    if kind == "document":
        return [delete_document(corpus, item_id, action=again)]
    return [delete_label(corpus, item_id, action=again)]
