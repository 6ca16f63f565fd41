"""Suggestions on the real window: outlined apart from spans, listed apart, and decided
from the keyboard (Tab, Enter, a label key, X, accept all in view), each one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from annotator.base.vocabulary import Origin
from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.store import pending, write_suggestions
from annotator.gui.main_window import MainWindow
from tests.gui.test_workspace import offset_of, select_with_keys

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _suggest(window: MainWindow, *found: tuple[str, int, str]) -> list[tuple[int, int]]:
    """Write suggestions (words, which occurrence, label) for the open document, as a
    source would, and let the window notice them as it notices others' changes."""
    ws = window.workspace
    assert ws.corpus is not None and ws.project is not None and ws.document is not None
    places = []
    suggestions = []
    for words, nth, label in found:
        start = offset_of(window, words, nth)
        places.append((start, start + len(words)))
        suggestions.append(Suggestion(start, start + len(words), label, "corpus"))
    write_suggestions(ws.corpus, ws.project.id, {ws.document.id: suggestions})
    ws.refresh()
    return places


def _pending(window: MainWindow) -> list[tuple[int, int, str]]:
    ws = window.workspace
    names = {label.id: label.name for label in ws.labels}
    return [(s.start, s.end, names[s.label_id]) for s in pending(ws.corpus, ws.document.id)]


def _layer(window: MainWindow) -> list[tuple[int, int, str, str]]:
    """The open document's rows in alice's layer, suggestions and refusals included."""
    ws = window.workspace
    names = {label.id: label.name for label in ws.labels}
    origins = tuple(origin.value for origin in Origin)
    return sorted(
        (span.start, span.end, names[span.label_id], span.origin)
        for span in ws.corpus.spans(ws.document.id, origins=origins)
    )


def _port_ellison(window: MainWindow) -> tuple[int, list[int]]:
    """Where "Port Ellison" first stands in the open article, and where it stands after."""
    text = window.workspace.document.text
    start = offset_of(window, "Port Ellison")
    return start, [i for i in range(start + 1, len(text)) if text.startswith("Port Ellison", i)]


def test_suggestions_are_outlined_listed_apart_and_decided_by_keys(
    qtbot, window: MainWindow
) -> None:
    view = window.article.text
    first, second, voss = _suggest(
        window,
        ("Port Ellison", 0, "Location"),
        ("Port Ellison", 1, "Location"),
        ("Voss", 0, "Location"),
    )
    # Drawn apart: no span yet, three suggestions outlined, listed in their own tab.
    assert window.workspace.spans == {}
    assert len(view.suggested) == 3 and view.current_suggestion is None
    tabs = window.tags.lower_tabs
    assert tabs.tabText(tabs.indexOf(window.suggesting.list)) == "Suggestions (3)"
    assert window.suggesting.list.count() == 3
    view.setFocus()
    view.place_caret(0)

    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.current_suggestion is not None and view.caret() == first[0]
    window.grab().save("/tmp/suggest.png")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert (*first, "Location", Origin.ACCEPTED.value) in _layer(window)
    assert len(_pending(window)) == 2
    assert [(s.start, s.end) for s in window.workspace.spans.values()] == [first]
    assert tabs.tabText(tabs.indexOf(window.suggesting.list)) == "Suggestions (2)"

    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the acceptance undone: pending again
    assert _pending(window)[0] == (*first, "Location")
    assert window.workspace.spans == {}
    assert (*first, "Location", Origin.SUGGESTED.value) in _layer(window)

    view.place_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # in text order: "Voss" comes second
    assert view.caret() == voss[0]
    qtbot.keyClick(view, Qt.Key.Key_X)  # rejected, and remembered as such
    assert (*voss, "Location", Origin.REJECTED.value) in _layer(window)
    assert [p[:2] for p in _pending(window)] == [first, second]
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert [p[:2] for p in _pending(window)] == [first, voss, second]

    # Shift+Tab wraps back to the last; a label key accepts it with that label.
    view.place_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Backtab, SHIFT)
    assert view.caret() == second[0]
    qtbot.keyClick(view, Qt.Key.Key_1)  # Person
    assert (*second, "Person", Origin.ACCEPTED.value) in _layer(window)
    assert [p[:2] for p in _pending(window)] == [first, voss]
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert (*second, "Location", Origin.SUGGESTED.value) in _layer(window)


def test_accept_all_in_view_is_one_undo_step(qtbot, window: MainWindow) -> None:
    view = window.article.text
    places = _suggest(window, ("Port Ellison", 0, "Location"), ("Voss", 0, "Person"))
    view.setFocus()
    view.place_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Return, CTRL | SHIFT)
    assert _pending(window) == []
    accepted = [row for row in _layer(window) if row[3] == Origin.ACCEPTED.value]
    assert [row[:2] for row in accepted] == places
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert [p[:2] for p in _pending(window)] == places
    assert window.workspace.spans == {}


def test_a_span_made_by_keys_proposes_its_other_occurrences(qtbot, window: MainWindow) -> None:
    view = window.article.text
    start, others = _port_ellison(window)
    assert others
    view.setFocus()
    select_with_keys(qtbot, window, start, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_3)  # Location, by hand
    assert _pending(window) == [(i, i + 12, "Location") for i in others]
    assert [(s.start, s.end) for s in view.suggested] != []  # shown at once
    assert window.suggesting.list.count() == len(others)
    # Tab goes to the next one and Enter takes it.
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert (others[0], others[0] + 12, "Location", Origin.ACCEPTED.value) in _layer(window)


