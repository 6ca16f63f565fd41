"""The window's imports and exports: where the File menu's entries and the review's
gold and feedback exports ask for a place and hand it to `transfer`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from annotator.core.exporting import ExportFilter
    from annotator.gui.document_list import DocumentList
    from annotator.gui.review_view import ReviewController
    from annotator.gui.workspace import Workspace


class FileTransfers(QMainWindow):
    """What the main window does with files; the window itself is built in `main_window`."""

    workspace: Workspace
    documents: DocumentList

    if TYPE_CHECKING:

        def open_document(self, document_id: int) -> None: ...

        @property
        def review(self) -> ReviewController: ...

    def import_files(self) -> None:
        from annotator.gui import file_dialogs

        paths = file_dialogs.import_files(self)
        if paths:
            self.import_paths(paths)

    def import_folder(self) -> None:
        from annotator.gui import file_dialogs

        folder = file_dialogs.import_folder(self)
        if folder is not None:
            self.import_paths([folder])

    def import_paths(self, paths: list[Path]) -> None:
        from annotator.gui.transfer import run_import

        ws = self.workspace
        if ws.corpus is None or ws.project is None:
            return
        report = run_import(self, ws.corpus, paths, project=ws.project.name)
        if report is not None:
            self.documents.reload()
            if report.first_new_document is not None:
                # What the user came for: the first article the import brought.
                self.open_document(report.first_new_document)

    def export(self, format_name: str) -> None:
        from annotator.gui import file_dialogs

        self._export(lambda project: _with_format(
            file_dialogs.export_file(self, project, format_name), format_name
        ))  # fmt: skip

    def export_as(self) -> None:
        """Any format of the registry: doccano, Prodigy, Label Studio, brat, CoNLL, spaCy."""
        from annotator.gui import file_dialogs

        self._export(lambda project: file_dialogs.export_any(self, project))

    def _export(
        self,
        choose: Callable[[str], tuple[Path, str] | None],
        chosen: ExportFilter | None = None,
    ) -> None:
        """Where and in which format, asked of the user by `choose`; then the export."""
        from annotator.gui.transfer import run_export

        ws = self.workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            return
        target = choose(ws.project.name)
        if target is not None:
            path, format_name = target
            run_export(self, ws.corpus, ws.project.id, path, format_name=format_name, chosen=chosen)

    def export_gold(self) -> None:
        from annotator.base.vocabulary import GOLD
        from annotator.core.exporting import ExportFilter
        from annotator.gui import file_dialogs

        self._export(
            lambda project: file_dialogs.gold_export_file(self, project),
            ExportFilter(annotators=(GOLD,)),
        )

    def export_feedback(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from annotator.base.errors import UserError
        from annotator.core.exporting import write_feedback
        from annotator.gui import file_dialogs

        ws = self.workspace
        annotator = self.review.annotator_a
        if ws.corpus is None or ws.project is None or ws.project.id is None or not annotator:
            return
        path = file_dialogs.feedback_file(self, annotator)
        if path is None:
            return
        try:
            write_feedback(ws.corpus, ws.project.id, annotator, path, html=True)
        except UserError as error:
            QMessageBox.warning(self, "Feedback report", str(error))
            return
        self.statusBar().showMessage(f"feedback report for {annotator} written to {path}", 8000)


def _with_format(path: Path | None, format_name: str) -> tuple[Path, str] | None:
    return None if path is None else (path, format_name)
