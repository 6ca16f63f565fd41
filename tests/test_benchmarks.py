"""The team benchmark runs end to end at a tiny size and prints every figure; no timing is
checked here (speed is the scripts' business, never the tests')."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "team_speed.py"
TINY = (
    "--edits", "20", "--writers", "2", "--edit-documents", "3", "--documents", "30",
    "--spans", "3", "--runs", "1",
)  # fmt: skip
NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?"
PG_SERVER = os.environ.get("ANNOTATOR_TEST_PG_URL")


def run_script(name: str, *arguments: str) -> str:
    """A benchmark script run as a person runs it; its printed figures."""
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / name), *arguments],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO,
        timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_bench(*arguments: str, pg_url: str | None) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ANNOTATOR_BENCH_PG_URL", "ANNOTATOR_TEST_PG_URL"}
    }
    environment["PYTHONPATH"] = str(REPO)
    if pg_url is not None:
        environment["ANNOTATOR_BENCH_PG_URL"] = pg_url
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *TINY, *arguments],
        capture_output=True, text=True, env=environment, cwd=REPO, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "WARNING" not in done.stdout, done.stdout
    return done.stdout


def check_figures(out: str, backend: str, raw: str) -> None:
    """Latencies of both sides and their ratio; the writers really wrote; both imports
    stored the same rows (the script warns otherwise) with their ratio."""
    edits = out.split(f"a. span edit latency, {backend}:")[1].split("b. import")[0]
    assert "20 edits" in edits
    writers = re.search(
        r"2 other writers \((\d) finished cleanly; 0 ms pause between edits\) made .*, "
        r"([0-9,]+) in all",
        edits,
    )
    assert writers is not None, edits
    # Each writer edits at least 5 times before the measured edits begin.
    assert writers[1] == "2" and int(writers[2].replace(",", "")) >= 10
    for side in (f"raw {raw}", "app Corpus actions"):
        assert re.search(rf"{side}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\n", edits), side
    assert re.search(rf"ratio app / baseline: median {NUMBER}x, p99 {NUMBER}x", edits)
    imports = out.split(f"b. import, {backend}:")[1:]
    assert len(imports) == 2  # without spans, then with 3 spans each
    assert "3 spans each" in imports[1]
    for section in imports:
        assert re.search(rf"raw {raw} executemany\s+1\s+{NUMBER}", section), section
        assert re.search(rf"app import_paths\s+1\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}", section)
        assert re.search(rf"ratio app / baseline: {NUMBER}x", section)


def test_team_benchmark_on_sqlite_says_postgresql_was_skipped() -> None:
    out = run_bench("--backend", "both", pg_url=None)
    check_figures(out, "SQLite", "sqlite")
    assert "PostgreSQL: skipped, neither ANNOTATOR_BENCH_PG_URL nor ANNOTATOR_TEST_PG_URL" in out
    assert "a. span edit latency, PostgreSQL" not in out


def _bench_databases(server: str) -> set[str]:
    """The databases the script makes (and must drop) on the server."""
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'annotator\\_team\\_speed\\_%'"
        ).fetchall()
    return {name for (name,) in rows}


@pytest.mark.postgres
def test_team_benchmark_on_postgresql_drops_its_databases() -> None:
    if not PG_SERVER:
        pytest.skip("no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)")
    before = _bench_databases(PG_SERVER)
    out = run_bench("--backend", "postgresql", pg_url=PG_SERVER)
    check_figures(out, "PostgreSQL", "postgresql")
    assert re.search(rf"raw psycopg COPY\s+1\s+{NUMBER}", out)
    assert _bench_databases(PG_SERVER) <= before  # none left behind


def test_suggestion_benchmark_prints_each_figure_with_its_ratio() -> None:
    out = run_script("suggest_speed.py", "--quick", "--runs", "1")
    assert "article: 100,0" in out
    assert re.search(rf"a\. 50 corpus forms: {NUMBER} ms \({NUMBER} suggestions\); ratio", out)
    assert "b. gazetteer of 10,000 entries loaded in" in out
    for side in ("case-sensitive", "case-insensitive"):
        assert re.search(
            rf"{side}: {NUMBER} ms \({NUMBER} suggestions\); ratio {NUMBER}x str\.split, "
            rf"{NUMBER}x re\.finditer",
            out,
        ), out


def test_model_benchmark_prints_training_and_latency_with_their_ratios() -> None:
    out = run_script(
        "model_speed.py", "--quick", "--runs", "2", "--documents", "20", "--epochs", "1"
    )
    assert "training data: 20 documents" in out
    assert re.search(
        rf"a\. training, 1 epochs: {NUMBER} s wall clock \({NUMBER} s in the training "
        rf"function\); baseline tokenizer over the same texts {NUMBER} ms; ratio {NUMBER}x",
        out,
    ), out
    assert re.search(rf"F1 on 100 unseen documents {NUMBER} \(P {NUMBER}, R {NUMBER}\)", out)
    assert re.search(
        rf"b\. suggestions for one article of {NUMBER} characters: {NUMBER} ms \({NUMBER} "
        rf"suggestions, best of 2\); baseline tokenizer {NUMBER} ms, ratio {NUMBER}x; greedy "
        rf"parse without scores {NUMBER} ms, ratio {NUMBER}x; target 100 ms (met|NOT MET)",
        out,
    ), out


def test_replay_benchmark_labels_by_keys_with_and_without_suggestions() -> None:
    """Both runs leave the same spans, the effort meter counts what the replayer
    pressed (the script warns otherwise), and the ratio is printed."""
    out = run_script("suggest_replay.py", "--quick")
    assert "WARNING" not in out, out
    assert re.search(r"articles: 5, [0-9,]+ characters, [0-9,]+ entities", out), out
    for run in ("1. by hand", "2. with suggestions"):
        assert re.search(
            rf"{run}: {NUMBER} key chords \(.*\) in {NUMBER} s, {NUMBER} per span; {NUMBER} key "
            rf"presses with the modifiers, {NUMBER} per span; effort meter {NUMBER}",
            out,
        ), out
    assert re.search(r"suggestions: [1-9][0-9,]* accepted, ", out), out
    assert re.search(r"final layers: ([0-9,]+) and \1 spans, identical: True", out), out
    assert re.search(
        rf"ratio by hand / with suggestions: {NUMBER}x fewer key chords, {NUMBER}x fewer key "
        r"presses \(target 2x: (NOT )?met\)",
        out,
    ), out


def test_concordance_benchmark_prints_each_figure_with_its_ratio() -> None:
    out = run_script("concordance_speed.py", "--quick", "--runs", "1")
    for figure in ("a. rare word", "b. common word"):
        assert re.search(
            rf"{figure}: {NUMBER} ms \({NUMBER} hits, {NUMBER} labelled\) vs raw {NUMBER} ms "
            rf"\({NUMBER} matches\); ratio {NUMBER}x",
            out,
        ), out
    assert re.search(
        rf"c\. label_hits of {NUMBER} results in one action: {NUMBER} ms vs raw executemany "
        rf"{NUMBER} ms; ratio {NUMBER}x",
        out,
    ), out
