"""Inter-annotator agreement for span annotation: pure functions on plain data, one loader.

The measures work on plain Python data (`AgreementData`), so they are testable without a
database and fast on large projects: every document is laid end to end on one line of
code points (the *continuum*), spans and tokens become numpy arrays in that coordinate,
and each measure is a few array operations. Only `load_project` talks to the database.

Who counts where
    A document counts for an annotator when they *annotated* it: they have a span, a
    document label or a status other than "todo" on it. `AgreementDocument.layers` holds a
    key (perhaps with no spans) for exactly those annotators. A pair is compared only on
    documents both annotated; Fleiss' kappa and unitizing alpha only on documents all
    annotated; Krippendorff's alpha on every document two or more annotated, the others'
    missing values being missing data. A document marked done with no span is therefore
    agreement that nothing is there, and one the annotator never opened is not a
    disagreement.

Tokens
    `TOKEN_PATTERN` (`\\w+|[^\\w\\s]`: words, and each punctuation mark alone) over the
    document text. A token takes the label of a span of that annotator that shares at
    least one character with it (so a span that cuts a word labels the whole word); when
    several do, the shortest span wins, then the leftmost, then the label that comes
    first. A token inside no span is "O".

Span matching
    One-to-one. Exact: same start, end and label. Overlap: same label and at least one
Span matching
    By `annotator.core.matching`, the rules the review uses too. Exact: same start, end
    and label, one to one. Overlap: same label and at least one shared character, the
    largest number of one-to-one pairs there can be (a maximum matching), identical spans
    first. The confusion matrix is the review's pairing: same offsets and label, same
    offsets, same label overlapping, any overlap; what is left meets "O".

Modules: `data` (the input), `statistics` (the measures on arrays), `prepared` (tokens
and spans on the continuum), `report` (`compute_report`), `results` (what it returns),
`rendering` (the text report), `loading` (`load_project`).
"""

from __future__ import annotations

from annotator.base.vocabulary import GOLD
from annotator.core.agreement.data import (
    CAVEATS,
    OUTSIDE,
    TOKEN_PATTERN,
    AgreementData,
    AgreementDocument,
)
from annotator.core.agreement.loading import load_project
from annotator.core.agreement.prepared import token_labels, tokenize
from annotator.core.agreement.report import compute_report
from annotator.core.agreement.results import (
    AgreementReport,
    CellPair,
    ConfusionMatrix,
    F1Score,
    GroupAgreement,
    PairAgreement,
)
from annotator.core.agreement.statistics import (
    UnitizingAlpha,
    UnitizingScore,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    krippendorff_alpha_counts,
    unitizing_alpha,
    unitizing_disagreement,
)
from annotator.core.matching import match_spans

__all__ = [
    "CAVEATS", "GOLD", "OUTSIDE", "TOKEN_PATTERN", "AgreementData", "AgreementDocument",
    "AgreementReport", "CellPair", "ConfusionMatrix", "F1Score", "GroupAgreement",
    "PairAgreement", "UnitizingAlpha", "UnitizingScore", "cohen_kappa", "compute_report",
    "fleiss_kappa", "krippendorff_alpha", "krippendorff_alpha_counts", "load_project",
    "match_spans", "token_labels", "tokenize", "unitizing_alpha", "unitizing_disagreement",
]  # fmt: skip
