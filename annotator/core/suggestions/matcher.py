"""Many phrases found at once: an Aho-Corasick automaton (pyahocorasick), so a text is
read once whatever the number of phrases, and a gazetteer of 100,000 entries costs no
more per character than one of ten."""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from annotator.core.suggestions import Suggestion


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _lowered(text: str) -> str:
    """Lower case with the same length, so offsets stay those of the text: a character
    whose lower case is longer (such as 'İ') is kept as it is."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


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
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for phrase, label in phrases:
            key = phrase if case_sensitive else _lowered(phrase)
            if not key.strip() or key in self._automaton:
                continue
            self._automaton.add_word(key, (len(key), label))
            self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def suggest(self, text: str) -> list[Suggestion]:
        if not self.size:
            return []
        haystack = text if self.case_sensitive else _lowered(text)
        length = len(text)
        found: list[tuple[int, int, str]] = []
        for last, (size, label) in self._automaton.iter(haystack):
            start, end = last - size + 1, last + 1
            if (
                start > 0
                and _is_word_character(text[start - 1])
                and _is_word_character(text[start])
            ):
                continue
            if end < length and _is_word_character(text[end]) and _is_word_character(text[end - 1]):
                continue
            found.append((start, end, label))
        # Longest match first among those starting earliest; then no overlaps.
        found.sort(key=lambda match: (match[0], match[0] - match[1]))
        chosen: list[Suggestion] = []
        reached = 0
        for start, end, label in found:
            if start >= reached:
                chosen.append(Suggestion(start, end, label, self.source))
                reached = end
        return chosen
