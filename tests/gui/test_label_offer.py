"""A project without labels offers the default set or another project's labels, in the
labels panel, undone in one step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QListWidget, QPushButton, QWidget

from annotator.core.corpus import Corpus
from annotator.core.importing import import_paths
from annotator.core.samples import SAMPLE_PROJECT, ensure_sample_project
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from tests.conftest import SAMPLES

UNDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def bare_window(qtbot, settings: Settings, db_path: Path) -> Iterator[MainWindow]:
    """The window on "plain", a project of imported text with no labels, beside the
    sample project, whose labels gained a Vehicle on key 6."""
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        ensure_sample_project(corpus)
        sample_id = corpus.project_id(SAMPLE_PROJECT)
        corpus.add_label(sample_id, "Vehicle", hotkey="6", description="A car, ship or plane.")
        assert import_paths(corpus, sorted(SAMPLES.glob("*.txt")), project="plain").ok
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.open_database(str(db_path), annotator="alice", project="plain")
    yield main
    main.close()


def shown_labels(window: MainWindow) -> list[str]:
    listing = window.findChild(QListWidget, "labelList")
    return [listing.item(row).text() for row in range(listing.count())]


def label_word_at_caret(qtbot, window: MainWindow, word: str, key: Qt.Key) -> list[str]:
    """Press a label key on `word`; the names of the labels of the document's spans."""
    document = window.workspace.document
    assert document is not None
    window.article.text.place_caret(document.text.index(word) + 1)
    qtbot.keyClick(window.article.text, key)
    names = {label.id: label.name for label in window.workspace.labels}
    return [names[span.label_id] for span in window.workspace.spans.values()]


def test_the_default_labels_are_one_click_away_and_one_undo(qtbot, bare_window: MainWindow) -> None:
    offer = bare_window.findChild(QWidget, "labelOffer")
    assert offer.isVisible() and shown_labels(bare_window) == []
    bare_window.grab().save("/tmp/label_offer.png")
    qtbot.mouseClick(offer.findChild(QPushButton, "useDefaultLabels"), Qt.MouseButton.LeftButton)
    assert not offer.isVisible()
    assert shown_labels(bare_window) == ["Person", "Organisation", "Location", "Date", "Event"]
    assert label_word_at_caret(qtbot, bare_window, "Tuesday", Qt.Key.Key_4) == ["Date"]
    qtbot.keyClick(bare_window.article.text, *UNDO)  # the span
    qtbot.keyClick(bare_window.article.text, *UNDO)  # the whole set, in one step
    assert shown_labels(bare_window) == [] and offer.isVisible()
    assert bare_window.workspace.corpus is not None
    assert bare_window.workspace.corpus.labels(bare_window.workspace.project.id) == []


def test_another_projects_labels_come_with_their_keys_and_guidelines(
    qtbot, bare_window: MainWindow
) -> None:
    offer = bare_window.findChild(QWidget, "labelOffer")
    source = offer.findChild(QComboBox, "labelSource")
    assert [source.itemText(row) for row in range(source.count())] == [SAMPLE_PROJECT]
    qtbot.mouseClick(offer.findChild(QPushButton, "copyLabels"), Qt.MouseButton.LeftButton)
    assert shown_labels(bare_window)[-1] == "Vehicle" and not offer.isVisible()
    vehicle = next(lb for lb in bare_window.workspace.labels if lb.name == "Vehicle")
    assert (vehicle.hotkey, vehicle.description) == ("6", "A car, ship or plane.")
    assert label_word_at_caret(qtbot, bare_window, "Tuesday", Qt.Key.Key_6) == ["Vehicle"]
