"""spaCy's DocBin (`.spacy`), the training data of `spacy train`: Docs with their spans.

spaCy is the extra `annotator[spacy]`, imported inside the functions, so this module
(and the registry that names it) loads without it.

Writing: one Doc per document and annotator layer, its tokens cut at every span
boundary (and at white space), so every span is exactly `doc.char_span(start, end)`
and `doc.text` is the document's text. Every span of the layer is in the span group
`doc.spans["sc"]`; `doc.ents` cannot overlap, so it holds the spans spaCy's own
`filter_spans` keeps (the longest first, then the earliest), and the notes name the
others. Document labels are `doc.cats`: 1.0 for the layer's labels, 0.0 for the other
document labels of the export. Title, annotator, status, the document's fields and
span notes are in `doc.user_data`. Suggested and rejected spans go to the span groups
`suggested` and `rejected`, never to `sc` or the entities.

Reading: each Doc's text, its entities and the spans of every span group (the same
span once), `cats` of 0.5 or more as document labels, and the layer named by
`user_data["annotator"]` (the importing user when absent). Docs with the same text are
one document with several layers, which is how the writer writes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.base.errors import InputError, UserError
from annotator.base.safe_files import atomic_path
from annotator.base.text import normalize_newlines
from annotator.base.vocabulary import Origin, Status
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, Layer, ReadOptions, WriteOptions, layers_of
from annotator.formats.source import MAX_FILE_BYTES, check_document_length

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

SPAN_GROUP = "sc"  # spaCy's default key for the spancat component
CAT_THRESHOLD = 0.5  # a category scored at least this is a document label
# Spans that are not annotations keep their origin in a group of that name.
ORIGIN_GROUPS = (Origin.SUGGESTED.value, Origin.REJECTED.value)
_PIECES = re.compile(r"\S+|\s+")
_STATUSES = frozenset(Status)
_FIELDS = ("title", "author", "source_url")


def _require_spacy() -> None:
    """The registry's sentence for a missing extra, here too: this module loads without it."""
    try:
        import spacy  # noqa: F401
    except ImportError as error:
        raise UserError(
            "the spacy format needs the extra 'spacy': pip install 'annotator[spacy]' "
            f"({error.name or 'spacy'} is missing)"
        ) from error


# --- writing ----------------------------------------------------------------------------


def write(
    documents: Iterable[DocumentRecord], target: Path, options: WriteOptions, notes: FileNotes
) -> None:
    """Every layer of every document as a Doc, in one DocBin written whole or not at all."""
    _require_spacy()
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    docs: list[Doc] = []
    every_label: set[str] = set()
    for number, document in enumerate(documents, start=1):
        name = f"{document.title!r}" if document.title else f"document {number}"
        for layer in layers_of(document) or [Layer("", None, [], [])]:
            docs.append(_layer_doc(vocab, document, layer, name, notes))
            every_label.update(layer.document_labels)
    for doc in docs:  # known only once every document is in
        doc.cats = {label: doc.cats.get(label, 0.0) for label in sorted(every_label)}
    doc_bin = DocBin(store_user_data=True, docs=docs)
    with atomic_path(target) as temp:
        temp.write_bytes(doc_bin.to_bytes())


def _layer_doc(
    vocab: Vocab, document: DocumentRecord, layer: Layer, name: str, notes: FileNotes
) -> Doc:
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    text = document.text
    words, spaces = tokens_at_boundaries(text, [(s.start, s.end) for s in layer.spans])
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != text:  # the tokens are cut from the text itself: never, or a bug
        raise AssertionError(f"{name}: the Doc's text differs from the document's")
    groups: dict[str, list[Span]] = {SPAN_GROUP: [], **{origin: [] for origin in ORIGIN_GROUPS}}
    span_notes: list[list[Any]] = []
    for span in sorted(layer.spans, key=lambda s: (s.start, s.end, s.label)):
        made = doc.char_span(span.start, span.end, label=span.label)
        if made is None:
            raise AssertionError(f"{name}: span {span.start}-{span.end} is not on token edges")
        origin = span.origin if span.origin in ORIGIN_GROUPS else SPAN_GROUP
        groups[origin].append(made)
        if span.note:
            span_notes.append([span.start, span.end, span.label, span.note])
    for key, spans in groups.items():
        if spans:
            doc.spans[key] = spans
    entities = filter_spans(groups[SPAN_GROUP])
    doc.ents = entities
    kept = {(e.start_char, e.end_char, e.label_) for e in entities}
    for left in groups[SPAN_GROUP]:
        if (left.start_char, left.end_char, left.label_) not in kept:
            notes.warn(
                f"{name}, {layer.annotator or 'no annotator'}: {left.label_} "
                f"{left.start_char}-{left.end_char} overlaps another entity; "
                f'it is in doc.spans["{SPAN_GROUP}"] only, not doc.ents'
            )
    doc.cats = {label: 1.0 for label in layer.document_labels}
    doc.user_data.update(_user_data(document, layer, span_notes))
    return doc


