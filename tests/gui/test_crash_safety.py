"""Nothing is lost: every action is committed the moment it is made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.samples import SAMPLE_PROJECT
from tests.conftest import REPO


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
