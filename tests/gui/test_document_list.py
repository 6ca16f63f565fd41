"""The document list on its own: the workspace changes, the list follows, and back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage

from annotator.base.vocabulary import Status
from annotator.core.samples import SAMPLE_PROJECT
from annotator.gui.document_list import DocumentList, status_icon
from annotator.gui.workspace import Workspace


@pytest.fixture
def documents(qtbot, workspace: Workspace) -> DocumentList:
    widget = DocumentList(workspace)
    qtbot.addWidget(widget)
    widget.show()
    assert workspace.corpus is not None
    workspace.open_project(workspace.corpus.project(SAMPLE_PROJECT))
    return widget


def icon_image(documents: DocumentList, row: int) -> QImage:
    icon = documents.model.data(documents.model.index(row), Qt.ItemDataRole.DecorationRole)
    return icon.pixmap(32, 32).toImage()


def expected_icon(status: Status) -> QImage:
    return status_icon(status).pixmap(32, 32).toImage()


def titles(documents: DocumentList) -> list[str]:
    model = documents.model
    return [model.data(model.index(row)) for row in range(model.rowCount())]


def test_opening_a_project_fills_the_list_and_the_progress(documents: DocumentList) -> None:
    assert documents.model.rowCount() == 3
    assert documents.progress_label.text() == "0 of 3 done"
    assert documents.progress_bar.maximum() == 3 and documents.progress_bar.value() == 0
    assert all(icon_image(documents, row) == expected_icon(Status.TODO) for row in range(3))


def test_a_status_change_shows_in_icon_tooltip_and_progress(
    documents: DocumentList, workspace: Workspace
) -> None:
    model = documents.model
    second = model.document_id(1)
    workspace.open_document(second)
    assert documents.view.currentIndex().row() == 1  # the open document is selected
    workspace.set_status(second, Status.DONE)
    assert icon_image(documents, 1) == expected_icon(Status.DONE)
    assert icon_image(documents, 0) == expected_icon(Status.TODO)
    assert "\ndone · 0 span(s)" in model.data(model.index(1), Qt.ItemDataRole.ToolTipRole)
    assert documents.progress_label.text() == "1 of 3 done"
    assert documents.progress_bar.value() == 1
    workspace.set_status(second, Status.IN_PROGRESS)
    assert icon_image(documents, 1) == expected_icon(Status.IN_PROGRESS)
    assert documents.progress_label.text() == "0 of 3 done"
    workspace.undo_stack.undo()  # back to done
    assert icon_image(documents, 1) == expected_icon(Status.DONE)
    assert documents.progress_bar.value() == 1


def test_a_span_added_counts_in_the_tooltip_without_a_reload(
    documents: DocumentList, workspace: Workspace
) -> None:
    model = documents.model
    first = model.document_id(0)
    workspace.open_document(first)
    label = next(lb for lb in workspace.labels if lb.name == "Location")
    assert label.id is not None
    workspace.add_span(label.id, 0, 4)
    assert " · 1 span(s) · " in model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    workspace.undo_stack.undo()
    assert " · 0 span(s) · " in model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)


def test_a_filter_typed_in_the_field_filters_the_model(qtbot, documents: DocumentList) -> None:
    everything = titles(documents)
    assert len(everything) == 3
    qtbot.keyClicks(documents.filter_field, "whale")
    qtbot.waitUntil(lambda: documents.model.rowCount() == 1, timeout=3000)
    assert titles(documents) == ["Rare Whale Sighting Delights Researchers Off Santa Luzia do Mar"]
    documents.filter_field.clear()
    qtbot.waitUntil(lambda: documents.model.rowCount() == 3, timeout=3000)
    assert titles(documents) == everything
    qtbot.keyClicks(documents.filter_field, "no article says this")
    qtbot.waitUntil(lambda: documents.model.rowCount() == 0, timeout=3000)


def test_the_status_filter_keeps_only_that_status(
    documents: DocumentList, workspace: Workspace
) -> None:
    model = documents.model
    done = model.document_id(2)
    workspace.set_status(done, Status.DONE)
    combo = documents.status_filter
    combo.setCurrentIndex(combo.findData(Status.DONE.value))
    assert model.rowCount() == 1 and model.document_id(0) == done
    combo.setCurrentIndex(combo.findData(Status.TODO.value))
    assert model.rowCount() == 2 and done not in model.loaded_ids()
    combo.setCurrentIndex(0)
    assert model.rowCount() == 3


def test_choosing_a_row_asks_for_that_document(
    qtbot, documents: DocumentList, workspace: Workspace
) -> None:
    model = documents.model
    with qtbot.waitSignal(documents.documentChosen) as chosen:
        documents.view.setCurrentIndex(model.index(2))
    assert chosen.args == [model.document_id(2)]
    assert documents.neighbour(model.document_id(2), -1) == model.document_id(1)
    assert documents.neighbour(model.document_id(2), 1) is None
    assert not model.canFetchMore(QModelIndex())
