"""Adjudication: compare two layers of a document, decide each difference, build gold.

A reviewer compares annotator A with annotator B, or A with the gold layer (B = None), on
one document. `compare_layers` pairs their spans one to one and classifies each place
as a `ReviewItem`; `decide` settles one item and writes the outcome into the gold layer
(the spans of the reserved annotator `gold`); every decision is kept, append-only, in
`review_decision`, and the latest one per item is the current one.

Matching is `annotator.core.matching`'s, the agreement report's too: in tiers, each span
used at most once and each tier a maximum matching (the most pairs) of what is left,
larger overlaps (then smaller unions, then text order) preferred among equals:

1. same offsets and label: AGREE;
2. same offsets, other label: LABEL;
3. overlapping, same label: BOUNDARY;
4. overlapping, other label and other offsets: LABEL as well, since the label is what
   differs first; the offsets differ too, which the item's spans show;
5. what is left: ONLY_A or ONLY_B.

So for two people the AGREE items are the exact matches of agreement's exact F1, and
its confusion matrix counts the items: AGREE and BOUNDARY on the diagonal, LABEL off
it, ONLY_A and ONLY_B against O.

What a decision does to gold. An item's *outcome* is the gold span its current decision
resolved to. Deciding replaces the old outcome with the new one: the new span is added
unless gold already holds one with the same label and offsets (then that one is the
result: no duplicates), and the old one is removed if the review wrote it and no other
current decision of the document still resolves to it. A span that was in gold before
the review is never removed by a pairwise review; reviewed against gold, the item's own
gold span B is what is being judged, so taking A, rejecting or editing removes it and
taking B keeps (or puts back) it.

Against gold, deciding changes the very layer being compared. `compare_layers` therefore
compares A with gold as it was before this review: current gold, minus the spans this
review wrote, plus the B spans recorded in its decisions. Item keys stay the same
however often the reviewer changes their mind.

Every mutation is one committed transaction with its history rows, and returns the
`Change`s it made; `corpus.revert_all(changes)` undoes them all in one transaction too,
and `corpus.revert_all` of what that returned redoes them. The gold annotator row itself
is created once, on demand, and is not part of any undo.

Modules: `classify` (items from two layers), `storage` (reading layers and decisions,
writing gold and decision rows), `decisions` (the actions), `feedback` (the rows of the
decision log and of an annotator's feedback; `annotator.formats.feedback_html` renders
the latter as HTML).
"""

from __future__ import annotations

from annotator.base.vocabulary import GOLD, ItemKind, ReviewAction
from annotator.core.review.classify import (
    Decision,
    ReviewItem,
    ReviewProgress,
    SpanRef,
    match_spans,
)
from annotator.core.review.decisions import accept_agreements, decide
from annotator.core.review.feedback import DECISION_COLUMNS, decision_rows, feedback_rows
from annotator.core.review.storage import compare_layers, gold_spans, review_progress
from annotator.formats.feedback_html import (
    EDITED,
    FEEDBACK_COLUMNS,
    MISSED,
    OTHER_TAKEN,
    REJECTED,
    FeedbackRow,
    write_feedback_html,
)

__all__ = [
    "DECISION_COLUMNS",
    "EDITED",
    "FEEDBACK_COLUMNS",
    "GOLD",
    "MISSED",
    "OTHER_TAKEN",
    "REJECTED",
    "Decision",
    "FeedbackRow",
    "ItemKind",
    "ReviewAction",
    "ReviewItem",
    "ReviewProgress",
    "SpanRef",
    "accept_agreements",
    "compare_layers",
    "decide",
    "decision_rows",
    "feedback_rows",
    "gold_spans",
    "match_spans",
    "review_progress",
    "write_feedback_html",
]
