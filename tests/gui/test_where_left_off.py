"""Reopening the window returns to where the person left off: the project, the document,
the caret and the scroll position, per database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.core.corpus import Corpus
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings


@pytest.fixture
def open_windows(qtbot: Any) -> Iterator[list[MainWindow]]:
    opened: list[MainWindow] = []
    yield opened
    for window in opened:
        window.close()


def reopen(qtbot: Any, settings: Settings, database: Path, opened: list[MainWindow]) -> MainWindow:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_database(str(database), annotator="alice", project=None)
    opened.append(window)
    return window


def test_the_document_caret_and_scroll_come_back_after_a_restart(
    qtbot: Any, window: MainWindow, settings: Settings, db_path: Path, open_windows: list
) -> None:
    first_document = window.workspace.document
    qtbot.keyClick(window.article.text, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    second_document = window.workspace.document
    assert second_document.id != first_document.id
    view = window.article.text
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    caret, scroll = view.caret(), view.verticalScrollBar().value()
    assert caret > 0 and scroll > 0
    window.close()

    again = reopen(qtbot, settings, db_path, open_windows)
    qtbot.waitUntil(lambda: again.article.text.verticalScrollBar().value() == scroll)
    assert again.workspace.document.id == second_document.id
    assert again.article.text.caret() == caret
    assert again.documents.view.currentIndex().data() == window.documents.view.currentIndex().data()


def test_a_document_deleted_meanwhile_falls_back_to_the_first_to_work_on(
    qtbot: Any, window: MainWindow, settings: Settings, db_path: Path, open_windows: list
) -> None:
    first_document = window.workspace.document
    qtbot.keyClick(window.article.text, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    left_on = window.workspace.document
    window.close()
    with Corpus.open(str(db_path), annotator="bob") as corpus:
        corpus.delete_document(left_on.id)

    again = reopen(qtbot, settings, db_path, open_windows)
    assert again.workspace.document.id == first_document.id
    assert again.article.text.caret() == 0


def test_each_database_keeps_its_own_place(
    qtbot: Any, window: MainWindow, settings: Settings, db_path: Path, tmp_path: Path,
    open_windows: list,
) -> None:  # fmt: skip
    first_document = window.workspace.document
    qtbot.keyClick(window.article.text, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    window.close()

    other = reopen(qtbot, settings, tmp_path / "other.db", open_windows)
    assert other.workspace.document.id == first_document.id  # a fresh database starts at the top
