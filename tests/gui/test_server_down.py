"""The team server going away while the window works on it: the change waits on screen for
Retry, nothing else is lost, and the very same change is saved once the server is back.

The shared test server is never stopped: a forwarder between the window and it goes down.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton

from annotator.core.corpus import Corpus
from annotator.gui import app as app_module
from annotator.gui import settings as options
from annotator.gui.database_problem import DatabaseProblemDialog, UnsavedChangeDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from tests.gui.conftest import PROXY_PASSWORD
from tests.gui.modal import driving
from tests.pg_proxy import PgProxy

pytestmark = pytest.mark.postgres
WAIT_MS = 30_000
DAY, PERSON = "Tuesday", "Helena Voss"


@pytest.fixture
def server_window(qtbot, settings: Settings, pg_proxy: PgProxy) -> Iterator[MainWindow]:
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.open_database(
        pg_proxy.url(password=PROXY_PASSWORD), annotator="alice", project=None
    )
    yield main
    main.close()


def offset_of(window: MainWindow, needle: str) -> int:
    return window.workspace.document.text.index(needle)


def label_day(window: MainWindow) -> int:
    """The Date key on the word at the caret, as a person labels it."""
    start = offset_of(window, DAY)
    window.article.text.place_caret(start)
    QTest.keyClick(window.article.text, Qt.Key.Key_4)
    QTest.keyClick(window.article.text, Qt.Key.Key_Escape)
    return start


def select_person(window: MainWindow) -> tuple[int, int]:
    view = window.article.text
    start = offset_of(window, PERSON)
    view.place_caret(start)
    for _ in PERSON:
        QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection() == (start, start + len(PERSON))
    return start, start + len(PERSON)


def stored_spans(database: str, document_id: int) -> list[tuple[int, int, str | None]]:
    """What the server holds, read by a connection of its own."""
    with Corpus.open(database, annotator="alice") as corpus:
        return sorted((s.start, s.end, s.note) for s in corpus.spans(document_id))


def shown_spans(window: MainWindow) -> list[tuple[int, int]]:
    return sorted((s.start, s.end) for s in window.workspace.spans.values())


def painted_at(window: MainWindow, start: int, end: int) -> list[int]:
    return [span.id for span in window.article.text.spans_overlapping(start, end - 1)]


def click(dialog: object, name: str) -> None:
    found = dialog.findChild(QPushButton, name)  # type: ignore[attr-defined]
    assert found is not None, name
    QTest.mouseClick(found, Qt.MouseButton.LeftButton)


def test_a_change_the_server_did_not_take_waits_for_retry_and_nothing_is_lost(
    qtbot,
    server_window: MainWindow,
    pg_proxy: PgProxy,
    pg_database: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = server_window
    view = window.article.text
    document_id = window.workspace.document.id
    day = label_day(window)
    assert shown_spans(window) == [(day, day + len(DAY))]
    stack = window.workspace.undo_stack
    steps = stack.count()
    person = select_person(window)
    seen: dict[str, Any] = {}

    def while_the_server_is_away(dialog: UnsavedChangeDialog) -> None:
        seen["reason"] = dialog.findChild(QLabel, "reason").text()
        seen["document"] = window.workspace.document.id
        seen["shown"] = shown_spans(window)
        seen["painted"] = painted_at(window, *person)
        seen["steps"] = (stack.count(), stack.index())
        seen["selection"] = view.selection()
        seen["status"] = window.status_saved.text()
        seen["message"] = window.statusBar().currentMessage()
        seen["stored"] = stored_spans(pg_database, document_id)
        assert dialog.grab().save(str(tmp_path / "unsaved-change.png"))
        pg_proxy.up()
        click(dialog, "retry")

    too_soon: list[str] = []

    def retry_too_soon(dialog: UnsavedChangeDialog) -> None:
        too_soon.append(dialog.findChild(QLabel, "reason").text())
        click(dialog, "retry")  # the server is still away: asked again

    offers = driving(monkeypatch, UnsavedChangeDialog, retry_too_soon, while_the_server_is_away)
    pg_proxy.down()
    QTest.keyClick(view, Qt.Key.Key_1)  # Person
    qtbot.waitUntil(lambda: not offers and len(window.workspace.spans) == 2, timeout=WAIT_MS)

    # While the server was away: a plain message, the change not shown as made, the rest kept.
    assert too_soon == [seen["reason"]]
    assert seen["reason"].startswith("Your change (label Person) was not saved: cannot reach")
    assert "check that it is running" in seen["reason"]
    assert "Traceback" not in seen["reason"] and PROXY_PASSWORD not in seen["reason"]
    assert seen["document"] == document_id
    assert seen["shown"] == [(day, day + len(DAY))]
    assert seen["painted"] == []
    assert seen["steps"] == (steps, steps)
    assert seen["selection"] == person
    assert seen["status"] == "not saved"
    assert seen["message"].startswith("cannot reach the database server")
    assert seen["stored"] == [(day, day + len(DAY), None)]
    # After Retry: the very same change, saved once, on screen, one undo step.
    assert stored_spans(pg_database, document_id) == [
        (day, day + len(DAY), None),
        (*person, None),
    ]
    assert shown_spans(window) == [(day, day + len(DAY)), person]
    assert len(painted_at(window, *person)) == 1
    assert (stack.count(), stack.index()) == (steps + 1, steps + 1)
    assert window.status_saved.text().startswith("saved")
    window.workspace.undo()
    assert stored_spans(pg_database, document_id) == [(day, day + len(DAY), None)]


def test_cancel_leaves_the_change_unmade_and_the_window_working(
    qtbot,
    server_window: MainWindow,
    pg_proxy: PgProxy,
    pg_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = server_window
    document_id = window.workspace.document.id
    steps = window.workspace.undo_stack.count()
    offers = driving(monkeypatch, UnsavedChangeDialog, lambda dialog: click(dialog, "cancel"))
    pg_proxy.down()
    label_day(window)
    qtbot.waitUntil(lambda: not offers, timeout=WAIT_MS)
    assert shown_spans(window) == []
    assert window.workspace.undo_stack.count() == steps
    pg_proxy.up()
    assert stored_spans(pg_database, document_id) == []
    day = label_day(window)  # the server is back: the next action needs no dialog
    assert stored_spans(pg_database, document_id) == [(day, day + len(DAY), None)]


def test_a_dropped_connection_recovers_on_the_next_action(
    server_window: MainWindow,
    pg_proxy: PgProxy,
    pg_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server restarted between two actions costs nothing: the pool checks its
    connection before use and makes a new one."""
    window = server_window
    failures: list[str] = []
    window.workspace.failed.connect(failures.append)
    driving(monkeypatch, UnsavedChangeDialog)  # none may be shown
    pg_proxy.down()
    pg_proxy.up()
    connections = pg_proxy.connections
    day = label_day(window)
    assert failures == []
    assert pg_proxy.connections > connections
    assert stored_spans(pg_database, window.workspace.document.id) == [(day, day + len(DAY), None)]
    assert shown_spans(window) == [(day, day + len(DAY))]


