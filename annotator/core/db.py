"""Opening a corpus database: where it lives, how SQLite is tuned, and migrating it on open."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from annotator.base.environment import chosen_database
from annotator.base.errors import DatabaseUnavailable, UserError
from annotator.core import vetting
from annotator.core.failures import classify

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# How long a SQLite write waits for another program's lock before it gives up, in seconds.
BUSY_TIMEOUT = 30.0
# The execution option that marks a connection whose transaction will write.
WRITES = "annotator_writes"
# The newest revision in MIGRATIONS; a test keeps it equal to Alembic's head. A database
# already there opens without loading Alembic, which costs more than the rest of start-up.
SCHEMA_HEAD = "0006"
# How long opening a PostgreSQL connection may take, in seconds: a server that has gone
# away (not refusing, just silent) would otherwise hold the window for minutes.
CONNECT_TIMEOUT = 10

log = logging.getLogger(__name__)
# Open SQLite connections of this process, by file: see _prepare_sqlite_file.
_LIVE_CONNECTIONS: Counter[Path] = Counter()


def resolve_url(flag: str | None = None) -> str:
    """The URL of the chosen database (see annotator.base.environment), a path made a URL."""
    chosen = chosen_database(flag)
    if "://" not in chosen:  # a bare path means a SQLite file
        return f"sqlite:///{Path(chosen).expanduser().resolve()}"
    return chosen


# A password may also come as a query parameter (`?password=`), which SQLAlchemy shows.
_PASSWORD_PARAMETER = re.compile(r"([?&](?:password|passwd|pass|sslpassword)=)[^&]*", re.I)


def masked(url: str | URL) -> str:
    """A URL fit to show: any password replaced by ***."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        shown = str(url).split("@")[-1]
    return _PASSWORD_PARAMETER.sub(r"\1***", shown)


def place(url: str | URL) -> str:
    """Where the database is, fit to show: a SQLite file's path, else the masked URL."""
    path = sqlite_file(url)
    return str(path) if path is not None else masked(url)


def short_place(url: str | URL) -> str:
    """Where the database is, as a person names it: a SQLite file's name, or a server's
    database and host (`news on db.example.org:5433`); `place` gives the whole of it."""
    path = sqlite_file(url)
    if path is not None:
        return path.name
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return masked(url)
    if parsed.drivername.startswith("sqlite"):
        return "a database in memory"
    host = parsed.host or "this machine"
    if parsed.port is not None:
        host = f"{host}:{parsed.port}"
    return f"{parsed.database} on {host}" if parsed.database else host


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise UserError(f"not a database URL: {url.split('@')[-1]}") from error
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_file(url: str | URL) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") == "true" and parsed.database.startswith("file:"):
        return Path(parsed.database.removeprefix("file:").split("?")[0])
    return Path(parsed.database)


def open_engine(url: str) -> Engine:
    """An engine on an up-to-date schema; problems of the environment become UserErrors.

    Parameters stay out of SQLAlchemy's error messages: they hold the articles' text,
    and a bug's traceback goes to the log file.
    """
    parsed = _parse(url)
    log.info("opening the database %s", masked(parsed))
    path = sqlite_file(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"cannot create the folder for {path}: {error.strerror}") from error
        _prepare_sqlite_file(path, parsed)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT}, hide_parameters=True)
        _tune_sqlite(engine, path)
    elif parsed.get_backend_name() == "postgresql":
        try:
            engine = create_engine(
                parsed,
                pool_pre_ping=True,
                hide_parameters=True,
                connect_args=_server_timeout(parsed),
            )
        except ModuleNotFoundError as error:
            raise UserError(
                "PostgreSQL needs the driver: pip install 'annotator[postgres]'"
            ) from error
    else:
        try:
            engine = create_engine(parsed, hide_parameters=True)
        except ArgumentError as error:
            raise UserError(
                f"unsupported database {masked(parsed)}: use a SQLite file or a PostgreSQL URL"
            ) from error
    try:
        if path is None:
            _refuse_unusable_server(engine, where=place(parsed))
        migrate(engine)
    except UserError:
        engine.dispose()
        raise
    except Exception as error:
        engine.dispose()
        problem = classify(error, where=place(parsed))
        if problem is None:
            raise
        raise problem from error
    return engine


