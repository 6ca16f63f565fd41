"""Agreement speed: `load_project` and the full report on a large three-annotator project.

    python benchmarks/agreement_speed.py            # 1,000 documents, 3 x 50,000 spans
    python benchmarks/agreement_speed.py --quick    # a tenth of that

The corpus is built fast with raw sqlite3 bulk inserts into the schema that `Corpus.open`
creates: documents of ~3 KB, three annotators who each mark every document done, give
it one document label, and label spans on word boundaries. Each annotator keeps 90% of a
common set of spans exactly, so any two share about 80%; the rest are near misses (a
boundary moved by a word), another label, or spans of their own, so every measure has
work to do.

Then, best of N each, alternating:

a. baseline: one plain sqlite3 SELECT of the same span rows `load_project` reads
   (document, annotator, label, start, end of the project, ordered by document);
b. `agreement.load_project(corpus, project_id)`;
c. `agreement.compute_report(data)` (every pairwise and group measure) and `to_json()`.

Target: the load plus the report in a few seconds. Nothing asserts; a temporary folder
holds the database and is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from annotator.core import agreement
from annotator.core.corpus import Corpus

PROJECT = "agreement-bench"
SEED = 20250611
DOCUMENT_CHARS = 3_000
TARGET_SECONDS = 5.0
SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"

ANNOTATORS = ("alice", "bob", "chen")
LABELS = ("PER", "ORG", "LOC", "DATE", "MONEY", "EVENT", "PRODUCT", "MISC")
DOCUMENT_LABELS = ("Politics", "Sport", "Science")
SHARED = 0.9  # of a common set each annotator keeps; any two then share ~80%

_SYLLABLES = (
    "ka", "ro", "ten", "mi", "sal", "vor", "de", "lin", "bra", "tu", "nes", "por",
    "gal", "e", "an", "dor", "fi", "quel", "ma", "stri", "ho", "ven", "lu", "cart",
)  # fmt: skip
_FUNCTION_WORDS = ("the", "of", "and", "to", "in", "a", "that", "for", "on", "said")

BASELINE_QUERY = """
SELECT s.document_id, s.annotator_id, s.label_id, s.start, s."end"
FROM span AS s JOIN document AS d ON d.id = s.document_id
WHERE d.project_id = ?
ORDER BY s.document_id
"""


def _document_text(rng: random.Random, vocabulary: list[str], n: int) -> str:
    sentences: list[str] = [f"Report {n}."]
    size = 0
    while size < DOCUMENT_CHARS:
        words = rng.choices(vocabulary, k=rng.randint(8, 22))
        words[0] = words[0].capitalize()
        sentence = " ".join(words) + rng.choice((".", ".", ".", "!", "?"))
        if rng.random() < 0.3:
            sentence = sentence.replace(" ", ", ", 1)
        sentences.append(sentence)
        size += len(sentence) + 1
    return " ".join(sentences)


def _annotations(
    rng: random.Random, text: str, per_annotator: int
) -> list[set[tuple[int, int, int]]]:
    """Each annotator's (label index, start, end): shared spans, near misses, own spans."""
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]

    def random_span() -> tuple[int, int, int]:
        first = rng.randrange(len(tokens))
        last = min(len(tokens) - 1, first + rng.choice((0, 0, 0, 1, 1, 2)))
        return rng.randrange(len(LABELS)), tokens[first][0], tokens[last][1]

    def near(span: tuple[int, int, int]) -> tuple[int, int, int]:
        label, start, end = span
        roll = rng.random()
        if roll < 0.4:  # another label
            return (label + rng.randrange(1, len(LABELS))) % len(LABELS), start, end
        at = next(k for k, (s, _) in enumerate(tokens) if s == start)
        if roll < 0.7 and at + 1 < len(tokens):  # one more word
            last = next(k for k, (_, e) in enumerate(tokens) if e == end)
            return label, start, tokens[min(last + 1, len(tokens) - 1)][1]
        if at > 0:  # one word earlier
            return label, tokens[at - 1][0], end
        return random_span()

    base: set[tuple[int, int, int]] = set()
    while len(base) < per_annotator:
        base.add(random_span())
    ordered = sorted(base)
    layers: list[set[tuple[int, int, int]]] = []
    for _ in ANNOTATORS:
        layer = {span for span in ordered if rng.random() < SHARED}
        candidates = [span for span in ordered if span not in layer]
        rng.shuffle(candidates)
        for span in candidates:
            if len(layer) >= per_annotator:
                break
            layer.add(near(span) if rng.random() < 0.7 else random_span())
        while len(layer) < per_annotator:
            layer.add(random_span())
        layers.append(layer)
    return layers


