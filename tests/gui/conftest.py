"""GUI fixtures: a main window, or a bare workspace, on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.workspace import Workspace


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "corpus.db"


@pytest.fixture
def window(qtbot, settings: Settings, db_path: Path) -> Iterator[MainWindow]:
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.open_database(str(db_path), annotator="alice", project=None)
    yield main
    main.close()


@pytest.fixture
def workspace(qtbot, db_path: Path) -> Iterator[Workspace]:
    """A workspace on a database holding the sample project, not yet opened, so that a
    widget built first sees the project open; for testing one widget without the window."""
    from annotator.core.corpus import Corpus
    from annotator.core.samples import ensure_sample_project

    corpus = Corpus.open(str(db_path), annotator="alice")
    ensure_sample_project(corpus)
    opened = Workspace()
    opened.set_corpus(corpus)
    yield opened
    corpus.close()
