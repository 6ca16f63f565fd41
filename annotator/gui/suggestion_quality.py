"""How good each source of suggestions is, measured in the window: precision, recall and
F1 per source and label (`core/suggestions/evaluation.py`), so an annotator can see
whether a source is worth its keys before letting it propose anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from annotator.core.suggestions.evaluation import Evaluation, Score

COLUMNS = ("Source", "Label", "Right", "Extra", "Missed", "Precision", "Recall", "F1")
SOURCE_NAMES = {"corpus": "Your spans", "patterns": "Pattern files", "model": "Model"}


def score_cells(source: str, label: str, score: Score) -> list[str]:
    return [
        SOURCE_NAMES.get(source, source),
        label,
        str(score.tp),
        str(score.fp),
        str(score.fn),
        f"{score.precision:.3f}",
        f"{score.recall:.3f}",
        f"{score.f1:.3f}",
    ]


def evaluation_rows(evaluation: Evaluation) -> list[list[str]]:
    """Per source: its labels, then its total; the union of all sources last."""
    rows: list[list[str]] = []
    for source in sorted(evaluation.by_source):
        for (row_source, label), score in sorted(evaluation.by_label.items()):
            if row_source == source:
                rows.append(score_cells(source, label, score))
        rows.append(score_cells(source, "all labels", evaluation.by_source[source]))
    if len(evaluation.by_source) > 1:
        rows.append(score_cells("All sources", "all labels", evaluation.overall))
    return rows


class QualityDialog(QDialog):
    """The figures as a table, totals in bold; read-only, closed with Escape or Enter."""

    def __init__(
        self,
        evaluation: Evaluation,
        parent: QWidget | None = None,
        *,
        model: Evaluation | None = None,
        model_note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionQuality")
        self.setWindowTitle("How good are the suggestions?")
        documents = f"{evaluation.documents} document{'s' if evaluation.documents != 1 else ''}"
        self.heading = QLabel(
            f"Measured against {evaluation.reference}, {documents}. A source that learnt "
            "from the corpus is measured on each document with that document's own spans "
            "left out. Right, extra and missed count exact spans (same words, same label)."
        )
        self.heading.setWordWrap(True)
        rows = evaluation_rows(evaluation)
        notes = [model_note] if model_note else []
        if model is not None:
            # Measured apart: only on the documents the model did not learn from.
            rows += evaluation_rows(model)
            unseen = f"{model.documents} document{'s' if model.documents != 1 else ''}"
            notes.append(f"The model is measured on the {unseen} it did not learn from.")
        if notes:
            self.heading.setText(self.heading.text() + " " + " ".join(notes))
        self.table = QTableWidget(len(rows), len(COLUMNS))
        self.table.setObjectName("qualityTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, cells in enumerate(rows):
            total = cells[1] == "all labels"
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if total:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if not rows:
            self.heading.setText(
                self.heading.text()
                + "\n\nNothing to measure yet: mark some documents done (or build a gold "
                "layer in review) and label them first."
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 160 + 30 * max(len(rows), 3))

    def cells(self) -> list[list[str]]:
        """The table as shown, row by row (what a reader sees; tests read it)."""
        rows = []
        for row in range(self.table.rowCount()):
            items = [self.table.item(row, column) for column in range(self.table.columnCount())]
            rows.append([item.text() if item is not None else "" for item in items])
        return rows
