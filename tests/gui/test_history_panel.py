"""The history tab beside the span list, and Ctrl+Z after the window was closed."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.gui.history_panel import HistoryPanel
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.gui.workspace import Workspace
from tests.gui.test_workspace import offset_of, select_with_keys, stored_spans

UNDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
REDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def _whats(panel: HistoryPanel) -> list[str]:
    model = panel.model
    return [model.index(row, 2).data() for row in range(model.rowCount())]


def test_the_panel_shows_the_open_documents_story_and_follows_changes(
    qtbot, workspace: Workspace
) -> None:
    from annotator.core.samples import SAMPLE_PROJECT

    panel = HistoryPanel(workspace)
    qtbot.addWidget(panel)
    panel.show()
    corpus = workspace.corpus
    assert corpus is not None
    workspace.open_project(corpus.project(SAMPLE_PROJECT))
    first = corpus.documents(corpus.project_id(SAMPLE_PROJECT))[0].id
    workspace.open_document(first)
    assert _whats(panel) == []
    location = next(label for label in workspace.labels if label.name == "Location")
    assert location.id is not None
    text = workspace.document.text if workspace.document else ""
    start = text.index("Harbour Bridge")
    workspace.add_span(location.id, start, start + 14)
    assert _whats(panel) == [f"added Location 'Harbour Bridge' {start}-{start + 14}"]
    assert panel.model.index(0, 1).data() == "alice"
    workspace.set_status(first, "done")
    assert _whats(panel)[0] == "status done"
    workspace.undo_stack.undo()
    assert _whats(panel)[0] == "undo: status in progress"  # as the first span left it
    assert len(_whats(panel)) == 3

    panel.hide()  # a hidden panel waits, and catches up when shown
    workspace.undo_stack.undo()
    assert len(panel.model.lines) == 3
    panel.show()
    assert _whats(panel)[0] == f"undo: removed Location 'Harbour Bridge' {start}-{start + 14}"


def test_ctrl_z_after_a_restart_undoes_from_the_history(
    qtbot, settings: Settings, db_path: Path, tmp_path: Path
) -> None:
    def open_window() -> MainWindow:
        main = MainWindow(settings)
        qtbot.addWidget(main)
        main.show()
        qtbot.waitExposed(main)
        assert main.open_database(str(db_path), annotator="alice", project=None)
        with qtbot.waitActive(main):  # the shortcuts act in the active window
            main.activateWindow()
        return main

    first = open_window()
    start = offset_of(first, "Harbour Bridge")
    select_with_keys(qtbot, first, start, 14)
    qtbot.keyClick(first.article.text, Qt.Key.Key_3)
    labelled = [("Location", start, start + 14, "Harbour Bridge")]
    assert stored_spans(db_path) == labelled
    first.close()

    second = open_window()
    assert second.workspace.undo_stack.count() == 0  # a new session: nothing in memory
    undo = second.actions_by_name
    from annotator.gui.actions import Act

    assert undo[Act.UNDO].isEnabled() and not undo[Act.REDO].isEnabled()
    second.tags.lower_tabs.setCurrentWidget(second.tags.history)
    assert QApplication.activeWindow() is second
    qtbot.keyClick(second.article.text, *UNDO)
    assert stored_spans(db_path) == []
    assert second.workspace.spans == {}
    assert undo[Act.REDO].isEnabled() and not undo[Act.UNDO].isEnabled()
    whats = _whats(second.tags.history)
    assert whats[0] == f"undo: removed Location 'Harbour Bridge' {start}-{start + 14}"
    qtbot.keyClick(second.article.text, *REDO)
    assert stored_spans(db_path) == labelled
    assert [(s.start, s.end) for s in second.workspace.spans.values()] == [(start, start + 14)]
    assert _whats(second.tags.history)[0].startswith("redo: added Location 'Harbour Bridge'")
    if os.environ.get("ANNOTATOR_SCREENSHOTS"):
        second.grab().save(str(Path(os.environ["ANNOTATOR_SCREENSHOTS"]) / "history.png"))
    second.close()
