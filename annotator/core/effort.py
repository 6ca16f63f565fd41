"""Time and effort: what an annotator spent on each document, added to as they work.

The window measures active time (idle stretches left out), key presses and spans made,
and adds them here now and then; two windows of one annotator add rather than overwrite,
so an upsert adds to the stored row in the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from annotator.core.corpus import Corpus
from annotator.core.models import annotator_t, document_t, effort_t, utc_now


@dataclass(frozen=True, slots=True)
class Effort:
    active_seconds: float = 0.0
    keystrokes: int = 0
    spans_made: int = 0

    @property
    def spans_per_minute(self) -> float | None:
        minutes = self.active_seconds / 60
        return self.spans_made / minutes if minutes > 0 else None

    def rate_in_words(self) -> str:
        rate = self.spans_per_minute
        return "-" if rate is None else f"{rate:.2f}"

    def as_json(self) -> dict[str, float | int | None]:
        """As exports and `annotator stats --json` give it: seconds to a tenth."""
        rate = self.spans_per_minute
        return {
            "active_seconds": round(self.active_seconds, 1),
            "keystrokes": self.keystrokes,
            "spans_made": self.spans_made,
            "spans_per_minute": None if rate is None else round(rate, 2),
        }

    def __add__(self, other: Effort) -> Effort:
        return Effort(
            self.active_seconds + other.active_seconds,
            self.keystrokes + other.keystrokes,
            self.spans_made + other.spans_made,
        )


def clock_time(seconds: float) -> str:
    """Seconds as h:mm:ss, hours past 24 included: how long, not what time of day."""
    whole = round(max(seconds, 0.0))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def add_effort(corpus: Corpus, document_id: int, effort: Effort) -> None:
    """Add to this annotator's effort on the document, in one statement."""
    if effort == Effort():
        return
    me = corpus.annotator_id()
    dialect = postgresql if corpus.engine.dialect.name == "postgresql" else sqlite
    values = {
        "document_id": document_id,
        "annotator_id": me,
        "active_seconds": max(effort.active_seconds, 0.0),
        "keystrokes": max(effort.keystrokes, 0),
        "spans_made": max(effort.spans_made, 0),
        "updated_at": utc_now(),
    }
    statement = dialect.insert(effort_t).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["document_id", "annotator_id"],
        set_={
            "active_seconds": effort_t.c.active_seconds + statement.excluded.active_seconds,
            "keystrokes": effort_t.c.keystrokes + statement.excluded.keystrokes,
            "spans_made": effort_t.c.spans_made + statement.excluded.spans_made,
            "updated_at": statement.excluded.updated_at,
        },
    )
    with corpus.action() as session:
        session.execute(statement)


def effort_by_document(corpus: Corpus, project_id: int) -> dict[tuple[int, str], Effort]:
    """(document id, annotator name) → effort, for the project's documents."""
    query = (
        select(
            effort_t.c.document_id,
            annotator_t.c.name,
            effort_t.c.active_seconds,
            effort_t.c.keystrokes,
            effort_t.c.spans_made,
        )
        .join(annotator_t, annotator_t.c.id == effort_t.c.annotator_id)
        .join(document_t, document_t.c.id == effort_t.c.document_id)
        .where(document_t.c.project_id == project_id)
    )
    with corpus.engine.connect() as connection:
        return {
            (document_id, name): Effort(float(seconds), int(keys), int(spans))
            for document_id, name, seconds, keys, spans in connection.execute(query)
        }


def effort_on(corpus: Corpus, document_id: int, *, annotator: str | None = None) -> Effort | None:
    """One annotator's effort on one document (for a tooltip: one row by its key)."""
    annotator_id = corpus.reader_id(annotator)
    query = select(effort_t.c.active_seconds, effort_t.c.keystrokes, effort_t.c.spans_made).where(
        effort_t.c.document_id == document_id, effort_t.c.annotator_id == annotator_id
    )
    with corpus.engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else Effort(float(row[0]), int(row[1]), int(row[2]))


def effort_by_annotator(corpus: Corpus, project_id: int) -> dict[str, Effort]:
    query = (
        select(
            annotator_t.c.name,
            func.sum(effort_t.c.active_seconds),
            func.sum(effort_t.c.keystrokes),
            func.sum(effort_t.c.spans_made),
        )
        .join(annotator_t, annotator_t.c.id == effort_t.c.annotator_id)
        .join(document_t, document_t.c.id == effort_t.c.document_id)
        .where(document_t.c.project_id == project_id)
        .group_by(annotator_t.c.name)
    )
    with corpus.engine.connect() as connection:
        return {
            name: Effort(float(seconds or 0), int(keys or 0), int(spans or 0))
            for name, seconds, keys, spans in connection.execute(query)
        }
