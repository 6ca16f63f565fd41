"""The command line on a failing database: one plain sentence and its exit status, or a
bug line that names the log file where the traceback is."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from annotator.base.errors import BUG_EXIT_CODE, Unavailable
from annotator.base.logs import log_path
from annotator.cli import main
from annotator.core import db as db_module
from annotator.core.catalog import Catalog
from annotator.core.corpus import Corpus
from tests.core.conftest import add_document

ARTICLE = "Confidential draft: the minister resigned on Tuesday."


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_plain(output: str) -> None:
    """No SQL and no article text in what the user sees."""
    for word in ("SELECT", "INSERT", "[SQL", "sqlalche.me", "Traceback", ARTICLE):
        assert word not in output


@pytest.fixture
def with_article(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    with Corpus.open(str(path), annotator="alice") as corpus:
        project = corpus.create_project("news")
        assert project.id is not None
        add_document(corpus, project.id, ARTICLE)
    return path


def test_a_bug_is_a_bug_with_its_traceback_in_the_log(
    capsys: pytest.CaptureFixture[str], with_article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement naming a missing column is annotator's fault, not the database's."""

    def broken_projects(self: Catalog) -> list[object]:
        with self.engine.connect() as connection:
            connection.execute(
                text("SELECT nosuchcolumn FROM document WHERE text = :t"), {"t": ARTICLE}
            )
        return []

    # Catalog serves `annotator projects` and is the base of Corpus: both paths are broken.
    monkeypatch.setattr(Catalog, "projects", broken_projects)
    code, out, err = run(capsys, "--db", str(with_article), "projects")
    assert code == BUG_EXIT_CODE == 70
    assert out == ""
    assert err.strip() == f"annotator: this is a bug in annotator; details are in {log_path()}"
    assert "not available" not in err
    assert_plain(err)
    logged = log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "no such column: nosuchcolumn" in logged
    assert "broken_projects" in logged
    assert ARTICLE not in logged  # the statement's parameters are hidden, even in the log


def test_the_log_file_is_the_users_alone_and_records_the_start(
    capsys: pytest.CaptureFixture[str], with_article: Path
) -> None:
    code, _, _ = run(capsys, "--db", str(with_article), "projects")
    assert code == 0
    logged = log_path().read_text(encoding="utf-8")
    assert "annotator 0." in logged and ": projects" in logged
    assert f"opening the database sqlite:///{with_article}" in logged
    if os.name == "posix":
        assert stat.S_IMODE(log_path().stat().st_mode) == 0o600


def test_a_file_that_is_not_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(os.urandom(8192))
    code, out, err = run(capsys, "--db", str(path), "projects")
    assert code == Unavailable.NOT_A_DATABASE.exit_code == 13
    assert out == ""
    assert err == f"annotator: error: cannot open the database {path}: the file is not a database\n"
    assert_plain(err)


def test_a_locked_database(
    capsys: pytest.CaptureFixture[str], with_article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT", 0.05)
    holder = sqlite3.connect(with_article, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(capsys, "--db", str(with_article), "projects", "--create", "sport")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == Unavailable.LOCKED.exit_code == 10
    assert err.startswith(f"annotator: error: the database {with_article} is busy")
    assert err.count("\n") == 1
    assert_plain(err)
    assert "database is locked" in log_path().read_text(encoding="utf-8")  # the driver's words


def test_a_read_only_database(capsys: pytest.CaptureFixture[str], with_article: Path) -> None:
    """Opened read-only by SQLite itself: file permissions would not stop root."""
    url = f"sqlite:///file:{with_article}?mode=ro&uri=true"
    code, _, err = run(capsys, "--db", url, "projects", "--create", "sport")
    assert code == Unavailable.READ_ONLY.exit_code == 11
    assert err.startswith(f"annotator: error: the database {with_article} is read-only")
    assert_plain(err)
    with Corpus.open(str(with_article)) as corpus:
        assert [p.name for p in corpus.projects()] == ["news"]


def test_an_unreachable_server_and_no_password_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("psycopg")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://someone:hunter2@127.0.0.1:{port}/corpus"
    code, _, err = run(capsys, "--db", url, "projects")
    assert code == Unavailable.UNREACHABLE.exit_code == 16
    assert err.startswith("annotator: error: cannot reach the database server")
    assert f"someone:***@127.0.0.1:{port}/corpus" in err
    assert_plain(err)
    logged = log_path().read_text(encoding="utf-8")
    assert "Connection refused" in logged
    assert "hunter2" not in err and "hunter2" not in logged


@pytest.mark.postgres
def test_a_refused_login(capsys: pytest.CaptureFixture[str], refused_login_url: str) -> None:
    code, _, err = run(capsys, "--db", refused_login_url, "projects")
    assert code == Unavailable.LOGIN_REFUSED.exit_code == 17
    assert err.startswith("annotator: error: the database server")
    assert "refused the login" in err
    assert "wrong-password" not in err
    assert_plain(err)


def test_the_installed_entry_point_exits_with_the_status(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"not a database, but text that is long enough" * 200)
    done = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--db", str(path), "projects"],
        cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 13, done.stderr
    assert done.stderr.strip().endswith("the file is not a database")
    assert done.stderr.count("\n") == 1
