"""Every file format annotator reads or writes, by name: the one table that the command
line's `--format` help, the window's file choosers, detection and the importer share.

Each format is one module in `annotator.formats`, loaded only when a file needs it (a
heavy parser or spaCy must not slow a small import), that provides some of:

- `read(path, options, notes) -> Iterable[Record]`: a whole file (or, for a format whose
  document is a pair of files, the file that names it), checked completely; the first
  bad line raises an `InputError` naming the file and line. What the reader leaves out on
  purpose (a rejected answer, a relation) is counted in `notes`, never dropped in silence.
- `write(documents, target, options, notes) -> None`: documents with every layer, as
  `DocumentRecord`s whose spans name their annotator, written to `target` whole or not
  at all (`annotator.base.safe_files`). What the format cannot hold is said in `notes`.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Protocol

from annotator.base.errors import InputError, UserError
from annotator.formats.records import (
    DocumentLabelRowRecord,
    DocumentRecord,
    SpanRecord,
    SpanRowRecord,
)

Record = DocumentRecord | SpanRowRecord | DocumentLabelRowRecord


class TagScheme(StrEnum):
    """How token tags mark where a span begins and ends (CoNLL)."""

    IOB2 = "iob2"
    BIOES = "bioes"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the user told the importer about a file, beyond its name."""

    text_key: str | None = None  # doccano's `column_data`: where the text is
    label_key: str | None = None  # doccano's `column_label`: where the labels are
    text_column: str = "text"  # CSV: the column that holds the text
    keep_rejected: bool = False  # Prodigy: keep rejected answers as rejected suggestions
    markdown: bool | None = None  # an article: Markdown or verbatim text; None decides by shape
    # A project of several people's folders (brat's and bratiaa's DIR/alice/…): work a file
    # does not attribute is the work of the annotator its folder is named after.
    annotator_from_folder: bool = False


@dataclass(frozen=True, slots=True)
class WriteOptions:
    scheme: TagScheme = TagScheme.IOB2  # CoNLL
    excel: bool = False  # CSV: for a spreadsheet


@dataclass(slots=True)
class FileNotes:
    """What a reader or writer did not carry over, and why, for the report of one file.

    `left_out` counts things by a reason a person reads ("rejected answers", "relations");
    `warnings` are single events with their line ("line 7: blank task skipped").
    """

    left_out: Counter[str] = field(default_factory=Counter)
    warnings: list[InputError] = field(default_factory=list)

    def leave_out(self, reason: str, count: int = 1) -> None:
        if count:
            self.left_out[reason] += count

    def warn(self, message: str, *, path: Path | None = None, line: int | None = None) -> None:
        self.warnings.append(InputError(message, path=path, line=line))

    def lines(self) -> Iterator[str]:
        """The notes in words, one per line, for the command line and the window."""
        for reason, count in sorted(self.left_out.items()):
            yield f"left out {count} {reason}"
        for warning in self.warnings:
            # Said under the file's own heading: the line is enough.
            where = f"line {warning.line}: " if warning.line is not None else ""
            yield f"warning: {where}{warning.reason}"


class Reader(Protocol):
    def __call__(self, path: Path, options: ReadOptions, notes: FileNotes) -> Iterable[Record]: ...


class Writer(Protocol):
    def __call__(
        self,
        documents: Iterable[DocumentRecord],
        target: Path,
        options: WriteOptions,
        notes: FileNotes,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class FileFormat:
    name: str
    summary: str  # a few words for --help and the file choosers
    module: str  # in annotator.formats
    suffixes: tuple[str, ...]  # what a file chooser shows; the first is what export suggests
    reads: bool = True
    writes: bool = True
    folder: bool = False  # written as a folder of files (one per document)
    extra: str | None = None  # the `annotator[...]` extra the format needs

    def load(self) -> ModuleType:
        try:
            return importlib.import_module(f"annotator.formats.{self.module}")
        except ImportError as error:
            if self.extra is None:
                raise
            raise UserError(
                f"the {self.name} format needs the extra '{self.extra}': "
                f"pip install 'annotator[{self.extra}]' ({error.name} is missing)"
            ) from error

    @property
    def reader(self) -> Reader:
        reader: Reader = self.load().read
        return reader

    @property
    def writer(self) -> Writer:
        writer: Writer = self.load().write
        return writer


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat("txt", "a plain text article", "article", (".txt", ".text"), writes=False),
        FileFormat("md", "a Markdown article", "article", (".md", ".markdown"), writes=False),
        FileFormat("jsonl", "annotator's JSON Lines, every layer", "jsonl", (".jsonl",)),
        FileFormat("csv", "spans as CSV rows (or texts to import)", "csvfile", (".csv",)),
        FileFormat("doccano", "doccano JSONL", "doccano", (".jsonl", ".json")),
        FileFormat("prodigy", "Prodigy JSONL tasks (db-out, db-in)", "prodigy", (".jsonl",)),
        FileFormat("labelstudio", "Label Studio JSON tasks", "labelstudio", (".json",)),
        FileFormat("brat", "brat standoff .txt + .ann", "brat", (".ann",), folder=True),
        FileFormat(
            "conll",
            "CoNLL token/tag columns (IOB2, BIOES)",
            "conll",
            (".conll", ".iob", ".bio", ".tsv"),
        ),
        FileFormat("spacy", "spaCy DocBin", "spacy_docbin", (".spacy",), extra="spacy"),
    )
}
IMPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.reads)
EXPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.writes)


def file_format(name: str, *, exporting: bool = False) -> FileFormat:
    """The format of that name, or a UserError that lists the names there are."""
    names = EXPORT_FORMATS if exporting else IMPORT_FORMATS
    found = FORMATS.get(name)
    if found is None or found.name not in names:
        what = "export" if exporting else "import"
        raise UserError(f"unknown {what} format {name!r}; choose from {', '.join(names)}")
    return found


def described(names: Iterable[str]) -> str:
    """`name: summary` for each format, for --help."""
    return "; ".join(f"{name}: {FORMATS[name].summary}" for name in names)


@dataclass(slots=True)
class Layer:
    """One annotator's work on one document: what a one-layer record of a format holds."""

    annotator: str
    status: str | None
    document_labels: list[str]
    spans: list[SpanRecord]


def layers_of(document: DocumentRecord) -> list[Layer]:
    """The document's layers, by annotator name, each with its own spans."""
    layers: dict[str, Layer] = {}
    for given in document.layers:
        layers[given.annotator] = Layer(
            given.annotator, given.status, list(given.document_labels), []
        )
    for span in document.spans:
        name = span.annotator or ""
        if name not in layers:
            layers[name] = Layer(name, None, [], [])
        layers[name].spans.append(span)
    return [layers[name] for name in sorted(layers)]
