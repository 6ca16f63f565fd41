"""Fixtures for core tests: a fresh corpus with a project, labels and one document."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from annotator.base.text import content_hash
from annotator.base.vocabulary import LabelKind
from annotator.core.corpus import Corpus
from annotator.core.models import Document

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL")


def _fresh_pg_url() -> str:
    """A new empty schema-less database per test, on the server CI starts."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    assert PG_URL is not None
    name = f"annotator_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'corpus.db'}"
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    return _fresh_pg_url()


@pytest.fixture
def corpus(database_url: str) -> Iterator[Corpus]:
    with Corpus.open(database_url, annotator="alice") as opened:
        yield opened


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
