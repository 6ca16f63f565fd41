"""Killing the app with SIGKILL and checking the database after it: the driver run as its own
process (label through key presses, then wait or go on until killed) and the rounds that kill
it, shared by test_crash_safety and benchmarks/kill_rounds.py."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox

from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings


def _open_window(database: str, settings_file: str) -> tuple[QApplication, MainWindow]:
    """The real window on the database, shown and focused as a person would have it."""
    app = QApplication([])
    window = MainWindow(Settings(QSettings(settings_file, QSettings.Format.IniFormat)))
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    assert window.open_database(database, annotator="alice", project=None)
    return app, window


def main(database: str, settings_file: str) -> None:
    app, window = _open_window(database, settings_file)
    view = window.article.text
    text = window.workspace.document.text
    for word, key in (("Harbour Bridge", Qt.Key.Key_3), ("Tuesday", Qt.Key.Key_4),
                      ("Helena Voss", Qt.Key.Key_1)):  # fmt: skip
        start = text.index(word)
        view.place_caret(start)
        for _ in range(len(word)):
            QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClick(view, key)
        QTest.keyClick(view, Qt.Key.Key_Escape)
    window.tags.findChildren(QCheckBox)[0].click()
    QTest.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    app.processEvents()
    print("READY", flush=True)
    while True:  # the test kills us here, with no chance to clean up
        app.processEvents()
        time.sleep(0.01)


KEYS = "1234"  # the sample project's span label hotkeys
# Whole words only: a part of "two-year" or "O'Neill" snaps to the whole name.
WORD = re.compile(r"(?<![\w'’-])[A-Za-z]{4,}(?![\w'’-])")
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Plan:
    """What the driver does to one word: label it, relabel it, maybe remove it."""

    start: int
    end: int
    first: str
    second: str
    remove: bool

    def states(self) -> list[str | None]:
        """The word's hotkey in the database after each step, None for no span."""
        return [None, self.first, self.second] + ([None] if self.remove else [])


def plans(text: str) -> list[Plan]:
    return [
        Plan(m.start(), m.end(), KEYS[i % 4], KEYS[(i + 1) % 4], remove=i % 3 == 0)
        for i, m in enumerate(WORD.finditer(text))
    ]


def label_until_killed(database: str, settings_file: str) -> None:
    """Label word after word by key presses, printing each step once the window shows it."""
    app, window = _open_window(database, settings_file)
    workspace, view = window.workspace, window.article.text
    workspace.failed.connect(lambda message: print("ERROR", message, flush=True))
    label_ids = {label.hotkey: label.id for label in workspace.labels}

    def shown(plan: Plan, hotkey: str | None) -> bool:
        spans = {(s.start, s.end): s.label_id for s in workspace.spans.values()}
        return spans.get((plan.start, plan.end)) == (label_ids[hotkey] if hotkey else None)

    print("READY", flush=True)
    for plan in plans(workspace.document.text):
        print("PLAN", json.dumps([plan.start, plan.end, plan.first, plan.second, plan.remove]))
        sys.stdout.flush()
        view.place_caret(plan.start)
        for _ in range(plan.end - plan.start):
            QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        steps = [(getattr(Qt.Key, f"Key_{plan.first}"), plan.first)]
        steps.append((getattr(Qt.Key, f"Key_{plan.second}"), plan.second))
        if plan.remove:
            steps.append((Qt.Key.Key_Delete, None))
        for key, hotkey in steps:
            QTest.keyClick(view, key)
            if not shown(plan, hotkey):
                print("ERROR", "the window does not show", plan, hotkey, flush=True)
            print("DONE", flush=True)
        QTest.keyClick(view, Qt.Key.Key_Escape)
    print("EXHAUSTED", flush=True)
    while True:
        app.processEvents()
        time.sleep(0.01)


# -- the rounds ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """One kill round: what was killed when, what the window had shown, what went wrong."""

    kind: str
    killed_after: float = 0.0
    actions_shown: int = 0
    imported: int | None = None  # documents the killed import left: all of them or none
    integrity: str = ""
    while_writing: bool = False  # a killed process held the write lock at that moment
    problems: list[str] = field(default_factory=list)


def template_database(folder: Path) -> Path:
    """A database holding the sample project, copied for every round."""
    from annotator.core.corpus import Corpus
    from annotator.core.samples import ensure_sample_project

    path = folder / "template.db"
    with Corpus.open(str(path), annotator="alice") as corpus:
        ensure_sample_project(corpus)
    return path


def bulk_source(path: Path, documents: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            words = " ".join(f"bulk{i}word{w}" for w in range(60))
            out.write(json.dumps({"text": f"Article {i}. {words}"}) + "\n")
    return path


def _environment() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO) + (os.pathsep + path if path else ""),
    }


