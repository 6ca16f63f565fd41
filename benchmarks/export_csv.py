"""Span CSV export speed: the app's export path against raw sqlite3 + csv on the same rows.

    python benchmarks/export_csv.py            # 1,000,000 spans over 2,000 documents
    python benchmarks/export_csv.py --quick    # 100,000 spans

The corpus is built fast with raw sqlite3 bulk inserts into the schema that
`Corpus.open` creates (projects, labels, annotators, documents of ~3 KB, spans whose
`text` is the document's text[start:end], timestamps stored as SQLAlchemy stores them
in SQLite). Then, best of N each, alternating:

a. the app's export path: `exporting.span_rows` into
   `csv_export.write_rows(out, SPAN_COLUMNS, rows)`, to a file opened with
   `csv_export.open_for_writing`;
a'. `exporting.export_project(format_name="csv")`, which `annotator export` calls: the
   same path plus a span count for the progress bar and the (here empty) document-label
   file;
b. the baseline: one sqlite3 cursor running the equivalent join (same columns, context
   with substr, the same timestamp formatting, the same ORDER BY) into
   `csv.writer.writerows`, to a file.

Target: the app within 2x of the baseline. The CSV files are compared byte for byte with
the baseline's so the comparison is fair. Everything lives in a temporary folder removed
at the end.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from annotator.base.text import CONTEXT_CHARS
from annotator.core import exporting
from annotator.core.corpus import Corpus
from annotator.formats import csv_export

PROJECT = "bench"
TARGET = 2.0
SEED = 20250304
DOCUMENTS = 2_000
DOCUMENT_CHARS = 3_000
SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite

ANNOTATORS = ("alice", "bob", "chen", "dana")
LABELS = ("PER", "ORG", "LOC", "DATE", "MONEY", "EVENT", "PRODUCT", "MISC")
ORIGINS = ("manual",) * 16 + ("imported",) * 3 + ("suggested",)
NOTES = ("check this", 'unsure, "maybe" ORG', "two lines:\nsee guideline 4", "=SUM(A1)")

_FUNCTION_WORDS = (
    "the", "of", "and", "to", "in", "a", "that", "for", "on", "with", "said", "was",
    "its", "from", "after", "over", "which", "would", "their", "about",
)  # fmt: skip
_NON_ASCII = ("Zürich", "São", "Kraków", "naïve", "café", "Ærø", "Łódź", "€40", "—")
_SYLLABLES = (
    "ka", "ro", "ten", "mi", "sal", "vor", "de", "lin", "bra", "tu", "nes", "por",
    "gal", "e", "an", "dor", "fi", "quel", "ma", "stri", "ho", "ven", "lu", "cart",
)  # fmt: skip

# The baseline: what span_rows asks for, written by hand for sqlite3.
BASELINE_QUERY = f"""
SELECT s.id, d.id, d.content_hash, d.title, d.source_url, a.name, l.name,
       s.start, s."end", s.text,
       substr(d.text, max(s.start - {CONTEXT_CHARS}, 0) + 1,
              s.start - max(s.start - {CONTEXT_CHARS}, 0)),
       substr(d.text, s."end" + 1, {CONTEXT_CHARS}),
       s.note, s.origin,
       replace(s.created_at, ' ', 'T') || '+00:00',
       replace(s.updated_at, ' ', 'T') || '+00:00'
