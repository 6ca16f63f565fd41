"""CoNLL token/tag columns: one token a line, a blank line after each sentence.

Writing: `token<TAB>tag`, each document opened by `-DOCSTART-<TAB>O` and a blank line
(CoNLL-2003), tags IOB2 or BIOES. The text is cut into tokens by `formats.tokens`; where
a span starts or ends inside a token, the token is split there so the span keeps exactly
its characters (and a warning says so). A token carries one tag, so of spans that
overlap or nest the one that starts first is kept, of those that start together the
longest (then the first label by name); every span left out is named with its document,
offsets and label.

Reading: what other tools write. Columns are separated by tabs or runs of spaces; the
token is the first column and the tag the last, unless no value of the last looks like a
tag (`O`, `B-X`, `X-B`) and an earlier column's every value does (flair's `token tag +/-`);
columns in between (part of speech, chunks) are not read, and a warning names them.
GermEval 2014's layout (token number, token, outer tag, nested tag) is recognised by its
numbered tokens and both tag columns are read, the nested entities becoming spans inside
the outer ones.
IOB1, IOB2, BIOES, BILOU and suffix tags (`NP-B`) are read alike; with bare labels a run
of tokens with the same label is one span. An `I-` or `E-` tag that continues no span
starts one (IOB1), counted in a warning. `-DOCSTART-` starts a new document, a blank line
ends a sentence, and a line that starts with `#` and is not a token line is a comment.
The text is rebuilt from the tokens: one space between tokens, a line break between
sentences.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from annotator.base.errors import InputError, UserError
from annotator.base.safe_files import atomic_output
from annotator.base.text import normalize_newlines
from annotator.formats.records import DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, TagScheme, WriteOptions
from annotator.formats.source import check_document_length, read_text
from annotator.formats.tokens import Token, sentences, tokenize

DOCUMENT_START = "-DOCSTART-"
OUTSIDE = "O"
_FIELD_SEPARATOR = re.compile(r"[ \t]+")
_PREFIXED = re.compile(r"([BIESLU])-(.+)")
_SUFFIXED = re.compile(r"(.+)-([BIESLU])")
# BILOU's Last and Unit are BIOES's End and Single.
_KIND = {"B": "B", "I": "I", "E": "E", "L": "E", "S": "S", "U": "S"}
_GERMEVAL_COLUMNS = 4


# --- writing -------------------------------------------------------------------------------


def write(
    documents: Iterable[DocumentRecord], target: Path, options: WriteOptions, notes: FileNotes
) -> None:
    """Every document's tokens and tags in one file, or nothing if anything fails.

    Documents are tagged and written one at a time (an export streams them); a second
    annotator's spans stop the export there, and the temporary file goes with it.
    """
    annotators: set[str] = set()
    renamed: set[str] = set()  # labels said once to be written with "_" for spaces
    without_words = 0
    with atomic_output(target, encoding="utf-8", newline="\n") as out:
        for number, document in enumerate(documents, 1):
            annotators.update(span.annotator or "" for span in document.spans)
            _refuse_several_layers(annotators)
            tagger = _Tagger(document, number, options.scheme, notes, renamed)
            if not tagger.tokens:
                without_words += 1
                continue
            out.write(f"{DOCUMENT_START}\t{OUTSIDE}\n\n")
            for block in tagger.blocks():
                out.write("".join(f"{token}\t{tag}\n" for token, tag in block))
                out.write("\n")
    notes.leave_out("documents without a word", without_words)


def _refuse_several_layers(names: set[str]) -> None:
    if len(names) > 1:
        shown = ", ".join(repr(name) for name in sorted(names))
        raise UserError(
            f"CoNLL holds one annotator's layer; these documents have spans by {shown}: "
            "choose one with --annotator NAME (or --gold)"
        )


def _document_name(document: DocumentRecord, number: int) -> str:
    return f"document {number} ({document.title!r})" if document.title else f"document {number}"


def _tag_label(label: str) -> str:
    """A label as one column: white space inside it would be read as a column break."""
    return re.sub(r"\s+", "_", label.strip())


class _Tagger:
    """One document's tokens, their tags and where its sentences break."""

    def __init__(
        self,
        document: DocumentRecord,
        number: int,
        scheme: TagScheme,
        notes: FileNotes,
        renamed: set[str],
    ) -> None:
        self.name = _document_name(document, number)
        self.notes = notes
        self.text = document.text
        kept = self._one_span_per_token(document.spans)
        self.tokens = self._split_at_edges(tokenize(self.text), kept)
        starts = [token.start for token in self.tokens]
        self.tags = [OUTSIDE] * len(self.tokens)
        self.joined = [False] * len(self.tokens)  # no sentence break after this token
        for span in kept:
            first = bisect_left(starts, span.start)
            last = bisect_left(starts, span.end) - 1
            if first > last:
                notes.warn(
                    f"{self.name}: span {span.start}-{span.end} {span.label!r} covers only "
                    "white space, which CoNLL cannot hold; left out"
                )
                continue
            self._warn_white_edges(span, self.tokens[first].start, self.tokens[last].end)
            label = _tag_label(span.label)
            if label != span.label and span.label not in renamed:
                renamed.add(span.label)
                notes.warn(
                    f"the label {span.label!r} is written {label!r}: "
                    "a CoNLL tag cannot hold white space"
                )
            self._tag(first, last, label, scheme)
            for index in range(first, last):
                self.joined[index] = True

    def _one_span_per_token(self, spans: list[SpanRecord]) -> list[SpanRecord]:
        """The first span, and of those starting together the longest; the rest named."""
        kept: list[SpanRecord] = []
        for span in sorted(spans, key=lambda s: (s.start, -s.end, s.label)):
            if kept and span.start < kept[-1].end:
                winner = kept[-1]
                if (span.start, span.end) == (winner.start, winner.end):
                    how = "is at the same place as"
                elif span.end <= winner.end:
                    how = "lies inside"
                else:
                    how = "overlaps"
                self.notes.warn(
                    f"{self.name}: span {span.start}-{span.end} {span.label!r} {how} span "
                    f"{winner.start}-{winner.end} {winner.label!r}, which is kept "
                    "(a CoNLL token has one tag); left out"
                )
                continue
            kept.append(span)
        return kept

    def _split_at_edges(self, tokens: list[Token], kept: list[SpanRecord]) -> list[Token]:
        """Tokens cut where a span starts or ends inside one, so spans keep their characters."""
        starts = [token.start for token in tokens]
        edges: set[int] = set()
        for span in kept:
            cut: Token | None = None
            for edge in (span.start, span.end):
                index = bisect_right(starts, edge) - 1
                if index >= 0 and tokens[index].start < edge < tokens[index].end:
                    edges.add(edge)
                    cut = cut or tokens[index]
            if cut is not None:
                self.notes.warn(
                    f"{self.name}: span {span.start}-{span.end} {span.label!r} starts or ends "
                    f"inside the token {cut.text!r} ({cut.start}-{cut.end}); "
                    "the token is split there"
                )
        if not edges:
            return tokens
        ordered = sorted(edges)
        result: list[Token] = []
        for token in tokens:
            inside = ordered[bisect_right(ordered, token.start) : bisect_left(ordered, token.end)]
            if not inside:
                result.append(token)
                continue
            cuts = [token.start, *inside, token.end]
            result.extend(Token(self.text[low:high], low, high) for low, high in pairwise(cuts))
        return result

    def _warn_white_edges(self, span: SpanRecord, first_start: int, last_end: int) -> None:
        if (first_start, last_end) != (span.start, span.end):
            self.notes.warn(
                f"{self.name}: span {span.start}-{span.end} {span.label!r} has white space "
                f"at its edge, which CoNLL cannot hold; it reads back as {first_start}-{last_end}"
            )

    def _tag(self, first: int, last: int, label: str, scheme: TagScheme) -> None:
        if scheme is TagScheme.BIOES:
            if first == last:
                self.tags[first] = f"S-{label}"
                return
            self.tags[last] = f"E-{label}"
        else:
            self.tags[last] = f"I-{label}"
        self.tags[first] = f"B-{label}"
        for index in range(first + 1, last):
            self.tags[index] = f"I-{label}"

    def blocks(self) -> Iterator[list[tuple[str, str]]]:
        """The (token, tag) pairs of each sentence; a sentence that a span crosses is
        joined to the next, so no span is cut by a blank line."""
        ends = [end for _, end in sentences(self.text)]
        sentence = 0  # the sentence that holds the token (every token lies inside one)
        block: list[tuple[str, str]] = []
        count = len(self.tokens)
        for index, token in enumerate(self.tokens):
            while sentence < len(ends) - 1 and ends[sentence] <= token.start:
                sentence += 1
            block.append((token.text, self.tags[index]))
            if index + 1 == count or (
                not self.joined[index] and self.tokens[index + 1].start >= ends[sentence]
            ):
                yield block
                block = []


