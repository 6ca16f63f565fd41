"""The history read back: a document's story in plain words, and undo and redo after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from annotator.base.errors import UserError
from annotator.base.vocabulary import Origin
from annotator.core.changes import LABEL_ORDER, TABLES, Change
from annotator.core.models import document_t, history_t, label_t

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus

# A delete sends rows to the trash; its undo restores them and its redo deletes again.
TRASH = "trash"
# Entities whose history rows can be replayed backwards; a project or an import cannot.
UNDOABLE = (set(TABLES) - {"project"}) | {LABEL_ORDER, TRASH}
# How many of an annotator's newest history rows undo and redo look back over.
REACH = 5000


@dataclass(frozen=True, slots=True)
class HistoryLine:
    id: int
    at: datetime
    annotator: str
    action: str
    what: str


@dataclass(frozen=True, slots=True)
class _Step:
    """One action of the history: the rows one transaction wrote."""

    ids: list[int]
    action: str
    keys: frozenset[tuple[str, int | None]]
    undoable: bool
    project_ids: frozenset[int | None]
    on_documents: bool  # only spans, document labels, statuses, decisions: no trash


# -- a document's story -------------------------------------------------------------------


def find_document(corpus: Corpus, project_id: int, key: str) -> int:
    """The project's document with this id, else with exactly this title."""
    table = document_t
    in_project = table.c.project_id == project_id
    with corpus.engine.connect() as connection:
        if key.strip().isdigit():
            found = connection.execute(
                select(table.c.id).where(in_project, table.c.id == int(key))
            ).first()
            if found is not None:
                return int(found.id)
        ids = [
            int(row.id)
            for row in connection.execute(
                select(table.c.id).where(in_project, table.c.title == key).order_by(table.c.id)
            )
        ]
    if len(ids) == 1:
        return ids[0]
    if ids:
        listed = ", ".join(map(str, ids))
        raise UserError(f"{len(ids)} documents are titled {key!r} (ids {listed}); give an id")
    raise UserError(f"the project has no document with id or title {key!r}")


def document_history(corpus: Corpus, document_id: int, *, limit: int = 500) -> list[HistoryLine]:
    """What happened to the document, newest first, in words a reader understands."""
    table = history_t
    with corpus.engine.connect() as connection:
        rows = connection.execute(
            select(table)
            .where(
                or_(
                    table.c.document_id == document_id,
                    (table.c.entity == "document") & (table.c.entity_id == document_id),
                    (table.c.entity == TRASH) & (table.c.document_id == document_id),
                )
            )
            .order_by(table.c.id.desc())
            .limit(limit)
        ).mappings()
        rows_list = list(rows)
        labels = {row.id: row.name for row in connection.execute(select(label_t))}
    return [
        HistoryLine(
            id=row["id"],
            at=row["at"],
            annotator=row["annotator"],
            action=row["action"],
            what=describe(row["action"], row["entity"], row["before"], row["after"], labels),
        )
        for row in rows_list
    ]


# A review decision as the reviewer would say it.
REVIEW_WORDS = {
    "take_a": "took A's span into gold",
    "take_b": "took B's span into gold",
    "reject": "rejected both spans",
    "edit": "wrote an edited span into gold",
    "accept_agreement": "accepted the agreement into gold",
}


def describe(
    action: str,
    entity: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    labels: dict[int, str],
) -> str:
    """One history row in words: "added Person 'Kim' 120-131", "status done"."""
    prefix = ""
    for word in ("undo ", "redo "):
        if action.startswith(word):
            prefix, action = f"{word.strip()}: ", action[len(word) :]
    row = after if after is not None else before
    if entity == "span" and row is not None:
        return prefix + _describe_span(action, before, after, labels)
    if entity == "document_status" and after is not None:
        return f"{prefix}status {str(after['status']).replace('_', ' ')}"
    if entity == "document_status":
        return f"{prefix}status cleared"
    if entity == "document_label" and row is not None:
        name = labels.get(row["label_id"], f"label {row['label_id']}")
        verb = "ticked" if after is not None else "unticked"
        return f"{prefix}{verb} document label {name}"
    if entity == "review_decision" and after is not None:
        done = REVIEW_WORDS.get(after["action"], f"decided {after['action']}")
        return f"{prefix}{done}{_subject_words(after.get('subject'), after['action'])}"
    if entity == TRASH and row is not None:
        return f"{prefix}{action} {row.get('name') or ''}".rstrip()
    return prefix + action


def _subject_words(subject: Any, action: str) -> str:
    """The spans a decision was about, as a reader finds them: ": Person 'Helena Voss'";
    the one taken, when one side was taken."""
    if not isinstance(subject, dict):
        return ""
    wanted = {"take_a": ("a",), "take_b": ("b",)}.get(action, ("a", "b"))
    sides = [side for key in wanted if isinstance(side := subject.get(key), dict)]
    shown = []
    for side in sides:
        words = f"{side.get('label')} '{side.get('text')}'"
        if words not in shown:
            shown.append(words)
    return f": {' / '.join(shown)}" if shown else ""


