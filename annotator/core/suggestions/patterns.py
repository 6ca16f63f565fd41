"""Pattern files as a source: spaCy EntityRuler JSONL and plain gazetteers.

A team often already has lists of names (a gazetteer) or an EntityRuler file from an
earlier spaCy project; reading them as they are spares converting them. Phrase patterns
go into one Aho-Corasick `PhraseMatcher`, so 100,000 entries cost what ten do per
character; token patterns (a list of token attributes) need spaCy's own `Matcher`.

    {"label": "ORG", "pattern": "Apple Inc."}                 a phrase
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]}   tokens
    cities.txt: one entry a line, labelled CITIES (the file's stem), or `entry<TAB>label`
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.base.errors import InputError, UserError
from annotator.base.vocabulary import SuggestionSource
from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.matcher import PhraseMatcher
from annotator.formats.source import read_text

ENTITY_RULER_SUFFIXES = (".jsonl", ".json")


class TokenPatterns:
    """spaCy `Matcher` patterns run on a blank English tokenizer, with no model."""

    def __init__(self, patterns: Sequence[tuple[str, list[dict[str, Any]], Path, int]]) -> None:
        try:
            import spacy
            from spacy.matcher import Matcher
        except ImportError as error:
            _, _, path, line = patterns[0]
            raise InputError(
                "token patterns (a list of token attributes) need spaCy: "
                "install annotator[spacy], or write the pattern as a phrase string",
                path=path,
                line=line,
            ) from error
        self._nlp = spacy.blank("en")
        self._matcher = Matcher(self._nlp.vocab)
        for label, pattern, path, line in patterns:
            try:
                self._matcher.add(label, [pattern])
            except (ValueError, KeyError, TypeError) as error:
                message = str(error).strip().splitlines()[0] if str(error).strip() else "invalid"
                raise InputError(
                    f"not a valid token pattern ({message})", path=path, line=line
                ) from error
        self.size = len(patterns)

    def suggest(self, text: str) -> list[tuple[int, int, str]]:
        doc = self._nlp.make_doc(text)
        strings = self._nlp.vocab.strings
        return [
            (doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), strings[match_id])
            for match_id, start, end in self._matcher(doc)
        ]


class PatternSuggester:
    """Every pattern file given, as one source: phrases and token patterns together,
    longest match first and never overlapping."""

    source = SuggestionSource.PATTERNS.value

    def __init__(self, phrases: PhraseMatcher, tokens: TokenPatterns | None) -> None:
        self.phrases = phrases
        self.tokens = tokens

    @property
    def size(self) -> int:
        return self.phrases.size + (self.tokens.size if self.tokens is not None else 0)

    def suggest(self, text: str) -> list[Suggestion]:
        found = self.phrases.suggest(text)
        if self.tokens is None:
            return found
        candidates = [(s.start, s.end, s.label) for s in found] + self.tokens.suggest(text)
        candidates.sort(key=lambda match: (match[0], match[0] - match[1]))
        chosen: list[Suggestion] = []
        reached = 0
        for start, end, label in candidates:
            if start >= reached:
                chosen.append(Suggestion(start, end, label, self.source))
                reached = end
        return chosen


def _entity_ruler(
    text: str,
    path: Path,
    phrases: list[tuple[str, str]],
    tokens: list[tuple[str, list[dict[str, Any]], Path, int]],
) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"not a JSON object ({error.msg})", path=path, line=number) from error
        if not isinstance(entry, dict):
            raise InputError("each line must be a JSON object", path=path, line=number)
        label, pattern = entry.get("label"), entry.get("pattern")
        if not isinstance(label, str) or not label.strip():
            raise InputError('the line has no "label" (a string)', path=path, line=number)
        if isinstance(pattern, str) and pattern.strip():
            phrases.append((pattern, label.strip()))
        elif (
            isinstance(pattern, list)
            and pattern
            and all(isinstance(token, dict) for token in pattern)
        ):
            tokens.append((label.strip(), pattern, path, number))
        else:
            raise InputError(
                'the line has no "pattern" (a phrase string or a list of token attributes)',
                path=path,
                line=number,
            )


def _gazetteer(text: str, path: Path, phrases: list[tuple[str, str]]) -> None:
    default_label = path.stem
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" in line:
            entry, _, label = line.partition("\t")
            entry, label = entry.strip(), label.strip()
            if not entry or not label or "\t" in label:
                raise InputError(
                    "a line with a tab must be `entry<TAB>label`, both given", path=path,
                    line=number,
                )  # fmt: skip
        else:
            entry, label = line.strip(), default_label
        phrases.append((entry, label))


def load_patterns(paths: Sequence[Path], *, case_sensitive: bool = True) -> PatternSuggester:
    """Read pattern files (`.jsonl`/`.json`: EntityRuler; anything else: a gazetteer)
    into one source; an InputError names the file and line of the first bad entry."""
    if not paths:
        raise UserError("give at least one pattern file")
    phrases: list[tuple[str, str]] = []
    tokens: list[tuple[str, list[dict[str, Any]], Path, int]] = []
    for path in paths:
        if not path.is_file():
            raise InputError("no such pattern file", path=path)
        text = read_text(path)
        if path.suffix.lower() in ENTITY_RULER_SUFFIXES:
            _entity_ruler(text, path, phrases, tokens)
        else:
            _gazetteer(text, path, phrases)
    matcher = PhraseMatcher(phrases, source=PatternSuggester.source, case_sensitive=case_sensitive)
    return PatternSuggester(matcher, TokenPatterns(tokens) if tokens else None)


__all__ = ["PatternSuggester", "TokenPatterns", "load_patterns"]
