"""CoNLL columns: what we write is what seqeval and CoNLL tools read, and other tools'
files read as they are, with what is not carried over said."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, IOBES, Entities

from annotator.base.errors import InputError, UserError
from annotator.cli import main
from annotator.formats import conll
from annotator.formats.records import DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, TagScheme, WriteOptions

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
E_ACUTE = "e\u0301"
# Emoji (astral and a ZWJ family), CJK, a combining mark, Hebrew and Arabic, CRLF breaks.
MIXED = (
    f"Ada laughed 😂 with the {FAMILY} in 東京.\r\n"
    f"The caf{E_ACUTE} self-driving tour met שלום עולם and مرحبا بكم!\r\n"
    "Done."
)


def spans_of(text: str, *marked: tuple[str, str, int]) -> list[SpanRecord]:
    """Spans over the n-th occurrence (from 0) of each surface."""
    made = []
    for surface, label, occurrence in marked:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(surface, start + 1)
        made.append(SpanRecord(start, start + len(surface), label, annotator="ann"))
    return made


MIXED_SPANS = spans_of(
    MIXED,
    ("Ada", "PER", 0),
    ("😂", "EMO", 0),
    (FAMILY, "EMO", 0),
    ("in 東京", "LOC", 0),  # three tokens
    (f"caf{E_ACUTE}", "PLACE", 0),
    ("self", "PART", 0),  # inside the token "self-driving": the token is split
    ("שלום עולם", "GREETING", 0),
    ("مرحبا", "GREETING", 0),
)


def export(
    tmp_path: Path, documents: list[DocumentRecord], scheme: TagScheme = TagScheme.IOB2
) -> tuple[Path, FileNotes]:
    target = tmp_path / "out.conll"
    notes = FileNotes()
    conll.write(documents, target, WriteOptions(scheme=scheme), notes)
    return target, notes


def blocks(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents of sentences of (token, tag), as the file holds them."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line == "-DOCSTART-\tO":
            documents.append([])
            continue
        if not line:
            if sentence:
                documents[-1].append(sentence)
            sentence = []
            continue
        token, tag = line.split("\t")
        sentence.append((token, tag))
    assert not sentence, "the file ends with a blank line"
    return documents


def token_offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Where each written token is in the document's text (tokens are in order)."""
    found = []
    position = 0
    for token in tokens:
        start = text.index(token, position)
        assert not text[position:start].strip(), (token, text[position:start])
        found.append((start, start + len(token)))
        position = start + len(token)
    assert not text[position:].strip()
    return found


def entities_as_spans(
    text: str, sentences: list[list[tuple[str, str]]]
) -> set[tuple[int, int, str]]:
    """seqeval's reading of our tags, mapped back onto the document's offsets."""
    offsets = token_offsets(text, [token for sentence in sentences for token, _ in sentence])
    # get_entities joins the sentences with an O between each: index them the same way.
    index_of: list[int] = []
    for sentence_index, sentence in enumerate(sentences):
        first = sum(len(s) for s in sentences[:sentence_index])
        index_of += range(first, first + len(sentence))
        index_of.append(-1)
    found = get_entities([[tag for _, tag in sentence] for sentence in sentences])
    return {
        (offsets[index_of[first]][0], offsets[index_of[last]][1], label)
        for label, first, last in found
    }


def strictly_valid(sentences: list[list[tuple[str, str]]], scheme: TagScheme) -> None:
    """seqeval's strict mode finds the same entities as its lenient reading: no tag breaks
    the scheme's rules (an I- after O, an E- without B-, an S- in IOB2 raises or differs)."""
    tags = [[tag for _, tag in sentence] for sentence in sentences]
    strict = Entities(tags, IOBES if scheme is TagScheme.BIOES else IOB2).entities
    for sentence_tags, entities in zip(tags, strict, strict=True):
        assert {(e.tag, e.start, e.end) for e in entities} == {
            (label, first, last + 1) for label, first, last in get_entities(sentence_tags)
        }


