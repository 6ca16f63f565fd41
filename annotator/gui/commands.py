"""Undo commands that only call the core: the change is made once, then reverted or replayed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from annotator.core.changes import Change
    from annotator.core.corpus import Corpus


class CorpusCommand(QUndoCommand):
    """Wraps a change already committed by the core; undo and redo are core reverts."""

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
        self._first_redo = True

    def redo(self) -> None:
        if self._first_redo:  # the action itself already made the change
            self._first_redo = False
            return
        # Reverting the inverses replays the changes, all in one transaction.
        self._corpus.revert_all([change.inverse() for change in reversed(self._changes)])
        self._notify(self._changes)

    def undo(self) -> None:
        self._notify(self._corpus.revert_all(self._changes))
