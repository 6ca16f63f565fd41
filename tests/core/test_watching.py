"""The change watcher notices other connections' commits, once each, on both backends."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from annotator.base.vocabulary import Status
from annotator.core import db, watching
from annotator.core.corpus import Corpus
from annotator.core.watching import ChangeWatcher
from tests.conftest import REPO
from tests.core.conftest import Seeded, add_document

SETTLE = 5.0  # seconds a notification may take to arrive on a loaded machine
# The few tests about one backend only (the fixture's own skip covers a missing server).
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ON_POSTGRESQL = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def settled(watcher: ChangeWatcher, *, within: float = SETTLE) -> bool:
    """Whether the watcher reports a change within `within` seconds; PostgreSQL delivers
    notifications over the network, so one may arrive a moment after the commit."""
    deadline = time.monotonic() + within
    while True:
        if watcher.changed():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


@pytest.fixture
def watcher(seeded: Seeded) -> Iterator[ChangeWatcher]:
    with ChangeWatcher(seeded.corpus) as opened:
        yield opened


@pytest.fixture
def other(database_url: str, seeded: Seeded) -> Iterator[Corpus]:
    """Another annotator's program on the same database."""
    with Corpus.open(database_url, annotator="bob") as opened:
        yield opened


def test_nothing_committed_is_no_change(watcher: ChangeWatcher, seeded: Seeded) -> None:
    assert not watcher.changed()
    seeded.corpus.documents(seeded.project_id)  # reads change nothing
    seeded.corpus.spans(seeded.document_id)
    time.sleep(0.2)
    assert [watcher.changed() for _ in range(5)] == [False] * 5


def test_another_corpus_committing_is_one_change(
    watcher: ChangeWatcher, seeded: Seeded, other: Corpus
) -> None:
    other.add_span(seeded.document_id, seeded.person, 0, 3)
    assert settled(watcher)
    time.sleep(0.2)
    assert not watcher.changed()  # reported once
    other.set_status(seeded.document_id, Status.DONE)
    assert settled(watcher)
    assert not watcher.changed()


@pytest.mark.parametrize("change", ["document", "status", "label", "document label", "undo"])
def test_every_kind_of_shared_change_is_seen(
    watcher: ChangeWatcher, seeded: Seeded, other: Corpus, change: str
) -> None:
    if change == "document":
        add_document(other, seeded.project_id, "A new article.")
    elif change == "status":
        other.set_status(seeded.document_id, Status.IN_PROGRESS)
    elif change == "label":
        other.add_label(seeded.project_id, "ORG", hotkey="3")
    elif change == "document label":
        other.set_document_label(seeded.document_id, seeded.topic, True)
    else:
        made = other.add_span(seeded.document_id, seeded.place, 4, 12)
        assert settled(watcher)
        other.revert(made)
    assert settled(watcher)


def test_a_rolled_back_transaction_is_no_change(
    watcher: ChangeWatcher, seeded: Seeded, other: Corpus
) -> None:
    with pytest.raises(RuntimeError), other.action() as session:
        session.execute(text("DELETE FROM span"))
        raise RuntimeError("the action fails half-way")
    time.sleep(0.3)
    assert not watcher.changed()


def test_the_same_corpus_committing_counts_its_reading_does_not(
    watcher: ChangeWatcher, seeded: Seeded
) -> None:
    """The watcher's own connection only reads, so nothing it does is a change; the
    corpus it was made from commits through other connections, and those count: the
    window compares what it reloads and redraws only what differs."""
    for _ in range(3):
        seeded.corpus.span_view(seeded.document_id)
        assert not watcher.changed()
    seeded.corpus.add_span(seeded.document_id, seeded.person, 0, 3)
    assert settled(watcher)
    assert not watcher.changed()


def test_a_command_line_process_committing_is_seen(
    watcher: ChangeWatcher, seeded: Seeded, database_url: str, tmp_path: os.PathLike[str]
) -> None:
    source = os.path.join(tmp_path, "more.txt")
    with open(source, "w", encoding="utf-8") as out:
        out.write("Another article from the command line.\n")
    inherited = os.environ.get("PYTHONPATH")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(REPO), inherited))))
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "import", source, "--project", "news",
         "--db", database_url],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert settled(watcher)
    assert not watcher.changed()


def test_busy_while_this_program_is_inside_an_action(
    watcher: ChangeWatcher, seeded: Seeded
) -> None:
    assert not watcher.busy()
    with seeded.corpus.action():
        assert watcher.busy()
    assert not watcher.busy()


@ON_SQLITE
def test_the_watcher_is_one_of_the_files_live_connections(
    seeded: Seeded, database_url: str
) -> None:
    path = db.sqlite_file(database_url)
    assert path is not None
    before = db._LIVE_CONNECTIONS[path.resolve()]
    watcher = ChangeWatcher(seeded.corpus)
    assert db._LIVE_CONNECTIONS[path.resolve()] >= max(1, before)
    watcher.close()
    seeded.corpus.close()
    assert db._LIVE_CONNECTIONS[path.resolve()] == 0


def test_one_check_is_cheap(
    watcher: ChangeWatcher, seeded: Seeded, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The window asks every second on its own thread: a check must not be felt. The
    figure is printed for the record; the bound is loose, for a loaded machine."""
    times = []
    for _ in range(200):
        started = time.perf_counter()
        watcher.changed()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    with capsys.disabled():
        backend = make_url(database_url).get_backend_name()
        print(f"\none change check on {backend}: median {median * 1e6:.0f} µs, "
              f"max {max(times) * 1e6:.0f} µs over {len(times)}")  # fmt: skip
    assert median < 0.005


# -- PostgreSQL only -------------------------------------------------------------------


def _kill_listeners(database_url: str) -> int:
    """What a server restart does to the watcher: its backend is terminated."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND query LIKE 'LISTEN%'"
                    )
                ).all()
            )
    finally:
        admin.dispose()


@ON_POSTGRESQL
def test_a_lost_listening_connection_comes_back_and_says_changed_once(
    watcher: ChangeWatcher,
    seeded: Seeded,
    other: Corpus,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(watching, "RECONNECT_INTERVAL", 0.0)
    assert _kill_listeners(database_url) == 1
    assert settled(watcher)  # reconnected: whatever happened meanwhile may be missed
    assert not watcher.changed()
    other.add_span(seeded.document_id, seeded.person, 0, 3)
    assert settled(watcher)  # and listening again
    assert not watcher.changed()


@ON_POSTGRESQL
def test_the_triggers_send_the_table_that_changed(seeded: Seeded, database_url: str) -> None:
    import psycopg

    plain = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as listener:
        listener.execute(f"LISTEN {watching.CHANNEL}")
        seeded.corpus.add_span(seeded.document_id, seeded.person, 0, 3)
        seeded.corpus.set_status(seeded.document_id, Status.DONE)
        received: set[str] = set()
        deadline = time.monotonic() + SETTLE
        while {"span", "document_status"} - received and time.monotonic() < deadline:
            received |= {n.payload for n in listener.notifies(timeout=0.1)}
    assert {"span", "document_status"} <= received
