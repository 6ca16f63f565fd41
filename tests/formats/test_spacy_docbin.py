"""spaCy DocBin: what spaCy itself finds in our `.spacy` files (text, entities at the right
characters, the span group, cats), DocBins made by spaCy read back, and round trips."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from annotator.base.errors import InputError
from annotator.cli import main
from annotator.formats import spacy_docbin
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, WriteOptions

# Emoji (astral, a ZWJ family), CJK, a combining mark, Arabic and Hebrew, line breaks.
TEXT = "😂 Ann 👨\u200d👩\u200d👧 met  Bob in 東京.\nCafé e\u0301 and مرحبا עולם 😂 Zoë.\n"


def at(part: str, label: str, annotator: str, occurrence: int = 0, **extra: Any) -> SpanRecord:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(part, start + 1)
    return SpanRecord(start, start + len(part), label, annotator, text=part, **extra)


def layered_document() -> DocumentRecord:
    return DocumentRecord(
        text=TEXT,
        title="Mixed",
        author="A. Writer",
        source_url="https://example.org/mixed",
        meta={"source": "tests", "n": 2},
        spans=[
            at("Ann", "PER", "ana", note="first name only"),
            at("Ann 👨\u200d👩\u200d👧", "GROUP", "ana"),  # overlaps Ann: the longer is the entity
            at("👨\u200d👩\u200d👧", "FAMILY", "ana"),
            at(" Bob", "PER", "ana"),  # starts with a space
            at("東京.\nCafé", "LOC", "bo"),  # across a line break
            at("e\u0301", "WORD", "bo"),
            at("مرحبا", "GREETING", "bo"),
            at("עולם", "WORLD", "bo"),
            at("😂", "EMOJI", "bo", 1),
            at("Zoë", "PER", "bo", origin="suggested"),
        ],
        layers=[
            AnnotatorLayer("ana", "done", ["travel"]),
            AnnotatorLayer("bo", "in_progress", ["news"]),
        ],
    )


def write(documents: list[DocumentRecord], target: Path) -> FileNotes:
    notes = FileNotes()
    spacy_docbin.write(iter(documents), target, WriteOptions(), notes)
    return notes


def read(path: Path) -> tuple[list[DocumentRecord], FileNotes]:
    notes = FileNotes()
    return list(spacy_docbin.read(path, ReadOptions(), notes)), notes


def spacy_docs(path: Path) -> list[Doc]:
    """The file as spaCy itself loads it, with a blank English vocabulary."""
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def triples(spans: Any) -> list[tuple[int, int, str]]:
    return [(s.start_char, s.end_char, s.label_) for s in spans]


# --- what spaCy finds in our files ---------------------------------------------------------


def test_spacy_loads_one_doc_per_layer_with_entities_at_our_offsets(tmp_path: Path) -> None:
    target = tmp_path / "train.spacy"
    notes = write([layered_document()], target)
    ana, bo = spacy_docs(target)
    assert ana.text == bo.text == TEXT
    family = at("👨\u200d👩\u200d👧", "FAMILY", "ana")
    group = at("Ann 👨\u200d👩\u200d👧", "GROUP", "ana")
    bob = at(" Bob", "PER", "ana")
    assert triples(ana.ents) == [(group.start, group.end, "GROUP"), (bob.start, bob.end, "PER")]
    assert sorted(triples(ana.spans["sc"])) == sorted(
        (s.start, s.end, s.label) for s in layered_document().spans if s.annotator == "ana"
    )
    assert (family.start, family.end, "FAMILY") in triples(ana.spans["sc"])
    for entity in ana.ents:
        assert entity.text == TEXT[entity.start_char : entity.end_char]
    assert [s.text for s in bo.ents] == ["東京.\nCafé", "e\u0301", "مرحبا", "עולם", "😂"]
    assert triples(bo.spans["suggested"]) == [(TEXT.index("Zoë"), TEXT.index("Zoë") + 3, "PER")]
    assert "Zoë" not in [s.text for s in bo.spans["sc"]]
    assert ana.cats == {"news": 0.0, "travel": 1.0}
    assert bo.cats == {"news": 1.0, "travel": 0.0}
    assert ana.user_data["annotator"] == "ana"
    assert (ana.user_data["title"], ana.user_data["status"]) == ("Mixed", "done")
    assert bo.user_data["status"] == "in_progress"
    # The two spans that are only in the span group are named, with their offsets.
    assert len(notes.warnings) == 2
    assert f"'Mixed', ana: PER {2}-{5} overlaps another entity" in str(notes.warnings[0])
    assert f"FAMILY {family.start}-{family.end}" in str(notes.warnings[1])


def test_a_document_without_layers_is_one_doc_without_annotator(tmp_path: Path) -> None:
    target = tmp_path / "plain.spacy"
    write([DocumentRecord(text="Just text.\n")], target)
    (doc,) = spacy_docs(target)
    assert doc.text == "Just text.\n"
    assert list(doc.ents) == []
    assert "annotator" not in doc.user_data


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="ab  é\u0301\n\r\t😂東ע,.", min_size=1, max_size=30),
    cuts=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=6),
)
def test_tokens_put_an_edge_at_every_span_boundary(text: str, cuts: list[tuple[int, int]]) -> None:
    spans = [(min(a, b), max(a, b)) for a, b in cuts if min(a, b) < max(a, b) <= len(text)]
    words, spaces = spacy_docbin.tokens_at_boundaries(text, spans)
    doc = Doc(Vocab(), words=words, spaces=spaces)
    assert doc.text == text
    for start, end in spans:
        span = doc.char_span(start, end)
        assert span is not None and span.text == text[start:end]


# --- reading -------------------------------------------------------------------------------


def test_round_trip_gives_back_every_layer(tmp_path: Path) -> None:
    document = layered_document()
    target = tmp_path / "train.spacy"
    write([document], target)
    (back,), notes = read(target)
    assert back.text == document.text
    assert (back.title, back.author, back.source_url) == (
        document.title, document.author, document.source_url,
    )  # fmt: skip
    assert back.meta == document.meta
    key = lambda s: (s.annotator, s.start, s.end, s.label, s.origin, s.note)  # noqa: E731
    assert sorted(map(key, back.spans)) == sorted(map(key, document.spans))
    for span in back.spans:
        assert span.text == back.text[span.start : span.end]
    assert back.layers == document.layers
    assert not notes.left_out and not notes.warnings


def test_a_docbin_made_by_spacy_is_read(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    first = nlp("Ada Lovelace met 😂 Charles Babbage in London.\r\nThey wrote.")
    first.ents = [first.char_span(0, 12, "PER"), first.char_span(19, 34, "PER")]
    first.spans["sc"] = [first.char_span(0, 12, "PER"), first.char_span(38, 44, "LOC")]
    first.cats = {"history": 0.9, "sport": 0.1}
    second = nlp("Nothing here.")
    target = tmp_path / "made.spacy"
    DocBin(docs=[first, second]).to_disk(target)
    (one, two), notes = read(target)
    assert one.text == "Ada Lovelace met 😂 Charles Babbage in London.\nThey wrote."
    assert [(s.start, s.end, s.label, s.text) for s in one.spans] == [
        (0, 12, "PER", "Ada Lovelace"),
        (19, 34, "PER", "Charles Babbage"),
        (38, 44, "LOC", "London"),
    ]
    assert all(s.annotator is None for s in one.spans)  # the importing user
    assert one.layers == [AnnotatorLayer("", None, ["history"])]
    assert (two.text, two.spans, two.layers) == ("Nothing here.", [], [])
    assert not notes.left_out and not notes.warnings

    # Written by us and read again: the same spans on the text with LF line breaks.
    again = tmp_path / "again.spacy"
    write([one, two], again)
    (one_again, two_again), _ = read(again)
    assert (one_again.text, one_again.spans, one_again.layers) == (one.text, one.spans, one.layers)
    assert two_again.text == two.text


def iob_entities(path: Path) -> list[tuple[str, str]]:
    """The entities of a token-per-line IOB file, read here without spaCy."""
    found: list[tuple[str, str]] = []
    tokens: list[str] = []
    label = ""
    for line in [*path.read_text("utf-8").splitlines(), ""]:
        fields = line.split()
        tag = fields[-1] if fields and not line.startswith("-DOCSTART-") else "O"
        if tokens and not tag.startswith("I-"):
            found.append((" ".join(tokens), label))
            tokens = []
        if tag.startswith("B-"):
            tokens, label = [fields[0]], tag[2:]
        elif tag.startswith("I-"):
            tokens.append(fields[0])
    return found


@pytest.mark.parametrize("name", ["ner-token-per-line.iob", "ner-token-per-line-conll2003.iob"])
def test_a_docbin_made_by_spacy_convert_is_read(corpora: Path, tmp_path: Path, name: str) -> None:
    source = corpora / "spacy" / "extra" / "example_data" / "ner_example_data" / name
    done = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(source), str(tmp_path), "-c", "ner"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    documents, notes = read(tmp_path / Path(name).with_suffix(".spacy").name)
    spans = [span for document in documents for span in document.spans]
    assert [(span.text, span.label) for span in spans] == iob_entities(source)
    assert ("Sebastian Thrun", "PERSON") in [(span.text, span.label) for span in spans]
    for document in documents:
        checked = [document.text[s.start : s.end] == s.text for s in document.spans]
        assert all(checked)
    assert all(span.annotator is None for span in spans)
    assert not notes.left_out and not notes.warnings


def test_a_damaged_file_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "broken.spacy"
    target.write_bytes(b"this is not a DocBin")
    with pytest.raises(InputError) as caught:
        read(target)
    assert caught.value.path == target
    assert "not a spaCy DocBin" in str(caught.value)
    empty = tmp_path / "empty.spacy"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        read(empty)


def test_a_failed_export_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "train.spacy"
    target.write_bytes(b"previous")

    def documents() -> Any:
        yield layered_document()
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        spacy_docbin.write(documents(), target, WriteOptions(), FileNotes())
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["train.spacy"]


def test_the_module_loads_without_spacy(tmp_path: Path) -> None:
    """The registry names the format whether or not the extra is installed."""
    code = (
        "import sys; sys.modules['spacy'] = None\n"
        "import annotator.formats.spacy_docbin\n"
        "from annotator.base.errors import UserError\n"
        "try:\n"
        "    annotator.formats.spacy_docbin.read(None, None, None)\n"
        "except UserError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False,
        cwd=Path(__file__).parent.parent.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "the spacy format needs the extra 'spacy': pip install 'annotator[spacy]' "
        "(spacy is missing)"
    )


# --- the command line, on SQLite and PostgreSQL --------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_and_export_through_the_command_line(
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANNOTATOR_ANNOTATOR", "tester")
    source = tmp_path / "in.spacy"
    write([layered_document()], source)
    code, out, err = run(capsys, "import", str(source), "--project", "P", "--db", database_url)
    assert code == 0, err
    assert "in.spacy (spacy, detected): 1 new document(s), 10 span(s)" in out
    assert "layer(s): ana, bo" in out

    output = tmp_path / "out.spacy"
    code, out, err = run(
        capsys, "export", "--project", "P", "--format", "spacy", "-o", str(output),
        "--db", database_url,
    )  # fmt: skip
    assert code == 0, err
    assert f"wrote 1 document(s) to {output}" in out
    assert "overlaps another entity" in out
    ana, bo = spacy_docs(output)
    assert ana.text == bo.text == TEXT
    expected = layered_document()
    for doc in (ana, bo):
        name = doc.user_data["annotator"]
        mine = [s for s in expected.spans if s.annotator == name]
        counted = sorted((s.start, s.end, s.label) for s in mine if s.origin == "imported")
        assert sorted(triples(doc.spans["sc"])) == counted
        for entity in doc.ents:
            assert (entity.start_char, entity.end_char, entity.label_) in counted
    assert ana.cats == {"news": 0.0, "travel": 1.0}
    # Suggestions are left out of an export unless asked for: not in the file at all.
    assert "suggested" not in bo.spans
