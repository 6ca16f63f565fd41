"""The review feedback report as one self-contained HTML page, from plain rows.

The rows (`FeedbackRow`) are built by `annotator.core.review.feedback_rows`; this module
only renders them, so it knows nothing of the database.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "EDITED", "FEEDBACK_COLUMNS", "MISSED", "OTHER_TAKEN", "REJECTED", "VERDICT_TEXT",
    "FeedbackRow", "write_feedback_html",
]  # fmt: skip

FEEDBACK_COLUMNS = (
    "annotator", "document_id", "document_hash", "document_title", "item_key", "kind",
    "verdict", "your_label", "your_start", "your_end", "your_text",
    "other_annotator", "other_label", "other_start", "other_end", "other_text",
    "gold_label", "gold_start", "gold_end", "gold_text",
    "left_context", "passage", "right_context", "comment", "reviewer", "decided_at",
)  # fmt: skip

# Feedback verdicts: why an item is in an annotator's report.
REJECTED = "rejected"  # their span is not in gold, and nothing replaced it
OTHER_TAKEN = "other_taken"  # the other side's span went to gold instead
EDITED = "edited"  # the reviewer wrote a corrected span to gold
MISSED = "missed"  # they had no span here, gold has one

VERDICT_TEXT = {
    REJECTED: "rejected: not in gold",
    OTHER_TAKEN: "the other span was taken",
    EDITED: "corrected by the reviewer",
    MISSED: "missed: gold has a span here",
}


class FeedbackRow(NamedTuple):
    """One row of an annotator's feedback, in FEEDBACK_COLUMNS order."""

    annotator: str
    document_id: int
    document_hash: str
    document_title: str | None
    item_key: str
    kind: str
    verdict: str
    your_label: str | None
    your_start: int | None
    your_end: int | None
    your_text: str | None
    other_annotator: str
    other_label: str | None
    other_start: int | None
    other_end: int | None
    other_text: str | None
    gold_label: str | None
    gold_start: int | None
    gold_end: int | None
    gold_text: str | None
    left_context: str
    passage: str
    right_context: str
    comment: str | None
    reviewer: str
    decided_at: str


_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 70em;
       padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .4em .6em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
mark { background: #ffe08a; padding: 0 .1em; }
.label { font-weight: 600; } .muted { color: #777; }
.context { font-family: ui-serif, Georgia, serif; white-space: pre-wrap; }
@media (prefers-color-scheme: dark) {
  body { color: #ddd; background: #1e1e1e; } th { background: #2c2c2c; }
  th, td { border-color: #444; } mark { background: #7a5d00; color: #fff; }
}
"""


_NONE = '<span class="muted">&mdash;</span>'


def _span_cell(label: str | None, start: int | None, end: int | None, text: str | None) -> str:
    if label is None:
        return _NONE
    return (
        f'<span class="label">{html.escape(label)}</span> '
        f'<span class="muted">{start}&ndash;{end}</span><br>&ldquo;{html.escape(text or "")}&rdquo;'
    )


def write_feedback_html(
    rows: Iterable[FeedbackRow], path: Path, *, title: str | None = None
) -> int:
    """One self-contained HTML file (inline style, no scripts, every text escaped) with a
    table per document: their span, what the review decided, the comment, the context.
    Returns the number of rows written."""
    by_document: dict[int, list[FeedbackRow]] = {}
    names: set[str] = set()
    for row in rows:
        by_document.setdefault(row.document_id, []).append(row)
        names.add(row.annotator)
    heading = title or (
        f"Review feedback for {', '.join(sorted(names))}" if names else "Review feedback"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
    ]
    count = sum(len(group) for group in by_document.values())
    if not count:
        parts.append("<p>The review took every one of your spans as it was.</p>")
    else:
        parts.append(
            f"<p>{count} place(s) where the gold layer differs from your spans. Offsets count "
            "characters (code points) from the start of the document.</p>"
        )
    for group in by_document.values():
        first = group[0]
        name = first.document_title or f"Document {first.document_id}"
        parts.append(
            f"<section><h2>{html.escape(name)} "
            f'<span class="muted">(#{first.document_id})</span></h2>'
        )
        parts.append(
            "<table><thead><tr><th>Context</th><th>Your span</th><th>Review</th>"
            "<th>Comment</th></tr></thead><tbody>"
        )
        for row in group:
            context = (
                f"{html.escape(row.left_context)}<mark>{html.escape(row.passage)}</mark>"
                f"{html.escape(row.right_context)}"
            )
            decided = html.escape(VERDICT_TEXT.get(row.verdict, row.verdict))
            gold = _span_cell(row.gold_label, row.gold_start, row.gold_end, row.gold_text)
            review = f"{decided}<br>gold: {gold}"
            if row.verdict == OTHER_TAKEN:
                review += f'<br><span class="muted">from {html.escape(row.other_annotator)}</span>'
            comment = html.escape(row.comment) if row.comment else _NONE
            parts.append(
                f'<tr><td class="context">{context}</td>'
                f"<td>{_span_cell(row.your_label, row.your_start, row.your_end, row.your_text)}"
                f"</td><td>{review}</td><td>{comment}<br>"
                f'<span class="muted">{html.escape(row.reviewer)}</span></td></tr>'
            )
        parts.append("</tbody></table></section>")
    parts.append("</body></html>\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return count
