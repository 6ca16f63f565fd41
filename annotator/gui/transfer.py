"""Import and export from the window: a progress dialog that can cancel, and a report.

The work runs on the GUI thread and lets the event loop breathe between files; a
cancelled import rolls back whole, so it writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from annotator.base.vocabulary import ExportFormat

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus
    from annotator.core.exporting import ExportFilter
    from annotator.core.importing import ImportReport


SHOWN_FILE_LINES = 12  # of the per-file report, in view before Show Details
REPORT_WIDTH = 640


def _progress_dialog(parent: QWidget, title: str) -> QProgressDialog:
    dialog = QProgressDialog(title, "Cancel", 0, 1000, parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog


def _advance(dialog: QProgressDialog, done: int, total: int) -> bool:
    """Show progress and let the window breathe; False once the user cancelled."""
    dialog.setMaximum(max(1, total))
    dialog.setValue(min(done, total))
    QApplication.processEvents()
    return not dialog.wasCanceled()


def run_import(
    parent: QWidget, corpus: Corpus, paths: list[Path], *, project: str
) -> ImportReport | None:
    """Import with progress; shows the report. None when cancelled or refused whole."""
    from annotator.base.errors import UserError
    from annotator.core.importing import ImportCancelled, import_paths

    dialog = _progress_dialog(parent, "Importing")

    def on_progress(done: int, total: int, name: str) -> bool:
        if name:
            dialog.setLabelText(f"Importing {name}…")
        return _advance(dialog, done, total)

    try:
        report = import_paths(corpus, paths, project=project, on_progress=on_progress)
    except UserError as error:  # a cancelled import included: it wrote nothing
        dialog.close()
        cancelled = isinstance(error, ImportCancelled)
        (QMessageBox.information if cancelled else QMessageBox.warning)(
            parent, "Import", str(error)
        )
        return None
    dialog.close()
    show_import_report(parent, report)
    return report


def show_import_report(parent: QWidget, report: ImportReport) -> QMessageBox:
    """The totals, then per file its format, what came in and what was left out and why;
    the first lines of that are in view, all of it under Show Details."""
    box = QMessageBox(parent)
    box.setObjectName("importReport")
    box.setWindowTitle("Import")
    box.setTextFormat(Qt.TextFormat.PlainText)  # file names are the user's, never markup
    box.setText(report.sentences())
    per_file = report.file_lines()
    shown = per_file[:SHOWN_FILE_LINES]
    if len(per_file) > len(shown):
        shown.append(f"… {len(per_file) - len(shown)} more line(s) under Show Details")
    informative = "\n".join(shown)
    if report.failures:
        box.setIcon(QMessageBox.Icon.Warning)
        informative += "\n\nFix the files that failed and import them again."
    else:
        box.setIcon(QMessageBox.Icon.Warning if report.left_out else QMessageBox.Icon.Information)
    box.setInformativeText(informative)
    # Wide enough that a file's line reads as one line, not a column of fragments.
    box.setStyleSheet(f"QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel "
                      f"{{ min-width: {REPORT_WIDTH}px; }}")  # fmt: skip
    details = report.file_lines(limit=len(report.per_file))
    details += [str(failure) for failure in report.failures]
    box.setDetailedText("\n".join(details))
    box.open()
    return box


def run_export(
    parent: QWidget,
    corpus: Corpus,
    project_id: int,
    output: Path,
    *,
    format_name: str,
    chosen: ExportFilter | None = None,
) -> bool:
    from annotator.base.errors import UserError
    from annotator.core.exporting import ExportCancelled, ExportFilter, export_project

    dialog = _progress_dialog(parent, "Exporting")

    try:
        report = export_project(
            corpus, project_id, output=output, format_name=format_name,
            chosen=chosen or ExportFilter(),
            on_progress=lambda done, total: _advance(dialog, done, total),
        )  # fmt: skip
    except UserError as error:
        dialog.close()
        if not isinstance(error, ExportCancelled):  # a cancel left the old file as it was
            QMessageBox.warning(parent, "Export", str(error))
        return False
    dialog.close()
    what = "span(s)" if format_name == ExportFormat.CSV else "document(s)"
    files = "\n".join(str(path) for path in report.files)
    written = f"Wrote {report.rows} {what} to\n{files}"
    notes = list(report.notes.lines())
    if notes:
        # What the format could not hold: said, never dropped without a word.
        shown = notes[:SHOWN_FILE_LINES]
        if len(notes) > len(shown):
            shown.append(f"… and {len(notes) - len(shown)} more")
        QMessageBox.warning(parent, "Export", written + "\n\n" + "\n".join(shown))
    else:
        QMessageBox.information(parent, "Export", written)
    return True
