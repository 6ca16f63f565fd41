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
    box = QMessageBox(parent)
    box.setObjectName("importReport")
    box.setWindowTitle("Import")
    lines = report.summary().splitlines()
    headline = [line for line in lines if not line.startswith("  ")]
    box.setText("\n".join(headline))
    if report.failures:
        box.setIcon(QMessageBox.Icon.Warning)
        box.setInformativeText(
            "Nothing was written from the files that failed; fix them and import them again."
        )
        box.setDetailedText("\n".join(str(failure) for failure in report.failures))
    else:
        box.setIcon(QMessageBox.Icon.Information)
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
    what = "document(s)" if format_name == ExportFormat.JSONL else "span(s)"
    files = "\n".join(str(path) for path in report.files)
    QMessageBox.information(parent, "Export", f"Wrote {report.rows} {what} to\n{files}")
    return True
