"""Start-up speed of the command line, each command timed as a whole process beside a baseline.

    python benchmarks/startup.py [--quick] [--rounds N]

a. `annotator projects` on an existing, current database against a bare
   `python -c "import sqlalchemy.orm"` (target: within 1.3x). `annotator --version` and
   `annotator --help` are timed too, for information.
b. `annotator import articles.jsonl` of 10,000 articles into a fresh SQLite file against
   a raw `sqlite3` script doing the same inserts into the same schema, also run as its own
   process (target: within 3x). The script creates the app's tables and indexes (their DDL
   copied from a corpus the app made), then reads the file with json.loads, hashes each
   text with sha256 and inserts the rows with one executemany in one transaction, WAL,
   synchronous=NORMAL, foreign keys on: what `annotator import` has to do, minus the app.

`--quick` imports 1,000 articles: a check that the script runs, not a measure against the
target, since start-up then outweighs the import itself.

Each round runs the baseline and the app one after the other, so both see the same load
on the machine; the figures are medians over the rounds. Every command is
`sys.executable`, the app as `python -m annotator.cli`, with this process's environment.
Everything is written into a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from import_articles import make_articles  # the same articles, from the script beside this

PROJECT = "bench"
TARGET_PROJECTS = 1.3
TARGET_IMPORT = 3.0
APP = [sys.executable, "-m", "annotator.cli"]

RAW_IMPORT = textwrap.dedent(
    """\
    import hashlib, json, sqlite3, sys
    from datetime import UTC, datetime

    source, database, ddl = sys.argv[1:4]
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("BEGIN")
    for statement in json.loads(open(ddl, encoding="utf-8").read()):
        connection.execute(statement)
    connection.execute("COMMIT")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    connection.execute("BEGIN")
    project_id = connection.execute(
        "INSERT INTO project (name, created_at) VALUES (?, ?)", ("bench", now)
    ).lastrowid
    rows = []
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            value = json.loads(line)
            text = value["text"]
            rows.append(
                (project_id, text, None, None, None, None, json.dumps(value["meta"]),
                 hashlib.sha256(text.encode("utf-8")).hexdigest(), now)
            )
    connection.executemany(
        "INSERT INTO document (project_id, text, title, author, published, source_url, meta, "
        "content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    connection.close()
    print(len(rows))
    """
)


def run(command: Sequence[str]) -> float:
    """Wall-clock seconds of one whole process, which must succeed."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def rounds(count: int, commands: dict[str, Callable[[int], float]]) -> dict[str, list[float]]:
    """Every command once per round, in turn, so that load on the machine hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for number in range(count):
        for name, command in commands.items():
            times[name].append(command(number))
    return times


def report(title: str, times: dict[str, list[float]], baseline: str) -> None:
    base = statistics.median(times[baseline])
    print(f"\n{title}")
    print(f"  {'command':<44} {'runs':>4} {'median s':>9} {'min s':>7} {'x baseline':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:<44} {len(values):>4} {median:>9.3f} {min(values):>7.3f} "
            f"{median / base:>9.2f}x"
        )


def verdict(times: dict[str, list[float]], app: str, baseline: str, target: float) -> None:
    ratio = statistics.median(times[app]) / statistics.median(times[baseline])
    met = "met" if ratio <= target else "NOT met"
    print(f"  target: {app!r} within {target:g}x of {baseline!r} -> {ratio:.2f}x, {met}")


def app_ddl(folder: Path) -> list[str]:
    """Every CREATE statement of a corpus the app made: tables first, then indexes."""
    template = folder / "template.db"
    run([*APP, "projects", "--db", str(template)])
    with sqlite3.connect(template) as connection:
        rows = connection.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'alembic_version' "
            "ORDER BY type = 'index', rowid"
        ).fetchall()
    connection.close()
    return [sql for (sql,) in rows]


def count_documents(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT count(*) FROM document").fetchone()
    connection.close()
    return int(count)


def remove_database(database: Path) -> None:
    for leftover in database.parent.glob(database.name + "*"):  # the file, -wal, -shm, .bak
        leftover.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 articles, fewer rounds")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 15, quick 5)")
    parser.add_argument(
        "--import-rounds", type=int, default=None, help="rounds of b. (default 5, quick 3)"
    )
    parser.add_argument("--part", choices=("a", "b"), help="run only this part")
    args = parser.parse_args(argv)
    count = 1_000 if args.quick else 10_000
    startup_rounds = args.rounds or (5 if args.quick else 15)
    import_rounds = args.import_rounds or (3 if args.quick else 5)
    version = sys.version.split()[0]
    print(f"python {version}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory(prefix="annotator-startup-") as name:
        scratch = Path(name)
        if args.part != "b":
            light_command(scratch, startup_rounds)
        if args.part != "a":
            whole_import(scratch, count, import_rounds)
    return 0


def light_command(scratch: Path, count: int) -> None:
    """a. `annotator projects` on a current database beside a bare SQLAlchemy import."""
    current = scratch / "current.db"
    run([*APP, "projects", "--db", str(current), "--create", PROJECT])
    run([*APP, "projects", "--db", str(current)])  # warm the file caches of both
    run([sys.executable, "-c", "import sqlalchemy.orm"])
    baseline = 'python -c "import sqlalchemy.orm"'
    projects = "annotator projects --db current.db"
    times = rounds(
        count,
        {
            baseline: lambda _: run([sys.executable, "-c", "import sqlalchemy.orm"]),
            projects: lambda _: run([*APP, "projects", "--db", str(current)]),
            "annotator --version": lambda _: run([*APP, "--version"]),
            "annotator --help": lambda _: run([*APP, "--help"]),
            'python -c "pass"': lambda _: run([sys.executable, "-c", "pass"]),
        },
    )
    report("a. start-up of a light command", times, baseline)
    verdict(times, projects, baseline, TARGET_PROJECTS)


def whole_import(scratch: Path, count: int, import_rounds: int) -> None:
    """b. `annotator import` of a JSONL file beside a raw sqlite3 script, both whole processes."""
    source = scratch / "articles.jsonl"
    with source.open("w", encoding="utf-8", newline="\n") as out:
        for article in make_articles(count):
            out.write(json.dumps({"text": article.body, "meta": {"n": article.number}}))
            out.write("\n")
    ddl = scratch / "ddl.json"
    ddl.write_text(json.dumps(app_ddl(scratch)), encoding="utf-8")
    raw_script = scratch / "raw_import.py"
    raw_script.write_text(RAW_IMPORT, encoding="utf-8")

    def raw(number: int) -> float:
        database = scratch / f"raw-{number}.db"
        elapsed = run([sys.executable, str(raw_script), str(source), str(database), str(ddl)])
        stored = count_documents(database)
        remove_database(database)
        if stored != count:
            raise SystemExit(f"the raw script stored {stored} documents, not {count}")
        return elapsed

    def app(number: int) -> float:
        database = scratch / f"app-{number}.db"
        elapsed = run([*APP, "import", str(source), "--project", PROJECT, "--db", str(database)])
        stored = count_documents(database)
        remove_database(database)
        if stored != count:
            raise SystemExit(f"annotator import stored {stored} documents, not {count}")
        return elapsed

    raw_name = f"python raw_import.py ({count:,} rows)"
    app_name = f"annotator import articles.jsonl ({count:,})"
    times = rounds(import_rounds, {raw_name: raw, app_name: app})
    size = source.stat().st_size / 2**20
    report(f"b. import of {count:,} articles, {size:.1f} MiB of JSONL", times, raw_name)
    verdict(times, app_name, raw_name, TARGET_IMPORT)


if __name__ == "__main__":
    raise SystemExit(main())
