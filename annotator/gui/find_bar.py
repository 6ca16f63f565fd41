"""Ctrl+F in the article: find, step between matches, and label the match by its key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

if TYPE_CHECKING:
    from annotator.gui.article_view import ArticleText


class FindBar(QWidget):
    """Ctrl+F: find text in the article; Enter for the next match, Shift+Enter the previous.

    The first Enter after typing takes the match found while typing; from then on a label
    key labels the match, so finding and labelling need no mouse. Any other key returns
    the field to typing, which is how a number is searched for.
    """

    def __init__(self, view: ArticleText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._view = view
        self.field = QLineEdit()
        self.field.setObjectName("findField")
        self.field.setPlaceholderText("Find in article")
        self.field.setClearButtonEnabled(True)
        self.status = QLabel()
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 2, 12, 2)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self._match_chosen = False  # Enter landed on a match: label keys now label it
        self._count = ""
        self.field.installEventFilter(self)
        self.field.textChanged.connect(self._on_field_textChanged)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self._match_chosen = False
        self._view.set_find_match(None)
        self._view.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._field_key(event)
        if watched is self.field and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if self._match_chosen and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
            ):
                event.ignore()  # after labelling from here, Ctrl+Z undoes the label
                return True
        return super().eventFilter(watched, event)

    def _field_key(self, event: QKeyEvent) -> bool:
        """True when the key was used here and the field must not see it."""
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close_bar()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            backwards = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if not backwards and not self._match_chosen and self._view.find_match is not None:
                self._match_chosen = True  # the match found while typing is the one meant
            else:
                self._match_chosen = self.find_next(backwards=backwards)
            if self._match_chosen:
                self.status.setText(f"{self._count} · a label key labels it")
            return True
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        if self._match_chosen and plain and self._view.is_hotkey(event.text()):
            self._view.hotkeyPressed.emit(event.text())
            return True
        if event.text() or key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home,
                                   Qt.Key.Key_End):  # fmt: skip
            self._match_chosen = False  # back to typing: a digit now goes into the field
        return False

    def _on_field_textChanged(self, _text: str) -> None:
        self._match_chosen = False
        self.find_next(from_start=True)

    def find_next(self, *, backwards: bool = False, from_start: bool = False) -> bool:
        needle = self.field.text()
        text = self._view.text
        if not needle:
            self.status.setText("")
            self._view.set_find_match(None)
            return False
        selection = self._view.selection()
        caret = self._view.caret()
        lowered, wanted = text.casefold(), needle.casefold()
        if len(lowered) != len(text):  # casefolding changed lengths: search as typed
            lowered, wanted = text, needle
        if backwards:
            origin = selection[0] if selection else caret
            found = lowered.rfind(wanted, 0, max(0, origin))
            if found == -1:
                found = lowered.rfind(wanted)
        else:
            origin = 0 if from_start else (selection[1] if selection else caret)
            if from_start and selection:
                origin = selection[0]
            found = lowered.find(wanted, origin)
            if found == -1:
                found = lowered.find(wanted)
        if found == -1:
            self.status.setText("not found")
            self._view.set_find_match(None)
            return False
        count = lowered.count(wanted)
        self._count = f"{count} match{'es' if count != 1 else ''}"
        self.status.setText(self._count)
        self._view.select_range(found, found + len(needle))
        self._view.set_find_match((found, found + len(needle)))
        return True
