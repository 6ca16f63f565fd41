"""An open corpus database read through SQLAlchemy Core alone: light enough to start fast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from sqlalchemy import Engine, text

from annotator.base.environment import chosen_annotator
from annotator.core.db import open_engine, resolve_url, sqlite_file


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    id: int
    name: str
    documents: int
    spans: int
    annotators: int


# Plain SQL rather than the models: loading SQLModel and pydantic would cost a light
# command more than all the rest of its start. Names in code point order on every backend
# (see core/ordering.py): "C" is PostgreSQL's byte order, SQLite's is its default.
PROJECT_SUMMARIES = """
    SELECT project.id, project.name, coalesce(documents.n, 0), coalesce(spans.n, 0),
           coalesce(spans.people, 0)
    FROM project
    LEFT OUTER JOIN (
        SELECT project_id, count(*) AS n FROM document GROUP BY project_id
    ) AS documents ON documents.project_id = project.id
    LEFT OUTER JOIN (
        SELECT document.project_id, count(span.id) AS n,
               count(DISTINCT span.annotator_id) AS people
        FROM document JOIN span ON span.document_id = document.id
        GROUP BY document.project_id
    ) AS spans ON spans.project_id = project.id
    ORDER BY project.name{collation}
    """
COLLATIONS = {"postgresql": ' COLLATE "C"'}


def _daily_backup(engine: Engine) -> None:
    """A SQLite corpus is copied aside once a day, as it is opened."""
    path = sqlite_file(engine.url)
    if path is not None:
        from annotator.core.backups import daily_backup

        daily_backup(path)


def _working_as(engine: Engine, annotator: str | None) -> str:
    """Who works: on a PostgreSQL team, the connected role (see core.team.identity)."""
    if engine.dialect.name != "postgresql":
        return chosen_annotator(annotator)
    from annotator.core.team import identity

    return identity(engine, annotator)


class Catalog:
    """What a command that only lists needs; Corpus adds the annotation work on top.

    Kept free of the ORM so that `annotator projects` and the like never import SQLModel.
    """

    def __init__(self, engine: Engine, *, annotator: str) -> None:
        self.engine = engine
        self.annotator_name = annotator

    @classmethod
    def open(cls, url: str | None = None, *, annotator: str | None = None) -> Self:
        engine = open_engine(resolve_url(url))
        _daily_backup(engine)
        try:
            who = _working_as(engine, annotator)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, annotator=who)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def projects(self) -> list[ProjectSummary]:
        with self.engine.connect() as connection:
            collation = COLLATIONS.get(connection.dialect.name, "")
            rows = connection.execute(text(PROJECT_SUMMARIES.format(collation=collation))).all()
        return [ProjectSummary(*row) for row in rows]
