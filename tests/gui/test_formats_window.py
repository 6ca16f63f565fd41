"""Other tools' files in and out from the window, by the keys a user presses."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.gui.main_window import MainWindow


def _doccano_file(tmp_path: Path) -> Path:
    path = tmp_path / "from-doccano.jsonl"
    lines = [
        {"text": "Kim Jong Un met Moon in Panmunjom.", "label": [[0, 11, "PER"], [16, 20, "PER"]]},
        {"text": "Seoul and Pyongyang talked.", "label": [[0, 5, "LOC"]]},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_ctrl_i_imports_another_tools_file_and_the_report_names_its_format_per_file(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{"text": broken\n', encoding="utf-8")
    chosen = [str(_doccano_file(tmp_path)), str(broken)]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: (chosen, ""))

    qtbot.keyClick(window.article.text, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    box = window.findChild(QMessageBox, "importReport")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert box.text().splitlines() == [
        "Imported 2 new documents with 3 spans from 1 of 2 files.",
        "New labels: PER, LOC.",
        "1 file could not be imported; nothing of it was written.",
    ]
    shown = box.informativeText()
    assert "from-doccano.jsonl (doccano, detected): 2 new document(s), 3 span(s)" in shown
    assert "broken.jsonl (jsonl, detected): not imported: not valid JSON" in shown
    assert "broken.jsonl, line 2" in box.detailedText()
    window.article.text.grab().save(str(tmp_path / "import-report.png"))
    box.grab().save(str(tmp_path / "import-report-box.png"))
    box.close()
    # The first article the import brought is open, ready to label.
    document = window.workspace.document
    assert document is not None
    assert document.text.startswith("Kim Jong Un met Moon")


def test_ctrl_shift_e_exports_in_the_format_chosen_in_the_dialog(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    project = window.workspace.project
    assert project is not None
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(_doccano_file(tmp_path))], "")
    )
    monkeypatch.setattr(QMessageBox, "open", lambda self: None)
    qtbot.keyClick(window.article.text, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    offered: list[str] = []

    def save_as(_parent: object, _title: str, _where: str, filters: str) -> tuple[str, str]:
        offered.extend(filters.split(";;"))
        [doccano] = [f for f in offered if f.startswith("doccano")]
        return str(tmp_path / "handed-out"), doccano

    messages: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: messages.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: messages.append(text))

    qtbot.keyClick(
        window.article.text, Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )  # fmt: skip

    written = tmp_path / "handed-out.jsonl"
    assert messages and messages[0].startswith("Wrote "), messages
    assert str(written) in messages[0]
    rows = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    labelled = {(row["text"][s:e], label) for row in rows for s, e, label in row["label"]}
    assert {("Kim Jong Un", "PER"), ("Moon", "PER"), ("Seoul", "LOC")} <= labelled
    assert len(offered) == 8  # every format the registry writes


def test_the_import_report_says_what_a_prodigy_file_left_out_and_why(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    text = "Moon Jae-in visited Pyongyang on Tuesday."
    tasks = [
        {"text": text, "spans": [{"start": 0, "end": 11, "label": "PER"}], "answer": "accept"},
        {"text": text, "spans": [{"start": 20, "end": 29, "label": "ORG"}], "answer": "reject"},
        {"text": text, "spans": [{"start": 33, "end": 40, "label": "DATE"}], "answer": "ignore"},
        {"text": "   ", "answer": "accept"},
    ]
    path = tmp_path / "ner_teach.jsonl"
    path.write_text("".join(json.dumps(task) + "\n" for task in tasks), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(path)], ""))

    qtbot.keyClick(window.article.text, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    box = window.findChild(QMessageBox, "importReport")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    shown = box.informativeText()
    # Prodigy repeats the text in each task: one document, the other tasks already there.
    assert (
        "ner_teach.jsonl (prodigy, detected): 1 new document(s), 2 already there, 1 span(s)"
        in shown
    )
    assert "left out 1 rejected answer" in shown
    assert "left out 1 ignored answer" in shown
    assert "warning: line 4: blank task skipped" in shown
    box.grab().save(str(tmp_path / "prodigy-report.png"))
    box.close()
