"""Unicode through key presses to export, the labels editor, GUI import and export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from annotator.core.corpus import Corpus
from annotator.core.exporting import export_project
from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.labels_dialog import LabelsDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.transfer import run_import
from tests.gui.test_workspace import select_with_keys, stored_spans

MIXED = (
    "Die Forscherin Zoë Ångström 😀 traf 東京大学 in Tōkyō.\n\n"
    "Café e\u0301clair 🇫🇷 — مرحبا بالعالم says שלום too 𝔘𝔫𝔦."
)


def _import_text(window: MainWindow, tmp_path: Path, text: str) -> int:
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"text": text, "title": "Mixed"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")  # fmt: skip
    with Corpus.open(window.db_url.removeprefix("sqlite:///"), annotator="alice") as corpus:
        from annotator.core.importing import import_paths

        assert import_paths(corpus, [path], project=SAMPLE_PROJECT).ok
    window.documents.reload()
    window.documents.model.fetch_all()
    document_id = window.documents.model.loaded_ids()[-1]
    window.open_document(document_id)
    return document_id


def test_spans_made_by_key_presses_export_with_code_point_offsets(
    qtbot, window: MainWindow, tmp_path: Path, db_path: Path
) -> None:
    from annotator.gui import settings as options

    window.settings.set(options.SNAP_TO_WORDS, False)
    _import_text(window, tmp_path, MIXED)
    view = window.article.text
    targets = ["Zoë Ångström 😀", "東京大学", "e\u0301clair 🇫🇷", "مرحبا", "𝔘𝔫𝔦"]
    for target in targets:
        start = MIXED.index(target)
        # Shift+Right moves by a character (a surrogate pair or a combining sequence
        # counts once), so select by UTF-16 length through the view's own cursor.
        select_with_keys(qtbot, window, start, 0)
        cursor = view.textCursor()
        from annotator.base.offsets import Utf16Map

        units = Utf16Map(MIXED)
        cursor.setPosition(units.to_utf16(start))
        cursor.setPosition(units.to_utf16(start + len(target)), cursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        assert view.selection() == (start, start + len(target))
        qtbot.keyClick(view, Qt.Key.Key_1)
        qtbot.keyClick(view, Qt.Key.Key_Escape)
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        project_id = corpus.project(SAMPLE_PROJECT).id
        out = tmp_path / "spans.csv"
        export_project(corpus, project_id, format_name="csv", output=out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["text"] for row in rows) == sorted(targets)
    for row in rows:
        assert MIXED[int(row["start"]) : int(row["end"])] == row["text"]


def test_shift_arrow_selection_across_an_emoji_keeps_code_points(
    qtbot, window: MainWindow, tmp_path: Path, db_path: Path
) -> None:
    _import_text(window, tmp_path, "Emoji 😀 here and 🇫🇷 flag")
    start = 6
    select_with_keys(qtbot, window, start, 1)  # one key press crosses the whole emoji
    assert window.article.text.selection() == (6, 7)
    from annotator.gui import settings as options

    window.settings.set(options.SNAP_TO_WORDS, False)
    qtbot.keyClick(window.article.text, Qt.Key.Key_5)
    spans = [row for row in stored_spans(db_path) if row[3] == "😀"]
    assert spans == [("Event", 6, 7, "😀")]


def test_right_to_left_and_cjk_text_render_in_the_view(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    _import_text(window, tmp_path, MIXED)
    view = window.article.text
    assert view.toPlainText() == MIXED.replace("\n", "\u2029") or view.toPlainText() == MIXED
    qtbot.wait(10)
    image = view.viewport().grab().toImage()
    assert not image.isNull()


def test_labels_editor_renames_recolours_rekeys_and_reorders(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    start = window.workspace.document.text.index("Tuesday")
    window.article.text.place_caret(start)
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    dialog = LabelsDialog(window.workspace, window)
    qtbot.addWidget(dialog)
    table = dialog.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Date")
    table.item(row, 0).setText("When")
    table.item(row, 2).setText("w")
    label_id = window.workspace.labels[row].id
    window.workspace.update_label(label_id, color="#123456")
    assert stored_spans(db_path) == [("When", start, start + 7, "Tuesday")]
    label = window.workspace.label(label_id)
    assert (label.name, label.hotkey, label.color) == ("When", "w", "#123456")
    table.selectRow(row)
    dialog.move_label(-1)
    names = [lb.name for lb in window.workspace.labels if lb.kind == "span"]
    assert names.index("When") == names.index("Location") - 1
    # The new hotkey labels text; the old one no longer does.
    other = window.workspace.document.text.index("Port Ellison")
    window.article.text.place_caret(other)
    qtbot.keyClick(window.article.text, Qt.Key.Key_W)
    assert ("When", other, other + 4, "Port") in stored_spans(db_path)
    # A clashing hotkey is refused and the table shows the stored value again.
    table.item(row - 1, 2).setText("1")
    assert window.workspace.label(label_id).hotkey == "w"
    assert "already used" in window.statusBar().currentMessage()
    assert window.status_saved.text() == "not saved"
    # Renames and reorders are undoable like everything else.
    window.workspace.undo_stack.undo()  # the span labelled with "w"
    window.workspace.undo_stack.undo()  # the reorder, one step
    names = [lb.name for lb in window.workspace.labels if lb.kind == "span"]
    assert names.index("When") == names.index("Location") + 1


def _bad_and_good_files(tmp_path: Path) -> list[Path]:
    good = tmp_path / "good.txt"
    good.write_text("A short plain article about Lisbon.\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": broken\n', encoding="utf-8")
    return [good, bad]


def test_gui_import_reports_failures_by_file_and_line(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    corpus = window.workspace.corpus
    report = run_import(window, corpus, _bad_and_good_files(tmp_path), project=SAMPLE_PROJECT)
    assert report is not None and report.documents == 1
    box = window.findChild(QMessageBox, "importReport")
    assert box is not None
    assert "bad.jsonl, line 2" in box.detailedText()
    box.close()


def test_cancelled_gui_import_writes_nothing(qtbot, window: MainWindow, tmp_path: Path) -> None:
    corpus = window.workspace.corpus
    files = []
    for number in range(30):
        path = tmp_path / f"article_{number:02}.txt"
        path.write_text(f"Article number {number} about the harbour.\n" * 50, encoding="utf-8")
        files.append(path)

    def cancel() -> None:
        dialog = window.findChild(QProgressDialog, "progressDialog")
        if dialog is None:
            QTimer.singleShot(5, cancel)
            return
        dialog.cancel()

    QTimer.singleShot(0, cancel)

    def dismiss() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.accept()
        else:
            QTimer.singleShot(10, dismiss)

    QTimer.singleShot(0, dismiss)
    before = corpus.progress(window.workspace.project.id).total
    assert run_import(window, corpus, files, project=SAMPLE_PROJECT) is None
    assert corpus.progress(window.workspace.project.id).total == before


def test_files_dropped_on_the_window_are_imported(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "dropped.md"
    path.write_text("# Dropped Article\n\nBy [Jo Doe](#)\n\nMay 2, 2025\n\nBody text here.\n",
                    encoding="utf-8")  # fmt: skip
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPoint(10, 10).toPointF(), Qt.DropAction.CopyAction, data,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip

    def dismiss() -> None:
        box = window.findChild(QMessageBox, "importReport")
        if box is not None and box.isVisible():
            box.accept()
        else:
            QTimer.singleShot(10, dismiss)

    QTimer.singleShot(0, dismiss)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.documents.model.rowCount() == 4, timeout=5000)
    titles = [window.documents.model.data(window.documents.model.index(r)) for r in range(4)]
    assert "Dropped Article" in titles


def test_export_from_the_window_writes_csv_and_jsonl(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    start = window.workspace.document.text.index("Tuesday")
    window.article.text.place_caret(start)
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: messages.append(text))
    for format_name in ("csv", "jsonl"):
        target = tmp_path / f"out.{format_name}"
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", lambda *_a, t=target, **_k: (str(t), "")
        )
        window.export(format_name)
        assert target.is_file()
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["label"], r["text"], r["annotator"]) for r in rows] == [("Date", "Tuesday", "alice")]
    assert (tmp_path / "out.document-labels.csv").is_file()
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["annotations"][0]["spans"][0]["text"] == "Tuesday"
    assert "Wrote 1 span(s)" in messages[0] and "Wrote 3 document(s)" in messages[1]