def tokens_at_boundaries(
    text: str, spans: Iterable[tuple[int, int]]
) -> tuple[list[str], list[bool]]:
    """Words and spaces for `Doc(vocab, words, spaces)` with a token edge at every offset.

    White space between words is a token of its own, except one plain space inside a
    stretch between two boundaries, which is the previous word's trailing space as
    spaCy's tokenizer makes it; a boundary never falls inside a token or its space.
    """
    cuts = sorted({0, len(text), *(offset for span in spans for offset in span)})
    words: list[str] = []
    spaces: list[bool] = []
    for start, end in pairwise(cuts):
        pieces = _PIECES.findall(text, start, end)
        index = 0
        while index < len(pieces):
            piece = pieces[index]
            trailing = (
                not piece.isspace()
                and index + 2 < len(pieces)  # the space is not the stretch's last piece
                and pieces[index + 1] == " "
            )
            words.append(piece)
            spaces.append(trailing)
            index += 2 if trailing else 1
    return words, spaces


def _user_data(
    document: DocumentRecord, layer: Layer, span_notes: list[list[Any]]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if layer.annotator:
        data["annotator"] = layer.annotator
    if layer.status is not None:
        data["status"] = layer.status
    for key in _FIELDS:
        value = getattr(document, key)
        if value:
            data[key] = value
    if document.published is not None:
        data["published"] = document.published.isoformat()
    if document.meta:
        data["meta"] = document.meta
    if span_notes:
        data["span_notes"] = span_notes
    return data


# --- reading ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Document:
    record: DocumentRecord
    layers: dict[str, AnnotatorLayer] = field(default_factory=dict)
    seen: set[tuple[str, int, int, str]] = field(default_factory=set)


def read(path: Path, options: ReadOptions, notes: FileNotes) -> list[DocumentRecord]:
    """Every Doc of a DocBin, those with the same text merged into one document."""
    _require_spacy()
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    data = _read_bytes(path)
    try:
        docs = list(DocBin().from_bytes(data).get_docs(Vocab()))
    except Exception as error:  # a damaged file fails in zlib, msgpack or spaCy alike
        raise InputError(
            f"not a spaCy DocBin, or a damaged one ({type(error).__name__}: {error})", path=path
        ) from None
    documents: dict[str, _Document] = {}
    for index, doc in enumerate(docs):
        where = f"Doc {index + 1}"
        if not doc.text.strip():
            notes.warn(f"{where}: empty text skipped", path=path)
            continue
        check_document_length(doc.text, path=path)
        text, remap = normalize_newlines(doc.text)
        user_data = _our_user_data(doc.user_data)
        found = documents.get(text)
        if found is None:
            found = documents[text] = _Document(_record(text, user_data))
        annotator = user_data.get("annotator")
        name = annotator.strip() if isinstance(annotator, str) else ""
        status = user_data.get("status")
        layer = found.layers.get(name)
        if layer is None:
            layer = found.layers[name] = AnnotatorLayer(
                name, status if status in _STATUSES else None
            )
        layer.document_labels += [
            label
            for label, score in sorted(doc.cats.items())
            if score >= CAT_THRESHOLD and label.strip() and label not in layer.document_labels
        ]
        span_notes = _span_notes(user_data.get("span_notes"))
        groups: list[tuple[str, Iterable[Span]]] = [("ents", doc.ents)]
        groups += [(key, group) for key, group in doc.spans.items()]
        for key, spans in groups:
            origin = key if key in ORIGIN_GROUPS else Origin.IMPORTED.value
            for span in spans:
                if not span.label_.strip():
                    notes.leave_out("spans without a label")
                    continue
                start, end = remap(span.start_char), remap(span.end_char)
                if end <= start:
                    raise InputError(
                        f"{where}: span {span.start_char}-{span.end_char} covers only the CR "
                        "of a CRLF",
                        path=path,
                    )
                seen = (name, start, end, span.label_)
                if seen in found.seen:
                    continue  # the same span in the entities and a span group
                found.seen.add(seen)
                found.record.spans.append(
                    SpanRecord(
                        start, end, span.label_, annotator=name or None,
                        text=text[start:end], origin=origin,
                        note=span_notes.get((span.start_char, span.end_char, span.label_)),
                    )
                )  # fmt: skip
    records = []
    for document in documents.values():
        document.record.layers = [
            layer
            for layer in document.layers.values()
            if layer.annotator or layer.status or layer.document_labels
        ]
        records.append(document.record)
    return records


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"the file is {size / 2**20:.0f} MiB, more than the "
                f"{MAX_FILE_BYTES / 2**20:.0f} MiB limit; split it into smaller files",
                path=path,
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    if not data:
        raise InputError("the file is empty", path=path)
    return data


def _our_user_data(user_data: dict[Any, Any]) -> dict[str, Any]:
    """The string keys; spaCy's own extension attributes are stored under tuple keys."""
    return {key: value for key, value in user_data.items() if isinstance(key, str)}


def _record(text: str, user_data: dict[str, Any]) -> DocumentRecord:
    record = DocumentRecord(text=text)
    for key in _FIELDS:
        value = user_data.get(key)
        if isinstance(value, str) and value.strip():
            setattr(record, key, value)
    published = user_data.get("published")
    if isinstance(published, str):
        try:
            record.published = date.fromisoformat(published)
        except ValueError:
            record.meta["published"] = published
    meta = user_data.get("meta")
    if isinstance(meta, dict):
        record.meta.update({str(key): value for key, value in meta.items()})
    return record


def _span_notes(value: Any) -> dict[tuple[int, int, str], str]:
    notes: dict[tuple[int, int, str], str] = {}
    if isinstance(value, list | tuple):  # msgpack gives lists back as tuples
        for item in value:
            if isinstance(item, list | tuple) and len(item) == 4:
                start, end, label, note = item
                if isinstance(note, str):
                    notes[(start, end, label)] = note
    return notes
