"""CoNLL speed on one long article: tokenizing, writing and reading it back.

    python benchmarks/conll_speed.py            # a 1 MB article with 20,000 spans
    python benchmarks/conll_speed.py --quick    # 100 KB, 2,000 spans

The article mixes what the tokenizer keeps whole (hyphenated words, e + U+0301, emoji
and a ZWJ family, CJK, Hebrew and Arabic). Best of N each:

a. `tokens.tokenize` on the text, against the baseline `re.finditer(r"\\S+")` on the
   same text making the same (text, start, end) objects (white space splitting, which
   keeps no character whole and splits no punctuation);
b. `conll.write` of the article with its spans (IOB2) to a file, and `conll.read` of
   that file, against the baseline of making the white-space tokens of (a) and writing
   `token<TAB>O` for each, and reading that file back with `str.split`.

No target: the figures say whether an export of a long article keeps the user waiting.
Everything lives in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from timing import best  # the script beside this one

from annotator.formats import conll
from annotator.formats.records import DocumentRecord, SpanRecord
from annotator.formats.registry import FileNotes, ReadOptions, WriteOptions
from annotator.formats.tokens import tokenize

SEED = 20261130
PARAGRAPH = (
    "The self-driving car met Zoe\u0301 near the station, and she said: \u201cit's fine\u201d "
    "\U0001f602 while the \U0001f468\u200d\U0001f469\u200d\U0001f467 walked to \u6771\u4eac. "
    "In 2007 the price was 3.14 euros; \u05e9\u05dc\u05d5\u05dd and "
    "\u0645\u0631\u062d\u0628\u0627 were written on the wall!\n"
)


@dataclass(frozen=True, slots=True)
class _Plain:
    text: str
    start: int
    end: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the text")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = 100_000 if args.quick else 1_000_000
    text = PARAGRAPH * (size // len(PARAGRAPH))
    tokens = tokenize(text)
    rng = random.Random(SEED)
    spans = [
        SpanRecord(tokens[i].start, tokens[i + rng.randint(0, 2)].end, "L", annotator="a")
        for i in range(0, len(tokens) - 3, 13)
    ]
    document = DocumentRecord(text, spans=spans)
    print(f"article: {len(text):,} code points, {len(tokens):,} tokens, {len(spans):,} spans")

    pattern = re.compile(r"\S+")
    app = best(args.runs, lambda: tokenize(text))
    raw = best(
        args.runs,
        lambda: [_Plain(m.group(), m.start(), m.end()) for m in pattern.finditer(text)],
    )
    print(f"a. tokenize: {app:.2f} s, white-space split {raw:.2f} s, ratio {app / raw:.1f}x")

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "article.conll"
        plain = Path(folder) / "plain.conll"

        def app_write() -> None:
            conll.write([document], target, WriteOptions(), FileNotes())

        def app_read() -> None:
            list(conll.read(target, ReadOptions(), FileNotes()))

        def raw_write() -> None:
            words = [_Plain(m.group(), m.start(), m.end()) for m in pattern.finditer(text)]
            plain.write_text("".join(f"{word.text}\tO\n" for word in words), encoding="utf-8")

        def raw_read() -> None:
            [line.split("\t") for line in plain.read_text(encoding="utf-8").split("\n") if line]

        written = best(args.runs, app_write)
        read = best(args.runs, app_read)
        raw_written = best(args.runs, raw_write)
        raw_read_time = best(args.runs, raw_read)
        print(
            f"b. write: {written:.2f} s ({target.stat().st_size:,} bytes), baseline "
            f"{raw_written:.2f} s, ratio {written / raw_written:.1f}x"
        )
        print(
            f"   read:  {read:.2f} s, baseline {raw_read_time:.2f} s, "
            f"ratio {read / raw_read_time:.1f}x"
        )


if __name__ == "__main__":
    main()
