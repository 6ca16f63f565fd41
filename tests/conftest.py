"""Shared fixtures: an isolated data folder, a fresh database on each backend, the corpora."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus
    from tests.core.database_state import NoRoom

# GUI tests run without a display; set before any Qt import so plain `pytest` works.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "resources" / "samples"
CORPORA = Path(os.environ.get("ANNOTATOR_CORPORA", REPO.parent / "shared" / "corpora"))

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL")
NO_SERVER = "no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)"
# Every test database is named so; what a test leaves behind is dropped as the session ends.
TEST_DATABASE_PREFIX = "annotator_test_"
_created_databases: set[str] = set()


def _admin_execute(statement: str) -> object:
    from sqlalchemy import create_engine, text

    assert PG_URL is not None
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            result = connection.execute(text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        admin.dispose()


_icu: list[bool] = []


def _sorted_as_people_sort() -> str:
    """Databases sort text the way a server set up for English speakers does, not byte by
    byte as SQLite and the C locale do: a query that trusts the collation shows up here."""
    if not _icu:
        found = _admin_execute("SELECT count(*) FROM pg_collation WHERE collname = 'en-US-x-icu'")
        _icu.append(bool(found))
    return " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'" if _icu[0] else ""


def _pg_database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    assert PG_URL is not None
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def fresh_pg_url(template: str | None = None) -> str:
    """A new database on the test server: empty, or a copy of `template`."""
    name = f"{TEST_DATABASE_PREFIX}{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else _sorted_as_people_sort()
    _admin_execute(f'CREATE DATABASE "{name}"{copied}')
    _created_databases.add(name)
    return _pg_database_url(name)


def drop_pg_database(url: str) -> None:
    """Connections a test left open are ended first, so the server does not fill up."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name is not None and name.startswith(TEST_DATABASE_PREFIX)
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _created_databases.discard(name)


def pytest_sessionfinish(session: pytest.Session) -> None:
    for name in sorted(_created_databases):
        drop_pg_database(_pg_database_url(name))


def _needs_server() -> str:
    if not PG_URL:
        pytest.skip(NO_SERVER)
    return PG_URL


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """In CI a skipped PostgreSQL test is a failure: the server must be there."""
    report = yield
    if os.environ.get("CI") and report.skipped and "ANNOTATOR_TEST_PG_URL" in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = (
            "the PostgreSQL tests may not be skipped in CI, but ANNOTATOR_TEST_PG_URL is not set:"
            " run the tests through .ci/run, which starts a server"
        )
    return report


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each test gets a copy instead of migrating."""
    from annotator.core.db import open_engine

    path = tmp_path_factory.mktemp("template") / "corpus.db"
    open_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def _postgresql_template() -> Iterator[str]:
    """One migrated PostgreSQL database per session, the template of every test's database."""
    from sqlalchemy.engine import make_url

    from annotator.core.db import open_engine

    _needs_server()
    url = fresh_pg_url()
    open_engine(url).dispose()
    name = make_url(url).database
    assert name is not None
    yield name
    drop_pg_database(url)


class Databases:
    """Fresh databases for one test on one backend, each dropped when the test ends."""

    def __init__(self, backend: str, folder: Path, template: Path | str) -> None:
        self.backend = backend
        self._folder = folder
        self._template = template
        self._made: list[str] = []

    def new(self, name: str = "corpus", *, empty: bool = False) -> str:
        """A database at the newest schema without rows; `empty` leaves out the schema too."""
        if self.backend == "sqlite":
            path = self._folder / f"{name}.db"
            assert not path.exists(), f"{path} is taken"
            if not empty:
                shutil.copyfile(self._template, path)
            return f"sqlite:///{path}"
        url = fresh_pg_url(template=None if empty else str(self._template))
        self._made.append(url)
        return url

    def drop(self) -> None:
        for url in self._made:
            drop_pg_database(url)


_DATABASES = pytest.StashKey["Databases"]()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the newest schema and without rows, on SQLite and PostgreSQL.

    The one switch between the backends: every test using it, or `databases`, runs on
    both; `@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)` picks one.
    """
    template = request.getfixturevalue(f"_{request.param}_template")
    made = request.node.stash[_DATABASES] = Databases(request.param, tmp_path, template)
    yield made.new()
    made.drop()


@pytest.fixture
def databases(database_url: str, request: pytest.FixtureRequest) -> Databases:
    """More fresh databases on the backend of `database_url`, dropped with it."""
    return request.node.stash[_DATABASES]


@pytest.fixture
def empty_database_url(databases: Databases) -> str:
    """A database with no schema at all yet, for the tests of migrations."""
    return databases.new("empty", empty=True)


@pytest.fixture
def corpus(database_url: str) -> Iterator[Corpus]:
    from annotator.core.corpus import Corpus

    with Corpus.open(database_url, annotator="alice") as opened:
        yield opened


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
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    pg_url = _needs_server()
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
