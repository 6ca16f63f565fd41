"""The agreement report as text for people: aligned tables, then what each measure leaves out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from annotator.core.agreement.data import CAVEATS

if TYPE_CHECKING:
    from annotator.core.agreement.results import AgreementReport


def _cell(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.3f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    widths = [max(len(str(row[k])) for row in (headers, *rows)) for k in range(len(headers))]
    lines = [
        indent + "  ".join(
            str(cell).ljust(width) if k == 0 else str(cell).rjust(width)
            for k, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in (headers, *rows)
    ]  # fmt: skip
    lines.insert(1, indent + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _mean(report: AgreementReport, measure: str, label: str | None) -> str:
    found = report.pair_mean(measure, label)
    return "n/a" if not found.pairs else f"{_cell(found.mean)} ± {_cell(found.sd)}"


def render_text(report: AgreementReport) -> str:
    out = [
        "Inter-annotator agreement",
        f"  annotators: {', '.join(report.annotators) or 'none'}",
        f"  documents annotated by two or more: {report.documents:,}"
        + (
            f" (and {report.single_annotator_documents:,} by only one, left out)"
            if report.single_annotator_documents
            else ""
        ),
        f"  tokens: regular expression {report.token_pattern}",
        "",
        "Pairs (A is the reference for precision and recall; F1 and kappa are symmetric)",
    ]
    pair_rows = [
        [
            f"{pair.a} / {pair.b}", f"{pair.documents:,}",
            _cell(pair.exact.precision), _cell(pair.exact.recall), _cell(pair.exact.f1),
            _cell(pair.overlap.precision), _cell(pair.overlap.recall), _cell(pair.overlap.f1),
            _cell(pair.token_kappa), _cell(pair.token_f1.f1), _cell(pair.document_kappa),
        ]
        for pair in report.pairs
    ]  # fmt: skip
    out.append(
        _table(
            [
                "A / B",
                "docs",
                "exact P",
                "exact R",
                "exact F1",
                "ovl P",
                "ovl R",
                "ovl F1",
                "tok kappa",
                "tok F1",
                "doc kappa",
            ],
            pair_rows,
        )
    )
    if len(report.pairs) > 1:
        out += ["", f"Mean of the {len(report.pairs)} pairs' F1 (population SD)"]
        measures = (("exact F1", "exact_f1"), ("ovl F1", "overlap_f1"), ("tok F1", "token_f1"))
        out.append(
            _table(
                ["label", *(name for name, _ in measures)],
                [
                    [label or "all", *(_mean(report, key, label) for _, key in measures)]
                    for label in (None, *report.span_labels)
                ],
            )
        )
    for pair in report.pairs:
        out += ["", f"Per label, {pair.a} / {pair.b} ({pair.tokens:,} tokens)"]
        rows = [
            [label, str(pair.exact_by_label[label].a_count),
             str(pair.exact_by_label[label].b_count), _cell(pair.exact_by_label[label].f1),
             _cell(pair.overlap_by_label[label].f1), _cell(pair.token_kappa_by_label[label]),
             _cell(pair.token_f1_by_label[label].f1)]
            for label in report.span_labels
        ]  # fmt: skip
        out.append(
            _table(
                ["label", "A spans", "B spans", "exact F1", "ovl F1", "tok kappa", "tok F1"], rows
            )
        )
        if report.document_labels:
            out.append("")
            out.append(
                _table(
                    ["document label", "kappa"],
                    [
                        [label, _cell(pair.document_kappa_by_label[label])]
                        for label in report.document_labels
                    ],
                )
            )
        names = pair.confusion.names
        out += ["", f"  confusion: {pair.a} down, {pair.b} across (O = no span)"]
        out.append(
            _table(
                [f"{pair.a} \\ {pair.b}", *names],
                [
                    [name, *(str(v) for v in row)]
                    for name, row in zip(names, pair.confusion.counts.tolist(), strict=True)
                ],
                indent="    ",
            )
        )
    group = report.group
    out += [
        "",
        f"All annotators ({len(group.annotators)})",
        f"  Fleiss' kappa, tokens of the {group.documents_all:,} documents all annotated"
        f" ({group.tokens_all:,} tokens): {_cell(group.fleiss_kappa)}"
        + ("" if len(group.annotators) >= 3 else " (needs three or more annotators)"),
        f"  Krippendorff's alpha, nominal, tokens of {group.documents_alpha:,} documents"
        f" ({group.tokens_alpha:,} tokens): {_cell(group.alpha)}",
        f"  unitizing alpha over {group.characters:,} characters: pooled"
        f" {_cell(group.unitizing.overall)}, labels ignored"
        f" {_cell(group.unitizing.labels_ignored.alpha)}",
        "",
    ]
    out.append(
        _table(
            ["label", "Fleiss kappa", "alpha", "unitizing alpha"],
            [
                [
                    label,
                    _cell(group.fleiss_kappa_by_label[label]),
                    _cell(group.alpha_by_label[label]),
                    _cell(group.unitizing.by_label[label].alpha),
                ]
                for label in report.span_labels
            ],
        )
    )
    out += ["", "What each measure leaves out"]
    out += [f"  {name}: {text}" for name, text in CAVEATS.items()]
    return "\n".join(out) + "\n"
