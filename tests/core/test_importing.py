"""Importing files into a project: each file whole or not at all, duplicates counted, spans kept.

Everything goes through `import_paths`, the function the command line and the window share.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotator.base.vocabulary import LabelKind
from annotator.core import exporting
from annotator.core.corpus import Corpus
from annotator.core.importing import ImportCancelled, ImportReport, import_paths
from annotator.core.models import (
    Annotator,
    Document,
    DocumentLabel,
    DocumentStatus,
    History,
    Label,
    Project,
    Span,
)
from annotator.formats import csv_export
from tests.conftest import SAMPLES, Databases

SEED_NAME = "000_1016b94376b07e4a.txt"
SEED_URL = (
    "https://www.themoscowtimes.com/2024/06/21/"
    "south-korea-summons-russian-ambassador-over-pyongyang-defense-pact-a85483"
)
MARKUP = ("*", "](", "<http", "Original url", "# ", "`", "<b>", "&amp;", "![")
TABLES = (Project, Document, Label, Annotator, Span, DocumentLabel, DocumentStatus, History)


# --- helpers -----------------------------------------------------------------------------


def write_jsonl(path: Path, *objects: object) -> Path:
    """One JSON object a line; a str is written as it is (for malformed lines)."""
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def row_counts(corpus: Corpus) -> dict[str, int]:
    with corpus.engine.connect() as connection:
        return {
            model.__tablename__: connection.execute(
                select(func.count()).select_from(model.__table__)  # type: ignore[attr-defined]
            ).scalar_one()
            for model in TABLES
        }


def documents(corpus: Corpus, project: str = "news") -> list[Document]:
    with corpus.session() as session:
        return list(
            session.exec(
                select(Document)
                .join(Project, Project.id == Document.project_id)
                .where(Project.name == project)
                .order_by(Document.id)
            ).scalars()
        )


def texts(corpus: Corpus, project: str = "news") -> list[str]:
    return [document.text for document in documents(corpus, project)]


def spans(corpus: Corpus) -> list[tuple[str, str, str, int, int, str]]:
    """(document text, annotator, label, start, end, span text), in a stable order."""
    with corpus.engine.connect() as connection:
        rows = connection.execute(
            select(Document.text, Annotator.name, Label.name, Span.start, Span.end, Span.text)
            .join(Document, Document.id == Span.document_id)
            .join(Annotator, Annotator.id == Span.annotator_id)
            .join(Label, Label.id == Span.label_id)
            .order_by(Document.id, Span.start, Span.end, Label.name)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def labels(corpus: Corpus) -> set[tuple[str, str]]:
    """(kind, name) of every label in the database."""
    with corpus.engine.connect() as connection:
        return {(kind, name) for kind, name in connection.execute(select(Label.kind, Label.name))}


def annotators(corpus: Corpus) -> set[str]:
    with corpus.engine.connect() as connection:
        return set(connection.execute(select(Annotator.name)).scalars())


def import_history(corpus: Corpus) -> list[History]:
    with corpus.session() as session:
        return list(
            session.exec(
                select(History).where(History.action == "import").order_by(History.id)
            ).scalars()
        )


def assert_imported(report: ImportReport, **expected: int) -> None:
    assert report.ok, report.summary()
    for name, value in expected.items():
        assert getattr(report, name) == value, (name, report.summary())


# --- articles ------------------------------------------------------------------------------


@pytest.mark.corpora
def test_seed_article_is_imported_with_its_metadata(corpus: Corpus, corpora: Path) -> None:
    report = import_paths(corpus, [corpora / "seed" / SEED_NAME], project="news")
    assert_imported(report, files=1, documents=1, duplicates=0)
    [document] = documents(corpus)
    assert document.title == "South Korea Summons Russian Ambassador Over Pyongyang Defense Pact"
    assert document.author == "AFP"
    assert document.published == date(2024, 6, 21)
    assert document.source_url == SEED_URL
    assert document.meta == {
        "source_file": SEED_NAME,
        "caption": "Russia's Ambassador to South Korea Georgy Zinoviev. YONHAP / AFP",
        "related_articles": [
            "Putin Does Not Rule Out Sending Arms to N.Korea, U.S. 'Incredibly' Concerned"
        ],
    }
    # The photo's caption is the page's, not the story's: the body starts with the story.
    assert document.text.startswith("South Korea summoned Russia's ambassador to Seoul")
    for fragment in MARKUP:
        assert fragment not in document.text, fragment
    assert SEED_URL not in document.text
    assert "By AFP" not in document.text


def test_the_bundled_samples_import(corpus: Corpus) -> None:
    report = import_paths(corpus, [SAMPLES], project="news")
    assert_imported(report, files=3, documents=3, duplicates=0, spans=0)
    imported = documents(corpus)
    assert [(d.author, d.published) for d in imported] == [
        ("Marta Kowalski", date(2025, 3, 4)),
        ("Northwind News Service", date(2024, 9, 12)),
        ("Ana Luísa Conceição", date(2024, 7, 7)),
    ]
    for document in imported:
        assert document.title and document.source_url
        assert document.source_url.startswith("https://example.org/")
        assert document.text == document.text.strip()
        for fragment in MARKUP:
            assert fragment not in document.text, (document.title, fragment)


# --- files and folders ---------------------------------------------------------------------


def test_folders_are_read_recursively_skipping_hidden_and_unknown_files(
    corpus: Corpus, tmp_path: Path
) -> None:
    root = tmp_path / "in"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "top.txt").write_text("A document at the top.", encoding="utf-8")
    (root / "sub" / "deeper" / "nested.md").write_text("# Nested\n\nDeep body.", encoding="utf-8")
    write_jsonl(root / "sub" / "lines.jsonl", {"text": "From JSON Lines."})
    (root / "sub" / "table.csv").write_text("text\nFrom a CSV row.\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("Hidden file.", encoding="utf-8")
    (root / ".git" / "inside.txt").write_text("Inside a hidden folder.", encoding="utf-8")
    (root / "scan.pdf").write_bytes(b"%PDF-1.7 not text")
    (root / "notes.docx").write_text("Unknown suffix.", encoding="utf-8")

    report = import_paths(corpus, [root], project="news")

    assert_imported(report, files=4, documents=4)
    assert sorted(texts(corpus)) == sorted(
        ["A document at the top.", "Deep body.", "From JSON Lines.", "From a CSV row."]
    )


def test_an_explicit_file_of_unknown_type_is_a_failure_naming_it(
    corpus: Corpus, tmp_path: Path
) -> None:
    unknown = tmp_path / "report.pdf"
    unknown.write_bytes(b"%PDF-1.7")
    good = tmp_path / "good.txt"
    good.write_text("Still imported.", encoding="utf-8")

    report = import_paths(corpus, [unknown, good], project="news")

    assert not report.ok
    [failure] = report.failures
    assert failure.path == unknown
    assert "unknown file type .pdf" in str(failure)
    assert str(unknown) in report.summary()
    assert texts(corpus) == ["Still imported."]


def test_a_missing_path_is_a_failure_naming_it(corpus: Corpus, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    report = import_paths(corpus, [missing], project="news")
    assert not report.ok
    assert [failure.path for failure in report.failures] == [missing]
    assert f"{missing}: no such file or folder" in report.summary()


# --- duplicates ----------------------------------------------------------------------------


def test_duplicates_across_files_and_within_a_file_are_skipped_and_counted(
    corpus: Corpus, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Same text.", encoding="utf-8")
    write_jsonl(
        tmp_path / "b.jsonl",
        {"text": "Same text."},
        {"text": "Other text."},
        {"text": "Other text."},
    )
    report = import_paths(corpus, [tmp_path / "a.txt", tmp_path / "b.jsonl"], project="news")
    assert_imported(report, files=2, documents=2, duplicates=2)
    assert texts(corpus) == ["Same text.", "Other text."]
    assert "skipped 2 duplicate document(s)" in report.summary()


def test_the_same_text_in_another_project_is_not_a_duplicate(
    corpus: Corpus, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "Shared text."})
    assert_imported(import_paths(corpus, [path], project="news"), documents=1)
    assert_imported(import_paths(corpus, [path], project="other"), documents=1, duplicates=0)
    assert texts(corpus, "news") == texts(corpus, "other") == ["Shared text."]


def test_a_repeated_document_in_one_file_keeps_the_spans_of_both_lines(
    corpus: Corpus, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {"text": "Hello world", "label": [[0, 5, "GREETING"]]},
        {"text": "Hello world", "label": [[6, 11, "WHO"], [0, 5, "GREETING"]]},
    )
    report = import_paths(corpus, [path], project="news")
    assert_imported(report, documents=1, duplicates=1, spans=2, spans_already_present=1)
    assert spans(corpus) == [
        ("Hello world", "alice", "GREETING", 0, 5, "Hello"),
        ("Hello world", "alice", "WHO", 6, 11, "world"),
    ]


# --- annotations in JSON Lines -------------------------------------------------------------


def test_doccano_and_prodigy_spans_belong_to_the_importing_annotator(
    corpus: Corpus, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        {"text": "Ada Lovelace met Charles Babbage.", "label": [[0, 12, "PER"], [17, 32, "PER"]]},
        {
            "text": "Paris is in France.",
            "spans": [
                {"start": 0, "end": 5, "label": "LOC"},
                {"start": 12, "end": 18, "label": "LOC", "text": "France"},
            ],
        },
        {"text": "A story about football.", "label": ["Sports", "News"]},
    )
    bob = Corpus(corpus.engine, annotator="bob")  # what --annotator bob gives

    report = import_paths(bob, [path], project="news")

    assert_imported(report, documents=3, spans=4, document_labels=2)
    assert report.labels_created == ["PER", "LOC", "Sports", "News"]
    assert spans(corpus) == [
        ("Ada Lovelace met Charles Babbage.", "bob", "PER", 0, 12, "Ada Lovelace"),
        ("Ada Lovelace met Charles Babbage.", "bob", "PER", 17, 32, "Charles Babbage"),
        ("Paris is in France.", "bob", "LOC", 0, 5, "Paris"),
        ("Paris is in France.", "bob", "LOC", 12, 18, "France"),
    ]
    project_id = corpus.project("news").id
    assert project_id is not None
    span_labels = corpus.labels(project_id, kind=LabelKind.SPAN)
    document_labels = corpus.labels(project_id, kind=LabelKind.DOCUMENT)
    assert [label.name for label in span_labels] == ["PER", "LOC"]
    assert [label.name for label in document_labels] == ["Sports", "News"]
    # New labels get distinct positions and colours, as if added one by one.
    every = corpus.labels(project_id)
    assert [label.position for label in every] == [0, 1, 2, 3]
    assert len({label.color for label in every}) == 4
    football = documents(corpus)[2].id
    assert football is not None
    assert sorted(corpus.document_labels(football, annotator="bob")) == sorted(
        label.id for label in document_labels
    )
    assert annotators(corpus) == {"bob"}


def test_labels_created_by_earlier_files_keep_their_place(corpus: Corpus, tmp_path: Path) -> None:
    paths = [
        write_jsonl(tmp_path / f"{index}.jsonl", {"text": f"doc {index}", "label": [[0, 3, name]]})
        for index, name in enumerate(["A", "B", "C"])
    ]
    assert_imported(import_paths(corpus, paths, project="news"), spans=3)
    project_id = corpus.project("news").id
    assert project_id is not None
    every = corpus.labels(project_id)
    assert [(label.name, label.position) for label in every] == [("A", 0), ("B", 1), ("C", 2)]
    assert len({label.color for label in every}) == 3


# --- bad input -----------------------------------------------------------------------------

# Line 1 of every bad file is good and would create a document, spans, labels and an
# annotator: none of it may survive the bad line further down.
GOOD_LINE = json.dumps(
    {
        "text": "A good first line.",
        "annotations": [
            {
                "annotator": "carol",
                "status": "done",
                "document_labels": ["FromBadFile"],
                "spans": [{"start": 0, "end": 6, "label": "BAD_FILE_SPAN"}],
            }
        ],
        "spans": [{"start": 2, "end": 6, "label": "BAD_FILE_TOP_LEVEL"}],
    }
).encode()

BAD_INPUTS = {
    "binary": ("data.txt", b"plain start\nthen \x00\x01\x02 binary", 2, "binary"),
    "undecodable": ("bad.jsonl", GOOD_LINE + b'\n{"text": "caf\xe9"}\n', 2, "UTF-8"),
    "empty": ("empty.jsonl", b"", None, "empty"),
    "blank": ("blank.txt", b"  \n\n \t\n", None, "empty"),
    "malformed JSON": ("bad.jsonl", GOOD_LINE + b'\n{"text": "unclosed\n', 2, "not valid JSON"),
    "span outside the text": (
        "bad.jsonl",
        GOOD_LINE + b'\n\n{"text": "short", "spans": [{"start": 0, "end": 99, "label": "X"}]}\n',
        3,
        "ends past the text",
    ),
    "span text differs": (
        "bad.jsonl",
        GOOD_LINE
        + b'\n{"text": "Paris is nice.", "spans": [{"start": 0, "end": 5, '
        + b'"label": "LOC", "text": "Lyon!"}]}\n',
        2,
        "should cover",
    ),
    "bad CSV row": ("bad.csv", b'text\n"fine row"\n"unclosed "quote" row\n', 3, "malformed CSV"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_a_bad_file_is_reported_by_name_and_line_and_leaves_nothing(
    corpus: Corpus, tmp_path: Path, case: str
) -> None:
    name, content, line, reason = BAD_INPUTS[case]
    bad = tmp_path / name
    bad.write_bytes(content)
    first = write_jsonl(tmp_path / "first.jsonl", {"text": "Good before.", "label": [[0, 4, "OK"]]})
    last = write_jsonl(tmp_path / "last.jsonl", {"text": "Good after.", "label": ["Fine"]})

    report = import_paths(corpus, [first, bad, last], project="news")

    assert not report.ok
    [failure] = report.failures
    assert failure.path == bad
    assert failure.line == line
    assert reason in failure.reason
    where = f"{bad}, line {line}: " if line is not None else f"{bad}: "
    assert where in str(failure)
    assert where + failure.reason in report.summary()
    assert "failed: 1 file(s)" in report.summary()
    assert (report.files, report.documents) == (3, 2)
    # Nothing of the bad file; everything of the good ones.
    assert texts(corpus) == ["Good before.", "Good after."]
    assert spans(corpus) == [("Good before.", "alice", "OK", 0, 4, "Good")]
    assert labels(corpus) == {("span", "OK"), ("document", "Fine")}
    assert annotators(corpus) == {"alice"}
    counts = row_counts(corpus)
    assert (counts["document_status"], counts["document_label"]) == (0, 1)
    assert [row.after["file"] for row in import_history(corpus) if row.after] == [
        "first.jsonl",
        "last.jsonl",
    ]


def test_a_file_the_database_refuses_is_rolled_back_alone(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure inside the writer (here: the history insert) rolls back that file only."""
    from sqlalchemy.exc import IntegrityError

    from annotator.core import importing

    original = importing.Writer.write
    calls = {"n": 0}

    def failing_second(self: Any, records: Any, *, source: Path) -> Any:
        calls["n"] += 1
        result = original(self, records, source=source)
        if source.name == "b.jsonl":
            raise IntegrityError("INSERT", {}, Exception("refused"))
        return result

    monkeypatch.setattr(importing.Writer, "write", failing_second)
    a = write_jsonl(tmp_path / "a.jsonl", {"text": "First.", "label": [[0, 5, "X"]]})
    b = write_jsonl(
        tmp_path / "b.jsonl",
        {"text": "Second.", "annotations": [{"annotator": "dave", "spans": [
            {"start": 0, "end": 6, "label": "Y"}]}]},
    )  # fmt: skip
    c = write_jsonl(tmp_path / "c.jsonl", {"text": "Third.", "label": [[0, 5, "Z"]]})

    report = import_paths(corpus, [a, b, c], project="news")

    assert calls["n"] == 3
    assert [failure.path for failure in report.failures] == [b]
    assert "the database refused this file" in report.summary()
    assert texts(corpus) == ["First.", "Third."]
    assert labels(corpus) == {("span", "X"), ("span", "Z")}
    assert annotators(corpus) == {"alice"}
    # The labels of the third file follow the first's, not the rolled-back second's.
    project_id = corpus.project("news").id
    assert project_id is not None
    assert [label.position for label in corpus.labels(project_id)] == [0, 1]


