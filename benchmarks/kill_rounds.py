"""Crash safety: the app killed with SIGKILL at random moments, then the database checked.

    python benchmarks/kill_rounds.py                 # 60 rounds
    python benchmarks/kill_rounds.py --rounds 120 --seed 7
    python benchmarks/kill_rounds.py --quick         # 12 rounds

Rounds take turns: the window labelling by key presses (label, relabel, remove word after
word) killed at a random moment; a command-line import of a JSONL file of --documents
articles killed at a random moment; both at once on one database, each killed at its own
moment. After each round: every step the window had shown as done is in the database (the
step under way may or may not be), no span appears that nobody made, the import left the
whole file or nothing, and `PRAGMA integrity_check` says ok. Not a test: failures are
printed, and the exit status is 1 when any round failed. Everything is written into a
temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The rounds live beside the driver they start, in the tests; the root is on the path now.
from tests.gui import kill_driver

KINDS = ("labelling", "import", "labelling+import")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="12 rounds")
    parser.add_argument("--seed", type=int, default=None, help="replay the same kill moments")
    parser.add_argument("--documents", type=int, default=4000, help="articles in the import")
    args = parser.parse_args()
    rounds = 12 if args.quick else args.rounds
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    print(f"{rounds} rounds, seed {seed}, imports of {args.documents} articles")
    failed: list[kill_driver.Outcome] = []
    kinds: Counter[str] = Counter()
    integrity: Counter[str] = Counter()
    imports: Counter[str] = Counter()
    shown = while_writing = 0
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kill-rounds-") as folder:
        base = Path(folder)
        template = kill_driver.template_database(base)
        source = kill_driver.bulk_source(base / "bulk.jsonl", args.documents)
        for n in range(rounds):
            kind = KINDS[n % len(KINDS)]
            outcome = kill_driver.run_round(
                base / f"round{n}", template, rng, label="labelling" in kind,
                source=source if "import" in kind else None, documents=args.documents,
            )  # fmt: skip
            kinds[kind] += 1
            integrity[outcome.integrity] += 1
            shown += outcome.actions_shown
            while_writing += outcome.while_writing
            if outcome.imported is not None:
                imports["whole" if outcome.imported == args.documents else "none"] += 1
            if outcome.problems:
                failed.append(outcome)
                print(f"round {n} ({kind}) FAILED: {outcome.problems}", flush=True)
    seconds = time.monotonic() - began
    print(f"rounds: {rounds} ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
    print(f"failed: {len(failed)}")
    print(f"integrity_check: {dict(integrity)}")
    print(f"actions the window showed before its kill: {shown}, every one checked")
    print(f"killed imports left: {dict(imports)} (whole file or nothing)")
    print(f"kills while a process held the write lock: {while_writing}")
    print(f"time: {seconds:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
