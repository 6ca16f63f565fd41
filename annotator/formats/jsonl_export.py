"""JSONL out: one document a line with every layer; reading it back gives the same file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO


def write_documents(
    out: TextIO,
    documents: Iterable[dict[str, Any]],
    *,
    on_document: Callable[[int], None] | None = None,
) -> int:
    written = 0
    for document in documents:
        out.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        written += 1
        if on_document is not None and written % 100 == 0:
            on_document(written)
    if on_document is not None:
        on_document(written)
    return written
