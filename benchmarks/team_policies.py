"""What team mode's row-level security costs: 1,000 spans inserted as a member and as the owner.

Usage: python benchmarks/team_policies.py [--url POSTGRESQL_URL] [--runs N] [--actions N]

The URL (default $ANNOTATOR_TEST_PG_URL) is a superuser's on a test server: the script
creates a scratch database and two roles, and drops them at the end. Three ways of
writing 1,000 spans, each best of N:
  - one statement, the rows made on the server (INSERT ... SELECT generate_series):
    the policy's own cost, without the network;
  - one statement per span (executemany, as a client writing span by span in a batch);
  - the same one statement with the policy calling the function on every row instead of
    once per statement (its `(SELECT ...)` wrapper removed), to show why it is there.
With --actions N, also N spans added one by one through `Corpus.add_span` (a transaction
and a history row each, as the window adds them), once as each role.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from annotator.core import team
from annotator.core.corpus import Corpus
from annotator.core.models import Document, span_t, utc_now

SPANS = 1000
SERVER_SIDE = """
INSERT INTO span (document_id, annotator_id, label_id, start, "end", text, origin,
                  created_at, updated_at)
SELECT :document, :annotator, :label, g * 5, g * 5 + 4, 'word', 'manual', now(), now()
FROM generate_series(0, 999) AS g
"""


def _best(runs: int, once: Callable[[], float]) -> float:
    return min(once() for _ in range(runs))


def _timed(engine: Engine, write: Callable[..., object], *args: object) -> float:
    with engine.begin() as connection:
        started = time.perf_counter()
        write(connection, *args)
        elapsed = time.perf_counter() - started
        connection.rollback()  # every run writes the same rows into an empty layer
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ANNOTATOR_TEST_PG_URL"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--actions", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or set ANNOTATOR_TEST_PG_URL")
    os.environ.pop("ANNOTATOR_ANNOTATOR", None)
    name = f"annotator_bench_{uuid.uuid4().hex[:10]}"
    member = f"bench_member_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    groups = team.init_team(url)
    try:
        team.add_member(url, member, "bench")
        member_url = make_url(url).set(username=member, password="bench")
        with Corpus.open(url, annotator="owner_layer") as owner:
            project_id = owner.create_project("bench").id
            label = owner.add_label(project_id or 0, "L").entity_id
            owner_id = owner.annotator_id()
            with owner.session() as session:
                document = Document(
                    project_id=project_id or 0, text="word " * SPANS, content_hash="0" * 64
                )
                spare = Document(
                    project_id=project_id or 0,
                    text="word " * max(args.actions, 1),
                    content_hash="1" * 64,
                )
                session.add_all([document, spare])
                session.commit()
                document_id, actions_document = document.id, spare.id or 0
        engines = {"owner": create_engine(url), "member": create_engine(member_url)}
        with engines["member"].connect() as connection:
            member_id = connection.execute(text("SELECT annotator_self_id()")).scalar_one()
        who = {"owner": owner_id, "member": member_id}

        def server_side(connection: object, annotator: int) -> None:
            connection.execute(  # type: ignore[attr-defined]
                text(SERVER_SIDE), {"document": document_id, "annotator": annotator, "label": label}
            )

        def statement_each(connection: object, annotator: int) -> None:
            now = utc_now()
            rows = [
                {
                    "document_id": document_id, "annotator_id": annotator, "label_id": label,
                    "start": i * 5, "end": i * 5 + 4, "text": "word", "origin": "manual",
                    "created_at": now, "updated_at": now,
                }
                for i in range(SPANS)
            ]  # fmt: skip
            connection.execute(insert(span_t), rows)  # type: ignore[attr-defined]

        figures: dict[str, float] = {}
        for way, write in (("one statement", server_side), ("1,000 statements", statement_each)):
            for role, engine in engines.items():
                figures[f"{way}, {role}"] = _best(
                    args.runs, lambda e=engine, w=write, r=role: _timed(e, w, who[r])
                )
        plain_member_url = member_url.render_as_string(hide_password=False)
        for role, corpus_url in (("owner", url), ("member", plain_member_url)):
            if not args.actions:
                break
            with Corpus.open(corpus_url, annotator="owner_layer" if role == "owner" else None) as c:
                c.annotator_id()
                started = time.perf_counter()
                for i in range(args.actions):  # a document of their own: no clash
                    c.add_span(actions_document, label or 0, i * 5, i * 5 + 4)
                figures[f"{args.actions} actions, {role}"] = time.perf_counter() - started
        # The policy without its once-per-statement wrapper.
        owner_engine = create_engine(url)
        with owner_engine.begin() as connection:
            connection.execute(text("DROP POLICY team_insert ON span"))
            connection.execute(
                text(
                    f'CREATE POLICY team_insert ON span FOR INSERT TO "{groups.annotators}" '
                    "WITH CHECK (annotator_id = ANY (annotator_layers()))"
                )
            )
        owner_engine.dispose()
        figures["one statement, member, function per row"] = _best(
            args.runs, lambda: _timed(engines["member"], server_side, member_id)
        )
        for engine in engines.values():
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in (member, groups.reviewers, groups.annotators):
                connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
    print(f"{SPANS} spans inserted, best of {args.runs} (ms):")
    for what, seconds in figures.items():
        print(f"  {what:42s} {seconds * 1000:8.1f}")
    for way in ("one statement", "1,000 statements", f"{args.actions} actions"):
        if f"{way}, owner" not in figures:
            continue
        ratio = figures[f"{way}, member"] / figures[f"{way}, owner"]
        print(f"  {way}: member / owner = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
