"""Corpus search: every occurrence of a word or a regular expression in a project, in
context (keyword in context), with what each layer labelled there; and labelling a
list of those occurrences at once, as one undoable action.

Offsets are code points (Python `str` indexing), as everywhere in core. The labels
shown are annotations only (manual, imported, accepted suggestions) in every layer,
the gold layer included; pending and rejected suggestions are left out, since nobody
has said they are right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from annotator.base.errors import UserError
from annotator.base.text import is_word_character
from annotator.base.vocabulary import COUNTED_ORIGINS, GOLD, LabelKind
from annotator.core import operations as ops
from annotator.core.changes import Change, record
from annotator.core.labelling import SpanIndex
from annotator.core.models import Label, annotator_t, document_t, label_t, span_t

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from annotator.core.corpus import Corpus

LIMIT = 10_000
"""Hits a search stops at by default: more than anyone reads, few enough to show at once."""
WIDTH = 40
"""Code points of context each side of a match."""
DOCUMENTS_PER_BATCH = 200
"""Documents read per query, so a large project never sits in memory whole."""
_FLAT = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence. `left` and `right` are on one line (any whitespace a space) and at
    most `width` long; `labels` maps a layer (annotator name) to the names of the labels
    of its spans overlapping the match, in text order."""

    document_id: int
    title: str
    start: int
    end: int
    left: str
    match: str
    right: str
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def labels_text(self) -> str:
        """ "alice: Person · gold: Person, Location": the labels column as read."""
        return " · ".join(f"{layer}: {', '.join(names)}" for layer, names in self.labels.items())


@dataclass(slots=True)
class Concordance:
    hits: list[Hit]
    capped: bool  # the search stopped at the limit: more occurrences exist
    limit: int
    documents: int  # documents searched

    def summary(self) -> str:
        """ "5 matches in 2 of 40 documents": where they are, and how many were read."""
        count = len(self.hits)
        found = f"{count} match{'es' if count != 1 else ''}"
        holding = len({hit.document_id for hit in self.hits})
        searched = f"{self.documents} document{'s' if self.documents != 1 else ''}"
        where = f"in {holding} of {searched}" if count else f"in {searched}"
        if self.capped:
            return f"{found} (stopped at the limit of {self.limit}; there are more) {where}"
        return f"{found} {where}"


def compile_pattern(
    pattern: str, *, regex: bool = False, ignore_case: bool = False, whole_word: bool = False
) -> re.Pattern[str]:
    """The search as a compiled expression; a plain string is matched literally.
    A bad regular expression is a UserError that says where it goes wrong. The whole
    word rule is complete only together with `_matches`."""
    if not pattern:
        raise UserError("type something to search for")
    body = pattern if regex else re.escape(pattern)
    if whole_word and regex:
        # An expression's alternatives must be tried at the boundary itself. A literal
        # is searched bare (fast) and its boundaries checked after (see `_matches`).
        body = rf"(?<!\w)(?:{body})(?!\w)"
    flags = re.IGNORECASE if ignore_case else 0
    try:
        return re.compile(body, flags)
    except re.error as error:
        where = f" at position {error.pos}" if error.pos is not None else ""
        raise UserError(f"bad regular expression {pattern!r}: {error.msg}{where}") from error


def _cuts(text: str, start: int, end: int, whole_word: bool) -> bool:
    """A match that splits a character (its accent, a combining mark, left outside), or
    with `whole_word` one that touches a word character Python's \\w misses (a mark)."""
    after = text[end] if end < len(text) else ""
    if after and unicodedata.category(after)[0] == "M":
        return True
    if unicodedata.category(text[start])[0] == "M":
        return True
    before = text[start - 1] if start else ""
    return whole_word and any(c and is_word_character(c) for c in (before, after))


