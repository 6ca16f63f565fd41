"""Several programs on one database at once (a SQLite file or a PostgreSQL server): every
write waits its turn or merges with the others, none is refused, nothing is lost or doubled."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from annotator.base.text import content_hash
from annotator.base.vocabulary import LabelKind, Status
from annotator.core.corpus import Corpus
from annotator.core.models import utc_now
from tests.conftest import REPO
from tests.core.conftest import add_document

WRITERS = ("ana", "ben", "cleo", "dev")
SPANS = 1000  # added by each writer; every second one relabelled, every third one removed
DOCUMENTS = 20
WORDS = 60  # "d00w000 " ... in each document
BULK = 3000  # documents in the file imported alongside


def word_text(document: int) -> str:
    return " ".join(f"d{document:02d}w{word:03d}" for word in range(WORDS))


WORD_LENGTH = len("d00w000")


def spot(index: int, document_ids: Sequence[int]) -> tuple[int, int, int]:
    """Where a writer's `index`th span goes: (document id, start, end)."""
    document = document_ids[index % len(document_ids)]
    start = (index // len(document_ids)) * (WORD_LENGTH + 1)
    return document, start, start + WORD_LENGTH


def expected_layer(document_ids: Sequence[int], labels: Sequence[int]) -> set[tuple[int, ...]]:
    """(document, start, end, label) of every span a writer leaves behind."""
    return {
        (*spot(i, document_ids), labels[1] if i % 2 else labels[0])
        for i in range(SPANS)
        if i % 3 != 0
    }


def write_spans(
    database: str, name: str, document_ids: list[int], labels: list[int], errors: str
) -> None:
    """One annotator's session: add, relabel and remove spans, each its own transaction."""
    try:
        with Corpus.open(database, annotator=name) as corpus:
            for i in range(SPANS):
                document, start, end = spot(i, document_ids)
                span_id = corpus.add_span(document, labels[0], start, end).entity_id
                assert span_id is not None
                if i % 2:
                    corpus.relabel_span(span_id, labels[1])
                if i % 3 == 0:
                    corpus.remove_span(span_id)
    except BaseException:
        Path(errors).write_text(traceback.format_exc(), encoding="utf-8")
        raise SystemExit(1) from None


def bulk_file(path: Path, *, documents: int, tag: str) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            text = f"{tag} article {i}: " + " ".join(f"{tag}{i}x{w}" for w in range(40))
            out.write(json.dumps({"text": text, "title": f"{tag} {i}"}) + "\n")
    return path


def start_import(
    database: Path | str, source: Path, project: str, *, annotator: str = "importer"
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "import", str(source), "--project", project,
         "--db", str(database), "--annotator", annotator],
        cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def seeded(database: Path | str) -> tuple[list[int], list[int]]:
    from annotator.base.text import content_hash
    from annotator.core.models import Document

    with Corpus.open(str(database), annotator="setup") as corpus:
        project_id = corpus.create_project("news").id
        assert project_id is not None
        corpus.add_label(project_id, "ORG")
        corpus.add_label(project_id, "PER")
        labels = [label.id for label in corpus.labels(project_id) if label.id is not None]
        with corpus.action() as session:
            texts = [word_text(d) for d in range(DOCUMENTS)]
            rows = [
                Document(project_id=project_id, text=t, content_hash=content_hash(t)) for t in texts
            ]
            session.add_all(rows)
            session.flush()
            document_ids = [row.id for row in rows if row.id is not None]
    return document_ids, labels


def test_four_writers_and_an_import_at_once_lose_and_refuse_nothing(
    tmp_path: Path, database_url: str
) -> None:
    database = database_url
    document_ids, labels = seeded(database)
    source = bulk_file(tmp_path / "bulk.jsonl", documents=BULK, tag="bulk")
    spawn = multiprocessing.get_context("spawn")
    writers = {
        name: spawn.Process(
            target=write_spans,
            args=(str(database), name, document_ids, labels, str(tmp_path / f"{name}.err")),
        )
        for name in WRITERS
    }
    for process in writers.values():
        process.start()
    importer = start_import(database, source, "bulk")
    out, err = importer.communicate(timeout=240)
    for process in writers.values():
        process.join(timeout=240)

    assert importer.returncode == 0, err
    assert f"imported {BULK} document(s)" in out
    for name, process in writers.items():
        failure = tmp_path / f"{name}.err"
        assert process.exitcode == 0, failure.read_text() if failure.exists() else name
    expected = expected_layer(document_ids, labels)
    with Corpus.open(str(database), annotator="reader") as corpus:
        for name in WRITERS:
            layer = [
                (span.document_id, span.start, span.end, span.label_id)
                for document in document_ids
                for span in corpus.spans(document, annotator=name)
            ]
            assert len(layer) == len(set(layer)), f"{name}: a span written twice"
            assert set(layer) == expected, name
        bulk = corpus.project_id("bulk")
        assert len(corpus.documents(bulk)) == BULK
        if corpus.engine.dialect.name == "sqlite":
            with corpus.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_two_imports_into_one_project_at_once_both_succeed(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    Corpus.open(str(database)).close()
    first = bulk_file(tmp_path / "first.jsonl", documents=BULK, tag="first")
    second = bulk_file(tmp_path / "second.jsonl", documents=BULK, tag="second")
    imports = [start_import(database, source, "bulk") for source in (first, second)]
    for process in imports:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert f"imported {BULK} document(s)" in out
    with Corpus.open(str(database)) as corpus:
        titles = [row.title or "" for row in corpus.documents(corpus.project_id("bulk"))]
    assert len(titles) == 2 * BULK
    assert sum(title.startswith("first ") for title in titles) == BULK
    assert sum(title.startswith("second ") for title in titles) == BULK


SHARED_DOCUMENTS = 50
SPANS_PER_DOCUMENT = 6


def layer_spans(name: str, document: int) -> list[dict[str, object]]:
    """One person's spans on a document: half under a label every file brings (new to the
    project), half under a label only this person's file brings."""
    spans = []
    for k in range(SPANS_PER_DOCUMENT):
        start = (k * 7 + len(name)) * (WORD_LENGTH + 1)
        label = "EVENT" if k % 2 else f"KIND-{name}"
        spans.append({"start": start, "end": start + WORD_LENGTH, "label": label})
    return spans


def layer_file(path: Path, name: str) -> Path:
    """The same documents as every other person's file, with this person's layer and an
    identical `model` layer that each file brings along."""
    with path.open("w", encoding="utf-8") as out:
        for document in range(SHARED_DOCUMENTS):
            model = [{"start": 0, "end": WORD_LENGTH, "label": "EVENT"}]
            line = {
                "text": word_text(document),
                "title": f"shared {document}",
                "annotations": [
                    {"annotator": name, "status": "done",
                     "document_labels": ["Shared topic", f"Topic of {name}"],
                     "spans": layer_spans(name, document)},
                    {"annotator": "model", "document_labels": ["Shared topic"], "spans": model},
                ],
            }  # fmt: skip
            out.write(json.dumps(line) + "\n")
    return path


def test_four_annotators_importing_the_same_documents_at_once_all_succeed(
    tmp_path: Path, database_url: str
) -> None:
    """The project, the documents, the new labels and the `model` annotator are created by
    all four imports at once: each is made once and every layer is complete."""
    Corpus.open(database_url).close()
    sources = {name: layer_file(tmp_path / f"{name}.jsonl", name) for name in WRITERS}
    imports = {
        name: start_import(database_url, source, "shared", annotator=name)
        for name, source in sources.items()
    }
    for name, process in imports.items():
        _out, err = process.communicate(timeout=240)
        assert process.returncode == 0, f"{name}: {err}"

    with Corpus.open(database_url, annotator="reader") as corpus:
        project_id = corpus.project_id("shared")
        documents = corpus.documents(project_id)
        assert len(documents) == SHARED_DOCUMENTS
        span_labels = [label.name for label in corpus.labels(project_id, kind=LabelKind.SPAN)]
        assert sorted(span_labels) == sorted(["EVENT", *(f"KIND-{name}" for name in WRITERS)])
        document_labels = [
            label.name for label in corpus.labels(project_id, kind=LabelKind.DOCUMENT)
        ]
        assert sorted(document_labels) == sorted(
            ["Shared topic", *(f"Topic of {name}" for name in WRITERS)]
        )
        names = {label.id: label.name for label in corpus.labels(project_id)}
        by_title = {row.title: row.id for row in documents}
        for name in WRITERS:
            for document in range(SHARED_DOCUMENTS):
                document_id = by_title[f"shared {document}"]
                layer = [
                    (span.start, span.end, names[span.label_id])
                    for span in corpus.spans(document_id, annotator=name)
                ]
                expected = [(s["start"], s["end"], s["label"]) for s in layer_spans(name, document)]
                assert sorted(layer) == sorted(expected), (name, document)  # type: ignore[type-var]
                assert corpus.document_row(document_id, annotator=name).status == Status.DONE
                assert sorted(
                    names[i] for i in corpus.document_labels(document_id, annotator=name)
                ) == sorted(["Shared topic", f"Topic of {name}"])
        for row in documents:
            model = corpus.spans(row.id, annotator="model")
            assert [(span.start, span.end) for span in model] == [(0, WORD_LENGTH)]


def open_as_newcomer(database: str, start: Any, errors: str) -> None:
    """A window of an annotator nobody has seen yet: the first span makes the annotator."""
    try:
        with Corpus.open(database, annotator="newcomer") as corpus:
            start.wait(timeout=60)
            corpus.annotator_id()
    except BaseException:
        Path(errors).write_text(traceback.format_exc(), encoding="utf-8")
        raise SystemExit(1) from None


def test_four_windows_of_one_new_annotator_starting_at_once_make_one_annotator(
    tmp_path: Path, database_url: str
) -> None:
    Corpus.open(database_url).close()
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(4)
    windows = [
        spawn.Process(
            target=open_as_newcomer, args=(database_url, start, str(tmp_path / f"{n}.err"))
        )
        for n in range(4)
    ]
    for window in windows:
        window.start()
    for n, window in enumerate(windows):
        window.join(timeout=120)
        failure = tmp_path / f"{n}.err"
        assert window.exitcode == 0, failure.read_text() if failure.exists() else n
    with Corpus.open(database_url) as corpus:
        assert corpus.annotators().count("newcomer") == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_rows_another_import_commits_midway_are_taken_as_found(
    tmp_path: Path, database_url: str
) -> None:
    """The moment the four-process test hopes to hit, made certain: after an import has
    looked at what the project holds, another program commits the same document, label
    and annotator. On SQLite the import's write lock leaves no such moment."""
    from sqlalchemy import insert

    from annotator.core.import_writer import Writer, ensure_project
    from annotator.core.models import annotator_t, document_t, label_t
    from annotator.formats.records import AnnotatorLayer, DocumentRecord, SpanRecord

    text = word_text(0)
    record = DocumentRecord(
        text=text,
        spans=[SpanRecord(start=0, end=WORD_LENGTH, label="EVENT", annotator="model")],
        layers=[AnnotatorLayer(annotator="model", status="done", document_labels=["Topic"])],
    )
    with Corpus.open(database_url, annotator="ana") as corpus:
        with corpus.engine.begin() as setup:
            project_id = ensure_project(setup, "shared", importer="setup")
        with corpus.engine.connect() as connection, connection.begin():
            writer = Writer(connection, project_id=project_id, importer="ana")
            with corpus.engine.begin() as other:
                other.execute(insert(annotator_t).values(name="model"))
                other.execute(
                    insert(label_t).values(project_id=project_id, name="EVENT", kind="span")
                )
                other.execute(
                    insert(document_t).values(
                        project_id=project_id, text=text, content_hash=content_hash(text),
                        meta={}, created_at=utc_now(),
                    )
                )  # fmt: skip
            counts = writer.write([record], source=tmp_path / "layers.jsonl")
        assert (counts.documents, counts.duplicates, counts.spans) == (0, 1, 1)
        assert counts.new_labels == [("document", "Topic", counts.new_labels[0][2])]
        document_id = corpus.documents(project_id)[0].id
        spans = corpus.spans(document_id, annotator="model")
        assert [(span.start, span.end) for span in spans] == [(0, WORD_LENGTH)]
        assert corpus.document_row(document_id, annotator="model").status == Status.DONE
        assert corpus.annotators().count("model") == 1


def test_a_write_waits_for_another_programs_lock_while_a_read_goes_on(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    seeded(database)
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    with Corpus.open(str(database), annotator="ana") as corpus:
        project_id = corpus.project_id("news")
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, holder.execute, ("COMMIT",))
        began = time.monotonic()
        release.start()
        try:
            assert [label.name for label in corpus.labels(project_id)] == ["ORG", "PER"]
            read = time.monotonic() - began
            corpus.add_label(project_id, "LOC")
            written = time.monotonic() - began
        finally:
            release.join()
            holder.close()
        assert read < 0.4 <= written
        assert [label.name for label in corpus.labels(project_id)] == ["ORG", "PER", "LOC"]


def test_two_programs_opening_one_new_database_at_once_make_its_schema_once(
    tmp_path: Path,
) -> None:
    """Both find no schema and wait for the lock; Alembic, run in the locked transaction,
    finds it made for the second and leaves it be."""
    database = tmp_path / "new.db"
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")  # as the first program to open it leaves it
    holder.execute("BEGIN IMMEDIATE")  # both openers get as far as the lock, then wait
    failures: list[BaseException] = []

    def open_and_create(name: str) -> None:
        try:
            with Corpus.open(str(database), annotator=name) as corpus:
                corpus.create_project(name)
        except BaseException as error:
            failures.append(error)

    openers = [threading.Thread(target=open_and_create, args=(name,)) for name in ("a", "b")]
    for opener in openers:
        opener.start()
    time.sleep(0.5)
    holder.execute("COMMIT")
    holder.close()
    for opener in openers:
        opener.join(timeout=60)
    assert failures == []
    with Corpus.open(str(database)) as corpus:
        assert sorted(project.name for project in corpus.projects()) == ["a", "b"]


def test_our_own_checks_of_an_open_database_keep_its_locks(tmp_path: Path) -> None:
    """Closing a descriptor of our own on a database drops every POSIX lock the process
    holds on it; another program then takes itself for the last user and deletes the WAL
    our connections still write to, and later commits vanish. Every check annotator makes
    of a file it has open (is it a database, the daily backup, opening it again) must go
    through SQLite."""
    from annotator.base.safe_files import is_sqlite_file
    from annotator.core.backups import take_backup

    path = tmp_path / "corpus.db"
    corpus = Corpus.open(str(path), annotator="alice")
    try:
        project = corpus.create_project("news")
        document_id = add_document(corpus, project.id, "Alice met Bob in Paris.")
        assert project.id is not None
        label_id = corpus.add_label(project.id, "Person").entity_id
        assert label_id is not None
        corpus.add_span(document_id, label_id, 0, 5)
        assert is_sqlite_file(path)
        take_backup(path, kind="manual")
        Corpus.open(str(path), annotator="bob").close()
        # Another program opens and closes the database, as a CLI command would.
        subprocess.run(
            [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
             "c.execute('SELECT count(*) FROM span').fetchone(); c.close()", str(path)],
            check=True, timeout=60,
        )  # fmt: skip
        assert Path(f"{path}-wal").exists(), "another program deleted the WAL still in use"
        corpus.add_span(document_id, label_id, 10, 13)
    finally:
        corpus.close()
    with sqlite3.connect(path) as connection:
        spans = connection.execute("SELECT start, end FROM span ORDER BY start").fetchall()
    connection.close()
    assert spans == [(0, 5), (10, 13)]
