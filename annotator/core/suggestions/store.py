"""Suggestions in the database: written into the annotator's own layer with origin
'suggested', then accepted (origin 'accepted', an annotation) or rejected (origin
'rejected', remembered so the same suggestion is never proposed again).

Writing suggestions keeps no history: they are proposals, not annotations, and a
project-wide run may write thousands. Each decision on them is one history step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from annotator.base.errors import UserError
from annotator.base.vocabulary import COUNTED_ORIGINS, LabelKind, Origin, Status
from annotator.core import operations as ops
from annotator.core.changes import Change, record, snapshot
from annotator.core.corpus import Corpus
from annotator.core.models import Span, document_t, label_t, span_t, status_t, utc_now
from annotator.core.suggestions import Suggester, Suggestion

# How many documents' suggestions one transaction writes, so a project-wide run shows
# progress and holds the write lock only briefly at a time.
DOCUMENTS_PER_WRITE = 200


@dataclass(frozen=True, slots=True)
class SuggestionInfo:
    """A pending suggestion as the window draws it."""

    id: int
    label_id: int
    start: int
    end: int
    source: str | None
    score: float | None


@dataclass
class ProposalReport:
    """What a run of suggestions wrote: per (source, label), and what it left out."""

    documents: int = 0
    written: Counter[tuple[str, str]] = field(default_factory=Counter)
    already_there: int = 0  # the layer had a span there, or had rejected the same one
    unknown_labels: Counter[str] = field(default_factory=Counter)
    new_span_ids: list[int] = field(default_factory=list)
    stopped_after: tuple[int, int] | None = None  # (documents read, of how many) if stopped

    @property
    def total(self) -> int:
        return sum(self.written.values())

    def sentences(self) -> list[str]:
        documents = f"{self.documents} document{'s' if self.documents != 1 else ''}"
        lines = [f"Suggested {self.total} span{'s' if self.total != 1 else ''} in {documents}."]
        for (source, label), count in sorted(self.written.items()):
            lines.append(f"  {source}: {label} {count}")
        if self.already_there:
            lines.append(
                f"Left out {self.already_there} where the layer already has a span "
                "or rejected the same suggestion."
            )
        for label, count in sorted(self.unknown_labels.items()):
            lines.append(f"Left out {count} with the label {label!r}, which the project lacks.")
        if self.stopped_after is not None:
            read, total = self.stopped_after
            lines.append(f"Stopped after {read} of {total} documents, as asked.")
        return lines


def pending(
    corpus: Corpus, document_id: int, *, annotator: str | None = None
) -> list[SuggestionInfo]:
    """The layer's suggestions not yet decided, in text order."""
    annotator_id = corpus.reader_id(annotator)
    query = (
        select(
            span_t.c.id, span_t.c.label_id, span_t.c.start, span_t.c.end,
            span_t.c.source, span_t.c.score,
        )
        .where(
            span_t.c.document_id == document_id,
            span_t.c.annotator_id == annotator_id,
            span_t.c.origin == Origin.SUGGESTED.value,
        )
        .order_by(span_t.c.start, span_t.c.end, span_t.c.id)
    )  # fmt: skip
    with corpus.engine.connect() as connection:
        return [SuggestionInfo(*row) for row in connection.execute(query)]


def _span_labels(session: Session, project_id: int) -> dict[str, int]:
    rows = session.execute(
        select(label_t.c.name, label_t.c.id).where(
            label_t.c.project_id == project_id, label_t.c.kind == LabelKind.SPAN.value
        )
    )
    return {name: label_id for name, label_id in rows}


def _text(session: Session, project_id: int, document_id: int) -> str:
    text = session.execute(
        select(document_t.c.text).where(
            document_t.c.id == document_id, document_t.c.project_id == project_id
        )
    ).scalar_one_or_none()
    if text is None:
        raise UserError(f"no document {document_id} in this project")
    return str(text)


