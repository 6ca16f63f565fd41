"""The core, the readers and writers and the command line run on a server without Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECK = """
import importlib
import pkgutil
import sys

import annotator.base
import annotator.core
import annotator.formats

names = ["annotator.cli"]
for package in (annotator.base, annotator.core, annotator.formats):
    names += [
        info.name
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    ]
for name in names:
    importlib.import_module(name)
print(len(names))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
assert not loaded, loaded
gui = sorted(m for m in sys.modules if m.startswith("annotator.gui"))
assert not gui, gui
"""


def test_core_formats_and_cli_import_without_qt(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=tmp_path, env=dict(os.environ),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 15  # every module was really walked
