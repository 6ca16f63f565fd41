"""A full disk or read-only media: a plain error, the database as it was and still sound.

SQLite's `max_page_count` makes the database full for real (SQLite raises SQLITE_FULL
exactly as on a full disk); `mode=ro` opens it read-only in SQLite itself, which file
permissions would not do for root. Where a small tmpfs can be mounted (as root), the
same happens on a truly full file system.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotator.base.errors import DatabaseUnavailable, Unavailable, UserError
from annotator.base.vocabulary import ExportFormat, LabelKind
from annotator.core.corpus import Corpus
from annotator.core.exporting import export_project
from annotator.core.importing import import_paths
from tests.core.database_state import NoRoom, database_state, integrity_ok

PROJECT = "news"
TEXT = "Ada Lovelace met Charles Babbage in London."


@dataclass(frozen=True)
class Seeded:
    path: Path
    project_id: int
    label_id: int
    document_id: int


def seed(path: Path) -> Seeded:
    """A corpus with a project, a span label and one document."""
    with Corpus.open(f"sqlite:///{path}", annotator="alice") as corpus:
        project = corpus.create_project(PROJECT)
        assert project.id is not None
        label = corpus.add_label(project.id, "PER", kind=LabelKind.SPAN)
        assert label.entity_id is not None
        source = path.parent / "seed.jsonl"
        source.write_text(json.dumps({"text": TEXT}) + "\n", encoding="utf-8")
        assert import_paths(corpus, [source], project=PROJECT).documents == 1
        (row,) = corpus.documents(project.id)
        corpus.annotator_id()  # alice is known before the disk fills
        return Seeded(path, project.id, label.entity_id, row.id)


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "corpus.db")


def big_file(folder: Path, name: str = "big.txt", size: int = 300_000) -> Path:
    """A new article too long for the pages the database has free."""
    path = folder / name
    path.write_text(("A sentence of a long new article. " * (size // 34 + 1))[:size], "utf-8")
    return path


def assert_full(error: DatabaseUnavailable, where: Path) -> None:
    assert error.kind is Unavailable.DISK_FULL and error.exit_code == 12
    assert (
        str(error)
        == f"the disk holding the database {where} is full; free some space and try again"
    )


# --- the database is full ------------------------------------------------------------------------


def test_an_import_into_a_full_database(seeded: Seeded, no_room: NoRoom, tmp_path: Path) -> None:
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        before = database_state(corpus)
        with pytest.raises(DatabaseUnavailable) as caught:
            import_paths(corpus, [big_file(tmp_path)], project=PROJECT)
        assert_full(caught.value, seeded.path)
        assert database_state(corpus) == before
        assert integrity_ok(corpus)


def test_an_import_of_many_files_into_a_full_database(
    seeded: Seeded, no_room: NoRoom, tmp_path: Path
) -> None:
    """The batch of plain files is refused whole: no file would fare better alone."""
    files = [big_file(tmp_path, f"{n}.txt", 20_000 + n) for n in range(20)]
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        before = database_state(corpus)
        with pytest.raises(DatabaseUnavailable) as caught:
            import_paths(corpus, files, project=PROJECT)
        assert_full(caught.value, seeded.path)
        assert database_state(corpus) == before
        assert integrity_ok(corpus)


def test_an_edit_in_a_full_database(seeded: Seeded, no_room: NoRoom) -> None:
    note = "n" * 200_000  # the new span needs pages of its own
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        before = database_state(corpus)
        with pytest.raises(DatabaseUnavailable) as caught:
            corpus.add_span(seeded.document_id, seeded.label_id, 0, 12, note=note)
        assert_full(caught.value, seeded.path)
        assert database_state(corpus) == before
        assert integrity_ok(corpus)
    no_room.stop()
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        corpus.add_span(seeded.document_id, seeded.label_id, 0, 12, note=note)
        (span,) = corpus.spans(seeded.document_id)
        assert (span.start, span.end, span.note) == (0, 12, note)


def test_small_edits_still_fit_in_a_full_database(seeded: Seeded, no_room: NoRoom) -> None:
    """Full means no new pages: what fits in the free room of existing ones still works."""
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        corpus.add_span(seeded.document_id, seeded.label_id, 0, 12)
        assert [(s.start, s.end) for s in corpus.spans(seeded.document_id)] == [(0, 12)]
        assert integrity_ok(corpus)


# --- read-only media -----------------------------------------------------------------------------


def read_only(path: Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def assert_read_only(error: DatabaseUnavailable, where: Path) -> None:
    assert error.kind is Unavailable.READ_ONLY and error.exit_code == 11
    assert str(error).startswith(f"the database {where} is read-only")


def test_an_import_into_a_read_only_database(seeded: Seeded, tmp_path: Path) -> None:
    with Corpus.open(read_only(seeded.path), annotator="alice") as corpus:
        before = database_state(corpus)
        with pytest.raises(DatabaseUnavailable) as caught:
            import_paths(corpus, [big_file(tmp_path, size=100)], project=PROJECT)
        assert_read_only(caught.value, seeded.path)
        assert database_state(corpus) == before
        assert integrity_ok(corpus)


def test_an_edit_in_a_read_only_database(seeded: Seeded) -> None:
    with Corpus.open(read_only(seeded.path), annotator="alice") as corpus:
        before = database_state(corpus)
        with pytest.raises(DatabaseUnavailable) as caught:
            corpus.add_span(seeded.document_id, seeded.label_id, 0, 12)
        assert_read_only(caught.value, seeded.path)
        assert database_state(corpus) == before


def test_a_read_only_database_still_exports(seeded: Seeded, tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    with Corpus.open(read_only(seeded.path), annotator="alice") as corpus:
        report = export_project(
            corpus, seeded.project_id, format_name=ExportFormat.JSONL, output=output
        )
    assert report.rows == 1
    assert json.loads(output.read_text(encoding="utf-8"))["text"] == TEXT


# --- an export that cannot be written ------------------------------------------------------------


@pytest.mark.parametrize("format_name", [ExportFormat.CSV, ExportFormat.JSONL])
@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (lambda folder: folder / "a-file" / "out", "Not a directory"),  # the parent is a file
        (lambda folder: Path("/proc/version-export"), ""),  # a file system of the kernel's
    ],
)
def test_an_export_to_a_place_that_takes_no_files(
    seeded: Seeded, tmp_path: Path, format_name: str, where: Any, reason: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    output: Path = where(tmp_path)
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        before = database_state(corpus)
        with pytest.raises(UserError) as caught:
            export_project(corpus, seeded.project_id, format_name=format_name, output=output)
        assert not isinstance(caught.value, DatabaseUnavailable)
        message = str(caught.value)
        assert message.startswith("cannot write ") and reason in message
        assert "\n" not in message and "Traceback" not in message
        assert database_state(corpus) == before
        assert integrity_ok(corpus)


# --- a truly full file system (root only) --------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs, when this process may mount one (root on Linux); else the test skips."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace')}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Take every free byte of the file system."""
    with (folder / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_a_truly_full_disk(small_disk: Path, tmp_path: Path) -> None:
    seeded = seed(small_disk / "corpus.db")
    with Corpus.open(f"sqlite:///{seeded.path}", annotator="alice") as corpus:
        before = database_state(corpus)
        fill(small_disk)
        with pytest.raises(DatabaseUnavailable) as caught:
            import_paths(corpus, [big_file(tmp_path)], project=PROJECT)
        assert_full(caught.value, seeded.path)
        with pytest.raises(DatabaseUnavailable) as caught:
            corpus.add_span(seeded.document_id, seeded.label_id, 0, 12, note="n" * 200_000)
        assert_full(caught.value, seeded.path)
        with pytest.raises(UserError) as refused:
            export_project(
                corpus, seeded.project_id, format_name=ExportFormat.JSONL,
                output=small_disk / "out.jsonl",
            )  # fmt: skip
        assert "No space left on device" in str(refused.value)
        assert database_state(corpus) == before
        assert integrity_ok(corpus)
