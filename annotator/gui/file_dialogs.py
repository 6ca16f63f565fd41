"""The window's file choosers: each returns the choice, or nothing when cancelled."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from annotator.base.vocabulary import ExportFormat

IMPORTABLE = (
    "Articles and annotations (*.txt *.md *.markdown *.jsonl *.ndjson *.json *.csv *.ann "
    "*.conll *.iob *.bio *.bioes *.spacy);;All files (*)"
)


def import_files(parent: QWidget) -> list[Path]:
    paths, _filter = QFileDialog.getOpenFileNames(parent, "Import", str(Path.home()), IMPORTABLE)
    return [Path(path) for path in paths]


def import_folder(parent: QWidget) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, "Import folder", str(Path.home()))
    return Path(folder) if folder else None


DATABASES = "annotator databases (*.db *.sqlite *.sqlite3);;All files (*)"


def database_file(parent: QWidget) -> Path | None:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Open a database", str(Path.home()), DATABASES
    )
    return Path(path) if path else None


def new_database_file(parent: QWidget) -> Path | None:
    """Where a new database goes; an existing file chosen here is opened, never emptied,
    so the chooser does not ask to replace it."""
    path, _filter = QFileDialog.getSaveFileName(
        parent, "Create a new database", str(Path.home() / "corpus.db"),
        "annotator databases (*.db)", options=QFileDialog.Option.DontConfirmOverwrite,
    )  # fmt: skip
    if not path:
        return None
    chosen = Path(path)
    return chosen if chosen.suffix else chosen.with_suffix(".db")


def export_file(parent: QWidget, project: str, format_name: str) -> Path | None:
    suggested = Path.home() / f"{project}.{format_name}"
    path, _filter = QFileDialog.getSaveFileName(
        parent, f"Export {format_name.upper()}", str(suggested),
        f"{format_name.upper()} (*.{format_name})",
    )  # fmt: skip
    return Path(path) if path else None


def export_any(parent: QWidget, project: str) -> tuple[Path, str] | None:
    """Where to export and in which format, chosen by the file type in the dialog."""
    from annotator.formats.registry import EXPORT_FORMATS, FORMATS

    filters = {
        f"{FORMATS[name].summary} (*{' *'.join(FORMATS[name].suffixes)})": name
        for name in EXPORT_FORMATS
    }
    suggested = Path.home() / f"{project}.jsonl"
    path, chosen_filter = QFileDialog.getSaveFileName(
        parent, "Export As", str(suggested), ";;".join(filters)
    )
    if not path:
        return None
    format_name = filters.get(chosen_filter, "jsonl")
    chosen = Path(path)
    suffix = FORMATS[format_name].suffixes[0]
    if FORMATS[format_name].folder:
        chosen = chosen.with_suffix("") if chosen.suffix == suffix else chosen
    elif chosen.suffix.lower() not in FORMATS[format_name].suffixes:
        chosen = chosen.with_suffix(suffix)
    return chosen, format_name


def gold_export_file(parent: QWidget, project: str) -> tuple[Path, ExportFormat] | None:
    """Where the gold layer goes, and in which format (from the name or the filter)."""
    suggested = Path.home() / f"{project}-gold.jsonl"
    path, chosen_filter = QFileDialog.getSaveFileName(
        parent, "Export the gold layer", str(suggested), "JSONL (*.jsonl);;CSV (*.csv)"
    )
    if not path:
        return None
    csv_chosen = path.endswith(".csv") or "CSV" in chosen_filter
    return Path(path), ExportFormat.CSV if csv_chosen else ExportFormat.JSONL


def feedback_file(parent: QWidget, annotator: str) -> Path | None:
    suggested = Path.home() / f"feedback-{annotator}.html"
    path, _filter = QFileDialog.getSaveFileName(
        parent, f"Feedback report for {annotator}", str(suggested), "HTML (*.html)"
    )
    return Path(path) if path else None


PATTERNS = "Pattern files (*.jsonl *.json *.txt *.tsv *.lst);;All files (*)"


def pattern_files(parent: QWidget) -> list[Path]:
    """EntityRuler JSONL files or gazetteers (one entry a line, or entry<TAB>label)."""
    paths, _filter = QFileDialog.getOpenFileNames(
        parent, "Suggest from pattern files", str(Path.home()), PATTERNS
    )
    return [Path(path) for path in paths]