# --- reading -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """One token line: its number in the file and its fields."""

    number: int
    fields: list[str]


@dataclass(slots=True)
class _Document:
    sentences: list[list[_Row]] = field(default_factory=list)

    def add(self, row: _Row, sentence_open: bool) -> None:
        if not sentence_open or not self.sentences:
            self.sentences.append([])
        self.sentences[-1].append(row)


def read(path: Path, options: ReadOptions, notes: FileNotes) -> Iterator[DocumentRecord]:
    """Every document of the file, all checked before the first is given."""
    return iter(_read(path, notes))


def _read(path: Path, notes: FileNotes) -> list[DocumentRecord]:
    content, _ = normalize_newlines(read_text(path))
    # Each line's fields; a blank line has none.
    lines = [
        _FIELD_SEPARATOR.split(stripped) if (stripped := line.strip(" \t")) else []
        for line in content.split("\n")
    ]
    candidates = [(number, fields) for number, fields in enumerate(lines, 1) if fields]
    plain = [
        fields
        for _, fields in candidates
        if fields[0] != DOCUMENT_START and not fields[0].startswith("#")
    ]
    if not plain:
        raise InputError("no token lines (a token, then its tag, on each line)", path=path)
    first_number, first = candidates[0]
    if first[0].startswith(("{", "[")):
        raise InputError(
            "this is JSON, not CoNLL token/tag columns; name the format it is in with --format",
            path=path,
            line=first_number,
        )
    columns = Counter(len(fields) for fields in plain).most_common(1)[0][0]
    if columns == 1:
        raise InputError(
            "one column only: CoNLL lines need a token and its tag, separated by a tab or spaces",
            path=path,
            line=next(number for number, fields in candidates if fields[0] != DOCUMENT_START),
        )
    seen_tags = {fields[-1] for fields in plain if len(fields) == columns}
    documents = _split(lines, columns, seen_tags, path, notes)
    rows = [row for document in documents for sentence in document.sentences for row in sentence]
    layout = _Layout.of(rows, columns, path, notes)
    built: list[DocumentRecord] = []
    strays = _Strays()
    for document in documents:
        if document.sentences:
            built.append(_build(document, layout, strays, path))
    if strays.count:
        notes.warn(
            f"{strays.count} I- or E- tag(s) continue no span before them (IOB1 style) and "
            f"each starts a span; the first is on line {strays.first_line}",
            path=path,
        )
    return built


