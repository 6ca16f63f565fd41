"""Files annotator writes never destroy anything: refused targets, temp file then rename."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from annotator.base.errors import UserError
from annotator.base.safe_files import atomic_output, atomic_path, refuse_database_target
from annotator.base.vocabulary import ExportFormat
from annotator.core import exporting
from annotator.core.corpus import Corpus
from annotator.core.review import DECISION_COLUMNS
from annotator.formats import csv_export
from annotator.formats.registry import FORMATS
from tests.core.conftest import SEED_TEXT, add_document

OLD = b"the export of last week\r\n"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "corpus.db"


def _seed(corpus: Corpus) -> int:
    """A project of three documents and a span in each."""
    project = corpus.create_project("news")
    assert project.id is not None
    person = corpus.add_label(project.id, "PER").entity_id
    assert person is not None
    for number in range(3):
        document_id = add_document(corpus, project.id, f"{number} {SEED_TEXT}")
        corpus.add_span(document_id, person, 2, 14)
    return project.id


@pytest.fixture
def work(database: Path) -> Iterator[tuple[Corpus, int]]:
    """A SQLite file, for what an export must never overwrite: the open database itself."""
    with Corpus.open(str(database), annotator="alice") as corpus:
        yield corpus, _seed(corpus)


@pytest.fixture
def exported(corpus: Corpus) -> tuple[Corpus, int]:
    """The same work on each backend, for how an export writes its files."""
    return corpus, _seed(corpus)


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def _snapshot(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM span), (SELECT count(*) FROM document)"
        ).fetchone()
    connection.close()
    return counts


# --- the module on its own ------------------------------------------------------------------


def test_a_complete_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(OLD)
    with atomic_output(target, newline="") as out:
        out.write("new\r\n")
        assert target.read_bytes() == OLD  # nothing at the path changes while writing
    assert target.read_bytes() == b"new\r\n"
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError), atomic_output(target) as out:
        out.write("half of it")
        raise RuntimeError("the disk is full")
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_failed_first_write_leaves_no_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temp:
        temp.write_text("partial")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_exports_keep_usual_permissions_and_private_copies_are_the_users_alone(
    tmp_path: Path,
) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    previous = os.umask(0o022)
    try:
        with atomic_output(tmp_path / "export.csv") as out:
            out.write("x")
        with atomic_output(tmp_path / "copy.bak", mode="wb", private=True) as raw:
            raw.write(b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "export.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "copy.bak").stat().st_mode) == 0o600


def test_without_overwrite_an_existing_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "copy.bak"
    target.write_bytes(OLD)
    with (
        pytest.raises(UserError, match="already exists"),
        atomic_path(target, overwrite=False) as temp,
    ):
        temp.write_bytes(b"new")
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_an_error_names_the_file_asked_for_not_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.csv"
    with pytest.raises(FileNotFoundError) as raised, atomic_output(target):
        pass
    assert raised.value.filename == str(target)


def test_database_files_are_refused_and_ordinary_ones_are_not(tmp_path: Path) -> None:
    database = tmp_path / "corpus.db"
    sqlite3.connect(database).close()  # an empty SQLite file has no header yet
    with pytest.raises(UserError, match="it is the open database"):
        refuse_database_target(database, database)
    for sidecar in ("corpus.db-wal", "corpus.db-shm", "corpus.db-journal"):
        with pytest.raises(UserError, match=re.escape(sidecar)):
            refuse_database_target(tmp_path / sidecar, database)
    other = tmp_path / "notes.csv"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(UserError, match=re.escape("notes.csv: it is a SQLite database")):
        refuse_database_target(other, None)
    with pytest.raises(UserError, match="belongs to the database"):
        refuse_database_target(tmp_path / "notes.csv-wal", None)
    (tmp_path / "plain.csv").write_text("a,b\n")
    refuse_database_target(tmp_path / "plain.csv", database)
    refuse_database_target(tmp_path / "new.csv", database)
    refuse_database_target(tmp_path / "research-journal", database)  # no database of that name


def test_the_open_database_is_refused_through_another_name(tmp_path: Path) -> None:
    database = tmp_path / "corpus.db"
    database.write_bytes(b"")
    (tmp_path / "link.db").symlink_to(database)
    with pytest.raises(UserError, match="open database"):
        refuse_database_target(tmp_path / "sub" / ".." / "link.db", database)


# --- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", list(ExportFormat))
def test_exporting_over_the_open_database_is_refused(
    work: tuple[Corpus, int], database: Path, format_name: str
) -> None:
    corpus, project_id = work
    before = database.read_bytes(), _snapshot(database)
    for target in (database, database.with_name("corpus.db-wal")):
        with pytest.raises(UserError, match=re.escape(str(target))):
            exporting.export_project(corpus, project_id, format_name=format_name, output=target)
    assert (database.read_bytes(), _snapshot(database)) == before
    assert _snapshot(database) == (3, 3)


def test_a_csv_whose_companion_would_be_a_database_is_refused_whole(
    exported: tuple[Corpus, int], tmp_path: Path
) -> None:
    corpus, project_id = exported
    companion = tmp_path / "spans.document-labels.csv"
    sqlite3.connect(companion).execute("CREATE TABLE t (x)").connection.close()
    kept = companion.read_bytes()
    with pytest.raises(UserError, match=re.escape("spans.document-labels.csv")):
        exporting.export_project(
            corpus, project_id, format_name=ExportFormat.CSV, output=tmp_path / "spans.csv"
        )
    assert not (tmp_path / "spans.csv").exists()  # refused before anything was opened
    assert companion.read_bytes() == kept


def test_an_export_failing_midway_leaves_the_old_files_byte_identical(
    exported: tuple[Corpus, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, project_id = exported
    output = tmp_path / "spans.csv"
    companion = csv_export.companion_path(output, "document-labels")
    output.write_bytes(OLD)
    companion.write_bytes(OLD + b"labels")
    write_rows = csv_export.write_rows

    def failing(out: Any, header: Sequence[str], rows: Iterable[Any], **kwargs: Any) -> int:
        def two_then_fail() -> Iterator[Any]:
            for number, row in enumerate(rows):
                if number == 2:
                    raise OSError(28, "No space left on device")
                yield row

        return write_rows(out, header, two_then_fail(), chunk=1, **kwargs)

    monkeypatch.setattr(csv_export, "write_rows", failing)
    with pytest.raises(UserError, match="No space left on device"):
        exporting.export_project(corpus, project_id, format_name=ExportFormat.CSV, output=output)
    assert output.read_bytes() == OLD
    assert companion.read_bytes() == OLD + b"labels"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("format_name", list(ExportFormat))
def test_a_cancelled_export_leaves_the_old_file_and_no_temp_file(
    exported: tuple[Corpus, int], tmp_path: Path, format_name: str
) -> None:
    corpus, project_id = exported
    output = tmp_path / f"out.{format_name}"
    folder = FORMATS[format_name].folder  # written whole as a new folder, never over files
    if not folder:
        output.write_bytes(OLD)
    seen: list[int] = []

    def cancel(done: int, _total: int) -> bool:
        seen.append(done)
        return False

    with pytest.raises(exporting.ExportCancelled):
        exporting.export_project(
            corpus, project_id, format_name=format_name, output=output, on_progress=cancel
        )
    assert seen  # the cancel came through the progress callback
    if folder:
        assert not output.exists()
    else:
        assert output.read_bytes() == OLD
    assert _leftovers(tmp_path) == []
    assert not csv_export.companion_path(output, "document-labels").exists()


def test_a_cancelled_first_export_leaves_no_file(
    exported: tuple[Corpus, int], tmp_path: Path
) -> None:
    corpus, project_id = exported
    output = tmp_path / "first.csv"
    with pytest.raises(exporting.ExportCancelled):
        exporting.export_project(
            corpus, project_id, format_name=ExportFormat.CSV, output=output,
            on_progress=lambda _done, _total: False,
        )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("corpus.db")) == []


def test_a_successful_export_replaces_both_files(
    exported: tuple[Corpus, int], tmp_path: Path
) -> None:
    corpus, project_id = exported
    output = tmp_path / "spans.csv"
    companion = csv_export.companion_path(output, "document-labels")
    output.write_bytes(OLD)
    companion.write_bytes(OLD)
    report = exporting.export_project(
        corpus, project_id, format_name=ExportFormat.CSV, output=output
    )
    assert report.rows == 3
    assert report.files == (output, companion)
    assert output.read_text(encoding="utf-8").splitlines()[0].startswith("span_id,")
    assert companion.read_text(encoding="utf-8").startswith("document_id,")
    assert _leftovers(tmp_path) == []


def test_review_log_and_feedback_refuse_the_database_and_write_safely(
    work: tuple[Corpus, int], database: Path, tmp_path: Path
) -> None:
    corpus, project_id = work
    before = database.read_bytes()
    with pytest.raises(UserError, match="open database"):
        exporting.write_review_log(corpus, project_id, database, excel=False)
    for suffix in ("csv", "html"):
        with pytest.raises(UserError, match="open database"):
            exporting.write_feedback(corpus, project_id, "alice", database)
        with pytest.raises(UserError, match="belongs to the open database"):
            exporting.write_feedback(corpus, project_id, "alice", Path(f"{database}-shm"))
        report = tmp_path / f"feedback.{suffix}"
        report.write_bytes(OLD)
        assert exporting.write_feedback(corpus, project_id, "alice", report) == 0
        assert report.read_bytes() != OLD
    assert database.read_bytes() == before
    log = tmp_path / "decisions.csv"
    assert exporting.write_review_log(corpus, project_id, log, excel=False) == 0
    assert log.read_text(encoding="utf-8").splitlines() == [",".join(DECISION_COLUMNS)]
    assert _leftovers(tmp_path) == []
