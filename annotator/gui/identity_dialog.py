"""Who is working, asked once on the first start instead of labelling under the system
user name unasked: every span, status and history row carries this name."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class IdentityDialog(QDialog):
    def __init__(self, suggestion: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityDialog")
        self.setWindowTitle("Who is annotating?")
        intro = QLabel(
            "Your name goes with every span and status you make, so that a team can tell "
            "its layers apart. You can change it later in Settings."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(suggestion)
        self.name.setObjectName("identityName")
        self.name.selectAll()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._on_name_textChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.name)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)

    def _on_name_textChanged(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def chosen(self) -> str:
        return self.name.text().strip()


def ask_who_you_are(suggestion: str, parent: QWidget | None = None) -> str | None:
    """The name typed and accepted (Enter), or None when the person cancelled."""
    dialog = IdentityDialog(suggestion, parent)
    if dialog.exec() and dialog.chosen():
        return dialog.chosen()
    return None
