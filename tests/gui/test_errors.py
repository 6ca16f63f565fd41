"""The window on a bug (an apology, the traceback in the log file, work goes on) and on a
problem of the environment (its plain sentence)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from annotator.base.logs import configure_logging, log_path
from annotator.core import db as db_module
from annotator.core import operations
from annotator.gui import app as app_module
from annotator.gui.main_window import MainWindow

WORD = "Tuesday"


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The window's message boxes, captured instead of shown; the app's own excepthook."""
    shown: dict[str, list[Any]] = {"apology": [], "warning": []}
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown["apology"].append(box) or 0)
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, _title, message: shown["warning"].append(message)
    )
    configure_logging()
    monkeypatch.setattr(sys, "excepthook", app_module._show_error)
    return shown


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT", 0.05)
    yield


def press_date_on_the_word(window: MainWindow) -> int:
    start = window.workspace.document.text.index(WORD)
    window.article.text.place_caret(start)
    QTest.keyClick(window.article.text, Qt.Key.Key_4)
    QTest.keyClick(window.article.text, Qt.Key.Key_Escape)
    return start


def date_spans(window: MainWindow) -> list[tuple[int, int]]:
    corpus = window.workspace.corpus
    return [(s.start, s.end) for s in corpus.spans(window.workspace.document.id)]


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_slot_shows_the_apology_and_logs_the_traceback(
    window: MainWindow, boxes: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    document_text = window.workspace.document.text

    def add_span_with_a_bug(*_args: Any, session: Any, **_kwargs: Any) -> Any:
        session.execute(
            text("SELECT nosuchcolumn FROM document WHERE text = :t"), {"t": document_text}
        )

    with monkeypatch.context() as patch:
        patch.setattr(operations, "add_span", add_span_with_a_bug)
        start = press_date_on_the_word(window)

    assert len(boxes["apology"]) == 1, boxes
    box = boxes["apology"][0]
    assert "Sorry" in box.text()
    assert str(log_path()) in box.informativeText()
    assert "no such column: nosuchcolumn" in box.detailedText()
    assert boxes["warning"] == []
    assert "not available" not in window.status_saved.text()
    logged = log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "add_span_with_a_bug" in logged and "no such column: nosuchcolumn" in logged
    assert document_text not in logged
    # The app goes on: with the bug gone, the same key labels the word.
    assert window.isVisible()
    assert date_spans(window) == []
    press_date_on_the_word(window)
    assert date_spans(window) == [(start, start + len(WORD))]


@pytest.mark.qt_no_exception_capture
def test_a_locked_database_in_an_action_shows_its_sentence(
    short_busy_timeout: None, window: MainWindow, db_path: Path, boxes: dict[str, list[Any]]
) -> None:
    document_text = window.workspace.document.text
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        press_date_on_the_word(window)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    shown = window.statusBar().currentMessage()
    assert window.status_saved.text() == "not saved"
    assert shown.startswith(f"the database {db_path} is busy")
    assert "INSERT" not in shown and document_text not in shown
    assert boxes["apology"] == []
    assert date_spans(window) == []


def test_an_environment_problem_reaching_the_hook_is_a_plain_warning(
    boxes: dict[str, list[Any]],
) -> None:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13
    error = OperationalError("INSERT INTO span VALUES (?)", ("article text",), full)
    app_module._show_error(OperationalError, error, None)
    assert boxes["apology"] == []
    assert boxes["warning"] == [
        "the disk holding the database is full; free some space and try again"
    ]