def _describe_span(
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    labels: dict[int, str],
) -> str:
    def label(row: dict[str, Any]) -> str:
        return labels.get(row["label_id"], f"label {row['label_id']}")

    def where(row: dict[str, Any]) -> str:
        return f"{label(row)} {row['text']!r} {row['start']}-{row['end']}"

    if before is None and after is not None:
        return f"added {where(after)}"
    if after is None and before is not None:
        return f"removed {where(before)}"
    assert before is not None and after is not None
    decided = {
        Origin.ACCEPTED.value: "accepted the suggestion",
        Origin.REJECTED.value: "rejected the suggestion",
    }
    if before.get("origin") == Origin.SUGGESTED.value and after.get("origin") in decided:
        verb = decided[after["origin"]]
        if before["label_id"] != after["label_id"]:
            return f"{verb} {after['text']!r} {after['start']}-{after['end']} as {label(after)}"
        return f"{verb} {where(after)}"
    if before["label_id"] != after["label_id"]:
        where_now = f"{after['text']!r} {after['start']}-{after['end']}"
        return f"relabelled {where_now} from {label(before)} to {label(after)}"
    if before.get("note") != after.get("note"):
        note = after.get("note")
        return f"noted {where(after)}: {note!r}" if note else f"cleared the note of {where(after)}"
    return f"{action} {where(after)}"


# -- undo and redo from the history -------------------------------------------------------


def _steps(corpus: Corpus) -> list[_Step]:
    """This annotator's recent actions in order, one per transaction (an import's rows,
    which carry no batch, are one action each). Only the newest REACH rows are read, so
    undo costs the same in a year-old corpus; the oldest action read may be cut, and
    is left out."""
    table = history_t
    query = (
        select(
            table.c.id,
            table.c.batch,
            table.c.action,
            table.c.entity,
            table.c.entity_id,
            table.c.project_id,
            table.c.document_id,
        )
        .where(table.c.annotator == corpus.annotator_name)
        .order_by(table.c.id.desc())
        .limit(REACH)
    )
    grouped: dict[str, list[Any]] = {}
    with corpus.engine.connect() as connection:
        rows = connection.execute(query).all()
    for row in reversed(rows):
        grouped.setdefault(row.batch or f"row {row.id}", []).append(row)
    if len(rows) == REACH and grouped:
        del grouped[next(iter(grouped))]
    return [
        _Step(
            ids=[row.id for row in rows],
            action=rows[0].action,
            keys=frozenset((row.entity, row.entity_id) for row in rows),
            undoable=all(row.entity in UNDOABLE for row in rows)
            and not rows[0].action.startswith("restore "),
            project_ids=frozenset(row.project_id for row in rows),
            on_documents=all(row.document_id is not None and row.entity != TRASH for row in rows),
        )
        for rows in grouped.values()
    ]


def _take(stack: list[_Step], keys: frozenset[tuple[str, int | None]]) -> None:
    """Drop the step an undo or redo took back: the newest touching the same rows,
    else the newest (a trash step changes ids on the way)."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].keys == keys:
            del stack[index]
            return
    if stack:
        stack.pop()


def stacks(
    corpus: Corpus, *, project_id: int | None = None, documents_only: bool = False
) -> tuple[list[_Step], list[_Step]]:
    """The undo and redo stacks as the history leaves them: an action goes on the undo
    stack and empties the redo stack, an undo moves it across, a redo moves it back.

    `project_id` keeps the actions in that project; `documents_only` those on documents'
    annotations, which the window offers, so that its first Ctrl+Z never takes back how
    the labels were set up.
    """
    undo: list[_Step] = []
    redo: list[_Step] = []
    for step in _steps(corpus):
        if not step.undoable or (documents_only and not step.on_documents):
            continue
        if project_id is not None and step.project_ids != {project_id}:
            continue
        if step.action.startswith("undo "):
            _take(undo, step.keys)
            redo.append(step)
        elif step.action.startswith("redo "):
            _take(redo, step.keys)
            undo.append(step)
        else:
            undo.append(step)
            redo.clear()
    return undo, redo


def _changes(corpus: Corpus, ids: Sequence[int]) -> list[Change]:
    table = history_t
    with corpus.engine.connect() as connection:
        rows = connection.execute(
            select(table).where(table.c.id.in_(ids)).order_by(table.c.id)
        ).mappings()
        return [
            Change(
                action=row["action"],
                entity=row["entity"],
                before=row["before"],
                after=row["after"],
                project_id=row["project_id"],
                document_id=row["document_id"],
            )
            for row in rows
        ]


def undo_last(
    corpus: Corpus, *, project_id: int | None = None, documents_only: bool = False
) -> list[Change]:
    """Take back this annotator's newest action still done; [] when there is none."""
    undo, _redo = stacks(corpus, project_id=project_id, documents_only=documents_only)
    if not undo:
        return []
    return _replay(corpus, _changes(corpus, undo[-1].ids))


def redo_last(
    corpus: Corpus, *, project_id: int | None = None, documents_only: bool = False
) -> list[Change]:
    """Do again this annotator's newest undone action; [] when there is none."""
    _undo, redo = stacks(corpus, project_id=project_id, documents_only=documents_only)
    if not redo:
        return []
    return _replay(corpus, _changes(corpus, redo[-1].ids))


def _replay(corpus: Corpus, changes: list[Change]) -> list[Change]:
    """The inverse of a step, recorded as one action so the history knows it."""
    if changes and changes[0].entity == TRASH:
        from annotator.core import trash

        return trash.replay_inverse(corpus, changes[0])
    return corpus.revert_all(changes)


def available(
    corpus: Corpus, *, project_id: int | None = None, documents_only: bool = False
) -> tuple[bool, bool]:
    """Whether undo_last and redo_last would find a step, for enabling the window's keys."""
    undo, redo = stacks(corpus, project_id=project_id, documents_only=documents_only)
    return bool(undo), bool(redo)
