"""Team speed: span edits under 4 other writers, and a 10,000-article import, on both backends.

    python benchmarks/team_speed.py                   # 1,000 edits, 10,000 articles
    python benchmarks/team_speed.py --quick           # 200 edits, 1,000 articles
    python benchmarks/team_speed.py --backend sqlite  # or postgresql; both by default

PostgreSQL runs in a fresh database made on the server of ANNOTATOR_BENCH_PG_URL (else
ANNOTATOR_TEST_PG_URL) and dropped at the end; without either, that part is skipped and
says so. SQLite runs in a temporary folder removed at the end.

a. Span edit latency. The measured process opens the Corpus as the window does and makes
   --edits edits (add, add, relabel, remove, in turn) through `Corpus.add_span`,
   `relabel_span` and `remove_span`, 50 on one document before it opens the next, timing
   each call, after 50 untimed edits (a window already in use). Meanwhile --writers other
   processes (multiprocessing, spawn), each another annotator, edit spans the same way
   on the same documents, without pause (or --writer-pause ms between edits). Baseline:
   the same edits as single-row INSERT / UPDATE / DELETE + commit through raw sqlite3 or
   psycopg, into the same `span` table, under the same writers; app and baseline take
   turns in blocks of 50 edits so that both see the same load. Median, p99 and max in ms.
b. Import. --documents synthetic articles of ~3 KB (those of import_articles.py) in one
   JSONL file (text, title, meta), imported by `import_paths` (what `annotator import`
   runs) into a fresh database. Baseline: the same file read with json.loads, hashed with
   sha256 and inserted with one executemany into the app's own tables (made by
   `Corpus.open`, not timed), in one transaction; on PostgreSQL COPY is printed too.
   Then the same with 10 spans per document (--spans) and 5 new labels.

Timings are wall-clock; imports are best of --runs, each on a fresh database. Not a test:
nothing asserts on time. On a busy or shared machine compare the ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty
from typing import Any

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_articles import make_articles  # the sibling script's articles

from annotator.core.corpus import Corpus
from annotator.core.db import masked
from annotator.core.importing import import_paths

PROJECT = "team"
EDIT_LABELS = ("PER", "ORG", "LOC", "MISC")
IMPORT_LABELS = ("PER", "ORG", "LOC", "DATE", "EVENT")
EDITS_PER_DOCUMENT = 50  # the measured annotator opens another document after these
SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
WORD = re.compile(r"\w+")
SEED = 20261130
DATABASE_PREFIX = "annotator_team_speed_"  # of the PostgreSQL databases made and dropped


# --- databases -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    make: Callable[[str], str]  # a fresh database's SQLAlchemy URL, from a short tag
    drop: Callable[[str], None]


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg's own connect() takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_backend(scratch: Path) -> Backend:
    def make(tag: str) -> str:
        return f"sqlite:///{scratch / f'{tag}-{uuid.uuid4().hex[:8]}.db'}"

    def drop(url: str) -> None:
        path = Path(make_url(url).database or "")
        for leftover in path.parent.glob(path.name + "*"):  # the file, -wal and -shm
            leftover.unlink()

    return Backend("SQLite", make, drop)


def postgres_backend(server: str) -> Backend:
    import psycopg

    def make(tag: str) -> str:
        name = f"{DATABASE_PREFIX}{tag}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(libpq(server), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        parsed = make_url(server).set(database=name)
        if parsed.drivername in {"postgresql", "postgres"}:
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)

    def drop(url: str) -> None:
        name = make_url(url).database
        with psycopg.connect(libpq(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return Backend("PostgreSQL", make, drop)


@contextmanager
def fresh(backend: Backend, tag: str) -> Iterator[str]:
    url = backend.make(tag)
    try:
        yield url
    finally:
        backend.drop(url)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_connection(url: str) -> sqlite3.Connection:
    """Tuned as the app tunes its own (core.db): WAL, synchronous=NORMAL, 30 s busy wait."""
    connection = sqlite3.connect(make_url(url).database or "", isolation_level=None, timeout=30)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def utc_text() -> str:
    return datetime.now(UTC).strftime(SQLITE_TIMESTAMP)


# --- a. span edits -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edit:
    kind: str  # add, relabel or remove
    document: int
    span_id: int = 0
    label: int = 0
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class Lane:
    """One annotator's own spans and what they do next: add, add, relabel, remove, in
    turn, on random words of the open document (a remove or relabel needs a span there)."""

    rng: random.Random
    words: dict[int, list[tuple[int, int]]]
    labels: list[int]
    spans: dict[int, dict[int, tuple[int, int, int]]] = field(default_factory=dict)
    step: int = 0

    def plan(self, document: int) -> Edit:
        mine = self.spans.setdefault(document, {})
        kind = ("add", "add", "relabel", "remove")[self.step % 4]
        self.step += 1
        if kind == "add" or not mine:
            taken = {(start, end) for start, end, _ in mine.values()}
            start, end = self.rng.choice(self.words[document])
            while (start, end) in taken:
                start, end = self.rng.choice(self.words[document])
            return Edit("add", document, label=self.rng.choice(self.labels), start=start, end=end)
        span_id = self.rng.choice(list(mine))
        if kind == "remove":
            return Edit("remove", document, span_id=span_id)
        _, _, old = mine[span_id]
        label = self.rng.choice([label for label in self.labels if label != old])
        return Edit("relabel", document, span_id=span_id, label=label)

    def done(self, edit: Edit, span_id: int) -> None:
        mine = self.spans[edit.document]
        if edit.kind == "add":
            mine[span_id] = (edit.start, edit.end, edit.label)
        elif edit.kind == "relabel":
            start, end, _ = mine[edit.span_id]
            mine[edit.span_id] = (start, end, edit.label)
        else:
            del mine[edit.span_id]


class AppEditor:
    """What one key press in the window does: one Corpus action (see gui/workspace.py)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def open(self, document: int) -> None:
        self.corpus.document(document)  # the window reads the text as it opens it

    def apply(self, edit: Edit) -> int:
        if edit.kind == "add":
            change = self.corpus.add_span(edit.document, edit.label, edit.start, edit.end)
            assert change.entity_id is not None
            return change.entity_id
        if edit.kind == "relabel":
            self.corpus.relabel_span(edit.span_id, edit.label)
        else:
            self.corpus.remove_span(edit.span_id)
        return edit.span_id


