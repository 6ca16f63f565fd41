"""Review from the keyboard wherever focus is: the list, the review article, the comment
box; and gold spans reshaped in the article with the keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.core import review
from annotator.core.corpus import Corpus
from annotator.gui.actions import Act
from annotator.gui.main_window import MainWindow
from tests.gui.test_review import enter_review, gold, two_layers  # noqa: F401  (a fixture)

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def decisions(db_path: Path, window: MainWindow) -> list[tuple[str, str | None]]:
    with Corpus.open(str(db_path), annotator="alice") as corpus:
        found = list(review.decision_rows(corpus, window.workspace.project.id))
    named = [dict(zip(review.DECISION_COLUMNS, row, strict=True)) for row in found]
    return [(row["action"], row["comment"]) for row in named]


@pytest.mark.usefixtures("two_layers")
def test_the_review_keys_work_in_the_review_article(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    listing = enter_review(qtbot, window)
    text = window.review_article.text
    text.setFocus()
    qtbot.keyClick(text, Qt.Key.Key_J)  # only A (Tuesday)
    assert listing.currentIndex().row() == 1
    assert text.caret() == window.workspace.document.text.index("Tuesday")
    qtbot.keyClick(text, Qt.Key.Key_K)
    assert listing.currentIndex().row() == 0
    qtbot.keyClick(text, Qt.Key.Key_B)  # boundary: bob's "Harbour"
    assert gold(db_path, window.workspace.document.id) == [("Location", "Harbour")]
    qtbot.keyClick(text, Qt.Key.Key_R)  # only A: rejected
    qtbot.keyClick(text, Qt.Key.Key_A)  # label: alice's Person
    assert [a for a, _c in decisions(db_path, window)] == ["take_b", "reject", "take_a"]
    assert text.hasFocus()  # the reviewer stays where they were reading
    qtbot.keyClick(text, Qt.Key.Key_Escape)
    assert listing.hasFocus()


@pytest.mark.usefixtures("two_layers")
def test_the_comment_box_types_letters_and_decides_with_alt(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    listing = enter_review(qtbot, window)
    comment = window.review_panel.comment
    qtbot.keyClick(listing, Qt.Key.Key_J)  # only A (Tuesday)
    qtbot.keyClick(listing, Qt.Key.Key_C)  # C goes to the comment box
    assert comment.hasFocus()
    qtbot.keyClicks(comment, "a weekday, not a date")  # a, b, e, r, j are text here
    assert comment.toPlainText() == "a weekday, not a date"
    assert decisions(db_path, window) == []
    qtbot.keyClick(comment, Qt.Key.Key_R, ALT)
    assert decisions(db_path, window) == [("reject", "a weekday, not a date")]
    assert comment.toPlainText() == "" and comment.hasFocus()
    assert listing.currentIndex().row() == 2  # moved on to the next undecided item
    qtbot.keyClick(comment, Qt.Key.Key_K, ALT)
    qtbot.keyClick(comment, Qt.Key.Key_K, ALT)
    assert listing.currentIndex().row() == 0
    qtbot.keyClick(comment, Qt.Key.Key_A, ALT)  # boundary: alice's Harbour Bridge
    assert gold(db_path, window.workspace.document.id) == [("Location", "Harbour Bridge")]
    assert window.menuBar().activeAction() is None  # Alt+R and Alt+E opened no menu


@pytest.mark.usefixtures("two_layers")
def test_esc_and_ctrl_enter_leave_the_comment_box_keeping_the_comment(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    listing = enter_review(qtbot, window)
    comment = window.review_panel.comment
    document = window.workspace.document.id
    qtbot.keyClick(listing, Qt.Key.Key_C)
    qtbot.keyClicks(comment, "bob cut the bridge")
    qtbot.keyClick(comment, Qt.Key.Key_Escape)
    assert listing.hasFocus() and comment.toPlainText() == "bob cut the bridge"
    qtbot.keyClick(listing, Qt.Key.Key_C)
    qtbot.keyClicks(comment, ", wrongly")
    qtbot.keyClick(comment, Qt.Key.Key_Return, CTRL)
    assert listing.hasFocus()
    # Ctrl+Enter in the comment box is the comment's, not "mark done and open next"
    assert window.workspace.document.id == document
    assert decisions(db_path, window) == []
    qtbot.keyClick(listing, Qt.Key.Key_A)
    assert decisions(db_path, window) == [("take_a", "bob cut the bridge, wrongly")]


@pytest.mark.usefixtures("two_layers")
def test_accept_agreements_has_a_key_and_a_menu_entry(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    action = window.actions_by_name[Act.ACCEPT_AGREEMENTS]
    assert [s.toString() for s in action.shortcuts()] == ["Ctrl+Shift+G"]
    assert not action.isEnabled()  # nothing to accept outside review mode
    listing = enter_review(qtbot, window)
    assert action.isEnabled()
    text = window.review_article.text
    text.setFocus()
    qtbot.keyClick(text, Qt.Key.Key_G, CTRL | SHIFT)
    assert gold(db_path, window.workspace.document.id) == [("Location", "Port Ellison")]
    assert window.review_panel.accept_button.text() == "Accept agreements (0)"
    qtbot.keyClick(listing, Qt.Key.Key_R, CTRL)  # review mode off
    assert not action.isEnabled()


@pytest.mark.usefixtures("two_layers")
def test_the_edit_can_be_cancelled_and_relabelled_from_the_keys(
    qtbot, window: MainWindow, db_path: Path
) -> None:
    listing = enter_review(qtbot, window)
    text = window.review_article.text
    start = window.workspace.document.text.index("Harbour Bridge")
    qtbot.keyClick(listing, Qt.Key.Key_E)  # boundary: alice's "Harbour Bridge"
    assert text.selection() == (start, start + 14)
    qtbot.keyClick(text, Qt.Key.Key_Escape)
    assert listing.hasFocus() and text.selection() is None
    assert not window.review_article.edit_hint.isVisible()
    assert decisions(db_path, window) == []
    qtbot.keyClick(listing, Qt.Key.Key_E)
    for _ in range(7):  # "Harbour Bridge" shrinks to "Harbour"
        qtbot.keyClick(text, Qt.Key.Key_Left, SHIFT)
    qtbot.keyClick(text, Qt.Key.Key_5)  # the Event label's key relabels it
    assert "Event" in window.review_article.edit_hint.text()
    qtbot.keyClick(text, Qt.Key.Key_Enter)
    assert gold(db_path, window.workspace.document.id) == [("Event", "Harbour")]
    assert decisions(db_path, window)[0][0] == "edit"
