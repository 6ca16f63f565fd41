"""Preferences a person sets once: who they are, which database, snapping, font size."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from annotator.core.db import without_password
from annotator.gui import settings as options
from annotator.gui.settings import Settings


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, in_use: str = ""
    ) -> None:
        """`in_use`: the name this window works under and where it came from, which a
        flag or the environment may have chosen over the field below."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self._settings = settings
        self.needs_restart = False
        self.annotator = QLineEdit(settings.get(options.ANNOTATOR))
        self.annotator.setPlaceholderText("your system user name")
        self.database = QLineEdit(settings.get(options.DATABASE))
        self.database.setPlaceholderText("the default file in your user data folder")
        self.snap = QCheckBox("Widen selections to whole words")
        self.snap.setChecked(settings.get(options.SNAP_TO_WORDS))
        self.font_size = QSpinBox()
        self.font_size.setRange(8, 40)
        self.font_size.setValue(settings.get(options.FONT_SIZE))
        self.in_use = QLabel(in_use or "—")
        self.in_use.setObjectName("annotatorInUse")
        self.in_use.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self)
        form.addRow("Working as", self.in_use)
        form.addRow("Annotator name", self.annotator)
        form.addRow("Database (path or URL)", self.database)
        form.addRow("Selections", self.snap)
        form.addRow("Article font size", self.font_size)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        settings = self._settings
        annotator = self.annotator.text().strip()
        database = without_password(self.database.text().strip())
        self.needs_restart = annotator != settings.get(options.ANNOTATOR) or database != (
            settings.get(options.DATABASE)
        )
        settings.set(options.ANNOTATOR, annotator)
        settings.set(options.DATABASE, database)
        settings.set(options.SNAP_TO_WORDS, self.snap.isChecked())
        settings.set(options.FONT_SIZE, self.font_size.value())
        super().accept()