def write_suggestions(
    corpus: Corpus,
    project_id: int,
    found: Mapping[int, Sequence[Suggestion]],
    report: ProposalReport | None = None,
    *,
    texts: Mapping[int, str] | None = None,
) -> ProposalReport:
    """Write suggestions (document id → suggestions) into this annotator's layer, in one
    transaction; none where the layer has a span or a pending suggestion overlapping it,
    nor where it rejected the same label at the same place. `texts`: the documents'
    texts when the caller already read them (a suggestion run did), not read again."""
    report = report if report is not None else ProposalReport()
    me = corpus.annotator_id()
    with corpus.action() as session:
        labels = _span_labels(session, project_id)
        for document_id, suggestions in found.items():
            report.documents += 1
            if not suggestions:
                continue
            known = texts.get(document_id) if texts is not None else None
            text = known if known is not None else _text(session, project_id, document_id)
            length = len(text)
            occupied = bytearray(length)
            rejected: set[tuple[int, int, int]] = set()
            existing = session.execute(
                select(span_t.c.start, span_t.c.end, span_t.c.label_id, span_t.c.origin).where(
                    span_t.c.document_id == document_id, span_t.c.annotator_id == me
                )
            )
            for start, end, label_id, origin in existing:
                if origin == Origin.REJECTED.value:
                    rejected.add((start, end, label_id))
                else:
                    occupied[start:end] = b"\x01" * (end - start)
            rows = []
            for suggestion in sorted(suggestions, key=lambda s: (s.start, s.end)):
                label_id = labels.get(suggestion.label)
                if label_id is None:
                    report.unknown_labels[suggestion.label] += 1
                    continue
                start, end = suggestion.start, suggestion.end
                if not 0 <= start < end <= length:
                    raise UserError(
                        f"a {suggestion.source} suggestion at {start}-{end} lies outside "
                        f"document {document_id}, which has {length} characters"
                    )
                if occupied.find(1, start, end) != -1 or (start, end, label_id) in rejected:
                    report.already_there += 1
                    continue
                occupied[start:end] = b"\x01" * (end - start)
                now = utc_now()
                rows.append(
                    {
                        "document_id": document_id, "annotator_id": me, "label_id": label_id,
                        "start": start, "end": end, "text": text[start:end], "note": None,
                        "origin": Origin.SUGGESTED.value, "source": suggestion.source,
                        "score": suggestion.score, "created_at": now, "updated_at": now,
                    }
                )  # fmt: skip
                report.written[(suggestion.source, suggestion.label)] += 1
            if rows:
                inserted = session.execute(insert(span_t).returning(span_t.c.id), rows)
                report.new_span_ids.extend(inserted.scalars())
    return report


def documents_to_suggest(corpus: Corpus, project_id: int) -> list[int]:
    """The project's documents this annotator has not marked done, in import order."""
    me = corpus.annotator_id()
    done = select(status_t.c.document_id).where(
        status_t.c.annotator_id == me, status_t.c.status == Status.DONE.value
    )
    query = (
        select(document_t.c.id)
        .where(document_t.c.project_id == project_id, document_t.c.id.not_in(done))
        .order_by(document_t.c.id)
    )
    with corpus.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def propose(
    corpus: Corpus,
    project_id: int,
    suggesters: Sequence[Suggester],
    *,
    document_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], bool | None] | None = None,
) -> ProposalReport:
    """Run the sources over the documents (by default those not done) and write what
    they find, a few hundred documents per transaction. `progress(done, total)` is called
    after each document; False from it stops there, keeping what was written (they are
    proposals only, and a new run skips none of the rest)."""
    chosen = (
        list(document_ids) if document_ids is not None else documents_to_suggest(corpus, project_id)
    )
    report = ProposalReport()
    done = 0
    for first in range(0, len(chosen), DOCUMENTS_PER_WRITE):
        batch = chosen[first : first + DOCUMENTS_PER_WRITE]
        query = select(document_t.c.id, document_t.c.text).where(
            document_t.c.id.in_(batch), document_t.c.project_id == project_id
        )
        with corpus.engine.connect() as connection:
            texts: dict[int, str] = {row[0]: row[1] for row in connection.execute(query)}
        found: dict[int, list[Suggestion]] = {}
        for document_id, text in texts.items():
            found[document_id] = [
                suggestion for suggester in suggesters for suggestion in suggester.suggest(text)
            ]
            done += 1
            if progress is not None and progress(done, len(chosen)) is False:
                report.stopped_after = (done, len(chosen))
                break
        write_suggestions(corpus, project_id, found, report, texts=texts)
        if report.stopped_after is not None:
            break
    return report


