"""Corpus search speed: `core.concordance.search` over a project of 10,000 articles of
~3 KB with two layers of spans, and `label_hits` of 1,000 results as one action.

    python benchmarks/concordance_speed.py            # 10,000 articles, 1,000 labelled
    python benchmarks/concordance_speed.py --quick    # 1,000 articles, 100 labelled

Best of N each, against baselines measured in the same run:

a. a rare word (a few hundred hits, every document read) and b. a common one (stopped
   at the 10,000-hit limit), each with every layer's labels of every hit; baseline: raw
   `sqlite3` SELECT of every document's text and `re.finditer` of the same expression
   over it (no context, no labels, no limit);
c. `label_hits` of N results of the rare word in one transaction with its history
   rows; baseline: raw `sqlite3` `executemany` INSERT of the same N spans and commit.

No target: the figures say whether a search keeps the user waiting.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import string
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select

from annotator.base.text import content_hash
from annotator.core.concordance import compile_pattern, label_hits, search
from annotator.core.corpus import Corpus
from annotator.core.models import annotator_t, document_t, span_t

SEED = 20261201
RARE = "Zorblax"


def best(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def make_corpus(path: Path, documents: int) -> tuple[Corpus, int, int]:
    rng = random.Random(SEED)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5000)]
    words += ["the"] * 200
    corpus = Corpus.open(str(path), annotator="alice")
    project = corpus.create_project("bench")
    assert project.id is not None
    person = corpus.add_label(project.id, "Person").entity_id
    place = corpus.add_label(project.id, "Place").entity_id
    assert person is not None and place is not None
    bob = corpus.annotator_id("bob")
    alice = corpus.annotator_id()
    rows = []
    for number in range(documents):
        body = " ".join(rng.choice(words) for _ in range(450))
        if number % 10 == 0:  # a tenth of the articles
            body = f"{body[:1000]} {RARE} {body[1000:]}"
        rows.append(
            {"project_id": project.id, "text": body, "title": f"article {number}",
             "meta": {}, "content_hash": content_hash(body)}
        )  # fmt: skip
    with corpus.engine.begin() as connection:
        connection.execute(insert(document_t), rows)
        ids = [row.id for row in connection.execute(select(document_t.c.id))]
        texts = dict(connection.execute(select(document_t.c.id, document_t.c.text)).all())
        spans = []
        for document_id in ids:
            text = texts[document_id]
            for match in list(re.finditer(r"\w+", text))[::60]:  # ~8 spans a layer
                for annotator, label in ((alice, person), (bob, place)):
                    spans.append(
                        {"document_id": document_id, "annotator_id": annotator, "label_id": label,
                         "start": match.start(), "end": match.end(), "text": match.group(),
                         "origin": "manual"}
                    )  # fmt: skip
        connection.execute(insert(span_t), spans)
        assert connection.execute(select(annotator_t.c.id)).all()
    return corpus, project.id, person


def raw_search(path: Path, pattern: str) -> int:
    compiled = compile_pattern(pattern, whole_word=True)
    connection = sqlite3.connect(path)
    try:
        return sum(
            1 for (text,) in connection.execute("SELECT text FROM document")
            for _ in compiled.finditer(text)
        )  # fmt: skip
    finally:
        connection.close()


def raw_insert(path: Path, rows: list[tuple[int, int, int, int, int, str]]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executemany(
            "INSERT INTO span (document_id, annotator_id, label_id, start, end, text, origin,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'manual', datetime('now'),"
            " datetime('now'))",
            rows,
        )
        connection.commit()
        connection.execute("DELETE FROM span WHERE annotator_id = ?", (rows[0][1],))
        connection.commit()
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    documents, labelled = (1_000, 100) if args.quick else (10_000, 1_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        began = time.perf_counter()
        corpus, project_id, person = make_corpus(path, documents)
        print(f"{documents:,} articles with two layers made in {time.perf_counter() - began:.1f} s")
        with corpus:
            for name, word in (("a. rare word", RARE), ("b. common word", "the")):
                app, found = best(
                    args.runs,
                    lambda word=word: search(corpus.engine, project_id, word, whole_word=True),
                )
                raw, count = best(args.runs, lambda word=word: raw_search(path, word))
                hits = getattr(found, "hits", [])
                print(
                    f"{name}: {app * 1000:.0f} ms ({len(hits):,} hits, "
                    f"{sum(1 for hit in hits if hit.labels):,} labelled) "
                    f"vs raw {raw * 1000:.0f} ms "
                    f"({count:,} matches); ratio {app / raw:.1f}x"
                )
            rare = search(corpus.engine, project_id, RARE, whole_word=True).hits
            targets = rare[:labelled]
            began = time.perf_counter()
            done = label_hits(corpus, targets, person)
            app = time.perf_counter() - began
            assert not done.skipped, done.skipped
            rows = [
                (hit.document_id, 999_999, person, hit.start, hit.end, hit.match)
                for hit in targets
            ]  # fmt: skip
            with sqlite3.connect(path) as connection:
                connection.execute(
                    "INSERT INTO annotator (id, name, kind) VALUES (999999, 'raw', 'person')"
                )
            raw, _ = best(args.runs, lambda: raw_insert(path, rows))
            print(
                f"c. label_hits of {len(done.changes):,} results in one action: "
                f"{app * 1000:.0f} ms "
                f"vs raw executemany {raw * 1000:.0f} ms; ratio {app / raw:.1f}x"
            )


if __name__ == "__main__":
    main()
