"""annotator: a desktop tool for labelling text spans and building NLP corpora."""

from __future__ import annotations

__version__ = "0.1.0"
