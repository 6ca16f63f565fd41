"""`annotator suggest`: corpus forms and pattern files written as pending suggestions,
--evaluate's table with its counts, and bad pattern files refused before anything is
written."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.base.errors import UserError
from annotator.base.vocabulary import Status, SuggestionSource
from annotator.cli_suggest import model_suggester
from annotator.core.corpus import Corpus
from annotator.core.suggestions import store
from tests.conftest import REPO
from tests.test_cli import run

TEXTS = [
    "Ada Lovelace met Charles Babbage in London.",
    "Later Ada Lovelace wrote about London and Paris.",
    "Babbage visited London; Ada Lovelace stayed.",
]
SPANS = [
    [[0, 12, "PER"], [36, 42, "LOC"]],
    [],
    [[0, 7, "PER"], [16, 22, "LOC"]],
]


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    path = tmp_path / "work.jsonl"
    path.write_text(
        "".join(
            json.dumps({"text": t, "label": s}) + "\n" for t, s in zip(TEXTS, SPANS, strict=True)
        ),
        encoding="utf-8",
    )
    database = str(tmp_path / "corpus.db")
    code, out, err = run(
        capsys, "import", str(path), "--project", "news", "--db", database, "--annotator", "alice"
    )
    assert code == 0, out + err
    return database


def _pending(db: str) -> dict[int, set[tuple[str, str, str | None]]]:
    """document index → (text, label, source) of alice's pending suggestions."""
    with Corpus.open(db, annotator="alice") as corpus:
        project_id = corpus.project_id("news")
        labels = {label.id: label.name for label in corpus.labels(project_id)}
        found = {}
        for index, row in enumerate(corpus.documents(project_id)):
            text = corpus.document(row.id).text
            found[index] = {
                (text[s.start : s.end], labels[s.label_id], s.source)
                for s in store.pending(corpus, row.id)
            }
        return found


def _mark_done(db: str, *indexes: int) -> None:
    with Corpus.open(db, annotator="alice") as corpus:
        rows = corpus.documents(corpus.project_id("news"))
        for index in indexes:
            corpus.set_status(rows[index].id, Status.DONE)


