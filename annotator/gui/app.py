"""Starting the window: paint first, then open the database, and catch what goes wrong.

A UserError, and a problem of the environment found in a database error, is shown in
plain words; anything else is a bug: logged with its traceback to the log file, shown
with an apology, and the app keeps running.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from annotator import __version__
from annotator.gui import settings as options
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.theme import apply_theme

log = logging.getLogger("annotator")


def _show_error(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    from PySide6.QtWidgets import QMessageBox

    from annotator.base.errors import DatabaseUnavailable, UserError
    from annotator.base.logs import log_path
    from annotator.core.failures import classify_uncaught

    window = QApplication.activeWindow()
    problem = error if isinstance(error, UserError) else classify_uncaught(error)
    if problem is not None:
        if isinstance(problem, DatabaseUnavailable):
            log.info("%s (%s): %s", problem.kind, problem.where, problem.detail)
        QMessageBox.warning(window, "annotator", str(problem))
        return
    import traceback

    log.error("bug in annotator %s", __version__, exc_info=(kind, error, tb))
    details = "".join(traceback.format_exception(kind, error, tb))
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("annotator")
    box.setText(
        "Sorry, something went wrong inside annotator. Your work up to the last action "
        "is saved; you can keep working."
    )
    if log_path().is_file():
        box.setInformativeText(f"This is a bug in annotator; the details are in {log_path()}.")
    box.setDetailedText(details)
    box.exec()


def run(*, db: str | None, annotator: str | None, project: str | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("annotator")
    app.setOrganizationName("annotator")
    app.setApplicationDisplayName("annotator")
    sys.excepthook = _show_error
    settings = Settings()
    apply_theme(app, settings.get(options.THEME))
    window = MainWindow(settings, build=False)
    window.show()

    def open_database() -> None:
        # The log file's handlers and the data folder's look-up wait for the first paint
        # too: they cost the person a visible delay before the window shows.
        from annotator.base.environment import annotator_source, chosen_database, given_annotator
        from annotator.base.logs import configure_logging

        configure_logging()
        log.info("opening the window (annotator %s)", __version__)
        database = chosen_database(db, setting=settings.get(options.DATABASE))
        given = given_annotator(annotator, setting=settings.get(options.ANNOTATOR))
        window.build()
        who = given or window.ask_identity()  # the first start: asked, not assumed
        window.annotator_source = annotator_source(
            annotator, setting=settings.get(options.ANNOTATOR)
        )
        if not window.open_database(database, annotator=who, project=project):
            window.close()

    # The panels and the database stack take longer to import than the window takes to
    # paint: paint the frame first, so the person sees the window at once, then fill it.
    after_first_paint = _AfterFirstPaint(window, open_database)
    window.installEventFilter(after_first_paint)
    return app.exec()


class _AfterFirstPaint(QObject):
    """Runs `then` once, in the event loop turn after the window's first paint."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._then = then
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._seen:
            self._seen = True
            QTimer.singleShot(0, self._run)
        return False

    def _run(self) -> None:
        # Removed here, not in eventFilter: removing a filter while an event is being
        # filtered makes Qt skip the object's other filters for that event.
        self._window.removeEventFilter(self)
        self._then()