# --- writing -------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [TagScheme.IOB2, TagScheme.BIOES])
def test_seqeval_reads_exactly_our_spans(tmp_path: Path, scheme: TagScheme) -> None:
    documents = [
        DocumentRecord(MIXED, title="Mixed", spans=list(MIXED_SPANS)),
        DocumentRecord("No spans here.", spans=[]),
    ]
    target, notes = export(tmp_path, documents, scheme)
    written = blocks(target)
    assert len(written) == 2
    assert entities_as_spans(MIXED, written[0]) == {(s.start, s.end, s.label) for s in MIXED_SPANS}
    assert entities_as_spans("No spans here.", written[1]) == set()
    for document in written:
        strictly_valid(document, scheme)
    prefixes = {tag[:2] for document in written for s in document for _, tag in s}
    if scheme is TagScheme.BIOES:
        assert prefixes == {"O", "B-", "I-", "E-", "S-"}
    else:
        assert prefixes == {"O", "B-", "I-"}
    assert [str(w) for w in notes.warnings] == [
        "document 1 ('Mixed'): span 47-51 'PART' starts or ends inside the token "
        "'self-driving' (47-59); the token is split there"
    ]


def test_spacy_converter_reads_our_entities(tmp_path: Path) -> None:
    """`spacy convert -c ner` on our IOB2 export finds our spans (it reads IOB, not BIOES)."""
    from spacy.training.converters import conll_ner_to_docs

    target, _ = export(tmp_path, [DocumentRecord(MIXED, spans=list(MIXED_SPANS))])
    (doc,) = conll_ner_to_docs(target.read_text(encoding="utf-8"), n_sents=100, no_print=True)
    assert [(entity.text, entity.label_) for entity in doc.ents] == [
        ("Ada", "PER"), ("😂", "EMO"), (FAMILY, "EMO"), ("in 東 京", "LOC"),
        (f"caf{E_ACUTE}", "PLACE"), ("self", "PART"), ("שלום עולם", "GREETING"),
        ("مرحبا", "GREETING"),
    ]  # fmt: skip


def test_file_layout_is_conll_2003(tmp_path: Path) -> None:
    text = "Ada met Bob.\nThen 😂 left. Next one"
    documents = [DocumentRecord(text, spans=spans_of(text, ("Ada", "PER", 0), ("Bob", "PER", 0)))]
    target, _ = export(tmp_path, documents)
    assert target.read_bytes().decode("utf-8") == (
        "-DOCSTART-\tO\n\n"
        "Ada\tB-PER\nmet\tO\nBob\tB-PER\n.\tO\n\n"
        "Then\tO\n😂\tO\nleft\tO\n.\tO\n\n"
        "Next\tO\none\tO\n\n"
    )


def test_a_span_across_sentences_keeps_them_one_block(tmp_path: Path) -> None:
    text = "He met Mr. Smith today. Bye"
    spans = spans_of(text, ("Mr. Smith", "PER", 0))
    target, _ = export(tmp_path, [DocumentRecord(text, spans=spans)])
    written = blocks(target)[0]
    assert [[token for token, _ in sentence] for sentence in written] == [
        ["He", "met", "Mr", ".", "Smith", "today", "."], ["Bye"],
    ]  # fmt: skip
    assert entities_as_spans(text, written) == {(7, 16, "PER")}


def test_overlapping_and_nested_spans_keep_the_first_and_longest_and_name_the_rest(
    tmp_path: Path,
) -> None:
    text = "New York City Hall is big"
    spans = [
        SpanRecord(0, 13, "LOC", annotator="ann"),  # New York City
        SpanRecord(0, 8, "CITY", annotator="ann"),  # New York: starts together, shorter
        SpanRecord(4, 8, "X", annotator="ann"),  # York: inside
        SpanRecord(9, 18, "ORG", annotator="ann"),  # City Hall: overlaps
        SpanRecord(0, 13, "LOC2", annotator="ann"),  # the same place
        SpanRecord(22, 25, "ADJ", annotator="ann"),
    ]
    target, notes = export(tmp_path, [DocumentRecord(text, title="NY", spans=spans)])
    assert entities_as_spans(text, blocks(target)[0]) == {(0, 13, "LOC"), (22, 25, "ADJ")}
    assert [str(w) for w in notes.warnings] == [
        "document 1 ('NY'): span 0-13 'LOC2' is at the same place as span 0-13 'LOC', "
        "which is kept (a CoNLL token has one tag); left out",
        "document 1 ('NY'): span 0-8 'CITY' lies inside span 0-13 'LOC', which is kept "
        "(a CoNLL token has one tag); left out",
        "document 1 ('NY'): span 4-8 'X' lies inside span 0-13 'LOC', which is kept "
        "(a CoNLL token has one tag); left out",
        "document 1 ('NY'): span 9-18 'ORG' overlaps span 0-13 'LOC', which is kept "
        "(a CoNLL token has one tag); left out",
    ]