# --- cancelling ----------------------------------------------------------------------------


@pytest.mark.parametrize("stop_at", [1, 2, 3])
def test_a_cancelled_import_writes_nothing_at_all(
    corpus: Corpus, tmp_path: Path, stop_at: int
) -> None:
    paths = [
        write_jsonl(
            tmp_path / f"{index}.jsonl",
            {
                "text": f"Document {index}.",
                "label": [[0, 8, "THING"]],
                "annotations": [
                    {"annotator": f"person{index}", "status": "done", "document_labels": ["T"]}
                ],
            },
        )
        for index in range(2)
    ]
    seen: list[tuple[int, int, str]] = []

    def on_progress(done: int, total: int, name: str) -> bool:
        seen.append((done, total, name))
        return len(seen) < stop_at  # the last call (after every file) is number 3

    with pytest.raises(ImportCancelled, match="nothing was written"):
        import_paths(corpus, paths, project="news", on_progress=on_progress)

    assert len(seen) == stop_at
    assert row_counts(corpus) == {model.__tablename__: 0 for model in TABLES}


def test_progress_reports_bytes_and_file_names(corpus: Corpus, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", {"text": "One."})
    b = write_jsonl(tmp_path / "b.jsonl", {"text": "Two, a bit longer."})
    seen: list[tuple[int, int, str]] = []
    import_paths(corpus, [a, b], project="news", on_progress=lambda *args: seen.append(args))
    total = a.stat().st_size + b.stat().st_size
    assert seen == [(0, total, "a.jsonl"), (a.stat().st_size, total, "b.jsonl"), (total, total, "")]


# --- importing again -----------------------------------------------------------------------


def test_importing_the_same_jsonl_twice_adds_nothing_the_second_time(
    corpus: Corpus, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "work.jsonl",
        {"text": "Ada met Charles.", "label": [[0, 3, "PER"], [8, 15, "PER"]]},
        {"text": "A match report.", "label": ["Sports"]},
        {
            "text": "Our own export.",
            "annotations": [
                {
                    "annotator": "carol", "status": "done", "document_labels": ["Sports"],
                    "spans": [{"start": 0, "end": 3, "label": "PER", "note": "odd"}],
                },
                {"annotator": "dave", "status": "in_progress"},
            ],
        },
    )  # fmt: skip
    first = import_paths(corpus, [path], project="news")
    assert_imported(first, documents=3, spans=3, document_labels=2, statuses=2)
    before = row_counts(corpus)

    second = import_paths(corpus, [path], project="news")

    assert_imported(
        second, documents=0, duplicates=3, spans=0, spans_already_present=3,
        document_labels=0, statuses=0,
    )  # fmt: skip
    assert second.labels_created == []
    assert "skipped 3 duplicate document(s) and 3 span(s) already present" in second.summary()
    after = row_counts(corpus)
    assert after.pop("history") == before.pop("history") + 1
    assert after == before


def test_every_imported_file_gets_one_history_row(corpus: Corpus, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha.", encoding="utf-8")
    write_jsonl(tmp_path / "b.jsonl", {"text": "Beta.", "label": [[0, 4, "X"]]}, {"text": "Alpha."})
    (tmp_path / "c.csv").write_text("text\nGamma.\n", encoding="utf-8")

    import_paths(corpus, [tmp_path], project="news")

    rows = import_history(corpus)
    assert [(row.entity, row.annotator, row.after) for row in rows] == [
        ("file", "alice", {"file": "a.txt", "documents": 1, "duplicates": 0, "spans": 0}),
        ("file", "alice", {"file": "b.jsonl", "documents": 1, "duplicates": 1, "spans": 1}),
        ("file", "alice", {"file": "c.csv", "documents": 1, "duplicates": 0, "spans": 0}),
    ]
    project_id = corpus.project("news").id
    assert {row.project_id for row in rows} == {project_id}


# --- property: offsets survive import and export -------------------------------------------

PIECES = (
    "a", "Z", "7", " ", ",", '"', "'", "=", "😀", "𝔘", "🇬🇧", "e\u0301", "\u0301", "\u0327",
    "مرحبا", "שלום", "\u200f", "\r\n", "\r", "\n", "\t", "\u2028", "\x85", "\x0c",
)  # fmt: skip
VISIBLE = tuple(piece for piece in PIECES if piece.strip())
SPAN_LABELS = ("A", "B")


@st.composite
def documents_with_spans(draw: st.DrawFn) -> tuple[str, list[list[Any]]]:
    first = draw(st.sampled_from(VISIBLE))  # a text is never blank
    raw = first + "".join(draw(st.lists(st.sampled_from(PIECES), max_size=24)))
    # Valid boundaries: anywhere except between the CR and the LF of one line break.
    boundaries = [
        i for i in range(len(raw) + 1) if not (0 < i < len(raw) and raw[i - 1 : i + 1] == "\r\n")
    ]
    spans: list[list[Any]] = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(boundaries) - 2))
        end = draw(st.integers(start + 1, len(boundaries) - 1))
        spans.append([boundaries[start], boundaries[end], draw(st.sampled_from(SPAN_LABELS))])
    return raw, spans


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _moved(raw: str, offset: int) -> int:
    return offset - raw[:offset].count("\r\n")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(documents_with_spans(), min_size=1, max_size=3))
