"""`annotator concordance`: every occurrence of a word or a regular expression in a
project, one aligned line each (keyword in context), with the labels each layer gave it.

Kept apart from `cli`, which is long enough; the search itself is core's.
"""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.core.concordance import Hit

TITLE_WIDTH = 24
# core.concordance's defaults, written out so that building the parser imports no core.
WIDTH = 40
LIMIT = 10_000


def concordance_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    concordance = commands.add_parser(
        "concordance", parents=[common], help="every occurrence of a word in a project, in context",
        description="Prints each occurrence of PATTERN in the project's documents on one "
        "line: the document's title, the text before it, the match, the text after, and "
        "the labels every layer (the gold layer too) has on spans overlapping it. Pending "
        "suggestions are not shown. Reads only.",
    )  # fmt: skip
    concordance.add_argument(
        "pattern", metavar="PATTERN", help="a word or phrase, or with --regex an expression"
    )
    concordance.add_argument("--project", required=True, metavar="P")
    concordance.add_argument(
        "--regex", action="store_true", help="PATTERN is a Python regular expression"
    )
    concordance.add_argument("--ignore-case", "-i", action="store_true", help="any case matches")
    concordance.add_argument(
        "--whole-word", "-w", action="store_true", help="only where no letter or digit adjoins"
    )
    concordance.add_argument(
        "--width", type=int, default=WIDTH, metavar="N",
        help=f"characters of context each side (default {WIDTH})",
    )  # fmt: skip
    concordance.add_argument(
        "--limit", type=int, default=LIMIT, metavar="N",
        help=f"stop after N matches (default {LIMIT})",
    )  # fmt: skip


def display_width(text: str) -> int:
    """Terminal columns: wide (CJK, most emoji) characters take two, accents none."""
    return sum(
        0 if unicodedata.category(c)[0] == "M" or c == "\u200d"
        else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )  # fmt: skip


def _fit(text: str, width: int, *, keep_end: bool) -> str:
    """`text` cut to at most `width` columns, from the side away from the match."""
    while display_width(text) > width:
        text = text[1:] if keep_end else text[:-1]
    return text


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def kwic_lines(hits: list[Hit], width: int) -> list[str]:
    """One line per hit, the matches one under another: title, left context right-aligned,
    the match in brackets, right context, then the labels per layer."""
    titles = [_fit(hit.title, TITLE_WIDTH, keep_end=False) for hit in hits]
    title_width = max(map(display_width, titles), default=0)
    match_width = max((display_width(hit.match) for hit in hits), default=0)
    lines = []
    for hit, title in zip(hits, titles, strict=True):
        left = _pad(_fit(hit.left, width, keep_end=True), width, right=True)
        right = _fit(hit.right, width, keep_end=False)
        labels = hit.labels_text()
        if labels:
            right = _pad(right, width, right=False)
        match = _pad(f"[{hit.match}]", match_width + 2, right=False) if labels else f"[{hit.match}]"
        line = f"{_pad(title, title_width, right=False)}  {left} {match} {right}"
        lines.append(f"{line}  {labels}".rstrip() if labels else line.rstrip())
    return lines


def run_concordance(
    args: argparse.Namespace, open_corpus: Callable[[argparse.Namespace], Any]
) -> int:
    from annotator.core.concordance import compile_pattern, search

    # A bad expression is refused before the database is opened.
    compile_pattern(
        args.pattern, regex=args.regex, ignore_case=args.ignore_case, whole_word=args.whole_word
    )
    with open_corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        found = search(
            corpus.engine, project_id, args.pattern, regex=args.regex,
            ignore_case=args.ignore_case, whole_word=args.whole_word,
            width=args.width, limit=args.limit,
        )  # fmt: skip
    for line in kwic_lines(found.hits, args.width):
        print(line)
    print(found.summary() + ".")
    return 0
