"""A label reorder is one core call: one transaction, one history row, one undo step."""

from __future__ import annotations

import pytest

from annotator.base.errors import UserError
from annotator.core import operations
from annotator.core.changes import place_labels
from tests.core.conftest import Seeded


def order(seeded: Seeded) -> list[int | None]:
    return [label.id for label in seeded.corpus.labels(seeded.project_id)]


def history_rows(seeded: Seeded) -> int:
    return len(seeded.corpus.history(project_id=seeded.project_id, limit=1000))


def test_reorder_is_one_change_and_undoes_in_one_step(seeded: Seeded) -> None:
    corpus = seeded.corpus
    before, rows = order(seeded), history_rows(seeded)
    assert before == [seeded.person, seeded.place, seeded.topic]
    change = corpus.reorder_labels(seeded.project_id, [seeded.topic, seeded.person, seeded.place])
    assert order(seeded) == [seeded.topic, seeded.person, seeded.place]
    assert history_rows(seeded) == rows + 1
    assert corpus.history(project_id=seeded.project_id, limit=1)[0].action == "reorder labels"
    redo = corpus.revert(change)
    assert order(seeded) == before
    assert [lb.position for lb in corpus.labels(seeded.project_id)] == [0, 1, 2]
    corpus.revert(redo)
    assert order(seeded) == [seeded.topic, seeded.person, seeded.place]
    assert history_rows(seeded) == rows + 3


def test_a_failure_half_way_leaves_the_order_unchanged(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, rows = order(seeded), history_rows(seeded)

    def first_then_fail(session, positions) -> None:
        place_labels(session, positions[:1])  # the first label is moved and flushed...
        raise RuntimeError("disk full")  # ...then the database goes away

    monkeypatch.setattr(operations, "place_labels", first_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        seeded.corpus.reorder_labels(seeded.project_id, [seeded.place, seeded.topic, seeded.person])
    assert order(seeded) == before
    assert history_rows(seeded) == rows


def test_a_failure_recording_history_leaves_the_order_unchanged(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core import corpus as corpus_module

    before, rows = order(seeded), history_rows(seeded)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("history refused")

    monkeypatch.setattr(corpus_module, "record", refuse)
    with pytest.raises(RuntimeError, match="history refused"):
        seeded.corpus.reorder_labels(seeded.project_id, [seeded.place, seeded.topic, seeded.person])
    assert order(seeded) == before
    assert history_rows(seeded) == rows


@pytest.mark.parametrize(
    "wrong",
    [
        lambda s: [s.place, s.person],  # one left out
        lambda s: [s.place, s.person, s.topic, s.topic],  # one twice
        lambda s: [s.place, s.person, 999],  # not this project's
    ],
)
def test_an_order_must_name_every_label_once(seeded: Seeded, wrong) -> None:
    before = order(seeded)
    with pytest.raises(UserError, match="each of the project's labels once"):
        seeded.corpus.reorder_labels(seeded.project_id, wrong(seeded))
    assert order(seeded) == before
