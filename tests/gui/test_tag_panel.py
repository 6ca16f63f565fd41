"""The tagging panel on its own: it follows the workspace, and its boxes write the corpus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox

from annotator.base.vocabulary import LabelKind
from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.tag_panel import LABEL_ID, TagPanel
from annotator.gui.workspace import Workspace


@pytest.fixture
def panel(qtbot, workspace: Workspace) -> TagPanel:
    widget = TagPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(360, 700)
    widget.show()
    assert workspace.corpus is not None
    workspace.open_project(workspace.corpus.project(SAMPLE_PROJECT))
    first = workspace.corpus.documents(workspace.project.id, limit=1)[0].id
    workspace.open_document(first)
    return widget


def label_rows(panel: TagPanel) -> list[tuple[str, str]]:
    items = [panel.label_list.item(row) for row in range(panel.label_list.count())]
    return [(item.text(), item.data(Qt.ItemDataRole.UserRole)) for item in items]


def test_a_label_added_shows_as_a_row_with_its_hotkey(
    panel: TagPanel, workspace: Workspace
) -> None:
    before = label_rows(panel)
    assert ("Location", "3") in before
    assert workspace.add_label("Vehicle", kind=LabelKind.SPAN, hotkey="7") is not None
    assert label_rows(panel) == [*before, ("Vehicle", "7")]
    workspace.undo_stack.undo()
    assert label_rows(panel) == before


def test_a_label_added_in_the_corpus_shows_once_the_labels_are_reloaded(
    panel: TagPanel, workspace: Workspace
) -> None:
    assert workspace.corpus is not None and workspace.project is not None
    workspace.corpus.add_label(workspace.project.id, "Ship", hotkey="8")
    assert ("Ship", "8") not in label_rows(panel)
    workspace.reload_labels()
    assert label_rows(panel)[-1] == ("Ship", "8")


def test_a_document_label_is_a_check_box_that_writes_the_corpus(
    qtbot, panel: TagPanel, workspace: Workspace
) -> None:
    assert workspace.corpus is not None and workspace.document is not None
    document_id = workspace.document.id
    change = workspace.add_label("Breaking", kind=LabelKind.DOCUMENT)
    assert change is not None
    label_id = change.entity_id
    checkbox = panel.findChild(QCheckBox, f"documentLabel_{label_id}")
    assert checkbox is not None and checkbox.text() == "Breaking"
    assert checkbox.isEnabled() and not checkbox.isChecked()
    qtbot.waitUntil(checkbox.isVisible)  # laid out, where a person can click it
    box = QPoint(8, checkbox.height() // 2)  # the box itself; the wide rest is not the button
    qtbot.mouseClick(checkbox, Qt.MouseButton.LeftButton, pos=box)
    assert label_id in workspace.corpus.document_labels(document_id)
    assert checkbox.isChecked()
    workspace.undo_stack.undo()
    assert label_id not in workspace.corpus.document_labels(document_id)
    assert not checkbox.isChecked()
    workspace.undo_stack.redo()
    assert checkbox.isChecked()
    qtbot.mouseClick(checkbox, Qt.MouseButton.LeftButton, pos=box)  # unticked again
    assert label_id not in workspace.corpus.document_labels(document_id)


def test_another_layer_shows_document_labels_read_only(
    panel: TagPanel, workspace: Workspace
) -> None:
    boxes = panel.document_labels.findChildren(QCheckBox)
    assert boxes and all(box.isEnabled() for box in boxes)
    workspace.show_layer("bob")
    assert not any(box.isEnabled() for box in boxes)


def test_clicking_a_label_row_asks_for_that_label(qtbot, panel: TagPanel) -> None:
    item = panel.label_list.item(1)
    rect = panel.label_list.visualItemRect(item)
    with qtbot.waitSignal(panel.labelActivated) as activated:
        qtbot.mouseClick(panel.label_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated.args == [item.data(LABEL_ID)]


def test_spans_show_in_the_list_in_text_order(qtbot, panel: TagPanel, workspace: Workspace) -> None:
    assert workspace.document is not None
    text = workspace.document.text
    location = next(lb for lb in workspace.labels if lb.name == "Location")
    person = next(lb for lb in workspace.labels if lb.name == "Person")
    assert location.id is not None and person.id is not None
    late = text.index("Helena Voss")
    early = text.index("Harbour Bridge")
    assert early < late
    workspace.add_span(person.id, late, late + 11)
    workspace.add_span(location.id, early, early + 14)
    model = panel.span_model
    cells = [(model.data(model.index(r, 0)), model.data(model.index(r, 1))) for r in range(2)]
    assert cells == [("Location", "Harbour Bridge"), ("Person", "Helena Voss")]
    assert panel.spans_title.text() == "<b>Spans</b> (2)"
    panel.select_span(model.span_id(1))
    assert panel.span_list.selectionModel().selectedRows()[0].row() == 1
    with qtbot.waitSignal(panel.spanActivated) as activated:
        panel.span_list.clicked.emit(model.index(0, 1))
    assert activated.args == [model.span_id(0)]
    workspace.undo_stack.undo()
    assert model.rowCount() == 1 and panel.spans_title.text() == "<b>Spans</b> (1)"
