"""The log file tells what happened (start, database, import, export) without the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.base.logs import log_path
from annotator.cli import main

SECRET_TEXT = "Quixotic Zanzibar ferrymen unionise at dawn."


def test_import_and_export_are_logged_without_article_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "corpus.db"
    source = tmp_path / "news.jsonl"
    source.write_text(
        json.dumps({"text": SECRET_TEXT, "label": [[0, 8, "Word"]]})
        + "\n"
        + json.dumps({"text": SECRET_TEXT, "label": [[0, 99, "Word"]]})
        + "\n",
        encoding="utf-8",
    )  # the second line's span is out of range: the file is refused
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": SECRET_TEXT}) + "\n", encoding="utf-8")
    assert main(["--db", str(database), "import", str(source), str(good), "--project", "P"]) == 1
    out = tmp_path / "spans.csv"
    assert main(["--db", str(database), "export", "--project", "P", "--format", "csv",
                 "-o", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    logged = log_path().read_text(encoding="utf-8")
    assert f"opening the database sqlite:///{database}" in logged
    assert f"import refused {source} (line 2)" in logged
    assert "imported 1 document(s), 0 span(s) into 'P' from 1 of 2 file(s)" in logged
    assert f"exported 0 span(s) of project 1 to {out}" in logged
    assert SECRET_TEXT not in logged
    assert "Zanzibar" not in logged


def test_a_password_never_reaches_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", "postgresql+psycopg://alice:hunter2@127.0.0.1:1/corpus", "projects"])
    capsys.readouterr()
    assert code != 0
    logged = log_path().read_text(encoding="utf-8")
    assert "alice:***@127.0.0.1:1/corpus" in logged
    assert "hunter2" not in logged
