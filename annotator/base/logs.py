"""One log file for the command line and the window, where a bug leaves its traceback."""

from __future__ import annotations

import logging
import os
import sys
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from annotator.base.environment import APP_NAME

LOG_NAME = "annotator.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(APP_NAME)


def log_path() -> Path:
    return platformdirs.user_log_path(APP_NAME) / LOG_NAME


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Tracebacks name documents and folders: the file and its rotations are the user's only."""

    def _open(self) -> TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(descriptor, 0o600)
        return os.fdopen(descriptor, "a", encoding=self.encoding, errors=self.errors)


class _WithoutTraceback(logging.Filter):
    """A traceback is for the file; whoever logged it tells the user in their own words."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is None


_installed: list[logging.Handler] = []


def configure_logging(*, verbose: bool = False) -> Path | None:
    """INFO and up to the rotating log file, WARNING and up (INFO when verbose) to stderr.

    Returns the log file, or None when its folder cannot be made (a read-only home): the
    program still runs and logs to stderr alone. Calling it again replaces the handlers.
    """
    while _installed:
        handler = _installed.pop()
        log.removeHandler(handler)
        handler.close()
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        file = _PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        written: Path | None = None
    else:
        written = path
        file.setLevel(log.level)
        file.setFormatter(logging.Formatter(FORMAT))
        _installed.append(file)
    screen = logging.StreamHandler(sys.stderr)
    screen.setLevel(logging.INFO if verbose else logging.WARNING)
    screen.setFormatter(logging.Formatter("annotator: %(levelname)s: %(message)s"))
    if written is not None:
        screen.addFilter(_WithoutTraceback())
    _installed.append(screen)
    for handler in _installed:
        log.addHandler(handler)
    return written
