"""The `annotator` command without a window: exit codes, output, errors in one line, no Qt."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from tests.conftest import SAMPLES

SAMPLE_COUNT = 3


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "corpus.db")


@pytest.fixture
def annotated_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "work.jsonl"
    lines = [
        {"text": "Ada Lovelace met Charles Babbage.", "label": [[0, 12, "PER"], [17, 32, "PER"]]},
        {"text": "Paris, 😀 and שלום.", "spans": [{"start": 0, "end": 5, "label": "LOC"}]},
        {"text": "A match report.", "label": ["Sports"]},
    ]
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    return path


@pytest.fixture
def imported(capsys: pytest.CaptureFixture[str], db: str, annotated_jsonl: Path) -> str:
    code, _, _ = run(capsys, "import", str(annotated_jsonl), "--project", "news", "--db", db)
    assert code == 0
    return db


# --- import ------------------------------------------------------------------------------


def test_import_prints_a_summary_with_counts(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, err = run(capsys, "import", str(SAMPLES), "--project", "news", "--db", db)
    assert code == 0
    names = sorted(path.name for path in SAMPLES.glob("*.txt"))
    assert out.splitlines() == [
        *(f"{name} (txt, detected): 1 new document(s), 0 span(s)" for name in names),
        f"imported {SAMPLE_COUNT} document(s) and 0 span(s) from 3 of 3 file(s)",
        "skipped 0 duplicate document(s)",
        "failed: 0 file(s)",
    ]
    assert err == ""  # capsys is not a terminal: no progress bar

    code, out, _ = run(capsys, "import", str(SAMPLES), "--project", "news", "--db", db)
    assert code == 0
    assert "imported 0 document(s)" in out
    assert f"skipped {SAMPLE_COUNT} duplicate document(s)" in out


def test_import_with_spans_names_the_created_labels(
    capsys: pytest.CaptureFixture[str], db: str, annotated_jsonl: Path
) -> None:
    code, out, err = run(
        capsys, "import", str(annotated_jsonl), "--project", "news", "--db", db,
        "--annotator", "bob",
    )  # fmt: skip
    assert code == 0, out
    assert "imported 3 document(s) and 3 span(s) from 1 of 1 file(s)" in out
    assert "set 1 document label(s) and 0 status(es)" in out
    assert "created label(s): PER, LOC, Sports" in out
    assert err == ""
    code, out, _ = run(capsys, "stats", "--project", "news", "--db", db, "--json")
    assert json.loads(out)["annotators"]["bob"]["spans"] == 3


def test_import_with_a_bad_file_fails_naming_file_and_line(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": "broken\n', encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("A good one.", encoding="utf-8")
    code, out, err = run(capsys, "import", str(bad), str(good), "--project", "news", "--db", db)
    assert code != 0
    assert f"annotator: error: {bad}, line 2: not valid JSON" in err
    assert "imported 1 document(s) and 0 span(s) from 1 of 2 file(s)" in out
    assert "failed: 1 file(s)" in out
    assert "Traceback" not in out + err
    code, out, _ = run(capsys, "documents", "--project", "news", "--db", db)
    assert code == 0
    assert "good" in out and "bad" not in out


# --- export ------------------------------------------------------------------------------


def test_export_csv_writes_spans_and_document_labels(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    output = tmp_path / "out" / "spans.csv"
    output.parent.mkdir()
    code, out, err = run(
        capsys, "export", "--project", "news", "--format", "csv", "-o", str(output),
        "--db", imported,
    )  # fmt: skip
    assert code == 0, err
    companion = tmp_path / "out" / "spans.document-labels.csv"
    assert out.splitlines() == [
        f"wrote 3 span(s) to {output}",
        f"wrote 1 document label(s) to {companion}",
    ]
    assert err == ""
    with output.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["label"], r["text"]) for r in rows] == [
        ("PER", "Ada Lovelace"), ("PER", "Charles Babbage"), ("LOC", "Paris"),
    ]  # fmt: skip
    assert {r["annotator"] for r in rows} == {"tester"}  # $ANNOTATOR_ANNOTATOR
    with companion.open(encoding="utf-8", newline="") as handle:
        assert [r["label"] for r in csv.DictReader(handle)] == ["Sports"]


def test_export_csv_filters_and_excel(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    output = tmp_path / "loc.csv"
    code, out, _ = run(
        capsys, "export", "--project", "news", "--format", "csv", "-o", str(output),
        "--label", "LOC", "--excel", "--db", imported,
    )  # fmt: skip
    assert code == 0
    assert f"wrote 1 span(s) to {output}" in out
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_jsonl_writes_every_document(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    output = tmp_path / "all.jsonl"
    code, out, err = run(
        capsys, "export", "--project", "news", "--format", "jsonl", "-o", str(output),
        "--db", imported,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"wrote 3 document(s) to {output}"
    assert err == ""
    documents = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [d["text"] for d in documents][1] == "Paris, 😀 and שלום."
    assert documents[0]["annotations"][0]["annotator"] == "tester"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--annotator", "nobody"], "annotator: error: no annotator named nobody"),
        (["--label", "NOPE"], "annotator: error: no label named NOPE in this project"),
    ],
)
def test_export_with_an_unknown_filter_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
    imported: str,
    tmp_path: Path,
    extra: list[str],
    message: str,
) -> None:
    code, _, err = run(
        capsys, "export", "--project", "news", "--format", "csv",
        "-o", str(tmp_path / "x.csv"), "--db", imported, *extra,
    )  # fmt: skip
    assert code == 1
    assert err.splitlines() == [message]


def test_export_into_a_missing_folder_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    for format_name in ("csv", "jsonl"):
        output = tmp_path / "no" / "such" / f"out.{format_name}"
        code, _, err = run(
            capsys, "export", "--project", "news", "--format", format_name, "-o", str(output),
            "--db", imported,
        )  # fmt: skip
        assert code == 1
        assert err.splitlines() == [
            f"annotator: error: cannot write {output}: No such file or directory"
        ]


# --- inspecting --------------------------------------------------------------------------


def test_projects_lists_and_creates(capsys: pytest.CaptureFixture[str], imported: str) -> None:
    code, out, _ = run(capsys, "projects", "--create", "empty one", "--db", imported)
    assert (code, out) == (0, "created project 'empty one'\n")
    code, out, err = run(capsys, "projects", "--db", imported)
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        ["project", "documents", "spans", "annotators"],
        ["empty", "one", "0", "0", "0"],
        ["news", "3", "3", "1"],
    ]
    assert err == ""
    code, _, err = run(capsys, "projects", "--create", "news", "--db", imported)
    assert code == 1
    assert err.splitlines() == ["annotator: error: a project named 'news' already exists"]


def test_documents_lists_a_project(capsys: pytest.CaptureFixture[str], imported: str) -> None:
    code, out, err = run(capsys, "documents", "--project", "news", "--db", imported)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "status", "spans", "chars", "title"]
    assert [line.split()[:4] for line in lines[1:4]] == [
        ["1", "todo", "2", "33"], ["2", "todo", "1", "18"], ["3", "todo", "0", "15"],
    ]  # fmt: skip
    assert lines[4] == "0 of 3 done by tester"
    assert err == ""
    code, out, _ = run(
        capsys, "documents", "--project", "news", "--status", "done", "--db", imported
    )
    assert code == 0
    assert out.splitlines()[1:] == ["0 of 3 done by tester"]


def test_labels_lists_and_adds(capsys: pytest.CaptureFixture[str], imported: str) -> None:
    code, out, err = run(
        capsys, "labels", "--project", "news", "--add", "ORG", "--hotkey", "3",
        "--color", "#123456", "--description", "Companies", "--db", imported,
    )  # fmt: skip
    assert (code, out, err) == (0, "added span label 'ORG' on key 3\n", "")
    code, out, _ = run(
        capsys, "labels", "--project", "news", "--add", "Arts", "--kind", "document",
        "--db", imported,
    )  # fmt: skip
    assert (code, out) == (0, "added document label 'Arts'\n")
    code, out, _ = run(capsys, "labels", "--project", "news", "--db", imported)
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["label", "kind", "hotkey", "colour", "description"]
    assert [row[:2] for row in rows[1:]] == [
        ["PER", "span"], ["LOC", "span"], ["Sports", "document"], ["ORG", "span"],
        ["Arts", "document"],
    ]  # fmt: skip
    assert rows[4] == ["ORG", "span", "3", "#123456", "Companies"]
    code, _, err = run(
        capsys, "labels", "--project", "news", "--add", "GPE", "--hotkey", "3", "--db", imported
    )
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("annotator: error: ")


def label_rows(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, list[str]]:
    code, out, _ = run(capsys, "labels", "--project", "news", "--db", db)
    assert code == 0
    return {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}


def test_imported_and_added_span_labels_take_the_next_free_key(
    capsys: pytest.CaptureFixture[str], imported: str
) -> None:
    rows = label_rows(capsys, imported)
    assert (rows["PER"][1], rows["LOC"][1]) == ("1", "2")  # keyed by the import
    assert rows["Sports"][:2] == ["document", "#59a14f"]  # document labels are ticked
    code, out, _ = run(capsys, "labels", "--project", "news", "--add", "ORG", "--db", imported)
    assert (code, out) == (0, "added span label 'ORG' on key 3\n")
    code, out, _ = run(
        capsys, "labels", "--project", "news", "--add", "MISC", "--no-hotkey", "--db", imported
    )
    assert (code, out) == (0, "added span label 'MISC'\n")
    assert label_rows(capsys, imported)["MISC"][:2] == ["span", "#b07aa1"]


def test_labels_set_changes_key_colour_name_and_description(
    capsys: pytest.CaptureFixture[str], imported: str
) -> None:
    code, out, err = run(
        capsys, "labels", "--project", "news", "--set", "PER", "--hotkey", "7",
        "--color", "#abcdef", "--rename", "Person", "--description", "A named person",
        "--db", imported,
    )  # fmt: skip
    assert (code, out, err) == (0, "changed label 'PER'\n", "")
    assert label_rows(capsys, imported)["Person"] == [
        "span",
        "7",
        "#abcdef",
        "A",
        "named",
        "person",
    ]
    code, _, _ = run(
        capsys, "labels", "--project", "news", "--set", "Person", "--no-hotkey", "--db", imported
    )
    assert code == 0
    assert label_rows(capsys, imported)["Person"][:2] == ["span", "#abcdef"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--set", "LOC", "--hotkey", "1"), "hotkey '1' is already used by label 'PER'"),
        (("--set", "LOC", "--rename", "PER"), "another label is already named 'PER'"),
        (("--set", "LOC", "--color", "blue"), "a colour is written #RRGGBB"),
        (("--set", "GPE", "--hotkey", "5"), "the project has no label named 'GPE'"),
        (
            (
                "--set",
                "LOC",
            ),
            "--set needs something to change",
        ),
        (
            (
                "--rename",
                "Place",
            ),
            "--rename changes a label named by --set",
        ),
    ],
)
def test_labels_set_refuses_in_one_line(
    capsys: pytest.CaptureFixture[str], imported: str, argv: tuple[str, ...], message: str
) -> None:
    before = label_rows(capsys, imported)
    code, out, err = run(capsys, "labels", "--project", "news", *argv, "--db", imported)
    assert (code, out) == (1, "")
    assert err.startswith(f"annotator: error: {message}") and len(err.splitlines()) == 1
    assert label_rows(capsys, imported) == before


def test_stats_as_a_table_and_as_json(capsys: pytest.CaptureFixture[str], imported: str) -> None:
    code, out, err = run(capsys, "stats", "--project", "news", "--db", imported)
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "documents: 3  spans: 3"
    assert ["LOC", "1"] in [line.split() for line in lines]
    assert ["PER", "2"] in [line.split() for line in lines]
    assert ["tester", "3", "2", "0", "0"] in [line.split() for line in lines]
    code, out, _ = run(capsys, "stats", "--project", "news", "--json", "--db", imported)
    assert code == 0
    assert json.loads(out) == {
        "documents": 3,
        "spans": 3,
        "labels": {"LOC": 1, "PER": 2},
        "annotators": {
            "tester": {"spans": 3, "documents_with_spans": 2, "done": 0, "in_progress": 0}
        },
    }


# --- errors and configuration ------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["documents", "--project", "nope"],
        ["labels", "--project", "nope"],
        ["stats", "--project", "nope"],
        ["export", "--project", "nope", "--format", "csv", "-o", "unused.csv"],
    ],
)
def test_an_unknown_project_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], imported: str, argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv, "--db", imported)
    assert code == 1
    assert out == ""
    assert err.splitlines() == ["annotator: error: no project named 'nope'; projects: news"]


def test_the_database_comes_from_annotator_db(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    annotated_jsonl: Path,
) -> None:
    chosen = tmp_path / "from-env.db"
    monkeypatch.setenv("ANNOTATOR_DB", str(chosen))
    code, _, _ = run(capsys, "import", str(annotated_jsonl), "--project", "env")
    assert code == 0
    assert chosen.is_file()
    code, out, _ = run(capsys, "projects")
    assert code == 0 and "env" in out
    # --db wins over the environment.
    code, out, _ = run(capsys, "projects", "--db", str(tmp_path / "other.db"))
    assert code == 0 and "env" not in out
    monkeypatch.delenv("ANNOTATOR_DB")
    code, out, _ = run(capsys, "projects", "--db", str(chosen))
    assert "env" in out


def test_db_and_annotator_may_come_before_the_command(
    capsys: pytest.CaptureFixture[str], db: str, annotated_jsonl: Path
) -> None:
    code, out, _ = run(
        capsys, "--db", db, "--annotator", "early", "import", str(annotated_jsonl),
        "--project", "news",
    )  # fmt: skip
    assert code == 0, out
    code, out, _ = run(capsys, "--db", db, "stats", "--project", "news", "--json")
    assert code == 0
    assert list(json.loads(out)["annotators"]) == ["early"]


# --- a fresh interpreter -----------------------------------------------------------------


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=dict(os.environ), capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_python_m_annotator_cli_imports_in_a_fresh_interpreter(tmp_path: Path) -> None:
    done = _python(
        "-m", "annotator.cli", "import", str(SAMPLES), "--project", "news",
        "--db", str(tmp_path / "corpus.db"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"imported {SAMPLE_COUNT} document(s)" in done.stdout
    assert done.stderr == ""  # a pipe, not a terminal: no progress bar


def test_non_gui_commands_never_load_qt(tmp_path: Path) -> None:
    db = str(tmp_path / "corpus.db")
    output = str(tmp_path / "out.jsonl")
    script = (
        "import sys\n"
        "from annotator.cli import main\n"
        f"assert main(['import', {str(SAMPLES)!r}, '--project', 'news', '--db', {db!r}]) == 0\n"
        f"assert main(['export', '--project', 'news', '--format', 'jsonl', '-o', {output!r},"
        f" '--db', {db!r}]) == 0\n"
        f"assert main(['stats', '--project', 'news', '--db', {db!r}]) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "assert not loaded, loaded\n"
        "assert 'annotator.gui' not in sys.modules\n"
    )
    done = _python("-c", script, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout


# --- agreement and merge -------------------------------------------------------------------


def _two_annotators(db: str, tmp_path: Path) -> None:
    from annotator.core.corpus import Corpus

    source = tmp_path / "two.jsonl"
    source.write_text('{"text": "Ada Lovelace met Charles Babbage in London."}\n', encoding="utf-8")
    for who, spans in (("alice", [(0, 12, "PER"), (36, 42, "LOC")]),
                       ("bob", [(0, 12, "PER"), (17, 32, "PER")])):  # fmt: skip
        line = {"text": "Ada Lovelace met Charles Babbage in London.",
                "label": [[s, e, label] for s, e, label in spans]}  # fmt: skip
        source.write_text(json.dumps(line) + "\n", encoding="utf-8")
        assert main(["import", str(source), "--project", "news", "--db", db,
                     "--annotator", who]) == 0  # fmt: skip
    with Corpus.open(db) as corpus:
        assert set(corpus.annotators()) == {"alice", "bob"}


def test_agreement_prints_a_report_and_json(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    _two_annotators(db, tmp_path)
    capsys.readouterr()
    code, out, _ = run(capsys, "agreement", "--project", "news", "--db", db, "--json")
    assert code == 0
    report = json.loads(out)
    [pair] = report["pairs"]
    assert (pair["a"], pair["b"]) == ("alice", "bob")
    assert pair["exact_f1"]["overall"]["f1"] == 0.5  # 1 shared of 2 + 2
    assert "unitizing_alpha" in report["caveats"]
    code, out, _ = run(capsys, "agreement", "--project", "news", "--db", db)
    assert code == 0 and "alice" in out and "bob" in out
    code, _, err = run(capsys, "agreement", "--project", "news", "--db", db,
                       "--annotators", "alice", "nobody")  # fmt: skip
    assert code == 1 and "nobody" in err


def test_merge_command_is_idempotent(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    _two_annotators(db, tmp_path)
    target = str(tmp_path / "lead.db")
    capsys.readouterr()
    code, out, _ = run(capsys, "merge", db, "--db", target)
    assert code == 0 and "imported 1 document(s) and 4 span(s)" in out
    code, out, _ = run(capsys, "merge", db, "--db", target)
    assert code == 0 and "imported 0 document(s) and 0 span(s)" in out
    code, _, err = run(capsys, "merge", str(tmp_path / "missing.db"), "--db", target)
    assert code == 1 and "no such database file" in err


def test_the_report_names_a_file_it_could_not_read_without_a_format(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    unknown = tmp_path / "scan.pdf"
    unknown.write_bytes(b"%PDF-1.7")
    code, out, err = run(
        capsys, "import", str(tmp_path / "missing.ann"), str(unknown), "--project", "p",
        "--db", db,
    )  # fmt: skip
    assert code == 1
    assert out.splitlines()[:2] == [
        "missing.ann: not imported: no such file or folder",
        "scan.pdf: not imported: unknown file type .pdf; use --format with one of "
        "txt, md, jsonl, csv, doccano, prodigy, labelstudio, brat, conll, spacy",
    ]
    assert f"{unknown}: unknown file type .pdf" in err
