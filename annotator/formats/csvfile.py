"""Reading CSV: a table of documents, or our own span / document-label exports re-imported.

Parsed as RFC 4180 (quoted cells may hold commas, quotes and line breaks) and strictly, so
a stray quote is an error rather than silently merged text. Every record carries the
physical line where it starts (the header is line 1), for error messages.

Spreadsheet neutralisation: our `--excel` export writes a UTF-8 BOM and puts a `'` before
cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR). That
quote is taken off again only when the file starts with a UTF-8 BOM, so an ordinary CSV
keeps its cells exactly as written.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from annotator.base.errors import InputError
from annotator.base.offsets import check_offsets
from annotator.base.text import normalize_newlines
from annotator.base.vocabulary import CSV_FORMULA_STARTS, Origin
from annotator.formats.jsonl import ORIGINS, parse_timestamp
from annotator.formats.records import (
    DocumentLabelRowRecord,
    DocumentRecord,
    SpanRecord,
    SpanRowRecord,
)
from annotator.formats.registry import FileNotes, ReadOptions
from annotator.formats.source import MAX_FILE_BYTES, check_document_length, read_text

CsvRecord = DocumentRecord | SpanRowRecord | DocumentLabelRowRecord

SPAN_COLUMNS = ("document_hash", "annotator", "label", "start", "end", "text")
DOCUMENT_LABEL_COLUMNS = ("document_hash", "annotator", "label")

# A formula-like cell behind one or more quotes: strip exactly one quote. Counting the
# quotes makes the round trip exact if the exporter also quotes cells like `'=x`.
_NEUTRALISED = re.compile("'+[" + re.escape("".join(CSV_FORMULA_STARTS)) + "]")
_INTEGER = re.compile(r"-?[0-9]+")


def unneutralise(cell: str) -> str:
    """Undo the spreadsheet neutralisation of one cell: `'=SUM(A1)` becomes `=SUM(A1)`.

    Only cells that start with `'` followed (after any further quotes) by `=`, `+`, `-`,
    `@`, tab or CR lose their first quote. Apply it only to files that start with a UTF-8
    BOM, which is how our `--excel` export marks the files it neutralised.
    """
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def read_csv(path: Path, *, text_column: str = "text") -> Iterator[CsvRecord]:
    """Yield the file's records, raising an InputError at the first bad row.

    The header decides the kind: our span export (document_hash, annotator, label, start,
    end, text) gives SpanRowRecords; our document-label export (the same without start)
    gives DocumentLabelRowRecords; anything else is a table of documents whose
    `text_column` holds the text, `title` the title, and other filled cells go to meta.
    """
    content = read_text(path)
    excel = _starts_with_utf8_bom(path)
    if csv.field_size_limit() < MAX_FILE_BYTES:
        # The default limit (128 KiB) is smaller than a long document; any cell of a file
        # that may be read fits, so that a cell too long is refused in plain words below.
        csv.field_size_limit(MAX_FILE_BYTES)
    rows = _rows(path, content)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise InputError("the file has no header row", path=path) from None
    table = _Table(path, header_line, header, excel)
    make: Callable[[int, dict[str, str]], CsvRecord]
    if table.has(*DOCUMENT_LABEL_COLUMNS) and "start" in table.columns:
        missing = [name for name in SPAN_COLUMNS if not table.has(name)]
        if missing:
            raise InputError(
                f"this looks like a span export but lacks the column(s) {', '.join(missing)}",
                path=path,
                line=header_line,
            )
        make = table.span_row
    elif table.has(*DOCUMENT_LABEL_COLUMNS):
        make = table.document_label_row
    else:
        table.find_text_column(text_column)
        make = table.document
    for line, cells in rows:
        yield make(line, table.cells(line, cells))


def _starts_with_utf8_bom(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error


def _rows(path: Path, content: str) -> Iterator[tuple[int, list[str]]]:
    """Non-empty rows with the physical line each starts on.

    `line_num` counts lines consumed so far, so after a row it is that row's last line;
    the next row starts one line later. Rows whose cells are all blank (a spreadsheet's
    trailing `,,,`) are skipped.
    """
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    consumed = 0
    while True:
        start = consumed + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(f"malformed CSV ({error})", path=path, line=start) from None
        consumed = reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def _short(name: str, limit: int = 40) -> str:
    """A column name for a message: a header that is really a long line of text stays short."""
    return repr(name if len(name) <= limit else name[: limit - 1] + "…")


class _Table:
    """The header's columns and the conversion of one row into a record."""

    def __init__(self, path: Path, line: int, header: list[str], excel: bool) -> None:
        self.path = path
        self.excel = excel
        self.columns: dict[str, int] = {}
        self.names: list[str] = []
        for index, raw in enumerate(header):
            name = raw.strip() or f"column {index + 1}"
            if name in self.columns:
                raise InputError(
                    f"the column {_short(name)} appears twice in the header", path=path, line=line
                )
            self.columns[name] = index
            self.names.append(name)
        self.header_line = line
        self.text_name = ""

    def has(self, *names: str) -> bool:
        return all(name in self.columns for name in names)

    def find_text_column(self, wanted: str) -> None:
        """Pick the text column: exact name, else a unique case-insensitive match."""
        if wanted in self.columns:
            self.text_name = wanted
            return
        folded = [name for name in self.names if name.casefold() == wanted.casefold()]
        if len(folded) == 1:
            self.text_name = folded[0]
            return
        found = ", ".join(_short(name) for name in self.names[:20])
        if len(self.names) > 20:
            found += f" and {len(self.names) - 20} more"
        hint = ""
        if len(self.names) == 1 and any(mark in self.names[0] for mark in ";\t|"):
            hint = "; cells must be separated by commas"
        raise InputError(
            f"no {wanted!r} column; the header has {found}{hint}",
            path=self.path,
            line=self.header_line,
        )

    def cells(self, line: int, cells: list[str]) -> dict[str, str]:
        """The row by column name, missing trailing cells empty, neutralisation undone."""
        if len(cells) > len(self.names):
            raise InputError(
                f"the row has {len(cells)} cells but the header has {len(self.names)} columns",
                path=self.path,
                line=line,
            )
        if self.excel:
            cells = [unneutralise(cell) for cell in cells]
        cells = cells + [""] * (len(self.names) - len(cells))
        return dict(zip(self.names, cells, strict=True))

    def error(self, line: int, message: str) -> InputError:
        return InputError(message, path=self.path, line=line)

    def document(self, line: int, row: dict[str, str]) -> DocumentRecord:
        raw = row[self.text_name]
        if not raw.strip():
            raise self.error(line, f"the {self.text_name!r} cell is empty")
        check_document_length(raw, path=self.path, line=line)
        title_name = "title" if self.text_name != "title" else ""
        title = row.get(title_name) or None
        meta = {
            name: value
            for name, value in row.items()
            if name not in (self.text_name, title_name) and value != ""
        }
        return DocumentRecord(text=normalize_newlines(raw)[0], title=title, meta=meta, line=line)

    def span_row(self, line: int, row: dict[str, str]) -> SpanRowRecord:
        start = self._integer(line, row, "start")
        end = self._integer(line, row, "end")
        # The document's length is unknown here; the importer checks the end against it.
        reason = check_offsets(max(start, end), start, end)
        if reason is not None:
            raise self.error(line, reason)
        origin = row.get("origin") or Origin.IMPORTED
        if origin not in ORIGINS:
            raise self.error(
                line, f"origin must be one of {', '.join(sorted(ORIGINS))}, found {origin!r}"
            )
        span = SpanRecord(
            start=start,
            end=end,
            label=self._label(line, row),
            annotator=row["annotator"] if row["annotator"].strip() else None,
            text=normalize_newlines(row["text"])[0] if row["text"] else None,
            note=row.get("note") or None,
            origin=origin,
            created_at=self._timestamp(line, row, "created_at"),
            updated_at=self._timestamp(line, row, "updated_at"),
        )
        return SpanRowRecord(document_hash=self._hash(line, row), span=span, line=line)

    def document_label_row(self, line: int, row: dict[str, str]) -> DocumentLabelRowRecord:
        """An empty annotator cell gives "" : the importing user, as in AnnotatorLayer."""
        return DocumentLabelRowRecord(
            document_hash=self._hash(line, row),
            annotator=row["annotator"] if row["annotator"].strip() else "",
            label=self._label(line, row),
            line=line,
            created_at=self._timestamp(line, row, "created_at"),
        )

    def _hash(self, line: int, row: dict[str, str]) -> str:
        value = row["document_hash"].strip()
        if not value:
            raise self.error(line, "the document_hash cell is empty")
        return value

    def _label(self, line: int, row: dict[str, str]) -> str:
        value = row["label"]
        if not value.strip():
            raise self.error(line, "the label cell is empty")
        return value

    def _integer(self, line: int, row: dict[str, str], name: str) -> int:
        value = row[name].strip()
        # Plain ASCII digits only: int() would also take "1_0" or Arabic-Indic digits.
        if not _INTEGER.fullmatch(value):
            raise self.error(line, f"{name} must be a whole number, found {row[name]!r}")
        return int(value)

    def _timestamp(self, line: int, row: dict[str, str], name: str) -> datetime | None:
        value = row.get(name, "").strip()
        if not value:
            return None
        try:
            return parse_timestamp(value)
        except ValueError as error:
            raise self.error(line, f"{name}: {error}") from None


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[CsvRecord]:
    """The registry's entry (see `read_csv`)."""
    return read_csv(path, text_column=options.text_column)
