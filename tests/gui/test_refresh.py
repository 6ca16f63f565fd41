"""The window shows other people's work within seconds, without a restart and without
moving what the user is doing: another program commits, the real window catches up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.base.vocabulary import Status
from annotator.core.corpus import Corpus
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from tests.conftest import REPO

SEEN_WITHIN_MS = 5000  # the watch ticks every second; a loaded machine is slower
UNDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
REDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

# Another annotator's program: opens the corpus as ANNOTATOR and runs one action.
OTHER_PROGRAM = """
import json, sys
from annotator.base.vocabulary import Status
from annotator.core.corpus import Corpus

url, annotator, action, args = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
with Corpus.open(url, annotator=annotator) as corpus:
    if action == "add_spans":
        for label, start, end in args["spans"]:
            corpus.add_span(args["document"], label, start, end)
    elif action == "set_status":
        corpus.set_status(args["document"], Status(args["status"]))
    elif action == "remove_span":
        corpus.remove_span(args["span"])
    elif action == "relabel_span":
        corpus.relabel_span(args["span"], args["label"])
    elif action == "delete_document":
        corpus.delete_document(args["document"])
"""


def child_env() -> dict[str, str]:
    """This checkout's code in the child too, before whatever else the path holds."""
    inherited = os.environ.get("PYTHONPATH")
    path = str(REPO) if not inherited else os.pathsep.join((str(REPO), inherited))
    return dict(os.environ, PYTHONPATH=path)


def run_other(qtbot: Any, url: str, annotator: str, action: str, **args: Any) -> None:
    """Runs while the window's event loop goes on, as another person's program would."""
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROGRAM, url, annotator, action, json.dumps(args)],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    finished(qtbot, other)


def finished(qtbot: Any, process: subprocess.Popen[str]) -> str:
    """Wait for a child with the window's event loop running; its output, once it passed."""
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=120_000)
    finally:
        if process.poll() is None:
            process.kill()
        out, err = process.communicate()
    assert process.returncode == 0, err
    return out


