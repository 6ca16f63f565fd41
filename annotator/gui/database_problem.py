"""When the chosen database cannot be opened: say why, and offer another one or a new one."""

from __future__ import annotations

from pathlib import Path

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


class DatabaseProblemDialog(QDialog):
    """An empty window would hide the problem, and quitting would leave the person with
    nothing to do; `chosen` is the database picked instead, None when they quit."""

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("databaseProblem")
        self.setWindowTitle("annotator")
        self.setModal(True)
        self.chosen: Path | None = None
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48)
        )
        sentence = QLabel(_capitalised(message))
        sentence.setObjectName("reason")
        sentence.setTextFormat(Qt.TextFormat.PlainText)  # a path may hold < or &
        sentence.setWordWrap(True)
        font = sentence.font()
        font.setBold(True)
        sentence.setFont(font)
        offer = QLabel(
            "Open another database, or create a new one: annotator starts with it from now on."
        )
        offer.setWordWrap(True)
        self.open_another = self._button("Open another…", "openAnother")
        self.create_new = self._button("Create new…", "createNew")
        self.quit = self._button("Quit", "quit")
        self.open_another.setDefault(True)
        self.open_another.clicked.connect(self._on_open_another)
        self.create_new.clicked.connect(self._on_create_new)
        self.quit.clicked.connect(self.reject)

        words = QVBoxLayout()
        for label in (sentence, offer):
            words.addWidget(label)
        top = QHBoxLayout()
        top.addWidget(icon, 0)
        top.addLayout(words, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit)
        buttons.addStretch(1)
        buttons.addWidget(self.create_new)
        buttons.addWidget(self.open_another)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        return button

    def _on_open_another(self) -> None:
        self._take(file_dialogs.database_file(self))

    def _on_create_new(self) -> None:
        self._take(file_dialogs.new_database_file(self))

    def _take(self, path: Path | None) -> None:
        if path is not None:  # a cancelled chooser leaves the offer open
            self.chosen = path
            self.accept()


def ask_for_another(message: str, parent: QWidget | None = None) -> Path | None:
    """The database the person picks instead of the one that failed, or None to quit."""
    dialog = DatabaseProblemDialog(message, parent or QApplication.activeWindow())
    try:
        dialog.exec()
        return dialog.chosen
    finally:
        dialog.deleteLater()


def _capitalised(sentence: str) -> str:
    text = sentence[:1].upper() + sentence[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
