"""The sample project a new user finds on first run, so labelling can start at once."""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from annotator.core.corpus import Corpus
from annotator.core.models import Project

SAMPLE_PROJECT = "Sample news"


def resources() -> Traversable:
    return files("annotator.resources")


def default_labels() -> dict[str, list[dict[str, str]]]:
    data: dict[str, list[dict[str, str]]] = json.loads(
        (resources() / "labels" / "default.json").read_text(encoding="utf-8")
    )
    return data


def default_label_entries() -> list[dict[str, str]]:
    """The default set as `Corpus.add_labels` takes it: span labels first, then document."""
    return [
        {**entry, "kind": kind} for kind, entries in default_labels().items() for entry in entries
    ]


def add_default_labels(corpus: Corpus, project_id: int) -> None:
    corpus.add_labels(project_id, default_label_entries())


def sample_articles() -> list[Path]:
    folder = resources() / "samples"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".txt"))


def ensure_sample_project(corpus: Corpus) -> Project | None:
    """On an empty database, create the sample project; otherwise leave everything alone."""
    if corpus.projects():
        return None
    from annotator.core.importing import import_paths

    project = corpus.create_project(SAMPLE_PROJECT)
    assert project.id is not None
    add_default_labels(corpus, project.id)
    report = import_paths(corpus, sample_articles(), project=SAMPLE_PROJECT)
    if not report.ok:  # the samples ship with the package; failing here is a bug
        raise RuntimeError(report.summary())
    return project