def import_with_the_cli(url: str, project: str, source: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "import", str(source), "--project", project,
         "--db", url],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def write_articles(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            out.write(json.dumps({"title": f"Wire story {number}", "text": f"Story {number}."}))
            out.write("\n")
    return path


def listed_titles(window: MainWindow) -> list[str]:
    model = window.documents.model
    return [model.data(model.index(row)) for row in range(model.rowCount())]


def label_ids(window: MainWindow) -> dict[str, int]:
    return {label.name: label.id for label in window.workspace.labels}


def shown(window: MainWindow) -> set[tuple[int, int, int]]:
    """(start, end, label) of the spans the article paints."""
    return {
        (painted.start, painted.end, painted.label_id)
        for painted in window.article.text.spans_overlapping(0, len(window.article.text.text))
    }


def choose_layer(qtbot: Any, window: MainWindow, annotator: str) -> None:
    """The user picks a layer in the tool bar's chooser, with the keyboard."""
    chooser = window.layer_chooser
    qtbot.waitUntil(lambda: chooser.findData(annotator) >= 0, timeout=SEEN_WITHIN_MS)
    chooser.setFocus()
    while chooser.currentData() != annotator:
        qtbot.keyClick(chooser, Qt.Key.Key_Down)
    assert window.workspace.layer == annotator


def select_text(qtbot: Any, window: MainWindow, start: int, length: int) -> None:
    view = window.article.text
    view.setFocus()
    view.place_caret(start)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def sqlite_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


# -- SQLite: the change check ------------------------------------------------------------


def test_documents_imported_by_the_command_line_appear_without_a_restart(
    qtbot: Any, window: MainWindow, db_path: Path, tmp_path: Path
) -> None:
    project = window.workspace.project.name
    before = listed_titles(window)
    open_id = window.workspace.document.id
    importer = import_with_the_cli(
        sqlite_url(db_path), project, write_articles(tmp_path / "wire.jsonl", 3)
    )
    assert "imported" in finished(qtbot, importer)
    wire = ["Wire story 0", "Wire story 1", "Wire story 2"]
    qtbot.waitUntil(lambda: listed_titles(window) == before + wire, timeout=SEEN_WITHIN_MS)
    total = len(before) + 3
    assert window.documents.progress_label.text() == f"0 of {total} done"
    assert window.workspace.document.id == open_id  # the open document stays open
    current = window.documents.view.currentIndex().row()
    assert window.documents.model.document_id(current) == open_id


def test_another_annotators_spans_and_progress_show_in_their_layer(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    document = window.workspace.document
    labels = label_ids(window)
    harbour = document.text.index("Harbour Bridge")
    port = document.text.index("Port Ellison")
    run_other(qtbot, sqlite_url(db_path), "bob", "add_spans", document=document.id,
              spans=[(labels["Location"], harbour, harbour + 14)])  # fmt: skip
    choose_layer(qtbot, window, "bob")  # bob appeared in the chooser with his first span
    assert shown(window) == {(harbour, harbour + 14, labels["Location"])}
    assert window.documents.progress_label.text().startswith("0 of ")

    run_other(qtbot, sqlite_url(db_path), "bob", "add_spans", document=document.id,
              spans=[(labels["Location"], port, port + 12)])  # fmt: skip
    expected = {(harbour, harbour + 14, labels["Location"]), (port, port + 12, labels["Location"])}
    qtbot.waitUntil(lambda: shown(window) == expected, timeout=SEEN_WITHIN_MS)
    assert window.tags.span_model.row_count() == 2

    run_other(qtbot, sqlite_url(db_path), "bob", "set_status", document=document.id,
              status=Status.DONE.value)  # fmt: skip
    qtbot.waitUntil(
        lambda: window.documents.progress_label.text().startswith("1 of "),
        timeout=SEEN_WITHIN_MS,
    )
    row = window.documents.model.row_of(document.id)
    assert window.documents.model._rows[row].status == Status.DONE


def review_alice_against_bob(
    qtbot: Any,
    window: MainWindow,
    db_path: Path,
    *,
    alice: tuple[int, int, int],
    bob: tuple[int, int, int],
) -> None:
    """A span (label, start, end) of alice's and one bob adds from another process, then
    review mode by its key, comparing alice (A) with bob (B)."""
    document = window.workspace.document
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        corpus.add_span(document.id, *alice)
    run_other(qtbot, sqlite_url(db_path), "bob", "add_spans", document=document.id,
              spans=[bob])  # fmt: skip
    qtbot.waitUntil(lambda: window.layer_chooser.findData("bob") >= 0, timeout=SEEN_WITHIN_MS)
    qtbot.keyClick(window.article.text, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    article = window.review_article
    article.annotator_a.setCurrentIndex(article.annotator_a.findData("alice"))
    article.annotator_b.setCurrentIndex(article.annotator_b.findData("bob"))


def test_the_reviewers_comparison_follows_the_other_annotator(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    document = window.workspace.document
    labels = label_ids(window)
    port = document.text.index("Port Ellison")
    review_alice_against_bob(
        qtbot, window, db_path, alice=(labels["Location"], port, port + 12),
        bob=(labels["Person"], 0, 4),
    )  # fmt: skip
    window.review.reload()
    kinds = lambda: sorted(str(item.kind) for item in window.review_panel.model.items)  # noqa: E731
    assert kinds() == ["only_a", "only_b"]

    run_other(qtbot, sqlite_url(db_path), "bob", "add_spans", document=document.id,
              spans=[(labels["Location"], port, port + 12)])  # fmt: skip
    qtbot.waitUntil(lambda: kinds() == ["agree", "only_b"], timeout=SEEN_WITHIN_MS)


def test_someone_new_can_be_compared_without_leaving_review_mode(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    document = window.workspace.document
    labels = label_ids(window)
    person = (labels["Person"], 0, 4)
    review_alice_against_bob(qtbot, window, db_path, alice=person, bob=person)
    article = window.review_article
    chosen = (article.annotator_a.currentData(), article.annotator_b.currentData())
    assert article.annotator_b.findData("cleo") < 0

    run_other(qtbot, sqlite_url(db_path), "cleo", "add_spans", document=document.id,
              spans=[(labels["Person"], 0, 4)])  # fmt: skip
    qtbot.waitUntil(lambda: article.annotator_b.findData("cleo") >= 0, timeout=SEEN_WITHIN_MS)
    assert article.annotator_a.findData("cleo") >= 0
    assert (article.annotator_a.currentData(), article.annotator_b.currentData()) == chosen


def test_the_selection_caret_scroll_and_undo_survive_a_refresh(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    view = window.article.text
    document = window.workspace.document
    labels = label_ids(window)
    helena = document.text.index("Helena Voss")
    select_text(qtbot, window, helena, 6)  # one span of the user's, then a selection
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    tuesday = document.text.index("Tuesday")
    select_text(qtbot, window, tuesday, 4)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    scroll = view.verticalScrollBar().value()
    assert scroll > 0
    list_row = window.documents.view.currentIndex().row()
    undo_steps = window.workspace.undo_stack.count()
    assert undo_steps == 1

    # The same person in a second window labels another word of the open document.
    port = document.text.index("Port Ellison")
    run_other(qtbot, sqlite_url(db_path), "alice", "add_spans", document=document.id,
              spans=[(labels["Location"], port, port + 12)])  # fmt: skip
    qtbot.waitUntil(
        lambda: (port, port + 12, labels["Location"]) in shown(window), timeout=SEEN_WITHIN_MS
    )
    assert view.selection() == (tuesday, tuesday + 4)
    assert view.caret() == tuesday + 4
    assert view.verticalScrollBar().value() == scroll
    assert view.selected_span is None  # the other window's span is not selected here
    assert window.documents.view.currentIndex().row() == list_row
    assert window.workspace.undo_stack.count() == undo_steps
    assert window.workspace.document.id == document.id


def test_two_windows_as_one_annotator_and_what_undo_then_does(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    """Each change is its own transaction; the window shows the other's within seconds.
    Undo takes back this window's own action as it was made: a span the other window
    relabelled meanwhile is removed by undoing its creation here; one the other window
    already removed is simply gone, and the undo changes nothing."""
    view = window.article.text
    document = window.workspace.document
    labels = label_ids(window)
    helena = document.text.index("Helena Voss")
    select_text(qtbot, window, helena, 11)
    qtbot.keyClick(view, Qt.Key.Key_1)  # Person
    (span_id,) = window.workspace.spans
    run_other(qtbot, sqlite_url(db_path), "alice", "relabel_span", span=span_id,
              label=labels["Organisation"])  # fmt: skip
    qtbot.waitUntil(
        lambda: shown(window) == {(helena, helena + 11, labels["Organisation"])},
        timeout=SEEN_WITHIN_MS,
    )
    qtbot.keyClick(view, *UNDO)
    assert shown(window) == set()
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        assert corpus.spans(document.id) == []

    qtbot.keyClick(view, *REDO)
    assert shown(window) == {(helena, helena + 11, labels["Person"])}  # redone as it was made
    run_other(qtbot, sqlite_url(db_path), "alice", "remove_span", span=span_id)
    qtbot.waitUntil(lambda: shown(window) == set(), timeout=SEEN_WITHIN_MS)
    qtbot.keyClick(view, *UNDO)
    assert shown(window) == set()
    assert window.status_saved.text().startswith("saved")
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        assert corpus.spans(document.id) == []


def test_the_open_document_deleted_by_someone_else(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    document = window.workspace.document
    run_other(qtbot, sqlite_url(db_path), "bob", "delete_document", document=document.id)
    qtbot.waitUntil(lambda: window.workspace.document.id != document.id, timeout=SEEN_WITHIN_MS)
    assert "was deleted by someone else" in window.statusBar().currentMessage()
    assert window.documents.model.row_of(document.id) is None
    opened = window.workspace.document
    assert window.article.text.text == opened.text
    labels = label_ids(window)
    word = opened.text.split()[0]
    select_text(qtbot, window, 0, len(word))  # the window goes on working
    qtbot.keyClick(window.article.text, Qt.Key.Key_1)
    assert shown(window) == {(0, len(word), labels["Person"])}


def test_no_check_while_this_program_is_in_an_action(window: MainWindow, db_path: Path) -> None:
    watch = window.change_watch
    assert watch is not None and watch.watching and watch.timer.isActive()
    with Corpus.open(str(db_path), annotator="bob") as other:
        other.set_status(window.workspace.document.id, Status.DONE)
    refreshed: list[bool] = []
    window.workspace.refreshed.connect(lambda: refreshed.append(True))
    assert window.workspace.corpus is not None
    with window.workspace.corpus.action():
        watch.check()  # the change stays pending while the action holds the database
    assert refreshed == []
    watch.check()
    assert refreshed == [True]


# -- PostgreSQL: LISTEN/NOTIFY -----------------------------------------------------------


@pytest.fixture
def pg_window(qtbot: Any, settings: Settings) -> Iterator[tuple[MainWindow, str]]:
    from tests.core.conftest import PG_URL, _fresh_pg_url

    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    url = _fresh_pg_url()
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.open_database(url, annotator="alice", project=None)
    yield main, url
    main.close()


def test_on_postgresql_other_peoples_work_shows_through_notifications(
    qtbot: Any, pg_window: tuple[MainWindow, str], tmp_path: Path
) -> None:
    window, url = pg_window
    document = window.workspace.document
    labels = label_ids(window)
    harbour = document.text.index("Harbour Bridge")
    run_other(qtbot, url, "bob", "add_spans", document=document.id,
              spans=[(labels["Location"], harbour, harbour + 14)])  # fmt: skip
    choose_layer(qtbot, window, "bob")
    assert shown(window) == {(harbour, harbour + 14, labels["Location"])}
    port = document.text.index("Port Ellison")
    run_other(qtbot, url, "bob", "add_spans", document=document.id,
              spans=[(labels["Location"], port, port + 12)])  # fmt: skip
    qtbot.waitUntil(lambda: len(shown(window)) == 2, timeout=SEEN_WITHIN_MS)
    run_other(qtbot, url, "bob", "set_status", document=document.id, status=Status.DONE.value)
    qtbot.waitUntil(
        lambda: window.documents.progress_label.text().startswith("1 of "),
        timeout=SEEN_WITHIN_MS,
    )

    before = listed_titles(window)
    importer = import_with_the_cli(
        url, window.workspace.project.name, write_articles(tmp_path / "wire.jsonl", 2)
    )
    assert "imported" in finished(qtbot, importer)
    qtbot.waitUntil(
        lambda: listed_titles(window) == [*before, "Wire story 0", "Wire story 1"],
        timeout=SEEN_WITHIN_MS,
    )
    assert window.workspace.document.id == document.id


def test_no_check_while_a_modal_dialog_is_open(
    qtbot: Any, window: MainWindow, db_path: Path
) -> None:
    from PySide6.QtWidgets import QDialog

    watch = window.change_watch
    assert watch is not None
    refreshed: list[bool] = []
    window.workspace.refreshed.connect(lambda: refreshed.append(True))
    dialog = QDialog(window)
    dialog.open()  # window-modal, as the labels and settings dialogs are
    qtbot.waitUntil(dialog.isVisible)
    with Corpus.open(str(db_path), annotator="bob") as other:
        other.set_status(window.workspace.document.id, Status.DONE)
    watch.check()
    assert refreshed == []
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    watch.check()
    assert refreshed == [True]