def _start_import(database: Path, source: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "import", str(source), "--project", "bulk",
         "--db", str(database)],
        cwd=REPO, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _kill(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGKILL (when still running) and what it printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    # Read through the pipes' own buffers: communicate() would skip what readline() buffered.
    with process:  # closes the pipes
        out = process.stdout.read() if process.stdout is not None else ""
        err = process.stderr.read() if process.stderr is not None else ""
        process.wait(timeout=60)
    return out, err


def run_round(
    folder: Path,
    template: Path,
    rng: random.Random,
    *,
    label: bool,
    source: Path | None = None,
    documents: int = 0,
    latest_kill: float = 1.5,
    import_takes: float = 3.0,
) -> Outcome:
    """Copy the template, run the window labelling and/or an import of `source`, kill each at
    a random moment, then check the database against what they had shown as done."""
    kind = "+".join(name for name, on in (("labelling", label), ("import", source)) if on)
    outcome = Outcome(kind)
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "corpus.db"
    shutil.copyfile(template, database)
    driver = None
    if label:
        driver = subprocess.Popen(
            [sys.executable, "-m", "tests.gui.kill_driver", "--label", str(database),
             str(folder / "settings.ini")],
            cwd=REPO, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert driver.stdout is not None
        if driver.stdout.readline().strip() != "READY":
            outcome.problems.append("the window did not start: " + _kill(driver)[1])
            return outcome
    importer = _start_import(database, source) if source is not None else None
    began = time.monotonic()
    kill_driver = rng.uniform(0.0, latest_kill) if driver is not None else 0.0
    kill_import = rng.uniform(0.0, import_takes) if importer is not None else 0.0
    printed = ""
    for moment, process in sorted(
        ((kill_driver, driver), (kill_import, importer)), key=lambda pair: pair[0]
    ):
        if process is None:
            continue
        time.sleep(max(0.0, began + moment - time.monotonic()))
        outcome.while_writing |= process.poll() is None and writing_now(database)
        out = _kill(process)[0]
        printed = out if process is driver else printed
    outcome.killed_after = max(kill_driver, kill_import)
    _check(database, printed, outcome, documents if source is not None else None)
    return outcome


def writing_now(database: Path) -> bool:
    """Whether some process holds the database's write lock this instant."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _check(database: Path, printed: str, outcome: Outcome, documents: int | None) -> None:
    with sqlite3.connect(database) as connection:
        outcome.integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if outcome.integrity != "ok":
            outcome.problems.append(f"integrity_check: {outcome.integrity}")
        if documents is not None:
            (outcome.imported,) = connection.execute(
                "SELECT count(*) FROM document JOIN project ON project.id = document.project_id"
                " WHERE project.name = 'bulk'"
            ).fetchone()
            if outcome.imported not in (0, documents):
                outcome.problems.append(f"import left {outcome.imported} of {documents}")
        if printed:
            _check_labels(connection, printed, outcome)
    connection.close()


def _check_labels(connection: sqlite3.Connection, printed: str, outcome: Outcome) -> None:
    """Every step the window showed is in the database; at most the step under way when
    the app was killed (shown or not) is there as well."""
    lines = printed.splitlines(keepends=True)
    lines = [line.rstrip("\n") for line in lines if line.endswith("\n")]  # whole lines only
    outcome.problems += [line for line in lines if line.startswith("ERROR")]
    words: list[tuple[Plan, int]] = []
    for line in lines:
        if line.startswith("PLAN "):
            words.append((Plan(*json.loads(line.removeprefix("PLAN "))), 0))
        elif line == "DONE":
            words[-1] = (words[-1][0], words[-1][1] + 1)
    outcome.actions_shown = sum(done for _, done in words)
    stored = {
        (start, end): hotkey
        for start, end, hotkey in connection.execute(
            "SELECT span.start, span.end, label.hotkey FROM span"
            " JOIN label ON label.id = span.label_id"
            " JOIN annotator ON annotator.id = span.annotator_id WHERE annotator.name = 'alice'"
            # Suggestions of a span's other occurrences are proposals, not steps shown.
            " AND span.origin NOT IN ('suggested', 'rejected')"
        )
    }
    for n, (plan, done) in enumerate(words):
        states = plan.states()
        found = stored.pop((plan.start, plan.end), None)
        allowed = states[done : done + 2] if n == len(words) - 1 else states[-1:]
        if found not in allowed:
            outcome.problems.append(f"{plan}: {done} step(s) shown, database holds {found}")
    if stored:
        outcome.problems.append(f"spans nobody labelled: {sorted(stored)}")


if __name__ == "__main__":
    if sys.argv[1] == "--label":
        label_until_killed(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
