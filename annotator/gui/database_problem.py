"""A database that cannot be opened, or a change it did not take: why, and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from annotator.gui import file_dialogs

if TYPE_CHECKING:
    from annotator.gui.commands import PendingChange


@dataclass(frozen=True, slots=True)
class Choice:
    """What to open instead: `url` None is the same database again (Retry). `remember` is
    what the settings keep, never a password; None keeps what they hold."""

    url: str | None
    remember: str | None


class DatabaseProblemDialog(QDialog):
    """An empty window would hide the problem, and quitting would leave the person with
    nothing to do; `chosen` is the database picked instead, None when they quit.

    For a `server` (its URL without a password) the server may only be down for a moment
    or want another password: Retry and "Connect to a server…" are offered too.
    """

    def __init__(
        self, message: str, parent: QWidget | None = None, *, server: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("databaseProblem")
        self.setWindowTitle("annotator")
        self.setModal(True)
        self.chosen: Choice | None = None
        self._server = server
        offer = "Open another database, or create a new one: annotator starts with it from now on."
        if server is not None:
            offer = f"Retry (a server may be away for a moment), or log in again. {offer}"
        self.open_another = _button("Open another…", "openAnother")
        self.create_new = _button("Create new…", "createNew")
        self.quit = _button("Quit", "quit")
        self.open_another.clicked.connect(self._on_open_another)
        self.create_new.clicked.connect(self._on_create_new)
        self.quit.clicked.connect(self.reject)
        extra: list[QPushButton] = []
        if server is not None:
            self.connect_server = _button("Connect to a server…", "connectServer")
            self.retry = _button("Retry", "retry")
            self.connect_server.clicked.connect(self._on_connect_server)
            self.retry.clicked.connect(lambda: self._choose(Choice(None, None)))
            extra = [self.connect_server, self.retry]
        (extra[-1] if extra else self.open_another).setDefault(True)
        _lay_out(self, message, offer, [self.quit], [self.create_new, self.open_another, *extra])
        self.setMinimumWidth(640 if server is not None else 520)

    def _on_open_another(self) -> None:
        self._take(file_dialogs.database_file(self))

    def _on_create_new(self) -> None:
        self._take(file_dialogs.new_database_file(self))

    def _on_connect_server(self) -> None:
        from annotator.gui.database_dialog import ask_for_server

        chosen = ask_for_server(self, url=self._server or "")
        if chosen is not None:  # a cancelled dialog leaves the offer open
            self._choose(Choice(*chosen))

    def _take(self, path: Path | None) -> None:
        if path is not None:  # a cancelled chooser leaves the offer open
            self._choose(Choice(str(path), str(path)))

    def _choose(self, choice: Choice) -> None:
        self.chosen = choice
        self.accept()


def ask_for_another(
    message: str, parent: QWidget | None = None, *, server: str | None = None
) -> Choice | None:
    """The database the person picks instead of the one that failed, or None to quit."""
    dialog = DatabaseProblemDialog(message, parent or QApplication.activeWindow(), server=server)
    try:
        dialog.exec()
        return dialog.chosen
    finally:
        dialog.deleteLater()


class Answer(Enum):
    RETRY = "retry"
    CONNECT = "connect"
    CANCEL = "cancel"


class UnsavedChangeDialog(QDialog):
    """A change the server did not take. The window keeps the document, the selection and
    the undo steps as they were; the change waits in `PendingChange` for Retry."""

    def __init__(self, pending: PendingChange, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unsavedChange")
        self.setWindowTitle("annotator")
        self.setModal(True)
        self.answer = Answer.CANCEL
        message = f"Your change ({pending.description}) was not saved: {pending.reason}"
        offer = (
            "Everything on screen is kept. Retry once the server answers again, to save "
            "this very change; or connect to another server; or cancel this change."
        )
        self.cancel = _button("Cancel change", "cancel")
        self.connect_another = _button("Connect to another…", "connectAnother")
        self.retry = _button("Retry", "retry")
        self.retry.setDefault(True)
        for button, answer in (
            (self.cancel, Answer.CANCEL),
            (self.connect_another, Answer.CONNECT),
            (self.retry, Answer.RETRY),
        ):
            button.clicked.connect(lambda _=False, answer=answer: self._answer(answer))
        _lay_out(self, message, offer, [self.cancel], [self.connect_another, self.retry])
        self.setMinimumWidth(560)

    def _answer(self, answer: Answer) -> None:
        self.answer = answer
        if answer is Answer.CANCEL:
            self.reject()
        else:
            self.accept()


def ask_about_unsaved(pending: PendingChange, parent: QWidget | None = None) -> Answer:
    dialog = UnsavedChangeDialog(pending, parent or QApplication.activeWindow())
    try:
        dialog.exec()
        return dialog.answer
    finally:
        dialog.deleteLater()


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def _lay_out(
    dialog: QDialog,
    message: str,
    offer: str,
    left: list[QPushButton],
    right: list[QPushButton],
) -> None:
    """A warning icon, the reason in bold, what can be done, and the buttons below."""
    icon = QLabel()
    icon.setPixmap(
        dialog.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48)
    )
    sentence = QLabel(_capitalised(message))
    sentence.setObjectName("reason")
    sentence.setTextFormat(Qt.TextFormat.PlainText)  # a path may hold < or &
    sentence.setWordWrap(True)
    font = sentence.font()
    font.setBold(True)
    sentence.setFont(font)
    offered = QLabel(offer)
    offered.setObjectName("offer")
    offered.setWordWrap(True)
    words = QVBoxLayout()
    for label in (sentence, offered):
        words.addWidget(label)
    top = QHBoxLayout()
    top.addWidget(icon, 0)
    top.addLayout(words, 1)
    buttons = QHBoxLayout()
    for button in left:
        buttons.addWidget(button)
    buttons.addStretch(1)
    for button in right:
        buttons.addWidget(button)
    layout = QVBoxLayout(dialog)
    layout.addLayout(top)
    layout.addSpacing(8)
    layout.addLayout(buttons)


def _capitalised(sentence: str) -> str:
    text = sentence[:1].upper() + sentence[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
