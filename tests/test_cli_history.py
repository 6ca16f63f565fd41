"""`annotator history`, `trash`, `restore-trash` and deleting labels and documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.vocabulary import Status
from annotator.core.corpus import Corpus
from tests.core.conftest import add_document
from tests.test_cli import run

TEXT = "Kim Jong-un met the Workers' Party in Pyongyang."


@pytest.fixture
def worked(tmp_path: Path) -> tuple[str, int]:
    """A corpus where alice labelled, relabelled and finished one document."""
    db = str(tmp_path / "corpus.db")
    with Corpus.open(db, annotator="alice") as corpus:
        project_id = corpus.create_project("news").id
        assert project_id is not None
        person = corpus.add_label(project_id, "Person").entity_id
        organisation = corpus.add_label(project_id, "Organisation").entity_id
        assert person and organisation
        doc = add_document(corpus, project_id, TEXT, title="Summit")
        add_document(corpus, project_id, "Another one.", title="Other")
        party = corpus.add_span(doc, person, 0, 11).entity_id
        corpus.add_span(doc, person, 20, 34)
        assert party is not None
        corpus.relabel_span(party, organisation)
        corpus.set_status(doc, Status.DONE)
    return db, doc


def test_history_of_a_document_by_title_and_by_id(
    capsys: pytest.CaptureFixture[str], worked: tuple[str, int]
) -> None:
    db, doc = worked
    code, out, err = run(capsys, "history", "--project", "news", "--document", "Summit", "--db", db)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["when", "who", "what"]
    assert [line.split("  alice  ")[1] for line in lines[1:]] == [
        "status done",
        "relabelled 'Kim Jong-un' 0-11 from Person to Organisation",
        'added Person "Workers\' Party" 20-34',
        "added Person 'Kim Jong-un' 0-11",
    ]
    code, out, _ = run(
        capsys, "history", "--project", "news", "--document", str(doc), "--json", "--db", db
    )
    rows = json.loads(out)
    assert code == 0 and len(rows) == 4 and rows[0]["what"] == "status done"
    assert {row["annotator"] for row in rows} == {"alice"} and rows[0]["at"].endswith("+00:00")

    code, _, err = run(capsys, "history", "--project", "news", "--document", "Nope", "--db", db)
    assert code != 0 and "no document with id or title 'Nope'" in err


def test_delete_list_and_restore_a_document(
    capsys: pytest.CaptureFixture[str], worked: tuple[str, int]
) -> None:
    db, doc = worked
    code, out, err = run(capsys, "documents", "--project", "news", "--delete", str(doc), "--db", db)
    assert (code, err) == (0, "") and "moved document" in out
    code, out, _ = run(capsys, "documents", "--project", "news", "--db", db)
    assert "Summit" not in out
    code, out, _ = run(capsys, "trash", "--project", "news", "--json", "--db", db)
    [item] = json.loads(out)
    assert (item["kind"], item["name"], item["spans"], item["deleted_by"]) == (
        "document", "Summit", 2, "tester",
    )  # fmt: skip
    code, out, _ = run(capsys, "trash", "--project", "news", "--db", db)
    assert out.splitlines()[0].split()[:4] == ["id", "kind", "name", "spans"]
    assert "Summit" in out.splitlines()[1]

    code, out, err = run(capsys, "restore-trash", str(item["id"]), "--db", db)
    assert (code, err) == (0, "") and "restored document 'Summit'" in out
    code, out, _ = run(capsys, "trash", "--project", "news", "--json", "--db", db)
    assert json.loads(out) == []
    with Corpus.open(db, annotator="alice") as corpus:
        [summit] = [r for r in corpus.documents(corpus.project_id("news")) if r.title == "Summit"]
        assert (summit.spans, summit.status) == (2, "done")
    code, _, err = run(capsys, "restore-trash", str(item["id"]), "--db", db)
    assert code != 0 and "already restored" in err
    code, _, err = run(capsys, "documents", "--project", "news", "--delete", "999", "--db", db)
    assert code != 0 and "no document" in err


def test_delete_and_restore_a_label(
    capsys: pytest.CaptureFixture[str], worked: tuple[str, int]
) -> None:
    db, doc = worked
    code, out, err = run(capsys, "labels", "--project", "news", "--delete", "Person", "--db", db)
    assert (code, err) == (0, "")
    assert "moved label 'Person' and 1 spans to the trash" in out
    code, out, _ = run(capsys, "labels", "--project", "news", "--db", db)
    assert "Person" not in out and "Organisation" in out
    code, out, _ = run(capsys, "trash", "--project", "news", "--json", "--db", db)
    [item] = json.loads(out)
    run(capsys, "restore-trash", str(item["id"]), "--db", db)
    with Corpus.open(db, annotator="alice") as corpus:
        assert [s.text for s in corpus.spans(doc)] == ["Kim Jong-un", "Workers' Party"]
    code, _, err = run(capsys, "labels", "--project", "news", "--delete", "Nobody", "--db", db)
    assert code != 0 and "no label named 'Nobody'" in err