def _is_tag(value: str) -> bool:
    return value == OUTSIDE or bool(_PREFIXED.fullmatch(value) or _SUFFIXED.fullmatch(value))


def _split(
    lines: list[list[str]], columns: int, seen_tags: set[str], path: Path, notes: FileNotes
) -> list[_Document]:
    """Documents of sentences of rows; comment lines skipped, malformed lines refused."""
    documents = [_Document()]
    sentence_open = False
    comments = 0
    for number, fields in enumerate(lines, 1):
        if not fields:
            sentence_open = False
            continue
        if fields[0] == DOCUMENT_START:
            documents.append(_Document())
            sentence_open = False
            continue
        if fields[0].startswith("#") and (
            len(fields) != columns or not (_is_tag(fields[-1]) or fields[-1] in seen_tags)
        ):
            comments += 1
            continue
        if len(fields) == 1:
            raise InputError(
                f"a token without a tag ({fields[0]!r}); the tag goes after a tab or spaces",
                path=path,
                line=number,
            )
        if len(fields) != columns:
            raise InputError(
                f"{len(fields)} columns where the file's lines have {columns} "
                f"({_shorten(' '.join(fields))}); CoNLL tokens hold no spaces",
                path=path,
                line=number,
            )
        documents[-1].add(_Row(number, fields), sentence_open)
        sentence_open = True
    notes.leave_out("comment lines", comments)
    return documents