def test_spans_survive_import_and_csv_export_exactly(
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
    generated: list[tuple[str, list[list[Any]]]],
) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    url = databases.new(f"example-{folder.name}")  # each example its own database
    source = folder / "in.jsonl"
    with source.open("w", encoding="utf-8", newline="") as out:
        for raw, label in generated:
            out.write(json.dumps({"text": raw, "label": label}, ensure_ascii=False) + "\n")
    expected: dict[str, set[tuple[int, int, str, str]]] = {}
    for raw, label in generated:
        held = expected.setdefault(_normalise(raw), set())
        for start, end, name in label:
            held.add((_moved(raw, start), _moved(raw, end), name, _normalise(raw[start:end])))

    with Corpus.open(url, annotator="alice") as corpus:
        report = import_paths(corpus, [source], project="p")
        assert report.ok, report.summary()
        project_id = corpus.project("p").id
        assert project_id is not None
        stored = {document.id: document.text for document in documents(corpus, "p")}
        out = io.StringIO(newline="")
        with corpus.engine.connect() as connection:
            csv_export.write_rows(
                out, exporting.SPAN_COLUMNS, exporting.span_rows(connection, project_id)
            )

    assert sorted(stored.values()) == sorted(expected)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    exported: dict[str, set[tuple[int, int, str, str]]] = {text: set() for text in expected}
    for row in rows:
        text = stored[int(row["document_id"])]
        start, end = int(row["start"]), int(row["end"])
        assert row["text"] == text[start:end]
        assert row["left_context"] == text[max(0, start - 40) : start]
        assert row["right_context"] == text[end : end + 40]
        exported[text].add((start, end, row["label"], row["text"]))
    assert exported == expected


