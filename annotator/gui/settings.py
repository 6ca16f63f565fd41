"""Every GUI preference declared once, with its type and default, stored in QSettings.

Project data lives in the database; only how this person likes the window lives here.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T

    def read(self, store: QSettings) -> T:
        value: Any = store.value(self.key, self.default)
        if value is None:
            return self.default
        kind = type(self.default)
        if kind is bool and isinstance(value, str):  # some backends store bools as text
            return value.lower() in ("true", "1", "yes")  # type: ignore[return-value]
        if kind in (int, float, str) and not isinstance(value, kind):
            try:
                return kind(value)  # type: ignore[call-arg]
            except (TypeError, ValueError):
                return self.default
        return value  # type: ignore[no-any-return]


ANNOTATOR = Option("identity/annotator", "")
DATABASE = Option("storage/database", "")
LAST_PROJECT = Option("storage/last_project", "")
SNAP_TO_WORDS = Option("editing/snap_to_words", True)
THEME = Option("view/theme", "system")  # system, light or dark
FONT_SIZE = Option("view/font_size", 13)
SPLITTER = Option("view/splitter", QByteArray())
GEOMETRY = Option("view/geometry", QByteArray())
AUTO_ACCEPT_AGREEMENTS = Option("review/auto_accept_agreements", False)


@dataclass(frozen=True)
class Place:
    """Where the person was in one database when the window closed."""

    project: str
    document_id: int
    caret: int = 0
    scroll: int = 0


def _place_group(database: str) -> str:
    """A key of its own per database; hashed, as a URL's slashes would make groups."""
    return "places/" + hashlib.sha256(database.encode("utf-8")).hexdigest()[:16]


class Settings:
    """Typed access to the stored preferences."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings("annotator", "annotator")

    def get(self, option: Option[T]) -> T:
        return option.read(self.store)

    def set(self, option: Option[T], value: T) -> None:
        self.store.setValue(option.key, value)
        self.store.sync()
        self._keep_private()

    def place(self, database: str) -> Place | None:
        """Where the window was left in `database`, if it was ever left there."""
        group = _place_group(database)
        project = Option(f"{group}/project", "").read(self.store)
        document_id = Option(f"{group}/document", 0).read(self.store)
        if not project or document_id <= 0:
            return None
        caret = Option(f"{group}/caret", 0).read(self.store)
        scroll = Option(f"{group}/scroll", 0).read(self.store)
        return Place(project, document_id, max(0, caret), max(0, scroll))

    def set_place(self, database: str, place: Place) -> None:
        group = _place_group(database)
        self.store.setValue(f"{group}/project", place.project)
        self.store.setValue(f"{group}/document", place.document_id)
        self.store.setValue(f"{group}/caret", place.caret)
        self.store.setValue(f"{group}/scroll", place.scroll)
        self.store.sync()
        self._keep_private()

    def _keep_private(self) -> None:
        """The settings name the database and the annotator: no one else need read them.

        Checked after every write, as Qt may replace the file when it saves it."""
        if os.name != "posix":
            return
        path = Path(self.store.fileName())
        try:
            if stat.S_IMODE(path.stat().st_mode) != 0o600:
                path.chmod(0o600)
        except OSError:
            pass  # not a file (another backend), or gone: nothing to protect
