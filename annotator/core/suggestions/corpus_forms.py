"""The corpus as a source: every other occurrence of a surface form this annotator has
already labelled, as INCEpTION's string matching recommender does."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from annotator.base.vocabulary import COUNTED_ORIGINS, SuggestionSource
from annotator.core.corpus import Corpus
from annotator.core.models import document_t, label_t, span_t
from annotator.core.suggestions.matcher import PhraseMatcher

Votes = Counter[tuple[str, str]]  # (surface text, label) → how often it was given


def _votes_by_document(
    corpus: Corpus, project_id: int, *, annotator: str | None = None
) -> dict[int, Votes]:
    annotator_id = corpus.reader_id(annotator)
    query = (
        select(span_t.c.document_id, span_t.c.text, label_t.c.name, func.count())
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .where(
            document_t.c.project_id == project_id,
            span_t.c.annotator_id == annotator_id,
            span_t.c.origin.in_(COUNTED_ORIGINS),
        )
        .group_by(span_t.c.document_id, span_t.c.text, label_t.c.name)
    )
    votes: defaultdict[int, Votes] = defaultdict(Counter)
    with corpus.engine.connect() as connection:
        for document_id, text, label, count in connection.execute(query):
            if text.strip():
                votes[document_id][(text, label)] += count
    return dict(votes)


def _forms(votes: Votes) -> list[tuple[str, str]]:
    """A text given several labels keeps the one it was given most often."""
    by_text: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for (text, label), count in votes.items():
        if count > 0:
            by_text[text][label] += count
    return [(text, counts.most_common(1)[0][0]) for text, counts in by_text.items()]


def labelled_forms(
    corpus: Corpus, project_id: int, *, annotator: str | None = None
) -> list[tuple[str, str]]:
    """(surface text, label) for each text the layer labelled in the project."""
    total: Votes = Counter()
    for votes in _votes_by_document(corpus, project_id, annotator=annotator).values():
        total.update(votes)
    return _forms(total)


class CorpusSource(PhraseMatcher):
    """The layer's labelled forms; `without` leaves one document's own spans out, so an
    evaluation measures what a person would be offered before labelling that document."""

    def __init__(self, by_document: dict[int, Votes], *, case_sensitive: bool = True) -> None:
        self._by_document = by_document
        self._total: Votes = Counter()
        for votes in by_document.values():
            self._total.update(votes)
        super().__init__(
            _forms(self._total),
            source=SuggestionSource.CORPUS.value,
            case_sensitive=case_sensitive,
        )

    def without(self, document_id: int) -> PhraseMatcher:
        own = self._by_document.get(document_id)
        if not own:
            return self
        return PhraseMatcher(
            _forms(self._total - own),
            source=SuggestionSource.CORPUS.value,
            case_sensitive=self.case_sensitive,
        )


def corpus_suggester(
    corpus: Corpus,
    project_id: int,
    *,
    annotator: str | None = None,
    case_sensitive: bool = True,
) -> CorpusSource:
    return CorpusSource(
        _votes_by_document(corpus, project_id, annotator=annotator),
        case_sensitive=case_sensitive,
    )


def occurrence_suggester(text: str, label: str, *, case_sensitive: bool = True) -> PhraseMatcher:
    """The other occurrences of one span just made, for the document it was made in."""
    return PhraseMatcher(
        [(text, label)], source=SuggestionSource.CORPUS.value, case_sensitive=case_sensitive
    )
