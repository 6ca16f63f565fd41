"""brat standoff: every line kind and every error of our own files, brat's and DKPro's samples
in and out again, text no ASCII tool would survive, and bratiaa's published agreement."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.base.errors import InputError, UserError
from annotator.cli import main
from annotator.formats import brat
from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, WriteOptions
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "brat"
NEWS = "brat/example-data/tutorials/news"
DKPRO = "dkpro-core/dkpro-core-io-brat-asl/src/test/resources"
BRATIAA = "bratiaa/example-files/example-project"
TEAM = ("Lisa", "Maria", "Max", "Peter")

# Text with what breaks offsets elsewhere: astral emoji and a ZWJ family (one code point
# is two UTF-16 units), CJK, e + combining acute, Arabic and Hebrew, CRLF line breaks.
HARD_TEXT = (
    "Tickets 😂 for the 👨\u200d👩\u200d👧 family in 東京駅.\r\n"
    "Cafe\u0301 Zoe\u0308 opened in مدينة القدس and ירושלים.\r\n"
    "Their motto: 😂😂 again.\r\n"
)


def read(path: Path, notes: FileNotes | None = None) -> DocumentRecord:
    [record] = brat.read(path, ReadOptions(), notes if notes is not None else FileNotes())
    return record


def spans_of(record: DocumentRecord) -> set[tuple[int, int, str, str | None]]:
    return {(s.start, s.end, s.label, s.note) for s in record.spans}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def textbounds(ann: Path) -> set[tuple[str, str, str]]:
    """Every T of a .ann as (type, fragments, text), the ids left aside."""
    found = set()
    for line in ann.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            _, head, text = line.split("\t", 2)
            label, offsets = head.split(" ", 1)
            found.add((label, offsets, text))
    return found


def notes_on_textbounds(ann: Path) -> set[tuple[str, str, str]]:
    """Every `#` note on a T as (the T's type and fragments, note type, note text)."""
    lines = ann.read_text(encoding="utf-8").splitlines()
    heads = {line.split("\t")[0]: line.split("\t")[1] for line in lines if line.startswith("T")}
    found = set()
    for line in lines:
        if line.startswith("#"):
            _, head, text = line.split("\t", 2)
            kind, target = head.split()
            if target in heads:
                found.add((heads[target], kind, text))
    return found


def write(documents: list[DocumentRecord], target: Path) -> FileNotes:
    notes = FileNotes()
    brat.write(documents, target, WriteOptions(), notes)
    return notes


def as_layer(record: DocumentRecord, annotator: str) -> DocumentRecord:
    """A read record as the export hands it over: every span named by its annotator."""
    for span in record.spans:
        span.annotator = annotator
    return record


# --------------------------------------------------------------------------- reading


def test_every_line_kind_of_our_fixture():
    notes = FileNotes()
    record = read(FIXTURES / "kinds.ann", notes)
    text = record.text
    assert record.title == "kinds"
    assert record.meta["source_file"] == "kinds.ann"
    assert {(text[s:e], label, note) for s, e, label, note in spans_of(record)} == {
        ("Sony", "Organization", "The electronics company"),
        ("joint venture", "Merge-org", None),
        ("Ericsson", "Organization", None),
        ("Sweden", "Country", None),
        ("New\nYork", "Location", None),  # fragments split only by a line break: one span
        ("first", "Date", "A date in two pieces"),  # a discontinuous T: a span per fragment
        ("May", "Date", None),
    }
    first, may = text.index("first"), text.index("May")
    new, york = text.index("New"), text.index("York")
    meta = record.meta["brat"]
    assert meta["groups"] == [{"label": "Date", "fragments": [[first, first + 5], [may, may + 3]]}]
    sweden = text.index("Sweden")
    assert meta["normalizations"] == [
        {"type": "Reference", "resource": "Wikipedia", "id": "5058739", "text": "Sweden",
         "target": {"label": "Country", "fragments": [[sweden, sweden + 6]]}},
    ]  # fmt: skip
    venture = text.index("joint venture")
    assert meta["attributes"] == [
        {"name": "Negated",
         "target": {"label": "Merge-org", "fragments": [[venture, venture + 13]]}},
        {"name": "Confidence", "value": "High",
         "target": {"label": "Location", "fragments": [[new, york + 4]]}},
    ]  # fmt: skip
    ericsson = text.index("Ericsson")
    assert meta["notes"] == [
        {"type": "Lemma", "text": " ericsson",
         "target": {"label": "Organization", "fragments": [[ericsson, ericsson + 8]]}},
    ]  # fmt: skip
    assert dict(notes.left_out) == {
        "relations": 1, "events": 1, "equivalences": 1,
        "notes on relations and events": 1, "attributes on relations and events": 1,
    }  # fmt: skip
    assert notes.warnings == []


def test_the_txt_of_a_pair_reads_the_same_document():
    assert spans_of(read(FIXTURES / "kinds.txt")) == spans_of(read(FIXTURES / "kinds.ann"))


def test_an_empty_ann_is_a_document_without_spans():
    record = read(FIXTURES / "empty.ann")
    assert record.text == "Nobody annotated this text.\n"
    assert record.spans == []
    assert "brat" not in record.meta


def test_offsets_into_crlf_text_move_with_the_line_breaks(tmp_path: Path):
    raw = "Première ligne\r\nParis et Londres\r\n"
    paris, london = raw.index("Paris"), raw.index("Londres")
    (tmp_path / "doc.txt").write_bytes(raw.encode())
    (tmp_path / "doc.ann").write_bytes(
        f"T1\tCity {paris} {paris + 5}\tParis\r\nT2\tCity {london} {london + 7}\tLondres\r\n"
        f"T3\tPhrase {paris} {london + 7}\tParis et Londres\r\n".encode()
    )
    record = read(tmp_path / "doc.ann")
    assert record.text == "Première ligne\nParis et Londres\n"
    assert sorted((record.text[s.start : s.end], s.start) for s in record.spans) == [
        ("Londres", london - 1), ("Paris", paris - 1), ("Paris et Londres", paris - 1),
    ]  # fmt: skip


GOOD_TEXT = "Alpha beta gamma.\n"
ERRORS = {
    "no tab after the id": ("T1 Label 0 5\tAlpha", 1, "should start with an id"),
    "an unknown kind of line": ("X1\tLabel 0 5\tAlpha", 1, "should start with an id"),
    "an id used twice": ("T1\tA 0 5\tAlpha\nT1\tB 6 10\tbeta", 2, "used twice"),
    "nothing after the id": ("T1\tA 0 5\tAlpha\nT2\t", 2, "nothing after its id"),
    "offsets that are not numbers": ("T1\tA zero 5\tAlpha", 1, "text-bound annotation is"),
    "no offsets": ("T1\tA\tAlpha", 1, "text-bound annotation is"),
    "a span past the text": ("T1\tA 6 99\tbeta", 1, "ends past the text"),
    "an end before its start": ("T1\tA 5 0\tAlpha", 1, "is not after start"),
    "recorded text that differs": ("T1\tA 0 5\tAlpha\nT2\tB 6 10\tBeta", 2, "should cover"),
    "a fragment's text that differs": ("T1\tA 0 5;11 16\tAlpha beta", 1, "should cover"),
    "an attribute on nothing": ("T1\tA 0 5\tAlpha\nA1\tNegated T9", 2, "refers to T9"),
    "an attribute with too much": ("A1\tLevel T1 High Low\nT1\tA 0 5\tAlpha", 1, "attribute"),
    "a note without a target": ("T1\tA 0 5\tAlpha\n#1\tAnnotatorNotes\tsee", 2, "a note is"),
    "a note on nothing": ("#1\tAnnotatorNotes T4\tsee", 1, "refers to T4"),
    "a normalisation without resource": ("T1\tA 0 5\tAlpha\nN1\tRef T1 123\tx", 2, "normalis"),
    "a relation without arguments": ("T1\tA 0 5\tAlpha\nR1\tOrigin T1", 2, "relation is"),
    "an event without a trigger": ("T1\tA 0 5\tAlpha\nE1\tMerge T1", 2, "event is"),
    "an equivalence of one": ("T1\tA 0 5\tAlpha\n*\tAlias T1", 2, "equivalence needs"),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_a_bad_line_names_the_ann_and_the_line(tmp_path: Path, case: str):
    content, line, words = ERRORS[case]
    (tmp_path / "doc.txt").write_text(GOOD_TEXT, encoding="utf-8")
    ann = tmp_path / "doc.ann"
    ann.write_text(content + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(ann)
    assert caught.value.path == ann
    assert caught.value.line == line
    assert words in caught.value.reason


def test_a_span_on_the_cr_of_a_crlf_alone_is_an_error(tmp_path: Path):
    (tmp_path / "doc.txt").write_bytes(b"one\r\ntwo\r\n")
    (tmp_path / "doc.ann").write_text("T1\tA 0 3\tone\nT2\tA 3 4\t\r\n", encoding="utf-8")
    with pytest.raises(InputError, match="only the CR") as caught:
        read(tmp_path / "doc.ann")
    assert caught.value.line == 2


def test_half_a_pair_is_an_error_naming_the_missing_partner(tmp_path: Path):
    (tmp_path / "alone.ann").write_text("T1\tA 0 5\tAlpha\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no alone\.txt beside"):
        read(tmp_path / "alone.ann")
    (tmp_path / "text.txt").write_text(GOOD_TEXT, encoding="utf-8")
    with pytest.raises(InputError, match=r"no text\.ann beside"):
        read(tmp_path / "text.txt")


# --------------------------------------------------------------------------- writing


def test_our_fixture_goes_out_and_back_whole(tmp_path: Path):
    original = as_layer(read(FIXTURES / "kinds.ann"), "alice")
    notes = write([original], tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["annotation.conf", "kinds.ann", "kinds.txt"]
    # The line break inside "New York" is a fragment boundary again, as brat wrote it.
    assert textbounds(out / "kinds.ann") == textbounds(FIXTURES / "kinds.ann")
    assert notes_on_textbounds(out / "kinds.ann") == notes_on_textbounds(FIXTURES / "kinds.ann")
    ann = (out / "kinds.ann").read_text(encoding="utf-8")
    assert re.search(r"^A\d+\tNegated T\d+$", ann, re.M)
    assert re.search(r"^A\d+\tConfidence T\d+ High$", ann, re.M)
    assert re.search(r"^N\d+\tReference T\d+ Wikipedia:5058739\tSweden$", ann, re.M)
    again = read(out / "kinds.ann")
    assert spans_of(again) == spans_of(original)
    assert again.meta["brat"] == original.meta["brat"]
    config = (out / "annotation.conf").read_text(encoding="utf-8")
    assert config.split("\n\n")[0].splitlines() == [
        "[entities]", "Country", "Date", "Location", "Merge-org", "Organization",
    ]  # fmt: skip
    assert "Confidence\tArg:<ENTITY>, Value:High" in config
    assert "Negated\tArg:<ENTITY>" in config
    assert not notes.left_out and not notes.warnings


def test_hard_text_goes_out_and_back_with_every_span_on_its_characters(tmp_path: Path):
    text = HARD_TEXT.replace("\r\n", "\n")
    wanted = ["😂", "👨\u200d👩\u200d👧", "東京駅", "Cafe\u0301", "Zoe\u0308", "مدينة القدس",
              "ירושלים", "😂😂"]  # fmt: skip
    spans = [
        SpanRecord(text.index(w), text.index(w) + len(w), f"L{k}", annotator="alice")
        for k, w in enumerate(wanted)
    ]
    across = text.index("family")
    spans.append(
        SpanRecord(across, text.index("Zoe"), "Across", annotator="alice", note="two\nlines")
    )
    document = DocumentRecord(text=text, title="Hard / text: 東京", spans=spans)
    notes = write([document], tmp_path / "out")
    [ann] = (tmp_path / "out").glob("*.ann")
    assert ann.name == "Hard_text_東京.ann"
    assert (tmp_path / "out" / "Hard_text_東京.txt").read_bytes() == text.encode("utf-8")
    back = read(ann)
    assert back.text == text
    assert {(back.text[s.start : s.end], s.label) for s in back.spans} == {
        *((w, f"L{k}") for k, w in enumerate(wanted)),
        (text[across : text.index("Zoe")], "Across"),
    }
    # A note of two lines is two AnnotatorNotes on the T, read back as one note.
    assert [s.note for s in back.spans if s.label == "Across"] == ["two\nlines"]
    assert ann.read_text(encoding="utf-8").count("AnnotatorNotes") == 2
    assert notes.warnings == []
    # The span across the line break is written as two fragments, each on one line.
    assert any(";" in offsets for label, offsets, _ in textbounds(ann) if label == "Across")


def test_hard_text_read_from_a_crlf_txt(tmp_path: Path):
    raw = HARD_TEXT
    start = raw.index("東京駅")
    second = raw.index("ירושלים")
    (tmp_path / "hard.txt").write_bytes(raw.encode("utf-8"))
    (tmp_path / "hard.ann").write_text(
        f"T1\tPlace {start} {start + 3}\t東京駅\nT2\tPlace {second} {second + 7}\tירושלים\n",
        encoding="utf-8",
    )
    record = read(tmp_path / "hard.ann")
    assert sorted(record.text[s.start : s.end] for s in record.spans) == ["ירושלים", "東京駅"]
    assert [s.start for s in sorted(record.spans, key=lambda s: s.start)] == [
        start,
        second - 1,
    ]  # one CRLF before it


def test_several_annotators_make_bratiaa_layout_and_what_brat_cannot_hold_is_counted(
    tmp_path: Path,
):
    one = DocumentRecord(
        text="Alpha beta.\n", title="one",
        spans=[SpanRecord(0, 5, "A", annotator="alice"), SpanRecord(6, 10, "B", annotator="bob")],
        layers=[AnnotatorLayer("alice", "done", ["Sport"]), AnnotatorLayer("bob", "in_progress")],
    )  # fmt: skip
    two = DocumentRecord(
        text="Gamma.\n", title="two", spans=[SpanRecord(0, 5, "A", annotator="alice")]
    )
    untouched = DocumentRecord(text="Nobody.\n", title=None)
    notes = write([one, two, untouched], tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["alice", "annotation.conf", "bob"]
    for person in ("alice", "bob"):
        assert sorted(p.name for p in (out / person).iterdir()) == [
            "document-3.ann", "document-3.txt", "one.ann", "one.txt", "two.ann", "two.txt",
        ]  # fmt: skip
    assert textbounds(out / "alice" / "one.ann") == {("A", "0 5", "Alpha")}
    assert textbounds(out / "bob" / "one.ann") == {("B", "6 10", "beta")}
    assert (out / "bob" / "two.ann").read_bytes() == b""
    assert (out / "bob" / "two.txt").read_text(encoding="utf-8") == "Gamma.\n"
    assert dict(notes.left_out) == {
        "document labels (brat has none)": 1, "document statuses (brat has none)": 2,
    }  # fmt: skip


def test_file_names_are_safe_unique_and_in_document_order(tmp_path: Path):
    titles = ["Report", "report", "../../etc/passwd", "CON", "", "a:b*c?", "..."]
    documents = [DocumentRecord(text=f"Text {k}.\n", title=t) for k, t in enumerate(titles)]
    write(documents, tmp_path / "out")
    names = sorted(p.stem for p in (tmp_path / "out").glob("*.txt"))
    assert names == sorted(
        ["Report", "report-2", "etc_passwd", "_CON", "document-5", "a_b_c", "document-7"]
    )
    for k, stem in enumerate(
        ["Report", "report-2", "etc_passwd", "_CON", "document-5", "a_b_c", "document-7"]
    ):
        assert (tmp_path / "out" / f"{stem}.txt").read_text(encoding="utf-8") == f"Text {k}.\n"


def test_labels_with_spaces_become_brat_types_with_a_warning(tmp_path: Path):
    document = DocumentRecord(
        text="New York.\n", title="d", spans=[SpanRecord(0, 8, "Big city", annotator="a")]
    )
    notes = write([document], tmp_path / "out")
    assert textbounds(tmp_path / "out" / "d.ann") == {("Big_city", "0 8", "New York")}
    assert [w.reason for w in notes.warnings] == [
        "label 'Big city' written as 'Big_city': brat types have no spaces"
    ]


def test_an_existing_folder_with_files_or_a_file_is_refused(tmp_path: Path):
    document = DocumentRecord(text="x y\n", title="d", spans=[SpanRecord(0, 1, "A", annotator="a")])
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="holds files already"):
        write([document], full)
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="is a file"):
        write([document], tmp_path / "file")
    empty = tmp_path / "empty"
    empty.mkdir()
    write([document], empty)
    assert sorted(p.name for p in empty.iterdir()) == ["annotation.conf", "d.ann", "d.txt"]


def test_a_failure_half_way_leaves_nothing_behind(tmp_path: Path):
    def documents() -> Iterator[DocumentRecord]:
        yield DocumentRecord(text="x y\n", title="d", spans=[SpanRecord(0, 1, "A", annotator="a")])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write(documents(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- real files


def corpus_files(corpora: Path) -> list[Path]:
    return sorted(
        [*(corpora / NEWS).glob("*.ann"), *(corpora / "brat/example-data/corpora").rglob("*.ann"),
         *(corpora / DKPRO / "brat").glob("*.ann"), corpora / DKPRO / "conll/2012/en-ref.ann"]
    )  # fmt: skip


def test_every_brat_sample_goes_out_as_it_came_in(corpora: Path, tmp_path: Path):
    files = corpus_files(corpora)
    assert len(files) == 24
    for number, ann in enumerate(files):
        record = as_layer(read(ann), "someone")
        out = tmp_path / str(number)
        write([record], out)
        [written] = out.glob("*.ann")
        assert written.name == ann.name
        assert textbounds(written) == textbounds(ann), ann
        assert notes_on_textbounds(written) == notes_on_textbounds(ann), ann
        assert (out / ann.with_suffix(".txt").name).read_bytes() == ann.with_suffix(
            ".txt"
        ).read_bytes()


@pytest.mark.parametrize(
    ("path", "left_out"),
    [
        (f"{NEWS}/000-introduction.ann",
         {"relations": 2, "events": 1, "attributes on relations and events": 1}),
        (f"{NEWS}/060-relation_annotation.ann", {"relations": 1, "equivalences": 1}),
        (f"{NEWS}/080-event-annotation.ann", {"events": 4}),
        (f"{NEWS}/110-note_annotation.ann",
         {"relations": 2, "events": 2, "notes on relations and events": 2}),
        (f"{NEWS}/999-complete.ann", {}),
        (f"{DKPRO}/brat/document1.ann",
         {"relations": 1, "events": 1, "notes on relations and events": 2}),
        (f"{DKPRO}/conll/2012/en-ref.ann",
         {"events": 126, "attributes on relations and events": 73}),
        ("brat/example-data/corpora/TDT/wn071.ann", {"relations": 72}),
    ],
)  # fmt: skip
def test_what_brat_samples_hold_that_annotator_does_not_is_counted(
    corpora: Path, path: str, left_out: dict[str, int]
):
    notes = FileNotes()
    read(corpora / path, notes)
    assert dict(notes.left_out) == left_out


def test_dkpro_discontinuous_spans(corpora: Path):
    across = read(corpora / DKPRO / "brat/document0c.ann")
    assert [across.text[s.start : s.end] for s in across.spans if s.start == 5] == ["is\na"]
    inside = read(corpora / DKPRO / "brat/document0d.ann")
    assert sorted(inside.text[s.start : s.end] for s in inside.spans if 5 <= s.start < 11) == [
        "is", "n",
    ]  # fmt: skip
    assert inside.meta["brat"]["groups"] == [{"label": "Token", "fragments": [[5, 7], [9, 10]]}]


# --------------------------------------------------------------------------- the command


@pytest.mark.parametrize(
    "folder", [NEWS, "brat/example-data/corpora/TDT", f"{DKPRO}/brat", f"{DKPRO}/conll/2012"]
)
def test_import_and_export_commands_give_back_the_same_annotations(
    capsys: pytest.CaptureFixture[str], database_url: str, corpora: Path, tmp_path: Path,
    folder: str,
):  # fmt: skip
    source = corpora / folder
    code, out, err = run(capsys, "import", str(source), "--format", "brat", "--project", "P",
                         "--db", database_url)  # fmt: skip
    assert code == 0, err
    if folder == NEWS:  # the report of each file says what it left out
        assert "left out 2 relations" in out and "left out 6 events" in out
    output = tmp_path / "out"
    code, _, err = run(capsys, "export", "--project", "P", "--format", "brat",
                       "--output", str(output), "--db", database_url)  # fmt: skip
    assert code == 0, err
    originals = sorted(source.glob("*.ann"))
    assert sorted(p.name for p in output.glob("*.ann")) == [p.name for p in originals]
    for ann in originals:
        assert textbounds(output / ann.name) == textbounds(ann), ann
        assert notes_on_textbounds(output / ann.name) == notes_on_textbounds(ann), ann


def test_hard_text_through_the_database_and_back(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
):
    source = tmp_path / "in"
    source.mkdir()
    text = HARD_TEXT
    (source / "hard.txt").write_bytes(text.encode("utf-8"))
    lines = []
    for k, word in enumerate(["😂", "👨\u200d👩\u200d👧", "東京駅", "Cafe\u0301", "مدينة القدس",
                              "ירושלים", "😂😂"]):  # fmt: skip
        start = text.index(word)
        lines.append(f"T{k + 1}\tL{k} {start} {start + len(word)}\t{word}\n")
    (source / "hard.ann").write_text(
        "".join(lines) + "#1\tAnnotatorNotes T3\t駅\n", encoding="utf-8"
    )
    assert run(capsys, "import", str(source), "--project", "P", "--db", database_url)[0] == 0
    output = tmp_path / "out"
    code, _, err = run(capsys, "export", "--project", "P", "--format", "brat",
                       "--output", str(output), "--db", database_url)  # fmt: skip
    assert code == 0, err
    normal = text.replace("\r\n", "\n")
    assert (output / "hard.txt").read_bytes() == normal.encode("utf-8")
    # Offsets now count the LF-only text: each T still covers its word.
    exported = read(output / "hard.ann")
    assert sorted((normal[s.start : s.end], s.label, s.note) for s in exported.spans) == sorted(
        (word, f"L{k}", "駅" if k == 2 else None)
        for k, word in enumerate(["😂", "👨\u200d👩\u200d👧", "東京駅", "Cafe\u0301",
                                  "مدينة القدس", "ירושלים", "😂😂"])
    )  # fmt: skip


def _import_team(capsys: pytest.CaptureFixture[str], database_url: str, project: Path) -> None:
    for person in TEAM:
        code, _, err = run(
            capsys, "import", str(project / person), "--format", "brat", "--project", "P",
            "--annotator", person, "--db", database_url,
        )  # fmt: skip
        assert code == 0, err


def test_bratiaa_instance_agreement_of_its_example_project(
    capsys: pytest.CaptureFixture[str], database_url: str, corpora: Path, tmp_path: Path
):
    """bratiaa 0.1.4's published report: exact-match F1 pooled over documents and labels
    per pair, then the mean and population SD over the 6 pairs."""
    _import_team(capsys, database_url, corpora / BRATIAA)
    code, out, err = run(capsys, "agreement", "--project", "P", "--json", "--db", database_url)
    assert code == 0, err
    report = json.loads(out)
    assert report["annotators"] == list(TEAM)
    assert report["documents"] == 7
    exact = report["pair_means"]["exact_f1"]
    assert exact["overall"]["pairs"] == 6
    assert (round(exact["overall"]["mean"], 3), round(exact["overall"]["sd"], 3)) == (0.890, 0.053)
    means = {label: round(v["mean"], 3) for label, v in exact["by_label"].items()}
    assert means == {"LOC": 0.819, "MISC": 0.840, "ORG": 0.906, "PER": 0.938}
    pairs = [pair["exact_f1"]["overall"]["f1"] for pair in report["pairs"]]
    assert round(statistics.fmean(pairs), 3) == 0.890
    assert round(statistics.pstdev(pairs), 3) == 0.053
    # Exported again in bratiaa's layout (a folder per annotator) and imported back, the
    # agreement is the same.
    output = tmp_path / "team"
    code, _, err = run(capsys, "export", "--project", "P", "--format", "brat",
                       "--output", str(output), "--db", database_url)  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in output.iterdir()) == ["Lisa", "Maria", "Max", "Peter",
                                                        "annotation.conf"]  # fmt: skip
    for person in TEAM:
        for ann in (corpora / BRATIAA / person).glob("*.ann"):
            assert textbounds(output / person / ann.name) == textbounds(ann)


def test_a_brat_project_imports_in_one_go_with_a_layer_per_folder(
    capsys: pytest.CaptureFixture[str], database_url: str, corpora: Path
):
    code, out, err = run(
        capsys, "import", str(corpora / BRATIAA), "--format", "brat", "--project", "P",
        "--annotator-from-folder", "--db", database_url,
    )  # fmt: skip
    assert code == 0, err
    assert "layer(s): Lisa" in out and "layer(s): Peter" in out
    code, out, err = run(capsys, "agreement", "--project", "P", "--json", "--db", database_url)
    assert code == 0, err
    report = json.loads(out)
    assert report["annotators"] == list(TEAM)
    exact = report["pair_means"]["exact_f1"]["overall"]
    assert (round(exact["mean"], 3), round(exact["sd"], 3)) == (0.890, 0.053)


def test_bratiaa_token_agreement_needs_its_whitespace_tokens(
    capsys: pytest.CaptureFixture[str], database_url: str, corpora: Path
):
    """bratiaa's token F1 (0.964, SD 0.015) splits on white space; ours splits off
    punctuation too, so the same spans score 0.945. With bratiaa's tokens, ours agrees."""
    from annotator.core.agreement import compute_report, load_project
    from annotator.core.corpus import Corpus

    _import_team(capsys, database_url, corpora / BRATIAA)
    with Corpus.open(database_url, annotator="reader") as corpus:
        data = load_project(corpus, corpus.project_id("P"))
    ours = compute_report(data).pair_mean("token_f1")
    assert round(ours.mean, 3) == 0.945
    theirs = compute_report(data, token_pattern=r"\S+")
    token = theirs.pair_mean("token_f1")
    assert (round(token.mean, 3), round(token.sd, 3)) == (0.964, 0.015)
    by_label = {
        label: round(theirs.pair_mean("token_f1", label).mean, 3) for label in theirs.span_labels
    }
    assert by_label == {"LOC": 0.963, "MISC": 0.918, "ORG": 0.972, "PER": 0.983}


def test_several_notes_on_one_t_are_one_note_and_a_tab_in_a_note_is_said(tmp_path: Path):
    (tmp_path / "doc.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "doc.ann").write_text(
        "#1\tAnnotatorNotes T1\tfirst\nT1\tA 0 5\tAlpha\n#2\tAnnotatorNotes T1\tsecond\n\n",
        encoding="utf-8",
    )
    [span] = read(tmp_path / "doc.ann").spans
    assert span.note == "first\nsecond"
    span.note = "a\tb"
    span.annotator = "alice"
    notes = write([DocumentRecord(GOOD_TEXT, title="doc", spans=[span])], tmp_path / "out")
    assert "#1\tAnnotatorNotes T1\ta b\n" in (tmp_path / "out" / "doc.ann").read_text("utf-8")
    assert [w.reason for w in notes.warnings] == [
        "document 1 ('doc'), span 0-5: a tab or carriage return in the note became a space "
        "(brat notes hold neither)"
    ]


def test_a_blank_ann_is_a_document_without_spans(tmp_path: Path):
    (tmp_path / "doc.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "doc.ann").write_bytes(b"\n\r\n  \n")
    assert read(tmp_path / "doc.ann").spans == []
