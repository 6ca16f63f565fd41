"""A document begins by itself: the annotator's first change puts it "in progress" in
the list, and the command line says so too; "done" stays a deliberate Ctrl+Enter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.base.vocabulary import Status
from annotator.cli import main
from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def open_row_tooltip(window: MainWindow) -> str:
    return str(window.documents.view.currentIndex().data(Qt.ItemDataRole.ToolTipRole))


def listed_status(window: MainWindow, document_id: int) -> str | None:
    return window.documents.model.status_of(document_id)


def cli(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str) -> str:
    code = main(["--annotator", "alice", *argv, "--project", SAMPLE_PROJECT, "--db", str(db_path)])
    out = capsys.readouterr().out
    assert code == 0
    return out


def test_the_first_label_begins_the_document_and_undo_leaves_it_begun(
    qtbot: Any, window: MainWindow, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    view = window.article.text
    document = window.workspace.document
    assert listed_status(window, document.id) == Status.TODO
    assert "to do" in open_row_tooltip(window)

    qtbot.keyClick(view, Qt.Key.Key_1)  # the word at the caret becomes a Person
    assert len(window.workspace.spans) == 1
    assert listed_status(window, document.id) == Status.IN_PROGRESS
    assert "in progress" in open_row_tooltip(window)

    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the span goes; the document stays begun
    assert window.workspace.spans == {}
    assert listed_status(window, document.id) == Status.IN_PROGRESS

    rows = [row.split() for row in cli(capsys, db_path, "documents").splitlines()[1:-1]]
    statuses = {int(row[0]): row[1] for row in rows}
    assert statuses.pop(document.id) == Status.IN_PROGRESS
    assert list(statuses.values()) == [Status.TODO, Status.TODO]
    stats = cli(capsys, db_path, "stats")
    alice = next(row for row in stats.splitlines() if row.startswith("alice"))
    assert alice.split()[-2:] == ["0", "1"]  # done 0, in progress 1

    qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)  # done is the annotator's decision
    assert listed_status(window, document.id) == Status.DONE
    assert window.workspace.document.id != document.id


def test_a_change_to_a_done_document_leaves_it_done(qtbot: Any, window: MainWindow) -> None:
    view = window.article.text
    document = window.workspace.document
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)  # done, and the next one opens
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # back to it
    assert window.workspace.document.id == document.id
    assert listed_status(window, document.id) == Status.DONE

    view.place_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # a change to a done document leaves it done
    assert window.workspace.spans == {}
    assert listed_status(window, document.id) == Status.DONE
