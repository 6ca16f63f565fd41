"""Guards against PySide6 releases that corrupt the interpreter (6.12.0 on Python 3.11)."""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import version

from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import REPO


def test_void_qt_calls_do_not_drop_references_to_none(qapp) -> None:
    """6.12.0 released a reference to None on every call returning nothing; Python 3.11
    aborts with `none_dealloc` after a few thousand such calls."""
    from PySide6.QtCore import QObject

    target = QObject()
    calls = 500  # few enough that a leaking build fails here rather than aborting
    before = sys.getrefcount(None)
    for index in range(calls):
        target.setObjectName("even" if index % 2 else "odd")
        target.blockSignals(False)
    after = sys.getrefcount(None)
    assert after >= before - calls // 10, f"None lost {before - after} references"


def test_pyproject_excludes_the_broken_release_where_it_matters() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    qt = [Requirement(r) for r in project["dependencies"] if r.startswith("PySide6")]
    for python in ("3.11", "3.12", "3.13"):
        environment = {"python_version": python}
        active = [r for r in qt if r.marker is None or r.marker.evaluate(environment)]
        assert len(active) == 1, python
        if python == "3.11":
            assert not active[0].specifier.contains("6.12.0")
    installed = Version(version("PySide6-Essentials"))
    assert installed != Version("6.12.0") or sys.version_info >= (3, 12)
