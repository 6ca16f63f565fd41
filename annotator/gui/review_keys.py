"""Review mode's keys: one table for the list, the review article and the comment box."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

from annotator.base.vocabulary import ReviewAction

if TYPE_CHECKING:
    from annotator.gui.review_view import ReviewController

# The review's keys, the same in the list and in the review article. The comment box,
# where letters are text, takes them with Alt held.
NEXT, PREVIOUS, COMMENT = "next", "previous", "comment"
REVIEW_KEYS: dict[int, str] = {
    Qt.Key.Key_J: NEXT, Qt.Key.Key_K: PREVIOUS, Qt.Key.Key_C: COMMENT,
    Qt.Key.Key_A: ReviewAction.TAKE_A, Qt.Key.Key_B: ReviewAction.TAKE_B,
    Qt.Key.Key_R: ReviewAction.REJECT, Qt.Key.Key_E: ReviewAction.EDIT,
}  # fmt: skip
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _modifiers(event: QKeyEvent) -> Qt.KeyboardModifier:
    return event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


def review_command(event: QKeyEvent, *, chord: Qt.KeyboardModifier | None = None) -> str | None:
    """The review command a key press asks for: a plain letter, or with `chord` held
    (and nothing else) where plain letters are typed."""
    modifiers = _modifiers(event)
    wanted = modifiers == chord if chord is not None else modifiers in PLAIN
    return REVIEW_KEYS.get(event.key()) if wanted else None


class ReviewKeys(QObject):
    """The review keys where focus is outside the list. In the review article they are
    the list's, and while a span is edited there Shift+arrows move its ends, Tab swaps
    which end moves, a label's key changes its label, Enter takes it and Esc cancels.
    In the comment box letters are text: Alt+letter decides, and Esc or Ctrl+Enter
    hand focus back to the list with the comment kept for the next decision."""

    def __init__(self, controller: ReviewController) -> None:
        super().__init__(controller.panel)
        self.controller = controller
        controller.article.text.installEventFilter(self)
        controller.panel.comment.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        if watched is self.controller.panel.comment:
            handled = self._comment_key(event)
        elif watched is self.controller.article.text:
            handled = self._article_key(event)
        else:
            return False
        if handled and kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not the window's Ctrl+Enter or a menu's Alt+letter
            return True
        if handled:
            self._run(watched, event)
        return handled

    def _comment_key(self, event: QKeyEvent) -> bool:
        modifiers = _modifiers(event)
        if event.key() == Qt.Key.Key_Escape and modifiers == Qt.KeyboardModifier.NoModifier:
            return True
        if event.key() in ENTER and modifiers == Qt.KeyboardModifier.ControlModifier:
            return True
        return review_command(event, chord=Qt.KeyboardModifier.AltModifier) is not None

    def _article_key(self, event: QKeyEvent) -> bool:
        controller, key = self.controller, event.key()
        plain = _modifiers(event) == Qt.KeyboardModifier.NoModifier
        if controller.editing is not None:
            if plain and key in (*ENTER, Qt.Key.Key_Escape, Qt.Key.Key_Tab):
                return True
            return bool(event.text()) and controller.label_for_key(event.text()) is not None
        if plain and key == Qt.Key.Key_Escape:
            return True
        return review_command(event) is not None

    def _run(self, watched: QObject, event: QKeyEvent) -> None:
        controller, key = self.controller, event.key()
        if controller.editing is not None and watched is controller.article.text:
            if key in ENTER:
                controller.finish_edit()
            elif key == Qt.Key.Key_Escape:
                controller.cancel_edit()
            elif key == Qt.Key.Key_Tab:
                controller.swap_edit_ends()
            else:
                controller.choose_edit_label(event.text())
            return
        if key in (Qt.Key.Key_Escape, *ENTER):
            controller.panel.list.setFocus()  # from the comment box or the article
            return
        chord = Qt.KeyboardModifier.AltModifier if watched is controller.panel.comment else None
        command = review_command(event, chord=chord)
        if command is not None:
            controller.command(command)
