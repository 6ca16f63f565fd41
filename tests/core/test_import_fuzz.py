"""Bad files through the real import: a clear error naming the file, the database unchanged."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.base.errors import InputError
from annotator.core.corpus import Corpus
from annotator.core.importing import import_paths
from annotator.formats.source import MAX_DOCUMENT_CHARS, MAX_FILE_BYTES
from tests.core.database_state import database_state, integrity_ok

PROJECT = "news"
NAMES = ("in.jsonl", "in.csv", "in.md", "in.txt")


@pytest.fixture
def ready(corpus: Corpus, tmp_path: Path) -> Corpus:
    """A project with a document in it: a failed import must leave both as they are."""
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": "Ada met Babbage.", "label": [[0, 3, "PER"]]}) + "\n")
    assert import_paths(corpus, [good], project=PROJECT).ok
    return corpus


@pytest.fixture
def shared_corpus(corpus: Corpus) -> Corpus:
    """One database for every generated example: a fresh one each would dominate the time."""
    corpus.create_project(PROJECT)
    return corpus


def refused(corpus: Corpus, path: Path, **options: str) -> InputError:
    """Import `path`, which must fail alone: its error, after checking nothing was written."""
    before = database_state(corpus)
    report = import_paths(corpus, [path], project=PROJECT, **options)  # type: ignore[arg-type]
    assert report.documents == 0
    (failure,) = report.failures
    assert failure.path == path and str(path) in str(failure)
    assert database_state(corpus) == before
    assert integrity_ok(corpus)
    return failure


def imported_or_refused(corpus: Corpus, path: Path) -> None:
    before = database_state(corpus)
    report = import_paths(corpus, [path], project=PROJECT)
    if report.failures:
        (failure,) = report.failures
        assert failure.path == path
        assert database_state(corpus) == before


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=300))
def test_any_bytes_import_or_fail_cleanly(
    shared_corpus: Corpus, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    imported_or_refused(shared_corpus, path)


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
LINES = st.fixed_dictionaries(
    {"text": st.text(max_size=20) | JSON_SCALARS},
    optional={
        "label": st.lists(st.tuples(st.integers(-2, 25), st.integers(-2, 25), JSON_SCALARS))
        | st.lists(JSON_SCALARS, max_size=3),
        "title": JSON_SCALARS,
        "meta": st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3),
        "annotations": st.lists(
            st.fixed_dictionaries(
                {"annotator": JSON_SCALARS},
                optional={"status": JSON_SCALARS, "document_labels": st.lists(JSON_SCALARS)},
            ),
            max_size=2,
        ),
    },
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(objects=st.lists(LINES, min_size=1, max_size=3))
def test_odd_jsonl_imports_or_fails_cleanly(
    shared_corpus: Corpus, tmp_path: Path, objects: list[dict[str, object]]
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    imported_or_refused(shared_corpus, path)


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("deep.jsonl", "[" * 100_000 + "]" * 100_000, 1, "nested more than"),
        (
            "deep-meta.jsonl",
            '{"text": "b"}\n{"text": "a", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
            2,
            "nested more than",
        ),
        ("digits.jsonl", '{"text": "abc", "x": ' + "7" * 10_000 + "}", 1, "4300 digits"),
        ("lone.jsonl", '{"text": "new text", "title": "\\ud800"}', 1, "surrogate"),
        ("lone-label.jsonl", '{"text": "new", "label": [[0, 1, "\\udc00"]]}', 1, "surrogate"),
        ("nul.jsonl", '{"text": "x\\u0000y"}', 1, "NUL"),
        ("nul.csv", "text,title\n" + "a" * 9000 + "\x00b,t\n", 2, "NUL"),
        ("nul.txt", "a" * 9000 + "\x00b\n", None, "NUL"),
        ("binary.md", "# T\n\x00\x01\x02", 2, "binary"),
        ("cut.csv", 'text,title\n"an open quote,t\n', 2, "malformed CSV"),
    ],
)
def test_bad_files_are_refused_with_the_database_unchanged(
    ready: Corpus, tmp_path: Path, name: str, content: str, line: int | None, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    failure = refused(ready, path)
    assert failure.line == line
    assert words in str(failure)


def test_invalid_utf8_names_file_and_line(ready: Corpus, tmp_path: Path) -> None:
    for name in NAMES:
        path = tmp_path / name
        path.write_bytes(b"text\nfine\nabc\xed\xa0\x80def\n")
        failure = refused(ready, path)
        assert failure.line == 3 and "not valid UTF-8" in str(failure)


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        (
            "cut.jsonl",
            "".join(
                json.dumps(o, ensure_ascii=False) + "\n"
                for o in (
                    {"text": "Zoë met Ada. 😀", "label": [[8, 11, "PER"]], "meta": {"k": [1]}},
                    {"text": "Second one", "spans": [{"start": 0, "end": 6, "label": "X"}]},
                )
            ),
        ),
        ("cut.csv", 'text,title\n"Quoted, ""text""",One\nplain 😀,Two\n'),
        ("cut.md", "# Title\n\nBy Jane Doe\n\nBody *text* here.\n\nOriginal url: http://x.org\n"),
    ],
)
def test_truncated_files_import_or_fail_cleanly(
    shared_corpus: Corpus, tmp_path: Path, name: str, sample: str
) -> None:
    data = sample.encode()
    for cut in range(0, len(data), max(3, len(data) // 10)):
        path = tmp_path / f"{cut}-{name}"
        path.write_bytes(data[:cut])
        imported_or_refused(shared_corpus, path)


def test_a_200_mb_file_is_refused_by_its_size_quickly(
    shared_corpus: Corpus, tmp_path: Path
) -> None:
    path = tmp_path / "huge.jsonl"
    line = (json.dumps({"text": "A short document, repeated. " * 30}) + "\n").encode()
    block = line * (2**20 // len(line) + 1)
    with path.open("wb") as handle:
        while handle.tell() < 200 * 2**20:
            handle.write(block)
    assert path.stat().st_size > MAX_FILE_BYTES
    tracemalloc.start()
    started = time.perf_counter()
    try:
        failure = refused(shared_corpus, path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"more than the {MAX_FILE_BYTES // 2**20} MiB limit" in str(failure)
    assert elapsed < 5
    assert peak < 20 * 2**20  # the file was never read into memory


def test_a_document_over_the_limit_is_refused(ready: Corpus, tmp_path: Path) -> None:
    long_text = "word " * (MAX_DOCUMENT_CHARS // 5 + 1)
    for name, content in (
        ("long.txt", long_text),
        ("long.csv", f"text\nshort\n{long_text}\n"),
        ("long.jsonl", json.dumps({"text": "short"}) + "\n" + json.dumps({"text": long_text})),
    ):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        failure = refused(ready, path)
        assert f"more than the limit of {MAX_DOCUMENT_CHARS:,}" in str(failure)


def test_a_bad_file_does_not_take_the_good_ones_with_it(ready: Corpus, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A good article.\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    report = import_paths(ready, [good, bad], project=PROJECT)
    assert report.documents == 1
    assert [failure.path for failure in report.failures] == [bad]
