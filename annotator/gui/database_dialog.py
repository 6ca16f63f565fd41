"""Connecting the window to a team's PostgreSQL server, the password kept in memory only."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from annotator.base.errors import UserError
from annotator.core.connecting import CheckResult, address_and_user, check, server_url
from annotator.core.db import without_password

POLL_MS = 50


class DatabaseDialog(QDialog):
    """`url` (holding the password) and `saved_url` (without it) are set once Connect
    found the database usable. The check runs off the GUI thread: a server that does not
    answer would otherwise freeze the window for the length of the connect timeout."""

    def __init__(self, parent: QWidget | None = None, *, url: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("databaseDialog")
        self.setWindowTitle("Connect to a database")
        self.setModal(True)
        self.url: str | None = None
        self.saved_url: str | None = None
        self._check: tuple[threading.Thread, list[CheckResult | BaseException], str, bool]
        self._check_running = False
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)

        address, user = address_and_user(url)
        self.address = self._field("serverAddress", address)
        self.address.setPlaceholderText("host:5432/database, or postgresql://host/database")
        self.user = self._field("serverUser", user)
        self.password = self._field("serverPassword", "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("asked each time, never stored")
        self.verdict_icon = QLabel()
        self.verdict_icon.setObjectName("connectionResultIcon")
        self.verdict_icon.setFixedSize(20, 20)
        self.verdict = QLabel("Test the connection, or connect straight away.")
        self.verdict.setObjectName("connectionResult")
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setWordWrap(True)
        self.test_button = self._button("Test connection", "testConnection")
        self.cancel_button = self._button("Cancel", "cancel")
        self.connect_button = self._button("Connect", "connect")
        self.connect_button.setDefault(True)
        self.test_button.clicked.connect(lambda: self._start_check(then_connect=False))
        self.connect_button.clicked.connect(lambda: self._start_check(then_connect=True))
        self.cancel_button.clicked.connect(self.reject)
        self._lay_out()
        (self.password if address and user else self.address).setFocus()

    def _field(self, name: str, text: str) -> QLineEdit:
        field = QLineEdit(text)
        field.setObjectName(name)
        return field

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        return button

    def _lay_out(self) -> None:
        intro = QLabel(
            "A team works in one PostgreSQL database. The password is used for this "
            "session only; annotator remembers the server and the user, never the password."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Server:", self.address)
        form.addRow("&User:", self.user)
        form.addRow("&Password:", self.password)
        answer = QHBoxLayout()
        answer.addWidget(self.verdict_icon, 0, Qt.AlignmentFlag.AlignTop)
        answer.addWidget(self.verdict, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.connect_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(answer)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

    # -- checking ---------------------------------------------------------------------

    def _start_check(self, *, then_connect: bool) -> None:
        if self._check_running:
            return
        try:
            url = server_url(
                self.address.text(), user=self.user.text(), password=self.password.text()
            )
        except UserError as error:
            self._show(False, _sentence(str(error)))
            return
        outcome: list[CheckResult | BaseException] = []
        thread = threading.Thread(target=_run_check, args=(url, outcome), daemon=True)
        self._check = (thread, outcome, url, then_connect)
        self._check_running = True
        self._set_busy(True)
        self._show(None, "Connecting…" if then_connect else "Trying the server…")
        thread.start()
        self._poll.start()

    def _on_poll_timeout(self) -> None:
        thread, outcome, url, then_connect = self._check
        if thread.is_alive():
            return
        self._poll.stop()
        self._check_running = False
        self._set_busy(False)
        found = outcome[0]
        if isinstance(found, UserError):
            self._show(False, _sentence(str(found)))
            return
        if isinstance(found, BaseException):
            raise found  # a bug: the application's handler logs it and apologises
        self._show(found.usable, found.message)
        if then_connect and found.usable:
            self.url, self.saved_url = url, without_password(url)
            self.accept()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.test_button, self.connect_button, self.address, self.user):
            widget.setEnabled(not busy)

    def _show(self, usable: bool | None, message: str) -> None:
        pixmap = {
            True: QStyle.StandardPixmap.SP_DialogApplyButton,
            False: QStyle.StandardPixmap.SP_MessageBoxWarning,
            None: QStyle.StandardPixmap.SP_BrowserReload,
        }[usable]
        self.verdict_icon.setPixmap(self.style().standardIcon(pixmap).pixmap(20, 20))
        self.verdict.setText(message)

    def done(self, result: int) -> None:
        """The password leaves the field as the dialog closes; `url` alone keeps it."""
        self._poll.stop()
        self.password.clear()
        super().done(result)


def _run_check(url: str, outcome: list[CheckResult | BaseException]) -> None:
    try:
        outcome.append(check(url))
    except BaseException as error:  # handed to the GUI thread, which reports it
        outcome.append(error)


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


def ask_for_server(parent: QWidget | None = None, *, url: str = "") -> tuple[str, str] | None:
    """(the URL to open, holding the password; the URL to remember, without it), or None
    when the person cancels. `url` fills in the fields when it names a server."""
    dialog = DatabaseDialog(parent or QApplication.activeWindow(), url=url)
    try:
        if dialog.exec() and dialog.url is not None and dialog.saved_url is not None:
            return dialog.url, dialog.saved_url
        return None
    finally:
        dialog.deleteLater()
