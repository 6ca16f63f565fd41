"""doccano JSONL, read by the general JSON Lines reader until a reader of its own lands."""

from __future__ import annotations

from annotator.formats.jsonl import read

__all__ = ["read"]
