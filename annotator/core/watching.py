"""Noticing that another connection changed the corpus, cheaply enough to ask every second."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from annotator.core.catalog import Catalog

log = logging.getLogger(__name__)

# The channel the triggers of migration 0004 notify on PostgreSQL.
CHANNEL = "annotator_changes"
# How long a PostgreSQL watcher whose connection was lost waits between attempts to
# reconnect, in seconds: a check must never stall the window on a server that is down.
RECONNECT_INTERVAL = 5.0


class _Probe(Protocol):
    @property
    def held(self) -> int:
        """Connections of the engine the probe has checked out."""
        ...

    def changed(self) -> bool: ...
    def close(self) -> None: ...


class ChangeWatcher:
    """Says, once, that the corpus changed since the last time it was asked.

    Every commit counts except the watcher's own (it never writes): another program's,
    and this program's other connections too, so a window that refreshes on it must
    compare and redraw only what differs. SQLite compares `PRAGMA data_version`;
    PostgreSQL listens for the notifications the triggers of migration 0004 send.
    Each check costs microseconds and never waits.
    """

    def __init__(self, corpus: Catalog) -> None:
        self._engine = corpus.engine
        self._probe: _Probe = (
            _SqliteProbe(self._engine)
            if self._engine.dialect.name == "sqlite"
            else _PostgresListener(self._engine)
        )

    def changed(self) -> bool:
        return self._probe.changed()

    def busy(self) -> bool:
        """Whether this program is using the corpus right now (an action or an import is
        between its first statement and its commit), so that a refresh should wait."""
        checked_out = getattr(self._engine.pool, "checkedout", None)
        return callable(checked_out) and int(checked_out()) > self._probe.held

    def close(self) -> None:
        self._probe.close()

    def __enter__(self) -> ChangeWatcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class _SqliteProbe:
    """`PRAGMA data_version` on one connection of the corpus engine, outside any
    transaction: its value moves whenever another connection commits.

    The connection is the engine's, so that core.db counts it among the file's live
    connections; it runs in autocommit (see core.db._tune_sqlite), so a check holds no
    snapshot and never keeps a checkpoint from finishing.
    """

    held = 1

    def __init__(self, engine: Engine) -> None:
        self._connection: Any = engine.raw_connection()
        self._version = self._read()

    def _read(self) -> int:
        cursor = self._connection.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def changed(self) -> bool:
        version = self._read()
        if version == self._version:
            return False
        self._version = version
        return True

    def close(self) -> None:
        self._connection.close()


class _PostgresListener:
    """LISTEN on one autocommit connection of the corpus engine, polled without waiting.

    A connection lost (the server restarted, the network dropped) is replaced quietly,
    at most every RECONNECT_INTERVAL seconds; anything may have changed meanwhile, so
    the first check after reconnecting says "changed".
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Any = None
        self._next_attempt = 0.0
        self._lost = False
        self._listen()

    @property
    def held(self) -> int:
        return 0 if self._connection is None else 1

    def _listen(self) -> None:
        proxied = self._engine.raw_connection()
        try:
            driver = proxied.driver_connection
            assert driver is not None
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            proxied.invalidate()
            raise
        self._connection = proxied

    def changed(self) -> bool:
        if self._connection is None and not self._reconnect():
            return False
        try:
            received = list(self._connection.driver_connection.notifies(timeout=0))
        except Exception as error:  # the driver's OperationalError, and a closed connection
            log.info("lost the connection that listens for changes: %s", error)
            self._drop()
            self._lost = True
            return self._reconnect()
        if self._lost:
            self._lost = False
            return True
        return bool(received)

    def _reconnect(self) -> bool:
        """True once listening again; until then, nothing is reported."""
        now = time.monotonic()
        if now < self._next_attempt:
            return False
        self._next_attempt = now + RECONNECT_INTERVAL
        try:
            self._listen()
        except (DBAPIError, OSError) as error:
            log.info("cannot listen for changes yet: %s", error)
            return False
        log.info("listening for changes again")
        self._lost = False
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except Exception as error:  # pragma: no cover - the connection is gone anyway
                log.info("could not discard the lost connection: %s", error)
            self._connection = None

    def close(self) -> None:
        """The connection goes back to the pool as the pool expects it: listening to
        nothing, and out of autocommit, which SQLAlchemy's transactions rely on."""
        if self._connection is None:
            return
        try:
            driver = self._connection.driver_connection
            driver.execute(f"UNLISTEN {CHANNEL}")
            driver.autocommit = False
        except Exception as error:  # a server gone by now: the connection is discarded
            log.info("could not stop listening for changes: %s", error)
            self._drop()
            return
        self._connection.close()
        self._connection = None