def test_a_note_typed_while_the_server_is_away_is_saved_by_retry(
    qtbot,
    server_window: MainWindow,
    pg_proxy: PgProxy,
    pg_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = server_window
    document_id = window.workspace.document.id
    day = label_day(window)
    table = window.tags.span_list
    table.setFocus()
    table.setCurrentIndex(window.tags.span_model.index(0, 2))
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = table.findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    QTest.keyClicks(editor, "weekday, not a date")
    notes: list[str | None] = []

    def retry_once_back(dialog: UnsavedChangeDialog) -> None:
        notes.extend(span.note for span in window.workspace.spans.values())
        pg_proxy.up()
        click(dialog, "retry")

    offers = driving(monkeypatch, UnsavedChangeDialog, retry_once_back)
    pg_proxy.down()
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not offers, timeout=WAIT_MS)

    assert notes == [None]  # not shown as saved while the server was away
    assert stored_spans(pg_database, document_id) == [(day, day + len(DAY), "weekday, not a date")]
    (span,) = window.workspace.spans.values()
    assert span.note == "weekday, not a date"
    assert window.tags.span_model.data(window.tags.span_model.index(0, 2)) == (
        "weekday, not a date"
    )


def test_a_server_down_at_opening_is_retried_once_it_is_back(
    qtbot, settings: Settings, pg_proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = MainWindow(settings)
    qtbot.addWidget(frame)
    frame.show()
    qtbot.waitExposed(frame)
    reasons: list[str] = []

    def retry_once_back(dialog: DatabaseProblemDialog) -> None:
        reasons.append(dialog.findChild(QLabel, "reason").text())
        pg_proxy.up()
        click(dialog, "retry")

    offers = driving(monkeypatch, DatabaseProblemDialog, retry_once_back)
    pg_proxy.down()
    url = pg_proxy.url(password=PROXY_PASSWORD)

    assert frame.open_database(url, annotator="alice", project=None)

    assert offers == []
    assert len(reasons) == 1 and reasons[0].startswith("Cannot reach the database server")
    assert PROXY_PASSWORD not in reasons[0]
    assert frame.workspace.document is not None
    assert settings.get(options.DATABASE) == ""  # a URL given for one run is not remembered
    frame.close()  # lets the change watch go, then closes the corpus


@pytest.mark.qt_no_exception_capture
def test_a_read_the_server_cannot_answer_is_a_plain_warning(
    server_window: MainWindow, pg_proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the next document while the server is away: its sentence, no apology, and
    the document on screen stays; once it is back, the same key opens the next one."""
    window = server_window
    warnings: list[str] = []
    apologies: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: apologies.append(box) or 0)
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, _title, message: warnings.append(message)
    )
    monkeypatch.setattr(sys, "excepthook", app_module._show_error)
    first = window.workspace.document.id
    day = label_day(window)
    pg_proxy.down()
    QTest.keyClick(window.article.text, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert apologies == []
    assert len(warnings) == 1 and warnings[0].startswith("cannot reach the database server")
    assert PROXY_PASSWORD not in warnings[0]
    assert window.workspace.document.id == first
    assert shown_spans(window) == [(day, day + len(DAY))]
    pg_proxy.up()
    QTest.keyClick(window.article.text, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.document.id != first
    assert len(warnings) == 1 and apologies == []
