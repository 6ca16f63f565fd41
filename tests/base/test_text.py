"""Text rules tested on their own: document identity, line endings, context, word edges."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.base.text import (
    content_hash,
    context,
    is_word_character,
    normalize_newlines,
    snap_to_words,
    word_at,
)

# Line endings drawn often, beside letters, a combining mark, an emoji and white space.
PIECES = ["\r", "\n", "\r\n", "\r\r\n", "\n\r", "a", "é", "\u0301", "😀", " "]
LINE_TEXT = st.lists(
    st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=["Cs"]))
).map("".join)
WORDY_TEXT = st.text(st.sampled_from(list("ab_1 \t\n.,-'\u2019\"()é\u0301😀")))


def test_content_hash_is_the_sha256_of_the_utf8_text() -> None:
    # Published SHA-256 test vectors: the empty string and "abc".
    assert content_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert content_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert content_hash("😀") == content_hash("😀") != content_hash("😀 ")


def test_content_hash_sees_the_text_as_written() -> None:
    """No normalisation hides in the identity: callers normalise first, on purpose."""
    assert content_hash("e\u0301") != content_hash("é")
    assert content_hash("a\r\nb") != content_hash("a\nb")


def _model(raw: str) -> tuple[str, list[int]]:
    """Normalise one character at a time, noting where each raw offset lands."""
    out: list[str] = []
    landing: list[int] = []
    for i, character in enumerate(raw):
        landing.append(len(out))
        if character == "\r" and raw[i + 1 : i + 2] == "\n":
            continue  # the LF that follows stands for the pair
        out.append("\n" if character == "\r" else character)
    landing.append(len(out))
    return "".join(out), landing


@given(LINE_TEXT)
def test_normalize_newlines_keeps_every_offset_on_its_character(raw: str) -> None:
    normalized, remap = normalize_newlines(raw)
    expected, landing = _model(raw)
    assert normalized == expected
    assert "\r" not in normalized
    assert [remap(offset) for offset in range(len(raw) + 1)] == landing
    for offset, character in enumerate(raw):
        wanted = "\n" if character in "\r\n" else character
        assert normalized[remap(offset)] == wanted, offset
    assert remap(len(raw)) == len(normalized)


@given(LINE_TEXT, st.data())
def test_a_span_that_keeps_crlf_pairs_whole_reads_the_same_after(
    raw: str, data: st.DataObject
) -> None:
    normalized, remap = normalize_newlines(raw)
    inside_pair = {i + 1 for i in range(len(raw) - 1) if raw[i : i + 2] == "\r\n"}
    edges = [i for i in range(len(raw) + 1) if i not in inside_pair]
    start = data.draw(st.sampled_from(edges))
    end = data.draw(st.sampled_from([e for e in edges if e >= start]))
    assert normalized[remap(start) : remap(end)] == normalize_newlines(raw[start:end])[0]


@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r")))
def test_text_without_cr_comes_back_unchanged(raw: str) -> None:
    normalized, remap = normalize_newlines(raw)
    assert normalized is raw
    assert [remap(i) for i in range(len(raw) + 1)] == list(range(len(raw) + 1))


def test_normalize_newlines_known_case() -> None:
    normalized, remap = normalize_newlines("a\r\nb\rc\r\r\nd")
    assert normalized == "a\nb\nc\n\nd"
    # a=0 CR=1 LF=2 b=3 CR=4 c=5 CR=6 CR=7 LF=8 d=9 end=10
    assert [remap(i) for i in range(11)] == [0, 1, 1, 2, 3, 4, 5, 6, 6, 7, 8]


def test_context_is_clipped_at_both_ends_of_the_text() -> None:
    text = "0123456789"
    assert context(text, 4, 6, width=2) == ("23", "67")
    assert context(text, 1, 9, width=3) == ("0", "9")
    assert context(text, 0, 10) == ("", "")


@pytest.mark.parametrize(
    ("character", "expected"),
    [("a", True), ("Ж", True), ("7", True), ("_", True), ("\u0301", True), ("東", True),
     (" ", False), ("-", False), (".", False), ("😀", False), ("\n", False)],
)  # fmt: skip
def test_word_characters(character: str, expected: bool) -> None:
    assert is_word_character(character) is expected


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("Ada Lovelace met", 5, 8, (4, 12)),  # inside a word: the whole word
        ("Ada Lovelace met", 3, 13, (4, 12)),  # white space either side trimmed
        ("Ada Lovelace met", 1, 6, (0, 12)),  # across two words: both whole
        ("cafe\u0301 au lait", 0, 3, (0, 5)),  # e + combining acute stays in the word
        ("a, b", 1, 3, (1, 2)),  # punctuation is not widened over
        ("a   b", 1, 4, (4, 4)),  # only white space: empty at its end
    ],
)
def test_snap_to_words(text: str, start: int, end: int, expected: tuple[int, int]) -> None:
    assert snap_to_words(text, start, end) == expected


def inside_a_word(text: str, index: int) -> bool:
    """The rule restated for the property: a word character, or a hyphen or apostrophe
    with a word character on each side."""
    if is_word_character(text[index]):
        return True
    return (
        text[index] in "-'\u2010\u2011\u2019"
        and 0 < index < len(text) - 1
        and is_word_character(text[index - 1])
        and is_word_character(text[index + 1])
    )


@given(WORDY_TEXT, st.data())
def test_snap_to_words_widens_to_word_edges_and_trims_space(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    new_start, new_end = snap_to_words(text, start, end)
    assert 0 <= new_start <= new_end <= len(text)
    if new_start == new_end:
        assert text[start:end].strip() == ""
        return
    assert text[new_start:new_end] == text[new_start:new_end].strip()
    chosen_words = [i for i in range(start, end) if is_word_character(text[i])]
    # Every word character chosen is kept (the alphabet has no "s": no possessive here).
    assert all(new_start <= i < new_end for i in chosen_words)
    if chosen_words:  # no punctuation at the edges but the stop of an initial ("U.")
        first, last = text[new_start], text[new_end - 1]
        assert first == "_" or not unicodedata.category(first).startswith("P")
        assert last in "_." or not unicodedata.category(last).startswith("P")
    elif not any(inside_a_word(text, i) for i in range(start, end)):
        assert new_start >= start and new_end <= end  # punctuation only: left as chosen
    at_start = new_start > 0 and inside_a_word(text, new_start - 1)
    assert not (at_start and inside_a_word(text, new_start))
    at_end = new_end < len(text) and inside_a_word(text, new_end)
    assert not (at_end and inside_a_word(text, new_end - 1))


NAMES = "Kim Hong-kyun met O'Neill, Jean-Luc and d\u2019Alembert."


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ("Hong-k", "Hong-kyun"),  # part of a hyphenated name: the whole name
        ("kyu", "Hong-kyun"),
        ("Kim Hong", "Kim Hong-kyun"),
        ("Neill", "O'Neill"),
        ("O'Neill, ", "O'Neill"),  # the comma and the space after it trimmed
        ("Jean", "Jean-Luc"),
        ("Luc and", "Jean-Luc and"),
        ("Alembert.", "d\u2019Alembert"),  # the full stop trimmed, the apostrophe kept
    ],
)
def test_snap_keeps_hyphenated_and_apostrophe_names_whole(chosen: str, expected: str) -> None:
    start = NAMES.index(chosen)
    new_start, new_end = snap_to_words(NAMES, start, start + len(chosen))
    assert NAMES[new_start:new_end] == expected


@pytest.mark.parametrize(
    ("text", "chosen", "expected"),
    [
        ("Ask Voss's aide.", "Voss's", "Voss"),  # a possessive is not the name
        ("Ask O'Neill\u2019s aide.", "Neill\u2019s", "O'Neill"),
        ("ASK VOSS'S AIDE", "VOSS'S", "VOSS"),
        ('He said "Voss" twice', '"Voss"', "Voss"),  # quotes either side trimmed
        ("the city (Port Ellison) said", "(Port Ellison)", "Port Ellison"),
        ("in Seoul. Then", "Seoul.", "Seoul"),
        ("the U.S. said", "U.S.", "U.S."),  # the stop of an abbreviation stays
        ("by J. Smith", "J. Smith", "J. Smith"),
        ("a - b", " - ", "-"),  # a lone hyphen joins nothing
        ("well-known", "-", "well-known"),  # a joining hyphen widens to its word
    ],
)
def test_snap_trims_punctuation_and_a_possessive(text: str, chosen: str, expected: str) -> None:
    start = text.index(chosen)
    new_start, new_end = snap_to_words(text, start, start + len(chosen))
    assert text[new_start:new_end] == expected


def test_word_at_the_caret_or_just_before_it() -> None:
    text = "Ada Lovelace, 1815"
    assert word_at(text, 5) == (4, 12)  # inside
    assert word_at(text, 4) == (4, 12)  # at the start
    assert word_at(text, 12) == (4, 12)  # just after the end
    assert word_at(text, len(text)) == (14, 18)  # at the end of the text
    assert word_at(text, 13) is None  # after ", ": no word touches it
    assert word_at("", 0) is None
    assert word_at(text, -1) is None
    assert word_at("Kim Hong-kyun's car", 9) == (4, 13)  # the whole name, no possessive
