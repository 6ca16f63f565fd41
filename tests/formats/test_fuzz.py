"""Every reader fed bad input ends in records or an InputError naming the file, never a crash."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.base.errors import InputError
from annotator.formats.article import read_text_document
from annotator.formats.csvfile import read_csv
from annotator.formats.detection import detect
from annotator.formats.records import DocumentRecord
from annotator.formats.registry import FORMATS, FileNotes, ReadOptions
from annotator.formats.source import MAX_DOCUMENT_CHARS, MAX_FILE_BYTES, MAX_JSON_DEPTH

Reader = Callable[[Path], list[object]]


def read_jsonl(path: Path) -> list[DocumentRecord]:
    """A JSON Lines file read as the importer reads it: by the format its content names."""
    records = FORMATS[detect(path)].reader(path, ReadOptions(), FileNotes())
    return [record for record in records if isinstance(record, DocumentRecord)]


READERS: dict[str, Reader] = {
    "in.jsonl": read_jsonl,
    "in.csv": lambda path: list(read_csv(path)),
    "in.md": lambda path: [read_text_document(path)],
    "in.txt": lambda path: [read_text_document(path)],
}

JSONL_SAMPLE = (
    json.dumps(
        {"text": "Ada Lovelace met Babbage. 😀", "label": [[0, 12, "PER"]], "meta": {"a": 1}}
    )
    + "\n"
    + json.dumps({"text": "שלום e\u0301", "spans": [{"start": 0, "end": 4, "label": "X"}]})
    + "\n"
    + json.dumps({"text": "Sport", "label": ["Sports"], "title": "T", "published": "2024-01-02"})
    + "\n"
).encode()
CSV_SAMPLE = 'text,title,n\n"Ada, ""the"" first",One,1\nplain 😀,Two,2\n"two\nlines",,3\n'.encode()
MD_SAMPLE = (
    b"# A title\n\nBy Jane Doe\n\n2024-05-01\n\nFirst *para* with [a link](http://x.org).\n\n"
    b"> quoted\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nOriginal url: http://x.org/a\n"
)
SAMPLES = {"in.jsonl": JSONL_SAMPLE, "in.csv": CSV_SAMPLE, "in.md": MD_SAMPLE}


def outcome(path: Path) -> list[object] | InputError:
    """Read the file with its reader: the records, or the InputError, checked for sense.

    Anything else (a RecursionError, a UnicodeError, a KeyError) fails the test.
    """
    try:
        records = READERS[path.name](path)
    except InputError as error:
        assert error.path == path, error
        assert str(path) in str(error)
        assert "Traceback" not in str(error)
        return error
    for record in records:
        if isinstance(record, DocumentRecord):
            assert record.text.strip()
            assert len(record.text) <= MAX_DOCUMENT_CHARS
            # Whatever a reader lets through can be stored and written out again.
            for value in (record.text, record.title or "", json.dumps(record.meta)):
                value.encode("utf-8")
    return records


@pytest.mark.parametrize("name", sorted(READERS))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_any_bytes(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    outcome(path)


@pytest.mark.parametrize("name", sorted(READERS))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    outcome(path)


JSON_ATOMS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON_VALUES = st.recursive(
    JSON_ATOMS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
LINE_OBJECTS = st.fixed_dictionaries(
    {"text": st.text(max_size=30) | JSON_VALUES},
    optional={
        "label": JSON_VALUES
        | st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 40), st.text(max_size=5))),
        "spans": JSON_VALUES,
        "entities": JSON_VALUES,
        "annotations": JSON_VALUES,
        "meta": JSON_VALUES,
        "title": JSON_VALUES,
        "published": JSON_VALUES,
    },
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(objects=st.lists(LINE_OBJECTS, min_size=1, max_size=3))
def test_jsonl_of_odd_shapes(tmp_path: Path, objects: list[dict[str, object]]) -> None:
    """Valid JSON, wrong in any way the schema allows: wrong types, offsets, labels."""
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    result = outcome(path)
    if isinstance(result, InputError):
        assert result.line is not None and 1 <= result.line <= len(objects)


def test_random_bytes_with_a_fixed_seed(tmp_path: Path) -> None:
    chooser = random.Random(20240501)
    for name in READERS:
        for size in (1, 7, 100, 5000, 20_000):
            path = tmp_path / name
            path.write_bytes(chooser.randbytes(size))
            result = outcome(path)
            assert isinstance(result, InputError)  # random bytes are not UTF-8 text


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_truncation_of_a_valid_file(tmp_path: Path, name: str) -> None:
    sample = SAMPLES[name]
    path = tmp_path / name
    path.write_bytes(sample)
    full = outcome(path)
    assert not isinstance(full, InputError) and full  # the sample itself reads
    errors = 0
    for cut in range(0, len(sample), 3):
        path.write_bytes(sample[:cut])
        errors += isinstance(outcome(path), InputError)
    assert errors > 0  # some cuts (the empty file, half a character) are refused


def test_deeply_nested_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    for line in (
        "[" * 100_000 + "]" * 100_000,
        '{"text": "a", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"text": "a", "meta": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}",
    ):
        path.write_text('{"text": "fine"}\n' + line + "\n", encoding="utf-8")
        error = outcome(path)
        assert isinstance(error, InputError)
        assert error.line == 2
        assert f"nested more than {MAX_JSON_DEPTH} levels" in str(error)


def test_nesting_within_the_limit_is_kept(tmp_path: Path) -> None:
    meta = {"a": [[[[{"b": [1, 2]}]]]]}
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "x", "meta": meta}) + "\n", encoding="utf-8")
    (record,) = read_jsonl(path)
    assert record.meta == meta


def test_huge_numbers_and_strings(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "abc", "label": [[0, ' + "9" * 5000 + ', "X"]]}\n', encoding="utf-8")
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 1
    assert "more than 4300 digits" in str(error)

    path.write_text('{"text": "abc", "label": [[0, ' + "9" * 300 + ', "X"]]}\n', encoding="utf-8")
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 1  # an offset outside the text

    path.write_text('{"text": "abc", "meta": {"x": 1e999, "y": -1e999}}\n', encoding="utf-8")
    (record,) = read_jsonl(path)
    assert record.meta == {"x": float("inf"), "y": float("-inf")}

    long_title = "t" * 1_000_000
    path.write_text(json.dumps({"text": "abc", "title": long_title}) + "\n", encoding="utf-8")
    (record,) = read_jsonl(path)
    assert record.title == long_title


@pytest.mark.parametrize(
    "line",
    [
        '{"text": "a\\ud800b"}',
        '{"text": "ab", "title": "\\udc00"}',
        '{"text": "ab", "\\ud83d": 1}',
        '{"text": "abc", "label": [[0, 1, "\\udfff"]]}',
        '{"text": "abc", "meta": {"k": ["\\ud800\\ud800"]}}',
    ],
)
def test_lone_surrogate_escapes_are_refused(tmp_path: Path, line: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n", encoding="utf-8")
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 2
    assert "surrogate" in str(error)


def test_a_surrogate_pair_escape_is_one_character(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "\\ud83d\\ude00 ok"}\n', encoding="utf-8")
    (record,) = read_jsonl(path)
    assert record.text == "😀 ok"


@pytest.mark.parametrize("name", sorted(READERS))
def test_an_encoded_surrogate_is_not_utf8(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"text\nabc\xed\xa0\x80def\n")  # U+D800 encoded as if it were a character
    error = outcome(path)
    assert isinstance(error, InputError)
    assert error.line == 2 and "not valid UTF-8" in str(error)


@pytest.mark.parametrize("name", sorted(READERS))
def test_nul_bytes_at_the_start_mean_a_binary_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"text\nab\x00cd\n")
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 2
    assert "binary" in str(error)


def test_nul_characters_later_in_a_file(tmp_path: Path) -> None:
    """Past the binary sniff a NUL may reach a record: the importer refuses it there."""
    path = tmp_path / "in.txt"
    path.write_bytes(b"a" * 9000 + b"\x00b\n")
    outcome(path)
    path = tmp_path / "in.md"
    path.write_bytes(b"# T\n\n" + b"a" * 9000 + b"\x00b &#0; &#xD800;\n")
    (record,) = READERS["in.md"](path)
    assert isinstance(record, DocumentRecord)
    assert "\x00" not in record.text and "\ufffd" in record.text  # Markdown replaces them
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a\\u0000b"}\n', encoding="utf-8")
    (record,) = read_jsonl(path)  # stored NULs are refused by the importer, with the line
    assert record.text == "a\x00b"


def over_limit_text() -> str:
    return "word " * (MAX_DOCUMENT_CHARS // 5 + 1)


def test_a_document_over_the_limit_in_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"text": "short"}\n' + json.dumps({"text": over_limit_text()}) + "\n", encoding="utf-8"
    )
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 2
    assert f"more than the limit of {MAX_DOCUMENT_CHARS:,}" in str(error)


def test_a_document_over_the_limit_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"text\nshort\n{over_limit_text()}\n", encoding="utf-8")
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 3
    assert f"more than the limit of {MAX_DOCUMENT_CHARS:,}" in str(error)


@pytest.mark.parametrize("name", ["in.txt", "in.md"])
def test_a_text_file_over_the_limit(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(over_limit_text(), encoding="utf-8")
    error = outcome(path)
    assert isinstance(error, InputError)
    assert f"more than the limit of {MAX_DOCUMENT_CHARS:,}" in str(error)


FIFTY_MB = 50 * 2**20
ONE_LONG_LINE = {
    "in.txt": lambda: b"x" * FIFTY_MB,
    "in.md": lambda: b"x" * FIFTY_MB,
    # A table's or a JSON line's cell is refused by its length once read: 5 MB shows it.
    "in.csv": lambda: b"text\n" + b"x" * 5_000_000 + b"\n",
    "in.jsonl": lambda: b'{"text": "' + b"x" * 5_000_000 + b'"}\n',
}


@pytest.mark.parametrize("name", sorted(ONE_LONG_LINE))
def test_one_line_of_50_mb(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(ONE_LONG_LINE[name]())
    error = outcome(path)
    assert isinstance(error, InputError)
    if name in ("in.txt", "in.md"):  # refused by its size: one file is one document
        assert str(error).endswith(
            "the file is 50 MiB, and a text or Markdown file is one document, "
            f"which may hold at most {MAX_DOCUMENT_CHARS:,} characters; split it"
        )
    else:
        assert f"more than the limit of {MAX_DOCUMENT_CHARS:,}" in str(error)
    assert len(str(error)) < 300  # the message never quotes the line


def test_a_long_header_is_not_quoted_whole(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"x" * 5_000_000)
    error = outcome(path)
    assert isinstance(error, InputError) and error.line == 1
    assert "no 'text' column" in str(error) and len(str(error)) < 300


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.jsonl"
    with path.open("wb") as handle:  # sparse: the size is what counts, not the bytes
        handle.truncate(MAX_FILE_BYTES + 1)

    def refuse(*_args: object) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    for name in READERS:
        target = path.rename(tmp_path / name)
        error = outcome(target)
        assert isinstance(error, InputError)
        assert f"the file is {MAX_FILE_BYTES // 2**20} MiB" in str(error)
        if name in ("in.jsonl", "in.csv"):
            assert f"more than the {MAX_FILE_BYTES // 2**20} MiB limit" in str(error)
        path = target
