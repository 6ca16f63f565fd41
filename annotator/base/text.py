"""Text rules: document identity, line endings, context and word boundaries."""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left
from collections.abc import Callable

CONTEXT_CHARS = 40


def content_hash(text: str) -> str:
    """Identity of a document across databases and machines: its text, nothing else."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_newlines(text: str) -> tuple[str, Callable[[int], int]]:
    """Turn CRLF and lone CR into LF, and give the map from old offsets to new ones.

    A span given against the raw text keeps covering the same characters.
    """
    if "\r" not in text:
        return text, _identity
    # Positions (in the raw text) of every CR that is dropped because an LF follows it.
    dropped: list[int] = []
    position = text.find("\r\n")
    while position != -1:
        dropped.append(position)
        position = text.find("\r\n", position + 2)
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")

    def remap(offset: int) -> int:
        # An offset that sits between CR and LF lands on the LF's new place.
        return offset - bisect_left(dropped, offset)

    return normalized, remap


def _identity(offset: int) -> int:
    return offset


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """A few characters either side of a span, for reading a CSV row without its document."""
    return text[max(0, start - width) : start], text[end : end + width]


def is_word_character(character: str) -> bool:
    """Letters, digits, underscore and combining marks (so "é" written e + U+0301 is one word)."""
    return character.isalnum() or character == "_" or unicodedata.category(character)[0] == "M"


# Hyphens and apostrophes that hold a name together when a word character stands on
# each side ("Hong-kyun", "O'Neill", "d'Alembert", and with U+2019 as the apostrophe):
# the same ones a CoNLL token keeps.
WORD_JOINERS = frozenset("-'\u2010\u2011\u2019")
POSSESSIVE_ENDINGS = ("'s", "\u2019s")


def joins_word(text: str, index: int) -> bool:
    """A hyphen or apostrophe inside a word, so that snapping keeps the name whole."""
    return (
        0 < index < len(text) - 1
        and text[index] in WORD_JOINERS
        and is_word_character(text[index - 1])
        and is_word_character(text[index + 1])
    )


def _in_word(text: str, index: int) -> bool:
    return is_word_character(text[index]) or joins_word(text, index)


def _is_edge_punctuation(text: str, index: int, *, at_end: bool = False) -> bool:
    """Punctuation a sloppy selection takes along: a comma, a full stop, quotes or
    brackets; not a joiner inside a word, nor the full stop of "U.S." or "J."."""
    character = text[index]
    if is_word_character(character) or not unicodedata.category(character).startswith("P"):
        return False  # the underscore is punctuation to Unicode, a word character here
    if joins_word(text, index):
        return False
    if at_end and character == "." and index > 0 and text[index - 1].isalpha():
        before = text[index - 2] if index > 1 else " "
        one_letter = before == "." or not is_word_character(before)
        return not one_letter  # "U.S." and "J." keep their stop; "Seoul." does not
    return True


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space and punctuation from a selection's edges, widen it to whole
    words (hyphenated and apostrophe names included), and drop a possessive "'s".

    A sloppy drag that starts or ends inside a word, or takes the comma after it, still
    labels just the whole name; a selection of punctuation only is left as it is.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return start, start
    trimmed_start, trimmed_end = start, end
    while trimmed_start < trimmed_end and (
        text[trimmed_start].isspace() or _is_edge_punctuation(text, trimmed_start)
    ):
        trimmed_start += 1
    while trimmed_end > trimmed_start and (
        text[trimmed_end - 1].isspace() or _is_edge_punctuation(text, trimmed_end - 1, at_end=True)
    ):
        trimmed_end -= 1
    if trimmed_start >= trimmed_end:
        return start, end  # punctuation only: what the person chose, on purpose
    start, end = trimmed_start, trimmed_end
    while start > 0 and _in_word(text, start) and _in_word(text, start - 1):
        start -= 1
    while end < len(text) and _in_word(text, end - 1) and _in_word(text, end):
        end += 1
    if end - start > 2 and text[end - 2 : end].lower() in POSSESSIVE_ENDINGS:
        end -= 2  # "Voss's" and "O'Neill's" label the name
    return start, end


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The word around (or just before) a caret, for labelling without selecting."""
    if 0 <= offset < len(text) and is_word_character(text[offset]):
        pass
    elif 0 < offset <= len(text) and is_word_character(text[offset - 1]):
        offset -= 1
    else:
        return None
    return snap_to_words(text, offset, offset + 1)
