"""The effort meter: key presses and active time on the open document, saved as it goes."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.core.effort import Effort, clock_time, effort_by_document
from annotator.gui.effort_meter import EffortMeter, install_effort_meter
from annotator.gui.main_window import MainWindow


class Clock:
    """A clock the test moves by hand, so the idle rule is tested without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def saved(window: MainWindow) -> dict[tuple[int, str], Effort]:
    workspace = window.workspace
    assert workspace.corpus is not None and workspace.project is not None
    assert workspace.project.id is not None
    return effort_by_document(workspace.corpus, workspace.project.id)


def other_document(window: MainWindow) -> int:
    workspace = window.workspace
    assert workspace.corpus is not None and workspace.project is not None
    assert workspace.project.id is not None and workspace.document is not None
    rows = workspace.corpus.documents(workspace.project.id)
    return next(row.id for row in rows if row.id != workspace.document.id)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def meter(window: MainWindow, clock: Clock) -> EffortMeter:
    """The window's own meter gives way to one on the test's clock."""
    window.effort_meter.stop()
    return install_effort_meter(window, window.workspace, clock=clock)


def test_the_window_measures_effort_by_itself(qtbot: Any, window: MainWindow) -> None:
    first = window.workspace.document
    assert first is not None and first.id is not None
    window.activateWindow()
    view = window.article.text
    view.setFocus()
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    window.workspace.open_document(other_document(window))
    assert saved(window)[(first.id, "alice")].keystrokes == 3


def press(qtbot: Any, window: MainWindow, clock: Clock, gap: float) -> None:
    clock.now += gap
    view = window.article.text
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)


def test_key_presses_and_active_time_are_saved_when_the_document_changes(
    qtbot: Any, window: MainWindow, meter: EffortMeter, clock: Clock
) -> None:
    window.activateWindow()
    first = window.workspace.document
    assert first is not None and first.id is not None
    for _ in range(4):
        press(qtbot, window, clock, 5.0)
    assert saved(window) == {}  # nothing written before the document changes

    window.workspace.open_document(other_document(window))

    effort = saved(window)[(first.id, "alice")]
    assert effort.keystrokes == 4
    assert effort.active_seconds == pytest.approx(15.0)  # three gaps of 5 s; the first opens
    assert effort.spans_made == 0


def test_a_gap_past_the_idle_limit_adds_no_time(
    qtbot: Any, window: MainWindow, meter: EffortMeter, clock: Clock
) -> None:
    window.activateWindow()
    first = window.workspace.document
    assert first is not None and first.id is not None
    press(qtbot, window, clock, 0.0)
    press(qtbot, window, clock, 120.0)  # back from a break: the key counts, the break not
    press(qtbot, window, clock, 2.0)
    window.workspace.open_document(other_document(window))

    effort = saved(window)[(first.id, "alice")]
    assert effort.keystrokes == 3
    assert effort.active_seconds == pytest.approx(2.0)


def test_spans_made_are_counted_and_saved_every_flush(
    qtbot: Any, window: MainWindow, meter: EffortMeter, clock: Clock
) -> None:
    workspace = window.workspace
    document = workspace.document
    assert document is not None and document.id is not None
    label = workspace.labels[0]
    assert label.id is not None
    assert workspace.add_span(label.id, 0, 3) is not None
    press(qtbot, window, clock, 1.0)
    press(qtbot, window, clock, 3.0)
    assert meter.flush()  # as the half-minute timer does
    assert saved(window)[(document.id, "alice")] == Effort(3.0, 2, 1)
    workspace.undo()  # taking a span back is not making one
    press(qtbot, window, clock, 1.0)
    assert meter.flush()
    assert saved(window)[(document.id, "alice")] == Effort(4.0, 3, 1)


