"""View offers system, light and dark themes; the choice applies at once and is kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from annotator.gui import settings as options
from annotator.gui.actions import Act
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.theme import apply_theme


@pytest.fixture(autouse=True)
def _system_theme_after(qapp: QApplication) -> Iterator[None]:
    yield
    apply_theme(qapp, "system")  # the palette is the whole application's


def _window_colour() -> str:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.palette().color(QPalette.ColorRole.Window).name()


def test_the_view_menus_theme_applies_at_once_and_is_kept(
    qtbot, window: MainWindow, settings: Settings, tmp_path
) -> None:
    dark, light = window.actions_by_name[Act.THEME_DARK], window.actions_by_name[Act.THEME_LIGHT]
    assert window.actions_by_name[Act.THEME_SYSTEM].isChecked()

    dark.trigger()
    assert _window_colour() == "#202124"
    assert settings.get(options.THEME) == "dark"
    assert dark.isChecked() and not light.isChecked()
    QApplication.processEvents()  # the palette reaches the open widgets
    assert window.article.text.palette().color(QPalette.ColorRole.Base).name() == "#17181a"
    window.grab().save(str(tmp_path / "dark.png"))

    light.trigger()
    assert _window_colour() == "#f3f3f3"
    assert not dark.isChecked()

    dark.trigger()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.actions_by_name[Act.THEME_DARK].isChecked()
