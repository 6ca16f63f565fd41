"""The command line never writes over a database; `annotator backup` and `annotator restore`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import run


@pytest.fixture
def imported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    """A corpus of three documents, one span in each, all the window would show."""
    source = tmp_path / "work.jsonl"
    source.write_text(
        "".join(
            json.dumps({"text": f"{n}: Ada met Charles.", "label": [[3, 6, "PER"]]}) + "\n"
            for n in range(3)
        ),
        encoding="utf-8",
    )
    database = str(tmp_path / "corpus.db")
    code, _, _ = run(capsys, "import", str(source), "--project", "news", "--db", database)
    assert code == 0
    return database


def _counts(path: Path) -> tuple[int, ...]:
    with sqlite3.connect(path) as connection:
        counts = tuple(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("project", "document", "span", "document_label", "label")
        )
    connection.close()
    return counts


def _state(path: Path) -> tuple[bytes, tuple[int, ...]]:
    return path.read_bytes(), _counts(path)


def test_the_export_typo_over_the_database_is_refused_and_the_corpus_kept(
    capsys: pytest.CaptureFixture[str], imported: str
) -> None:
    database = Path(imported)
    before = _state(database)
    assert before[1][1] == 3  # three documents to lose
    for format_name in ("csv", "jsonl"):
        code, out, err = run(
            capsys, "--db", imported, "export", "--project", "news", "--format", format_name,
            "-o", imported,
        )  # fmt: skip
        assert code == 1
        assert out == ""
        assert err == f"annotator: error: refusing to write {imported}: it is the open database\n"
        assert _state(database) == before
    code, out, _ = run(capsys, "--db", imported, "projects")
    assert code == 0
    assert out.splitlines()[1].split() == ["news", "3", "3", "1"]


def test_the_wal_and_other_databases_are_refused_as_outputs(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    database = Path(imported)
    before = _state(database)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE precious (x)")
        connection.execute("INSERT INTO precious VALUES (1)")
    connection.close()
    kept = other.read_bytes()
    attempts = [
        ("export", "--format", "csv", "-o", f"{imported}-wal"),
        ("export", "--format", "jsonl", "-o", f"{imported}-journal"),
        ("export", "--format", "csv", "-o", str(other)),
        ("review-log", "-o", imported),
        ("review-log", "-o", str(other)),
        ("feedback", "--annotator", "tester", "-o", str(other.with_suffix(".html"))),
    ]
    other.with_suffix(".html").write_bytes(kept)
    for command, *options in attempts:
        code, _, err = run(capsys, command, "--project", "news", *options, "--db", imported)
        assert code == 1, (command, options)
        assert err.startswith(f"annotator: error: refusing to write {options[-1]}"), err
    assert _state(database) == before
    assert other.read_bytes() == kept
    assert other.with_suffix(".html").read_bytes() == kept
    assert not Path(f"{imported}-wal").exists()
    assert not Path(f"{imported}-journal").exists()


def test_a_failed_export_keeps_the_previous_file(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    output = tmp_path / "out.csv"
    output.write_bytes(b"last week's export\r\n")
    code, _, err = run(
        capsys, "export", "--project", "nonesuch", "--format", "csv", "-o", str(output),
        "--db", imported,
    )  # fmt: skip
    assert code == 1 and "nonesuch" in err
    assert output.read_bytes() == b"last week's export\r\n"
    code, out, _ = run(
        capsys, "export", "--project", "news", "--format", "csv", "-o", str(output),
        "--db", imported,
    )  # fmt: skip
    assert code == 0 and "wrote 3 span(s)" in out
    assert output.read_text(encoding="utf-8").startswith("span_id,")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_backup_into_the_backups_folder_and_to_a_path(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    database = Path(imported)
    code, out, err = run(capsys, "backup", "--db", imported)
    assert (code, err) == (0, "")
    (made,) = (tmp_path / "backups").glob("corpus.db.manual.*.bak")
    assert out == f"copied {database} to {made}\n"
    assert _counts(made) == _counts(database)

    target = tmp_path / "safe.db"
    code, out, _ = run(capsys, "backup", "--to", str(target), "--db", imported)
    assert code == 0 and _counts(target) == _counts(database)
    kept = target.read_bytes()
    code, out, err = run(capsys, "backup", "--to", str(target), "--db", imported)
    assert code == 1
    assert err == f"annotator: error: {target} already exists; a backup never overwrites a file\n"
    assert target.read_bytes() == kept


def test_restore_without_yes_changes_nothing_and_with_yes_replaces_keeping_a_copy(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    database = Path(imported)
    saved = tmp_path / "monday.db"
    assert run(capsys, "backup", "--to", str(saved), "--db", imported)[0] == 0
    assert run(capsys, "projects", "--create", "tuesday", "--db", imported)[0] == 0
    before = _state(database)

    code, out, err = run(capsys, "restore", str(saved), "--db", imported)
    assert code == 1
    assert out.startswith(f"would replace {database} (")
    assert "run again with --yes" in err
    assert _state(database) == before

    code, out, err = run(capsys, "restore", str(saved), "--yes", "--db", imported)
    assert (code, err) == (0, "")
    (kept,) = (tmp_path / "backups").glob("corpus.db.before-restore.*.bak")
    assert out.splitlines() == [
        f"restored {database} from {saved}",
        f"the database it replaced is kept as {kept}",
    ]
    assert _counts(database) == _counts(saved)
    assert _counts(kept) == before[1]
    code, out, _ = run(capsys, "projects", "--db", imported)
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["news"]


def test_restore_refuses_a_file_that_is_not_a_database(
    capsys: pytest.CaptureFixture[str], imported: str, tmp_path: Path
) -> None:
    database = Path(imported)
    before = _state(database)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    code, out, err = run(capsys, "restore", str(notes), "--yes", "--db", imported)
    assert (code, out) == (1, "")
    assert err == f"annotator: error: {notes} is not a SQLite database; nothing was restored\n"
    assert _state(database) == before
    assert not (tmp_path / "backups").exists() or not list(
        (tmp_path / "backups").glob("*before-restore*")
    )


@pytest.mark.parametrize("command", [("backup",), ("restore", "copy.db", "--yes")])
def test_backup_and_restore_point_a_server_database_to_its_own_tools(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    url = "postgresql://someone:secret@db.example.org/corpus"
    code, out, err = run(capsys, *command, "--db", url)
    assert (code, out) == (1, "")
    assert f"annotator {command[0]} is for SQLite files" in err
    assert "pg_dump" in err
    assert "secret" not in err
