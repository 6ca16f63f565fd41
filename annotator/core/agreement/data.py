"""What the agreement measures read: plain data, the token rule and each measure's caveats."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

SpanTuple = tuple[int, int, str]
IntArray = NDArray[np.int64]

OUTSIDE = "O"
TOKEN_PATTERN = r"\w+|[^\w\s]"

CAVEATS: dict[str, str] = {
    "exact_f1": (
        "same start, end and label only: a span one character off is a full miss"
        " (overlap F1 shows near misses); no chance correction"
    ),
    "overlap_f1": (
        "one shared character of the same label is enough, so boundary disagreement is"
        " invisible; the most one-to-one pairs there can be (a maximum matching), identical"
        " spans first; no chance correction"
    ),
    "token_kappa": (
        "depends on the tokenisation; counts agreement on O, which dominates when spans"
        " are sparse; a token inside several spans of one annotator keeps only the"
        " shortest span's label; per label it is that label against everything else"
    ),
    "token_f1": (
        "bratiaa's token-based F1 for one label per token: O tokens are left out, a span"
        " labels every token it touches, so boundary errors inside a token and between"
        " adjacent spans of one label vanish; no chance correction"
    ),
    "pair_means": (
        "the mean and the population standard deviation over the pairs of each pair's F1,"
        " as bratiaa reports them; a pair in which neither annotator used a label has no F1"
        " for it and is left out of that label's mean"
    ),
    "document_label_kappa": (
        "present or absent per document and label, on documents both annotated; the"
        " overall value pools every (document, label) decision"
    ),
    "fleiss_kappa": (
        "assumes every rater rated every item: only documents all annotators annotated;"
        " tokens with O as items; three or more annotators; per label: label against rest"
    ),
    "krippendorff_alpha": (
        "nominal, tokens with O as units; a document an annotator did not annotate is"
        " missing data; depends on the tokenisation like token kappa"
    ),
    "unitizing_alpha": (
        "characters of documents all annotators annotated, laid end to end as one"
        " continuum; per label, overlapping spans of one annotator and label are merged;"
        " 'labels ignored' treats every span alike; the overall value pools the labels"
        " (1 - sum Do / sum De); with three or more annotators this 2004 form is known to"
        " misbehave (Krippendorff et al. 2016)"
    ),
    "confusion": (
        "pairs spans as the review does: same offsets and label, then same offsets, then"
        " overlap with the same label, then any overlap, each a maximum matching; a span"
        " overlapping several is paired with one and the rest meet O; tokens"
        " nobody labelled are not counted, so the O/O cell stays 0"
    ),
}


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    """One document's text and, per annotator who annotated it, spans and document labels.

    A key in `layers` (even with no span) says that annotator annotated the document; an
    annotator without a key did not, and measures skip the document for them.
    """

    id: int
    text: str
    layers: Mapping[str, Sequence[SpanTuple]]
    labels: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgreementData:
    """What the measures read. `span_labels` and `document_labels` give the report's
    order; labels found in the data but not listed are added after them, sorted."""

    annotators: tuple[str, ...]
    documents: tuple[AgreementDocument, ...]
    span_labels: tuple[str, ...] = ()
    document_labels: tuple[str, ...] = ()
    project_id: int | None = None
    single_annotator_documents: int = 0

    def annotated(self) -> dict[str, set[int]]:
        """Document ids each annotator annotated."""
        return {
            name: {document.id for document in self.documents if name in document.layers}
            for name in self.annotators
        }

    def subset(self, document_ids: Iterable[int]) -> AgreementData:
        """The same data restricted to some documents, e.g. to report one document."""
        wanted = set(document_ids)
        return AgreementData(
            self.annotators,
            tuple(document for document in self.documents if document.id in wanted),
            self.span_labels, self.document_labels, self.project_id,
        )  # fmt: skip
