"""Suggestions: spans proposed to an annotator, which count only once a person accepts them.

A source (`Suggester`) turns a text into `Suggestion`s; `store.py` writes them as spans
of origin 'suggested' in the annotator's own layer, never where that layer already has a
span or where the same suggestion was rejected before, and turns them into annotations
(accept) or remembered refusals (reject), each decision one undoable change.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import NamedTuple, Protocol

from annotator.base.errors import UserError


class Suggestion(NamedTuple):
    """A proposed span in code points; `label` is a label name of the project. A tuple,
    as a large gazetteer makes tens of thousands per article and a tuple is made two to
    three times faster than a frozen dataclass."""

    start: int
    end: int
    label: str
    source: str
    score: float | None = None


class Suggester(Protocol):
    """One source of suggestions, ready to run on any text of the project."""

    source: str

    def suggest(self, text: str) -> list[Suggestion]: ...


MODEL_MODULE = "annotator.core.suggestions.model"


def model_module(name: str = MODEL_MODULE) -> ModuleType:
    """The model source, imported only when asked for: it needs spaCy (`annotator[ml]`),
    which most installs lack, and says so at once when spaCy is missing."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise UserError(
            "the model source needs annotator[ml] (pip install 'annotator[ml]'), "
            f"which is not installed here ({error})"
        ) from error