def build_corpus(database: Path, documents: int, spans_per_annotator: int) -> int:
    """A corpus in the app's schema; returns the project id."""
    Corpus.open(str(database), annotator=ANNOTATORS[0]).close()  # the schema, by migrations
    rng = random.Random(SEED)
    words: set[str] = set()
    while len(words) < 2_000:
        words.add("".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))))
    vocabulary = sorted(words) + list(_FUNCTION_WORDS) * 40
    stamp = datetime(2025, 1, 1).strftime(SQLITE_TIMESTAMP)

    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")  # building is not what is measured
    connection.execute("BEGIN")
    project_id = connection.execute(
        "INSERT INTO project (name, created_at) VALUES (?, ?)", (PROJECT, stamp)
    ).lastrowid
    annotator_ids = [
        connection.execute("INSERT INTO annotator (name) VALUES (?)", (name,)).lastrowid
        for name in ANNOTATORS
    ]
    label_ids = [
        connection.execute(
            "INSERT INTO label (project_id, name, kind, color, description, position) "
            "VALUES (?, ?, ?, '#4e79a7', '', ?)",
            (project_id, name, kind, position),
        ).lastrowid
        for position, (name, kind) in enumerate(
            [(name, "span") for name in LABELS] + [(name, "document") for name in DOCUMENT_LABELS]
        )
    ]
    span_label_ids, document_label_ids = label_ids[: len(LABELS)], label_ids[len(LABELS) :]
    per_document = spans_per_annotator // documents
    spans: list[tuple[object, ...]] = []
    statuses: list[tuple[object, ...]] = []
    marks: list[tuple[object, ...]] = []
    for n in range(documents):
        text = _document_text(rng, vocabulary, n)
        document_id = connection.execute(
            "INSERT INTO document (project_id, text, title, meta, content_hash, created_at)"
            " VALUES (?, ?, ?, '{}', ?, ?)",
            (project_id, text, f"Report {n}", hashlib.sha256(text.encode()).hexdigest(), stamp),
        ).lastrowid
        topic = rng.randrange(len(DOCUMENT_LABELS))
        for annotator_id, layer in zip(
            annotator_ids, _annotations(rng, text, per_document), strict=True
        ):
            spans += [
                (document_id, annotator_id, span_label_ids[label], start, end, text[start:end],
                 "manual", stamp, stamp)
                for label, start, end in layer
            ]  # fmt: skip
            statuses.append((document_id, annotator_id, "done", stamp))
            chosen = topic if rng.random() < 0.85 else rng.randrange(len(DOCUMENT_LABELS))
            marks.append((document_id, annotator_id, document_label_ids[chosen], stamp))
    rng.shuffle(spans)  # annotators work in parallel: span ids do not follow documents
    connection.executemany(
        'INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, origin,'
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        spans,
    )
    connection.executemany(
        "INSERT INTO document_status (document_id, annotator_id, status, updated_at)"
        " VALUES (?, ?, ?, ?)",
        statuses,
    )
    connection.executemany(
        "INSERT INTO document_label (document_id, annotator_id, label_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        marks,
    )
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    assert project_id is not None
    return project_id


def baseline_select(database: Path, project_id: int) -> tuple[float, int]:
    connection = sqlite3.connect(database)
    try:
        started = time.perf_counter()
        rows = connection.execute(BASELINE_QUERY, (project_id,)).fetchall()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return elapsed, len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 documents, 3 x 5,000 spans")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (best of)")
    args = parser.parse_args(argv)
    documents = 100 if args.quick else 1_000
    spans = 5_000 if args.quick else 50_000

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as name:
        database = Path(name) / "corpus.db"
        started = time.perf_counter()
        project_id = build_corpus(database, documents, spans)
        print(
            f"{documents:,} documents of ~{DOCUMENT_CHARS:,} characters, {len(ANNOTATORS)}"
            f" annotators x {spans:,} spans (each keeps {SHARED:.0%} of a common set); database"
            f" {database.stat().st_size / 2**20:,.0f} MiB, built in"
            f" {time.perf_counter() - started:.1f} s"
            f" (python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version})"
        )
        corpus = Corpus.open(str(database), annotator=ANNOTATORS[0])  # opening: not timed
        times: dict[str, list[float]] = {"baseline": [], "load": [], "report": []}
        rows = 0
        data: agreement.AgreementData | None = None
        report: agreement.AgreementReport | None = None
        try:
            for _ in range(args.runs):  # alternate, so that a busy moment hits all three
                elapsed, rows = baseline_select(database, project_id)
                times["baseline"].append(elapsed)
                started = time.perf_counter()
                data = agreement.load_project(corpus, project_id)
                times["load"].append(time.perf_counter() - started)
                started = time.perf_counter()
                report = agreement.compute_report(data)
                json.dumps(report.to_json(), allow_nan=False)
                times["report"].append(time.perf_counter() - started)
        finally:
            corpus.close()
        assert data is not None and report is not None
        loaded = sum(len(layer) for d in data.documents for layer in d.layers.values())

        base = min(times["baseline"])
        print(f"\nagreement, best of {args.runs}")
        print(f"  {'measurement':<46} {'best s':>8} {'x baseline':>10}")
        for key, label in (
            ("baseline", f"baseline sqlite3 SELECT of {rows:,} span rows"),
            ("load", f"load_project ({loaded:,} spans, {len(data.documents):,} texts)"),
            ("report", "compute_report + to_json"),
        ):
            best = min(times[key])
            print(f"  {label:<46} {best:>8.3f} {best / base:>9.1f}x")
        total = min(times["load"]) + min(times["report"])
        runs = "; ".join(f"{k} " + " ".join(f"{t:.2f}" for t in v) for k, v in times.items())
        print(f"  all runs (s): {runs}")
        print(f"  rows: baseline {rows:,}, load_project {loaded:,}")
        pair = report.pairs[0]
        group = report.group
        print(
            f"  figures: {pair.a}/{pair.b} exact F1 {pair.exact.f1:.3f}, overlap F1"
            f" {pair.overlap.f1:.3f}, token kappa {pair.token_kappa:.3f}, document kappa"
            f" {pair.document_kappa:.3f}; Fleiss {group.fleiss_kappa:.3f}, alpha"
            f" {group.alpha:.3f}, unitizing alpha {group.unitizing.overall:.3f}"
            f" over {group.tokens_all:,} tokens / {group.characters:,} characters"
        )
        verdict = "met" if total <= TARGET_SECONDS else "NOT met"
        print(f"  target: load + report within {TARGET_SECONDS:g} s -> {total:.2f} s, {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
