"""Trying a database server before the window switches to it, with the answer in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from annotator.base.errors import Unavailable, UserError
from annotator.core import vetting
from annotator.core.db import (
    SCHEMA_HEAD,
    _known_revision,
    place,
    tables_and_revisions,
    without_password,
)
from annotator.core.failures import classify

# Seconds a check waits for the server: the person is looking at a dialog meanwhile.
CHECK_TIMEOUT = 5
POSTGRES_DRIVER = "postgresql+psycopg"

# What each refusal means to someone filling in the dialog, in their words, not the driver's.
_ANSWERS = {
    Unavailable.LOGIN_REFUSED: "The server refused the login: the user name or the password "
    "is wrong, or this user may not log in.",
    Unavailable.UNREACHABLE: "The server is not answering: check that it is running and "
    "that the host and port are right.",
    Unavailable.CANNOT_OPEN: "The server answers, but it has no such database, or this user "
    "may not use it.",
    Unavailable.FOREIGN: "Not an annotator database: it holds another application's tables.",
    Unavailable.TOO_NEW: "A newer version of annotator made this database: update annotator "
    "to use it.",
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """`usable` is whether connecting would work; `message` says so in one sentence."""

    usable: bool
    message: str
    kind: Unavailable | None = None


def server_url(address: str, *, user: str = "", password: str = "") -> str:
    """The URL of `address` (`host[:port][/database]`, or a whole `postgresql://` URL),
    with the user and password given replacing the URL's own.

    The result holds the password: keep it in memory only, and show it through
    `core.db.masked`.
    """
    address = address.strip()
    if not address:
        raise UserError("type the server's address, e.g. db.example.org:5432/annotator")
    url = _parsed(address) if "://" in address else _from_parts(address)
    if user.strip():
        url = url.set(username=user.strip())
    if password:
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)


def _parsed(address: str) -> URL:
    try:
        url = make_url(address)
    except (ArgumentError, ValueError) as error:
        raise UserError(f"not a database URL: {address.split('@')[-1]}") from error
    if url.get_backend_name() not in {"postgresql", "postgres"}:
        raise UserError(f"not a PostgreSQL server: {place(url)}")
    return url.set(drivername=POSTGRES_DRIVER)


def _from_parts(address: str) -> URL:
    parts = urlsplit(f"//{address}")
    try:
        port = parts.port
    except ValueError as error:
        raise UserError(f"not a port number in {address!r}") from error
    if not parts.hostname or parts.query or parts.fragment:
        raise UserError(f"not a server address: {address!r}; give host:port/database")
    return URL.create(
        POSTGRES_DRIVER,
        username=parts.username or None,
        password=parts.password or None,
        host=parts.hostname,
        port=port,
        database=parts.path.strip("/") or None,
    )


def server_of(url: str | None) -> str | None:
    """The URL of the server `url` names, without its password; None for a SQLite file."""
    if not url or "://" not in url:
        return None
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() not in {"postgresql", "postgres"}:
        return None
    return without_password(parsed.render_as_string(hide_password=False))


def address_and_user(url: str | None) -> tuple[str, str]:
    """What the connection dialog's fields show for a server URL: `host:port/database`
    and the user; nothing for a SQLite file, and never the password."""
    server = server_of(url)
    if server is None:
        return "", ""
    parsed = make_url(server)
    if parsed.query:  # options such as sslmode only a whole URL can carry
        bare = parsed._replace(username=None, password=None)
        return bare.render_as_string(hide_password=False), parsed.username or ""
    host = f"[{parsed.host}]" if parsed.host and ":" in parsed.host else parsed.host or ""
    port = f":{parsed.port}" if parsed.port else ""
    database = f"/{parsed.database}" if parsed.database else ""
    return f"{host}{port}{database}", parsed.username or ""


def check(url: str) -> CheckResult:
    """Whether annotator could work in the database at `url`, found out within
    CHECK_TIMEOUT and without writing anything to it."""
    parsed = _parsed(url) if "://" in url else _from_parts(url)
    try:
        engine = create_engine(
            parsed,
            poolclass=NullPool,
            connect_args={"connect_timeout": CHECK_TIMEOUT},
            hide_parameters=True,
        )
    except ModuleNotFoundError as error:
        raise UserError("PostgreSQL needs the driver: pip install 'annotator[postgres]'") from error
    try:
        with engine.connect() as connection:
            tables, revisions = tables_and_revisions(connection)
    except DBAPIError as error:
        problem = classify(error, where=place(parsed))
        if problem is None:
            raise
        return CheckResult(False, _ANSWERS.get(problem.kind, _sentence(str(problem))), problem.kind)
    finally:
        engine.dispose()
    refused = vetting.refusal(tables, revisions, head=SCHEMA_HEAD, known=_known_revision)
    if refused is not None:
        return CheckResult(False, _ANSWERS[refused], refused)
    if not tables:
        return CheckResult(True, "Reachable. The database is empty: connecting creates the schema.")
    if revisions != [SCHEMA_HEAD]:
        return CheckResult(
            True, "Reachable: an annotator database; connecting brings its schema up to date."
        )
    return CheckResult(True, "Reachable: an annotator database, ready to use.")


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")
