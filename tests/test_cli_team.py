"""`annotator team` as the owner runs it: real processes, a real server, the password
from a file or typed on a terminal, never on the command line nor in any output."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from annotator.base.logs import log_path
from annotator.core.corpus import Corpus

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL")
COMMAND = [sys.executable, "-m", "annotator.cli"]


def _admin(statement: str) -> None:
    assert PG_URL is not None
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@dataclass
class Server:
    url: str
    database: str
    roles: list[str]

    def member_url(self, name: str, password: str) -> str:
        return make_url(self.url).set(username=name, password=password).render_as_string(False)

    def new_name(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.roles.insert(0, name)
        return name


@pytest.fixture
def server() -> Iterator[Server]:
    """An empty database of its own; its roles are dropped with it."""
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    database = f"annotator_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{database}"')
    url = make_url(PG_URL).set(database=database).render_as_string(hide_password=False)
    found = Server(url, database, [f"{database}_reviewers", f"{database}_annotators"])
    try:
        yield found
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in found.roles:
            _admin(f'DROP ROLE IF EXISTS "{role}"')


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *argv], env=dict(os.environ), capture_output=True, text=True,
        timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _add(
    server: Server, name: str, password_file: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return _run(
        "team", "add", name, "--password-file", str(password_file), *extra, "--db", server.url
    )


def _on_terminal(argv: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the command on a pseudo-terminal, typing each answer after each prompt."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling one, as in a shell
        os.execve(sys.executable, [*COMMAND, *argv], dict(os.environ))
    seen = b""
    answered = 0
    pending = list(answers)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if not select.select([terminal], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(terminal, 1024)
            except OSError:  # the child closed the terminal: it has ended
                break
            if not chunk:
                break
            seen += chunk
            # Answer a prompt shown since the last answer, once getpass has turned the
            # echo off (it writes the prompt after that).
            if pending and seen[answered:].rstrip().endswith(b":"):
                os.write(terminal, pending.pop(0).encode() + b"\n")
                answered = len(seen)
    finally:
        os.close(terminal)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def _works_as(server: Server, name: str, password: str) -> str:
    with Corpus.open(server.member_url(name, password)) as corpus:
        return corpus.annotator_name


@pytest.mark.postgres
def test_init_and_add_with_a_password_file(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANNOTATOR_ANNOTATOR")
    done = _run("team", "init", "--db", server.url)
    assert done.returncode == 0, done.stderr
    assert f"{server.database}_annotators" in done.stdout
    again = _run("team", "init", "--db", server.url)  # as after an upgrade: safe
    assert again.returncode == 0, again.stderr
    secret = f"file-secret-{uuid.uuid4().hex[:6]}"
    password_file = tmp_path / "password"
    password_file.write_text(f"{secret}\nignored second line\n", encoding="utf-8")
    alice, rita = server.new_name("alice"), server.new_name("rita")
    for name, extra in ((alice, []), (rita, ["--reviewer"])):
        done = _add(server, name, password_file, *extra)
        assert done.returncode == 0, done.stderr
        assert secret not in done.stdout + done.stderr
    assert f"added reviewer {rita!r}" in done.stdout
    listed = _run("team", "list", "--db", server.url)
    assert listed.returncode == 0, listed.stderr
    rows = {tuple(line.split()) for line in listed.stdout.splitlines()[1:]}
    assert rows == {(alice, "annotator"), (rita, "reviewer")}
    assert _works_as(server, alice, secret) == alice
    assert _works_as(server, rita, secret) == rita
    assert secret not in log_path().read_text(encoding="utf-8")
    # The same name twice is refused plainly, and so is a name that is not a person.
    twice = _run("team", "add", alice, "--password-file", str(password_file), "--db", server.url)
    assert twice.returncode == 1
    assert twice.stderr == f"annotator: error: {alice!r} is already on the team\n"
    gold = _run("team", "add", "gold", "--password-file", str(password_file), "--db", server.url)
    assert gold.returncode == 1 and "reserved" in gold.stderr and "Traceback" not in gold.stderr


@pytest.mark.postgres
def test_add_asks_the_password_twice_on_the_terminal(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANNOTATOR_ANNOTATOR")
    assert _run("team", "init", "--db", server.url).returncode == 0
    typed = f"typed-{uuid.uuid4().hex[:6]}"
    bob = server.new_name("bob")
    code, screen = _on_terminal(["team", "add", bob, "--db", server.url], [typed, typed])
    assert code == 0, screen
    assert f"password for {bob}:" in screen and f"password for {bob} again:" in screen
    assert f"added annotator {bob!r}" in screen
    assert typed not in screen  # not echoed
    assert _works_as(server, bob, typed) == bob
    assert typed not in log_path().read_text(encoding="utf-8")
    # Two different answers change nothing.
    carol = server.new_name("carol")
    code, screen = _on_terminal(["team", "add", carol, "--db", server.url], [typed, "other"])
    assert code == 1, screen
    assert "the two passwords differ; nothing was changed" in screen
    listed = _run("team", "list", "--db", server.url)
    assert carol not in listed.stdout and bob in listed.stdout


@pytest.mark.postgres
def test_without_a_terminal_or_a_file_it_says_what_to_do(server: Server) -> None:
    assert _run("team", "init", "--db", server.url).returncode == 0
    done = _run("team", "add", server.new_name("dan"), "--db", server.url)
    assert done.returncode == 1
    assert done.stderr == (
        "annotator: error: no terminal to ask the password on: give --password-file FILE\n"
    )
    # And a password is never an option, nor taken for --password-file, nor repeated.
    for option in (["--password", "hunter22"], ["--password=hunter22"], ["-p", "hunter22"]):
        done = _run("team", "add", "dan", *option, "--db", server.url)
        assert done.returncode == 2, done.stderr
        assert "a password is never given on the command line" in done.stderr
        assert "hunter22" not in done.stdout + done.stderr


@pytest.mark.postgres
def test_before_init_add_and_list_say_so(server: Server, tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("pw\n", encoding="utf-8")
    for done in (_run("team", "list", "--db", server.url), _add(server, "gina", password_file)):
        assert done.returncode == 1
        assert done.stderr == (
            "annotator: error: team mode is not set up on this database yet: "
            "run `annotator team init`\n"
        )


def test_team_mode_needs_postgresql(tmp_path: Path) -> None:
    done = _run("team", "init", "--db", str(tmp_path / "corpus.db"))
    assert done.returncode == 1
    assert done.stderr.startswith("annotator: error: team mode needs a PostgreSQL database")
    assert not (tmp_path / "corpus.db").exists()


@pytest.mark.postgres
def test_a_member_meets_the_rules_in_words(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line shows a refusal as one plain sentence and an exit status."""
    monkeypatch.delenv("ANNOTATOR_ANNOTATOR")
    assert _run("team", "init", "--db", server.url).returncode == 0
    password_file = tmp_path / "password"
    password_file.write_text("pw\n", encoding="utf-8")
    erin = server.new_name("erin")
    assert _add(server, erin, password_file).returncode == 0
    as_erin = server.member_url(erin, "pw")
    done = _run("projects", "--create", "mine", "--db", as_erin)
    assert done.returncode == 11
    assert done.stderr == (
        "annotator: error: only the database owner may create or change projects\n"
    )
    done = _run("team", "add", "frank", "--password-file", str(password_file), "--db", as_erin)
    assert done.returncode == 1 and "only the database owner" in done.stderr
    done = _run("documents", "--project", "news", "--annotator", "someone", "--db", as_erin)
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"annotator: error: connected as role {erin!r}: you annotate as {erin}"
    )