def test_spans_cut_inside_a_token_or_at_white_space_are_said(tmp_path: Path) -> None:
    text = "Unbelievable  stuff😂 here  now"
    spans = [
        SpanRecord(2, 6, "PART", annotator="ann"),  # "beli" inside "Unbelievable"
        SpanRecord(11, 20, "EDGE", annotator="ann"),  # "e  stuff😂": starts inside a token
        SpanRecord(20, 25, "TRAIL", annotator="ann"),  # " here": a leading space
        SpanRecord(25, 27, "GAP", annotator="ann"),  # two spaces only
    ]
    target, notes = export(tmp_path, [DocumentRecord(text, spans=spans)])
    written = blocks(target)[0]
    assert [token for token, _ in written[0]] == [
        "Un", "beli", "evabl", "e", "stuff", "😂", "here", "now",
    ]  # fmt: skip
    assert entities_as_spans(text, written) == {
        (2, 6, "PART"), (11, 20, "EDGE"), (21, 25, "TRAIL"),
    }  # fmt: skip
    assert [str(w) for w in notes.warnings] == [
        "document 1: span 2-6 'PART' starts or ends inside the token 'Unbelievable' (0-12); "
        "the token is split there",
        "document 1: span 11-20 'EDGE' starts or ends inside the token 'Unbelievable' "
        "(0-12); the token is split there",
        "document 1: span 20-25 'TRAIL' has white space at its edge, which CoNLL cannot "
        "hold; it reads back as 21-25",
        "document 1: span 25-27 'GAP' covers only white space, which CoNLL cannot hold; left out",
    ]


def test_labels_with_spaces_become_one_column(tmp_path: Path) -> None:
    text = "Big Apple"
    spans = [SpanRecord(0, 9, "city nick name", annotator="ann")]
    documents = [DocumentRecord(text, spans=spans), DocumentRecord(text, spans=list(spans))]
    target, notes = export(tmp_path, documents)
    assert blocks(target)[0] == [[("Big", "B-city_nick_name"), ("Apple", "I-city_nick_name")]]
    assert blocks(target)[1] == blocks(target)[0]
    assert [w.reason for w in notes.warnings] == [
        "the label 'city nick name' is written 'city_nick_name': a CoNLL tag cannot hold "
        "white space"
    ]


def test_more_than_one_annotator_is_refused_before_writing(tmp_path: Path) -> None:
    target = tmp_path / "out.conll"
    target.write_text("kept\tO\n", encoding="utf-8")
    documents = [
        DocumentRecord("A b", spans=[SpanRecord(0, 1, "X", annotator="ann")]),
        DocumentRecord("C d", spans=[SpanRecord(0, 1, "X", annotator="bob")]),
    ]
    with pytest.raises(UserError, match="CoNLL holds one annotator's layer") as raised:
        conll.write(iter(documents), target, WriteOptions(), FileNotes())
    assert "'ann', 'bob'" in str(raised.value)
    assert "--annotator NAME (or --gold)" in str(raised.value)
    assert target.read_text(encoding="utf-8") == "kept\tO\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.conll"]


def test_a_failure_while_writing_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.conll"
    target.write_text("kept\tO\n", encoding="utf-8")
    calls: list[str] = []

    def failing_on_the_second(text: str) -> list[tuple[int, int]]:
        calls.append(text)
        if len(calls) == 2:
            raise KeyboardInterrupt  # a cancel halfway through
        return [(0, len(text))]

    monkeypatch.setattr(conll, "sentences", failing_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        conll.write(
            [DocumentRecord("one"), DocumentRecord("two")], target, WriteOptions(), FileNotes()
        )
    assert target.read_text(encoding="utf-8") == "kept\tO\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.conll"]


