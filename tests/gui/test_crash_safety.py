"""Nothing is lost: every action is committed the moment it is made."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.samples import SAMPLE_PROJECT
from tests.conftest import REPO
from tests.gui import kill_driver


def test_actions_survive_sigkill(tmp_path: Path) -> None:
    database = tmp_path / "corpus.db"
    with subprocess.Popen(
        [sys.executable, "-m", "tests.gui.kill_driver", str(database), str(tmp_path / "s.ini")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ) as driver:  # fmt: skip
        try:
            assert driver.stdout is not None and driver.stderr is not None
            line = driver.stdout.readline()
            if line.strip() != "READY":
                driver.kill()
                raise AssertionError(driver.stderr.read())
            driver.send_signal(signal.SIGKILL)
            driver.wait(timeout=30)
        finally:
            if driver.poll() is None:
                driver.kill()
    assert driver.returncode == -signal.SIGKILL
    with Corpus.open(str(database), annotator="alice") as corpus:
        project_id = corpus.project(SAMPLE_PROJECT).id
        rows = corpus.documents(project_id)
        first = rows[0].id
        spans = {(span.text, span.start, span.end) for span in corpus.spans(first)}
        text = corpus.document(first).text
        expected = {(w, text.index(w), text.index(w) + len(w))
                    for w in ("Harbour Bridge", "Tuesday", "Helena Voss")}  # fmt: skip
        assert spans == expected
        assert len(corpus.document_labels(first)) == 1
        assert rows[0].status == "done"


# Ten rounds here; benchmarks/kill_rounds.py runs fifty and more the same way.
ROUNDS = ("labelling",) * 4 + ("import",) * 4 + ("labelling+import",) * 2
IMPORTED = 2000


def test_kills_at_random_moments_lose_nothing_shown_and_split_no_import(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    template = kill_driver.template_database(tmp_path)
    source = kill_driver.bulk_source(tmp_path / "bulk.jsonl", IMPORTED)
    outcomes = [
        kill_driver.run_round(
            tmp_path / f"round{n}",
            template,
            rng,
            label="labelling" in kind,
            source=source if "import" in kind else None,
            documents=IMPORTED,
            import_takes=2.0,
        )
        for n, kind in enumerate(ROUNDS)
    ]
    for outcome in outcomes:
        assert outcome.problems == [], (seed, outcome)
        assert outcome.integrity == "ok"
        assert outcome.imported in (None, 0, IMPORTED)
    assert sum(outcome.actions_shown for outcome in outcomes) > 0, seed


def test_the_round_check_finds_an_action_shown_but_not_stored(tmp_path: Path) -> None:
    """The check above could pass by looking at nothing; here the window 'showed' a label
    and a relabel that never reached the database, and one left half-way is allowed."""
    template = kill_driver.template_database(tmp_path)
    plan = kill_driver.Plan(4, 12, "1", "2", remove=False)
    printed = f"PLAN {json.dumps([4, 12, '1', '2', False])}\nDONE\nDONE\nPLAN [13"
    outcome = kill_driver.Outcome("labelling")
    kill_driver._check(template, printed, outcome, None)
    assert outcome.actions_shown == 2
    assert outcome.problems == [f"{plan}: 2 step(s) shown, database holds None"]
    half_way = kill_driver.Outcome("labelling")
    kill_driver._check(template, f"PLAN {json.dumps([4, 12, '1', '2', False])}\n", half_way, None)
    assert half_way.problems == [] and half_way.integrity == "ok"
