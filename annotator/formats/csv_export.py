"""CSV out: RFC 4180, UTF-8, one row per span, columns documented in the README.

The default output is faithful to the data. `excel=True` is for opening in a
spreadsheet: a BOM so it detects UTF-8, and text cells that a spreadsheet would run
as a formula (=, +, -, @, tab, CR at the start) prefixed with a single quote.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from annotator.base.vocabulary import CSV_FORMULA_STARTS


def neutralise(cell: Any) -> Any:
    """Quote a formula-like cell; one that already starts with quotes gets one more,
    so that reading back (`csvfile.unneutralise`) removes exactly one."""
    if isinstance(cell, str) and cell.lstrip("'").startswith(CSV_FORMULA_STARTS):
        return "'" + cell
    return cell


def write_rows(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    excel: bool = False,
    on_rows: Callable[[int], None] | None = None,
    chunk: int = 10_000,
) -> int:
    """Write the header and rows; report progress every `chunk` rows; return the count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    written = 0
    buffer: list[Sequence[Any]] = []
    for row in rows:
        buffer.append([neutralise(cell) for cell in row] if excel else row)
        if len(buffer) >= chunk:
            writer.writerows(buffer)
            written += len(buffer)
            buffer.clear()
            if on_rows is not None:
                on_rows(written)
    writer.writerows(buffer)
    written += len(buffer)
    if on_rows is not None:
        on_rows(written)
    return written


def encoding_for(*, excel: bool) -> str:
    """With a BOM for spreadsheets, which otherwise guess a legacy code page."""
    return "utf-8-sig" if excel else "utf-8"


def open_for_writing(path: Path, *, excel: bool) -> TextIO:
    return path.open("w", encoding=encoding_for(excel=excel), newline="")


def companion_path(path: Path, role: str) -> Path:
    """spans.csv -> spans.document-labels.csv: where the second table of an export goes."""
    return path.with_name(f"{path.stem}.{role}{path.suffix or '.csv'}")
