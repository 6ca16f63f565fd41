"""Undo commands that only call the core: the change is made once, then reverted or replayed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.base.errors import DatabaseUnavailable, Unavailable, UserError

if TYPE_CHECKING:
    from annotator.core.changes import Change
    from annotator.core.corpus import Corpus


class CorpusCommand(QUndoCommand):
    """Wraps a change already committed by the core; undo and redo are core reverts.

    A revert the database refuses (another program holds the lock, the disk is full) is
    kept as `refusal` rather than raised: QUndoStack would move its index all the same.
    """

    def __init__(
        self,
        corpus: Corpus,
        changes: list[Change],
        description: str,
        notify: Callable[[list[Change]], None],
    ) -> None:
        super().__init__(description)
        self._corpus = corpus
        self._changes = changes
        self._notify = notify
        self._skip_redo = True  # the action itself already made the change
        self._skip_undo = False
        self.refusal: UserError | None = None

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        try:
            if self._is_trash():
                self._changes = self._flip_trash()
            else:
                # Reverting the inverses replays the changes, all in one transaction.
                self._corpus.revert_all([change.inverse() for change in reversed(self._changes)])
        except UserError as error:
            self.refusal, self._skip_undo = error, True
            return
        self._notify(self._changes)

    def undo(self) -> None:
        if self._skip_undo:
            self._skip_undo = False
            return
        try:
            if self._is_trash():
                inverses = self._changes = self._flip_trash()
            else:
                inverses = self._corpus.revert_all(self._changes)
        except UserError as error:
            self.refusal, self._skip_redo = error, True
            return
        self._notify(inverses)

    def _is_trash(self) -> bool:
        from annotator.core.trash import TRASH

        return len(self._changes) == 1 and self._changes[0].entity == TRASH

    def _flip_trash(self) -> list[Change]:
        """A delete is undone by restoring from the trash and redone by deleting again:
        each step is a new trash row, so the command keeps the latest change."""
        from annotator.core.trash import replay_inverse

        return replay_inverse(self._corpus, self._changes[0])


class CorpusUndoStack(QUndoStack):
    """Undo and redo that step back when the database refuses them, so the window never
    shows a change undone that is still in the database (or the reverse); `refused` says why.
    """

    refused = Signal(str)

    def undo(self) -> None:
        index = self.index()
        super().undo()
        if self._refused(index - 1):
            super().redo()  # the command skips this redo: its change was never undone

    def redo(self) -> None:
        index = self.index()
        super().redo()
        if self._refused(index):
            super().undo()  # the command skips this undo: its change was never redone

    def _refused(self, index: int) -> bool:
        command = self.command(index) if 0 <= index < self.count() else None
        if not isinstance(command, CorpusCommand) or command.refusal is None:
            return False
        self.refused.emit(str(command.refusal))
        command.refusal = None
        return True


# A change refused for one of these may pass later, once the server answers again.
WORTH_RETRYING = frozenset({Unavailable.UNREACHABLE, Unavailable.LOGIN_REFUSED})


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A change the server could not take, kept whole so that Retry makes the very same
    one (a note being typed included) instead of asking the person to do it again."""

    description: str
    reason: str
    retry: Callable[[], object]


def pending_change(
    error: UserError, description: str, retry: Callable[[], object]
) -> PendingChange | None:
    """The change to offer again, or None when retrying it cannot help."""
    if isinstance(error, DatabaseUnavailable) and error.kind in WORTH_RETRYING:
        return PendingChange(description, str(error), retry)
    return None
