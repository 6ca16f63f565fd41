"""The phrase matcher against a plain reference: every occurrence of every phrase found
by `str.find`, kept when it begins and ends at a word boundary, then longest first and
no overlaps. Random texts and phrases (fixed seed) mix words, punctuation, the sentinel
character the matcher uses inside, and non-ASCII letters."""

from __future__ import annotations

import random

import pytest

from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.matcher import PhraseMatcher, _lowered

Found = list[tuple[int, int, str]]


def _word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _reference(phrases: list[tuple[str, str]], text: str, case_sensitive: bool) -> Found:
    haystack = text if case_sensitive else _lowered(text)
    labels: dict[str, str] = {}
    for phrase, label in phrases:
        key = phrase if case_sensitive else _lowered(phrase)
        if key.strip():
            labels.setdefault(key, label)
    found: Found = []
    for key, label in labels.items():
        start = haystack.find(key)
        while start >= 0:
            end = start + len(key)
            starts = start == 0 or not (_word(text[start - 1]) and _word(text[start]))
            ends = end == len(text) or not (_word(text[end - 1]) and _word(text[end]))
            if starts and ends:
                found.append((start, end, label))
            start = haystack.find(key, start + 1)
    found.sort(key=lambda match: (match[0], match[0] - match[1]))
    chosen: Found = []
    reached = 0
    for start, end, label in found:
        if start >= reached:
            chosen.append((start, end, label))
            reached = end
    return chosen


def _found(phrases: list[tuple[str, str]], text: str, case_sensitive: bool = True) -> Found:
    matcher = PhraseMatcher(phrases, source="test", case_sensitive=case_sensitive)
    suggestions = matcher.suggest(text)
    assert all(s.source == "test" for s in suggestions)
    return [(s.start, s.end, s.label) for s in suggestions]


PIECES = [
    "ab", "Ab", "AB", "abc", "b", "c", "x_y", "1", "42", "é", "Éa", "İ", "ß", "ǅ", "日本",
    " ", " ", " ", "-", ".", ",", "\x00", "’", "\n", "  ",
]  # fmt: skip


@pytest.mark.parametrize("ascii_only", [True, False])
@pytest.mark.parametrize("case_sensitive", [True, False])
def test_random_texts_match_the_reference(case_sensitive: bool, ascii_only: bool) -> None:
    rng = random.Random(20261201 + case_sensitive + 2 * ascii_only)
    pieces = [p for p in PIECES if p.isascii()] if ascii_only else PIECES
    for _ in range(400):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 30)))
        phrases: list[tuple[str, str]] = []
        for number in range(rng.randint(1, 8)):
            if text and rng.random() < 0.7:  # a piece of the text, boundaries or not
                start = rng.randrange(len(text))
                phrase = text[start : start + rng.randint(1, 8)]
            else:
                phrase = "".join(rng.choices(pieces, k=rng.randint(1, 3)))
            phrases.append((phrase, f"L{number % 3}"))
        expected = _reference(phrases, text, case_sensitive)
        assert _found(phrases, text, case_sensitive) == expected, (text, phrases)


def test_a_longest_phrase_inside_a_longer_word_gives_way_to_a_shorter_whole_one() -> None:
    # "New Yorker" is no whole-word "New York", but "New" is; "York" alone is found later.
    phrases = [("New York", "LOC"), ("New", "X"), ("York", "LOC")]
    assert _found(phrases, "New Yorker, York") == [(0, 3, "X"), (12, 16, "LOC")]
    # An occurrence inside a word hides nothing after it.
    assert _found([("ab", "A"), ("bc", "B")], "xab bc") == [(4, 6, "B")]


def test_phrases_with_punctuation_match_only_their_own_characters() -> None:
    phrases = [("New York", "LOC"), ("U.S.", "LOC"), ("-x", "D"), ("a-", "E")]
    text = "New-York, New York; U.S. U,S. b-x a-b"
    assert _found(phrases, text) == [(10, 18, "LOC"), (20, 24, "LOC"), (31, 33, "D"), (34, 36, "E")]
    # A phrase and another differing only in a non-word character are both kept.
    both = [("New York", "A"), ("New-York", "B")]
    assert _found(both, "New-York and New York") == [(0, 8, "B"), (13, 21, "A")]


def test_first_and_last_words_of_the_text_and_case() -> None:
    assert _found([("ab", "A")], "ab") == [(0, 2, "A")]
    assert _found([("ab", "A")], "ab ab") == [(0, 2, "A"), (3, 5, "A")]
    assert _found([("Ab", "A")], "ab AB") == []
    assert _found([("Ab", "A")], "ab AB", case_sensitive=False) == [(0, 2, "A"), (3, 5, "A")]
    # 'İ' lowers to two characters: it is kept as it is, offsets stay.
    assert _found([("İstanbul", "LOC")], "İSTANBUL", case_sensitive=False) == [(0, 8, "LOC")]


def test_a_phrase_given_twice_keeps_its_first_label_and_blank_ones_are_ignored() -> None:
    matcher = PhraseMatcher([("ab", "A"), ("ab", "B"), ("  ", "C"), ("", "D")], source="s")
    assert matcher.size == 1
    assert matcher.suggest("ab") == [Suggestion(0, 2, "A", "s")]
    assert PhraseMatcher([], source="s").suggest("ab") == []
