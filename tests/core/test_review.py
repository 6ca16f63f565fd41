"""Review and adjudication: layers compared, decisions taken and undone, gold built, reported."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from annotator.base.errors import UserError
from annotator.base.vocabulary import GOLD, ItemKind, LabelKind, ReviewAction
from annotator.cli import main
from annotator.core import db
from annotator.core import review as rv
from annotator.core.changes import Change
from annotator.core.corpus import Corpus
from annotator.core.models import Annotator, ReviewDecision, Span
from annotator.core.review import SpanRef
from tests.conftest import Databases
from tests.core.conftest import add_document

TEXT = "Ada Lovelace met Charles Babbage in London 🇬🇧 in 1833. שלום <b>café</b> & e\u0301 end."


@dataclass
class Review:
    lead: Corpus
    alice: Corpus
    bob: Corpus
    project_id: int
    document_id: int
    per: int
    loc: int
    org: int

    def span(self, who: Corpus, label: int, phrase: str) -> int:
        start = TEXT.index(phrase)
        span_id = who.add_span(self.document_id, label, start, start + len(phrase)).entity_id
        assert span_id is not None
        return span_id

    def items(self, b: str | None = "bob") -> list[rv.ReviewItem]:
        return rv.compare_layers(self.lead, self.document_id, "alice", b)

    def item(self, key: str, b: str | None = "bob") -> rv.ReviewItem:
        return next(item for item in self.items(b) if item.key == key)

    def gold(self) -> list[tuple[str, str]]:
        return [(s.label, s.text) for s in rv.gold_spans(self.lead, self.document_id)]

    def decisions(self) -> list[ReviewDecision]:
        with self.lead.session() as session:
            return list(session.exec(select(ReviewDecision).order_by(ReviewDecision.id)).all())


def _review_on(corpus: Corpus, *, title: str = "Ada <&> Charles") -> Review:
    """A project with three labels and one document; `corpus` acts as alice."""
    project_id = corpus.create_project("news").id
    assert project_id is not None
    per, loc, org = (corpus.add_label(project_id, name).entity_id for name in ("PER", "LOC", "ORG"))
    assert per and loc and org
    document_id = add_document(corpus, project_id, TEXT, title=title)
    lead, bob = Corpus(corpus.engine, annotator="lead"), Corpus(corpus.engine, annotator="bob")
    return Review(lead, corpus, bob, project_id, document_id, per, loc, org)


@pytest.fixture
def review(corpus: Corpus) -> Review:
    return _review_on(corpus)


@pytest.fixture
def layers(review: Review) -> dict[str, int]:
    """One difference of every kind between alice and bob."""
    r = review
    return {
        "a_ada": r.span(r.alice, r.per, "Ada Lovelace"),
        "b_ada": r.span(r.bob, r.per, "Ada Lovelace"),  # agree
        "a_charles": r.span(r.alice, r.per, "Charles Babbage"),
        "b_babbage": r.span(r.bob, r.per, "Babbage"),  # boundary
        "a_london": r.span(r.alice, r.loc, "London"),
        "b_london": r.span(r.bob, r.org, "London"),  # label, same offsets
        "a_flag": r.span(r.alice, r.loc, "London 🇬🇧"),  # label, other offsets:
        "b_flag": r.span(r.bob, r.org, "🇬🇧 in"),  # both overlap the London spans too
        "a_shalom": r.span(r.alice, r.per, "שלום"),  # only a
        "b_cafe": r.span(r.bob, r.org, "café"),  # only b
        "a_e": r.span(r.alice, r.per, "e\u0301"),
        "b_e": r.span(r.bob, r.per, "e\u0301 end"),  # boundary on a combining mark
    }


# -- matching, without a database ---------------------------------------------------------


def ref(id_: int, start: int, end: int, label: str = "PER", who: str = "x") -> SpanRef:
    label_id = {"PER": 1, "LOC": 2, "ORG": 3}[label]
    return SpanRef(id_, start, end, label_id, label, "t", who)


def kinds(a: list[SpanRef], b: list[SpanRef]) -> list[tuple[ItemKind, int | None, int | None]]:
    return sorted(
        ((kind, x.id if x else None, y.id if y else None) for kind, x, y in rv.match_spans(a, b)),
        key=str,
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([ref(1, 0, 5)], [ref(2, 0, 5)], [(ItemKind.AGREE, 1, 2)]),
        ([ref(1, 0, 5)], [ref(2, 0, 5, "LOC")], [(ItemKind.LABEL, 1, 2)]),
        ([ref(1, 0, 5)], [ref(2, 3, 9)], [(ItemKind.BOUNDARY, 1, 2)]),
        ([ref(1, 0, 5)], [ref(2, 3, 9, "LOC")], [(ItemKind.LABEL, 1, 2)]),
        ([ref(1, 0, 5)], [ref(2, 5, 9)], [(ItemKind.ONLY_A, 1, None), (ItemKind.ONLY_B, None, 2)]),
        # nested: the long span pairs with the inner span it overlaps most
        (
            [ref(1, 0, 20)],
            [ref(2, 0, 3), ref(3, 4, 12)],
            [(ItemKind.BOUNDARY, 1, 3), (ItemKind.ONLY_B, None, 2)],
        ),
        # an exact match beats an overlap, and a span is used once
        (
            [ref(1, 0, 5)],
            [ref(2, 0, 7), ref(3, 0, 5)],
            [(ItemKind.AGREE, 1, 3), (ItemKind.ONLY_B, None, 2)],
        ),
        # same offsets with another label beats an overlap with the same label
        (
            [ref(1, 0, 5)],
            [ref(2, 0, 7), ref(3, 0, 5, "LOC")],
            [(ItemKind.LABEL, 1, 3), (ItemKind.ONLY_B, None, 2)],
        ),
        # an overlap with the same label beats one with another label
        (
            [ref(1, 2, 8)],
            [ref(2, 0, 8, "LOC"), ref(3, 4, 6)],
            [(ItemKind.BOUNDARY, 1, 3), (ItemKind.ONLY_B, None, 2)],
        ),
        # nested layers on both sides pair up one to one
        (
            [ref(1, 0, 10), ref(2, 0, 4, "LOC")],
            [ref(3, 0, 11), ref(4, 1, 4, "LOC")],
            [(ItemKind.BOUNDARY, 1, 3), (ItemKind.BOUNDARY, 2, 4)],
        ),
        ([], [], []),
    ],
)
def test_matching_classifies_every_kind(
    a: list[SpanRef], b: list[SpanRef], expected: list[tuple[ItemKind, int, int]]
) -> None:
    assert kinds(a, b) == sorted(expected, key=str)


def _random_layer(rng: random.Random, first_id: int, labels: list[str]) -> list[SpanRef]:
    spans: dict[tuple[int, int, int], SpanRef] = {}
    for offset in range(40):
        start, width = rng.randrange(60), rng.randrange(1, 9)
        span = ref(first_id + offset, start, start + width, rng.choice(labels))
        spans.setdefault(span.identity, span)
    return list(spans.values())


def test_matching_is_one_to_one_and_does_not_depend_on_row_order() -> None:
    rng = random.Random(7)
    a = _random_layer(rng, 0, ["PER", "LOC"])
    b = _random_layer(rng, 100, ["PER", "ORG"])
    expected = kinds(a, b)
    for _ in range(5):
        rng.shuffle(a)
        rng.shuffle(b)
        assert kinds(a, b) == expected
    assert sorted(x for _, x, _ in expected if x is not None) == sorted(x.id for x in a)
    assert sorted(y for _, _, y in expected if y is not None) == sorted(y.id for y in b)


# -- comparing layers in the database -------------------------------------------------------


def test_compare_layers_classifies_keys_and_sorts(review: Review, layers: dict[str, int]) -> None:
    items = review.items()
    got = [(item.key, item.kind, item.a.text if item.a else None,
            item.b.text if item.b else None) for item in items]  # fmt: skip
    ids = layers
    assert got == [
        (f"a{ids['a_ada']}:b{ids['b_ada']}", ItemKind.AGREE, "Ada Lovelace", "Ada Lovelace"),
        (f"a{ids['a_charles']}:b{ids['b_babbage']}", ItemKind.BOUNDARY, "Charles Babbage",
         "Babbage"),
        (f"a{ids['a_london']}:b{ids['b_london']}", ItemKind.LABEL, "London", "London"),
        (f"a{ids['a_flag']}:b{ids['b_flag']}", ItemKind.LABEL, "London 🇬🇧", "🇬🇧 in"),
        (f"a{ids['a_shalom']}:-", ItemKind.ONLY_A, "שלום", None),
        (f"-:b{ids['b_cafe']}", ItemKind.ONLY_B, None, "café"),
        (f"a{ids['a_e']}:b{ids['b_e']}", ItemKind.BOUNDARY, "e\u0301", "e\u0301 end"),
    ]  # fmt: skip
    flag = items[3]
    assert (flag.start, flag.end) == (TEXT.index("London"), TEXT.index("🇬🇧") + len("🇬🇧 in"))
    assert flag.a is not None and (flag.a.annotator, flag.a.label) == ("alice", "LOC")
    assert flag.b is not None and (flag.b.annotator, flag.b.label) == ("bob", "ORG")
    assert not any(item.decided for item in items)
    assert review.items() == items  # deterministic
    assert rv.review_progress(review.lead, "alice", "bob", document_id=review.document_id) == (0, 7)


def test_who_is_compared_is_checked(review: Review, layers: dict[str, int]) -> None:
    with pytest.raises(UserError, match="no annotator named 'carol'"):
        rv.compare_layers(review.lead, review.document_id, "alice", "carol")
    with pytest.raises(UserError, match="pass gold as B"):
        rv.compare_layers(review.lead, review.document_id, GOLD, "bob")
    with pytest.raises(UserError, match="someone else"):
        rv.compare_layers(review.lead, review.document_id, "alice", "alice")
    with pytest.raises(UserError, match="no document"):
        rv.compare_layers(review.lead, 999, "alice", "bob")
    # naming gold as B is the same as None; an empty gold layer makes everything ONLY_A
    assert [i.kind for i in review.items(GOLD)] == [ItemKind.ONLY_A] * 6
    assert review.items(GOLD) == review.items(None)


def test_gold_is_not_a_persons_name(review: Review, layers: dict[str, int]) -> None:
    impostor = Corpus(review.lead.engine, annotator=GOLD)
    with pytest.raises(UserError, match="reserved"):
        impostor.add_span(review.document_id, review.per, 0, 3)
    with pytest.raises(UserError, match="reserved"):
        review.lead.annotator_id(GOLD)
    with pytest.raises(UserError, match="reserved"):  # nor can gold review
        rv.decide(impostor, review.items()[0], "take_a")
    assert review.gold() == []


# -- deciding -------------------------------------------------------------------------------


def test_each_action_writes_gold_and_a_decision(review: Review, layers: dict[str, int]) -> None:
    r = review
    boundary, label, flag, only_a, only_b, combining = r.items()[1:]
    assert r.gold() == []
    changes = rv.decide(r.lead, boundary, "take_a", comment="full name")
    assert [c.action for c in changes] == ["add gold span", "review take_a"]
    rv.decide(r.lead, label, ReviewAction.TAKE_B)
    rv.decide(r.lead, flag, "reject", comment="  ")
    rv.decide(r.lead, only_a, "take_a")
    start = TEXT.index("<b>")
    rv.decide(r.lead, only_b, "edit", edited=(start, start + len("<b>café</b>"), r.org))
    rv.decide(r.lead, combining, "take_b")
    assert sorted(r.gold()) == sorted([("PER", "Charles Babbage"), ("ORG", "London"),
                                       ("PER", "שלום"), ("ORG", "<b>café</b>"),
                                       ("PER", "e\u0301 end")])  # fmt: skip
    rows = r.decisions()
    assert [(d.item_key, d.action, d.comment) for d in rows] == [
        (boundary.key, "take_a", "full name"), (label.key, "take_b", None),
        (flag.key, "reject", None), (only_a.key, "take_a", None), (only_b.key, "edit", None),
        (combining.key, "take_b", None),
    ]  # fmt: skip
    first = rows[0]
    assert (first.annotator_a, first.annotator_b, first.kind) == ("alice", "bob", "boundary")
    assert first.subject["a"]["text"] == "Charles Babbage" and first.subject["b"]["label"] == "PER"
    assert first.result is not None and first.result["text"] == "Charles Babbage"
    assert rows[2].result is None
    assert rows[4].subject["a"] is None
    with r.lead.session() as session:
        reviewer = session.get(Annotator, first.reviewer_id)
        gold = session.exec(select(Annotator).where(Annotator.name == GOLD)).one()
    assert reviewer is not None and (reviewer.name, reviewer.kind) == ("lead", "person")
    assert gold.kind == "gold"
    items = r.items()
    assert all(item.decided for item in items[1:]) and not items[0].decided
    assert items[1].decision is not None and items[1].decision.action is ReviewAction.TAKE_A
    assert rv.review_progress(r.lead, "alice", "bob", document_id=r.document_id) == (6, 7)


def test_invalid_decisions_are_user_errors(review: Review, layers: dict[str, int]) -> None:
    r = review
    agree, boundary, _label, _flag, only_a, only_b, _combining = r.items()
    with pytest.raises(UserError, match="no span of bob"):
        rv.decide(r.lead, only_a, "take_b")
    with pytest.raises(UserError, match="no span of alice"):
        rv.decide(r.lead, only_b, "take_a")
    with pytest.raises(UserError, match="unknown review action"):
        rv.decide(r.lead, agree, "maybe")
    with pytest.raises(UserError, match="accept_agreements"):
        rv.decide(r.lead, agree, "accept_agreement")
    with pytest.raises(UserError, match="needs the edited span"):
        rv.decide(r.lead, boundary, "edit")
    with pytest.raises(UserError, match="only an edit"):
        rv.decide(r.lead, boundary, "take_a", edited=(0, 3, r.per))
    with pytest.raises(UserError, match="ends past the text"):
        rv.decide(r.lead, boundary, "edit", edited=(0, len(TEXT) + 1, r.per))
    with pytest.raises(UserError, match="not after start"):
        rv.decide(r.lead, boundary, "edit", edited=(5, 5, r.per))
    topic = r.lead.add_label(r.project_id, "Topic", kind=LabelKind.DOCUMENT).entity_id
    assert topic is not None
    with pytest.raises(UserError, match="not a span label"):
        rv.decide(r.lead, boundary, "edit", edited=(0, 3, topic))
    r.bob.remove_span(layers["b_babbage"])
    with pytest.raises(UserError, match="changed since it was shown"):
        rv.decide(r.lead, boundary, "take_a")
    assert r.gold() == [] and r.decisions() == []


def test_a_changed_mind_replaces_what_the_item_put_into_gold(
    review: Review, layers: dict[str, int]
) -> None:
    r = review
    key = r.items()[1].key
    rv.decide(r.lead, r.item(key), "take_a")
    assert r.gold() == [("PER", "Charles Babbage")]
    changes = rv.decide(r.lead, r.item(key), "take_b", comment="surname only")
    assert [c.action for c in changes] == ["remove gold span", "add gold span", "review take_b"]
    assert r.gold() == [("PER", "Babbage")]
    rv.decide(r.lead, r.item(key), "take_b", comment="still")  # same outcome: gold unchanged
    assert r.gold() == [("PER", "Babbage")]
    rv.decide(r.lead, r.item(key), "reject")
    assert r.gold() == []
    start = TEXT.index("Charles")
    rv.decide(r.lead, r.item(key), "edit", edited=(start, start + len("Charles"), r.per))
    assert r.gold() == [("PER", "Charles")]
    assert [d.action for d in r.decisions()] == ["take_a", "take_b", "take_b", "reject", "edit"]
    current = r.item(key).decision
    assert current is not None and current.action is ReviewAction.EDIT
    assert current.result is not None and current.result["text"] == "Charles"


def test_gold_holds_no_duplicates_and_keeps_what_it_had(
    review: Review, layers: dict[str, int]
) -> None:
    r = review
    agree = r.items()[0]
    with r.lead.session() as session:  # gold that came from elsewhere, e.g. an import
        gold = Annotator(name=GOLD)
        session.add(gold)
        session.flush()
        assert gold.id is not None and gold.kind == "gold"  # the name decides the kind
        session.add(Span(document_id=r.document_id, annotator_id=gold.id, label_id=r.per,
                         start=0, end=12, text="Ada Lovelace"))  # fmt: skip
        session.commit()
    changes = rv.decide(r.lead, agree, "take_a")
    assert [c.action for c in changes] == ["review take_a"]
    assert r.gold() == [("PER", "Ada Lovelace")]
    decision = r.decisions()[0]
    assert decision.result is not None and decision.result["created"] is False
    rv.decide(r.lead, r.item(agree.key), "reject")  # did not put it there: leaves it
    assert r.gold() == [("PER", "Ada Lovelace")]


def test_undo_in_reverse_order_restores_everything(review: Review, layers: dict[str, int]) -> None:
    r = review
    before = r.items()
    history: list[list[Change]] = [rv.accept_agreements(r.lead, r.document_id, "alice", "bob")]
    key = before[1].key
    history.append(rv.decide(r.lead, r.item(key), "take_a"))
    history.append(rv.decide(r.lead, r.item(key), "take_b"))  # removes the span taken first
    history.append(rv.decide(r.lead, before[4], "take_a"))
    history.append(rv.decide(r.lead, r.item(key), "reject"))
    assert r.gold() == [("PER", "Ada Lovelace"), ("PER", "שלום")]
    for changes in reversed(history[2:]):
        for change in reversed(changes):
            r.lead.revert(change)
    assert r.gold() == [("PER", "Ada Lovelace"), ("PER", "Charles Babbage")]
    current = r.item(key).decision
    assert current is not None and current.action is ReviewAction.TAKE_A
    for changes in reversed(history[:2]):
        for change in reversed(changes):
            r.lead.revert(change)
    assert r.gold() == [] and r.decisions() == []
    assert r.items() == before


def _everything(r: Review) -> tuple[object, ...]:
    """Every row a review action or its undo can touch, to compare before and after."""
    with r.lead.engine.connect() as connection:
        return tuple(
            connection.execute(text(query)).all()
            for query in (
                'SELECT id, annotator_id, label_id, start, "end" FROM span ORDER BY id',
                "SELECT id, item_key, action, result FROM review_decision ORDER BY id",
                "SELECT id, action, entity, entity_id FROM history ORDER BY id",
                "SELECT id, name FROM annotator ORDER BY id",
            )
        )


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, call: int) -> None:
    """Make `owner.name` raise on its `call`-th call, after the calls before it ran."""
    real = getattr(owner, name)
    calls = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == call:
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)


def test_a_decision_that_fails_midway_leaves_the_database_as_it_was(
    review: Review, layers: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core import operations

    r = review
    boundary = r.items()[1]
    rv.decide(r.lead, boundary, "take_a")
    before = _everything(r)
    # take_b removes the span take_a wrote, records that, then adds B's span: fail there.
    _fail_on_call(monkeypatch, operations, "add_span", 1)
    with pytest.raises(RuntimeError, match="injected"):
        rv.decide(r.lead, r.item(boundary.key), "take_b")
    assert _everything(r) == before
    assert r.gold() == [("PER", "Charles Babbage")]
    monkeypatch.undo()
    changes = rv.decide(r.lead, r.item(boundary.key), "take_b")
    assert [c.action for c in changes] == ["remove gold span", "add gold span", "review take_b"]
    assert r.gold() == [("PER", "Babbage")]


def test_accepting_agreements_that_fails_midway_leaves_the_database_as_it_was(
    review: Review, layers: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core.review import storage

    r = review
    r.span(r.alice, r.org, "1833")
    r.span(r.bob, r.org, "1833")  # a second agreement
    # Who the reviewer is gets recorded once, before and apart from any action.
    r.lead.annotator_id()
    before = _everything(r)
    # Each agreement records a gold span and a decision: the third record is the second's.
    _fail_on_call(monkeypatch, storage, "record", 3)
    with pytest.raises(RuntimeError, match="injected"):
        rv.accept_agreements(r.lead, r.document_id, "alice", "bob")
    assert _everything(r) == before
    assert r.gold() == [] and r.decisions() == []
    monkeypatch.undo()
    assert len(rv.accept_agreements(r.lead, r.document_id, "alice", "bob")) == 4
    assert sorted(r.gold()) == [("ORG", "1833"), ("PER", "Ada Lovelace")]


def test_undo_and_redo_of_a_compound_action_are_one_transaction_each(
    review: Review, layers: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core import corpus as corpus_module

    r = review
    key = r.items()[1].key
    rv.decide(r.lead, r.item(key), "take_a")
    decided = rv.decide(r.lead, r.item(key), "take_b")  # remove, add, decision row
    assert len(decided) == 3
    after = _everything(r)
    _fail_on_call(monkeypatch, corpus_module, "apply_state", 2)
    with pytest.raises(RuntimeError, match="injected"):
        r.lead.revert_all(decided)
    assert _everything(r) == after
    monkeypatch.undo()
    undone = r.lead.revert_all(decided)
    assert r.gold() == [("PER", "Charles Babbage")]
    current = r.item(key).decision
    assert current is not None and current.action is ReviewAction.TAKE_A
    undone_rows = _everything(r)
    _fail_on_call(monkeypatch, corpus_module, "apply_state", 3)
    with pytest.raises(RuntimeError, match="injected"):
        r.lead.revert_all(undone)  # the redo
    assert _everything(r) == undone_rows
    monkeypatch.undo()
    redone = r.lead.revert_all(undone)
    assert [c.action for c in redone] == [c.action for c in decided]
    assert r.gold() == [("PER", "Babbage")]
    current = r.item(key).decision
    assert current is not None and current.action is ReviewAction.TAKE_B


def test_accept_agreements_and_progress(review: Review, layers: dict[str, int]) -> None:
    r = review
    other = add_document(r.lead, r.project_id, "Second text about Ada.", title="two")
    r.alice.add_span(other, r.per, 18, 21)
    r.bob.add_span(other, r.per, 18, 21)
    progress = rv.review_progress(r.lead, "alice", "bob", project_id=r.project_id)
    assert progress == (0, 8) and progress.decided == 0 and progress.total == 8
    changes = rv.accept_agreements(r.lead, r.document_id, "alice", "bob")
    assert [c.action for c in changes] == ["add gold span", "review accept_agreement"]
    assert rv.accept_agreements(r.lead, r.document_id, "alice", "bob") == []
    assert r.gold() == [("PER", "Ada Lovelace")]
    assert rv.review_progress(r.lead, "alice", "bob", project_id=r.project_id) == (1, 8)
    rv.accept_agreements(r.lead, other, "alice", "bob")
    assert rv.review_progress(r.lead, "alice", "bob", document_id=other) == (1, 1)
    assert rv.review_progress(r.lead, "alice", "bob", project_id=r.project_id) == (2, 8)
    # another pair has a progress of its own
    assert rv.review_progress(r.lead, "bob", "alice", project_id=r.project_id) == (0, 8)
    with pytest.raises(UserError, match="one document or of one project"):
        rv.review_progress(r.lead, "alice", "bob")


def test_review_against_gold_keeps_its_items_while_gold_changes(
    review: Review, layers: dict[str, int]
) -> None:
    r = review
    for item in r.items():  # build gold from bob's side
        if item.b is not None:
            rv.decide(r.lead, item, "take_b")
    assert len(r.gold()) == 6
    against = r.items(None)
    assert [i.kind for i in against] == [
        ItemKind.AGREE, ItemKind.BOUNDARY, ItemKind.LABEL, ItemKind.LABEL, ItemKind.ONLY_A,
        ItemKind.ONLY_B, ItemKind.BOUNDARY,
    ]  # fmt: skip
    assert all(i.b is not None and i.b.annotator == GOLD for i in against if i.b)
    label = against[2]
    undo = rv.decide(r.lead, label, "take_a", comment="a place")  # gold's ORG was wrong
    assert [c.action for c in undo] == ["remove gold span", "add gold span", "review take_a"]
    assert ("LOC", "London") in r.gold() and ("ORG", "London") not in r.gold()
    after = r.items(None)
    assert [i.key for i in after] == [i.key for i in against]  # the same items
    assert after[2].decided and after[2].b == label.b
    undo += rv.decide(r.lead, after[2], "take_b")  # gold was right after all: put it back
    assert ("ORG", "London") in r.gold() and ("LOC", "London") not in r.gold()
    undo += rv.decide(r.lead, r.items(None)[5], "reject")  # only in gold: remove it
    undo += rv.decide(r.lead, r.items(None)[4], "take_a")  # only alice: add it
    assert ("ORG", "café") not in r.gold() and ("PER", "שלום") in r.gold()
    assert [i.key for i in r.items(None)] == [i.key for i in against]
    assert rv.review_progress(r.lead, "alice", None, document_id=r.document_id) == (3, 7)
    # the pairwise decisions still stand on their own
    assert rv.review_progress(r.lead, "alice", "bob", document_id=r.document_id) == (6, 7)
    for change in reversed(undo):
        r.lead.revert(change)
    assert r.items(None) == against and len(r.gold()) == 6


def test_a_decision_whose_span_is_gone_no_longer_hides_gold(
    review: Review, layers: dict[str, int]
) -> None:
    r = review
    london = r.items(None)[2]  # alice's LOC London, gold still empty: only A
    rv.decide(r.lead, london, "take_a")
    assert r.item(london.key, None).decided
    r.alice.remove_span(layers["a_london"])  # alice changed her layer after the review
    items = r.items(None)
    assert london.key not in {i.key for i in items}
    (shown,) = [i for i in items if i.b is not None and i.b.text == "London"]
    assert (shown.kind, shown.decided) == (ItemKind.BOUNDARY, False)  # with "London 🇬🇧"


# -- export and feedback ----------------------------------------------------------------------


def test_decision_rows_have_the_documented_columns(review: Review, layers: dict[str, int]) -> None:
    r = review
    assert rv.DECISION_COLUMNS == (
        "decision_id", "document_id", "document_hash", "document_title", "reviewer",
        "annotator_a", "annotator_b", "item_key", "kind", "action",
        "a_label", "a_start", "a_end", "a_text", "b_label", "b_start", "b_end", "b_text",
        "gold_label", "gold_start", "gold_end", "comment", "created_at",
    )  # fmt: skip
    boundary = r.items()[1]
    rv.decide(r.lead, boundary, "take_a", comment="full")
    rv.decide(r.lead, r.item(boundary.key), "reject")
    rv.decide(r.lead, r.items(None)[2], "take_a")
    rows = [dict(zip(rv.DECISION_COLUMNS, row, strict=True))
            for row in rv.decision_rows(r.lead, r.project_id)]  # fmt: skip
    assert len(rows) == 3
    first = rows[0]
    start = TEXT.index("Charles")
    assert {k: v for k, v in first.items() if k not in {"decision_id", "created_at"}} == {
        "document_id": r.document_id, "document_hash": first["document_hash"],
        "document_title": "Ada <&> Charles", "reviewer": "lead", "annotator_a": "alice",
        "annotator_b": "bob", "item_key": boundary.key, "kind": "boundary", "action": "take_a",
        "a_label": "PER", "a_start": start, "a_end": start + 15, "a_text": "Charles Babbage",
        "b_label": "PER", "b_start": start + 8, "b_end": start + 15, "b_text": "Babbage",
        "gold_label": "PER", "gold_start": start, "gold_end": start + 15, "comment": "full",
    }  # fmt: skip
    assert len(first["document_hash"]) == 64 and first["created_at"].endswith("+00:00")
    assert rows[1]["gold_label"] is None and rows[1]["action"] == "reject"
    assert rows[2]["annotator_b"] == GOLD and rows[2]["b_label"] is None
    assert rows[2]["a_text"] == "London"


def test_a_review_log_failing_midway_leaves_the_old_file_and_the_reading_closed(
    review: Review, layers: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the decisions stream through a server-side cursor: a write that fails
    closes it at once, the old file stays, and the next export reads the same rows."""
    from annotator.core import exporting
    from annotator.formats import csv_export

    r = review
    for item in r.items()[:3]:
        rv.decide(r.lead, item, "take_a")
    log = tmp_path / "decisions.csv"
    log.write_bytes(b"last week's log\r\n")
    write_rows = csv_export.write_rows

    def failing(out: Any, header: Any, rows: Any, **options: Any) -> int:
        def one_then_fail() -> Any:
            for number, row in enumerate(rows):
                if number == 1:
                    raise OSError(28, "No space left on device")
                yield row

        return write_rows(out, header, one_then_fail(), chunk=1, **options)

    monkeypatch.setattr(csv_export, "write_rows", failing)
    with pytest.raises(UserError, match="No space left on device"):
        exporting.write_review_log(r.lead, r.project_id, log, excel=False)
    assert log.read_bytes() == b"last week's log\r\n"
    monkeypatch.setattr(csv_export, "write_rows", write_rows)
    assert exporting.write_review_log(r.lead, r.project_id, log, excel=False) == 3