def _server_timeout(parsed: URL) -> dict[str, Any]:
    """A connect timeout for a server, unless the URL sets its own."""
    return {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}


def _prepare_sqlite_file(path: Path, parsed: URL) -> None:
    """Refuse a file annotator must leave alone before anything writes to it: connecting
    switches the file to WAL, which rewrites its header. A new file is made private.

    A file this process holds connections to was vetted when they were made and is not
    read raw again: closing our own descriptor on it would drop their locks, and another
    program would take itself for the last user and delete the WAL they write to.
    """
    if _LIVE_CONNECTIONS[path.resolve()] > 0:
        return
    if vetting.is_new_file(path):
        if parsed.query.get("mode") != "ro":
            vetting.create_private(path)
        return
    vetting.refuse_unusable_sqlite(path, where=str(path), head=SCHEMA_HEAD, known=_known_revision)


def tables_and_revisions(connection: Connection) -> tuple[set[str], list[str]]:
    """What a server database holds, for vetting.refusal: its tables and schema revisions."""
    tables = set(inspect(connection).get_table_names())
    revisions: list[str] = []
    if vetting.VERSION_TABLE in tables:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        revisions = [str(revision) for (revision,) in rows]
    return tables, revisions


def _refuse_unusable_server(engine: Engine, *, where: str) -> None:
    """A server database holding another application's tables, or a newer schema."""
    with engine.connect() as connection:
        tables, revisions = tables_and_revisions(connection)
    kind = vetting.refusal(tables, revisions, head=SCHEMA_HEAD, known=_known_revision)
    if kind is not None:
        raise DatabaseUnavailable(kind, where=where, detail=f"tables {sorted(tables)}")


def _known_revision(revision: str) -> bool:
    """Whether this version of annotator has `revision`; loads Alembic, so only asked
    of a database that is not at SCHEMA_HEAD."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return revision in {known.revision for known in script.walk_revisions()}


def _tune_sqlite(engine: Engine, path: Path) -> None:
    held = path.resolve()

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "close_detached")
    def _on_close(_dbapi_connection: Any, *_record: Any) -> None:
        _LIVE_CONNECTIONS[held] -= 1

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        _LIVE_CONNECTIONS[held] += 1
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
        # savepoints work and reads inside a transaction see one snapshot.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        # Safe against a crash of the app; only a power cut can lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that will write takes the write lock at once, waiting for it within
        # the busy timeout; a read that later turns into a write is refused by SQLite at
        # once instead, without waiting, whenever another program is writing.
        will_write = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if will_write else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write, committed at the end or rolled back.

    On SQLite it holds the write lock from the start (see `_tune_sqlite`); PostgreSQL
    locks rows as they are written and needs nothing more.
    """
    with engine.connect() as connection, connection.execution_options(**{WRITES: True}).begin():
        yield connection


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_revisions(engine: Engine) -> list[str]:
    """The revisions recorded in the database; none for a new or foreign database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return [str(revision) for (revision,) in rows]


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, a SQLite file copied into its backups first."""
    if schema_revisions(engine) == [SCHEMA_HEAD]:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_tables = bool(inspect(connection).get_table_names())
    if current == head:
        return
    path = sqlite_file(engine.url)
    if path is not None and has_tables and head is not None:
        from annotator.core.backups import before_migration

        before_migration(path, head)
    with writing(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


__all__ = ["SQLAlchemyError", "masked", "open_engine", "resolve_url"]


def without_password(url: str) -> str:
    """Passwords belong in PGPASSWORD or ~/.pgpass, never in a settings file."""
    if "://" not in url or "@" not in url:
        return url
    try:
        # URL.set() keeps a password it is given None for; a plain replace drops it.
        return make_url(url)._replace(password=None).render_as_string(hide_password=False)
    except (ArgumentError, ValueError):
        return url
