"""Starting the app, settings that persist, the theme, and the README screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.gui import app as app_module
from annotator.gui import settings as options
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.settings_dialog import SettingsDialog, without_password
from annotator.gui.theme import dark_palette, light_palette


def test_layout_zoom_and_snapping_persist_between_runs(qtbot, tmp_path: Path) -> None:
    ini = str(tmp_path / "s.ini")
    first = MainWindow(Settings(QSettings(ini, QSettings.Format.IniFormat)))
    qtbot.addWidget(first)
    first.show()
    assert first.open_database(str(tmp_path / "c.db"), annotator="alice", project=None)
    first.resize(760, 560)  # inside the offscreen screen, which clamps restored geometry
    QApplication.processEvents()
    first.splitter.setSizes([180, 380, 180])
    sizes = first.splitter.sizes()
    first.zoom(2)
    first.actions_by_name[next(a for a in first.actions_by_name if a.name == "SNAP")].trigger()
    first.close()
    second = MainWindow(Settings(QSettings(ini, QSettings.Format.IniFormat)))
    qtbot.addWidget(second)
    second.show()
    assert second.splitter.sizes() == sizes
    assert second.article.text.font().pointSize() == options.FONT_SIZE.default + 2
    assert second.settings.get(options.SNAP_TO_WORDS) is False
    assert second.open_database(str(tmp_path / "c.db"), annotator="alice", project=None)
    assert second.workspace.project is not None  # the last project opens again
    second.close()


def test_settings_dialog_stores_name_and_database_without_password(
    qtbot, settings: Settings
) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.annotator.setText("bob")
    dialog.database.setText("postgresql://bob:secret@db.example/corpus")
    dialog.font_size.setValue(17)
    dialog.snap.setChecked(False)
    dialog.accept()
    assert settings.get(options.ANNOTATOR) == "bob"
    assert settings.get(options.DATABASE) == "postgresql://bob@db.example/corpus"
    assert settings.get(options.FONT_SIZE) == 17
    assert settings.get(options.SNAP_TO_WORDS) is False
    assert dialog.needs_restart
    assert without_password("/home/me/corpus.db") == "/home/me/corpus.db"


def test_run_opens_the_window_with_flags_first(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`annotator --db X --annotator Y --project P` as the command line runs it."""
    from annotator.cli import main

    seen: dict[str, object] = {}

    def fake_exec() -> int:
        window = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        # The frame paints first; the panels and the database follow.
        qtbot.waitUntil(
            lambda: (
                getattr(window, "workspace", None) is not None
                and window.workspace.project is not None
            ),
            timeout=10_000,
        )
        seen["project"] = window.workspace.project.name
        seen["annotator"] = window.workspace.corpus.annotator_name
        seen["status"] = window.status_identity.text()
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    monkeypatch.setattr(app_module, "Settings", lambda: Settings(
        QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))  # fmt: skip
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", "from-environment")
    db = tmp_path / "c.db"
    assert main(["--db", str(db), "--annotator", "carol", "--project", "Sample news"]) == 0
    assert seen["project"] == "Sample news"
    assert seen["annotator"] == "carol"
    assert "carol" in str(seen["status"]) and db.name in str(seen["status"])


def test_a_bug_is_shown_with_an_apology_and_the_app_goes_on(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as error:
        app_module._show_error(ZeroDivisionError, error, error.__traceback__)
    assert "Sorry" in shown[0].text()
    assert "ZeroDivisionError: boom" in shown[0].detailedText()


def test_dark_palette_retints_spans(window: MainWindow) -> None:
    application = QApplication.instance()
    view = window.article.text
    start = window.workspace.document.text.index("Tuesday")
    view.place_caret(start)
    from PySide6.QtTest import QTest

    QTest.keyClick(view, Qt.Key.Key_4)
    QTest.keyClick(view, Qt.Key.Key_Escape)
    block = view.document().findBlock(start)

    def alpha() -> int:
        offset = start - block.position()
        ranges = [r for r in block.layout().formats() if r.start <= offset < r.start + r.length]
        return ranges[0].format.background().color().alpha()

    light = alpha()
    application.setPalette(dark_palette())
    QApplication.processEvents()
    try:
        assert view.palette().color(QPalette.ColorRole.Base).lightness() < 128
        assert alpha() != light
    finally:
        application.setPalette(light_palette())


def test_readme_screenshots_can_be_made_again(tmp_path: Path) -> None:
    from annotator.gui.screenshots import make_screenshots

    paths = make_screenshots(tmp_path)
    assert [p.name for p in paths] == [
        "workspace.png",
        "workspace-dark.png",
        "review.png",
        "labels.png",
    ]
    workspace = QImage(str(paths[0]))
    assert workspace.width() >= 1200 and workspace.height() >= 800

    # The dark one is mostly dark, the light one mostly light.
    def mean_lightness(image: QImage) -> float:
        samples = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), 40)
                   for y in range(0, image.height(), 40)]  # fmt: skip
        return sum(samples) / len(samples)

    assert mean_lightness(workspace) > 180
    assert mean_lightness(QImage(str(paths[1]))) < 90
