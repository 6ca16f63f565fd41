"""The window's file choosers cannot aim an export at the database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.gui.main_window import MainWindow
from tests.gui.test_review import enter_review, two_layers  # noqa: F401  (a fixture)


def test_exports_chosen_over_the_database_are_refused_in_a_message(
    qtbot,
    window: MainWindow,
    two_layers: int,  # noqa: F811
    db_path: Path,
    monkeypatch,
) -> None:
    enter_review(qtbot, window)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda *_a, **_k: None)
    before = db_path.read_bytes()
    for target in (db_path, Path(f"{db_path}-wal")):
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", lambda *_a, t=target, **_k: (str(t), "")
        )
        window.export("csv")
        window.export("jsonl")
        window.export_gold()
        window.export_feedback()
    assert len(warnings) == 8
    assert all(w.startswith(f"refusing to write {db_path}") for w in warnings), warnings
    assert db_path.read_bytes() == before
    assert "written to" not in window.statusBar().currentMessage()
    spans = window.workspace.corpus.spans(window.workspace.document.id, annotator="alice")
    assert spans  # the corpus is still there, as it was
