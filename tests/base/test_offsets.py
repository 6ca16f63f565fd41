"""Utf16Map against Python's own UTF-16 encoder, and the span checks every writer shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.base.offsets import Utf16Map, check_offsets

# Surrogates (category Cs) cannot stand alone in text that is encoded, so none is drawn.
ANY_CHARACTER = st.characters(exclude_categories=["Cs"])
ASTRAL = st.characters(min_codepoint=0x10000)
COMBINING = st.characters(categories=["Mn", "Mc", "Me"])
ASCII = st.characters(max_codepoint=0x7F)

TEXTS = st.one_of(
    st.text(ANY_CHARACTER),
    st.text(st.one_of(ASCII, ASTRAL, COMBINING), min_size=1),
    st.text(ASTRAL, min_size=1),
    st.text(ASCII),
)


def utf16_units(text: str) -> int:
    """An independent count: how many 16-bit units the encoder writes."""
    return len(text.encode("utf-16-le")) // 2


@given(TEXTS)
def test_to_utf16_counts_what_the_encoder_writes(text: str) -> None:
    units = Utf16Map(text)
    for offset in range(len(text) + 1):
        assert units.to_utf16(offset) == utf16_units(text[:offset]), offset


@given(TEXTS)
def test_from_utf16_inverts_to_utf16_at_every_character_boundary(text: str) -> None:
    units = Utf16Map(text)
    for offset in range(len(text) + 1):
        assert units.from_utf16(utf16_units(text[:offset])) == offset, offset


@given(TEXTS)
def test_a_unit_inside_a_surrogate_pair_snaps_to_its_characters_end(text: str) -> None:
    units = Utf16Map(text)
    for offset, character in enumerate(text):
        if ord(character) > 0xFFFF:
            low_half = utf16_units(text[:offset]) + 1
            assert units.from_utf16(low_half) == offset + 1, offset


@given(TEXTS)
def test_from_utf16_never_goes_back_and_ends_at_the_text_length(text: str) -> None:
    units = Utf16Map(text)
    total = utf16_units(text)
    back = [units.from_utf16(unit) for unit in range(total + 1)]
    assert back == sorted(back)
    assert back[0] == 0
    assert back[-1] == len(text)


@given(st.text(ASCII))
def test_ascii_text_counts_the_same_in_both(text: str) -> None:
    units = Utf16Map(text)
    for offset in range(len(text) + 1):
        assert units.to_utf16(offset) == offset == units.from_utf16(offset)


def test_known_positions_around_astral_characters_and_combining_marks() -> None:
    text = "a😀e\u0301🇫🇷"  # an emoji, e + combining acute, a flag of two regional letters
    units = Utf16Map(text)
    assert [units.to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 5, 7, 9]
    assert [units.from_utf16(u) for u in range(10)] == [0, 1, 2, 2, 3, 4, 5, 5, 6, 6]


@pytest.mark.parametrize(
    ("length", "start", "end"),
    [(5, 0, 5), (5, 0, 1), (5, 4, 5), (1, 0, 1)],
)
def test_spans_inside_the_text_are_accepted(length: int, start: int, end: int) -> None:
    assert check_offsets(length, start, end) is None


@pytest.mark.parametrize(
    ("length", "start", "end", "reason"),
    [
        (5, -1, 2, "start -1 is negative"),
        (5, 2, 2, "end 2 is not after start 2"),
        (5, 3, 2, "end 2 is not after start 3"),
        (5, 0, 6, "span 0-6 ends past the text, which has 5 characters"),
        (0, 0, 1, "span 0-1 ends past the text, which has 0 characters"),
        (5, 0.0, 2, "offsets must be whole numbers, got 0.0 and 2"),
        (5, 0, "2", "offsets must be whole numbers, got 0 and '2'"),
        (5, None, 2, "offsets must be whole numbers, got None and 2"),
        (5, False, 2, "offsets must be whole numbers, got False and 2"),
        (5, 0, True, "offsets must be whole numbers, got 0 and True"),
    ],
)
def test_impossible_spans_say_why(length: int, start: object, end: object, reason: str) -> None:
    assert check_offsets(length, start, end) == reason
