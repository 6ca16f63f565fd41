"""The command on a full disk, read-only media or bad files: one plain line, the kind's status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.errors import BUG_EXIT_CODE, Unavailable
from annotator.cli import main
from annotator.core.corpus import Corpus
from tests.core.database_state import NoRoom, database_state, integrity_ok
from tests.core.test_full_disk import TEXT, big_file, seed

PROJECT = "news"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_plain_line(err: str) -> None:
    assert err.startswith("annotator: error: ")
    assert err.count("\n") == 1
    for word in ("Traceback", "INSERT", "[SQL", "sqlalche.me", TEXT):
        assert word not in err


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return seed(tmp_path / "corpus.db").path


def state(path: Path) -> object:
    with Corpus.open(f"sqlite:///{path}") as corpus:
        assert integrity_ok(corpus)
        return database_state(corpus)


def test_import_into_a_full_database(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    before = state(database)
    source = big_file(tmp_path)
    room = NoRoom()
    room.start()
    try:
        code, out, err = run(
            capsys, "--db", str(database), "import", str(source), "--project", PROJECT
        )
    finally:
        room.stop()
    assert code == Unavailable.DISK_FULL.exit_code == 12
    assert out == ""
    assert err == (
        f"annotator: error: the disk holding the database {database} is full; "
        "free some space and try again\n"
    )
    assert_one_plain_line(err)
    assert state(database) == before


def test_a_new_project_in_a_full_database(
    capsys: pytest.CaptureFixture[str], database: Path, no_room: NoRoom
) -> None:
    """An edit through the command: a project whose name needs more room than is left."""
    code, _, err = run(capsys, "--db", str(database), "projects", "--create", "p" * 100_000)
    no_room.stop()
    assert code == Unavailable.DISK_FULL.exit_code
    assert_one_plain_line(err)


def test_import_into_a_read_only_database(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    before = state(database)
    source = big_file(tmp_path, size=100)
    url = f"sqlite:///file:{database}?mode=ro&uri=true"
    code, _, err = run(capsys, "--db", url, "import", str(source), "--project", PROJECT)
    assert code == Unavailable.READ_ONLY.exit_code == 11
    assert err.startswith(f"annotator: error: the database {database} is read-only")
    assert_one_plain_line(err)
    assert state(database) == before


@pytest.mark.parametrize("format_name", ["csv", "jsonl"])
def test_export_to_a_place_that_takes_no_files(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path, format_name: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    output = tmp_path / "a-file" / f"out.{format_name}"
    before = state(database)
    code, _, err = run(
        capsys, "--db", str(database), "export", "--project", PROJECT,
        "--format", format_name, "-o", str(output),
    )  # fmt: skip
    assert code == 1
    assert err.startswith("annotator: error: cannot write ") and "Not a directory" in err
    assert_one_plain_line(err)
    assert state(database) == before


def test_import_of_bad_files_reports_each_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    files = {
        "deep.jsonl": "[" * 100_000 + "]" * 100_000 + "\n",
        "lone.jsonl": json.dumps({"text": "fine"}) + '\n{"text": "a\\ud800"}\n',
        "digits.jsonl": '{"text": "x", "n": ' + "1" * 9000 + "}\n",
        "binary.csv": "text\n\x00\x01\n",
        "long.txt": "word " * 1_000_000,
    }
    paths = []
    for name, content in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(content, encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"# T\n\xff\xfe\xfa body\n")
    paths.append(tmp_path / "bad.md")
    before = state(database)
    code, out, err = run(
        capsys, "--db", str(database), "import", *map(str, paths), "--project", PROJECT
    )
    assert code == 1 != BUG_EXIT_CODE
    assert f"from 0 of {len(paths)} file(s)" in out
    lines = err.splitlines()
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines, strict=True):
        assert line.startswith(f"annotator: error: {path}")
        assert "Traceback" not in line and len(line) < 300
    assert ", line 2: " in lines[1] and "surrogate" in lines[1]
    assert "nested more than" in lines[0]
    assert state(database) == before