def _shorten(text: str, limit: int = 50) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which column holds the token and which hold tags, and how the tags are written."""

    token: int
    tags: tuple[int, ...]
    style: str  # "prefix" (B-X), "suffix" (X-B) or "bare" (X)

    @classmethod
    def of(cls, rows: list[_Row], columns: int, path: Path, notes: FileNotes) -> _Layout:
        if columns == _GERMEVAL_COLUMNS and _numbered(rows):
            notes.warn(
                "GermEval layout: column 1 (the token's number) is not read; columns 3 "
                "(outer entities) and 4 (nested entities) both give spans",
                path=path,
            )
            return cls(1, (2, 3), _style(rows, (2, 3)))
        tag_column = _tag_column(rows, columns)
        unread = [str(column + 1) for column in range(1, columns) if column != tag_column]
        if unread:
            notes.warn(
                f"column(s) {', '.join(unread)} not read: the token is column 1 and the "
                f"tag column {tag_column + 1}",
                path=path,
            )
        return cls(0, (tag_column,), _style(rows, (tag_column,)))

    def check(self, row: _Row, path: Path) -> None:
        for column in self.tags:
            tag = row.fields[column]
            if self.style == "bare" or tag == OUTSIDE:
                continue
            pattern = _PREFIXED if self.style == "prefix" else _SUFFIXED
            if pattern.fullmatch(tag) is None:
                shape = "B-, I-, E-, S-, L- or U-" if self.style == "prefix" else "-B, -I, -E, -S"
                raise InputError(
                    f"the tag {tag!r} is neither O nor a {shape} tag like the file's others",
                    path=path,
                    line=row.number,
                )


def _tag_column(rows: list[_Row], columns: int) -> int:
    """The last column if any of its values is a tag; else the last column of tags only
    (flair's `token tag +/-`); else the last column, of bare labels."""
    last = columns - 1
    if any(_is_tag(row.fields[last]) for row in rows):
        return last
    return next(
        (
            column
            for column in range(last - 1, 0, -1)
            if all(_is_tag(row.fields[column]) for row in rows)
        ),
        last,
    )


def _numbered(rows: list[_Row]) -> bool:
    return (
        bool(rows) and rows[0].fields[0] == "1" and all(row.fields[0].isdecimal() for row in rows)
    )


def _style(rows: list[_Row], columns: tuple[int, ...]) -> str:
    tags = {row.fields[column] for row in rows for column in columns} - {OUTSIDE}
    if any(_PREFIXED.fullmatch(tag) for tag in tags):
        return "prefix"
    if any(_SUFFIXED.fullmatch(tag) for tag in tags):
        return "suffix"
    return "bare"


@dataclass(slots=True)
class _Strays:
    """I- and E- tags that continue no span (IOB1 starts, or a slip in other schemes)."""

    count: int = 0
    first_line: int | None = None

    def add(self, line: int) -> None:
        self.count += 1
        if self.first_line is None:
            self.first_line = line


def _parts(tag: str, style: str) -> tuple[str, str]:
    """(kind, label): kind is B, I, E, S, or O; bare labels continue like I."""
    if tag == OUTSIDE:
        return "O", ""
    if style == "prefix":
        kind, label = tag[0], tag[2:]
    elif style == "suffix":
        label, kind = tag[:-2], tag[-1]
    else:
        return "I", tag
    return _KIND[kind], label


def _build(document: _Document, layout: _Layout, strays: _Strays, path: Path) -> DocumentRecord:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for sentence_index, sentence in enumerate(document.sentences):
        for token_index, row in enumerate(sentence):
            if token_index or sentence_index:
                separator = " " if token_index else "\n"
                pieces.append(separator)
                position += 1
            layout.check(row, path)
            token = row.fields[layout.token]
            pieces.append(token)
            starts.append(position)
            position += len(token)
            ends.append(position)
    text = "".join(pieces)
    first_line = document.sentences[0][0].number
    check_document_length(text, path=path, line=first_line)
    spans: list[SpanRecord] = []
    for column in layout.tags:
        spans += _decode(document, column, layout.style, starts, ends, strays)
    spans.sort(key=lambda span: (span.start, -span.end, span.label))
    return DocumentRecord(text=text, spans=spans, line=first_line)


def _decode(
    document: _Document,
    column: int,
    style: str,
    starts: list[int],
    ends: list[int],
    strays: _Strays,
) -> list[SpanRecord]:
    """Spans from one tag column; a span never crosses a sentence break."""
    spans: list[SpanRecord] = []
    index = 0
    for sentence in document.sentences:
        open_label: str | None = None
        open_first = 0
        for row in sentence:
            kind, label = _parts(row.fields[column], style)
            continues = open_label == label and kind in ("I", "E")
            if not continues and open_label is not None:
                spans.append(SpanRecord(starts[open_first], ends[index - 1], open_label))
                open_label = None
            if kind != "O" and not continues:
                if kind in ("I", "E") and style != "bare":
                    strays.add(row.number)
                open_label, open_first = label, index
            if kind in ("E", "S") and open_label is not None:
                spans.append(SpanRecord(starts[open_first], ends[index], open_label))
                open_label = None
            index += 1
        if open_label is not None:
            spans.append(SpanRecord(starts[open_first], ends[index - 1], open_label))
    return spans
