"""Words and sentences with code point offsets, for formats that hold tokens (CoNLL).

The rules are few and fixed, so that an export reads the same on every machine and a
token never cuts a character a person sees as one:

- A word is letters, digits and underscores; a hyphen or apostrophe (U+2010 and U+2019
  too) between two word characters (`self-driving`, `don't`) and `. , : /` between two
  digits (`3.14`, `1/2010`, `10:30`) keep it one token.
- Every other visible character is a token of its own (punctuation, symbols, emoji).
- A combining mark (categories Mn, Mc, Me: the accent of e + U+0301, a Devanagari
  vowel sign, a keycap) and a zero-width non-joiner (Persian) stay inside their word.
- An emoji keeps its variation selector, skin tone and tag characters; a ZWJ sequence
  (👨‍👩‍👧) and a regional-indicator pair (a flag) are one token.
- Han ideographs and kana are one token each, as in character-per-line Chinese and
  Japanese NER corpora, so a span can start or end at any of them.

Sentences end at line breaks and after `.`, `!`, `?` or `…` (closing quotes and brackets
may follow) when white space and then an upper-case letter or a digit come next; the
full-width full stop, exclamation and question marks always end one. "Mr. Smith" is
therefore two sentences: a writer that must not cut a span joins the sentences it crosses.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

# Ideographs and kana, one token each (CJK Unified Ideographs with extensions A to H,
# compatibility ideographs, hiragana, katakana, half-width katakana).
_CJK = (
    "\u3005\u3007\u3021-\u3029\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_ZWJ = "\u200d"
_REGIONAL_INDICATOR = "\U0001f1e6-\U0001f1ff"
# What stays attached to the character before it besides combining marks (which include
# the variation selectors): emoji skin tones and the tag characters of subdivision flags.
_EMOJI_EXTENDERS = "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
# Sentence-final punctuation with the closing quotes and brackets after it, then the
# white space and the character that decide (an upper-case letter or a digit).
_CLOSING = "\"'\u201d\u2019\u00bb)\\]\u300d\u300f\uff09"
_FULL_STOP = re.compile(f"[.!?\u2026]+[{_CLOSING}]*(?=\\s+(\\S))")
# Planes that hold combining marks (BMP, SMP, and plane 14's variation selectors); the
# ideograph planes between hold none, and skipping them keeps the first call quick.
_MARK_PLANES = ((0, 0x20000), (0xE0000, 0xE1000))


@dataclass(frozen=True, slots=True)
class Token:
    """A token and where it is: `text[start:end] == token.text`, in code points."""

    text: str
    start: int
    end: int


def _ranges(code_points: list[int]) -> str:
    """A character-class body for sorted code points, as ranges."""
    parts: list[str] = []
    index = 0
    while index < len(code_points):
        first = last = code_points[index]
        while index + 1 < len(code_points) and code_points[index + 1] == last + 1:
            index += 1
            last = code_points[index]
        parts.append(re.escape(chr(first)) + ("-" + re.escape(chr(last)) if last > first else ""))
        index += 1
    return "".join(parts)


@cache
def combining_marks() -> str:
    """Every code point of category M*, as a character-class body (built on first use)."""
    found = [
        code
        for low, high in _MARK_PLANES
        for code in range(low, min(high, sys.maxunicode + 1))
        if unicodedata.category(chr(code))[0] == "M"
    ]
    return _ranges(found)


@cache
def _token_pattern() -> re.Pattern[str]:
    marks = combining_marks()
    extend = f"[{marks}{_EMOJI_EXTENDERS}]*"
    word_char = f"[^\\W{_CJK}]"
    word_piece = f"{word_char}(?:{word_char}|[{marks}\u200c])*"
    joiner = "(?:['\u2019\\-\u2010]|(?<=\\d)[.,:/](?=\\d))"
    word = f"{word_piece}(?:{joiner}{word_piece})*"
    cjk = f"[{_CJK}]{extend}"
    flag = f"[{_REGIONAL_INDICATOR}]{{2}}{extend}"
    other = f"\\S{extend}(?:{_ZWJ}\\S{extend})*"
    return re.compile(f"{word}|{cjk}|{flag}|{other}")


@cache
def _cjk_full_stop() -> re.Pattern[str]:
    """Full-width stops, unless a mark or joiner makes the last one part of a longer token."""
    attached = f"{combining_marks()}{_EMOJI_EXTENDERS}{_ZWJ}"
    return re.compile(f"[\u3002\uff01\uff1f]+[{_CLOSING}]*(?![{attached}])")


def tokenize(text: str) -> list[Token]:
    """The tokens of `text` in order; white space separates them and belongs to none."""
    return [
        Token(match.group(), match.start(), match.end())
        for match in _token_pattern().finditer(text)
    ]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, white space trimmed, in order; none is empty."""
    found: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for end in _sentence_ends(line):
            _append_trimmed(found, text, start, line_start + end)
            start = line_start + end
        _append_trimmed(found, text, start, line_end)
        line_start = line_end + 1
    return found


def _sentence_ends(line: str) -> list[int]:
    """Where sentences end inside one line, in order."""
    ends = [
        match.end()
        for match in _FULL_STOP.finditer(line)
        if match.group(1).isupper() or match.group(1).isdigit()
    ]
    ends += [match.end() for match in _cjk_full_stop().finditer(line)]
    return sorted(set(ends))


def _append_trimmed(found: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        found.append((start, end))