def test_corpus_forms_become_pending_suggestions(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    _mark_done(db, 2)
    code, out, err = run(capsys, "suggest", "--project", "news", "--db", db, "--annotator", "alice")
    assert code == 0, err
    corpus = SuggestionSource.CORPUS.value
    # Document 2 is done: left alone. Document 0 gets Babbage, its other spans are there.
    assert _pending(db) == {
        0: {("Babbage", "PER", corpus)},
        1: {("Ada Lovelace", "PER", corpus), ("London", "LOC", corpus)},
        2: set(),
    }
    assert out.splitlines()[0] == "Suggested 3 spans in 2 documents."
    assert "  corpus: PER 2" in out.splitlines()

    # Someone else's layer gets nothing from alice's forms: bob labelled nothing.
    code, out, _ = run(capsys, "suggest", "--project", "news", "--db", db, "--annotator", "bob")
    assert code == 0 and out.splitlines()[0] == "Suggested 0 spans in 3 documents."

    code, out, _ = run(
        capsys, "suggest", "--project", "news", "--db", db, "--annotator", "alice", "--clear"
    )
    assert code == 0 and out.splitlines() == ["Removed 3 pending suggestions."]
    assert all(not found for found in _pending(db).values())


def test_patterns_from_an_entity_ruler_file_and_a_gazetteer(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    ruler = tmp_path / "ruler.jsonl"
    ruler.write_text(
        json.dumps({"label": "LOC", "pattern": "Paris"}) + "\n"
        + json.dumps({"label": "PER", "pattern": [{"LOWER": "charles"}, {"LOWER": "babbage"}]})
        + "\n",
        encoding="utf-8",
    )  # fmt: skip
    gazetteer = tmp_path / "PER.txt"
    gazetteer.write_text("lovelace\nLondon\tLOC\n", encoding="utf-8")
    code, out, err = run(
        capsys, "suggest", "--project", "news", "--db", db, "--annotator", "alice",
        "--patterns", str(ruler), "--patterns", str(gazetteer), "--case-insensitive",
    )  # fmt: skip
    assert code == 0, err
    patterns = SuggestionSource.PATTERNS.value
    assert _pending(db) == {
        # "Charles Babbage" by the token pattern; Lovelace and London lie in alice's spans.
        0: {("Charles Babbage", "PER", patterns)},
        1: {("Lovelace", "PER", patterns), ("London", "LOC", patterns),
            ("Paris", "LOC", patterns)},
        2: {("Lovelace", "PER", patterns)},
    }  # fmt: skip
    assert out.splitlines()[0] == "Suggested 5 spans in 3 documents."
    assert "corpus" not in out  # the patterns alone, once given

    # --clear with a source named: that source's pending ones go, then it runs again.
    code, out, _ = run(
        capsys, "suggest", "--project", "news", "--db", db, "--annotator", "alice",
        "--patterns", str(gazetteer), "--clear",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[:2] == [
        "Removed 5 pending suggestions.",
        "Suggested 1 span in 3 documents.",  # case counts now: London, not lovelace
    ]


def test_evaluate_prints_precision_recall_and_f1_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    _mark_done(db, 0, 2)
    gazetteer = tmp_path / "LOC.txt"
    gazetteer.write_text("London\nAtlantis\n", encoding="utf-8")
    code, out, err = run(
        capsys, "suggest", "--project", "news", "--db", db, "--annotator", "alice",
        "--corpus", "--patterns", str(gazetteer), "--evaluate",
    )  # fmt: skip
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()]
    assert out.splitlines()[0] == "Against alice's done documents, 2 documents:"
    assert rows[1] == ["source", "label", "tp", "fp", "fn", "P", "R", "F1"]
    # Each done document is measured with the forms of the other one (held out): in the
    # first, London is found, "Babbage" (inside "Charles Babbage", not labelled there) is
    # extra and Ada Lovelace is missed; in the second, the other way round.
    assert rows[3:] == [
        ["corpus", "LOC", "2", "0", "0", "1.000", "1.000", "1.000"],
        ["corpus", "PER", "0", "2", "2", "0.000", "0.000", "0.000"],
        ["corpus", "(all)", "2", "2", "2", "0.500", "0.500", "0.500"],
        ["patterns", "LOC", "2", "0", "0", "1.000", "1.000", "1.000"],
        ["patterns", "PER", "0", "0", "2", "0.000", "0.000", "0.000"],
        ["patterns", "(all)", "2", "0", "2", "1.000", "0.500", "0.667"],
        ["(all)", "(all)", "2", "2", "2", "0.500", "0.500", "0.500"],
    ]
    assert all(not found for found in _pending(db).values())


@pytest.mark.parametrize(
    ("name", "content", "line", "reason"),
    [
        ("ruler.jsonl", '{"label": "LOC", "pattern": "Paris"}\n{"label": "LOC", "pat', 2,
         "not a JSON object"),
        ("ruler.jsonl", '\n{"pattern": "Paris"}\n', 2, 'no "label"'),
        ("ruler.jsonl", '{"label": "LOC", "pattern": 3}\n', 1, 'no "pattern"'),
        ("names.txt", "Paris\n\tLOC\n", 2, "entry<TAB>label"),
        ("names.txt", "Paris\nLond\xc3on\n", 2, "not valid UTF-8"),
        ("names.txt", "Paris\x00\n", 1, "binary"),
    ],
)  # fmt: skip
def test_a_bad_pattern_file_is_named_with_its_line_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path,
    name: str, content: str, line: int, reason: str,
) -> None:  # fmt: skip
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if "\xc3" in content else content.encode())
    code, out, err = run(
        capsys, "suggest", "--project", "news", "--db", db, "--annotator", "alice",
        "--patterns", str(path),
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.startswith(f"annotator: error: {path}, line {line}: ")
    assert reason in err
    assert all(not found for found in _pending(db).values())


def test_a_missing_pattern_file_is_named(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.jsonl"
    code, _, err = run(
        capsys, "suggest", "--project", "news", "--db", db, "--patterns", str(missing)
    )
    assert code == 1 and err.strip() == f"annotator: error: {missing}: no such pattern file"


def test_the_model_source_missing_says_what_to_install(db: str) -> None:
    needs = r"the model source needs annotator\[ml\]"
    with Corpus.open(db, annotator="alice") as corpus, pytest.raises(UserError, match=needs):
        model_suggester(corpus, corpus.project_id("news"), "annotator.core.no_such_model")


@pytest.fixture
def news_db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    """40 generated documents alice marked done, 10 she has not (imported without spans)."""
    from annotator.core.generated_news import generate

    documents = generate(50, seed=11)
    path = tmp_path / "news.jsonl"
    path.write_text(
        "".join(json.dumps(d.as_record()) + "\n" for d in documents[:40])
        + "".join(json.dumps({"text": d.text}) + "\n" for d in documents[40:]),
        encoding="utf-8",
    )
    database = str(tmp_path / "news.db")
    code, out, err = run(
        capsys, "import", str(path), "--project", "news", "--db", database, "--annotator", "alice"
    )
    assert code == 0, out + err
    _mark_done(database, *range(40))
    return database


def _model_pending(db: str) -> list[tuple[str, float | None]]:
    with Corpus.open(db, annotator="alice") as corpus:
        rows = corpus.documents(corpus.project_id("news"))
        return [(s.source or "", s.score) for row in rows for s in store.pending(corpus, row.id)]


def test_model_trains_when_there_is_none_then_suggests_in_the_documents_not_done(
    capsys: pytest.CaptureFixture[str], news_db: str
) -> None:
    suggest = ("suggest", "--project", "news", "--db", news_db, "--annotator", "alice", "--model")
    code, out, err = run(capsys, *suggest)
    assert code == 0, err
    assert "Training the model (there is no model yet):" in err
    # 40 documents are few: more passes over them (45), so the model still learns.
    assert re.search(r"epoch 45/45: loss [0-9.]+ \(100%\)", err), err
    assert "Trained on 40 documents (alice's done documents)" in err
    lines = out.splitlines()
    assert re.fullmatch(r"Suggested [0-9]+ spans in 10 documents\.", lines[0]), out
    assert any(line.startswith("  model: PER ") for line in lines)
    pending = _model_pending(news_db)
    assert pending and {source for source, _ in pending} == {SuggestionSource.MODEL.value}
    assert all(score is not None and 0 < score <= 1 for _, score in pending)

    # The model is current: the next run uses it as it is; --retrain trains it again.
    code, _, err = run(capsys, *suggest, "--clear")
    assert code == 0 and "Training" not in err
    code, _, err = run(capsys, *suggest, "--retrain", "--clear")
    assert code == 0 and "Training the model (asked to retrain):" in err

    # A damaged model is named, with what to do, and nothing is written.
    from annotator.core.suggestions.model import PIPELINE, model_folder

    with Corpus.open(news_db, annotator="alice") as corpus:
        folder = model_folder(corpus, corpus.project_id("news"))
    (folder / PIPELINE / "ner" / "model").write_bytes(b"damaged")
    before = _model_pending(news_db)
    code, out, err = run(capsys, *suggest)
    assert code == 1 and out == ""
    assert err.startswith(f"annotator: error: {folder / PIPELINE}: the model cannot be loaded")
    assert "retrain it (annotator suggest --model --retrain)" in err
    assert _model_pending(news_db) == before


def test_evaluate_model_measures_on_done_documents_it_did_not_learn_from(
    capsys: pytest.CaptureFixture[str], news_db: str
) -> None:
    code, out, err = run(
        capsys, "suggest", "--project", "news", "--db", news_db, "--annotator", "alice",
        "--model", "--evaluate",
    )  # fmt: skip
    assert code == 0, err
    assert "Trained on 32 documents" in err  # 8 of the 40 held out
    lines = out.splitlines()
    assert lines[0] == (
        "Against alice's done documents held out from the model's training, 8 documents:"
    )
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[3:]}
    assert set(rows) >= {("model", "PER"), ("model", "(all)"), ("(all)", "(all)")}
    # Trained from scratch on 32 short documents, it already finds most unseen names.
    assert float(rows[("model", "(all)")][-1]) >= 0.8, out
    assert _model_pending(news_db) == []  # nothing written, no model kept
    with Corpus.open(news_db, annotator="alice") as corpus:
        from annotator.core.suggestions.model import needs_training

        assert needs_training(corpus, corpus.project_id("news")) == "there is no model yet"


def test_ctrl_c_during_training_stops_it_and_keeps_no_model(news_db: str) -> None:
    command = [
        sys.executable, "-m", "annotator.cli", "suggest", "--project", "news", "--db", news_db,
        "--annotator", "alice", "--model",
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, env=environment, start_new_session=True
    ) as process:
        assert process.stderr is not None
        while "epoch 1/" not in (line := process.stderr.readline()):  # training under way
            assert line, "training never reported progress"
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl+C: the whole group gets it
        rest = process.stderr.read()
        assert process.wait(timeout=60) == 130
        assert "Training cancelled; the previous model, if any, is kept." in rest
        assert "annotator: interrupted" in rest and "Traceback" not in rest
    with Corpus.open(news_db, annotator="alice") as corpus:
        from annotator.core.suggestions.model import needs_training

        assert needs_training(corpus, corpus.project_id("news")) == "there is no model yet"
    assert _model_pending(news_db) == []


def test_without_spacy_the_model_source_says_what_to_install(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "annotator.core.suggestions.model", raising=False)
    needs = r"the model source needs annotator\[ml\] .*No module named 'spacy'"
    with Corpus.open(db, annotator="alice") as corpus, pytest.raises(UserError, match=needs):
        model_suggester(corpus, corpus.project_id("news"))
