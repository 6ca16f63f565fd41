"""A light command on a current database starts without the heavy libraries: kept by tests."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.db import SCHEMA_HEAD
from annotator.formats.registry import FORMATS
from tests.core.test_opening import database_at

FORMAT_MODULES = sorted({f.module for f in FORMATS.values()} | {"source", "detection"})

# What `annotator projects` once loaded and does not need: SQLModel and pydantic (the
# models), Alembic (migrations), the progress bar, numbers, Markdown, the format readers
# and writers (the registry of their names, which --help lists, is light), agreement.
HEAVY = (
    "sqlmodel", "pydantic", "alembic", "tqdm", "numpy", "markdown_it",
    *(f"annotator.formats.{name}" for name in FORMAT_MODULES),
    "annotator.core.models", "annotator.core.corpus", "annotator.core.agreement",
    "annotator.migrations",
)  # fmt: skip

# The command in a fresh interpreter: its exit code, its output and every module it loaded.
PROBE = """
import contextlib, io, json, sys
from annotator.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _probe(*argv: str) -> tuple[int, str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=dict(os.environ), capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    return result["code"], result["out"], set(result["modules"])


def _loaded(modules: set[str], *names: str) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


@pytest.fixture
def current(tmp_path: Path) -> Path:
    path = tmp_path / "current.db"
    with Corpus.open(str(path), annotator="alice") as corpus:
        corpus.create_project("news")
        corpus.create_project("archive")
    return path


def test_listing_projects_of_a_current_database_loads_no_heavy_library(current: Path) -> None:
    code, out, modules = _probe("projects", "--db", str(current))
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["project", "archive", "news"]
    assert "annotator.core.catalog" in modules  # the probe does see what was imported
    assert _loaded(modules, *HEAVY) == []


@pytest.mark.parametrize("command", ["documents", "labels", "stats"])
def test_commands_on_a_current_database_load_no_alembic(current: Path, command: str) -> None:
    code, out, modules = _probe(command, "--project", "news", "--db", str(current))
    assert code == 0
    assert out  # the command did its work
    assert "annotator.core.corpus" in modules
    assert _loaded(modules, "alembic", "annotator.migrations") == []


def test_an_outdated_database_still_loads_alembic_and_is_migrated(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    database_at(old, "0001")
    code, out, modules = _probe("projects", "--db", str(old))
    assert code == 0
    assert out.splitlines()[1].split() == ["old", "0", "0", "0"]
    assert _loaded(modules, "alembic") == ["alembic"]
    assert len(list(tmp_path.glob(f"backups/old.db.before-{SCHEMA_HEAD}.*.bak"))) == 1
    with sqlite3.connect(old) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (SCHEMA_HEAD,)
        ]
    connection.close()


def test_creating_a_project_still_works_through_the_corpus(current: Path) -> None:
    code, out, modules = _probe("projects", "--db", str(current), "--create", "third")
    assert (code, out) == (0, "created project 'third'\n")
    assert "annotator.core.corpus" in modules
    code, out, _ = _probe("projects", "--db", str(current))
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["archive", "news", "third"]


# What the exit handlers leave for the interpreter's last garbage collection.
EXIT_PROBE = """
import atexit, contextlib, gc, io, sys
from annotator.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
atexit._run_exitfuncs()
print(code, gc.get_freeze_count())
"""


@pytest.mark.parametrize("command", ["projects", "stats"])
def test_a_command_leaves_nothing_for_the_last_collection(current: Path, command: str) -> None:
    argv = [command, "--db", str(current)] + (["--project", "news"] if command == "stats" else [])
    done = subprocess.run(
        [sys.executable, "-c", EXIT_PROBE, *argv], env=dict(os.environ), capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    code, frozen = map(int, done.stdout.split())
    assert code == 0
    assert frozen > 10_000  # every object of SQLAlchemy and the rest, skipped at exit
    assert list(current.parent.glob("current.db-*")) == []  # the WAL was closed first


@pytest.mark.parametrize(("argv", "shown"), [(["--version"], "annotator 0"), (["--help"], "usage")])
def test_version_and_help_load_no_database_library(argv: list[str], shown: str) -> None:
    code, out, modules = _probe(*argv)
    assert code == 0
    assert shown in out
    assert _loaded(modules, "sqlalchemy", *HEAVY) == []
