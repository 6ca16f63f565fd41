"""Team mode on a real PostgreSQL server: each member's role may write only its own layer."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from annotator.base.errors import UserError
from annotator.base.vocabulary import GOLD, LabelKind, ReviewAction, Status
from annotator.core import review as rv
from annotator.core import team
from annotator.core.corpus import Corpus
from annotator.core.db import SCHEMA_HEAD
from annotator.core.failures import NotPermitted, classify
from tests.core.conftest import add_document

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not PG_URL, reason="no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)"
    ),
]
TEXT = "Ada Lovelace met Charles Babbage in London in 1833."


@contextmanager
def _connected(url: str, **options: Any) -> Iterator[Connection]:
    engine = create_engine(url, **options)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _admin() -> AbstractContextManager[Connection]:
    assert PG_URL is not None
    return _connected(PG_URL, isolation_level="AUTOCOMMIT")


def _as_role(url: str, user: str, password: str) -> str:
    return make_url(url).set(username=user, password=password).render_as_string(False)


@dataclass
class Team:
    url: str  # the owner's
    owner: Corpus
    a: str
    b: str
    r: str
    project_id: int
    document_id: int
    per: int
    loc: int
    topic: int
    b_span: int

    def url_of(self, name: str) -> str:
        return _as_role(self.url, name, f"pw-{name}")

    def open_as(self, name: str) -> Corpus:
        return Corpus.open(self.url_of(name))

    def at(self, phrase: str) -> tuple[int, int]:
        start = TEXT.index(phrase)
        return start, start + len(phrase)

    def layer(self, name: str) -> list[tuple[int, int, int, str | None]]:
        """A layer as the owner reads it: (label, start, end, note)."""
        return [
            (s.label_id, s.start, s.end, s.note)
            for s in self.owner.spans(self.document_id, annotator=name)
        ]

    def raw(self, name: str) -> AbstractContextManager[Connection]:
        """A plain connection as the member, bypassing the app."""
        return _connected(self.url_of(name))


def _drop(name: str, roles: list[str]) -> None:
    with _admin() as admin:
        admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for role in roles:
            admin.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@pytest.fixture
def team_db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Team]:
    """A fresh database in team mode: annotators A and B, reviewer R, a project with
    labels and one document seeded by the owner, and one span in B's layer."""
    monkeypatch.delenv("ANNOTATOR_ANNOTATOR", raising=False)
    assert PG_URL is not None
    name = f"annotator_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    tag = uuid.uuid4().hex[:8]
    a, b, r = f"ann_a_{tag}", f"ann_b_{tag}", f"rev_r_{tag}"
    groups = team.init_team(url)
    roles = [a, b, r, groups.reviewers, groups.annotators]
    owner = None
    try:
        for member in (a, b, r):
            team.add_member(url, member, f"pw-{member}", reviewer=member == r)
        owner = Corpus.open(url, annotator="coordinator")
        project_id = owner.project_id(owner.create_project("news").name)
        per, loc = (owner.add_label(project_id, n).entity_id for n in ("PER", "LOC"))
        topic = owner.add_label(project_id, "Science", kind=LabelKind.DOCUMENT).entity_id
        assert per and loc and topic
        document_id = add_document(owner, project_id, TEXT)
        with Corpus.open(_as_role(url, b, f"pw-{b}")) as as_b:
            b_span = as_b.add_span(document_id, per, 0, 12).entity_id
            as_b.set_document_label(document_id, topic, True)
            as_b.set_status(document_id, Status.IN_PROGRESS)
        assert b_span is not None
        yield Team(url, owner, a, b, r, project_id, document_id, per, loc, topic, b_span)
    finally:
        if owner is not None:
            owner.close()
        _drop(name, roles)


def _refused(action: Callable[[], object], words: str) -> None:
    with pytest.raises(UserError) as caught:
        action()
    assert words in str(caught.value)
    assert "SELECT" not in str(caught.value) and "UPDATE" not in str(caught.value)


def test_a_member_writes_its_own_layer(team_db: Team) -> None:
    t = team_db
    with t.open_as(t.a) as a:
        assert a.annotator_name == t.a
        start, end = t.at("Charles Babbage")
        added = a.add_span(t.document_id, t.per, start, end)
        span_id = added.entity_id
        assert span_id is not None
        a.relabel_span(span_id, t.loc)
        a.set_span_note(span_id, "a mathematician")
        assert t.layer(t.a) == [(t.loc, start, end, "a mathematician")]
        second = a.add_span(t.document_id, t.per, *t.at("Ada"))
        a.remove_span(second.entity_id or 0)
        a.revert(added)  # undo removes it again: a delete of its own row
        assert t.layer(t.a) == []
        a.set_document_label(t.document_id, t.topic, True)
        a.set_status(t.document_id, Status.DONE)
        a.set_status(t.document_id, Status.IN_PROGRESS)
        assert a.document_labels(t.document_id) == [t.topic]
        assert a.progress(t.project_id).total == 1
        assert {h.annotator for h in a.history(limit=50)} >= {t.a}
    assert t.layer(t.b) == [(t.per, 0, 12, None)]  # B's layer untouched throughout


