"""Asks the core's change watcher every second and refreshes the window on a change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus
    from annotator.core.watching import ChangeWatcher
    from annotator.gui.main_window import MainWindow

log = logging.getLogger(__name__)

INTERVAL_MS = 1000


class ChangeWatch(QObject):
    """Keeps the window in step with other people's work on the same database.

    No check is made while a modal dialog is open or this program is in the middle of
    an action (an import lets the window repaint while it writes): the change stays
    pending and is picked up at the first tick after.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("changeWatch")
        self._window = window
        self._watcher: ChangeWatcher | None = None
        self._problem_shown = False
        self.timer = QTimer(self)
        self.timer.setObjectName("changeWatchTimer")
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        window.workspace.corpusClosing.connect(self.stop)

    @property
    def watching(self) -> bool:
        return self._watcher is not None

    def start(self, corpus: Corpus) -> None:
        """Watch `corpus`; one that cannot be watched is still worked on, unrefreshed."""
        from annotator.base.errors import UserError
        from annotator.core.failures import classify
        from annotator.core.watching import ChangeWatcher

        self.stop()
        try:
            self._watcher = ChangeWatcher(corpus)
        except UserError as error:
            log.info("not watching for other people's changes: %s", error)
            return
        except Exception as error:
            if classify(error, where="") is None:
                raise
            log.info("not watching for other people's changes: %s", error)
            return
        self.timer.start()

    def stop(self) -> None:
        """Let go of the watcher's connection before its corpus is closed."""
        self.timer.stop()
        if self._watcher is not None:
            watcher, self._watcher = self._watcher, None
            try:
                watcher.close()
            except Exception as error:  # a connection already lost has nothing to let go
                log.info("closing the change watcher: %s", error)

    def check(self) -> None:
        """One tick: refresh the window if someone committed since the last."""
        watcher = self._watcher
        if watcher is None or self._window.workspace.corpus is None:
            return
        if QApplication.activeModalWidget() is not None or watcher.busy():
            return
        try:
            if watcher.changed():
                self._refresh()
            self._problem_shown = False
        except Exception as error:
            self._explain(error)

    def _refresh(self) -> None:
        self._window.workspace.refresh()

    def _explain(self, error: Exception) -> None:
        """A database that cannot be read just now (a server restarting, a network gone)
        is said once in the status bar and tried again at the next tick; anything else
        is a bug."""
        from annotator.base.errors import UserError
        from annotator.core.db import place
        from annotator.core.failures import classify

        if isinstance(error, UserError):
            problem: Exception | None = error
        else:
            problem = classify(error, where=place(self._window.db_url))
        if problem is None:
            raise error
        if not self._problem_shown:
            self._problem_shown = True
            self._window.statusBar().showMessage(
                f"other people's changes cannot be shown just now: {problem}", 8000
            )