class RawEditor:
    """The baseline: one row inserted, updated or deleted and committed, nothing else."""

    def __init__(self, url: str, annotator_id: int, texts: dict[int, str]) -> None:
        self.sqlite = is_sqlite(url)
        self.annotator_id = annotator_id
        self.texts = texts
        if self.sqlite:
            self.connection: Any = sqlite_connection(url)
            self.mark, self.begin = "?", "BEGIN IMMEDIATE"  # as the app's writes begin
        else:
            import psycopg

            self.connection = psycopg.connect(libpq(url))
            self.mark, self.begin = "%s", ""

    def open(self, document: int) -> None:
        pass

    def _run(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        if self.begin:
            self.connection.execute(self.begin)
        cursor = self.connection.execute(sql.replace("?", self.mark), parameters)
        row = cursor.fetchone() if "RETURNING" in sql else None
        self.connection.execute("COMMIT") if self.sqlite else self.connection.commit()
        return row

    def apply(self, edit: Edit) -> int:
        now: Any = utc_text() if self.sqlite else datetime.now(UTC)
        if edit.kind == "add":
            (span_id,) = self._run(
                'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, '
                "note, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, "
                "'manual', ?, ?) RETURNING id",
                (edit.document, self.annotator_id, edit.label, edit.start, edit.end,
                 self.texts[edit.document][edit.start : edit.end], now, now),
            )  # fmt: skip
            return int(span_id)
        if edit.kind == "relabel":
            self._run(
                "UPDATE span SET label_id = ?, updated_at = ? WHERE id = ?",
                (edit.label, now, edit.span_id),
            )
        else:
            self._run("DELETE FROM span WHERE id = ?", (edit.span_id,))
        return edit.span_id

    def close(self) -> None:
        self.connection.close()


def word_spans(texts: dict[int, str]) -> dict[int, list[tuple[int, int]]]:
    return {doc: [m.span() for m in WORD.finditer(text)] for doc, text in texts.items()}


def writer_main(
    url: str,
    name: str,
    texts: dict[int, str],
    labels: list[int],
    seed: int,
    stop: Any,
    edits: Any,
    index: int,
    errors: Any,
    pause: float,
) -> None:
    """Another annotator editing, `pause` seconds between edits (none by default), 50
    edits on a document, then another."""
    try:
        with Corpus.open(url, annotator=name) as corpus:
            rng = random.Random(seed)
            lane, editor = Lane(rng, word_spans(texts), labels), AppEditor(corpus)
            documents = sorted(texts)
            while not stop.is_set():
                document = rng.choice(documents)
                editor.open(document)
                for _ in range(EDITS_PER_DOCUMENT):
                    if stop.wait(pause):
                        break
                    edit = lane.plan(document)
                    lane.done(edit, editor.apply(edit))
                    edits[index] += 1
    except BaseException:
        errors.put(f"writer {name} failed:\n{traceback.format_exc()}")
        raise SystemExit(1) from None


def seed_edit_corpus(url: str, documents: int, scratch: Path) -> tuple[dict[int, str], list[int]]:
    """A project of `documents` articles and 4 span labels; their texts and label ids."""
    source = scratch / "edit-articles.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for article in make_articles(documents, seed=SEED):
            out.write(json.dumps({"text": article.body, "title": article.title}) + "\n")
    with Corpus.open(url, annotator="setup") as corpus:
        report = import_paths(corpus, [source], project=PROJECT)
        if not report.ok:
            raise SystemExit(f"setting up the edit corpus failed:\n{report.summary()}")
        project_id = corpus.project_id(PROJECT)
        labels = [corpus.add_label(project_id, name).entity_id for name in EDIT_LABELS]
        rows = corpus.documents(project_id)
        texts = {row.id: corpus.document(row.id).text for row in rows}
    return texts, [label for label in labels if label is not None]


@dataclass(slots=True)
class Latencies:
    name: str
    seconds: list[float] = field(default_factory=list)

    def ms(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) * 1000


def drained(queue: Any) -> list[str]:
    found: list[str] = []
    while True:
        try:
            found.append(queue.get(timeout=0.5))
        except Empty:
            return found


def timed_block(editor: AppEditor | RawEditor, lane: Lane, document: int, into: Latencies) -> None:
    editor.open(document)  # opening the document is not an edit: not timed
    for _ in range(EDITS_PER_DOCUMENT):
        edit = lane.plan(document)
        started = time.perf_counter()
        span_id = editor.apply(edit)
        into.seconds.append(time.perf_counter() - started)
        lane.done(edit, span_id)


def edit_latency(backend: Backend, args: argparse.Namespace, scratch: Path) -> None:
    with fresh(backend, "edits") as url:
        texts, labels = seed_edit_corpus(url, args.edit_documents, scratch)
        documents = sorted(texts)
        context = multiprocessing.get_context("spawn")
        stop, errors = context.Event(), context.Queue()
        edits = context.Array("q", args.writers, lock=False)
        writers = [
            context.Process(
                target=writer_main,
                args=(
                    url,
                    f"writer{n + 1}",
                    texts,
                    labels,
                    SEED + n,
                    stop,
                    edits,
                    n,
                    errors,
                    args.writer_pause / 1000,
                ),
            )
            for n in range(args.writers)
        ]
        for writer in writers:
            writer.start()
        app, raw = Latencies("app Corpus actions"), Latencies("raw " + backend.name.lower())
        try:
            deadline = time.monotonic() + 120
            while writers and min(edits) < 5 and time.monotonic() < deadline:  # all writing
                if not all(writer.is_alive() for writer in writers):
                    break
                time.sleep(0.05)
            with Corpus.open(url, annotator="measured") as corpus:
                raw_id = corpus.annotator_id("baseline")
                app_editor = AppEditor(corpus)
                raw_editor = RawEditor(url, raw_id, texts)
                app_lane = Lane(random.Random(SEED), word_spans(texts), labels)
                raw_lane = Lane(random.Random(SEED), word_spans(texts), labels)
                for editor, lane in ((app_editor, app_lane), (raw_editor, raw_lane)):
                    # Statements compiled and prepared, the annotator made: a window in use.
                    timed_block(editor, lane, documents[-1], Latencies("warm-up"))
                before, started = sum(edits), time.perf_counter()
                for block in range(-(-args.edits // EDITS_PER_DOCUMENT)):
                    document = documents[block % len(documents)]
                    timed_block(app_editor, app_lane, document, app)
                    timed_block(raw_editor, raw_lane, document, raw)
                elapsed, others = time.perf_counter() - started, sum(edits) - before
                raw_editor.close()
        finally:
            stop.set()
            for writer in writers:
                writer.join(timeout=60)
        failures = drained(errors)
        alive = sum(writer.exitcode == 0 for writer in writers)
    del app.seconds[args.edits :], raw.seconds[args.edits :]
    print(
        f"\na. span edit latency, {backend.name}: {len(app.seconds):,} edits (add, add, relabel, "
        f"remove) on {len(documents)} documents, {EDITS_PER_DOCUMENT} per document, after "
        f"{EDITS_PER_DOCUMENT} untimed edits each to warm up"
    )
    print(
        f"  {args.writers} other writers ({alive} finished cleanly; {args.writer_pause:g} ms "
        f"pause between edits) made {others:,} edits "
        f"while these were measured ({others / elapsed:,.0f} per second), {sum(edits):,} in all"
    )
    print(f"  {'measurement':<24} {'median ms':>10} {'p99 ms':>9} {'max ms':>9}")
    for result in (raw, app):
        print(
            f"  {result.name:<24} {result.median:>10.2f} {result.ms(0.99):>9.2f} "
            f"{max(result.seconds) * 1000:>9.2f}"
        )
    print(
        f"  ratio app / baseline: median {app.median / raw.median:.2f}x, "
        f"p99 {app.ms(0.99) / raw.ms(0.99):.2f}x"
    )
    for failure in failures:
        print(f"  WARNING: {failure.strip().splitlines()[-1]}")


# --- b. import -----------------------------------------------------------------------------


def write_import_file(path: Path, count: int, spans: int) -> Path:
    """One JSONL line per article; with `spans`, that many spans on distinct words."""
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for article in make_articles(count, seed=SEED):
            line: dict[str, Any] = {
                "text": article.body, "title": article.title, "meta": {"n": article.number},
            }  # fmt: skip
            if spans:
                words = rng.sample([m.span() for m in WORD.finditer(article.body)], spans)
                line["spans"] = [
                    {"start": start, "end": end, "label": rng.choice(IMPORT_LABELS)}
                    for start, end in sorted(words)
                ]
            out.write(json.dumps(line) + "\n")
    return path


@dataclass(frozen=True, slots=True)
class Stored:
    documents: int
    spans: int


def app_import(url: str, source: Path) -> tuple[float, Stored]:
    with Corpus.open(url, annotator="importer") as corpus:  # migrations: setup, not timed
        started = time.perf_counter()
        report = import_paths(corpus, [source], project=PROJECT)
        elapsed = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"the app's import failed:\n{report.summary()}")
    return elapsed, Stored(report.documents, report.spans)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def baseline_import(url: str, source: Path, *, copy: bool = False) -> tuple[float, Stored]:
    """Raw sqlite3 or psycopg into the app's own tables (made by Corpus.open, not timed):
    read, json.loads, sha256, executemany (or COPY), one transaction."""
    Corpus.open(url, annotator="importer").close()
    sqlite = is_sqlite(url)
    if sqlite:
        connection: Any = sqlite_connection(url)
    else:
        import psycopg

        connection = psycopg.connect(libpq(url))
    mark = "?" if sqlite else "%s"

    def one(sql: str, parameters: tuple[Any, ...]) -> int:
        return int(connection.execute(sql.replace("?", mark), parameters).fetchone()[0])

    def put(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if copy:
            with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as writer:
                for row in rows:
                    writer.write_row(row)
            return
        cursor = connection.cursor()
        marks = ", ".join([mark] * (columns.count(",") + 1))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        cursor.close()

    try:
        started = time.perf_counter()
        if sqlite:
            connection.execute("BEGIN IMMEDIATE")
        now: Any = utc_text() if sqlite else datetime.now(UTC)
        project = one("INSERT INTO project (name, created_at) VALUES (?, ?) RETURNING id",
                      (PROJECT, now))  # fmt: skip
        documents: list[tuple[Any, ...]] = []
        spans: list[tuple[str, int, int, str, str]] = []
        with source.open(encoding="utf-8") as lines:
            for line in lines:
                value = json.loads(line)
                text, digest = value["text"], _sha256(value["text"])
                documents.append(
                    (project, text, value["title"], json.dumps(value["meta"]), digest, now)
                )
                spans += [
                    (digest, s["start"], s["end"], text[s["start"] : s["end"]], s["label"])
                    for s in value.get("spans", ())
                ]
        put("document", "project_id, text, title, meta, content_hash, created_at", documents)
        if spans:
            annotator = one("INSERT INTO annotator (name, kind) VALUES (?, 'person') RETURNING id",
                            ("importer",))  # fmt: skip
            labels = {
                name: one(
                    "INSERT INTO label (project_id, name, kind, color, hotkey, description, "
                    "position) VALUES (?, ?, 'span', '#4e79a7', NULL, '', ?) RETURNING id",
                    (project, name, position),
                )
                for position, name in enumerate(sorted({span[4] for span in spans}))
            }
            ids = dict(
                connection.execute(
                    f"SELECT content_hash, id FROM document WHERE project_id = {mark}", (project,)
                ).fetchall()
            )
            put(
                "span",
                'document_id, annotator_id, label_id, start, "end", text, origin, created_at, '
                "updated_at",
                [(ids[digest], annotator, labels[label], start, end, surface, "imported", now, now)
                 for digest, start, end, surface, label in spans],
            )  # fmt: skip
        connection.execute("COMMIT") if sqlite else connection.commit()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return elapsed, Stored(len(documents), len(spans))


@dataclass(slots=True)
class Timing:
    name: str
    runs: list[float]
    stored: Stored

    @property
    def best(self) -> float:
        return min(self.runs)


def best_of(
    name: str, runs: int, backend: Backend, work: Callable[[str], tuple[float, Stored]]
) -> Timing:
    times: list[float] = []
    stored = Stored(0, 0)
    for _ in range(runs):
        with fresh(backend, "import") as url:
            elapsed, stored = work(url)
        times.append(elapsed)
    return Timing(name, times, stored)


def import_speed(backend: Backend, args: argparse.Namespace, sources: dict[int, Path]) -> None:
    for spans, source in sources.items():
        work: dict[str, Callable[[str], tuple[float, Stored]]] = {
            f"raw {backend.name.lower()} executemany": lambda url, s=source: baseline_import(url, s)
        }
        if backend.name == "PostgreSQL":
            work["raw psycopg COPY"] = lambda url, s=source: baseline_import(url, s, copy=True)
        work["app import_paths"] = lambda url, s=source: app_import(url, s)
        timings = [best_of(name, args.runs, backend, job) for name, job in work.items()]
        baseline, app = timings[0], timings[-1]
        what = f"{args.documents:,} articles" + (f", {spans} spans each" if spans else "")
        print(f"\nb. import, {backend.name}: {what}, one JSONL file of "
              f"{source.stat().st_size / 2**20:.1f} MiB")  # fmt: skip
        print(f"  {'measurement':<28} {'runs':>4} {'best s':>8} {'docs/s':>9} {'rows/s':>9} "
              f"{'x baseline':>10}")  # fmt: skip
        for timing in timings:
            rows = timing.stored.documents + timing.stored.spans
            print(
                f"  {timing.name:<28} {len(timing.runs):>4} {timing.best:>8.3f} "
                f"{timing.stored.documents / timing.best:>9,.0f} {rows / timing.best:>9,.0f} "
                f"{timing.best / baseline.best:>9.2f}x"
            )
        if app.stored != baseline.stored:
            print(f"  WARNING: the app stored {app.stored}, the baseline {baseline.stored}")
        against_copy = [
            f", against COPY {app.best / t.best:.2f}x" for t in timings if "COPY" in t.name
        ]
        print(f"  ratio app / baseline: {app.best / baseline.best:.2f}x{''.join(against_copy)}")


# --- running -------------------------------------------------------------------------------


def postgres_server() -> str | None:
    return os.environ.get("ANNOTATOR_BENCH_PG_URL") or os.environ.get("ANNOTATOR_TEST_PG_URL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 edits, 1,000 articles")
    parser.add_argument("--edits", type=int, default=None, help="measured edits (1,000)")
    parser.add_argument("--writers", type=int, default=4, help="other writer processes")
    parser.add_argument(
        "--writer-pause", type=float, default=0, help="ms each writer waits between edits"
    )
    parser.add_argument("--edit-documents", type=int, default=20, help="documents edited")
    parser.add_argument("--documents", type=int, default=None, help="articles (10,000)")
    parser.add_argument("--spans", type=int, default=10, help="spans per article, 0: none")
    parser.add_argument("--runs", type=int, default=3, help="runs per import (best of)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--part", choices=("edits", "import", "both"), default="both")
    args = parser.parse_args(argv)
    args.edits = args.edits or (200 if args.quick else 1_000)
    args.documents = args.documents or (1_000 if args.quick else 10_000)

    server = postgres_server()
    print(
        f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} cores; PostgreSQL: " + (masked(server) if server else "none")
    )
    with tempfile.TemporaryDirectory(prefix="annotator-team-bench-") as name:
        scratch = Path(name)
        backends: list[Backend] = []
        if args.backend in ("sqlite", "both"):
            backends.append(sqlite_backend(scratch))
        if args.backend in ("postgresql", "both"):
            if server:
                backends.append(postgres_backend(server))
            else:
                print(
                    "\nPostgreSQL: skipped, neither ANNOTATOR_BENCH_PG_URL nor "
                    "ANNOTATOR_TEST_PG_URL is set"
                )
        sources: dict[int, Path] = {}
        if args.part in ("import", "both"):
            started = time.perf_counter()
            sources[0] = write_import_file(scratch / "plain.jsonl", args.documents, 0)
            if args.spans:
                sources[args.spans] = write_import_file(
                    scratch / "spans.jsonl", args.documents, args.spans
                )
            print(f"import files written in {time.perf_counter() - started:.1f} s")
        for backend in backends:
            if args.part in ("edits", "both"):
                edit_latency(backend, args, scratch)
            if args.part in ("import", "both"):
                import_speed(backend, args, sources)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