def test_a_member_cannot_change_another_layer_through_the_app(team_db: Team) -> None:
    t = team_db
    before = t.layer(t.b)
    with t.open_as(t.a) as a:
        _refused(lambda: a.relabel_span(t.b_span, t.loc), "you may change only your own layer")
        _refused(lambda: a.set_span_note(t.b_span, "mine now"), "only your own layer")
        _refused(lambda: a.remove_span(t.b_span), "only your own layer")
        # A still works afterwards: the refusal rolled back only its own transaction.
        a.add_span(t.document_id, t.per, *t.at("Ada"))
    assert t.layer(t.b) == before


def test_a_member_cannot_change_another_layer_in_raw_sql(team_db: Team) -> None:
    """The rules live in the database: a connection that bypasses annotator meets them too."""
    t = team_db
    with t.owner.engine.connect() as connection:
        b_id, gold_id = (
            connection.execute(text("SELECT id FROM annotator WHERE name = :n"), {"n": n}).scalar()
            for n in (t.b, GOLD)
        )
    with t.raw(t.a) as raw, raw.begin():
        a_id = raw.execute(text("SELECT annotator_self_id()")).scalar_one()
    with t.raw(t.a) as raw:
        attempts = {
            "UPDATE span SET label_id = :loc WHERE id = :span": "only your own layer",
            "DELETE FROM span WHERE id = :span": "only your own layer",
            "DELETE FROM span": "only your own layer",
            'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, '
            "origin, created_at, updated_at) VALUES (:doc, :b, :per, 13, 20, 'x', 'manual', "
            "now(), now())": "only your own layer",
            'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, '
            "origin, created_at, updated_at) VALUES (:doc, :gold, :per, 13, 20, 'x', "
            "'manual', now(), now())": "only a reviewer may change the gold layer",
            "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
            "VALUES (:doc, :b, 'done', now())": "only your own layer",
            "INSERT INTO review_decision (project_id, document_id, reviewer_id, annotator_a, "
            "item_key, kind, action, subject, created_at) VALUES (:project, :doc, :a, 'x', "
            "'k', 'agree', 'reject', '{}', now())": "only a reviewer",
            "UPDATE document_status SET status = 'done' WHERE annotator_id = :b": "own layer",
            "DELETE FROM document_status WHERE annotator_id = :b": "only your own layer",
            "DELETE FROM document_label WHERE annotator_id = :b": "only your own layer",
            "UPDATE label SET name = 'PERSON' WHERE id = :per": "only the database owner",
            "INSERT INTO history (at, annotator, action, entity) VALUES (now(), :b_name, "
            "'add span', 'span')": "history only under your own name",
        }
        values = {
            "loc": t.loc, "span": t.b_span, "doc": t.document_id, "b": b_id, "gold": gold_id,
            "per": t.per, "project": t.project_id, "a": a_id, "b_name": t.b,
        }  # fmt: skip
        for statement, words in attempts.items():
            with pytest.raises(DBAPIError) as caught, raw.begin():
                raw.execute(
                    text(statement), {k: v for k, v in values.items() if f":{k}" in statement}
                )
            problem = classify(caught.value)
            assert isinstance(problem, NotPermitted), statement
            assert words in str(problem), (statement, str(problem))
        # Its own row may not be moved into another's layer either.
        with raw.begin():
            own = raw.execute(
                text(
                    'INSERT INTO span (document_id, annotator_id, label_id, start, "end", '
                    "text, origin, created_at, updated_at) VALUES (:doc, :a, :per, 13, 20, "
                    "'x', 'manual', now(), now()) RETURNING id"
                ),
                {"doc": t.document_id, "a": a_id, "per": t.per},
            ).scalar_one()
        with pytest.raises(DBAPIError, match="only your own layer"), raw.begin():
            raw.execute(
                text("UPDATE span SET annotator_id = :b WHERE id = :own"), {"b": b_id, "own": own}
            )
        with raw.begin():  # and reading everything is allowed
            assert raw.execute(text("SELECT count(*) FROM span")).scalar_one() == 2
    assert t.layer(t.b) == [(t.per, 0, 12, None)]
    assert t.owner.document_labels(t.document_id, annotator=t.b) == [t.topic]
    assert t.owner.documents(t.project_id, annotator=t.b)[0].status == Status.IN_PROGRESS
    assert [label.name for label in t.owner.labels(t.project_id)] == ["PER", "LOC", "Science"]


def test_a_member_changes_no_labels_projects_or_review(team_db: Team) -> None:
    t = team_db
    with t.open_as(t.a) as a:
        _refused(
            lambda: a.add_label(t.project_id, "ORG"), "only the database owner may change labels"
        )
        _refused(lambda: a.update_label(t.per, name="PERSON"), "only the database owner")
        _refused(lambda: a.create_project("mine"), "only the database owner")
        item = rv.compare_layers(a, t.document_id, t.b, None)[0]
        _refused(lambda: rv.decide(a, item, ReviewAction.TAKE_A), "only a reviewer")
    assert [label.name for label in t.owner.labels(t.project_id)] == ["PER", "LOC", "Science"]
    assert rv.gold_spans(t.owner, t.document_id) == []


