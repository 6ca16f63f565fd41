"""The labelling rules and the span index, without a screen: offsets are code points."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from annotator.base.vocabulary import LabelKind
from annotator.core.labelling import (
    AddSpan,
    Refuse,
    Relabel,
    SpanIndex,
    label_for_key,
    label_step,
    span_to_delete,
)


@dataclass(frozen=True)
class S:
    id: int
    start: int
    end: int


@dataclass(frozen=True)
class L:
    id: int | None
    kind: str
    hotkey: str | None


#            0         1         2         3
#            0123456789012345678901234567890123456
TEXT = "The Port Ellison Harbour Bridge opens"
PORT = S(1, 4, 16)  # "Port Ellison"
ELLISON = S(2, 9, 16)  # "Ellison", nested in PORT and sharing its end
BRIDGE = S(3, 17, 31)  # "Harbour Bridge", adjacent to nothing: a space between
ACROSS = S(4, 9, 24)  # "Ellison Harbour": overlaps PORT and BRIDGE, nests ELLISON
THE = S(5, 0, 3)  # "The"
PORT_WORD = S(6, 4, 8)  # "Port", nested in PORT, sharing its start
ADJACENT = S(7, 3, 4)  # the space between "The" and "Port": touches both


def ids(spans: list[S]) -> list[int]:
    return [span.id for span in spans]


@pytest.fixture
def index() -> SpanIndex[S]:
    return SpanIndex([BRIDGE, ACROSS, PORT, ELLISON, THE, PORT_WORD, ADJACENT])


def test_spans_at_an_offset_innermost_first(index: SpanIndex[S]) -> None:
    assert ids(index.at(12)) == [ELLISON.id, PORT.id, ACROSS.id]  # 7, 12, 15 long
    assert ids(index.at(5)) == [PORT_WORD.id, PORT.id]
    assert ids(index.at(20)) == [BRIDGE.id, ACROSS.id]
    assert ids(index.at(35)) == []


def test_a_span_holds_its_start_but_not_its_end(index: SpanIndex[S]) -> None:
    assert ids(index.at(4)) == [PORT_WORD.id, PORT.id]  # both start here
    assert ids(index.at(16)) == [ACROSS.id]  # PORT and ELLISON end here; ACROSS goes on
    assert ids(index.at(3)) == [ADJACENT.id]  # THE ends at 3, ADJACENT starts there
    assert ids(index.at(8)) == [PORT.id]  # PORT_WORD ends at 8
    assert ids(index.at(9)) == [ELLISON.id, PORT.id, ACROSS.id]


def test_overlapping_a_range(index: SpanIndex[S]) -> None:
    assert ids(index.overlapping(16, 17)) == [ACROSS.id]  # the space after "Ellison"
    assert ids(index.overlapping(15, 18)) == [PORT.id, ELLISON.id, ACROSS.id, BRIDGE.id]
    assert ids(index.overlapping(0, 4)) == [THE.id, ADJACENT.id]  # in text order
    assert ids(index.overlapping(31, 37)) == []


def test_caret_at_the_end_of_a_span_means_that_span(index: SpanIndex[S]) -> None:
    assert index.at_caret(16) == ELLISON  # just after "Ellison": the innermost ending here
    assert index.at_caret(31) == BRIDGE  # just after "Bridge"
    assert index.at_caret(9) == ELLISON  # at the start of "Ellison"
    assert index.at_caret(4) == ADJACENT  # it ends here and is the shortest of three
    assert SpanIndex([PORT, PORT_WORD]).at_caret(4) == PORT_WORD  # the shorter one
    assert index.at_caret(0) == THE
    assert index.at_caret(33) is None
    assert SpanIndex([S(1, 0, 3)]).at_caret(0) == S(1, 0, 3)
    assert SpanIndex([S(1, 2, 3)]).at_caret(0) is None


def test_equal_lengths_prefer_the_later_start_at_a_caret() -> None:
    left, right = S(1, 0, 4), S(2, 4, 8)  # adjacent, equally long
    assert SpanIndex([left, right]).at_caret(4) == right


def test_repeated_clicks_walk_outwards_and_wrap(index: SpanIndex[S]) -> None:
    first = index.clicked(12, None)
    assert first == ELLISON.id
    second = index.clicked(12, first)
    assert second == PORT.id
    third = index.clicked(12, second)
    assert third == ACROSS.id
    assert index.clicked(12, third) == ELLISON.id  # wraps back to the innermost
    assert index.clicked(12, BRIDGE.id) == ELLISON.id  # a span elsewhere: start inside
    assert index.clicked(16, ELLISON.id) == ACROSS.id  # ELLISON does not hold 16
    assert index.clicked(33, ACROSS.id) is None


def test_adding_and_removing_keep_the_order() -> None:
    index: SpanIndex[S] = SpanIndex()
    assert not index and index.at(0) == [] and index.at_caret(3) is None
    for span in (BRIDGE, PORT, ELLISON):
        index.add(span)
    assert list(index) == [PORT, ELLISON, BRIDGE]
    index.add(S(PORT.id, 0, 40))  # the same id again replaces the span
    assert len(index) == 3 and index.get(PORT.id) == S(PORT.id, 0, 40)
    assert ids(index.at(35)) == [PORT.id]  # a longer span is found far from its start
    assert index.remove(PORT.id) == S(PORT.id, 0, 40)
    assert index.remove(PORT.id) is None
    assert ids(index.at(35)) == [] and list(index) == [ELLISON, BRIDGE]
    assert index.get(None) is None


def test_code_points_not_utf16_units() -> None:
    text = "😀 Ada and 👩‍🔬 Grace"
    ada = S(1, text.index("Ada"), text.index("Ada") + 3)
    grace = S(2, text.index("Grace"), text.index("Grace") + 5)
    index = SpanIndex([ada, grace])
    assert ada.start == 2  # the emoji counts one, as Python counts
    assert ids(index.at(2)) == [ada.id]
    assert index.at_caret(len(text)) == grace


def test_hotkeys_mean_span_labels_only() -> None:
    labels = [
        L(1, LabelKind.DOCUMENT, "1"), L(2, LabelKind.SPAN, "1"),
        L(3, LabelKind.SPAN, "2"), L(None, LabelKind.SPAN, "3"),
    ]  # fmt: skip
    assert label_for_key(labels, "1") == labels[1]
    assert label_for_key(labels, "2") == labels[2]
    assert label_for_key(labels, "3") is None  # not stored yet
    assert label_for_key(labels, "9") is None


def test_a_selection_is_labelled_as_is_or_snapped_to_words() -> None:
    text = "The Port Ellison Harbour"
    rough = (6, 11)  # "rt El"
    assert label_step(text, selection=rough, caret=11, selected_span=None, snap=False) == AddSpan(
        6, 11
    )
    assert label_step(text, selection=rough, caret=11, selected_span=None, snap=True) == AddSpan(
        4, 16
    )
    # A selection wins over a selected span.
    assert label_step(text, selection=rough, caret=11, selected_span=7, snap=False) == AddSpan(
        6, 11
    )


def test_without_a_selection_the_selected_span_is_relabelled() -> None:
    step = label_step("The Port", selection=None, caret=2, selected_span=7, snap=True)
    assert step == Relabel(7)


def test_without_a_selection_the_word_at_the_caret_is_labelled() -> None:
    text = "The Port Ellison"
    assert label_step(text, selection=None, caret=6, selected_span=None, snap=False) == AddSpan(
        4, 8
    )
    assert label_step(text, selection=None, caret=8, selected_span=None, snap=False) == AddSpan(
        4, 8
    )  # just after a word


def test_refusals_say_why() -> None:
    nothing = label_step("   ", selection=None, caret=1, selected_span=None, snap=False)
    assert nothing == Refuse("select some text first, then press a label key")
    spaces = label_step("a   b", selection=(1, 4), caret=4, selected_span=None, snap=True)
    assert spaces == Refuse("the selection holds only spaces")


def test_delete_means_the_selected_span_or_the_one_at_the_caret(index: SpanIndex[S]) -> None:
    assert span_to_delete(index, selected_span=BRIDGE.id, caret=0) == BRIDGE.id
    assert span_to_delete(index, selected_span=None, caret=16) == ELLISON.id
    assert span_to_delete(index, selected_span=None, caret=33) is None
