"""The corpus as a source: every other occurrence of a surface form this annotator has
already labelled, as INCEpTION's string matching recommender does."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from annotator.base.vocabulary import COUNTED_ORIGINS, SuggestionSource
from annotator.core.corpus import Corpus
from annotator.core.models import document_t, label_t, span_t
from annotator.core.suggestions.matcher import PhraseMatcher


def labelled_forms(
    corpus: Corpus, project_id: int, *, annotator: str | None = None
) -> list[tuple[str, str]]:
    """(surface text, label) for each text the layer labelled in the project; a text given
    several labels keeps the one it was given most often."""
    annotator_id = corpus.reader_id(annotator)
    query = (
        select(span_t.c.text, label_t.c.name, func.count())
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .join(document_t, document_t.c.id == span_t.c.document_id)
        .where(
            document_t.c.project_id == project_id,
            span_t.c.annotator_id == annotator_id,
            span_t.c.origin.in_(COUNTED_ORIGINS),
        )
        .group_by(span_t.c.text, label_t.c.name)
    )
    votes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    with corpus.engine.connect() as connection:
        for text, label, count in connection.execute(query):
            if text.strip():
                votes[text][label] += count
    return [(text, counts.most_common(1)[0][0]) for text, counts in votes.items()]


def corpus_suggester(
    corpus: Corpus,
    project_id: int,
    *,
    annotator: str | None = None,
    case_sensitive: bool = True,
) -> PhraseMatcher:
    return PhraseMatcher(
        labelled_forms(corpus, project_id, annotator=annotator),
        source=SuggestionSource.CORPUS.value,
        case_sensitive=case_sensitive,
    )


def occurrence_suggester(text: str, label: str, *, case_sensitive: bool = True) -> PhraseMatcher:
    """The other occurrences of one span just made, for the document it was made in."""
    return PhraseMatcher(
        [(text, label)], source=SuggestionSource.CORPUS.value, case_sensitive=case_sensitive
    )
