"""Offsets are code points, end exclusive; Qt and JavaScript count UTF-16 units instead.

Every conversion between the two goes through Utf16Map, at the boundary of the GUI or
of a format that counts in UTF-16.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class Utf16Map:
    """Converts between code point offsets and UTF-16 code units (Qt, JavaScript).

    Only characters outside the Basic Multilingual Plane differ, so their code point
    positions are found once and each conversion is a binary search.
    """

    __slots__ = ("_astral", "_astral_utf16")

    def __init__(self, text: str) -> None:
        if text.isascii():
            self._astral: list[int] = []
        else:
            self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # The UTF-16 position of the k-th astral character is its code point index plus k.
        self._astral_utf16 = [cp + k for k, cp in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, unit: int) -> int:
        """Map a UTF-16 position back; one inside a surrogate pair snaps to its character's end."""
        complete_pairs_before = bisect_right(self._astral_utf16, unit - 2)
        return unit - complete_pairs_before


def check_offsets(text_length: int, start: int, end: int) -> str | None:
    """Why a span cannot exist in a text of that length, or None when it can."""
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
        return f"offsets must be whole numbers, got {start!r} and {end!r}"
    if start < 0:
        return f"start {start} is negative"
    if end <= start:
        return f"end {end} is not after start {start}"
    if end > text_length:
        return f"span {start}-{end} ends past the text, which has {text_length} characters"
    return None
