"""The first start asks who is working (the system user name offered) instead of
labelling under it unasked; the settings show the name in use, whatever chose it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from annotator.base import environment
from annotator.cli import main
from annotator.gui import app as app_module
from annotator.gui import settings as options
from annotator.gui.identity_dialog import IdentityDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.settings_dialog import SettingsDialog
from tests.gui.modal import driving


@pytest.fixture
def first_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """No flag, no environment variable, no saved name: a person's first start."""
    monkeypatch.delenv("ANNOTATOR_ANNOTATOR", raising=False)
    monkeypatch.setattr(environment.getpass, "getuser", lambda: "sam")
    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(
        app_module, "Settings", lambda: Settings(QSettings(ini, QSettings.Format.IniFormat))
    )
    return Settings(QSettings(ini, QSettings.Format.IniFormat))


def start(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *flags: str,
    then: Callable[[MainWindow], None] = lambda window: None,
) -> str:
    """`annotator [flags]` as the command line runs it; the name the window works under."""
    seen: dict[str, str] = {}

    def fake_exec() -> int:
        window = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        qtbot.waitUntil(
            lambda: (
                getattr(window, "workspace", None) is not None
                and window.workspace.project is not None
            ),
            timeout=10_000,
        )
        try:
            seen["annotator"] = window.workspace.corpus.annotator_name
            then(window)
        finally:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert main(["--db", str(tmp_path / "c.db"), *flags]) == 0
    return seen["annotator"]


def settings_shown(qtbot: Any, monkeypatch: pytest.MonkeyPatch, into: list[str]) -> Any:
    """Opens Settings with Ctrl+, and keeps what its "Working as" row says."""

    def read_and_close(dialog: SettingsDialog) -> None:
        into.append(dialog.in_use.text())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    def then(window: MainWindow) -> None:
        unused = driving(monkeypatch, SettingsDialog, read_and_close)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.isActiveWindow() and window.article.text.isVisible())
        qtbot.keyClick(window.article.text, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
        assert unused == []

    return then


def test_the_first_start_asks_once_and_remembers_the_name(
    qtbot: Any, first_start: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []

    def type_a_name(dialog: IdentityDialog) -> None:
        offered.append(dialog.name.text())
        qtbot.keyClicks(dialog.name, "ines")  # replaces the suggestion, which is selected
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)

    unused = driving(monkeypatch, IdentityDialog, type_a_name)
    assert start(qtbot, monkeypatch, tmp_path) == "ines"
    assert unused == [] and offered == ["sam"]
    assert first_start.get(options.ANNOTATOR) == "ines"

    asked_again: list[IdentityDialog] = []
    driving(
        monkeypatch, IdentityDialog, lambda dialog: (asked_again.append(dialog), dialog.reject())
    )
    shown: list[str] = []
    then = settings_shown(qtbot, monkeypatch, shown)
    assert start(qtbot, monkeypatch, tmp_path, then=then) == "ines"
    assert asked_again == []
    assert shown == ["ines (saved in these settings)"]


def test_cancelling_works_under_the_system_name_and_asks_again_next_time(
    qtbot: Any, first_start: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancel(dialog: IdentityDialog) -> None:
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)

    unused = driving(monkeypatch, IdentityDialog, cancel, cancel)
    shown: list[str] = []
    then = settings_shown(qtbot, monkeypatch, shown)
    assert start(qtbot, monkeypatch, tmp_path, then=then) == "sam"
    assert first_start.get(options.ANNOTATOR) == ""
    assert shown == ["sam (your system user name)"]
    assert start(qtbot, monkeypatch, tmp_path) == "sam"
    assert unused == []  # asked on each start until a name is given


@pytest.mark.parametrize(
    ("flags", "variable", "expected"),
    [
        (("--annotator", "carol"), "from-environment", "carol (from --annotator)"),
        ((), "from-environment", "from-environment (from $ANNOTATOR_ANNOTATOR)"),
    ],
)
def test_a_name_given_by_flag_or_environment_is_not_asked_and_the_settings_say_whence(
    qtbot: Any,
    first_start: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    variable: str,
    expected: str,
) -> None:
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", variable)
    asked: list[IdentityDialog] = []
    driving(monkeypatch, IdentityDialog, lambda dialog: (asked.append(dialog), dialog.reject()))
    shown: list[str] = []
    then = settings_shown(qtbot, monkeypatch, shown)
    start(qtbot, monkeypatch, tmp_path, *flags, then=then)
    assert asked == []
    assert shown == [expected]
    assert first_start.get(options.ANNOTATOR) == ""
