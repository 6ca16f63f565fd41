"""The action table as a person meets it, and the file choosers behind the review exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.gui.actions import MENUS, Act
from annotator.gui.main_window import MainWindow
from tests.gui.test_review import enter_review, two_layers  # noqa: F401  (a fixture)


def menu_entries(window: MainWindow) -> list[tuple[str, list[str]]]:
    found = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        found.append((menu.title(), [a.objectName() or "-" for a in menu.actions()]))
    return found


def test_the_menu_bar_follows_the_table(window: MainWindow) -> None:
    assert menu_entries(window) == [
        ("&File", ["action_import", "action_import_folder", "-", "action_export_csv",
                   "action_export_jsonl", "action_export_as", "-", "action_connect",
                   "action_switch_project", "-", "action_quit"]),
        ("&Edit", ["action_undo", "action_redo", "-", "action_find", "action_search_corpus",
                   "action_delete_span", "-",
                   "action_labels", "action_snap", "action_settings"]),
        ("&Go", ["action_next_document", "action_previous_document", "-",
                 "action_done_and_next", "action_mark_in_progress"]),
        ("&Suggest", ["action_suggest_from_spans", "action_suggest_from_patterns",
                      "action_suggest_from_model", "action_train_model", "-",
                      "action_accept_in_view", "action_label_all_occurrences", "-",
                      "action_measure_suggestions"]),
        ("&Review", ["action_review", "action_accept_agreements", "-", "action_agreement"]),
        ("&View", ["action_zoom_in", "action_zoom_out", "action_zoom_reset", "-",
                   "action_theme_system", "action_theme_light", "action_theme_dark"]),
    ]  # fmt: skip
    listed = {act for _title, entries in MENUS for act in entries if act is not None}
    assert listed == set(Act) == set(window.actions_by_name)


def test_shortcuts_are_unchanged(window: MainWindow) -> None:
    def keys(act: Act) -> list[str]:
        return [s.toString() for s in window.actions_by_name[act].shortcuts()]

    assert keys(Act.IMPORT) == ["Ctrl+I"]
    assert keys(Act.EXPORT_AS) == ["Ctrl+Shift+E"]
    assert keys(Act.DONE_AND_NEXT) == ["Ctrl+Return", "Ctrl+Enter"]
    assert keys(Act.ZOOM_IN) == ["Ctrl++", "Ctrl+="]
    assert keys(Act.DELETE_SPAN) == [QKeySequence(Qt.Key.Key_Delete).toString()]
    delete = window.actions_by_name[Act.DELETE_SPAN]
    assert delete.shortcutContext() == Qt.ShortcutContext.WidgetShortcut
    assert keys(Act.IMPORT_FOLDER) == []
    assert window.actions_by_name[Act.SNAP].isCheckable()
    assert window.actions_by_name[Act.REVIEW].isCheckable()
    assert not window.actions_by_name[Act.UNDO].isCheckable()


def test_undo_and_redo_follow_the_stack(qtbot, window: MainWindow) -> None:
    undo, redo = window.actions_by_name[Act.UNDO], window.actions_by_name[Act.REDO]
    assert not undo.isEnabled() and not redo.isEnabled()
    window.article.text.place_caret(window.workspace.document.text.index("Tuesday"))
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    assert undo.isEnabled() and not redo.isEnabled()
    undo.trigger()
    assert not undo.isEnabled() and redo.isEnabled()
    assert window.workspace.spans == {}
    redo.trigger()
    assert len(window.workspace.spans) == 1


def test_actions_reach_their_slots(qtbot, window: MainWindow) -> None:
    before = window.article.text.font().pointSize()
    window.actions_by_name[Act.ZOOM_IN].trigger()
    assert window.article.text.font().pointSize() == before + 1
    window.actions_by_name[Act.ZOOM_RESET].trigger()
    snap = window.actions_by_name[Act.SNAP]
    snap.trigger()
    from annotator.gui import settings as options

    assert window.settings.get(options.SNAP_TO_WORDS) is snap.isChecked()
    window.actions_by_name[Act.REVIEW].trigger()
    assert window.centre.currentIndex() == 1
    window.actions_by_name[Act.REVIEW].trigger()
    assert window.centre.currentIndex() == 0


def test_gold_and_feedback_exports_write_where_chosen(
    qtbot,
    window: MainWindow,
    two_layers: int,  # noqa: F811
    tmp_path: Path,
    monkeypatch,
) -> None:
    listing = enter_review(qtbot, window)
    qtbot.keyClick(listing, Qt.Key.Key_A)  # alice's Harbour Bridge into the gold layer
    qtbot.keyClick(listing, Qt.Key.Key_R)  # her lone Tuesday rejected: feedback for her
    monkeypatch.setattr(QMessageBox, "information", lambda *_a, **_k: None)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text))
    gold = tmp_path / "gold.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(gold), ""))
    window.export_gold()
    assert warnings == []
    assert "Harbour Bridge" in gold.read_text(encoding="utf-8")
    report = tmp_path / "feedback.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(report), ""))
    window.export_feedback()
    html = report.read_text(encoding="utf-8")
    assert "Review feedback for alice" in html and "Tuesday" in html
    assert "written to" in window.statusBar().currentMessage()
    written = sorted(tmp_path.rglob("*"))
    window.statusBar().clearMessage()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: ("", ""))
    window.export_feedback()  # cancelled: nothing written, nothing said
    window.export_gold()
    assert sorted(tmp_path.rglob("*")) == written
    assert window.statusBar().currentMessage() == "" and warnings == []
