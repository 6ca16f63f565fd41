"""The annotator's first change to a document puts it "in progress", in the same
transaction; nothing else moves a status by itself."""

from __future__ import annotations

from annotator.base.vocabulary import Origin, Status
from annotator.core.corpus import Corpus
from tests.core.conftest import Seeded, add_document


def status(corpus: Corpus, document_id: int, annotator: str | None = None) -> str:
    return corpus.document_row(document_id, annotator=annotator).status


def test_each_kind_of_first_change_begins_the_document(seeded: Seeded) -> None:
    corpus, project = seeded.corpus, seeded.project_id
    first, second, third = (add_document(corpus, project, f"Ada {n}", f"d{n}") for n in range(3))
    with Corpus.open(str(corpus.engine.url), annotator="bob") as bob:
        for document in (first, second):
            bob.add_span(document, seeded.person, 0, 3)
    assert status(corpus, first) == status(corpus, second) == Status.TODO  # bob's, not alice's

    corpus.add_span(seeded.document_id, seeded.person, 0, 3)
    corpus.set_document_label(first, seeded.topic, True)
    assert status(corpus, seeded.document_id) == status(corpus, first) == Status.IN_PROGRESS
    assert status(corpus, first, "bob") == Status.IN_PROGRESS  # bob's own spans began his
    assert status(corpus, third) == Status.TODO


def test_relabelling_or_removing_ones_own_span_begins_it_but_not_another_layers(
    seeded: Seeded,
) -> None:
    corpus = seeded.corpus
    mine = corpus.add_span(seeded.document_id, seeded.person, 0, 3, origin=Origin.SUGGESTED)
    assert status(corpus, seeded.document_id) == Status.TODO  # a suggestion is no one's work
    corpus.set_status(seeded.document_id, Status.TODO)
    corpus.relabel_span(mine.entity_id, seeded.place)
    assert status(corpus, seeded.document_id) == Status.IN_PROGRESS

    corpus.set_status(seeded.document_id, Status.TODO)
    corpus.remove_span(mine.entity_id)
    assert status(corpus, seeded.document_id) == Status.IN_PROGRESS

    with Corpus.open(str(corpus.engine.url), annotator="bob") as bob:
        bobs = bob.add_span(seeded.document_id, seeded.person, 4, 12).entity_id
    corpus.set_status(seeded.document_id, Status.TODO)
    corpus.relabel_span(bobs, seeded.place)  # a lead correcting someone else's layer
    corpus.remove_span(bobs)
    assert status(corpus, seeded.document_id) == Status.TODO


def test_done_stays_done_and_undo_leaves_the_document_begun(seeded: Seeded) -> None:
    corpus = seeded.corpus
    added = corpus.add_span(seeded.document_id, seeded.person, 0, 3)
    history_rows = len(corpus.history())
    corpus.revert(added)
    assert corpus.span_view(seeded.document_id) == []
    assert status(corpus, seeded.document_id) == Status.IN_PROGRESS
    assert len(corpus.history()) == history_rows + 1  # the undo; no row of a status

    corpus.set_status(seeded.document_id, Status.DONE)
    corpus.add_span(seeded.document_id, seeded.person, 0, 3)
    assert status(corpus, seeded.document_id) == Status.DONE


def test_a_refused_change_begins_nothing(seeded: Seeded) -> None:
    import pytest

    from annotator.base.errors import UserError

    corpus = seeded.corpus
    with pytest.raises(UserError):
        corpus.add_span(seeded.document_id, seeded.topic, 0, 3)  # a document label on a span
    assert status(corpus, seeded.document_id) == Status.TODO