def test_plain_files_are_written_in_batches_and_a_refused_batch_file_by_file(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many short articles go in one write; when that write fails, each file is tried
    alone, so only the file at fault is reported."""
    from annotator.core import importing

    paths = []
    for number in range(4):
        path = tmp_path / f"article_{number}.txt"
        path.write_text(f"Article number {number}.", encoding="utf-8")
        paths.append(path)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "A NUL \\u0000 inside"}\n', encoding="utf-8")
    batches: list[int] = []
    original = importing.Writer.write_plain_batch

    def counting(self: Any, pending: Any) -> Any:
        batches.append(len(pending))
        return original(self, pending)

    monkeypatch.setattr(importing.Writer, "write_plain_batch", counting)
    report = import_paths(corpus, [*paths[:2], broken, *paths[2:]], project="news")
    assert batches == [5]  # one batch of every plain file, refused for the NUL
    assert [failure.path for failure in report.failures] == [broken]
    assert "NUL" in str(report.failures[0])
    assert texts(corpus) == sorted(f"Article number {n}." for n in range(4))
    assert (report.documents, report.duplicates) == (4, 0)
    again = import_paths(corpus, paths, project="news")
    assert (again.documents, again.duplicates) == (0, 4)
    with corpus.session() as session:
        from sqlmodel import select

        from annotator.core.models import History

        imports = session.exec(select(History).where(History.action == "import")).all()
    assert sorted(row.after["file"] for row in imports) == sorted([p.name for p in paths] * 2)


def test_new_documents_get_their_own_spans_beside_older_ones(
    corpus: Corpus, tmp_path: Path
) -> None:
    """Ids of a bulk insert are found again by hash: every span lands on its own text,
    in a project and a table that already hold documents (here in two projects)."""
    older = [{"text": f"Older document number {n}."} for n in range(5)]
    import_paths(corpus, [write_jsonl(tmp_path / "other.jsonl", *older)], project="other")
    import_paths(corpus, [write_jsonl(tmp_path / "old.jsonl", *older[:3])], project="p")
    texts = [f"Person {n} met Person {n + 1} in town {n}." for n in range(40)]
    lines = [{"text": t, "label": [[0, len(f"Person {n}"), "PER"]]} for n, t in enumerate(texts)]
    lines.insert(7, {"text": "Older document number 1.", "label": [[0, 5, "PER"]]})
    report = import_paths(corpus, [write_jsonl(tmp_path / "new.jsonl", *lines)], project="p")
    assert (report.documents, report.duplicates, report.spans) == (40, 1, 41)
    project_id = corpus.project_id("p")
    seen = []
    for row in corpus.documents(project_id):
        text = corpus.document(row.id).text
        spans = corpus.spans(row.id)
        seen.extend((text, span.text, text[span.start : span.end]) for span in spans)
    assert sorted((text, span) for text, span, _ in seen) == sorted(
        [(t, f"Person {n}") for n, t in enumerate(texts)] + [("Older document number 1.", "Older")]
    )
    assert all(span == cut for _, span, cut in seen)


def test_a_bad_file_into_a_new_project_leaves_no_project_behind(
    corpus: Corpus, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01 binary")
    report = import_paths(corpus, [bad], project="fresh")
    assert len(report.failures) == 1
    assert [summary.name for summary in corpus.projects()] == []
    # An existing project stays, even when nothing new comes into it.
    corpus.create_project("kept")
    import_paths(corpus, [bad], project="kept")
    assert [summary.name for summary in corpus.projects()] == ["kept"]


def test_an_empty_or_unreadable_folder_is_a_failure_not_zero_files(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    (empty / "photos").mkdir(parents=True)
    (empty / "photos" / "cover.jpg").write_bytes(b"\xff\xd8")
    report = import_paths(corpus, [empty], project="news")
    [failure] = report.failures
    assert failure.path == empty and "no files to import here" in str(failure)

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("An article.", encoding="utf-8")

    # Tests run as root, whom permissions do not stop: the walk reports the refusal the
    # operating system would give anyone else.
    def refused_walk(top: object, onerror: Any = None, **_options: object) -> Any:
        onerror(PermissionError(13, "Permission denied", str(top)))
        return iter(())

    monkeypatch.setattr("annotator.core.importing.os.walk", refused_walk)
    report = import_paths(corpus, [locked], project="news")
    [failure] = report.failures
    assert str(failure) == f"{locked}: cannot read this folder: Permission denied"
    assert report.documents == 0
