"""The workspace driven from the keyboard, checking the database after each action."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QCheckBox, QLabel, QListView, QTableView, QWidget

from annotator.core.corpus import Corpus
from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.main_window import MainWindow


def stored_spans(db_path: Path, annotator: str = "alice") -> list[tuple[str, int, int, str]]:
    """What the database holds, read through a separate connection."""
    with Corpus.open(str(db_path), annotator=annotator) as corpus:
        project = corpus.project(SAMPLE_PROJECT)
        assert project.id is not None
        names = {label.id: label.name for label in corpus.labels(project.id)}
        rows = []
        for document in corpus.documents(project.id):
            for span in corpus.spans(document.id):
                rows.append((names[span.label_id], span.start, span.end, span.text))
        return sorted(rows, key=lambda row: (row[1], row[2], row[0]))


def caret_to(window: MainWindow, offset: int) -> None:
    window.article.text.place_caret(offset)


def select_with_keys(qtbot, window: MainWindow, start: int, length: int) -> None:
    view = window.article.text
    caret_to(window, start)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def offset_of(window: MainWindow, needle: str, nth: int = 0) -> int:
    text = window.workspace.document.text
    position = -1
    for _ in range(nth + 1):
        position = text.index(needle, position + 1)
    return position


def test_first_run_opens_the_sample_project(window: MainWindow) -> None:
    for name in ("mainWindow", "documentList", "articleView", "tagPanel", "labelList", "spanList"):
        found = window if window.objectName() == name else window.findChild(QWidget, name)
        assert found is not None, name
    workspace = window.workspace
    assert workspace.project is not None and workspace.project.name == SAMPLE_PROJECT
    documents = window.findChild(QListView, "documentList")
    assert documents.model().rowCount() == 3
    spans = [label for label in workspace.labels if label.kind == "span"]
    assert [(label.name, label.hotkey) for label in spans] == [
        ("Person", "1"), ("Organisation", "2"), ("Location", "3"), ("Date", "4"), ("Event", "5"),
    ]  # fmt: skip
    assert workspace.document is not None
    assert window.article.header.title.text() == workspace.document.title
    assert "By Marta Kowalski" in window.article.header.meta.text()
    assert window.findChild(QLabel, "documentProgress").text() == "0 of 3 done"


def test_shift_arrows_and_a_hotkey_label_a_span_snapped_to_words(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    start = offset_of(window, "Harbour Bridge")
    select_with_keys(qtbot, window, start + 2, 9)  # "rbour Bri": sloppy on both sides
    qtbot.keyClick(window.article.text, Qt.Key.Key_3)
    assert stored_spans(db_path) == [("Location", start, start + 14, "Harbour Bridge")]
    table = window.findChild(QTableView, "spanList")
    assert table.model().rowCount() == 1
    assert table.model().index(0, 1).data() == "Harbour Bridge"


def test_snapping_can_be_turned_off(qtbot, window: MainWindow, db_path: Path) -> None:
    from annotator.gui import settings as options

    window.settings.set(options.SNAP_TO_WORDS, False)
    start = offset_of(window, "Harbour Bridge")
    select_with_keys(qtbot, window, start + 2, 5)
    qtbot.keyClick(window.article.text, Qt.Key.Key_3)
    assert stored_spans(db_path) == [("Location", start + 2, start + 7, "rbour")]


def test_hotkey_without_selection_labels_the_word_at_the_caret(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    start = offset_of(window, "Tuesday")
    caret_to(window, start + 3)
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    assert stored_spans(db_path) == [("Date", start, start + 7, "Tuesday")]


def _click_on(qtbot, window: MainWindow, offset: int) -> None:
    view = window.article.text
    cursor = QTextCursor(view.document())
    cursor.setPosition(offset)
    rect = view.cursorRect(cursor)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + 4, rect.center().y())
    )


def test_click_selects_a_span_and_another_hotkey_relabels_it(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    start = offset_of(window, "Port Ellison")
    select_with_keys(qtbot, window, start, 12)
    qtbot.keyClick(window.article.text, Qt.Key.Key_2)
    _click_on(qtbot, window, start + 1)
    assert window.article.text.selected_span is not None
    qtbot.keyClick(window.article.text, Qt.Key.Key_3)
    assert stored_spans(db_path) == [("Location", start, start + 12, "Port Ellison")]


def test_delete_removes_the_span_at_the_caret(qtbot, window: MainWindow, db_path: Path) -> None:
    start = offset_of(window, "Tuesday")
    caret_to(window, start)
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    qtbot.keyClick(window.article.text, Qt.Key.Key_Escape)
    caret_to(window, start + 2)
    qtbot.keyClick(window.article.text, Qt.Key.Key_Delete)
    assert stored_spans(db_path) == []


def test_undo_and_redo_every_action_and_the_database_follows(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    view = window.article.text
    start = offset_of(window, "Port Ellison")
    select_with_keys(qtbot, window, start, 12)
    qtbot.keyClick(view, Qt.Key.Key_3)  # add
    qtbot.keyClick(view, Qt.Key.Key_2)  # relabel the selected span
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # remove it
    assert stored_spans(db_path) == []
    undo = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    redo = (
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    expected = [
        [("Organisation", start, start + 12, "Port Ellison")],
        [("Location", start, start + 12, "Port Ellison")],
        [],
    ]
    for state in expected:
        qtbot.keyClick(view, *undo)
        assert stored_spans(db_path) == state
    for state in reversed(expected[:-1]):
        qtbot.keyClick(view, *redo)
        assert stored_spans(db_path) == state
    qtbot.keyClick(view, *redo)
    assert stored_spans(db_path) == []
    assert window.tags.span_model.rowCount() == 0


def test_nested_and_overlapping_spans_all_stay_visible(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    view = window.article.text
    start = offset_of(window, "Northern Infrastructure Agency")
    select_with_keys(qtbot, window, start, 30)
    qtbot.keyClick(view, Qt.Key.Key_2)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    select_with_keys(qtbot, window, start, 8)
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert [row[0] for row in stored_spans(db_path)] == ["Location", "Organisation"]
    block = view.document().findBlock(start)
    ranges = block.layout().formats()
    inner = [r for r in ranges if r.start <= start - block.position() < r.start + r.length]
    outer = [r for r in ranges if r.start <= start + 20 - block.position() < r.start + r.length]
    colours = {label.name: label.color.lower() for label in window.workspace.labels}
    assert inner[0].format.background().color().name() == colours["Location"]
    assert inner[0].format.underlineColor().name() == colours["Organisation"]
    assert outer[0].format.background().color().name() == colours["Organisation"]
    # Clicking the nested place twice walks from the inner span to the outer one.
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    _click_on(qtbot, window, start + 2)
    first = view.selected_span
    _click_on(qtbot, window, start + 2)
    second = view.selected_span
    spans = window.workspace.spans.values()
    names = {s.id: window.workspace.label(s.label_id).name for s in spans}
    assert (names[first], names[second]) == ("Location", "Organisation")
    assert "Location" in view.describe_span(first, window.workspace.spans[first].label_id)


def test_find_then_label_the_match(qtbot, window: MainWindow, db_path: Path) -> None:
    view = window.article.text
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    field = window.article.find_bar.field
    assert field.hasFocus()
    qtbot.keyClicks(field, "helena voss")
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    qtbot.keyClick(view, Qt.Key.Key_1)
    start = offset_of(window, "Helena Voss")
    assert stored_spans(db_path) == [("Person", start, start + 11, "Helena Voss")]


def test_navigation_and_done_and_next(qtbot, window: MainWindow, db_path: Path) -> None:
    view = window.article.text
    ids = window.documents.model.loaded_ids()
    assert window.workspace.document.id == ids[0]
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.document.id == ids[1]
    qtbot.keyClick(window.article.text, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.document.id == ids[0]
    qtbot.keyClick(window.article.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.document.id == ids[1]
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        project_id = corpus.project(SAMPLE_PROJECT).id
        statuses = {row.id: row.status for row in corpus.documents(project_id)}
    assert statuses == {ids[0]: "done", ids[1]: "todo", ids[2]: "todo"}
    assert window.findChild(QLabel, "documentProgress").text() == "1 of 3 done"


def test_document_labels_and_span_notes_are_saved(qtbot, window: MainWindow, db_path: Path) -> None:
    box = next(
        b for b in window.findChildren(QCheckBox) if b.objectName().startswith("documentLabel_")
    )
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    start = offset_of(window, "Tuesday")
    caret_to(window, start)
    qtbot.keyClick(window.article.text, Qt.Key.Key_4)
    model = window.tags.span_model
    assert model.setData(model.index(0, 2), "weekday, not a date")
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        document_id = window.workspace.document.id
        assert corpus.document_labels(document_id) == [int(box.objectName().split("_")[1])]
        assert corpus.spans(document_id)[0].note == "weekday, not a date"
    assert "weekday" in window.article.text.describe_span(
        model.span_id(0), window.workspace.spans[model.span_id(0)].label_id
    )


def test_document_filter_and_status_filter(qtbot, window: MainWindow) -> None:
    model = window.documents.model
    window.documents.filter_field.setText("whale")
    window.documents.reload()
    assert model.rowCount() == 1
    assert "Whale" in model.data(model.index(0))
    window.documents.filter_field.setText("")
    window.documents.status_filter.setCurrentIndex(window.documents.status_filter.findData("done"))
    assert model.rowCount() == 0


def test_status_bar_shows_who_what_and_where(window: MainWindow, db_path: Path) -> None:
    text = window.status_identity.text()
    assert "alice" in text and SAMPLE_PROJECT in text and db_path.name in text
    assert "sqlite:" not in text  # a file name, not a URL
    assert window.status_identity.toolTip() == str(db_path)  # the whole path on hover


def test_status_bar_names_a_server_by_database_and_host_never_a_password(
    window: MainWindow,
) -> None:
    window.db_url = "postgresql+psycopg://lead:hunter2@db.example:5433/corpus"
    window._update_identity()
    assert "corpus on db.example:5433" in window.status_identity.text()
    assert "hunter2" not in window.status_identity.text()
    assert "hunter2" not in window.status_identity.toolTip()
    assert "***" in window.status_identity.toolTip()


@pytest.mark.parametrize("step", [1, -1])
def test_zoom_changes_font_and_persists(qtbot, window: MainWindow, step: int) -> None:
    from annotator.gui import settings as options

    before = window.article.text.font().pointSize()
    key = Qt.Key.Key_Plus if step > 0 else Qt.Key.Key_Minus
    qtbot.keyClick(window.article.text, key, Qt.KeyboardModifier.ControlModifier)
    assert window.article.text.font().pointSize() == before + step
    assert window.settings.get(options.FONT_SIZE) == before + step


def test_switching_to_another_annotators_layer_is_read_only(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    document_id = window.workspace.document.id
    start = offset_of(window, "Tuesday")
    with Corpus.open(str(db_path), annotator="bob") as bob:
        label = next(lb.id for lb in bob.labels(window.workspace.project.id) if lb.name == "Date")
        bob.add_span(document_id, label, start, start + 7)
    window.refresh_layers()
    chooser = window.layer_chooser
    assert [chooser.itemText(i) for i in range(chooser.count())] == ["alice (you)", "bob"]
    assert window.tags.span_model.rowCount() == 0  # alice's own layer by default
    chooser.setCurrentIndex(1)
    chooser.activated.emit(1)
    assert window.tags.span_model.rowCount() == 1
    assert "bob's layer" in window.status_identity.text()
    caret_to(window, offset_of(window, "Port Ellison"))
    qtbot.keyClick(window.article.text, Qt.Key.Key_3)
    assert stored_spans(db_path) == []  # alice wrote nothing
    assert "read-only" in window.statusBar().currentMessage()
    chooser.setCurrentIndex(0)
    chooser.activated.emit(0)
    qtbot.keyClick(window.article.text, Qt.Key.Key_3)
    assert [row[0] for row in stored_spans(db_path)] == ["Location"]


def test_after_importing_a_doccano_file_key_1_labels_and_a_free_key_says_so(
    qtbot, settings, db_path: Path
) -> None:
    from annotator.core.importing import import_paths

    fixture = (
        Path(__file__).resolve().parents[1] / "fixtures" / "doccano" / "intent_and_slots.jsonl"
    )
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        assert import_paths(corpus, [fixture], project="slots").ok
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_database(str(db_path), annotator="alice", project="slots")
    assert window.workspace.document is not None
    start = offset_of(window, "table")
    caret_to(window, start + 2)
    qtbot.keyClick(window.article.text, Qt.Key.Key_1)
    city = next(label.id for label in window.workspace.labels if label.name == "CITY")
    assert [(s.label_id, s.start, s.end) for s in window.workspace.spans.values()].count(
        (city, start, start + 5)
    ) == 1
    qtbot.keyClick(window.article.text, Qt.Key.Key_7)
    assert window.statusBar().currentMessage() == "no label on key 7"
    assert window.article.text.toPlainText() == window.workspace.document.text  # nothing typed
    window.close()
