"""GUI fixtures: a main window, or a bare workspace, on a fresh database; a team server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.workspace import Workspace
from tests.pg_proxy import PgProxy


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


# -- a team server, through a forwarder a test can take down --------------------------------

PROXY_PASSWORD = "correct horse & battery/7"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A new empty database on the test server (ANNOTATOR_TEST_PG_URL), dropped afterwards
    with whatever connections are left to it."""
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    pg_url = os.environ.get("ANNOTATOR_TEST_PG_URL")
    if not pg_url:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    name = f"annotator_gui_{uuid.uuid4().hex[:12]}"
    # No pool: each statement's connection is closed at once, so none is left for the
    # garbage collector to find open in a later test.
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture
def pg_proxy(pg_database: str) -> Iterator[PgProxy]:
    """The test server behind a forwarder that asks for PROXY_PASSWORD (the server itself
    trusts every login); `down()` is a server gone away, `up()` the same one back."""
    proxy = PgProxy(pg_database, password=PROXY_PASSWORD)
    proxy.up()
    try:
        yield proxy
    finally:
        proxy.down()
