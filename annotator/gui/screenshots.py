"""Screenshots of the real window for the README, made the way a person would work.

    python -m annotator.gui.screenshots [FOLDER]     (default: resources/screenshots)

Runs offscreen on a temporary database; nothing of the user's is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from annotator.base.vocabulary import ReviewAction, Status


def _label_words(window: object, pairs: list[tuple[str, str]]) -> None:
    from annotator.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    text = window.workspace.document.text if window.workspace.document else ""
    labels = {lb.name: lb.id for lb in window.workspace.labels if lb.id is not None}
    for needle, label in pairs:
        position = text.find(needle)
        while position != -1:
            window.article.text.select_range(position, position + len(needle), scroll=False)
            window.apply_label(labels[label])
            position = text.find(needle, position + len(needle))


def _review(window: object, database: Path) -> None:
    """A second annotator, bob, labels the same article a little differently; the lead
    then reviews alice against bob."""
    from annotator.core.corpus import Corpus
    from annotator.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    document = window.workspace.document
    assert document is not None and document.id is not None
    with Corpus.open(str(database), annotator="bob") as bob:
        project_id = window.workspace.project.id if window.workspace.project else None
        assert project_id is not None
        labels = {label.name: label.id for label in bob.labels(project_id)}
        for needle, label, trim in (
            ("Port Ellison", "Location", 0), ("Harbour Bridge", "Location", 7),
            ("Helena Voss", "Organisation", 0), ("Kestrel Island", "Location", 0),
            ("Samuel Achterberg", "Person", 0), ("Brandt & Ollen", "Organisation", 0),
            ("Northern Infrastructure Agency", "Organisation", 0), ("2023", "Date", 0),
            ("Bayline Transport", "Organisation", 0),
        ):  # fmt: skip
            start = document.text.find(needle)
            label_id = labels[label]
            assert label_id is not None
            bob.add_span(document.id, label_id, start, start + len(needle) - trim)
    window.refresh_layers()
    window.set_review_mode(True)
    article = window.review_article
    article.annotator_a.setCurrentIndex(article.annotator_a.findData("alice"))
    article.annotator_b.setCurrentIndex(article.annotator_b.findData("bob"))
    window.review.reload()
    window.review.accept_agreements()
    window.review_panel.comment.setPlainText("Guideline 2.3: titles stay outside PER spans.")
    window.review.decide(ReviewAction.TAKE_A)
    window.review.decide(ReviewAction.REJECT)


def make_screenshots(folder: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.gui.labels_dialog import LabelsDialog
    from annotator.gui.main_window import MainWindow
    from annotator.gui.settings import Settings
    from annotator.gui.theme import dark_palette, light_palette

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setPalette(light_palette())
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings)
        window.resize(1360, 860)
        window.show()
        window.open_database(str(Path(scratch) / "corpus.db"), annotator="alice", project=None)
        _label_words(window, [
            ("Port Ellison", "Location"), ("Harbour Bridge", "Location"),
            ("Kestrel Island", "Location"), ("Quay Street", "Location"),
            ("Helena Voss", "Person"), ("Voss", "Person"), ("Samuel Achterberg", "Person"),
            ("Rosa Delgado", "Person"), ("Brandt & Ollen Engineering", "Organisation"),
            ("Northern Infrastructure Agency", "Organisation"),
            ("Bayline Transport", "Organisation"), ("Wheels for Ellison", "Organisation"),
            ("Tuesday", "Date"),
            ("February 2023", "Date"), ("March 18", "Date"),
        ])  # fmt: skip
        economy = next(lb for lb in window.workspace.labels if lb.name == "Economy")
        assert economy.id is not None
        window.workspace.set_document_label(economy.id, True)
        document = window.workspace.document
        assert document is not None and document.id is not None
        window.workspace.set_status(document.id, Status.IN_PROGRESS)
        spans = sorted(window.workspace.spans.values(), key=lambda s: s.start)
        window.article.text.place_caret(spans[4].start)
        window.article.text.set_selected_span(spans[4].id)
        window.tags.select_span(spans[4].id)
        window.article.text.verticalScrollBar().setValue(0)
        app.processEvents()
        written.append(folder / "workspace.png")
        window.grab().save(str(written[-1]))
        app.setPalette(dark_palette())
        app.processEvents()
        written.append(folder / "workspace-dark.png")
        window.grab().save(str(written[-1]))
        app.setPalette(light_palette())
        written.append(folder / "review.png")
        _review(window, Path(scratch) / "corpus.db")
        app.processEvents()
        window.grab().save(str(written[-1]))
        window.set_review_mode(False)
        dialog = LabelsDialog(window.workspace, window)
        dialog.show()
        app.processEvents()
        written.append(folder / "labels.png")
        dialog.grab().save(str(written[-1]))
        dialog.close()
        window.close()
        window.deleteLater()
        app.processEvents()
    return written


def main() -> None:
    default = Path(__file__).resolve().parents[2] / "resources" / "screenshots"
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    for path in make_screenshots(folder):
        print(path)


if __name__ == "__main__":
    main()