def test_documents_without_words_are_counted(tmp_path: Path) -> None:
    target, notes = export(tmp_path, [DocumentRecord(" \n "), DocumentRecord("word")])
    assert blocks(target) == [[[("word", "O")]]]
    assert dict(notes.left_out) == {"documents without a word": 1}


WORDS = st.sampled_from(
    ["Ada", "😂", FAMILY, "東", "京", f"caf{E_ACUTE}", "שלום", "مرحبا", "self-driving", ".", "!"]
)
SEPARATORS = st.sampled_from([" ", "  ", "\n", "\r\n", ". ", "\t"])


@st.composite
def documents(draw: st.DrawFn) -> DocumentRecord:
    words = draw(st.lists(WORDS, min_size=1, max_size=12))
    text = words[0] + "".join(draw(SEPARATORS) + word for word in words[1:])
    spans = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(SpanRecord(start, end, draw(st.sampled_from(["A", "B-C"])), annotator="x"))
    return DocumentRecord(text, spans=spans)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents(), scheme=st.sampled_from(list(TagScheme)))
def test_any_spans_are_written_exactly_or_named(
    tmp_path: Path, document: DocumentRecord, scheme: TagScheme
) -> None:
    """Every span is either read back by seqeval at its offsets (trimmed of white space)
    or named in a warning; the tags are valid in the scheme."""
    target, notes = export(tmp_path, [document], scheme)
    written = blocks(target)
    found = entities_as_spans(document.text, written[0]) if written else set()
    strictly_valid(written[0] if written else [], scheme)
    warned = " ".join(str(w) for w in notes.warnings)
    for span in document.spans:
        surface = document.text[span.start : span.end]
        start = span.start + len(surface) - len(surface.lstrip())
        end = span.end - (len(surface) - len(surface.rstrip()))
        if (start, end, span.label) not in found:
            assert f"span {span.start}-{span.end} {span.label!r}" in warned, span
        elif (start, end) != (span.start, span.end):
            assert f"it reads back as {start}-{end}" in warned


# --- reading -------------------------------------------------------------------------------


def read(path: Path) -> tuple[list[DocumentRecord], FileNotes]:
    notes = FileNotes()
    return list(conll.read(path, ReadOptions(), notes)), notes


def surfaces(document: DocumentRecord) -> list[tuple[str, str]]:
    return [(document.text[s.start : s.end], s.label) for s in document.spans]


def write_file(tmp_path: Path, content: str, name: str = "in.conll") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


def test_round_trip_keeps_every_span_through_the_tokens(tmp_path: Path) -> None:
    other = "Second 文書 with 😂."
    originals = [
        DocumentRecord(MIXED, spans=list(MIXED_SPANS)),
        DocumentRecord(other, spans=spans_of(other, ("文書", "DOC", 0))),
    ]
    for scheme in TagScheme:
        target, _ = export(tmp_path, originals, scheme)
        back, notes = read(target)
        assert len(back) == 2 and not notes.warnings and not notes.left_out
        for original, read_back in zip(originals, back, strict=True):
            assert "".join(read_back.text.split()) == "".join(original.text.split())
            assert [
                ("".join(read_back.text[s.start : s.end].split()), s.label) for s in read_back.spans
            ] == [
                ("".join(original.text[s.start : s.end].split()), s.label)
                for s in sorted(original.spans, key=lambda s: s.start)
            ]
            assert all(s.annotator is None for s in read_back.spans)
        assert surfaces(back[0])[:6] == [
            ("Ada", "PER"), ("😂", "EMO"), (FAMILY, "EMO"), ("in 東 京", "LOC"),
            (f"caf{E_ACUTE}", "PLACE"), ("self", "PART"),
        ]  # fmt: skip
        # The written tokens are the read tokens, one for one.
        assert back[0].text.split() == [t for s in blocks(target)[0] for t, _ in s]
        # The same file with CRLF line breaks reads the same.
        crlf = write_file(tmp_path, target.read_text(encoding="utf-8").replace("\n", "\r\n"))
        again, _ = read(crlf)
        assert [(d.text, surfaces(d)) for d in again] == [(d.text, surfaces(d)) for d in back]


