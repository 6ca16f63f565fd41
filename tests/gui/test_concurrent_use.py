"""The window shares its database with other programs: an import alongside, a held lock."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from annotator.core import db as db_module
from annotator.core.corpus import Corpus
from annotator.gui.main_window import MainWindow
from tests.conftest import REPO
from tests.gui.kill_driver import writing_now

UNDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
REDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
IMPORTED = 6000  # documents in the file imported alongside: a few seconds of writing


@pytest.fixture
def errors_shown(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every failure the window reports: a status message or a message box."""
    shown: list[str] = []
    window.workspace.failed.connect(shown.append)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, message, *_a: shown.append(message))
    return shown


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked for before the window, whose engine takes the busy timeout when it opens."""
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT", 0.05)


@pytest.fixture
def held_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program, to hold the write lock far longer than the (short) busy timeout."""
    holder = sqlite3.connect(db_path, isolation_level=None)
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def label_word(qtbot: Any, window: MainWindow, start: int, length: int, key: Qt.Key) -> None:
    view = window.article.text
    view.place_caret(start)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, key)
    qtbot.keyClick(view, Qt.Key.Key_Escape)


def stored(db_path: Path, document_id: int) -> set[tuple[int, int]]:
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        return {(span.start, span.end) for span in corpus.spans(document_id)}


def shown_spans(window: MainWindow) -> set[tuple[int, int]]:
    return {(span.start, span.end) for span in window.workspace.spans.values()}


def test_labelling_while_a_command_line_import_runs_loses_nothing(
    qtbot: Any, window: MainWindow, db_path: Path, tmp_path: Path, errors_shown: list[str]
) -> None:
    source = tmp_path / "large.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for i in range(IMPORTED):
            words = " ".join(f"item{i}word{w}" for w in range(60))
            out.write(json.dumps({"text": f"Article {i}. {words}"}) + "\n")
    document_id = window.workspace.document.id
    text = window.workspace.document.text
    words = [m for m in re.finditer(r"[A-Z][a-z]{3,}", text)][:12]
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4)
    importer = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "import", str(source), "--project", "bulk",
         "--db", str(db_path)],
        cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not writing_now(db_path):  # the first label key is pressed while it writes
            assert importer.poll() is None and time.monotonic() < deadline, "no import ran"
            time.sleep(0.005)
        assert importer.poll() is None
        for n, word in enumerate(words):
            label_word(qtbot, window, word.start(), word.end() - word.start(), keys[n % 4])
        out, err = importer.communicate(timeout=120)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, err
    assert f"imported {IMPORTED} document(s)" in out
    assert errors_shown == []
    assert window.status_saved.text().startswith("saved")
    expected = {(word.start(), word.end()) for word in words}
    assert shown_spans(window) == expected
    assert stored(db_path, document_id) == expected
    assert window.workspace.undo_stack.count() == len(words)
    with Corpus.open(str(db_path)) as corpus:
        assert len(corpus.documents(corpus.project_id("bulk"))) == IMPORTED


def test_a_label_refused_by_a_held_lock_is_not_shown_nor_undoable(
    short_timeout: None,
    qtbot: Any,
    window: MainWindow,
    db_path: Path,
    held_lock: sqlite3.Connection,
    errors_shown: list[str],
) -> None:
    document_id = window.workspace.document.id
    start = window.workspace.document.text.index("Tuesday")
    held_lock.execute("BEGIN IMMEDIATE")
    label_word(qtbot, window, start, len("Tuesday"), Qt.Key.Key_4)
    assert shown_spans(window) == set()
    assert window.workspace.undo_stack.count() == 0
    assert len(errors_shown) == 1
    assert errors_shown[0].startswith(f"the database {db_path} is busy")
    assert window.statusBar().currentMessage() == errors_shown[0]
    assert window.status_saved.text() == "not saved"
    held_lock.execute("ROLLBACK")
    assert stored(db_path, document_id) == set()
    # Once the other program lets go, the same key press works.
    label_word(qtbot, window, start, len("Tuesday"), Qt.Key.Key_4)
    assert shown_spans(window) == stored(db_path, document_id) == {(start, start + 7)}
    assert window.workspace.undo_stack.count() == 1


def test_an_undo_or_redo_refused_by_a_held_lock_keeps_its_place(
    short_timeout: None,
    qtbot: Any,
    window: MainWindow,
    db_path: Path,
    held_lock: sqlite3.Connection,
    errors_shown: list[str],
) -> None:
    view = window.article.text
    document_id = window.workspace.document.id
    start = window.workspace.document.text.index("Tuesday")
    label_word(qtbot, window, start, len("Tuesday"), Qt.Key.Key_4)
    stack = window.workspace.undo_stack
    assert (stack.count(), stack.index()) == (1, 1)

    held_lock.execute("BEGIN IMMEDIATE")
    qtbot.keyClick(view, *UNDO)
    assert (stack.count(), stack.index()) == (1, 1)  # still done, still undoable
    assert shown_spans(window) == {(start, start + 7)}
    assert len(errors_shown) == 1 and "is busy" in errors_shown[0]
    held_lock.execute("ROLLBACK")
    assert stored(db_path, document_id) == {(start, start + 7)}

    qtbot.keyClick(view, *UNDO)
    assert stack.index() == 0
    assert shown_spans(window) == stored(db_path, document_id) == set()

    held_lock.execute("BEGIN IMMEDIATE")
    qtbot.keyClick(view, *REDO)
    assert (stack.count(), stack.index()) == (1, 0)  # still undone, still redoable
    assert shown_spans(window) == set()
    assert len(errors_shown) == 2 and "is busy" in errors_shown[1]
    held_lock.execute("ROLLBACK")
    assert stored(db_path, document_id) == set()

    qtbot.keyClick(view, *REDO)
    assert stack.index() == 1
    assert shown_spans(window) == stored(db_path, document_id) == {(start, start + 7)}
    assert len(errors_shown) == 2
