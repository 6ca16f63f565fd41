"""Connecting the window to a team's PostgreSQL server: the login typed into the real
dialog, tested, then opened; the password never stored; a refused login at opening."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from annotator.base.logs import configure_logging, log_path
from annotator.core.connecting import CHECK_TIMEOUT
from annotator.core.corpus import Corpus
from annotator.core.db import without_password
from annotator.gui import settings as options
from annotator.gui.database_dialog import DatabaseDialog
from annotator.gui.database_problem import DatabaseProblemDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from tests.gui.conftest import PROXY_PASSWORD
from tests.gui.modal import driving
from tests.pg_proxy import PgProxy

CHECK_WAIT_MS = 15_000


def field(dialog: DatabaseDialog, name: str) -> QLineEdit:
    found = dialog.findChild(QLineEdit, name)
    assert found is not None, name
    return found


def button(dialog: object, name: str) -> QPushButton:
    found = dialog.findChild(QPushButton, name)  # type: ignore[attr-defined]
    assert found is not None, name
    return found


def verdict(dialog: DatabaseDialog) -> str:
    return dialog.findChild(QLabel, "connectionResult").text()


def retype(line: QLineEdit, words: str) -> None:
    """Replace what the field holds, with keys: select all, then type."""
    line.setFocus()
    QTest.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(line, Qt.Key.Key_Backspace)
    QTest.keyClicks(line, words)


@pytest.mark.postgres
def test_the_connection_is_tried_with_what_was_typed(
    qtbot, pg_proxy: PgProxy, pg_database: str, tmp_path: Path
) -> None:
    """Each thing the test can find, in the words the person reads."""
    address = f"127.0.0.1:{pg_proxy.port}/{make_url(pg_database).database}"
    dialog = DatabaseDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert field(dialog, "serverPassword").echoMode() == QLineEdit.EchoMode.Password
    assert button(dialog, "connect").isDefault()
    retype(field(dialog, "serverAddress"), address)
    retype(field(dialog, "serverUser"), "postgres")

    def tried(password: str) -> str:
        retype(field(dialog, "serverPassword"), password)
        qtbot.mouseClick(button(dialog, "testConnection"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: button(dialog, "testConnection").isEnabled(), timeout=CHECK_WAIT_MS)
        return verdict(dialog)

    wrong = tried("not the password")
    assert "password" in wrong and "refused" in wrong
    assert dialog.grab().save(str(tmp_path / "wrong-password.png"))
    assert tried(PROXY_PASSWORD) == (
        "Reachable. The database is empty: connecting creates the schema."
    )
    assert dialog.grab().save(str(tmp_path / "reachable.png"))

    admin = create_engine(pg_database)
    with admin.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id integer PRIMARY KEY)"))
    assert tried(PROXY_PASSWORD).startswith("Not an annotator database")
    with admin.begin() as connection:
        connection.execute(text("DROP TABLE invoices"))
    admin.dispose()
    Corpus.open(pg_database, annotator="alice").close()
    assert tried(PROXY_PASSWORD) == "Reachable: an annotator database, ready to use."

    retype(field(dialog, "serverAddress"), f"127.0.0.1:{pg_proxy.port}/no_such_database")
    assert "no such database" in tried(PROXY_PASSWORD)
    retype(field(dialog, "serverAddress"), address)
    pg_proxy.down()
    assert tried(PROXY_PASSWORD).startswith("The server is not answering")
    retype(field(dialog, "serverAddress"), "db.example.org:port/annotator")
    assert tried(PROXY_PASSWORD) == "Not a port number in 'db.example.org:port/annotator'."
    assert PROXY_PASSWORD not in verdict(dialog)


def test_a_silent_server_is_tried_without_freezing_the_window(qtbot) -> None:
    """A server that takes the connection and never answers: the dialog keeps responding
    and gives up after the check's short timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # the kernel completes the handshake; nobody ever reads or answers
    try:
        dialog = DatabaseDialog(url=f"postgresql://alice@127.0.0.1:{silent.getsockname()[1]}/team")
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        started = time.monotonic()
        qtbot.mouseClick(button(dialog, "testConnection"), Qt.MouseButton.LeftButton)
        assert time.monotonic() - started < 1
        qtbot.wait(300)  # the window's events go on meanwhile
        assert verdict(dialog) == "Trying the server…"
        assert not button(dialog, "testConnection").isEnabled()
        assert not button(dialog, "connect").isEnabled()
        qtbot.waitUntil(lambda: button(dialog, "testConnection").isEnabled(), timeout=CHECK_WAIT_MS)
        assert verdict(dialog).startswith("The server is not answering")
        assert CHECK_TIMEOUT - 1 < time.monotonic() - started < CHECK_TIMEOUT + 5
    finally:
        silent.close()


@pytest.fixture
def logged() -> Iterator[Path]:
    """The log file the window writes, as the app configures it."""
    path = configure_logging()
    assert path is not None
    yield path


