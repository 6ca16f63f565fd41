"""A database the window cannot open: the same sentence as the command line, and the offer
of another database or a new one, remembered for the next start, instead of an empty window."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from annotator.base.errors import DatabaseUnavailable, Unavailable
from annotator.core.corpus import Corpus
from annotator.gui import settings as options
from annotator.gui.database_problem import DatabaseProblemDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings


@pytest.fixture
def frame(qtbot, settings: Settings) -> Iterator[MainWindow]:
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()  # lets the change watch go, then closes the corpus


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    connection.close()
    return path


def sentence_for(path: Path) -> str:
    with pytest.raises(DatabaseUnavailable) as caught:
        Corpus.open(str(path))
    return str(caught.value)


def answering(monkeypatch: pytest.MonkeyPatch, *answers: Sequence[str]) -> list[str]:
    """Answer each offer in turn by clicking the named buttons of the real, modal dialog;
    returns the reason each offer showed."""
    shown: list[str] = []
    pending = list(answers)
    real_exec = DatabaseProblemDialog.exec

    def exec_and_answer(dialog: DatabaseProblemDialog) -> int:
        shown.append(dialog.findChild(QLabel, "reason").text())
        clicks = [dialog.findChild(QPushButton, name) for name in pending.pop(0)]
        assert all(button is not None for button in clicks)
        for delay, button in enumerate(clicks):
            QTimer.singleShot(10 * (delay + 1), dialog, button.click)
        QTimer.singleShot(5000, dialog, dialog.reject)  # never hang the suite
        return real_exec(dialog)

    monkeypatch.setattr(DatabaseProblemDialog, "exec", exec_and_answer)
    return shown


def choosing(monkeypatch: pytest.MonkeyPatch, method: str, *paths: str) -> list[str]:
    """The file chooser answers these paths in turn ("" is Cancel); returns its titles."""
    pending = list(paths)
    titles: list[str] = []

    def chooser(_parent: object, title: str, *_args: object, **_kwargs: object) -> tuple[str, str]:
        titles.append(title)
        return pending.pop(0), ""

    monkeypatch.setattr(QFileDialog, method, chooser)
    return titles


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_open_another_database_instead(
    frame: MainWindow,
    settings: Settings,
    foreign: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = tmp_path / "good.db"
    with Corpus.open(str(good), annotator="alice") as corpus:
        corpus.create_project("mine")
    before = fingerprint(foreign)
    shown = answering(monkeypatch, ["openAnother"])
    titles = choosing(monkeypatch, "getOpenFileName", str(good))

    assert frame.open_database(str(foreign), annotator="alice", project=None)

    expected = sentence_for(foreign)
    assert "made by another application, not annotator" in expected
    assert shown == [expected[0].upper() + expected[1:] + "."]
    assert titles == ["Open a database"]
    assert frame.db_url == f"sqlite:///{good}"
    assert frame.workspace.corpus is not None
    assert [p.name for p in frame.workspace.corpus.projects()] == ["mine"]
    assert frame.workspace.project is not None and frame.workspace.project.name == "mine"
    assert settings.get(options.DATABASE) == str(good)
    assert fingerprint(foreign) == before


def test_create_a_new_database_instead(
    frame: MainWindow,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    newer = tmp_path / "newer.db"
    Corpus.open(str(newer)).close()
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    connection.close()
    shown = answering(monkeypatch, ["createNew"])
    choosing(monkeypatch, "getSaveFileName", str(tmp_path / "fresh"))  # no suffix typed

    assert frame.open_database(str(newer), annotator="alice", project=None)

    assert len(shown) == 1 and "a newer version of annotator made it" in shown[0]
    fresh = tmp_path / "fresh.db"
    assert fresh.is_file()
    assert frame.db_url == f"sqlite:///{fresh}"
    assert frame.workspace.corpus is not None
    assert frame.workspace.corpus.projects()  # seeded with the sample, as a first start is
    assert settings.get(options.DATABASE) == str(fresh)


def test_quit_leaves_everything_as_it_was(
    frame: MainWindow,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(os.urandom(4096))
    before = fingerprint(broken)
    settings.set(options.DATABASE, str(broken))
    shown = answering(monkeypatch, ["quit"])

    assert not frame.open_database(str(broken), annotator="alice", project=None)

    assert shown == [f"Cannot open the database {broken}: the file is not a database."]
    assert frame.workspace.corpus is None
    assert settings.get(options.DATABASE) == str(broken)
    assert fingerprint(broken) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.db", "settings.ini"]


def test_a_cancelled_chooser_and_a_second_bad_choice_keep_the_offer_open(
    frame: MainWindow,
    settings: Settings,
    foreign: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_text("not a database, only words", encoding="utf-8")
    good = tmp_path / "good.db"
    shown = answering(monkeypatch, ["openAnother", "openAnother"], ["openAnother"])
    # Cancel, then the broken file, then a new path (an empty database is made there).
    choosing(monkeypatch, "getOpenFileName", "", str(broken), str(good))

    assert frame.open_database(str(foreign), annotator="alice", project=None)

    assert len(shown) == 2
    assert "made by another application" in shown[0]
    assert shown[1] == f"Cannot open the database {broken}: the file is not a database."
    assert frame.db_url == f"sqlite:///{good}"
    assert settings.get(options.DATABASE) == str(good)


def test_a_database_that_opens_is_not_remembered_by_itself(
    frame: MainWindow, settings: Settings, tmp_path: Path
) -> None:
    """Only a choice made in the offer is saved: a --db flag stays for that run."""
    assert frame.open_database(str(tmp_path / "flag.db"), annotator="alice", project=None)
    assert settings.get(options.DATABASE) == ""


def test_the_offer_looks_right(qtbot, foreign: Path, tmp_path: Path) -> None:
    dialog = DatabaseProblemDialog(sentence_for(foreign))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = [button.text() for button in dialog.findChildren(QPushButton)]
    assert sorted(texts) == ["Create new…", "Open another…", "Quit"]
    assert dialog.open_another.isDefault()
    shot = tmp_path / "database-problem.png"
    assert dialog.grab().save(str(shot))
    assert shot.stat().st_size > 1000
    assert Unavailable.FOREIGN.exit_code == 20


# -- the settings file is the user's alone ------------------------------------------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@posix_only
def test_the_settings_file_is_the_users_alone(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "conf" / "annotator.ini"
        settings = Settings(QSettings(str(path), QSettings.Format.IniFormat))
        settings.set(options.ANNOTATOR, "alice")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        path.chmod(0o644)  # loosened by hand, or rewritten by Qt: tightened at the next save
        settings.set(options.LAST_PROJECT, "news")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert (
            Settings(QSettings(str(path), QSettings.Format.IniFormat)).get(options.ANNOTATOR)
            == "alice"
        )
    finally:
        os.umask(old_umask)


@posix_only
def test_the_native_settings_file_is_the_users_alone() -> None:
    settings = Settings()
    settings.set(options.ANNOTATOR, "alice")
    path = Path(settings.store.fileName())
    assert path.is_relative_to(Path.home())  # the test's own home, never the real one
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