def _matches(compiled: re.Pattern[str], text: str, whole_word: bool) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-empty match that splits no character and, with
    `whole_word`, touches no word character. After a refused match the search goes
    on from its second character, so "a a" still finds the second pair in "xa a a"."""
    position = 0
    while position <= len(text) and (match := compiled.search(text, position)) is not None:
        start, end = match.span()
        if start == end:
            position = end + 1
        elif _cuts(text, start, end, whole_word):
            position = start + 1
        else:
            yield start, end
            position = end


def _flat(text: str) -> str:
    return _FLAT.sub(" ", text)


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    return _flat(text[max(0, start - width) : start]), _flat(text[end : end + width])


def _documents(
    connection: Connection, project_id: int, batch: int
) -> Iterator[list[tuple[int, str, str]]]:
    """The project's documents in id order, `batch` at a time. Their ids first (one
    query on the project's index), then each batch by primary key: paging on
    `project_id` with ORDER BY id would sort the whole project again for every batch."""
    ids = [
        int(found)
        for found in connection.execute(
            select(document_t.c.id)
            .where(document_t.c.project_id == project_id)
            .order_by(document_t.c.id)
        ).scalars()
    ]
    for first in range(0, len(ids), batch):
        rows = connection.execute(
            select(document_t.c.id, document_t.c.title, document_t.c.text)
            .where(document_t.c.id.in_(ids[first : first + batch]))
            .order_by(document_t.c.id)
        ).all()
        yield [(int(row.id), row.title or f"document {row.id}", row.text) for row in rows]


@dataclass(frozen=True, slots=True)
class _Labelled:
    id: int
    start: int
    end: int
    layer: str
    label: str


def _layer_order(layer: str) -> tuple[bool, str]:
    return (layer == GOLD, layer.casefold())  # people by name, the gold layer last


def _spans_of(
    connection: Connection, document_ids: Sequence[int]
) -> dict[int, SpanIndex[_Labelled]]:
    """The annotations of these documents in every layer, indexed per document."""
    query = (
        select(
            span_t.c.id, span_t.c.document_id, span_t.c.start, span_t.c.end,
            annotator_t.c.name, label_t.c.name.label("label"),
        )
        .join(annotator_t, annotator_t.c.id == span_t.c.annotator_id)
        .join(label_t, label_t.c.id == span_t.c.label_id)
        .where(span_t.c.document_id.in_(document_ids), span_t.c.origin.in_(COUNTED_ORIGINS))
    )  # fmt: skip
    found: dict[int, list[_Labelled]] = {}
    for row in connection.execute(query):
        found.setdefault(int(row.document_id), []).append(
            _Labelled(int(row.id), int(row.start), int(row.end), row.name, row.label)
        )
    return {document_id: SpanIndex(spans) for document_id, spans in found.items()}


def _labels_at(
    index: SpanIndex[_Labelled] | None, start: int, end: int
) -> dict[str, tuple[str, ...]]:
    if index is None:
        return {}
    layers: dict[str, list[str]] = {}
    for span in index.overlapping(start, end):
        layers.setdefault(span.layer, []).append(span.label)
    return {layer: tuple(layers[layer]) for layer in sorted(layers, key=_layer_order)}


def search(
    engine: Engine,
    project_id: int,
    pattern: str,
    *,
    regex: bool = False,
    ignore_case: bool = False,
    whole_word: bool = False,
    width: int = WIDTH,
    limit: int = LIMIT,
    batch: int = DOCUMENTS_PER_BATCH,
    progress: Callable[[int], None] | None = None,
) -> Concordance:
    """Every non-empty match in the project's documents, in document and text order,
    up to `limit` (`capped` says the search stopped there). A match that would split a
    character (an e whose accent follows as a combining mark) is no hit: labelling it
    would cut the letter. `progress` hears the count of documents searched after each
    batch."""
    compiled = compile_pattern(pattern, regex=regex, ignore_case=ignore_case, whole_word=whole_word)
    if width < 0 or limit < 1:
        raise UserError("the context width must be 0 or more and the limit 1 or more")
    hits: list[Hit] = []
    searched = 0
    capped = False
    with engine.connect() as connection:
        for documents in _documents(connection, project_id, batch):
            found: list[Hit] = []
            for document_id, title, text in documents:
                searched += 1
                for start, end in _matches(compiled, text, whole_word):
                    if len(hits) + len(found) == limit:
                        capped = True
                        break
                    left, right = _context(text, start, end, width)
                    found.append(
                        Hit(document_id, title, start, end, left, _flat(text[start:end]), right)
                    )
                if capped:
                    break
            hits.extend(_with_labels(connection, found))
            if progress is not None:
                progress(searched)
            if capped:
                break
    return Concordance(hits, capped, limit, searched)


def _with_labels(connection: Connection, hits: Sequence[Hit]) -> list[Hit]:
    if not hits:
        return []
    indexes = _spans_of(connection, sorted({hit.document_id for hit in hits}))
    return [
        replace(hit, labels=_labels_at(indexes.get(hit.document_id), hit.start, hit.end))
        for hit in hits
    ]


def relabelled(engine: Engine, hits: Sequence[Hit]) -> list[Hit]:
    """The same hits with their labels read again (after labelling, undo, or someone
    else's work), a thousand hits a query."""
    fresh: list[Hit] = []
    with engine.connect() as connection:
        for first in range(0, len(hits), 1000):
            fresh.extend(_with_labels(connection, hits[first : first + 1000]))
    return fresh


# -- labelling hits ---------------------------------------------------------------------


@dataclass(slots=True)
class Labelling:
    changes: list[Change]
    skipped: int  # hits overlapping a span already in the layer, left as they were

    def sentence(self, label: str) -> str:
        added = len(self.changes)
        said = f"Labelled {added} match{'es' if added != 1 else ''} {label}"
        if self.skipped:
            said += f"; skipped {self.skipped} overlapping a span already there"
        return said


def label_hits(corpus: Corpus, hits: Iterable[Hit], label_id: int) -> Labelling:
    """Label the hits in the corpus annotator's own layer (the one they may edit, and
    whose undo is theirs) as ONE action: one transaction, one history step. A hit that
    would overlap an annotation already in that layer (or another hit labelled in the
    same step) is skipped and counted; a pending suggestion there is no obstacle, and
    one with the same label at the same place becomes the annotation."""
    wanted = list(hits)
    me = corpus.annotator_id()  # before the transaction: it may write the annotator
    changes: list[Change] = []
    skipped = 0
    with corpus.action() as session:
        label = session.get(Label, label_id)
        if label is None or label.kind != LabelKind.SPAN:
            raise UserError(f"no span label with id {label_id}")
        documents = sorted({hit.document_id for hit in wanted})
        taken: dict[int, SpanIndex[_Labelled]] = {
            document_id: SpanIndex() for document_id in documents
        }
        for first in range(0, len(documents), 1000):
            rows = session.connection().execute(
                select(span_t.c.id, span_t.c.document_id, span_t.c.start, span_t.c.end).where(
                    span_t.c.document_id.in_(documents[first : first + 1000]),
                    span_t.c.annotator_id == me,
                    span_t.c.origin.in_(COUNTED_ORIGINS),
                )
            )
            for row in rows:
                taken[int(row.document_id)].add(
                    _Labelled(int(row.id), int(row.start), int(row.end), "", "")
                )
        started: set[int] = set()
        for hit in wanted:
            index = taken[hit.document_id]
            if index.overlapping(hit.start, hit.end):
                skipped += 1
                continue
            change = ops.add_span(
                hit.document_id, label_id, hit.start, hit.end, session=session, annotator_id=me
            )
            record(session, change, annotator=corpus.annotator_name)
            changes.append(change)
            index.add(_Labelled(-len(changes), hit.start, hit.end, "", ""))
            started.add(hit.document_id)
        session.flush()  # once, not in each start_document's query
        for document_id in sorted(started):
            ops.start_document(document_id, session=session, annotator_id=me)
    return Labelling(changes, skipped)
