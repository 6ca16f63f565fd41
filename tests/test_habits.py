"""The checks every commit passes (types, lint, format, import layers), run with the tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import REPO

# importlinter has no __main__, so `python -m importlinter.cli` does nothing and exits 0;
# this calls what the `lint-imports` script calls, with the interpreter running the tests.
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run from the repository root, where each tool finds its section of pyproject.toml."""
    return subprocess.run(
        [sys.executable, *argv], cwd=REPO, env=dict(os.environ), capture_output=True,
        text=True, timeout=280, check=False,
    )  # fmt: skip


def _pinned(name: str) -> str:
    """The version the `test` extra pins, which the pre-commit hooks use as well."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    for requirement in project["project"]["optional-dependencies"]["test"]:
        found = re.fullmatch(rf"{re.escape(name)}==([0-9][0-9.]*)", requirement)
        if found:
            return found.group(1)
    raise AssertionError(f"{name} is not pinned with == in the test extra")


def test_mypy_finds_no_errors() -> None:
    done = _run("-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found"), done.stdout


def test_ruff_check_is_clean() -> None:
    done = _run("-m", "ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed!" in done.stdout


def test_ruff_format_is_clean() -> None:
    done = _run("-m", "ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "would be reformatted" not in done.stdout


def test_import_linter_contract_holds() -> None:
    done = _run("-c", LINT_IMPORTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "core and formats stay free of Qt and the GUI KEPT" in done.stdout
    assert "layers: each package imports only those below it KEPT" in done.stdout


@pytest.mark.parametrize("tool", ["ruff", "mypy"])
def test_installed_tool_is_the_pinned_version(tool: str) -> None:
    """Another ruff formats differently and another mypy finds other errors, so a check
    that passes here must mean it passes for everyone."""
    done = _run("-m", tool, "--version")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split()[:2] == [tool, _pinned(tool)], done.stdout


def test_every_package_is_shipped() -> None:
    """A package missing from the build configuration works in an editable checkout and
    is absent from a real install; list every folder with an __init__.py."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(tool["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "annotator").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