def test_closing_the_window_saves_what_is_left(
    qtbot: Any, window: MainWindow, meter: EffortMeter, clock: Clock
) -> None:
    document = window.workspace.document
    assert document is not None and document.id is not None and window.workspace.corpus
    url = str(window.workspace.corpus.engine.url.database)
    press(qtbot, window, clock, 0.0)
    press(qtbot, window, clock, 7.0)
    window.close()

    from annotator.core.corpus import Corpus

    corpus = Corpus.open(url, annotator="alice")
    try:
        project_id = document.project_id
        assert effort_by_document(corpus, project_id)[(document.id, "alice")] == Effort(7.0, 2, 0)
    finally:
        corpus.close()


def test_a_failure_to_save_is_said_in_the_status_bar_not_raised(
    qtbot: Any, window: MainWindow, meter: EffortMeter, clock: Clock, monkeypatch: Any
) -> None:
    from annotator.base.errors import UserError

    def broken(*_: Any) -> None:
        raise UserError("the database is locked")

    monkeypatch.setattr("annotator.gui.effort_meter.add_effort", broken)
    press(qtbot, window, clock, 0.0)
    press(qtbot, window, clock, 2.0)
    with qtbot.waitSignal(window.workspace.failed) as said:
        assert not meter.flush()
    assert "could not save time and effort: the database is locked" in said.args[0]
    assert meter.pending == Effort(2.0, 2, 0)  # kept for the next try
    monkeypatch.undo()
    assert meter.flush()
    assert meter.pending == Effort()


def test_the_progress_view_shows_time_and_effort_once_saved(qtbot: Any, window: MainWindow) -> None:
    documents = window.documents
    assert documents.effort_label.isHidden()  # nothing measured yet: no empty figures
    window.activateWindow()
    view = window.article.text
    view.setFocus()
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # next document
    # Alt+Right itself is a key press on the first document, saved as it is left.
    qtbot.waitUntil(lambda: not documents.effort_label.isHidden())
    [effort] = saved(window).values()
    assert effort.keystrokes >= 5  # the four arrows, and Alt+Right as it was delivered
    # Each document's own figures are in its tooltip in the list.
    model = documents.model
    tips = [
        model.data(model.index(row), Qt.ItemDataRole.ToolTipRole) for row in range(model.rowCount())
    ]
    line = f"{clock_time(effort.active_seconds)} active · {effort.keystrokes} keys · 0 spans"
    assert tips[0].endswith("\n" + line)
    assert all(" active · " not in tip for tip in tips[1:])
    assert documents.effort_label.text() == (
        f"{clock_time(effort.active_seconds)} active · {effort.keystrokes} keys · 0 spans"
    )
    # A span made on the second document shows in the figures once it is saved.
    start = window.workspace.document.text.index(" ") + 1
    window.article.text.place_caret(start)
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_1)
    window.effort_meter.flush()
    assert sum(e.spans_made for e in saved(window).values()) == 1
    assert documents.effort_label.text().endswith(" · 1 span")


def test_a_rate_shows_once_a_minute_was_measured() -> None:
    from annotator.gui.document_list import effort_in_words

    assert effort_in_words(Effort(59.0, 10, 3), "0:00:59") == "0:00:59 active · 10 keys · 3 spans"
    assert effort_in_words(Effort(120.0, 1, 6), "0:02:00") == (
        "0:02:00 active · 1 key · 6 spans · 3.00/min"
    )


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_keys_typed_in_an_open_menu_count_once(qtbot: Any, window: MainWindow) -> None:
    """Alt+S opens the Suggest menu and S chooses its first entry: two keys, though the
    S goes to the menu and not to the widget with the focus."""
    from PySide6.QtWidgets import QApplication, QMenu

    first = window.workspace.document
    assert first is not None and first.id is not None
    window.activateWindow()
    view = window.article.text
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and menu.title() == "&Suggest"
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    window.workspace.open_document(other_document(window))
    # Alt, then S (a shortcut of the menu bar), then Escape in the menu.
    assert saved(window)[(first.id, "alice")].keystrokes == 3
