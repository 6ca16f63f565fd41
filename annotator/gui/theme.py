"""Light or dark, as the system says: a Fusion palette for each, switched live.

Span tints are translucent label colours computed from the palette (see article_view),
so they stay readable on both.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole


def dark_palette() -> QPalette:
    colours = {
        Role.Window: "#202124", Role.WindowText: "#e8eaed", Role.Base: "#17181a",
        Role.AlternateBase: "#26282b", Role.Text: "#e8eaed", Role.Button: "#2b2d30",
        Role.ButtonText: "#e8eaed", Role.Highlight: "#3d7bd9", Role.HighlightedText: "#ffffff",
        Role.ToolTipBase: "#2b2d30", Role.ToolTipText: "#e8eaed", Role.Link: "#8ab4f8",
        Role.PlaceholderText: "#9aa0a6", Role.Mid: "#3c4043", Role.Dark: "#111214",
        Role.Light: "#3c4043", Role.Midlight: "#333539", Role.Shadow: "#000000",
    }  # fmt: skip
    return _palette(colours, disabled="#7f8389")


def light_palette() -> QPalette:
    colours = {
        Role.Window: "#f3f3f3", Role.WindowText: "#1f1f1f", Role.Base: "#ffffff",
        Role.AlternateBase: "#f7f7f7", Role.Text: "#1f1f1f", Role.Button: "#f0f0f0",
        Role.ButtonText: "#1f1f1f", Role.Highlight: "#2f7cd3", Role.HighlightedText: "#ffffff",
        Role.ToolTipBase: "#ffffdc", Role.ToolTipText: "#1f1f1f", Role.Link: "#1a5fb4",
        Role.PlaceholderText: "#8a8f98", Role.Mid: "#c8c8c8", Role.Dark: "#a0a0a0",
        Role.Light: "#ffffff", Role.Midlight: "#e3e3e3", Role.Shadow: "#767676",
    }  # fmt: skip
    return _palette(colours, disabled="#a0a0a0")


def _palette(colours: dict[QPalette.ColorRole, str], *, disabled: str) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette


THEMES = ("system", "light", "dark")
_chosen = {"theme": "system"}


def apply_theme(app: QApplication, theme: str = "system") -> None:
    """Light or dark as chosen; "system" uses the scheme the system reports now, and
    follows it when it changes."""
    app.setStyle("Fusion")
    first = _chosen.get("connected") is None
    _chosen["theme"] = theme if theme in THEMES else "system"
    hints = QGuiApplication.styleHints()

    def follow(scheme: Qt.ColorScheme) -> None:
        if _chosen["theme"] != "system":
            return
        app.setPalette(dark_palette() if scheme == Qt.ColorScheme.Dark else light_palette())

    if _chosen["theme"] == "system":
        follow(hints.colorScheme())
    else:
        app.setPalette(dark_palette() if _chosen["theme"] == "dark" else light_palette())
    if first:
        hints.colorSchemeChanged.connect(follow)
        _chosen["connected"] = "yes"
