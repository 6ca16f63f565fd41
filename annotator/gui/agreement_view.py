"""The agreement dashboard: measures per pair and per label, a chart per label, and a
confusion matrix whose cells open the disagreeing spans behind them.

The numbers come from `annotator.core.agreement`; this window only lays them out.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from annotator.core.agreement import AgreementReport, PairAgreement
    from annotator.core.corpus import Corpus
    from annotator.core.models import Document

MEASURES = (("exact F1", "#4e79a7"), ("overlap F1", "#59a14f"), ("token κ", "#f28e2b"))
PAIR_ROLE = Qt.ItemDataRole.UserRole + 1


SHOWN_SPAN_CHARS = 40


def _span_words(text: str, span: tuple[Any, ...] | None) -> str:
    """A span as a reader finds it: its words, its label and where it is."""
    if span is None:
        return "—"
    start, end, label = span[0], span[1], span[2]
    words = text[start:end]
    if len(words) > SHOWN_SPAN_CHARS:
        words = words[: SHOWN_SPAN_CHARS - 1] + "…"
    return f"“{words}” {label} {start}–{end}"


def _fmt(value: float | None) -> str:
    return (
        "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
    )


class LabelChart(QWidget):
    """Bars per label for exact F1, overlap F1 and token kappa; painted by hand because
    QtCharts is not part of PySide6-Essentials."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreementChart")
        self.rows: list[tuple[str, list[float]]] = []
        self.setMinimumHeight(160)

    def set_rows(self, rows: list[tuple[str, list[float]]]) -> None:
        self.rows = rows
        self.setMinimumHeight(40 + 26 * max(1, len(rows)))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 40 + 26 * max(1, len(self.rows)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        name_width = max((metrics.horizontalAdvance(n) for n, _ in self.rows), default=40) + 12
        left, top = name_width, 28
        width = max(50, self.width() - left - 16)
        x = left
        for name, colour in MEASURES:  # the legend
            painter.fillRect(QRectF(x, 6, 10, 10), QColor(colour))
            painter.setPen(text)
            painter.drawText(int(x + 14), 16, name)
            x += metrics.horizontalAdvance(name) + 34
        for number, (label, values) in enumerate(self.rows):
            y = top + number * 26
            painter.setPen(text)
            painter.drawText(QRectF(0, y, name_width - 8, 22), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, label)  # fmt: skip
            for index, (value, (_name, colour)) in enumerate(zip(values, MEASURES, strict=True)):
                bar = 0.0 if math.isnan(value) else max(0.0, min(1.0, value))
                painter.fillRect(QRectF(left, y + 2 + index * 7, width * bar, 6), QColor(colour))
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawLine(left, top - 2, left, top + 26 * max(1, len(self.rows)))
        painter.end()


class AgreementDialog(QDialog):
    """Opened from Review → Agreement; `spansRequested` shows a span pair in the article."""

    spansRequested = Signal(int, int, int)

    def __init__(self, corpus: Corpus, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from annotator.core.agreement import compute_report, load_project

        self.setObjectName("agreementDialog")
        self.setWindowTitle("Agreement")
        self.resize(980, 680)
        self.report: AgreementReport = compute_report(load_project(corpus, project_id))
        self.corpus = corpus
        self._documents: dict[int, Document] = {}
        self.pair_chooser = QComboBox()
        self.pair_chooser.setObjectName("agreementPair")
        for pair in self.report.pairs:
            self.pair_chooser.addItem(f"{pair.a} – {pair.b}", (pair.a, pair.b))
        self.summary = QLabel()
        self.summary.setObjectName("agreementSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("agreementTable")
        self.table.setHorizontalHeaderLabels(
            ["Label", "exact F1", "overlap F1", "token κ", "document κ"]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.chart = LabelChart()
        self.matrix = QTableWidget()
        self.matrix.setObjectName("confusionMatrix")
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.cellClicked.connect(self._on_matrix_cellClicked)
        self.cell_spans = QListWidget()
        self.cell_spans.setObjectName("cellSpans")
        self.cell_spans.itemActivated.connect(self._on_cell_spans_itemActivated)
        self.cell_spans.itemDoubleClicked.connect(self._on_cell_spans_itemActivated)
        self.caveats = QTextBrowser()
        self.caveats.setObjectName("agreementCaveats")
        self.text_report = QTextBrowser()
        self.text_report.setObjectName("agreementText")
        self.text_report.setFontFamily("monospace")
        copy_json = QPushButton("Copy as JSON")
        copy_json.clicked.connect(self._copy_json)

        measures = QWidget()
        measures_layout = QVBoxLayout(measures)
        measures_layout.addWidget(self.table, 1)
        measures_layout.addWidget(self.chart)
        confusion = QSplitter(Qt.Orientation.Vertical)
        confusion.addWidget(self.matrix)
        confusion.addWidget(self.cell_spans)
        tabs = QTabWidget()
        tabs.addTab(measures, "Per label")
        tabs.addTab(confusion, "Confusion matrix")
        tabs.addTab(self.caveats, "What each measure leaves out")
        tabs.addTab(self.text_report, "Report")
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Pair</b>"))
        top.addWidget(self.pair_chooser)
        top.addStretch(1)
        top.addWidget(copy_json)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(tabs, 1)
        self.pair_chooser.currentIndexChanged.connect(self._show_pair)
        self._fill_static()
        self._show_pair()

    def _fill_static(self) -> None:
        from html import escape

        from annotator.core.agreement import CAVEATS

        group = self.report.group
        self.caveats.setHtml(
            "<dl>"
            + "".join(
                f"<dt><b>{escape(name.replace('_', ' '))}</b></dt><dd>{escape(text)}</dd>"
                for name, text in CAVEATS.items()
            )
            + "</dl>"
        )
        self.text_report.setPlainText(self.report.to_text())
        self._group_line = (
            f"All {len(group.annotators)} annotators: Fleiss κ {_fmt(group.fleiss_kappa)} · "
            f"Krippendorff α {_fmt(group.alpha)} · unitizing α "
            f"{_fmt(group.unitizing.overall)}"
        )

    def current_pair(self) -> PairAgreement | None:
        data = self.pair_chooser.currentData()
        return self.report.pair(*data) if data else None

    def _show_pair(self) -> None:
        pair = self.current_pair()
        if pair is None:
            self.summary.setText("Agreement needs two annotators who annotated the same documents.")
            return
        self.summary.setText(
            f"<b>{pair.a}</b> and <b>{pair.b}</b> on {pair.documents} document(s), "
            f"{pair.tokens} token(s): exact F1 {_fmt(pair.exact.f1)} · overlap F1 "
            f"{_fmt(pair.overlap.f1)} · token κ {_fmt(pair.token_kappa)} · document κ "
            f"{_fmt(pair.document_kappa)}<br>{self._group_line}"
        )
        labels = list(self.report.span_labels)
        self.table.setRowCount(len(labels) + 1)
        chart_rows = []
        for row, label in enumerate(["(all)", *labels]):
            if label == "(all)":
                exact, overlap = pair.exact.f1, pair.overlap.f1
                kappa = pair.token_kappa
            else:
                exact = pair.exact_by_label[label].f1 if label in pair.exact_by_label else math.nan
                overlap = (
                    pair.overlap_by_label[label].f1 if label in pair.overlap_by_label else math.nan
                )
                kappa = pair.token_kappa_by_label.get(label, math.nan)
                chart_rows.append((label, [exact, overlap, kappa]))
            cells = [label, _fmt(exact), _fmt(overlap), _fmt(kappa),
                     _fmt(pair.document_kappa) if label == "(all)" else ""]  # fmt: skip
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.chart.set_rows(chart_rows)
        names = pair.confusion.names
        self.matrix.clear()
        self.matrix.setRowCount(len(names))
        self.matrix.setColumnCount(len(names))
        self.matrix.setHorizontalHeaderLabels([f"{pair.b}: {n}" for n in names])
        self.matrix.setVerticalHeaderLabels([f"{pair.a}: {n}" for n in names])
        highest = max(1, int(pair.confusion.counts.max(initial=0)))
        for r, row_name in enumerate(names):
            for c, column_name in enumerate(names):
                count = pair.confusion.count(row_name, column_name)
                item = QTableWidgetItem(str(count) if count else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if count:
                    colour = QColor("#59a14f" if r == c else "#e15759")
                    colour.setAlpha(40 + int(160 * count / highest))
                    item.setBackground(colour)
                self.matrix.setItem(r, c, item)
        self.cell_spans.clear()

    def _on_matrix_cellClicked(self, row: int, column: int) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        names = pair.confusion.names
        self.cell_spans.clear()
        for entry in pair.confusion.cell(names[row], names[column]):
            document = self._document(entry.document_id)
            a = _span_words(document.text, entry.a)
            b = _span_words(document.text, entry.b)
            where = document.title or f"document {entry.document_id}"
            item = QListWidgetItem(f"{where}: {pair.a} {a} · {pair.b} {b}")
            item.setToolTip(where)
            spans = [s for s in (entry.a, entry.b) if s is not None]
            start = min(s[0] for s in spans)
            end = max(s[1] for s in spans)
            item.setData(PAIR_ROLE, (entry.document_id, start, end))
            self.cell_spans.addItem(item)

    def _document(self, document_id: int) -> Document:
        """The document behind a cell's entry, read once per dialog."""
        if document_id not in self._documents:
            self._documents[document_id] = self.corpus.document(document_id)
        return self._documents[document_id]

    def _on_cell_spans_itemActivated(self, item: QListWidgetItem) -> None:
        document_id, start, end = item.data(PAIR_ROLE)
        self.spansRequested.emit(document_id, start, end)

    def _copy_json(self) -> None:
        QApplication.clipboard().setText(json.dumps(self.report.to_json(), indent=2))
