"""Fixtures for core tests: a fresh corpus with a project, labels and one document."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from annotator.base.text import content_hash
from annotator.base.vocabulary import LabelKind
from annotator.core.corpus import Corpus
from annotator.core.models import Document
from tests.conftest import PG_URL as PG_URL
from tests.conftest import fresh_pg_url

# The database fixtures (database_url, corpus) live in tests/conftest.py, for every suite;
# these names stay importable from here.
_fresh_pg_url = fresh_pg_url


@dataclass
class Seeded:
    corpus: Corpus
    project_id: int
    document_id: int
    person: int
    place: int
    topic: int
    text: str


SEED_TEXT = "Ada Lovelace met Charles Babbage in London 🇬🇧 in 1833.\nשלום e\u0301 end."


def add_document(corpus: Corpus, project_id: int, text_value: str, title: str = "t") -> int:
    with corpus.session() as session:
        document = Document(
            project_id=project_id, text=text_value, title=title,
            content_hash=content_hash(text_value),
        )  # fmt: skip
        session.add(document)
        session.commit()
        assert document.id is not None
        return document.id


@pytest.fixture
def seeded(corpus: Corpus) -> Seeded:
    project = corpus.create_project("news")
    assert project.id is not None
    person = corpus.add_label(project.id, "PER", hotkey="1").entity_id
    place = corpus.add_label(project.id, "LOC", hotkey="2").entity_id
    topic = corpus.add_label(project.id, "Science", kind=LabelKind.DOCUMENT).entity_id
    assert person and place and topic
    document_id = add_document(corpus, project.id, SEED_TEXT)
    return Seeded(corpus, project.id, document_id, person, place, topic, SEED_TEXT)
