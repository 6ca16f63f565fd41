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


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space from a selection, then widen it to whole words.

    A sloppy drag that starts or ends inside a word still labels the whole word.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return start, start
    while start > 0 and is_word_character(text[start]) and is_word_character(text[start - 1]):
        start -= 1
    while end < len(text) and is_word_character(text[end - 1]) and is_word_character(text[end]):
        end += 1
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
