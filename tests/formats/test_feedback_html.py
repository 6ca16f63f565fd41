"""The feedback report's HTML, rendered from plain rows without a database."""

from __future__ import annotations

from pathlib import Path

from annotator.formats import feedback_html as fh
from annotator.formats.feedback_html import FeedbackRow


def _row(document_id: int, verdict: str, **values: object) -> FeedbackRow:
    base: dict[str, object] = dict.fromkeys(fh.FEEDBACK_COLUMNS)
    base.update(
        annotator="alice", document_id=document_id, document_hash="h", item_key="a1:b2",
        kind="boundary", verdict=verdict, other_annotator="bob", left_context="<i>left ",
        passage="Ada & Bob", right_context=" right", reviewer="lead <r>",
        decided_at="2025-01-01 10:00:00",
    )  # fmt: skip
    base.update(values)
    return FeedbackRow(**base)


def test_rows_become_one_table_per_document_with_everything_escaped(tmp_path: Path) -> None:
    rows = [
        _row(1, fh.OTHER_TAKEN, document_title="First <doc>", your_label="PER", your_start=0,
             your_end=9, your_text="Ada & Bob", gold_label="PER", gold_start=0, gold_end=3,
             gold_text="Ada", comment="see <rule>"),
        _row(1, fh.MISSED, gold_label="LOC", gold_start=4, gold_end=7, gold_text="Bob"),
        _row(2, fh.REJECTED, your_label="ORG", your_start=1, your_end=2, your_text="x"),
    ]  # fmt: skip
    page = tmp_path / "feedback.html"
    assert fh.write_feedback_html(rows, page) == 3
    content = page.read_text(encoding="utf-8")
    assert content.startswith("<!DOCTYPE html>")
    assert "<title>Review feedback for alice</title>" in content
    assert content.count("<table>") == 2 and content.count("<tr>") == 5  # 2 headers, 3 rows
    assert "First &lt;doc&gt;" in content and "Document 2" in content
    assert "&lt;i&gt;left <mark>Ada &amp; Bob</mark> right" in content
    assert "see &lt;rule&gt;" in content and "lead &lt;r&gt;" in content
    assert fh.VERDICT_TEXT[fh.OTHER_TAKEN] in content and "from bob" in content
    assert fh.VERDICT_TEXT[fh.MISSED] in content and fh.VERDICT_TEXT[fh.REJECTED] in content
    assert "<i>" not in content and "<rule>" not in content
    assert "3 place(s)" in content


def test_a_title_can_be_given_and_no_rows_say_so(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    assert fh.write_feedback_html(iter([]), page, title="Feedback <x>") == 0
    content = page.read_text(encoding="utf-8")
    assert "<h1>Feedback &lt;x&gt;</h1>" in content
    assert "took every one of your spans" in content
    assert "<table>" not in content
