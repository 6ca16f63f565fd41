"""News-like text with every person, place, organisation and date labelled, made up from a
seed: data for the model source's tests and benchmarks, where the names of unseen
documents must be mostly new (a model has to generalise from context and shape, not
remember a list).

Names are built from syllables, so the vocabulary runs to hundreds of thousands; the
sentences come from templates with varied contexts, and ordinary capitalised words
(sentence starts, titles, weekdays in lower-case contexts) stand around the entities.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LABELS = ("PER", "LOC", "ORG", "DATE")

_ONSETS = "b br c ch d dr f g gr h j k kl l m n p pr r s sh st t tr v w z".split()  # noqa: SIM905
_VOWELS = "a e i o u ai ea ou ie y".split()  # noqa: SIM905
_CODAS = ["", "", "n", "r", "l", "s", "th", "m", "nd", "rt", "x", "ck"]
_MONTHS = "January February March April May June July August September October November December"
_MONTHS_LIST = _MONTHS.split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()  # noqa: SIM905
_ORG_FORMS = (
    "{x} Holdings", "{x} Group", "Bank of {p}", "{x} Institute", "{x} Corporation",
    "{p} University", "{x} Partners", "{x} Airlines", "the {x} Foundation",
    "{x} Energy", "{p} City Council", "{x} & {y}", "{x} Motors", "{x} Labs",
)  # fmt: skip
_PLACE_FORMS = (
    "{x}", "{x}", "{x}", "{x}ville", "Port {x}", "North {x}", "{x}burg", "San {x}",
    "Lake {x}", "{x} Valley", "New {x}",
)  # fmt: skip
_ROLES = (
    "minister", "chief executive", "spokesperson", "mayor", "analyst", "coach",
    "professor", "senator", "director", "lawyer", "economist", "striker",
)  # fmt: skip

# {PER}, {LOC}, {ORG}, {DATE} are entities; every other word is plain text.
_TEMPLATES = (
    "{PER}, the {role} of {ORG}, said on {DATE} that talks in {LOC} had stalled.",
    "Speaking in {LOC}, {PER} told reporters the deal would close by {DATE}.",
    "{ORG} announced on {DATE} that it would open a new office in {LOC}.",
    "Shares of {ORG} fell sharply after {PER} resigned as {role}.",
    "The {role} {PER} arrived in {LOC} late on {DATE}.",
    "According to {PER}, {ORG} lost nearly a third of its customers last year.",
    "Residents of {LOC} protested outside the offices of {ORG} on {DATE}.",
    "{PER} and {PER} met in {LOC} to discuss the merger with {ORG}.",
    "In a statement, {ORG} said it had hired {PER} as its new {role}.",
    "Police in {LOC} said a man was arrested on {DATE}.",
    "The match between {LOC} and {LOC} ended in a draw, {PER} scoring twice.",
    "Officials at {ORG} declined to comment when asked about {PER}.",
    "Flooding closed roads between {LOC} and {LOC} for most of {DATE}.",
    "{PER}, who grew up in {LOC}, joined {ORG} in {DATE}.",
    "Critics accused {PER} of ignoring warnings from {ORG}.",
    "The report, published by {ORG} on {DATE}, praised the schools of {LOC}.",
    "Born in {LOC}, {PER} studied law before entering politics.",
    "A spokesperson for {ORG} confirmed that {PER} would visit {LOC}.",
    "Prices in {LOC} rose faster than expected, {ORG} said.",
    "Thousands gathered in {LOC} on {DATE} to hear {PER} speak.",
    "Talks between {ORG} and {ORG} broke down over pay.",
    "Later that week, {PER} flew to {LOC} to meet the {role}.",
    "{ORG} expects profits to recover by {DATE}, its {role} {PER} said.",
    "Nobody at the meeting in {LOC} expected {PER} to win.",
)  # fmt: skip
# Plain sentences between the ones with entities: capitalised words that are not names.
_FILLERS = (
    "The decision surprised many observers.",
    "It was the third such case this year.",
    "Markets were calm by the evening.",
    "Further details were not released.",
    "The Government has not yet responded.",
    "Many Residents said they felt ignored.",
    "Negotiations are expected to continue.",
    "Inflation remains the main concern for households.",
    "The Committee will meet again next month.",
    "Some Analysts called the move overdue.",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GeneratedDocument:
    """A text and its entities as (start, end, label), code point offsets."""

    text: str
    spans: tuple[tuple[int, int, str], ...]

    def as_record(self) -> dict[str, object]:
        """The JSONL record `annotator import` reads: text and [start, end, label]s."""
        return {"text": self.text, "label": [list(span) for span in self.spans]}


class NewsGenerator:
    """Documents from one seed; two generators with the same seed make the same text."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)

    def _word(self, syllables: int | None = None) -> str:
        count = syllables or self.rng.choice((2, 2, 2, 3, 3, 4))
        parts = [
            self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS) + self.rng.choice(_CODAS)
            for _ in range(count)
        ]
        return "".join(parts).capitalize()

    def person(self) -> str:
        first = self._word(self.rng.choice((2, 2, 3)))
        if self.rng.random() < 0.15:
            return f"{first} {self._word(1)[0]}. {self._word()}"
        if self.rng.random() < 0.1:
            return self._word()  # a surname alone, as news repeats it
        return f"{first} {self._word()}"

    def place(self) -> str:
        return self.rng.choice(_PLACE_FORMS).format(x=self._word())

    def organisation(self) -> str:
        form = self.rng.choice(_ORG_FORMS)
        return form.format(x=self._word(), y=self._word(), p=self._word())

    def date(self) -> str:
        day = self.rng.randint(1, 28)
        month = self.rng.choice(_MONTHS_LIST)
        return self.rng.choice(
            (
                f"{month} {day}",
                f"{day} {month} {self.rng.randint(1990, 2030)}",
                self.rng.choice(_WEEKDAYS),
                f"{month} {self.rng.randint(1990, 2030)}",
            )
        )

    def sentence(self) -> tuple[str, list[tuple[int, int, str]]]:
        if self.rng.random() < 0.2:
            return self.rng.choice(_FILLERS), []
        template = self.rng.choice(_TEMPLATES).replace("{role}", self.rng.choice(_ROLES))
        makers = {"PER": self.person, "LOC": self.place, "ORG": self.organisation,
                  "DATE": self.date}  # fmt: skip
        text = ""
        spans: list[tuple[int, int, str]] = []
        rest = template
        while "{" in rest:
            before, _, after = rest.partition("{")
            label, _, rest = after.partition("}")
            text += before
            entity = makers[label]()
            if entity.startswith("the "):  # "the" is not part of the name
                text += "the " if text else "The "
                entity = entity.removeprefix("the ")
            spans.append((len(text), len(text) + len(entity), label))
            text += entity
        text += rest
        return text[0].upper() + text[1:], spans

    def document(self, sentences: int | None = None) -> GeneratedDocument:
        count = sentences or self.rng.randint(4, 9)
        text = ""
        spans: list[tuple[int, int, str]] = []
        for index in range(count):
            if index:
                text += "\n\n" if self.rng.random() < 0.3 else " "
            sentence, found = self.sentence()
            spans.extend((start + len(text), end + len(text), label) for start, end, label in found)
            text += sentence
        return GeneratedDocument(text, tuple(spans))

    def documents(self, count: int, *, sentences: int | None = None) -> list[GeneratedDocument]:
        return [self.document(sentences) for _ in range(count)]

    def article(self, size: int) -> GeneratedDocument:
        """One document of about `size` characters (a news article is ~3,000)."""
        text = ""
        spans: list[tuple[int, int, str]] = []
        while len(text) < size:
            part = self.document()
            offset = len(text) + (2 if text else 0)
            text += ("\n\n" if text else "") + part.text
            spans.extend((start + offset, end + offset, label) for start, end, label in part.spans)
        return GeneratedDocument(text, tuple(spans))


def generate(count: int, *, seed: int = 0) -> list[GeneratedDocument]:
    """`count` short news documents (4 to 9 sentences) made from `seed`."""
    return NewsGenerator(seed).documents(count)


__all__ = ["LABELS", "GeneratedDocument", "NewsGenerator", "generate"]