def test_feedback_says_what_went_against_an_annotator(
    review: Review, layers: dict[str, int], tmp_path: Path
) -> None:
    r = review
    _agree, boundary, label, flag, only_a, only_b, combining = r.items()
    rv.accept_agreements(r.lead, r.document_id, "alice", "bob")  # taken as is: not reported
    rv.decide(r.lead, boundary, "take_b", comment='surname only, see <rule 3> & "4"')
    rv.decide(r.lead, label, "take_a")  # alice's taken: not reported to alice
    rv.decide(r.lead, flag, "reject", comment="<script>alert('x')</script>")
    start = TEXT.index("שלום")
    rv.decide(r.lead, only_a, "edit", edited=(start, start + 4, r.loc))
    rv.decide(r.lead, only_b, "take_b")
    rv.decide(r.lead, combining, "take_a")
    rv.decide(r.lead, r.item(combining.key), "take_b", comment="changed my mind")
    rows = list(rv.feedback_rows(r.lead, r.project_id, "alice"))
    assert [(row.item_key, row.verdict, row.comment) for row in rows] == [
        (boundary.key, rv.OTHER_TAKEN, 'surname only, see <rule 3> & "4"'),
        (flag.key, rv.REJECTED, "<script>alert('x')</script>"),
        (only_a.key, rv.EDITED, None),
        (only_b.key, rv.MISSED, None),
        (combining.key, rv.OTHER_TAKEN, "changed my mind"),  # the current decision only
    ]  # fmt: skip
    first = rows[0]
    assert (first.your_text, first.other_annotator, first.other_text, first.gold_text) == (
        "Charles Babbage", "bob", "Babbage", "Babbage")  # fmt: skip
    assert first.passage == "Charles Babbage" and first.left_context == "Ada Lovelace met "
    assert rows[2].gold_label == "LOC" and rows[3].your_label is None
    bob = list(rv.feedback_rows(r.lead, r.project_id, "bob"))
    assert [(row.item_key, row.verdict) for row in bob] == [
        (label.key, rv.OTHER_TAKEN), (flag.key, rv.REJECTED), (only_a.key, rv.MISSED),
    ]  # fmt: skip

    page = tmp_path / "alice.html"
    assert rv.write_feedback_html(rows, page) == 5
    content = page.read_text(encoding="utf-8")
    assert content.startswith("<!DOCTYPE html>")
    assert "<script>" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    assert "&lt;rule 3&gt; &amp; &quot;4&quot;" in content
    assert "Ada &lt;&amp;&gt; Charles" in content  # the document title
    assert "&lt;b&gt;café&lt;/b&gt;" in content and "<b>café" not in content
    assert content.count("<table>") == 1 and content.count("<tr>") == 6
    assert "http" not in content and "src=" not in content and "<link" not in content
    with pytest.raises(UserError, match="no annotator named 'nobody'"):
        rv.feedback_rows(r.lead, r.project_id, "nobody")
    with pytest.raises(UserError, match="feedback is for a person"):
        rv.feedback_rows(r.lead, r.project_id, GOLD)
    empty = tmp_path / "empty.html"
    assert rv.write_feedback_html([], empty) == 0
    assert "took every one of your spans" in empty.read_text(encoding="utf-8")


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def reviewed_db(database_url: str) -> str:
    path = database_url
    with Corpus.open(path, annotator="alice") as corpus:
        review = _review_on(corpus, title="Ada")
        review.span(review.alice, review.per, "Ada Lovelace")
        review.span(review.bob, review.per, "Ada Lovelace")
        review.span(review.alice, review.loc, "London")
        review.span(review.bob, review.org, "London")
        review.span(review.bob, review.per, "Babbage")
        rv.accept_agreements(review.lead, review.document_id, "alice", "bob")
        _agree, only_b, label = review.items()
        rv.decide(review.lead, label, "take_b", comment="an organisation, <here>")
        rv.decide(review.lead, only_b, "take_b")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_gold_only_and_import_it_as_gold_elsewhere(
    capsys: pytest.CaptureFixture[str], reviewed_db: str, tmp_path: Path, databases: Databases
) -> None:
    out_csv = tmp_path / "gold.csv"
    code, out, err = run(capsys, "export", "--project", "news", "--format", "csv", "--gold",
                         "-o", str(out_csv), "--db", reviewed_db)  # fmt: skip
    assert code == 0, err
    assert f"wrote 3 span(s) to {out_csv}" in out
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["annotator"], row["label"], row["text"]) for row in rows] == [
        (GOLD, "PER", "Ada Lovelace"), (GOLD, "PER", "Babbage"), (GOLD, "ORG", "London"),
    ]  # fmt: skip

    out_jsonl = tmp_path / "gold.jsonl"
    code, _, err = run(capsys, "export", "--project", "news", "--format", "jsonl", "--gold",
                       "-o", str(out_jsonl), "--db", reviewed_db)  # fmt: skip
    assert code == 0, err
    (document,) = [json.loads(line) for line in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert [layer["annotator"] for layer in document["annotations"]] == [GOLD]
    assert len(document["annotations"][0]["spans"]) == 3

    elsewhere = databases.new("elsewhere")
    code, _, err = run(capsys, "import", str(out_jsonl), "--project", "copy", "--db", elsewhere)
    assert code == 0, err
    with Corpus.open(elsewhere) as corpus, corpus.session() as session:
        kinds = {a.name: a.kind for a in session.exec(select(Annotator)).all()}
        document_id = corpus.documents(corpus.project("copy").id or 0)[0].id
    assert kinds == {GOLD: "gold"}
    with Corpus.open(elsewhere) as corpus:
        assert [s.text for s in rv.gold_spans(corpus, document_id)] == [
            "Ada Lovelace", "Babbage", "London"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--gold", "--annotator", "alice"], "--gold exports the gold layer alone"),
        (["--gold", "--status", "done"], "--gold exports the gold layer alone"),
    ],
)
def test_export_gold_refuses_other_filters(
    capsys: pytest.CaptureFixture[str], reviewed_db: str, tmp_path: Path, extra: list[str],
    message: str,
) -> None:  # fmt: skip
    code, _, err = run(capsys, "export", "--project", "news", "--format", "csv",
                       "-o", str(tmp_path / "x.csv"), "--db", reviewed_db, *extra)  # fmt: skip
    assert code == 1
    assert err.splitlines() == [f"annotator: error: {message}; leave out --annotator and --status"]