def test_suggest_menu_proposes_my_spans_across_the_project(qtbot, window: MainWindow) -> None:
    ws = window.workspace
    view = window.article.text
    start = offset_of(window, "Voss")
    view.setFocus()
    select_with_keys(qtbot, window, start, len("Voss"))
    qtbot.keyClick(view, Qt.Key.Key_1)
    action = window.findChild(QAction, "action_suggest_from_spans")
    assert action is not None
    action.trigger()
    documents = [d.id for d in ws.corpus.documents(ws.project.id)]
    names = {label.id: label.name for label in ws.labels}
    everywhere = {
        (document_id, ws.corpus.document(document_id).text[s.start : s.end], names[s.label_id])
        for document_id in documents
        for s in pending(ws.corpus, document_id)
    }
    expected = {
        (document_id, "Voss", "Person")
        for document_id in documents
        if "Voss" in ws.corpus.document(document_id).text
    }
    assert expected and everywhere >= expected
    assert all(words in ("Voss",) or label != "Person" for _d, words, label in everywhere)


def test_undoing_a_span_made_by_hand_withdraws_its_proposals(qtbot, window: MainWindow) -> None:
    view = window.article.text
    start = offset_of(window, "Port Ellison")
    view.setFocus()
    select_with_keys(qtbot, window, start, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert _pending(window) != []
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert _pending(window) == [] and _layer(window) == []
    assert view.suggested == [] and window.suggesting.list.count() == 0


def test_relabelling_onto_a_proposed_label_keeps_window_and_database_agreeing(
    qtbot, window: MainWindow
) -> None:
    """The other occurrence holds a proposal as Location; the person labels it Person by
    hand, then changes their mind to Location: the proposal gives way to the span."""
    view = window.article.text
    first = offset_of(window, "Port Ellison")
    second = offset_of(window, "Port Ellison", 1)
    view.setFocus()
    select_with_keys(qtbot, window, first, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_3)  # Location: proposes the second occurrence
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert (second, second + 12, "Location") in _pending(window)
    select_with_keys(qtbot, window, second, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_1)  # Person, by hand, beside the proposal
    qtbot.keyClick(view, Qt.Key.Key_3)  # then Location after all
    shown = {(s.start, s.end): s.label_id for s in window.workspace.spans.values()}
    location = next(label.id for label in window.workspace.labels if label.name == "Location")
    assert shown[(second, second + 12)] == location
    assert (second, second + 12, "Location", Origin.MANUAL.value) in _layer(window)
    assert (second, second + 12) not in [(s, e) for s, e, _l in _pending(window)]
    assert [(s.start, s.end) for s in view.suggested if s.start == second] == []
    # Undo goes back to Person; the proposal stays settled by the span standing there.
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert (second, second + 12, "Person", Origin.MANUAL.value) in _layer(window)


def test_relabelling_a_span_proposes_its_occurrences_with_the_new_label(
    qtbot, window: MainWindow
) -> None:
    view = window.article.text
    start, others = _port_ellison(window)
    view.setFocus()
    select_with_keys(qtbot, window, start, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_1)  # Person, by mistake
    assert _pending(window) == [(i, i + 12, "Person") for i in others]
    qtbot.keyClick(view, Qt.Key.Key_3)  # Location: the proposals follow
    assert _pending(window) == [(i, i + 12, "Location") for i in others]
    assert window.suggesting.list.count() == len(others)


def test_label_all_occurrences_from_the_keyboard_is_one_undo_step(
    qtbot, window: MainWindow
) -> None:
    view = window.article.text
    start, others = _port_ellison(window)
    assert len(others) >= 1
    view.setFocus()
    select_with_keys(qtbot, window, start, len("Port Ellison"))
    qtbot.keyClick(view, Qt.Key.Key_3)
    qtbot.keyClick(view, Qt.Key.Key_L, CTRL | SHIFT)
    labelled = [(i, i + 12, "Location", Origin.ACCEPTED.value) for i in others]
    layer = _layer(window)
    assert set(labelled) <= set(layer) and _pending(window) == []
    shown = {(s.start, s.end) for s in window.workspace.spans.values()}
    assert {(i, i + 12) for i in others} <= shown
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the occurrences go back to proposals
    assert not set(labelled) & set(_layer(window))
    assert _pending(window) == [(i, i + 12, "Location") for i in others]
    assert (start, start + 12, "Location", Origin.MANUAL.value) in _layer(window)
    # Without a selected span the key says what it needs and changes nothing.
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    view.place_caret(0)
    before = _layer(window)
    qtbot.keyClick(view, Qt.Key.Key_L, CTRL | SHIFT)
    assert _layer(window) == before
    assert "select a span first" in window.statusBar().currentMessage()


def test_opening_the_same_document_again_keeps_its_suggestions_outlined(
    qtbot, window: MainWindow
) -> None:
    _suggest(window, ("Port Ellison", 0, "Location"))
    view = window.article.text
    assert len(view.suggested) == 1
    window.workspace.open_document(window.workspace.document.id)  # as a click on it does
    assert len(view.suggested) == 1 and window.suggesting.list.count() == 1
