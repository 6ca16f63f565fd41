"""Time and effort on the open document, measured from the window's input events.

An application-wide event filter sees every key press and click; the time between two
input events counts as work on the open document only when the gap is shorter than the
idle limit, so a lunch break with the window open adds nothing. What is measured is added
to the database (`annotator.core.effort.add_effort`) when the document changes, every
half minute and when the database is closed, so a crash loses half a minute at most.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QWidget

from annotator.core.effort import Effort, add_effort

if TYPE_CHECKING:
    from annotator.core.changes import Change
    from annotator.gui.workspace import Workspace

log = logging.getLogger(__name__)

IDLE_LIMIT = 60.0  # seconds; a longer gap between input events is a pause, not work
FLUSH_MS = 30_000

# Cheap to test for: the filter sees every event of the application, paints included.
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.Shortcut,
    }
)


class EffortMeter(QObject):
    """Counts key presses, active seconds and spans made on the workspace's open document."""

    # A measurement reached the database, so views of the totals can read them again.
    saved = Signal()

    def __init__(
        self,
        workspace: Workspace,
        window: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        idle_limit: float = IDLE_LIMIT,
        flush_ms: int = FLUSH_MS,
    ) -> None:
        super().__init__(window)
        self.workspace = workspace
        self._window = window
        self._clock = clock
        self.idle_limit = idle_limit
        self._last_input: float | None = None
        self._document_id = self._open_document_id()
        self.pending = Effort()
        self._failing = False
        workspace.documentOpened.connect(self._on_document_opened)
        workspace.changed.connect(self._on_changed)
        workspace.corpusClosing.connect(self.flush)
        self._timer = QTimer(self)
        self._timer.setInterval(flush_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    # -- measuring ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY and self._ours(watched, kind):
            self.record_input(keystroke=kind in (QEvent.Type.KeyPress, QEvent.Type.Shortcut))
        return False

    def _ours(self, watched: QObject, kind: QEvent.Type) -> bool:
        """Whether the event is this window's, and seen once: a key press reaches the
        native window, then the focus widget, then its parents if ignored, and the filter
        sees each delivery; only the focus widget's (or, with no focus, the window's) counts,
        or, while one of the window's menus is open, the menu's."""
        window = self._window
        if kind == QEvent.Type.Shortcut:  # sent to an action, once
            return window is None or QApplication.activeWindow() is window
        if kind == QEvent.Type.KeyPress:
            popup = QApplication.activePopupWidget()
            if popup is not None:  # an open menu takes the keys, the focus stays put
                if watched is not popup:
                    return False
                owner = popup.parentWidget()
                return window is None or (owner is not None and owner.window() is window)
            focus = QApplication.focusWidget()
            if focus is None:
                return isinstance(watched, QWindow) and (
                    window is None or watched is window.windowHandle()
                )
            if watched is not focus:
                return False
            return window is None or focus.window() is window
        if not isinstance(watched, QWidget):
            return False  # a mouse event reaches the native window first
        return window is None or watched.window() is window

    def record_input(self, *, keystroke: bool = False) -> None:
        """One input event now: the gap since the last counts if it is short enough."""
        now = self._clock()
        seconds = 0.0
        if self._last_input is not None and 0 < now - self._last_input < self.idle_limit:
            seconds = now - self._last_input
        self._last_input = now
        if self._document_id is None:
            return
        if seconds or keystroke:
            self.pending = self.pending + Effort(seconds, 1 if keystroke else 0, 0)

    def _on_changed(self, changes: list[Change]) -> None:
        """Spans the user made: additions to their own layer, undo and redo left out."""
        corpus = self.workspace.corpus
        if corpus is None or self._document_id is None:
            return
        made = 0
        for change in changes:
            if (
                change.entity == "span"
                and change.action == "add span"
                and change.before is None
                and change.after is not None
                and change.after.get("annotator_id") == corpus.annotator_id()
            ):
                made += 1
        if made:
            self.pending = self.pending + Effort(0.0, 0, made)

    # -- saving -------------------------------------------------------------------------

    def _open_document_id(self) -> int | None:
        document = self.workspace.document
        return document.id if document is not None else None

    def _on_document_opened(self) -> None:
        opened = self._open_document_id()
        if opened != self._document_id:
            self.flush()
            self._document_id = opened

    def flush(self) -> bool:
        """Add what was measured to the database; a failure is said, kept and tried again."""
        pending, document_id, corpus = self.pending, self._document_id, self.workspace.corpus
        if pending == Effort() or document_id is None or corpus is None:
            return True
        self.pending = Effort()
        try:
            add_effort(corpus, document_id, pending)
        except Exception as error:  # a measurement must never take the window down
            log.warning("could not save time and effort: %s", error)
            self.pending = self.pending + pending
            if not self._failing:
                self.workspace.failed.emit(f"could not save time and effort: {error}")
            self._failing = True
            return False
        self._failing = False
        self.saved.emit()
        return True

    def stop(self) -> None:
        """Save what is left and stop listening."""
        self._timer.stop()
        self.flush()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_effort_meter(
    window: QWidget,
    workspace: Workspace,
    *,
    clock: Callable[[], float] = time.monotonic,
    idle_limit: float = IDLE_LIMIT,
) -> EffortMeter:
    """The meter on the whole application (the window's child widgets included), owned by
    the window so that it goes with it."""
    meter = EffortMeter(workspace, window, clock=clock, idle_limit=idle_limit)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(meter)
    return meter
