"""How good a source is before its suggestions reach anyone: precision, recall and F1
of its output against spans people made, per source and per label.

A source that learnt from the corpus (it has `without(document_id)`) is measured on
each document with that document's own spans left out: what a person would have been
offered before labelling it, not the spans it was built from.

The reference is the gold layer (its counted spans, in the documents it has) when the
project has one; else the annotator's own done documents. A match is exact: same start,
end and label.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from annotator.base.vocabulary import COUNTED_ORIGINS, GOLD, Status
from annotator.core.corpus import Corpus
from annotator.core.models import document_t, label_t, span_t, status_t
from annotator.core.suggestions import Suggester

Key = tuple[int, int, str]  # start, end, label


@dataclass(frozen=True, slots=True)
class Score:
    """Counts for one (source, label), one source, or everything."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass
class Evaluation:
    """Scores per (source, label), per source and overall, and what the reference was."""

    reference: str
    documents: int
    by_label: dict[tuple[str, str], Score] = field(default_factory=dict)
    by_source: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)

    def lines(self) -> list[str]:
        """A table: one row per source and label, a row per source, and the total."""
        plural = "s" if self.documents != 1 else ""
        head = f"Against {self.reference}, {self.documents} document{plural}:"
        rows: list[tuple[str, str, Score]] = []
        for source in sorted(self.by_source):
            for (row_source, label), score in sorted(self.by_label.items()):
                if row_source == source:
                    rows.append((source, label, score))
            rows.append((source, "(all)", self.by_source[source]))
        rows.append(("(all)", "(all)", self.overall))
        width_source = max(len("source"), *(len(row[0]) for row in rows))
        width_label = max(len("label"), *(len(row[1]) for row in rows))
        header = (
            f"{'source':<{width_source}}  {'label':<{width_label}}  "
            f"{'tp':>5} {'fp':>5} {'fn':>5}  {'P':>5} {'R':>5} {'F1':>5}"
        )
        lines = [head, header, "-" * len(header)]
        for source, label, score in rows:
            lines.append(
                f"{source:<{width_source}}  {label:<{width_label}}  "
                f"{score.tp:>5} {score.fp:>5} {score.fn:>5}  "
                f"{score.precision:>5.3f} {score.recall:>5.3f} {score.f1:>5.3f}"
            )
        return lines


def reference_spans(
    corpus: Corpus, project_id: int, *, annotator: str | None = None
) -> tuple[str, dict[int, set[Key]]]:
    """(what the reference is, document id → its spans): the gold layer where it has
    documents, else the annotator's done documents."""
    gold = corpus.reader_id(GOLD)
    in_project = select(document_t.c.id).where(document_t.c.project_id == project_id)
    gold_documents = select(span_t.c.document_id).where(
        span_t.c.annotator_id == gold, span_t.c.origin.in_(COUNTED_ORIGINS)
    )
    gold_statuses = select(status_t.c.document_id).where(status_t.c.annotator_id == gold)
    with corpus.engine.connect() as connection:
        documents = list(
            connection.execute(
                select(document_t.c.id).where(
                    document_t.c.project_id == project_id,
                    or_(document_t.c.id.in_(gold_documents), document_t.c.id.in_(gold_statuses)),
                )
            ).scalars()
        )
    if documents:
        reference, layer = "the gold layer", gold
    else:
        layer = corpus.reader_id(annotator)
        name = annotator or corpus.annotator_name
        reference = f"{name}'s done documents"
        done = select(status_t.c.document_id).where(
            status_t.c.annotator_id == layer, status_t.c.status == Status.DONE.value
        )
        with corpus.engine.connect() as connection:
            documents = list(
                connection.execute(
                    select(document_t.c.id).where(
                        document_t.c.id.in_(done), document_t.c.id.in_(in_project)
                    )
                ).scalars()
            )
    spans: dict[int, set[Key]] = {document_id: set() for document_id in documents}
    query = (
        select(span_t.c.document_id, span_t.c.start, span_t.c.end, label_t.c.name)
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .where(
            span_t.c.annotator_id == layer,
            span_t.c.origin.in_(COUNTED_ORIGINS),
            span_t.c.document_id.in_(documents),
        )
    )
    with corpus.engine.connect() as connection:
        for document_id, start, end, label in connection.execute(query):
            spans[document_id].add((start, end, label))
    return reference, spans


def _count(
    into: defaultdict[str, Counter[str]] | Counter[str], found: set[Key], expected: set[Key]
) -> None:
    """Add exact matches (tp), extra spans (fp) and misses (fn), per label or in all."""
    for kind, keys in (
        ("tp", found & expected),
        ("fp", found - expected),
        ("fn", expected - found),
    ):
        for _, _, label in keys:
            if isinstance(into, defaultdict):
                into[label][kind] += 1
            else:
                into[kind] += 1


def evaluate(
    corpus: Corpus,
    project_id: int,
    suggesters: Sequence[Suggester],
    *,
    annotator: str | None = None,
    document_ids: Collection[int] | None = None,
) -> Evaluation:
    """Run each source on the reference documents (those of `document_ids` only, when
    given: the ones a model did not learn from) and count exact matches; a source's
    misses (fn) are the reference spans it did not find, per label."""
    reference, spans = reference_spans(corpus, project_id, annotator=annotator)
    if document_ids is not None:
        spans = {key: value for key, value in spans.items() if key in document_ids}
        reference += " held out from the model's training"
    counts: defaultdict[str, defaultdict[str, Counter[str]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    texts: dict[int, str] = {}
    if spans:
        query = select(document_t.c.id, document_t.c.text).where(document_t.c.id.in_(spans))
        with corpus.engine.connect() as connection:
            texts = {row[0]: row[1] for row in connection.execute(query)}
    overall: Counter[str] = Counter()
    for document_id, expected in spans.items():
        together: set[Key] = set()
        for suggester in suggesters:
            # A source learnt from the corpus leaves this document's own spans out.
            held_out = getattr(suggester, "without", None)
            source = held_out(document_id) if held_out is not None else suggester
            found = {(s.start, s.end, s.label) for s in source.suggest(texts[document_id])}
            together |= found
            _count(counts[suggester.source], found, expected)
        _count(overall, together, expected)
    result = Evaluation(reference, len(spans))
    for source, by_label in counts.items():
        for label, counter in by_label.items():
            score = Score(counter["tp"], counter["fp"], counter["fn"])
            result.by_label[(source, label)] = score
            result.by_source[source] = result.by_source.get(source, Score()) + score
    # All sources together: what the union of their output finds, each span once.
    result.overall = Score(overall["tp"], overall["fp"], overall["fn"])
    return result


__all__ = ["Evaluation", "Score", "evaluate", "reference_spans"]
