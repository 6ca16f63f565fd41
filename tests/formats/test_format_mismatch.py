"""A file read as a format it is not in is refused, naming the file, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.corpus import Corpus
from annotator.core.exporting import export_project
from annotator.core.importing import import_paths
from annotator.formats.registry import EXPORT_FORMATS, FORMATS

# Emoji (a ZWJ family among them), CJK, a combining mark, right-to-left script, CRLF.
TEXT = (
    "Kim Hong-kyun 😂 met O'Neill and 👨\u200d👩\u200d👧 in 서울특별시.\r\n"
    "Cafe\u0301 owners in القدس and ירושלים agreed."
)
WORDS = [("Kim Hong-kyun", "PER"), ("O'Neill", "PER"), ("서울특별시", "LOC"),
         ("Cafe\u0301", "ORG"), ("القدس", "LOC"), ("ירושלים", "LOC")]  # fmt: skip
SPANS = [(TEXT.index(word), TEXT.index(word) + len(word), label) for word, label in WORDS]
# Formats whose reader takes any text: a plain article is whatever the file says.
ANY_TEXT = {"txt", "md"}


@pytest.fixture
def exported(corpus: Corpus, tmp_path: Path) -> dict[str, Path]:
    """The same small project written in every format annotator writes."""
    source = tmp_path / "source.jsonl"
    layer = {
        "annotator": "alice", "status": "done", "document_labels": ["politics"],
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in SPANS],
    }  # fmt: skip
    source.write_text(json.dumps({"text": TEXT, "annotations": [layer]}) + "\n", encoding="utf-8")
    assert import_paths(corpus, [source], project="source").ok
    project_id = corpus.project_id("source")
    files: dict[str, Path] = {}
    for name in EXPORT_FORMATS:
        target = (
            tmp_path / "out" / f"export{'' if FORMATS[name].folder else FORMATS[name].suffixes[0]}"
        )
        target = target.with_name(f"{name}-{target.name}")
        target.parent.mkdir(exist_ok=True)
        export_project(corpus, project_id, format_name=name, output=target)
        files[name] = target
    return files


def _inputs(files: dict[str, Path], name: str) -> list[Path]:
    path = files[name]
    return sorted(path.rglob("*.ann")) if path.is_dir() else [path]


@pytest.mark.parametrize("written", EXPORT_FORMATS)
def test_every_export_is_read_back_as_its_own_format_detected(
    written: str, exported: dict[str, Path], corpus: Corpus, tmp_path: Path
) -> None:
    if written == "csv":  # a span CSV goes back onto documents that hold the same text
        text_only = tmp_path / "text-only.jsonl"
        text_only.write_text(json.dumps({"text": TEXT}) + "\n", encoding="utf-8")
        assert import_paths(corpus, [text_only], project="back").ok
    report = import_paths(corpus, _inputs(exported, written), project="back")
    assert report.ok, report.summary()
    assert {file.format_name for file in report.per_file} == {written}
    assert all(file.detected for file in report.per_file)
    assert report.spans == len(SPANS), "\n".join(report.file_lines())
    [document] = corpus.documents(corpus.project_id("back"))
    text = corpus.document(document.id).text
    if written != "conll":  # CoNLL keeps tokens, and its text is rebuilt from them
        assert text == TEXT.replace("\r\n", "\n")
    spans = corpus.spans(document.id, annotator="alice")
    assert sorted((text[s.start : s.end], s.text) for s in spans) == sorted(
        (word, word) for word, _ in WORDS
    )


@pytest.mark.parametrize("named", sorted(set(FORMATS) - ANY_TEXT))
def test_a_file_in_another_format_is_refused_naming_it_and_nothing_is_written(
    named: str, exported: dict[str, Path], corpus: Corpus
) -> None:
    before = corpus.stats(corpus.project_id("source"))
    for written in EXPORT_FORMATS:
        if written == named:
            continue
        for path in _inputs(exported, written):
            report = import_paths(corpus, [path], project="wrong", format_name=named)
            assert not report.ok, f"{written} file read as {named}: {report.summary()}"
            [failure] = report.failures
            assert failure.path == path
            assert str(path) in str(failure)
    assert "wrong" not in [summary.name for summary in corpus.projects()]
    assert corpus.stats(corpus.project_id("source")) == before
