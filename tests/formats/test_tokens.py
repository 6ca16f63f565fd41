"""Tokens and sentences keep code point offsets and never cut a character a person sees."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.formats.tokens import combining_marks, sentences, tokenize

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
FLAG = "\U0001f1e9\U0001f1ea"  # regional indicators D E
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
HEART = "\u2764\ufe0f"  # with the emoji variation selector
KEYCAP_ONE = "1\ufe0f\u20e3"
E_ACUTE = "e\u0301"  # e and a combining acute accent
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


def texts(text: str) -> list[str]:
    return [token.text for token in tokenize(text)]


def test_words_keep_inner_hyphens_and_apostrophes_and_punctuation_is_apart() -> None:
    assert texts("A self-driving car, isn't it? Don\u2019t (x).") == [
        "A", "self-driving", "car", ",", "isn't", "it", "?", "Don\u2019t", "(", "x", ")", ".",
    ]  # fmt: skip


def test_edge_hyphens_and_numbers() -> None:
    assert texts("-start end- x--y 3.14 1/2010 10:30 3. a.b") == [
        "-", "start", "end", "-", "x", "-", "-", "y", "3.14", "1/2010", "10:30", "3", ".",
        "a", ".", "b",
    ]  # fmt: skip


def test_combining_marks_stay_with_their_base() -> None:
    assert texts(f"caf{E_ACUTE} {E_ACUTE}t{E_ACUTE} \u0301x") == [
        f"caf{E_ACUTE}", f"{E_ACUTE}t{E_ACUTE}", "\u0301", "x",
    ]  # fmt: skip
    assert texts("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # vowel signs and virama are marks


def test_emoji_sequences_are_one_token_each() -> None:
    text = f"{FAMILY}{FLAG} {THUMBS_MEDIUM}{HEART} {KEYCAP_ONE} {SCOTLAND}😂😂 love😂"
    assert texts(text) == [
        FAMILY, FLAG, THUMBS_MEDIUM, HEART, KEYCAP_ONE, SCOTLAND, "😂", "😂", "love", "😂",
    ]  # fmt: skip


def test_two_flags_in_a_row_pair_up() -> None:
    assert texts(FLAG + "\U0001f1eb\U0001f1f7") == [FLAG, "\U0001f1eb\U0001f1f7"]


def test_cjk_is_one_token_per_ideograph_or_kana_and_hangul_words_stay_whole() -> None:
    assert texts("東京は大きい。한국어 문장") == [
        "東", "京", "は", "大", "き", "い", "。", "한국어", "문장",
    ]  # fmt: skip


def test_rtl_words_and_persian_non_joiner() -> None:
    assert texts("שלום, עולם! مرحبا بالعالم می\u200cخواهم") == [
        "שלום", ",", "עולם", "!", "مرحبا", "بالعالم", "می\u200cخواهم",
    ]  # fmt: skip


def test_offsets_are_code_points() -> None:
    text = f"😂 {FAMILY} a"
    found = tokenize(text)
    assert [(t.start, t.end) for t in found] == [(0, 1), (2, 7), (8, 9)]


def test_combining_marks_cover_every_mark_of_the_unicode_database() -> None:
    """The class is built from a few planes; the rest of the code space holds none."""
    marks = {
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code))[0] == "M"
    }
    assert all(texts("a" + mark) == ["a" + mark] for mark in marks)
    assert combining_marks()


def sentence_texts(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


def test_sentences_split_at_line_breaks_and_final_punctuation() -> None:
    text = 'He left. She stayed! Why? 2 went.\n\n  Next line "quoted." Then…\tAnd 3. ok. done'
    assert sentence_texts(text) == [
        "He left.", "She stayed!", "Why?", "2 went.", 'Next line "quoted."', "Then…",
        "And 3. ok. done",
    ]  # fmt: skip


def test_sentences_with_cjk_stops_and_crlf_left_as_is() -> None:
    assert sentence_texts("東京です。大阪です！ok\r\nnext") == [
        "東京です。",
        "大阪です！",
        "ok",
        "next",
    ]


def test_abbreviations_split_as_documented() -> None:
    assert sentence_texts("Mr. Smith met e.g. someone") == ["Mr.", "Smith met e.g. someone"]


PIECES = st.sampled_from(
    [
        "word", "self-driving", "don't", "3.14", " ", "  ", "\n", "\r\n", "\t", ",", ".", "-",
        "'", "😂", FAMILY, FLAG, HEART, THUMBS_MEDIUM, KEYCAP_ONE, E_ACUTE, "\u0301", "\u200d",
        "\ufe0f", "東", "京", "は", "שלום", "مرحبا", "\u200c", "\u00a0", "\u2028", "Ab", "?",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.lists(PIECES, max_size=30).map("".join), st.text(max_size=60))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_tokens_are_slices_in_order_and_cover_every_visible_character(text: str) -> None:
    found = tokenize(text)
    covered = [False] * len(text)
    previous_end = 0
    for token in found:
        assert text[token.start : token.end] == token.text
        assert token.start >= previous_end and token.end > token.start
        assert not any(character.isspace() for character in token.text)
        previous_end = token.end
        for index in range(token.start, token.end):
            covered[index] = True
    for index, character in enumerate(text):
        assert covered[index] or character.isspace(), (index, character)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_sentences_are_ordered_trimmed_and_hold_every_token(text: str) -> None:
    found = sentences(text)
    previous_end = 0
    for start, end in found:
        assert previous_end <= start < end
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert "\n" not in text[start:end]
        previous_end = end
    for token in tokenize(text):
        assert any(start <= token.start and token.end <= end for start, end in found), token
