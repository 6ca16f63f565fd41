"""Suggestion speed on one long article: phrase matching at the size of a corpus's
labelled forms and of a real gazetteer.

    python benchmarks/suggest_speed.py            # a 1 MB article, 500 forms, 100,000 entries
    python benchmarks/suggest_speed.py --quick    # 100 KB, 50 forms, 10,000 entries

The article is made of words drawn from a vocabulary of 20,000 made-up words (some
capitalized, some joined by hyphens) with punctuation. Best of N each:

a. `PhraseMatcher.suggest` with ~500 phrases of one to three words drawn from the
   vocabulary (the size of an annotator's labelled forms in a project);
b. `PhraseMatcher.suggest` of a 100,000-entry gazetteer (1 entry in 20 drawn from the
   article's vocabulary, the rest from other words) loaded by `load_patterns` from a
   `.txt` file (its loading time is printed too), and the same case-insensitively;

each against the baselines `str.split()` of the same text and one `re.finditer(r"\\w+")`
making (start, end) pairs, measured in the same run. No target: the figures say whether
a project-wide suggestion run keeps the user waiting. The gazetteer lives in a temporary
folder removed at the end.
"""

from __future__ import annotations

import argparse
import random
import re
import string
import tempfile
import time
from pathlib import Path

from timing import best  # the script beside this one

from annotator.core.suggestions.matcher import PhraseMatcher
from annotator.core.suggestions.patterns import load_patterns

SEED = 20261201
VOCABULARY = 20_000


def make_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10)))
        words.add(word.capitalize() if rng.random() < 0.3 else word)
    return sorted(words)


def make_article(rng: random.Random, words: list[str], size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words)
        if rng.random() < 0.05:
            word += "-" + rng.choice(words)
        word += rng.choices(["", ",", ".", ";"], weights=[85, 8, 6, 1])[0]
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)


def phrases(rng: random.Random, words: list[str], count: int) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add(" ".join(rng.choices(words, k=rng.choice([1, 1, 2, 3]))))
    return sorted(found)


def report(name: str, app: float, split: float, finditer: float, found: int) -> None:
    print(
        f"{name}: {app * 1000:.1f} ms ({found:,} suggestions); ratio {app / split:.1f}x "
        f"str.split, {app / finditer:.1f}x re.finditer"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the text and phrases")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    rng = random.Random(SEED)
    words = make_words(rng, VOCABULARY)
    text = make_article(rng, words, 1_000_000 // scale)
    print(f"article: {len(text):,} code points, {len(text.split()):,} words; best of {args.runs}")

    word = re.compile(r"\w+")
    split = best(args.runs, text.split)
    finditer = best(args.runs, lambda: [(m.start(), m.end()) for m in word.finditer(text)])
    print(
        f"baseline: str.split {split * 1000:.1f} ms, re.finditer(r'\\w+') {finditer * 1000:.1f} ms"
    )

    forms = PhraseMatcher(
        [(phrase, "L") for phrase in phrases(rng, words, 500 // scale)], source="corpus"
    )
    found = len(forms.suggest(text))
    report(
        f"a. {forms.size:,} corpus forms",
        best(args.runs, lambda: forms.suggest(text)),
        split,
        finditer,
        found,
    )

    # A real gazetteer names mostly what a given article does not mention: 1 entry in 20
    # is drawn from the article's vocabulary, the rest from words it never uses.
    count = 100_000 // scale
    seen = set(words)
    others = [w for w in make_words(rng, VOCABULARY + 40_000 // scale) if w not in seen]
    entries = sorted(set(phrases(rng, words, count // 20)) | set(phrases(rng, others, count)))
    entries = entries[:count]
    with tempfile.TemporaryDirectory() as folder:
        gazetteer = Path(folder) / "ENTRY.txt"
        gazetteer.write_text("".join(f"{entry}\n" for entry in entries), encoding="utf-8")
        began = time.perf_counter()
        exact = load_patterns([gazetteer])
        loaded = time.perf_counter() - began
        loose = load_patterns([gazetteer], case_sensitive=False)
    print(f"b. gazetteer of {exact.size:,} entries loaded in {loaded * 1000:.0f} ms")
    for name, source in (("case-sensitive", exact), ("case-insensitive", loose)):
        found = len(source.suggest(text))
        app = best(args.runs, lambda source=source: source.suggest(text))  # type: ignore[misc]
        report(f"   {name}", app, split, finditer, found)


if __name__ == "__main__":
    main()
