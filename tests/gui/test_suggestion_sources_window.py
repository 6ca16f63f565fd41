"""Sources of suggestions chosen in the window: pattern files from the Suggest menu, and
how good each source is, measured in a table (Ctrl+Shift+M)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QPushButton

from annotator.base.vocabulary import Status
from annotator.core.importing import import_paths
from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.store import pending
from annotator.gui.main_window import MainWindow
from annotator.gui.suggestion_quality import QualityDialog
from tests.gui.modal import driving
from tests.gui.test_workspace import offset_of, select_with_keys

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _choose(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(p) for p in paths], "")
    )


def _trigger(window: MainWindow, name: str) -> None:
    action = window.findChild(QAction, name)
    assert action is not None and action.isEnabled()
    action.trigger()


def _pending_words(window: MainWindow) -> set[tuple[str, str]]:
    ws = window.workspace
    names = {label.id: label.name for label in ws.labels}
    text = ws.document.text
    return {(text[s.start : s.end], names[s.label_id]) for s in pending(ws.corpus, ws.document.id)}


def test_a_gazetteer_chosen_in_the_window_proposes_its_entries(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gazetteer = tmp_path / "Location.txt"
    gazetteer.write_text("Port Ellison\nKestrel Island\nAtlantis\n", encoding="utf-8")
    _choose(monkeypatch, gazetteer)
    _trigger(window, "action_suggest_from_patterns")
    assert {("Port Ellison", "Location"), ("Kestrel Island", "Location")} <= _pending_words(window)
    assert window.suggesting.list.count() == len(
        pending(window.workspace.corpus, window.workspace.document.id)
    )
    assert "Tab steps through them" in window.statusBar().currentMessage()


def test_a_bad_pattern_file_is_named_and_nothing_is_proposed(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "ruler.jsonl"
    broken.write_text('{"label": "Location", "pattern": "Port Ellison"}\n{"label": 3\n')
    _choose(monkeypatch, broken)
    messages: list[str] = []
    window.workspace.failed.connect(messages.append)
    _trigger(window, "action_suggest_from_patterns")
    assert _pending_words(window) == set()
    assert messages and "ruler.jsonl" in messages[0] and "line 2" in messages[0]


def test_measuring_shows_precision_recall_and_f1_per_source_and_label(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = window.workspace
    view = window.article.text
    # Label "Port Ellison" in the first document and mark it done; a gazetteer too.
    start = offset_of(window, "Port Ellison")
    view.setFocus()
    select_with_keys(qtbot, window, start, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_3)
    for other in [i for i in range(start + 1, len(ws.document.text))
                  if ws.document.text.startswith("Port Ellison", i)]:  # fmt: skip
        qtbot.keyClick(view, Qt.Key.Key_Escape)
        select_with_keys(qtbot, window, other, len("Port Ellison"))
        qtbot.keyClick(view, Qt.Key.Key_3)
    ws.corpus.set_status(ws.document.id, Status.DONE)
    gazetteer = tmp_path / "Location.txt"
    gazetteer.write_text("Port Ellison\nHarbour Bridge\n", encoding="utf-8")
    _choose(monkeypatch, gazetteer)
    _trigger(window, "action_suggest_from_patterns")

    shown: list[list[list[str]]] = []

    def read(dialog: QualityDialog) -> None:
        shown.append(dialog.cells())
        dialog.grab().save(str(tmp_path / "quality.png"))
        qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)

    left = driving(monkeypatch, QualityDialog, read)
    qtbot.keyClick(view, Qt.Key.Key_M, CTRL_SHIFT)
    assert left == [] and shown
    rows = {(row[0], row[1]): row[2:] for row in shown[0]}
    occurrences = ws.document.text.count("Port Ellison")
    harbour = ws.document.text.count("Harbour Bridge")
    # Held out, the one document's own spans teach the corpus source nothing.
    assert rows[("Your spans", "all labels")][:3] == ["0", "0", str(occurrences)]
    # The gazetteer finds every Port Ellison; Harbour Bridge was not labelled: extra.
    assert rows[("Pattern files", "Location")][:3] == [str(occurrences), str(harbour), "0"]
    precision = occurrences / (occurrences + harbour)
    assert rows[("Pattern files", "Location")][3] == f"{precision:.3f}"
    assert rows[("Pattern files", "Location")][4] == "1.000"
    assert ("All sources", "all labels") in rows


class SlowSource:
    """A source as slow as a model on a long article, so the run shows its progress."""

    source = "model"

    def suggest(self, text: str) -> list[Suggestion]:
        time.sleep(0.05)
        start = text.index("Port Ellison") if "Port Ellison" in text else 0
        return [Suggestion(start, start + 4, "Location", self.source, 0.5)]


@pytest.mark.parametrize("how", ["Stop", "Escape"])
def test_a_long_suggestion_run_shows_progress_and_stops_when_asked(
    qtbot, window: MainWindow, tmp_path: Path, how: str
) -> None:
    ws = window.workspace
    articles = tmp_path / "more.jsonl"
    articles.write_text(
        "".join(f'{{"text": "Ferry {n} left Port Ellison at dawn."}}\n' for n in range(40)),
        encoding="utf-8",
    )
    assert import_paths(ws.corpus, [articles], project=ws.project.name).documents == 40
    stopped: list[str] = []

    def press_stop() -> None:
        dialog = window.findChild(QProgressDialog, "suggestingProgress")
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(50, press_stop)
            return
        stopped.append(dialog.labelText())
        [stop] = dialog.findChildren(QPushButton)
        assert stop.text() == "Stop"
        if how == "Stop":
            qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(50, press_stop)
    window.suggesting.propose_from([SlowSource()])
    assert stopped and stopped[0].startswith("Suggesting in document ")
    message = window.statusBar().currentMessage()
    assert "Stopped after " in message and " of 43 documents" in message
    assert not window.findChild(QProgressDialog, "suggestingProgress").isVisible()
    proposed = sum(len(pending(ws.corpus, row.id)) for row in ws.corpus.documents(ws.project.id))
    assert 0 < proposed < 43  # what was proposed before the stop is kept
