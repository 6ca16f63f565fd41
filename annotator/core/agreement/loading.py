"""Reading a project's layers from the database into `AgreementData`: the one loader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from annotator.base.errors import UserError
from annotator.base.vocabulary import COUNTED_ORIGINS, AnnotatorKind, LabelKind, Status
from annotator.core.agreement.data import AgreementData, AgreementDocument, SpanTuple
from annotator.core.catalog import Catalog
from annotator.core.models import (
    annotator_t,
    doclabel_t,
    document_t,
    label_t,
    project_t,
    span_t,
    status_t,
)

_IDS_PER_QUERY = 500


def load_project(
    corpus: Catalog,
    project_id: int,
    *,
    annotators: Sequence[str] | None = None,
    include_gold: bool = False,
    origins: Sequence[str] = COUNTED_ORIGINS,
) -> AgreementData:
    """A project's annotations for `compute_report`, read with SQLAlchemy Core.

    `annotators` picks and orders the people compared; by default everyone who annotated
    something in the project, by name, except the gold layer (the reserved annotator
    "gold", built by review), which is a reference rather than a rater, unless
    `include_gold`. Spans come in one pass ordered by document; texts are
    read only for documents two or more chosen annotators annotated. `origins` leaves out
    accepted suggestions when it lacks 'accepted', to see how far people agree unaided.
    """
    with corpus.engine.connect() as connection:
        if (
            connection.execute(select(project_t.c.id).where(project_t.c.id == project_id)).first()
            is None
        ):
            raise UserError(f"no project with id {project_id}")
        rows = connection.execute(
            select(annotator_t.c.id, annotator_t.c.name, annotator_t.c.kind)
        ).all()
        people = {row.id: row.name for row in rows}
        by_name = {name: key for key, name in people.items()}
        gold = {row.id for row in rows if row.kind == AnnotatorKind.GOLD.value}
        if annotators is not None:
            chosen = list(dict.fromkeys(annotators))
            unknown = [name for name in chosen if name not in by_name]
            if unknown:
                raise UserError(f"no annotator named {', '.join(unknown)}")
            wanted: set[int] | None = {by_name[name] for name in chosen}
        else:
            wanted = None if include_gold or not gold else set(people) - gold
        labels = connection.execute(
            select(label_t.c.id, label_t.c.name, label_t.c.kind)
            .where(label_t.c.project_id == project_id)
            .order_by(label_t.c.position, label_t.c.id)
        ).all()
        label_name = {row.id: row.name for row in labels}
        layers, marks = _read_annotations(
            connection, project_id, wanted, people, label_name, origins
        )
        if annotators is None:
            chosen = sorted({name for per_document in layers.values() for name in per_document})
        present = set(chosen)
        for per_document in layers.values():
            for name in [name for name in per_document if name not in present]:
                del per_document[name]
        shared = sorted(k for k, per_document in layers.items() if len(per_document) >= 2)
        solo = sum(1 for per_document in layers.values() if len(per_document) == 1)
        texts = _read_texts(connection, shared)
    documents = tuple(
        AgreementDocument(
            key, texts[key], layers[key],
            {name: frozenset(marks.get((key, name), ())) for name in layers[key]},
        )
        for key in shared
    )  # fmt: skip
    return AgreementData(
        tuple(chosen), documents,
        tuple(row.name for row in labels if row.kind == LabelKind.SPAN.value),
        tuple(row.name for row in labels if row.kind == LabelKind.DOCUMENT.value),
        project_id, solo,
    )  # fmt: skip


def _read_annotations(
    connection: Connection,
    project_id: int,
    wanted: set[int] | None,
    people: Mapping[int, str],
    label_name: Mapping[int, str],
    origins: Sequence[str],
) -> tuple[dict[int, dict[str, list[SpanTuple]]], dict[tuple[int, str], list[str]]]:
    """Spans, document labels and statuses as layers; a key means "annotated"."""
    layers: dict[int, dict[str, list[SpanTuple]]] = {}

    def restrict(query: Any, column: Any) -> Any:
        return query if wanted is None else query.where(column.in_(sorted(wanted)))

    in_project = document_t.c.project_id == project_id
    spans = restrict(
        select(span_t.c.document_id, span_t.c.annotator_id, span_t.c.label_id,
               span_t.c.start, span_t.c.end)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .where(in_project, span_t.c.origin.in_(origins))
        .order_by(span_t.c.document_id, span_t.c.annotator_id),
        span_t.c.annotator_id,
    )  # fmt: skip
    # Every span ends up in memory anyway, so a plain pass beats a streamed one (which
    # costs SQLAlchemy's batching without saving memory here).
    current: tuple[int, int] | None = None
    layer: list[SpanTuple] = []
    for document_id, annotator_id, label_id, start, end in connection.execute(spans):
        if (document_id, annotator_id) != current:
            current = (document_id, annotator_id)
            layer = layers.setdefault(document_id, {}).setdefault(people[annotator_id], [])
        layer.append((start, end, label_name[label_id]))

    marks: dict[tuple[int, str], list[str]] = {}
    document_labels = restrict(
        select(doclabel_t.c.document_id, doclabel_t.c.annotator_id, doclabel_t.c.label_id)
        .join(document_t, document_t.c.id == doclabel_t.c.document_id)
        .where(in_project),
        doclabel_t.c.annotator_id,
    )
    for document_id, annotator_id, label_id in connection.execute(document_labels):
        name = people[annotator_id]
        layers.setdefault(document_id, {}).setdefault(name, [])
        marks.setdefault((document_id, name), []).append(label_name[label_id])
    statuses = restrict(
        select(status_t.c.document_id, status_t.c.annotator_id)
        .join(document_t, document_t.c.id == status_t.c.document_id)
        .where(in_project, status_t.c.status != Status.TODO.value),
        status_t.c.annotator_id,
    )
    for document_id, annotator_id in connection.execute(statuses):
        layers.setdefault(document_id, {}).setdefault(people[annotator_id], [])
    return layers, marks


def _read_texts(connection: Connection, document_ids: Sequence[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for at in range(0, len(document_ids), _IDS_PER_QUERY):
        batch = document_ids[at : at + _IDS_PER_QUERY]
        texts.update(
            connection.execute(
                select(document_t.c.id, document_t.c.text).where(document_t.c.id.in_(batch))
            ).all()
        )
    return texts