def test_schemes_and_styles_read_alike(tmp_path: Path) -> None:
    expected = [("Ada Lovelace", "PER"), ("London", "LOC"), ("UK", "LOC")]
    files = {
        "iob2": "Ada\tB-PER\nLovelace\tI-PER\nin\tO\nLondon\tB-LOC\nUK\tB-LOC\n",
        "bioes": "Ada\tB-PER\nLovelace\tE-PER\nin\tO\nLondon\tS-LOC\nUK\tS-LOC\n",
        "bilou": "Ada\tB-PER\nLovelace\tL-PER\nin\tO\nLondon\tU-LOC\nUK\tU-LOC\n",
        "iob1": "Ada I-PER\nLovelace I-PER\nin O\nLondon I-LOC\nUK B-LOC\n",
        "suffix": "Ada PER-B\nLovelace PER-I\nin O\nLondon LOC-B\nUK LOC-B\n",
    }
    for name, content in files.items():
        documents, notes = read(write_file(tmp_path, content, f"{name}.conll"))
        assert [surfaces(d) for d in documents] == [expected], name
        assert documents[0].text == "Ada Lovelace in London UK"
        if name == "iob1":
            assert [w.reason for w in notes.warnings] == [
                "2 I- or E- tag(s) continue no span before them (IOB1 style) and each starts "
                "a span; the first is on line 1"
            ]
        else:
            assert not notes.warnings, name


def test_bare_labels_make_one_span_per_run(tmp_path: Path) -> None:
    content = "A X\nB X\nc O\nD Y\nE X\n\nF X\n"
    documents, notes = read(write_file(tmp_path, content))
    assert surfaces(documents[0]) == [("A B", "X"), ("D", "Y"), ("E", "X"), ("F", "X")]
    assert not notes.warnings


def test_comments_docstarts_blank_lines_and_hash_tokens(tmp_path: Path) -> None:
    content = (
        "-DOCSTART- -X- O O\n\n\n# a comment line\n"
        "#\tO\nhash\tB-T\n\n-DOCSTART-\n\nsecond\tO\n\n\n\n"
    )
    documents, notes = read(write_file(tmp_path, content))
    assert [(d.text, surfaces(d), d.line) for d in documents] == [
        ("# hash", [("hash", "T")], 5), ("second", [], 10),
    ]  # fmt: skip
    assert dict(notes.left_out) == {"comment lines": 1}


def test_germeval_nested_column_gives_spans_inside_the_outer_ones(tmp_path: Path) -> None:
    content = (
        "#\thttp://example.org/a\t[2024-01-01]\n"
        "1\tDie\tO\tO\n2\tBerliner\tB-ORG\tB-LOCderiv\n3\tPhilharmonie\tI-ORG\tO\n\n"
        "1\tSo\tO\tO\n"
    )
    documents, notes = read(write_file(tmp_path, content, "NER-de.tsv"))
    assert surfaces(documents[0]) == [
        ("Berliner Philharmonie", "ORG"), ("Berliner", "LOCderiv"),
    ]  # fmt: skip
    assert documents[0].text == "Die Berliner Philharmonie\nSo"
    assert dict(notes.left_out) == {"comment lines": 1}
    assert "GermEval layout" in notes.warnings[0].reason


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("a O\nb\n", 2, "a token without a tag ('b')"),
        ("a O\nb c d\ne O\n", 2, "3 columns where the file's lines have 2"),
        ("a B-X\nb NOPE\n", 2, "the tag 'NOPE' is neither O nor a B-, I-, E-, S-, L- or U- tag"),
        ("one\ntwo\n", 1, "one column only"),
    ],
)
def test_malformed_lines_name_file_and_line(
    tmp_path: Path, content: str, line: int, reason: str
) -> None:
    path = write_file(tmp_path, content)
    with pytest.raises(InputError) as raised:
        read(path)
    assert raised.value.path == path and raised.value.line == line
    assert reason in raised.value.reason


def test_no_tokens_at_all_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no token lines"):
        read(write_file(tmp_path, "-DOCSTART- O\n\n# only a comment\n"))


