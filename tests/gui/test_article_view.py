"""The article view on its own: spans in, formats and tags out, selections in code points."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QTextCharFormat

from annotator.core.corpus import SpanInfo
from annotator.gui.article_view import ArticlePane, ArticleText, is_dark, span_colour


@dataclass(frozen=True)
class Swatch:
    id: int | None
    name: str
    color: str
    hotkey: str | None


PLACE = Swatch(1, "Place", "#4e79a7", "1")
PERSON = Swatch(2, "Person", "#e15759", "2")
TEXT = "😀😀 Ada met Grace in Port Ellison.\nA second line names no one."
#       ^^ two astral characters: two code points, four UTF-16 units


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


@pytest.fixture
def pane(qtbot) -> ArticlePane:
    widget = ArticlePane()
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.text.set_labels([PLACE, PERSON])
    return widget


def first_block_formats(view: ArticleText) -> list[tuple[int, int, QTextCharFormat]]:
    block = view.document().firstBlock()
    return view.block_formats(block.position(), block.length())


def tint(swatch: Swatch, view: ArticleText, *, strong: bool = False) -> QColor:
    return span_colour(swatch.color, dark=is_dark(view.palette()), strong=strong)


def test_spans_become_block_formats_in_utf16_units(pane: ArticlePane) -> None:
    view = pane.text
    start, end = at(TEXT, "Port Ellison")
    view.set_content(TEXT, [SpanInfo(7, PLACE.id, start, end, None)])
    (fmt_start, length, fmt), *rest = first_block_formats(view)
    assert rest == []
    assert (fmt_start, length) == (start + 2, end - start)  # two emoji, two units more each
    assert fmt.background().color() == tint(PLACE, view)
    second = view.document().firstBlock().next()
    assert view.block_formats(second.position(), second.length()) == []


def test_a_span_changed_repaints_its_block(pane: ArticlePane) -> None:
    view = pane.text
    view.set_content(TEXT, [])
    assert first_block_formats(view) == []
    start, end = at(TEXT, "Grace")
    view.span_changed(3, PERSON.id, None, (start, end))
    [(fmt_start, length, fmt)] = first_block_formats(view)
    assert (fmt_start, length) == (start + 2, 5)
    assert fmt.background().color() == tint(PERSON, view)
    layout_formats = view.document().firstBlock().layout().formats()
    assert [(f.start, f.length) for f in layout_formats] == [(start + 2, 5)]  # drawn, too
    view.span_changed(3, PLACE.id, (start, end), (start, end))  # relabelled
    [(_s, _l, fmt)] = first_block_formats(view)
    assert fmt.background().color() == tint(PLACE, view)
    view.span_changed(3, None, (start, end), None)  # removed
    assert first_block_formats(view) == []
    assert view.document().firstBlock().layout().formats() == []


def test_nested_spans_keep_the_outer_one_as_an_underline(pane: ArticlePane) -> None:
    view = pane.text
    outer, inner = at(TEXT, "Port Ellison"), at(TEXT, "Ellison")
    view.set_content(
        TEXT, [SpanInfo(1, PLACE.id, *outer, None), SpanInfo(2, PERSON.id, *inner, None)]
    )
    formats = first_block_formats(view)
    assert [(s - 2, s - 2 + n) for s, n, _f in formats] == [(outer[0], inner[0]), inner]
    only_outer, nested = formats[0][2], formats[1][2]
    assert only_outer.background().color() == tint(PLACE, view)
    assert nested.background().color() == tint(PERSON, view)  # the innermost colours it
    assert nested.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert nested.underlineColor() == QColor(PLACE.color)


def test_relabelled_colours_and_a_selected_span(pane: ArticlePane) -> None:
    view = pane.text
    start, end = at(TEXT, "Ada")
    view.set_content(TEXT, [SpanInfo(5, PLACE.id, start, end, None)])
    view.set_labels([Swatch(PLACE.id, "Place", "#00ff00", "1"), PERSON])
    [(_s, _l, fmt)] = first_block_formats(view)
    assert fmt.background().color() == span_colour("#00ff00", dark=is_dark(view.palette()))
    view.set_selected_span(5)
    [(_s, _l, fmt)] = first_block_formats(view)
    assert fmt.background().color() == span_colour(
        "#00ff00", dark=is_dark(view.palette()), strong=True
    )
    assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline


def tag_image(view: ArticleText) -> QImage:
    view.repaint()
    return view._tag_area.grab().toImage()


def _close(a: QColor, b: QColor) -> bool:
    return all(abs(x - y) <= 3 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def test_margin_tags_follow_the_spans(qtbot, pane: ArticlePane) -> None:
    view = pane.text
    view.set_content(TEXT, [])
    qtbot.waitUntil(lambda: view._tag_area.isVisible())
    empty = tag_image(view)
    start, end = at(TEXT, "Port Ellison")
    view.span_changed(9, PLACE.id, None, (start, end))
    tagged = tag_image(view)
    assert tagged != empty
    # A tag box with the label's name, beside the first line only.
    changed = [
        (x, y)
        for x in range(tagged.width())
        for y in range(tagged.height())
        if tagged.pixel(x, y) != empty.pixel(x, y)
    ]
    assert len(changed) > 100
    assert max(y for _x, y in changed) < 3 * view.fontMetrics().height()
    tinted = span_colour(PLACE.color, dark=is_dark(view.palette())).toRgb()
    over_base = view.palette().color(view.backgroundRole())
    alpha = tinted.alphaF()
    blended = QColor.fromRgbF(
        *(c * alpha + b * (1 - alpha) for c, b in zip(
            (tinted.redF(), tinted.greenF(), tinted.blueF()),
            (over_base.redF(), over_base.greenF(), over_base.blueF()), strict=True,
        ))
    )  # fmt: skip
    assert any(_close(tagged.pixelColor(x, y), blended) for x, y in changed)
    view.span_changed(9, None, (start, end), None)
    assert tag_image(view) == empty


def test_a_selection_comes_out_in_code_points_after_emoji(qtbot, pane: ArticlePane) -> None:
    view = pane.text
    view.set_content(TEXT, [])
    start, end = at(TEXT, "Ada")
    assert start == 3  # two emoji and a space, counted as Python counts
    view.place_caret(start)
    assert view.textCursor().position() == 5  # Qt's units
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection() == (start, end)
    assert view.caret() == end
    view.select_range(0, 2)  # both emoji, whole
    assert (view.textCursor().selectionStart(), view.textCursor().selectionEnd()) == (0, 4)
    assert view.selection() == (0, 2)
    assert view.textCursor().selectedText() == "😀😀"


def test_a_label_key_is_emitted_and_not_typed(qtbot, pane: ArticlePane) -> None:
    view = pane.text
    view.set_content(TEXT, [])
    with qtbot.waitSignal(view.hotkeyPressed) as pressed:
        qtbot.keyClick(view, Qt.Key.Key_2)
    assert pressed.args == ["2"]
    assert view.toPlainText() == TEXT


def test_clicking_a_span_walks_outwards_through_nested_spans(qtbot, pane: ArticlePane) -> None:
    view = pane.text
    outer, inner = at(TEXT, "Port Ellison"), at(TEXT, "Ellison")
    view.set_content(
        TEXT, [SpanInfo(1, PLACE.id, *outer, None), SpanInfo(2, PERSON.id, *inner, None)]
    )
    view.spanClicked.connect(view.set_selected_span)
    cursor = view.textCursor()
    cursor.setPosition(inner[0] + 2 + 3)  # inside "Ellison", in UTF-16 units
    rect = view.cursorRect(cursor)
    point = QPoint(rect.x() + 3, rect.center().y())
    clicked: list[int] = []
    view.spanClicked.connect(clicked.append)
    for _ in range(3):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert clicked == [2, 1, 2]
    assert [hit.id for hit in view.spans_at_point(point)] == [2, 1]
