"""`annotator concordance`: aligned lines in context with every layer's labels, the
options, the limit, and a bad expression refused plainly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import cli_concordance
from annotator.cli_concordance import display_width
from annotator.core import concordance
from tests.test_cli import run

TEXTS = [
    ("Ada Lovelace met Charles Babbage in London.", [[36, 42, "LOC"]], "Letters"),
    ("Later 🎉 Ada wrote about london\nand Paris.", [], "Diary"),
    ("Babbage visited London; Ada stayed.", [[0, 7, "PER"], [16, 22, "LOC"]], "Notes"),
]


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    path = tmp_path / "work.jsonl"
    path.write_text(
        "".join(
            json.dumps({"text": text, "label": spans, "title": title}) + "\n"
            for text, spans, title in TEXTS
        ),
        encoding="utf-8",
    )
    database = str(tmp_path / "corpus.db")
    code, out, err = run(
        capsys, "import", str(path), "--project", "news", "--db", database, "--annotator", "alice"
    )
    assert code == 0, out + err
    return database


def test_lines_are_aligned_with_titles_and_labels(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, err = run(
        capsys, "concordance", "--project", "news", "--db", db, "-i", "London", "--width", "20"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4 and lines[-1] == "3 matches in 3 of 3 documents."
    first, second, third = lines[:3]
    assert "alice: LOC" in first and "alice: LOC" in third
    assert second.endswith("[london]  and Paris.")  # the newline shown as a space
    # Every match starts in the same terminal column, an emoji counted as two.
    columns = {display_width(line[: line.index("[")]) for line in lines[:3]}
    assert len(columns) == 1
    assert second.startswith("Diary") and "🎉 Ada wrote about  [london]" in second


def test_regex_whole_word_and_limit(capsys: pytest.CaptureFixture[str], db: str) -> None:
    base = ("concordance", "--project", "news", "--db", db)
    code, out, _ = run(capsys, *base, "--regex", r"B\w+", "--limit", "1")
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "1 match (stopped at the limit of 1; there are more) in 1 of 3 documents."
    )
    assert "[Babbage]" in out
    code, out, _ = run(capsys, *base, "--whole-word", "Ada")
    assert out.count("[Ada]") == 3
    code, out, _ = run(capsys, *base, "--whole-word", "Ad")
    assert out.strip() == "0 matches in 3 documents."


def test_a_bad_expression_is_a_clear_error(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, err = run(capsys, "concordance", "--project", "news", "--db", db, "--regex", "Ada(")
    assert code != 0 and out == ""
    assert "bad regular expression 'Ada(': missing ), unterminated subpattern at position 3" in err
    code, _out, err = run(capsys, "concordance", "--project", "nope", "--db", db, "Ada")
    assert code != 0 and "no project named 'nope'" in err


def test_the_parser_defaults_are_cores() -> None:
    assert (cli_concordance.WIDTH, cli_concordance.LIMIT) == (concordance.WIDTH, concordance.LIMIT)