LINES = st.sampled_from(
    [
        "", " ", "-DOCSTART- -X- O O", "-DOCSTART-", "# comment", "#\tO", "Ada\tB-PER",
        "Lovelace\tI-PER", "x\tO", "😂 S-EMO", f"{FAMILY}\tE-EMO", "東  B-LOC", "京\tL-LOC",
        "word", "a b c", "NP-B\tNP-B", "X\tMISC", "\tO", "a\tB-", "1\tDie\tO\tO",
    ]
)  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(LINES, max_size=12), crlf=st.booleans())
def test_any_file_gives_checked_records_or_an_error_naming_its_line(
    tmp_path: Path, lines: list[str], crlf: bool
) -> None:
    path = write_file(tmp_path, ("\r\n" if crlf else "\n").join(lines))
    try:
        documents, _ = read(path)
    except InputError as error:
        assert error.path == path
        return
    for document in documents:
        assert document.text and document.text == document.text.strip()
        for span in document.spans:
            surface = document.text[span.start : span.end]
            assert surface and surface == surface.strip() and span.label.strip()
            assert span.annotator is None


# --- other tools' files, as they are ---------------------------------------------------------

FLAIR = Path("flair/tests/resources/tasks")
DOCCANO_CONLL = Path("doccano/backend/data_import/tests/data/sequence_labeling")
SPACY = Path("spacy/extra/example_data/ner_example_data")


def seqeval_count(path: Path, column: int = -1) -> int:
    """Entities in the file by seqeval, as an independent count."""
    sentences: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        fields = re.split(r"[ \t]+", line.strip())
        if not line.strip() or fields[0] == "-DOCSTART-":
            sentences.append([])
        elif not line.startswith("#\t") or len(fields) == 2:
            sentences[-1].append(fields[column])
    return sum(len(get_entities(sentence)) for sentence in sentences if sentence)


@pytest.mark.corpora
def test_wnut17_with_emoji_and_hyphenated_labels(corpora: Path) -> None:
    path = corpora / "wnut17/emerging.dev.conll"
    documents, notes = read(path)
    assert len(documents) == 1
    document = documents[0]
    assert len(document.spans) == seqeval_count(path) == 836
    assert document.text.count("\n") == 1008  # 1009 sentences
    assert len(document.text.split()) == 15733
    labels = {s.label for s in document.spans}
    assert {"creative-work", "person", "location", "corporation", "group", "product"} == labels
    assert sum(1 for c in document.text if ord(c) > 0xFFFF) == 123
    assert document.text.count("\ufe0f") == 4
    assert not notes.warnings and not notes.left_out


@pytest.mark.corpora
@pytest.mark.parametrize(
    ("name", "documents", "spans", "first"),
    [
        ("fewshot_conll/1shot.txt", 1, 4, ("Russian", "MISC")),
        ("trivial/trivial_bioes_with_boundaries/train.txt", 3, 12, ("New York", "LOC")),
        ("trivial/trivial_bioes_with_boundaries/dev.txt", 2, 8, ("New York", "LOC")),
        ("trivial/trivial_bioes_with_boundaries/test.txt", 2, 8, ("New York", "LOC")),
        ("span_labels/span_first.txt", 1, 3, ("RAB", "PARTA")),
        ("span_labels/span_second.txt", 1, 3, ("RAB", "PARTA")),
        ("span_labels/span_third.txt", 1, 3, ("RAB", "PARTA")),
        ("fashion/eng.testa", 1, 3, ("wedding", "Occasion")),
    ],
)
def test_flair_column_files(
    corpora: Path, name: str, documents: int, spans: int, first: tuple[str, str]
) -> None:
    found, _ = read(corpora / FLAIR / name)
    assert len(found) == documents
    assert sum(len(d.spans) for d in found) == spans
    assert surfaces(found[0])[0] == first


@pytest.mark.corpora
def test_flair_bare_labels_join_runs(corpora: Path) -> None:
    found, _ = read(corpora / FLAIR / "span_labels/span_third.txt")
    assert found[0].text == "Rundschreiben\nVgl. Rundschreiben RAB 1/2010 Rz 8."
    assert surfaces(found[0]) == [("RAB", "PARTA"), ("1/2010", "YEAR"), ("Rz 8.", "MISC")]


