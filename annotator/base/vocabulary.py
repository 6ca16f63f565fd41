"""Every word the data, the files and the screens share, defined once.

Standard library enums only, so formats, the command line and the GUI can name a
status or an origin without loading SQLModel.
"""

from __future__ import annotations

from enum import StrEnum


class LabelKind(StrEnum):
    SPAN = "span"
    DOCUMENT = "document"


class Origin(StrEnum):
    MANUAL = "manual"
    IMPORTED = "imported"
    SUGGESTED = "suggested"
    # Kept from another tool where a person turned the span down (Prodigy's `reject`):
    # never an annotation, only a record that the suggestion was refused.
    REJECTED = "rejected"
    # A suggestion a person accepted: an annotation like a manual span, marked so that
    # review shows it and agreement can be computed without it.
    ACCEPTED = "accepted"


# The origins of spans that are annotations; a suggestion not yet accepted and a span
# someone rejected are kept apart: not drawn as annotations, counted, compared or exported.
COUNTED_ORIGINS = (Origin.MANUAL.value, Origin.IMPORTED.value, Origin.ACCEPTED.value)


class SuggestionSource(StrEnum):
    """Where a suggested span came from, kept on the span after it is accepted or
    rejected, so precision can be measured per source."""

    CORPUS = "corpus"  # another occurrence of a surface form the annotator labelled
    PATTERNS = "patterns"  # an EntityRuler pattern file or a gazetteer
    MODEL = "model"  # a spaCy pipeline trained on the project's done documents


class AnnotatorKind(StrEnum):
    PERSON = "person"
    GOLD = "gold"


# The reserved name of the adjudicated layer: the one annotator row of kind 'gold'.
GOLD = "gold"


class Status(StrEnum):
    """Where an annotator stands on a document; the order is the order of progress."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def display(self) -> str:
        return {"todo": "to do", "in_progress": "in progress", "done": "done"}[self.value]


class ItemKind(StrEnum):
    """How two layers differ at one place (see annotator.core.review)."""

    AGREE = "agree"
    LABEL = "label"
    BOUNDARY = "boundary"
    ONLY_A = "only_a"
    ONLY_B = "only_b"


class ReviewAction(StrEnum):
    TAKE_A = "take_a"
    TAKE_B = "take_b"
    REJECT = "reject"
    EDIT = "edit"
    ACCEPT_AGREEMENT = "accept_agreement"


class ImportFormat(StrEnum):
    """What `annotator import --format` accepts."""

    TXT = "txt"
    MD = "md"
    JSONL = "jsonl"
    CSV = "csv"
    DOCCANO = "doccano"
    PRODIGY = "prodigy"
    LABELSTUDIO = "labelstudio"
    BRAT = "brat"
    CONLL = "conll"
    SPACY = "spacy"


class ExportFormat(StrEnum):
    """What `annotator export --format` writes."""

    CSV = "csv"
    JSONL = "jsonl"
    DOCCANO = "doccano"
    PRODIGY = "prodigy"
    LABELSTUDIO = "labelstudio"
    BRAT = "brat"
    CONLL = "conll"
    SPACY = "spacy"


class EnvVar(StrEnum):
    """Environment variables annotator reads."""

    DB = "ANNOTATOR_DB"
    ANNOTATOR = "ANNOTATOR_ANNOTATOR"


# Cells a spreadsheet would run as a formula start with one of these; `--excel` quotes them.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
