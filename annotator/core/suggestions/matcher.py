"""Many phrases found at once: an Aho-Corasick automaton (ahocorasick-rs, a contiguous
NFA in Rust reading UTF-8, about four times as fast over a text as pyahocorasick), so a
text is read once whatever the number of phrases, and a gazetteer of 100,000 entries
costs little more per character than one of ten.

Whole words without a Python step per partial match: the automaton reads the text with
every non-word character turned into one sentinel (same length, so offsets stay), and a
phrase that begins or ends with a word character is stored with a sentinel beside it.
It then only ever reports occurrences that begin and end at word boundaries, instead of
the many inside longer words that each used to cost a Python check (a 100,000-entry
gazetteer has a short entry inside nearly every word). A phrase with non-word characters
of its own is compared with the text, since the sentinel stands for any of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ahocorasick_rs import BytesAhoCorasick, Implementation, MatchKind

from annotator.core.suggestions import Suggestion

_SENTINEL = "\x00"
_ASCII_WORD = np.array([chr(code).isalnum() or code == 0x5F for code in range(128)] + [False])


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _utf8(text: str) -> bytes:
    """Lone surrogates (a text may hold them) pass as three bytes, like any character."""
    return text.encode("utf-8", "surrogatepass")


def _lowered(text: str) -> str:
    """Lower case with the same length, so offsets stay those of the text: a character
    whose lower case is longer (such as 'İ') is kept as it is."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


class _WordTable(dict[int, int]):
    """`str.translate` table keeping word characters and turning the rest into the
    sentinel, filled as characters are met (an ASCII text takes CPython's fast path)."""

    def __missing__(self, code: int) -> int:
        value = code if _is_word_character(chr(code)) else 0
        self[code] = value
        return value


_TABLE = _WordTable()


def _words_only(text: str) -> str:
    """The text with each non-word character replaced by the sentinel. Lower case keeps
    whether a character is a word character, so this may run on the lowered text."""
    if text.isascii():
        return text.translate(_TABLE)
    # str.translate looks up each character of a non-ASCII text (~60 ms a MB): numpy
    # classifies the distinct characters above ASCII once each instead.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    word = _ASCII_WORD[np.minimum(codes, 128)]
    high = codes > 127
    distinct, where = np.unique(codes[high], return_inverse=True)
    flags = np.array([_is_word_character(chr(code)) for code in distinct.tolist()], dtype=bool)
    word[high] = flags[where]
    kept = np.where(word, codes, 0).astype("<u4")
    return kept.tobytes().decode("utf-32-le")


# What the automaton holds per stored key: for each phrase stored under it, how far back
# from the key's last character the phrase begins, its length, the phrase to compare with
# the text (None when the key alone proves it: a phrase of word characters only), and its
# label.
_Entry = tuple[int, int, str | None, str]


class PhraseMatcher:
    """Finds whole-word occurrences of phrases, longest first, never overlapping.

    Each phrase has one label; a phrase given twice keeps its first label.
    """

    def __init__(
        self,
        phrases: Iterable[tuple[str, str]],
        *,
        source: str,
        case_sensitive: bool = True,
    ) -> None:
        self.source = source
        self.case_sensitive = case_sensitive
        seen: set[str] = set()
        stored: dict[str, tuple[_Entry, ...]] = {}
        for phrase, label in phrases:
            key = phrase if case_sensitive else _lowered(phrase)
            if not key.strip() or key in seen:
                continue
            seen.add(key)
            # Sentinels around the phrase stand for the boundary a word character needs
            # beside it; the text is padded with one at each end for its first and last
            # words.
            plain = key.isalnum()  # the common case, checked at C speed
            words = key if plain else _words_only(key)
            lead = plain or _is_word_character(key[0])
            stored_key = (
                (_SENTINEL if lead else "")
                + words
                + (_SENTINEL if plain or _is_word_character(key[-1]) else "")
            )
            check = None if plain or (words == key and _SENTINEL not in key) else key
            # Phrases that differ only in their non-word characters share a stored key.
            stored[stored_key] = (
                *stored.get(stored_key, ()),
                (len(stored_key) - lead, len(key), check, label),
            )
        self._entries = list(stored.values())  # by the automaton's pattern index
        self.size = len(seen)
        self._automaton = (
            BytesAhoCorasick(
                [_utf8(stored_key) for stored_key in stored],
                matchkind=MatchKind.Standard,
                implementation=Implementation.ContiguousNFA,
            )
            if stored
            else None
        )

    def suggest(self, text: str) -> list[Suggestion]:
        if self._automaton is None:
            return []
        haystack = text if self.case_sensitive else _lowered(text)
        padded = _SENTINEL + _words_only(haystack) + _SENTINEL
        found: list[tuple[int, int, str]] = []
        # The automaton reads UTF-8 (twice as fast as letting it convert a str); a stored
        # key is whole characters, so a match begins and ends at character boundaries.
        data = _utf8(padded)
        matches = self._automaton.find_matches_as_indexes(data, overlapping=True)
        indexes = [index for index, _begin, _end in matches]
        ends = [end for _index, _begin, end in matches]
        if len(data) != len(padded) and ends:  # not ASCII: byte offsets to code points
            starts_a_character = (np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80
            characters_up_to = np.cumsum(starts_a_character)
            ends = characters_up_to[np.array(ends) - 1].tolist()
        # A match ending before index `end` of the padded text: the phrase begins at
        # end - 1 - back in the text (the pad shifts by one, the lead sentinel by one more).
        entries_of = self._entries
        for index, end in zip(indexes, ends, strict=True):
            for back, size, check, label in entries_of[index]:
                start = end - 1 - back
                if check is None or haystack[start : start + size] == check:
                    found.append((start, -size, label))
        # Longest match first among those starting earliest; then no overlaps.
        found.sort()
        chosen: list[Suggestion] = []
        reached = 0
        source, make = self.source, tuple.__new__  # half the cost of Suggestion(...)
        for start, minus_size, label in found:
            if start >= reached:
                end = start - minus_size
                chosen.append(make(Suggestion, (start, end, label, source, None)))
                reached = end
        return chosen