@pytest.mark.corpora
def test_flair_fashion_placeholder_columns_are_named(corpora: Path) -> None:
    found, notes = read(corpora / FLAIR / "fashion/eng.testa")
    assert surfaces(found[0])[-1] == ("DIY dyeing", "ProductDesign")
    assert [w.reason for w in notes.warnings] == [
        "column(s) 2, 3 not read: the token is column 1 and the tag column 4"
    ]


@pytest.mark.corpora
def test_flair_tag_before_a_flag_column(corpora: Path) -> None:
    found, notes = read(corpora / FLAIR / "column_with_whitespaces/eng.testa")
    assert surfaces(found[0]) == [("French", "LOC")]
    assert [w.reason for w in notes.warnings] == [
        "column(s) 3 not read: the token is column 1 and the tag column 2"
    ]


@pytest.mark.corpora
def test_germeval_sample(corpora: Path) -> None:
    train, notes = read(corpora / FLAIR / "ner_german_germeval/NER-de-train.tsv")
    assert surfaces(train[0]) == [
        ("Schartau", "PER"), ("Tagesspiegel", "ORG"), ("Fischer", "PER"),
        ("Wolf Peter Bree", "PER"), ("Libanon", "LOC"),
    ]  # fmt: skip
    assert train[0].text.startswith('Schartau sagte dem " Tagesspiegel "')
    assert dict(notes.left_out) == {"comment lines": 2}
    dev, _ = read(corpora / FLAIR / "ner_german_germeval/NER-de-dev.tsv")
    assert surfaces(dev[0]) == [("Crown", "OTH"), ("Toyota", "ORG"), ("Deutschland", "LOC")]


@pytest.mark.corpora
def test_doccano_conll_examples(corpora: Path) -> None:
    two_spaces, _ = read(
        corpora / "doccano/backend/data_import/pipeline/examples/sequence_labeling/example.txt"
    )
    assert surfaces(two_spaces[0]) == [
        ("EU", "ORG"), ("German", "MISC"), ("British", "MISC"), ("Peter Blackburn", "PER"),
    ]  # fmt: skip
    minimal, _ = read(corpora / DOCCANO_CONLL / "example.conll")
    assert minimal[0].text == "JAPAN GET\nNadim Ladki"
    assert surfaces(minimal[0]) == [("JAPAN", "LOC"), ("Nadim Ladki", "PER")]
    trailing, _ = read(corpora / DOCCANO_CONLL / "labeling.trailing.conll")
    assert surfaces(trailing[0]) == [("JAPAN", "LOC"), ("CHINA", "PER")]


@pytest.mark.corpora
def test_doccano_invalid_first_line_is_refused(corpora: Path) -> None:
    path = corpora / DOCCANO_CONLL / "labeling.invalid.conll"
    with pytest.raises(InputError) as raised:
        read(path)
    assert raised.value.path == path and raised.value.line == 1
    assert "3 columns where the file's lines have 2" in raised.value.reason


@pytest.mark.corpora
@pytest.mark.parametrize(
    "name",
    [
        "ner-token-per-line.iob",
        "ner-token-per-line-with-pos.iob",
        "ner-token-per-line-conll2003.iob",
    ],
)
def test_spacy_iob_inputs(corpora: Path, name: str) -> None:
    found, _ = read(corpora / SPACY / name)
    assert len(found) == 1
    assert len(found[0].spans) == seqeval_count(corpora / SPACY / name) == 7
    assert surfaces(found[0])[:3] == [
        ("Sebastian Thrun", "PERSON"), ("Google", "ORG"), ("2007", "DATE"),
    ]  # fmt: skip
    assert "\u201c" in found[0].text and "n\u2019t" in found[0].text


@pytest.mark.corpora
def test_spacy_sentence_per_line_is_refused(corpora: Path) -> None:
    with pytest.raises(InputError, match="columns where the file's lines have"):
        read(corpora / SPACY / "ner-sent-per-line.iob")


