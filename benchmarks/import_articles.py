"""Import speed: the app's `import_paths` against raw sqlite3 on the same rows.

    python benchmarks/import_articles.py            # 10,000 articles of ~3 KB
    python benchmarks/import_articles.py --quick    # 1,000 articles

a. One JSONL file, one article per line, imported into a fresh SQLite corpus. Baseline:
   the same file read with json.loads, hashed with sha256 and inserted with one
   `executemany` into a `document` table created with the app's own DDL (copied from
   sqlite_master of a corpus that `Corpus.open` made), WAL, synchronous=NORMAL, foreign
   keys on, one transaction. Target: the app within 3x of the baseline.
b. A folder of .txt files in the seed articles' Markdown shape. Baseline: the same files
   read and inserted as raw text (no parsing). Informative only: the app parses every
   file with markdown-it-py, so the time for `parse_article` alone is printed as well.

Timings are wall-clock, best of N, each run on a fresh database; creating the schema
(Corpus.open runs the migrations) is setup and is not timed. Everything is written into
a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.importing import import_paths
from annotator.formats.article import parse_article

PROJECT = "bench"
TARGET_JSONL = 3.0
SEED = 20250304
ARTICLE_CHARS = 3000
SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite

_FUNCTION_WORDS = (
    "the", "of", "and", "to", "in", "a", "that", "for", "on", "with", "said", "was",
    "its", "from", "after", "over", "which", "would", "their", "about",
)  # fmt: skip
_SYLLABLES = (
    "ka", "ro", "ten", "mi", "sal", "vor", "de", "lin", "bra", "tu", "nes", "por",
    "gal", "e", "an", "dor", "fi", "quel", "ma", "stri", "ho", "ven", "lu", "cart",
)  # fmt: skip
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


# --- synthetic articles ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    number: int
    title: str
    author: str
    published: date
    url: str
    paragraphs: list[str]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def markdown(self) -> str:
        """The shape of resources/samples/*.txt."""
        day = f"{_MONTHS[self.published.month - 1]} {self.published.day}, {self.published.year}"
        return (
            f"\n\n# {self.title}\n\nBy [{self.author}](#)\n\n{day}\n\n\n\n"
            + "\n\n".join(self.paragraphs)
            + f"\n\nOriginal url:\n\n<{self.url}>"
        )


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def make_articles(count: int, *, seed: int = SEED) -> list[Article]:
    """Deterministic articles of ~3 KB; the article number in the lead makes each unique."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    names = [word.capitalize() for word in vocabulary[:400]]
    pool = vocabulary + list(_FUNCTION_WORDS) * 60  # function words ~1/4 of the running text
    articles: list[Article] = []
    first_day = date(2020, 1, 1)
    for number in range(count):
        paragraphs: list[str] = []
        size = 0
        while size < ARTICLE_CHARS:
            sentences = []
            for _ in range(rng.randint(2, 4)):
                words = rng.choices(pool, k=rng.randint(8, 22))
                words[0] = words[0].capitalize()
                if rng.random() < 0.5:
                    words[rng.randrange(1, len(words))] = rng.choice(names)
                sentences.append(" ".join(words) + ".")
            paragraph = " ".join(sentences)
            if not paragraphs:
                paragraph = f"Dispatch {number} from {rng.choice(names)}: {paragraph}"
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        title = " ".join(w.capitalize() for w in rng.choices(vocabulary, k=rng.randint(4, 9)))
        published = first_day + timedelta(days=rng.randrange(2000))
        slug = "-".join(title.lower().split()[:5])
        articles.append(
            Article(
                number=number,
                title=title,
                author=f"{rng.choice(names)} {rng.choice(names)}",
                published=published,
                url=f"https://example.org/news/{published:%Y/%m/%d}/{slug}-{number}",
                paragraphs=paragraphs,
            )
        )
    return articles


def write_inputs(articles: list[Article], folder: Path) -> tuple[Path, Path]:
    jsonl = folder / "articles.jsonl"
    with jsonl.open("w", encoding="utf-8", newline="\n") as out:
        for article in articles:
            out.write(json.dumps({"text": article.body, "meta": {"n": article.number}}) + "\n")
    texts = folder / "articles"
    texts.mkdir()
    for article in articles:
        path = texts / f"{article.number:05d}_{'-'.join(article.title.lower().split()[:4])}.txt"
        path.write_text(article.markdown(), encoding="utf-8", newline="\n")
    return jsonl, texts


# --- the app -----------------------------------------------------------------------------


def schema_ddl(folder: Path) -> list[str]:
    """CREATE statements of `project` and `document` (tables first, then their indexes),
    exactly as the app's migrations made them."""
    template = folder / "template.db"
    Corpus.open(str(template), annotator=PROJECT).close()
    with sqlite3.connect(template) as connection:
        rows = connection.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('project', 'document') "
            "AND sql IS NOT NULL ORDER BY type = 'index', name"
        ).fetchall()
    connection.close()
    template.unlink()
    return [sql for (sql,) in rows]


def app_import(source: Path, database: Path) -> tuple[float, int]:
    corpus = Corpus.open(str(database), annotator=PROJECT)  # migrations: setup, not timed
    try:
        started = time.perf_counter()
        report = import_paths(corpus, [source], project=PROJECT)
        elapsed = time.perf_counter() - started
    finally:
        corpus.close()
    if not report.ok:
        raise SystemExit(f"the app's import failed:\n{report.summary()}")
    return elapsed, report.documents


# --- the baseline ------------------------------------------------------------------------

INSERT_DOCUMENT = (
    "INSERT INTO document (project_id, text, title, author, published, source_url, meta, "
    "content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _raw_database(database: Path, ddl: list[str]) -> tuple[sqlite3.Connection, int]:
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        connection.execute(statement)
    now = datetime.now(UTC).strftime(SQLITE_TIMESTAMP)
    cursor = connection.execute(
        "INSERT INTO project (name, created_at) VALUES (?, ?)", (PROJECT, now)
    )
    assert cursor.lastrowid is not None
    return connection, cursor.lastrowid


def _raw_insert(connection: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    connection.execute("BEGIN")
    connection.executemany(INSERT_DOCUMENT, rows)
    connection.execute("COMMIT")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def baseline_jsonl(source: Path, database: Path, ddl: list[str]) -> tuple[float, int]:
    connection, project_id = _raw_database(database, ddl)  # schema: setup, not timed
    try:
        started = time.perf_counter()
        now = datetime.now(UTC).strftime(SQLITE_TIMESTAMP)
        rows: list[tuple[object, ...]] = []
        with source.open(encoding="utf-8") as lines:
            for line in lines:
                value = json.loads(line)
                text = value["text"]
                rows.append(
                    (project_id, text, None, None, None, None, json.dumps(value["meta"]),
                     _sha256(text), now)
                )  # fmt: skip
        _raw_insert(connection, rows)
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return elapsed, len(rows)


def baseline_folder(source: Path, database: Path, ddl: list[str]) -> tuple[float, int]:
    connection, project_id = _raw_database(database, ddl)
    try:
        started = time.perf_counter()
        now = datetime.now(UTC).strftime(SQLITE_TIMESTAMP)
        rows: list[tuple[object, ...]] = []
        for path in sorted(source.iterdir()):
            text = path.read_text(encoding="utf-8")
            rows.append(
                (project_id, text, path.stem, None, None, None,
                 json.dumps({"source_file": path.name}), _sha256(text), now)
            )  # fmt: skip
        _raw_insert(connection, rows)
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return elapsed, len(rows)


def parse_only(texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    for text in texts:
        parse_article(text)
    return time.perf_counter() - started, len(texts)


# --- running -----------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    name: str
    runs: int
    best: float
    documents: int

    @property
    def rate(self) -> float:
        return self.documents / self.best


def best_of(
    name: str, runs: int, work: Callable[[Path], tuple[float, int]], scratch: Path
) -> Result:
    times: list[float] = []
    documents = 0
    for run in range(runs):
        database = scratch / f"{name.replace(' ', '_')}-{run}.db"
        elapsed, documents = work(database)
        times.append(elapsed)
        for leftover in scratch.glob(database.name + "*"):  # the file, -wal and -shm
            leftover.unlink()
    return Result(name, runs, min(times), documents)


def check_same_documents(app_db: Path, raw_db: Path) -> str:
    """The app and the baseline stored the same texts and metadata (fair comparison)."""
    query = "SELECT content_hash, text, meta FROM document ORDER BY content_hash"
    with sqlite3.connect(app_db) as a, sqlite3.connect(raw_db) as b:
        app_rows = a.execute(query).fetchall()
        raw_rows = b.execute(query).fetchall()
    a.close()
    b.close()
    if app_rows == raw_rows:
        return f"same {len(app_rows)} documents (text, meta, content_hash) in both databases"
    return f"DIFFERENT documents: app stored {len(app_rows)}, baseline {len(raw_rows)}"


def print_table(title: str, results: list[Result], baseline: Result) -> None:
    print(f"\n{title}")
    print(f"  {'measurement':<34} {'runs':>4} {'best s':>8} {'docs/s':>10} {'x baseline':>10}")
    for result in results:
        ratio = result.best / baseline.best
        print(
            f"  {result.name:<34} {result.runs:>4} {result.best:>8.3f} "
            f"{result.rate:>10,.0f} {ratio:>9.2f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 articles instead of 10,000")
    parser.add_argument("--runs", type=int, default=3, help="runs per baseline (best of)")
    parser.add_argument(
        "--app-runs", type=int, default=None, help="runs per app import (default: 3, or 1 "
        "for the folder import of 10,000 files)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    count = 1_000 if args.quick else 10_000

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as name:
        scratch = Path(name)
        started = time.perf_counter()
        articles = make_articles(count)
        jsonl, folder = write_inputs(articles, scratch)
        mean_chars = sum(len(a.body) for a in articles) / count
        print(
            f"{count:,} articles, mean body {mean_chars:,.0f} characters; JSONL "
            f"{jsonl.stat().st_size / 2**20:.1f} MiB; generated in "
            f"{time.perf_counter() - started:.1f} s (python {sys.version.split()[0]}, "
            f"SQLite {sqlite3.sqlite_version})"
        )
        ddl = schema_ddl(scratch)

        # a. JSONL
        baseline = best_of("baseline sqlite3", args.runs, lambda db: baseline_jsonl(jsonl, db, ddl),
                           scratch)  # fmt: skip
        app = best_of("app import_paths", args.app_runs or 3,
                      lambda db: app_import(jsonl, db), scratch)  # fmt: skip
        app_db, raw_db = scratch / "check-app.db", scratch / "check-raw.db"
        app_import(jsonl, app_db)
        baseline_jsonl(jsonl, raw_db, ddl)
        same = check_same_documents(app_db, raw_db)
        print_table(f"a. JSONL, one file of {count:,} lines", [baseline, app], baseline)
        ratio = app.best / baseline.best
        verdict = "met" if ratio <= TARGET_JSONL else "NOT met"
        print(f"  check: {same}")
        print(f"  target: app within {TARGET_JSONL:g}x of the baseline -> {ratio:.2f}x, {verdict}")

        # b. a folder of Markdown .txt files
        texts = [path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())]
        sample = parse_article(texts[0])
        expected = articles[0]
        if (sample.title, sample.author, sample.published, sample.source_url, sample.text) != (
            expected.title, expected.author, expected.published, expected.url, expected.body
        ):  # fmt: skip
            print("  warning: parse_article does not read the synthetic article as expected")
        folder_baseline = best_of(
            "baseline sqlite3 (raw text)", args.runs,
            lambda db: baseline_folder(folder, db, ddl), scratch,
        )  # fmt: skip
        parsing = min(parse_only(texts)[0] for _ in range(args.runs))
        parse_result = Result("parse_article alone (in memory)", args.runs, parsing, count)
        folder_app = best_of(
            "app import_paths", args.app_runs or (1 if count > 1_000 else 3),
            lambda db: app_import(folder, db), scratch,
        )  # fmt: skip
        print_table(
            f"b. folder of {count:,} Markdown .txt files (informative, no target)",
            [folder_baseline, parse_result, folder_app],
            folder_baseline,
        )
        rest = folder_app.best - parsing - folder_baseline.best
        print(
            f"  where the app's {folder_app.best:.2f} s go: parsing {parsing:.2f} s "
            f"({parsing / folder_app.best:.0%}), the baseline's reading and inserting "
            f"{folder_baseline.best:.2f} s, everything else {rest:.2f} s "
            f"({rest / folder_app.best:.0%})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