def _decide(
    corpus: Corpus, span_ids: Sequence[int], origin: Origin, action: str, label_id: int | None
) -> list[Change]:
    me = corpus.annotator_id()
    changes: list[Change] = []
    with corpus.action() as session:
        for span_id in span_ids:
            span = session.get(Span, span_id)
            if span is None or span.origin != Origin.SUGGESTED.value:
                raise UserError("that suggestion has already been decided or removed")
            if span.annotator_id != me:
                raise UserError("only the annotator it was made for can decide a suggestion")
            before = snapshot(span)
            if label_id is not None and label_id != span.label_id:
                ops.relabel_span(span_id, label_id, session=session)  # checks the label
            span.origin = origin.value
            span.updated_at = utc_now()
            session.add(span)
            session.flush()
            project_id = ops.project_of(span.document_id, session=session)
            change = Change(
                action, "span", before, snapshot(span),
                project_id=project_id, document_id=span.document_id,
            )  # fmt: skip
            record(session, change, annotator=corpus.annotator_name)
            ops.start_document(span.document_id, session=session, annotator_id=me)
            changes.append(change)
    return changes


def accept(corpus: Corpus, span_ids: Sequence[int], *, label_id: int | None = None) -> list[Change]:
    """Make suggestions annotations (with another label when given): one undoable step."""
    return _decide(corpus, span_ids, Origin.ACCEPTED, "accept suggestion", label_id)


def reject(corpus: Corpus, span_ids: Sequence[int]) -> list[Change]:
    """Turn suggestions down, remembered so they are not proposed again: one step."""
    return _decide(corpus, span_ids, Origin.REJECTED, "reject suggestion", None)


def clear(
    corpus: Corpus,
    project_id: int,
    *,
    source: str | None = None,
    document_ids: Sequence[int] | None = None,
) -> int:
    """Remove this annotator's pending suggestions (of one source); decided ones stay."""
    me = corpus.annotator_id()
    in_project = select(document_t.c.id).where(document_t.c.project_id == project_id)
    statement = delete(span_t).where(
        span_t.c.annotator_id == me,
        span_t.c.origin == Origin.SUGGESTED.value,
        span_t.c.document_id.in_(in_project),
    )
    if source is not None:
        statement = statement.where(span_t.c.source == source)
    if document_ids is not None:
        statement = statement.where(span_t.c.document_id.in_(document_ids))
    with corpus.action() as session:
        return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def withdraw(corpus: Corpus, span_ids: Sequence[int]) -> int:
    """Remove these suggestions if still pending (the span they came from was taken back);
    decided ones stay. No history, as writing them kept none."""
    if not span_ids:
        return 0
    statement = delete(span_t).where(
        span_t.c.id.in_(list(span_ids)),
        span_t.c.annotator_id == corpus.annotator_id(),
        span_t.c.origin == Origin.SUGGESTED.value,
    )
    with corpus.action() as session:
        return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def counted_origins(*, with_accepted: bool = True) -> tuple[str, ...]:
    """The origins of annotations, with or without accepted suggestions (for agreement
    computed on what people marked themselves)."""
    if with_accepted:
        return COUNTED_ORIGINS
    return tuple(origin for origin in COUNTED_ORIGINS if origin != Origin.ACCEPTED.value)


__all__ = [
    "ProposalReport",
    "SuggestionInfo",
    "accept",
    "clear",
    "counted_origins",
    "documents_to_suggest",
    "pending",
    "propose",
    "reject",
    "withdraw",
    "write_suggestions",
]