def test_export_gold_before_any_review_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str
) -> None:
    path = database_url
    Corpus.open(path).close()
    assert run(capsys, "projects", "--create", "news", "--db", path)[0] == 0
    code, _, err = run(capsys, "export", "--project", "news", "--format", "jsonl", "--gold",
                       "-o", str(tmp_path / "x.jsonl"), "--db", path)  # fmt: skip
    assert code == 1
    assert err.splitlines() == [
        "annotator: error: there is no gold layer yet: review decisions build it"
    ]


def test_review_log_and_feedback_commands(
    capsys: pytest.CaptureFixture[str], reviewed_db: str, tmp_path: Path
) -> None:
    log = tmp_path / "decisions.csv"
    code, out, err = run(capsys, "review-log", "--project", "news", "-o", str(log),
                         "--db", reviewed_db)  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"wrote 3 decision(s) to {log}"
    with log.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == rv.DECISION_COLUMNS
    assert [(row["action"], row["gold_label"]) for row in rows] == [
        ("accept_agreement", "PER"), ("take_b", "ORG"), ("take_b", "PER"),
    ]  # fmt: skip

    page = tmp_path / "alice.html"
    code, out, err = run(capsys, "feedback", "--project", "news", "--annotator", "alice",
                         "-o", str(page), "--db", reviewed_db)  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"wrote 2 item(s) of feedback for alice to {page}"
    content = page.read_text(encoding="utf-8")
    assert "an organisation, &lt;here&gt;" in content and "Review feedback for alice" in content

    table = tmp_path / "alice.csv"
    code, out, err = run(capsys, "feedback", "--project", "news", "--annotator", "alice",
                         "-o", str(table), "--db", reviewed_db)  # fmt: skip
    assert code == 0, err
    with table.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        feedback = list(reader)
    assert tuple(reader.fieldnames or ()) == rv.FEEDBACK_COLUMNS
    assert [(row["verdict"], row["your_text"], row["gold_text"]) for row in feedback] == [
        (rv.MISSED, "", "Babbage"), (rv.OTHER_TAKEN, "London", "London"),
    ]  # fmt: skip

    for argv, message in [
        (["--annotator", "nobody", "-o", str(table)], "no annotator named 'nobody'"),
        (["--annotator", "alice", "-o", str(tmp_path / "a.pdf")], "a .html or .csv file"),
        (["--annotator", "alice", "-o", str(tmp_path / "no" / "a.html")], "cannot write"),
    ]:
        code, _, err = run(capsys, "feedback", "--project", "news", "--db", reviewed_db, *argv)
        assert code == 1
        assert len(err.splitlines()) == 1 and message in err