def test_the_identity_is_the_role(team_db: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    t = team_db
    _refused(lambda: Corpus.open(t.url_of(t.a), annotator=t.b), f"connected as role {t.a!r}")
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", t.b)
    _refused(lambda: Corpus.open(t.url_of(t.a)), f"you annotate as {t.a}")
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", t.a)
    with Corpus.open(t.url_of(t.a)) as a:
        assert a.annotator_name == t.a
    # The owner works as before: any name it is given.
    with Corpus.open(t.url, annotator="someone") as owner:
        assert owner.annotator_name == "someone"
        owner.add_span(t.document_id, t.loc, *t.at("London"))
    assert t.layer("someone") == [(t.loc, *t.at("London"), None)]


def test_a_reviewer_writes_gold_and_decisions_but_not_others_layers(team_db: Team) -> None:
    t = team_db
    with t.open_as(t.a) as a:
        a_span = a.add_span(t.document_id, t.loc, *t.at("London")).entity_id
        assert a_span is not None
    with t.open_as(t.r) as r:
        items = rv.compare_layers(r, t.document_id, t.a, t.b)
        taken = next(item for item in items if item.a is not None)
        changes = rv.decide(r, taken, ReviewAction.TAKE_A, comment="right")
        assert [(s.label, s.text) for s in rv.gold_spans(r, t.document_id)] == [("LOC", "London")]
        gold_span = rv.gold_spans(r, t.document_id)[0].id
        r.relabel_span(gold_span, t.per)  # the gold layer is a reviewer's to edit
        r.relabel_span(gold_span, t.loc)
        r.revert_all(changes)  # and a decision of its own to undo
        assert rv.gold_spans(r, t.document_id) == []
        rv.decide(r, taken, ReviewAction.TAKE_A)
        _refused(lambda: r.relabel_span(a_span, t.per), "only your own layer")
        _refused(lambda: r.remove_span(t.b_span), "only your own layer")
    assert t.layer(t.a) == [(t.loc, *t.at("London"), None)]
    with t.owner.engine.connect() as connection:
        reviewers = connection.execute(
            text(
                "SELECT DISTINCT a.name FROM review_decision d "
                "JOIN annotator a ON a.id = d.reviewer_id"
            )
        ).scalars()
        assert list(reviewers) == [t.r]
    with t.open_as(t.a) as a:  # an annotator may not touch the gold layer the reviewer built
        gold_span = rv.gold_spans(a, t.document_id)[0].id
        _refused(lambda: a.remove_span(gold_span), "only a reviewer may change the gold layer")


def test_setting_up_is_the_owners_and_refuses_bad_names(team_db: Team) -> None:
    t = team_db
    _refused(lambda: team.init_team(t.url_of(t.a)), "only the database owner")
    _refused(lambda: team.add_member(t.url_of(t.a), "eve", "pw"), "only the database owner")
    for name, words in [
        ("", "needs a name"),
        ("  ", "needs a name"),
        (GOLD, "reserved for the reviewed gold layer"),
        ("postgres", "already exists and is not on this team"),
        (t.a, "already on the team"),
        ("pg_mine", "PostgreSQL or the team keeps"),
    ]:
        _refused(lambda name=name: team.add_member(t.url, name, "pw"), words)  # type: ignore[misc]
    _refused(lambda: team.add_member(t.url, "nobody", ""), "needs a password")
    _refused(lambda: team.init_team("sqlite:///team.db"), "team mode needs a PostgreSQL database")
    # Run again (as after an upgrade): same policies, the members stay and keep working.
    team.init_team(t.url)
    assert {(m.name, m.kind) for m in team.members(t.url)} == {
        (t.a, "annotator"), (t.b, "annotator"), (t.r, "reviewer"),
    }  # fmt: skip
    with t.owner.engine.connect() as connection:
        policies = connection.execute(text("SELECT count(*) FROM pg_policies")).scalar_one()
        gold = connection.execute(text("SELECT kind FROM annotator WHERE name = 'gold'")).scalar()
    assert policies == len(team.LAYER_TABLES) * 4 + 2 + 3 and gold == "gold"
    with t.open_as(t.a) as a:
        _refused(lambda: a.remove_span(t.b_span), "only your own layer")
        a.add_span(t.document_id, t.per, *t.at("Ada"))


def test_a_member_cannot_upgrade_the_schema_and_is_told_who_can(team_db: Team) -> None:
    """After annotator is upgraded, the first to connect may be a member: the owner's
    `team init` brings the schema up, a member's login only says so."""
    t = team_db
    with t.owner.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    _refused(lambda: Corpus.open(t.url_of(t.a)), "ask them to run `annotator team init`")
    with t.owner.engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"), {"head": SCHEMA_HEAD}
        )
    with t.open_as(t.a) as a:
        assert a.annotator_name == t.a