FROM span AS s
JOIN document AS d ON d.id = s.document_id
JOIN label AS l ON l.id = s.label_id
JOIN annotator AS a ON a.id = s.annotator_id
WHERE d.project_id = ?
ORDER BY s.document_id, s.start, s."end", s.id
"""
BASELINE_HEADER = (
    "span_id", "document_id", "document_hash", "document_title", "source_url",
    "annotator", "label", "start", "end", "text", "left_context", "right_context",
    "note", "origin", "created_at", "updated_at",
)  # fmt: skip


# --- building the corpus -----------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.strftime(SQLITE_TIMESTAMP)


def _document_text(rng: random.Random, vocabulary: list[str], names: list[str], n: int) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < DOCUMENT_CHARS:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = rng.choices(vocabulary, k=rng.randint(8, 22))
            words[0] = words[0].capitalize()
            for _ in range(rng.randint(0, 2)):
                words[rng.randrange(1, len(words))] = rng.choice(names)
            if rng.random() < 0.3:
                words[rng.randrange(1, len(words))] = rng.choice(_NON_ASCII)
            if rng.random() < 0.2:
                at = rng.randrange(1, len(words) - 1)
                words[at] = f'"{words[at]},'
                words[at + 1] = f'{words[at + 1]}"'
            sentences.append(" ".join(words) + ".")
        paragraph = " ".join(sentences)
        if not paragraphs:
            paragraph = f"Report {n}: {paragraph}"
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def build_corpus(database: Path, spans_wanted: int) -> int:
    """A corpus in the app's schema; returns the project id."""
    Corpus.open(str(database), annotator=ANNOTATORS[0]).close()  # the schema, by migrations
    rng = random.Random(SEED)
    syllable_words: set[str] = set()
    while len(syllable_words) < 3000:
        syllable_words.add("".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))))
    vocabulary = sorted(syllable_words)
    names = [word.capitalize() for word in vocabulary[:400]]
    pool = vocabulary + list(_FUNCTION_WORDS) * 60
    epoch = datetime(2024, 1, 1)

    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=OFF")  # building is not what is measured
    connection.execute("BEGIN")
    project_id = connection.execute(
        "INSERT INTO project (name, created_at) VALUES (?, ?)", (PROJECT, _stamp(epoch))
    ).lastrowid
    annotator_ids = [
        connection.execute("INSERT INTO annotator (name) VALUES (?)", (name,)).lastrowid
        for name in ANNOTATORS
    ]
    label_ids = [
        connection.execute(
            "INSERT INTO label (project_id, name, kind, color, hotkey, description, position) "
            "VALUES (?, ?, 'span', '#4e79a7', ?, '', ?)",
            (project_id, name, str(position + 1), position),
        ).lastrowid
        for position, name in enumerate(LABELS)
    ]
    texts: list[str] = []
    for n in range(DOCUMENTS):
        text = _document_text(rng, pool, names, n)
        texts.append(text)
        title = " ".join(w.capitalize() for w in rng.choices(vocabulary, k=rng.randint(3, 8)))
        connection.execute(
            "INSERT INTO document (id, project_id, text, title, author, published, source_url,"
            " meta, content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (n + 1, project_id, text, title, None, None,
             f"https://example.org/news/{n}" if n % 10 else None, json.dumps({"n": n}),
             hashlib.sha256(text.encode("utf-8")).hexdigest(), _stamp(epoch)),
        )  # fmt: skip

    per_document = spans_wanted // DOCUMENTS
    rows: list[tuple[object, ...]] = []
    for n, text in enumerate(texts):
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        taken: set[tuple[int, int, int, int]] = set()
        while len(taken) < per_document:
            first = rng.randrange(len(tokens))
            last = min(len(tokens) - 1, first + rng.choice((0, 0, 0, 1, 1, 2, 3)))
            start, end = tokens[first][0], tokens[last][1]
            key = (rng.choice(annotator_ids), rng.choice(label_ids), start, end)
            if key in taken:
                continue
            taken.add(key)
            created = epoch + timedelta(seconds=rng.uniform(0, 365 * 86400))
            updated = (
                created
                if rng.random() < 0.7
                else created + timedelta(seconds=rng.uniform(0, 30 * 86400))
            )
            rows.append(
                (n + 1, key[0], key[1], start, end, text[start:end],
                 rng.choice(NOTES) if rng.random() < 0.03 else None, rng.choice(ORIGINS),
                 _stamp(created), _stamp(updated))
            )  # fmt: skip
    rng.shuffle(rows)  # annotators work in parallel: span ids do not follow documents
    connection.executemany(
        'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, note, '
        "origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    assert project_id is not None
    return project_id


# --- the two exports ---------------------------------------------------------------------


def app_export(database: Path, project_id: int, output: Path) -> tuple[float, int]:
    corpus = Corpus.open(str(database), annotator=ANNOTATORS[0])  # opening: not timed
    try:
        started = time.perf_counter()
        with (
            corpus.engine.connect() as connection,
            csv_export.open_for_writing(output, excel=False) as out,
        ):
            written = csv_export.write_rows(
                out, exporting.SPAN_COLUMNS, exporting.span_rows(connection, project_id)
            )
        elapsed = time.perf_counter() - started
    finally:
        corpus.close()
    return elapsed, written


def project_export(database: Path, project_id: int, output: Path) -> tuple[float, int]:
    """What `annotator export --format csv` runs now: `exporting.export_project` (the same
    span_rows -> write_rows, plus a span count for progress and the document-label file)."""
    corpus = Corpus.open(str(database), annotator=ANNOTATORS[0])
    try:
        started = time.perf_counter()
        report = exporting.export_project(
            corpus, project_id, format_name="csv", output=output,
            on_progress=lambda _done, _total: None,  # the CLI updates a progress bar here
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    finally:
        corpus.close()
    return elapsed, report.rows


def baseline_export(database: Path, project_id: int, output: Path) -> tuple[float, int]:
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    try:
        started = time.perf_counter()
        with output.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(BASELINE_HEADER)
            cursor = connection.execute(BASELINE_QUERY, (project_id,))
            writer.writerows(cursor)
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return elapsed, -1  # sqlite3 does not count SELECT rows: see count_records


def count_records(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as back:
        return sum(1 for _ in csv.reader(back)) - 1  # minus the header


def compare_files(app: Path, baseline: Path) -> str:
    app_bytes, raw_bytes = app.read_bytes(), baseline.read_bytes()
    if app_bytes == raw_bytes:
        digest = hashlib.sha256(app_bytes).hexdigest()[:16]
        return f"identical CSV bytes ({len(app_bytes) / 2**20:,.1f} MiB, sha256 {digest}…)"
    at = next(
        (i for i, (x, y) in enumerate(zip(app_bytes, raw_bytes, strict=False)) if x != y),
        min(len(app_bytes), len(raw_bytes)),
    )
    line = app_bytes.count(b"\n", 0, at) + 1
    return (
        f"DIFFERENT CSV: sizes {len(app_bytes):,} vs {len(raw_bytes):,} bytes, first "
        f"difference at byte {at:,} (line {line:,}): app {app_bytes[at - 40 : at + 40]!r}, "
        f"baseline {raw_bytes[at - 40 : at + 40]!r}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 spans instead of 1,000,000")
    parser.add_argument("--runs", type=int, default=3, help="runs of each export (best of)")
    args = parser.parse_args(argv)
    spans = 100_000 if args.quick else 1_000_000

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as name:
        scratch = Path(name)
        database = scratch / "corpus.db"
        started = time.perf_counter()
        project_id = build_corpus(database, spans)
        print(
            f"{spans:,} spans over {DOCUMENTS:,} documents of ~{DOCUMENT_CHARS:,} characters; "
            f"database {database.stat().st_size / 2**20:,.0f} MiB, built in "
            f"{time.perf_counter() - started:.1f} s "
            f"(python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version})"
        )

        names = {
            "baseline": "baseline sqlite3 + csv.writer",
            "app": "app span_rows -> write_rows",
            "project": "app export_project (CLI)",
        }
        exports: dict[str, Callable[[Path, int, Path], tuple[float, int]]] = {
            "baseline": baseline_export,
            "app": app_export,
            "project": project_export,
        }
        outputs = {which: scratch / f"{which}.csv" for which in exports}
        times: dict[str, list[float]] = {which: [] for which in exports}
        counts: dict[str, int] = {}
        for _ in range(args.runs):  # alternate, so that a busy moment hits all of them
            for which, export in exports.items():
                elapsed, counts[which] = export(database, project_id, outputs[which])
                times[which].append(elapsed)
        checks = {
            which: compare_files(outputs[which], outputs["baseline"])
            for which in ("app", "project")
        }
        counts["baseline"] = count_records(outputs["baseline"])

        base = min(times["baseline"])
        print(f"\nspan CSV export, best of {args.runs}")
        print(f"  {'measurement':<44} {'best s':>8} {'rows/s':>11} {'x baseline':>10}")
        for which, label in names.items():
            best = min(times[which])
            print(f"  {label:<44} {best:>8.3f} {counts[which] / best:>11,.0f} {best / base:>9.2f}x")
        for which, label in names.items():
            print(f"  runs of {label} (s): " + " ".join(f"{t:.2f}" for t in times[which]))
        print("  rows: " + ", ".join(f"{which} {counts[which]:,}" for which in names))
        for which in ("app", "project"):
            print(f"  check {names[which]} against the baseline: {checks[which]}")
            ratio = min(times[which]) / base
            verdict = "met" if ratio <= TARGET else "NOT met"
            print(
                f"  target: {names[which]} within {TARGET:g}x of the baseline -> "
                f"{ratio:.2f}x, {verdict}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
