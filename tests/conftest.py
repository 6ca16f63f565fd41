"""Shared fixtures: an isolated data folder for every test and the third-party corpora."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.core.database_state import NoRoom

# GUI tests run without a display; set before any Qt import so plain `pytest` works.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "resources" / "samples"
CORPORA = Path(os.environ.get("ANNOTATOR_CORPORA", REPO.parent / "shared" / "corpora"))


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the user's real data folder, settings or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # the log file
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", "tester")


@pytest.fixture
def corpora() -> Path:
    """The third-party corpora; a test that needs them says so plainly when they are absent."""
    if not (CORPORA / "SHA256SUMS").is_file():
        pytest.skip(f"third-party corpora not found at {CORPORA} (set ANNOTATOR_CORPORA)")
    return CORPORA


@pytest.fixture
def refused_login_url() -> Iterator[str]:
    """A URL of the test server for a role that exists but may not log in."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    pg_url = os.environ.get("ANNOTATOR_TEST_PG_URL")
    if not pg_url:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    role = f"annotator_nologin_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{role}\" NOLOGIN PASSWORD 'right'"))
    try:
        url = make_url(pg_url).set(username=role, password="wrong-password")
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@pytest.fixture
def no_room() -> Iterator[NoRoom]:
    """The database file may not grow: SQLite's real "database or disk is full"."""
    from tests.core.database_state import NoRoom

    room = NoRoom()
    room.start()
    try:
        yield room
    finally:
        room.stop()
