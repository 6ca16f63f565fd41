"""The review shows which of an annotator's spans were suggestions they accepted."""

from __future__ import annotations

from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.suggestions import Suggestion, store
from annotator.gui.main_window import MainWindow
from tests.gui.test_review import enter_review, rows


def test_accepted_suggestions_are_marked_in_the_review(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    document = window.workspace.document
    project_id = window.workspace.project.id
    start = document.text.index("Port Ellison")
    for name in ("alice", "bob"):
        with Corpus.open(str(db_path), annotator=name) as corpus:
            labels = {label.name: label.id for label in corpus.labels(project_id)}
            if name == "alice":
                corpus.add_span(document.id, labels["Person"], start, start + 12)
                continue
            found = {document.id: [Suggestion(start, start + 12, "Location", "corpus")]}
            store.write_suggestions(corpus, project_id, found)
            store.accept(corpus, [s.id for s in store.pending(corpus, document.id)])
    window.open_document(document.id)
    enter_review(qtbot, window)
    [row] = [row for row in rows(window) if "Port Ellison" in str(row)]
    assert "Person: Port Ellison" in row  # alice's own
    assert "Location: Port Ellison (suggestion)" in row  # bob accepted it