@pytest.mark.postgres
def test_connect_to_server_opens_it_and_keeps_no_password(
    qtbot,
    window: MainWindow,
    settings: Settings,
    pg_proxy: PgProxy,
    pg_database: str,
    logged: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = make_url(pg_database).database
    shown: list[str] = []

    def log_in(dialog: DatabaseDialog) -> None:
        retype(field(dialog, "serverAddress"), f"127.0.0.1:{pg_proxy.port}/{database}")
        retype(field(dialog, "serverUser"), "postgres")
        retype(field(dialog, "serverPassword"), PROXY_PASSWORD)
        qtbot.mouseClick(button(dialog, "testConnection"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Reachable" in verdict(dialog), timeout=CHECK_WAIT_MS)
        shown.append(verdict(dialog))
        assert dialog.grab().save(str(tmp_path / "database-dialog.png"))
        qtbot.mouseClick(button(dialog, "connect"), Qt.MouseButton.LeftButton)

    pending = driving(monkeypatch, DatabaseDialog, log_in)
    QTest.keyClick(
        window,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.workspace.corpus.engine.url.database == database, timeout=30_000)

    assert pending == [] and shown == [
        "Reachable. The database is empty: connecting creates the schema."
    ]
    corpus = window.workspace.corpus
    assert [p.name for p in corpus.projects()] == [window.workspace.project.name]
    assert window.workspace.document is not None
    remembered = settings.get(options.DATABASE)
    assert remembered == f"postgresql+psycopg://postgres@127.0.0.1:{pg_proxy.port}/{database}"
    assert window.db_url == remembered
    assert f"{database} on 127.0.0.1:{pg_proxy.port}" in window.status_identity.text()
    settings_file = Path(settings.store.fileName()).read_text(encoding="utf-8")
    assert remembered in settings_file
    log_text = logged.read_text(encoding="utf-8")
    assert "opening the database postgresql+psycopg://postgres:***@127.0.0.1" in log_text
    for kept in (settings_file, log_text, window.status_identity.text(), window.db_url):
        assert PROXY_PASSWORD not in kept
        assert "correct horse" not in kept and "correct+horse" not in kept
    assert log_path() == logged


@pytest.mark.postgres
def test_a_refused_login_at_opening_offers_retry_then_another_login(
    qtbot,
    settings: Settings,
    refused_login_url: str,
    pg_proxy: PgProxy,
    pg_database: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    frame = MainWindow(settings)
    qtbot.addWidget(frame)
    frame.show()
    qtbot.waitExposed(frame)
    database = make_url(pg_database).database
    refused = make_url(refused_login_url)
    reasons: list[str] = []
    prefilled: list[tuple[str, str, str]] = []

    def note_the_offer(dialog: DatabaseProblemDialog) -> None:
        reasons.append(dialog.findChild(QLabel, "reason").text())
        texts = sorted(b.text() for b in dialog.findChildren(QPushButton))
        assert texts == sorted(
            ["Quit", "Create new…", "Open another…", "Connect to a server…", "Retry"]
        )
        assert button(dialog, "retry").isDefault()

    def retry(dialog: DatabaseProblemDialog) -> None:
        note_the_offer(dialog)
        assert dialog.grab().save(str(tmp_path / "login-refused.png"))
        qtbot.mouseClick(button(dialog, "retry"), Qt.MouseButton.LeftButton)

    def another_login(dialog: DatabaseProblemDialog) -> None:
        note_the_offer(dialog)
        qtbot.mouseClick(button(dialog, "connectServer"), Qt.MouseButton.LeftButton)

    def log_in(dialog: DatabaseDialog) -> None:
        prefilled.append(tuple(field(dialog, name).text() for name in (  # type: ignore[arg-type]
            "serverAddress", "serverUser", "serverPassword"
        )))  # fmt: skip
        retype(field(dialog, "serverAddress"), f"127.0.0.1:{pg_proxy.port}/{database}")
        retype(field(dialog, "serverUser"), "postgres")
        retype(field(dialog, "serverPassword"), PROXY_PASSWORD)
        qtbot.mouseClick(button(dialog, "connect"), Qt.MouseButton.LeftButton)

    offers = driving(monkeypatch, DatabaseProblemDialog, retry, another_login)
    logins = driving(monkeypatch, DatabaseDialog, log_in)

    assert frame.open_database(refused_login_url, annotator="alice", project=None)

    assert offers == [] and logins == []
    assert len(reasons) == 2 and reasons[0] == reasons[1]
    assert "refused the login; check the user name and the password" in reasons[0]
    assert "wrong-password" not in reasons[0] and "***" in reasons[0]
    assert prefilled == [
        (f"{refused.host}:{refused.port}/{refused.database}", refused.username, "")
    ]
    assert frame.workspace.corpus is not None
    assert frame.workspace.corpus.engine.url.database == database
    remembered = settings.get(options.DATABASE)
    assert remembered == without_password(pg_proxy.url(username="postgres"))
    assert PROXY_PASSWORD not in Path(settings.store.fileName()).read_text(encoding="utf-8")
    frame.close()  # lets the change watch go, then closes the corpus
