"""A whole review driven by key presses, checked in the database after each decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from annotator.core import review
from annotator.core.corpus import Corpus
from annotator.gui.main_window import MainWindow

# (text, alice's label, bob's label, bob's text if it differs)
LAYERS = [
    ("Port Ellison", "Location", "Location", None),  # agree
    ("Harbour Bridge", "Location", "Location", "Harbour"),  # boundary
    ("Tuesday", "Date", None, None),  # only alice
    ("Helena Voss", "Person", "Organisation", None),  # label
    ("Kestrel Island", None, "Location", None),  # only bob
]


@pytest.fixture
def two_layers(window: MainWindow, db_path: Path) -> int:
    document = window.workspace.document
    text = document.text
    for annotator in ("alice", "bob"):
        with Corpus.open(str(db_path), annotator=annotator) as corpus:
            labels = {lb.name: lb.id for lb in corpus.labels(window.workspace.project.id)}
            for needle, alice_label, bob_label, bob_text in LAYERS:
                label = alice_label if annotator == "alice" else bob_label
                if label is None:
                    continue
                surface = bob_text if annotator == "bob" and bob_text else needle
                start = text.index(needle)
                corpus.add_span(document.id, labels[label], start, start + len(surface))
    window.open_document(document.id)
    return document.id


def gold(db_path: Path, document_id: int) -> list[tuple[str, str]]:
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        return sorted((span.label, span.text) for span in review.gold_spans(corpus, document_id))


def enter_review(qtbot, window: MainWindow) -> QAbstractItemView:
    qtbot.keyClick(window.article.text, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    article = window.review_article
    article.annotator_a.setCurrentIndex(article.annotator_a.findData("alice"))
    article.annotator_b.setCurrentIndex(article.annotator_b.findData("bob"))
    window.review.reload()
    listing = window.findChild(QAbstractItemView, "disagreementList")
    listing.setFocus()
    return listing


def rows(window: MainWindow) -> list[tuple[str, str, str, str]]:
    model = window.review_panel.model
    return [tuple(model.index(r, c).data() for c in range(4)) for r in range(model.rowCount())]


def test_review_by_keys_builds_the_gold_layer(
    qtbot, window: MainWindow, db_path: Path, two_layers: int
) -> None:
    listing = enter_review(qtbot, window)
    assert [r[0] for r in rows(window)] == ["boundary", "only A", "label", "only B"]
    assert window.review_panel.accept_button.text() == "Accept agreements (1)"
    assert "reviewed 0 of 5" in window.review_article.progress_label.text()
    assert "exact F1" in window.review_panel.agreement.text()
    # boundary: take bob's shorter span
    qtbot.keyClick(listing, Qt.Key.Key_B)
    assert gold(db_path, two_layers) == [("Location", "Harbour")]
    # the cursor moved on to the next undecided item: only A (Tuesday); reject it
    assert listing.currentIndex().row() == 1
    window.review_panel.comment.setPlainText("Tuesday is a weekday, not a date here")
    listing.setFocus()
    qtbot.keyClick(listing, Qt.Key.Key_R)
    # label: take alice's Person, then only B: take Kestrel Island
    qtbot.keyClick(listing, Qt.Key.Key_A)
    qtbot.keyClick(listing, Qt.Key.Key_B)
    assert gold(db_path, two_layers) == [
        ("Location", "Harbour"), ("Location", "Kestrel Island"), ("Person", "Helena Voss"),
    ]  # fmt: skip
    qtbot.mouseClick(window.review_panel.accept_button, Qt.MouseButton.LeftButton)
    assert ("Location", "Port Ellison") in gold(db_path, two_layers)
    assert "reviewed 5 of 5" in window.review_article.progress_label.text()
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        decisions = list(review.decision_rows(corpus, window.workspace.project.id))
    columns = review.DECISION_COLUMNS
    actions = [dict(zip(columns, row, strict=True)) for row in decisions]
    assert [a["action"] for a in actions] == [
        "take_b", "reject", "take_a", "take_b", "accept_agreement"
    ]  # fmt: skip
    assert actions[1]["comment"] == "Tuesday is a weekday, not a date here"
    assert all(a["reviewer"] == "alice" for a in actions)
    # Ctrl+Z undoes the last decision, gold follows
    qtbot.keyClick(listing, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ("Location", "Port Ellison") not in gold(db_path, two_layers)


def test_j_and_k_move_and_e_edits_the_gold_span(
    qtbot, window: MainWindow, db_path: Path, two_layers: int
) -> None:
    listing = enter_review(qtbot, window)
    qtbot.keyClick(listing, Qt.Key.Key_J)
    qtbot.keyClick(listing, Qt.Key.Key_J)
    assert listing.currentIndex().row() == 2  # the label mismatch on Helena Voss
    qtbot.keyClick(listing, Qt.Key.Key_K)
    qtbot.keyClick(listing, Qt.Key.Key_J)
    # E selects alice's "Helena Voss" in the article, where the keys reshape it
    qtbot.keyClick(listing, Qt.Key.Key_E)
    text = window.review_article.text
    assert text.hasFocus() and window.review_article.edit_hint.isVisible()
    start = window.workspace.document.text.index("Helena Voss")
    assert text.selection() == (start, start + 11)
    qtbot.keyClick(text, Qt.Key.Key_Tab)  # now Shift+arrows move the start: "Voss" only
    for _ in range(7):
        qtbot.keyClick(text, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert text.selection() == (start + 7, start + 11)
    qtbot.keyClick(text, Qt.Key.Key_Return)
    assert gold(db_path, two_layers) == [("Person", "Voss")]
    assert not window.review_article.edit_hint.isVisible()
    assert listing.hasFocus()


def test_filters_by_class_and_label(qtbot, window: MainWindow, two_layers: int) -> None:
    enter_review(qtbot, window)
    panel = window.review_panel
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("only_b"))
    assert [r[2] for r in rows(window)] == ["Location: Kestrel Island"]
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData(None))
    assert len(rows(window)) == 5
    panel.label_filter.setCurrentIndex(panel.label_filter.findData("Person"))
    assert [r[0] for r in rows(window)] == ["label"]


def test_agreements_can_be_accepted_automatically(
    qtbot, window: MainWindow, db_path: Path, two_layers: int
) -> None:
    enter_review(qtbot, window)
    window.review_panel.auto_accept.setChecked(True)
    assert gold(db_path, two_layers) == [("Location", "Port Ellison")]
    from annotator.gui import settings as options

    assert window.settings.get(options.AUTO_ACCEPT_AGREEMENTS) is True


def test_review_against_the_gold_layer(
    qtbot, window: MainWindow, db_path: Path, two_layers: int
) -> None:
    listing = enter_review(qtbot, window)
    qtbot.keyClick(listing, Qt.Key.Key_A)  # alice's Harbour Bridge into gold
    article = window.review_article
    article.annotator_b.setCurrentIndex(article.annotator_b.findData(None))
    window.review.reload()
    kinds = {r[0] for r in rows(window)}
    assert "only A" in kinds  # alice's other spans are not in gold yet


def test_agreement_dashboard_opens_the_spans_behind_a_cell(
    qtbot, window: MainWindow, two_layers: int
) -> None:
    from annotator.gui.agreement_view import AgreementDialog

    dialog = AgreementDialog(window.workspace.corpus, window.workspace.project.id, window)
    qtbot.addWidget(dialog)
    assert dialog.pair_chooser.itemText(0) == "alice – bob"
    assert "exact F1" in dialog.summary.text()
    names = dialog.current_pair().confusion.names
    row, column = names.index("Person"), names.index("Organisation")
    dialog._on_matrix_cellClicked(row, column)
    assert dialog.cell_spans.count() == 1
    listed = dialog.cell_spans.item(0).text()
    assert "“Helena Voss” Person" in listed and "“Helena Voss” Organisation" in listed
    opened: list[tuple[int, int, int]] = []
    dialog.spansRequested.connect(lambda *args: opened.append(args))
    dialog._on_cell_spans_itemActivated(dialog.cell_spans.item(0))
    start = window.workspace.document.text.index("Helena Voss")
    assert opened == [(two_layers, start, start + 11)]
    assert dialog.chart.rows and "unitizing" in dialog.caveats.toPlainText()