@pytest.mark.corpora
@pytest.mark.parametrize("name", ["ground_truth.txt", "ground_truth_inv.txt"])
def test_seqeval_prediction_column_with_iob1_starts(corpora: Path, name: str) -> None:
    path = corpora / "seqeval/tests/data" / name
    found, notes = read(path)
    assert len(found[0].spans) == 539
    if name == "ground_truth.txt":
        assert seqeval_count(path) == 539
    assert len(found[0].text.split()) == 961
    assert [w.reason for w in notes.warnings] == [
        "column(s) 2, 3 not read: the token is column 1 and the tag column 4",
        "84 I- or E- tag(s) continue no span before them (IOB1 style) and each starts a "
        "span; the first is on line 1",
    ]


# --- through the command line, on SQLite and PostgreSQL ------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_then_export_through_the_command_line(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    """A user's CoNLL file in, then out as IOB2 and BIOES, with every span where it was."""
    original = write_file(
        tmp_path,
        "-DOCSTART- -X- O O\n\n"
        "Ada\tB-PER\nLovelace\tI-PER\nlaughed\tO\n😂\tS-EMO\nin\tO\n東\tB-LOC\n京\tE-LOC\n.\tO\n\n"
        f"{FAMILY}\tB-EMO\ncaf{E_ACUTE}\tO\nשלום\tB-GREETING\nעולם\tI-GREETING\nمرحبا\tO\n\n"
        "-DOCSTART- -X- O O\n\nSecond\tO\ndocument\tB-X\n",
        "news.conll",
    )
    code, out, err = run(capsys, "import", str(original), "--project", "P", "--db", database_url)
    assert code == 0, err
    assert out.splitlines()[0] == (
        "news.conll (conll, detected): 2 new document(s), 6 span(s), layer(s): tester"
    )
    expected, _ = read(original)
    for scheme in ("iob2", "bioes"):
        output = tmp_path / f"out-{scheme}.conll"
        code, out, err = run(
            capsys, "export", "--project", "P", "--format", "conll", "--scheme", scheme,
            "--output", str(output), "--db", database_url,
        )  # fmt: skip
        assert code == 0, err
        assert out.splitlines() == [f"wrote 2 document(s) to {output}"]
        back, notes = read(output)
        assert [(d.text, surfaces(d)) for d in back] == [(d.text, surfaces(d)) for d in expected]
        assert not notes.warnings
        tags = {tag for document in blocks(output) for s in document for _, tag in s}
        assert ("S-EMO" in tags) is (scheme == "bioes")
    # Imported again with --format named: the same documents, nothing new.
    code, out, err = run(
        capsys, "import", str(output), "--format", "conll", "--project", "P", "--db", database_url
    )
    assert code == 0, err
    assert out.splitlines()[0] == (
        "out-bioes.conll (conll, as named): 0 new document(s), 2 already there, 0 span(s), "
        "6 span(s) already there, layer(s): tester"
    )


def test_export_of_two_layers_asks_for_one(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    mine = write_file(tmp_path, "Ada\tB-PER\nmet\tO\n", "mine.conll")
    theirs = write_file(tmp_path, "Bob\tB-PER\nleft\tO\n", "theirs.conll")
    assert run(capsys, "import", str(mine), "--project", "P", "--db", database_url)[0] == 0
    code, _, err = run(
        capsys, "--annotator", "rita", "import", str(theirs), "--project", "P",
        "--db", database_url,
    )  # fmt: skip
    assert code == 0, err
    output = tmp_path / "out.conll"
    code, _, err = run(
        capsys, "export", "--project", "P", "--format", "conll", "--output", str(output),
        "--db", database_url,
    )  # fmt: skip
    assert code == 1
    assert err.strip() == (
        "annotator: error: CoNLL holds one annotator's layer; these documents have spans by "
        "'rita', 'tester': choose one with --annotator NAME (or --gold)"
    )
    assert not output.exists()
    code, out, err = run(
        capsys, "export", "--project", "P", "--format", "conll", "--annotator", "rita",
        "--output", str(output), "--db", database_url,
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [f"wrote 2 document(s) to {output}"]
    back, _ = read(output)
    assert [surfaces(d) for d in back] == [[], [("Bob", "PER")]]