# -- migration ------------------------------------------------------------------------------


def _database_at_0001(url: str) -> None:
    """A database as version 0001 left it, with work in it and a person named gold."""
    from alembic import command

    engine = create_engine(url)
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        at = "2024-01-01 00:00:00"
        connection.execute(text("INSERT INTO project (name, created_at) VALUES ('old', :at)"),
                           {"at": at})  # fmt: skip
        connection.execute(text("INSERT INTO annotator (name) VALUES ('alice'), ('gold')"))
        connection.execute(
            text("INSERT INTO document (project_id, text, meta, content_hash, created_at) "
                 "VALUES (1, 'Ada Lovelace', '{}', 'h', :at)"), {"at": at})  # fmt: skip
        connection.execute(
            text("INSERT INTO label (project_id, name, kind, color, description, position) "
                 "VALUES (1, 'PER', 'span', '#000000', '', 0)"))  # fmt: skip
        connection.execute(
            text('INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, '
                 "origin, created_at, updated_at) VALUES (1, 1, 1, 0, 3, 'Ada', 'manual', :at, "
                 ":at), (1, 2, 1, 0, 12, 'Ada Lovelace', 'imported', :at, :at)"), {"at": at},
        )  # fmt: skip
    engine.dispose()


def test_migration_from_0001_keeps_the_data(empty_database_url: str, tmp_path: Path) -> None:
    url = empty_database_url
    _database_at_0001(url)
    with Corpus.open(url, annotator="lead") as corpus:
        with corpus.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            kinds = dict(connection.execute(text("SELECT name, kind FROM annotator")).all())
        assert version == db.SCHEMA_HEAD
        assert kinds == {"alice": "person", "gold": "gold"}  # the reserved name is now gold
        assert [s.text for s in corpus.spans(1, annotator="alice")] == ["Ada"]
        # the old gold layer is the gold layer, and review works on it
        (item,) = rv.compare_layers(corpus, 1, "alice", None)
        assert (item.kind, item.b.text if item.b else None) == (ItemKind.BOUNDARY, "Ada Lovelace")
        rv.decide(corpus, item, "take_a")
        assert [s.text for s in rv.gold_spans(corpus, 1)] == ["Ada"]
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        (backup,) = tmp_path.glob(f"backups/{path.name}.before-{db.SCHEMA_HEAD}.*.bak")
        with sqlite3.connect(backup) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [
                ("0001",)]  # fmt: skip
            assert copy.execute("SELECT count(*) FROM span").fetchall() == [(2,)]
        copy.close()


def test_migration_0002_downgrades_and_upgrades_again(empty_database_url: str) -> None:
    from alembic import command

    url = empty_database_url
    _database_at_0001(url)
    Corpus.open(url).close()
    engine = create_engine(url)
    config = db._alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM span")).scalar() == 2
            assert "kind" not in {c["name"] for c in _columns(connection, "annotator")}
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            kinds = dict(connection.execute(text("SELECT name, kind FROM annotator")).all())
        assert kinds == {"alice": "person", "gold": "gold"}
    finally:
        engine.dispose()


def _columns(connection: object, table: str) -> list[dict[str, object]]:
    from sqlalchemy import inspect

    return list(inspect(connection).get_columns(table))  # type: ignore[arg-type]


def test_nobody_imports_as_the_gold_layer(tmp_path, database_url: str) -> None:
    import pytest

    from annotator.base.errors import UserError
    from annotator.core.corpus import Corpus
    from annotator.core.importing import import_paths

    source = tmp_path / "a.txt"
    source.write_text("Some text.", encoding="utf-8")
    corpus = Corpus.open(database_url, annotator="gold")
    with corpus, pytest.raises(UserError, match="adjudicated layer"):
        import_paths(corpus, [source], project="news")
