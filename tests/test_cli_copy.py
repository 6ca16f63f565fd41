"""`annotator copy` run as the real command, between SQLite and PostgreSQL both ways."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import REPO
from tests.core.test_copying import PG_URL, _server_database, exports, fill, snapshot


def annotator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command in a fresh interpreter, on this checkout's code."""
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    return subprocess.run(
        [sys.executable, "-m", "annotator.cli", *args], cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture
def server_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    yield from _server_database()


def test_copy_between_sqlite_files_prints_rows_per_table(tmp_path: Path) -> None:
    source = tmp_path / "a.db"
    fill(str(source), tmp_path)
    done = annotator("copy", "--from", str(source), "--to", "b.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a pipe, not a terminal: no progress bar
    (line,) = done.stdout.splitlines()
    rows = snapshot(f"sqlite:///{source}")
    total = sum(map(len, rows.values()))
    assert line.startswith(f"copied {total} row(s) from {source.resolve()} to ")
    assert f"project {len(rows['project'])}, " in line and f"span {len(rows['span'])}" in line
    assert snapshot(f"sqlite:///{tmp_path / 'b.db'}") == rows


def test_copy_sqlite_to_postgresql_and_back(tmp_path: Path, server_database: str) -> None:
    source, back = tmp_path / "a.db", tmp_path / "back.db"
    fill(str(source), tmp_path)
    # The test server trusts local logins, so this password is never checked, only shown.
    with_password = make_url(server_database).set(password="s3cret-pw")
    target = with_password.render_as_string(hide_password=False)
    done = annotator("copy", "--from", str(source), "--to", target, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr
    assert "***" in done.stdout
    done = annotator("copy", "--from", server_database, "--to", str(back), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    original = snapshot(f"sqlite:///{source}")
    assert snapshot(server_database) == original
    assert snapshot(f"sqlite:///{back}") == original
    written = exports(f"sqlite:///{source}", tmp_path / "sqlite")
    assert exports(server_database, tmp_path / "postgresql") == written
    assert exports(f"sqlite:///{back}", tmp_path / "back") == written


def test_copy_into_a_database_holding_data_fails_in_one_plain_line(
    tmp_path: Path, server_database: str
) -> None:
    source = tmp_path / "a.db"
    fill(str(source), tmp_path)
    fill(server_database, tmp_path)
    before = snapshot(server_database)
    done = annotator("copy", "--from", str(source), "--to", server_database, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("annotator: error: the target ")
    assert "already holds data" in done.stderr and done.stderr.count("\n") == 1
    assert snapshot(server_database) == before


def test_copy_from_a_missing_file_fails_in_one_plain_line(tmp_path: Path) -> None:
    done = annotator("copy", "--from", "missing.db", "--to", "b.db", cwd=tmp_path)
    assert done.returncode == 1
    missing = (tmp_path / "missing.db").resolve()
    assert done.stderr == f"annotator: error: there is no annotator database to copy at {missing}\n"
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "b.db").exists()


def test_copy_to_a_server_that_refuses_the_login_exits_with_its_status(
    tmp_path: Path, refused_login_url: str
) -> None:
    source = tmp_path / "a.db"
    fill(str(source), tmp_path)
    done = annotator("copy", "--from", str(source), "--to", refused_login_url, cwd=tmp_path)
    assert done.returncode == 17, done.stderr
    assert done.stderr.startswith("annotator: error: the database server")
    assert "refused the login" in done.stderr and done.stderr.count("\n") == 1
    assert "wrong-password" not in done.stdout + done.stderr
