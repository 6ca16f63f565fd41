"""How the article draws pending suggestions: outlined in their label's colour, never
filled, so a proposal reads apart from an annotation at a glance; the current one (the
one Enter, a label key or X decides) has a solid outline and a faint tint.

The outlines are painted over the laid-out text (the layout knows where each line of a
suggestion falls); the tint of the current one is a character format, merged with any
span's format under it so both stay visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextCharFormat, QTextLine

if TYPE_CHECKING:
    from annotator.gui.article_view import ArticleText, PaintedSpan

Range = tuple[int, int, QTextCharFormat]


def current_format(colour: str) -> QTextCharFormat:
    """The current suggestion: a faint tint, far lighter than a span's."""
    tint = QColor(colour)
    tint.setAlpha(45)
    fmt = QTextCharFormat()
    fmt.setBackground(tint)
    return fmt


def with_current(
    ranges: list[Range],
    current: PaintedSpan,
    block_start: int,
    block_length: int,
    colour_of: Callable[[int], str],
) -> list[Range]:
    """A block's span formats with the current suggestion's tint over them."""
    left = max(current.start, block_start) - block_start
    right = min(current.end, block_start + block_length - 1) - block_start
    if right <= left:
        return ranges
    return merge_ranges(ranges, [(left, right - left, current_format(colour_of(current.label_id)))])


def merge_ranges(ranges: list[Range], extra: Iterable[Range]) -> list[Range]:
    """Span formats with suggestion formats laid over them (both block-relative), cut
    at every boundary so that each piece has one merged format."""
    added = list(extra)
    if not added:
        return ranges
    points = {start for start, _length, _fmt in ranges + added}
    points |= {start + length for start, length, _fmt in ranges + added}
    merged: list[Range] = []
    for left, right in pairwise(sorted(points)):
        fmt: QTextCharFormat | None = None
        for start, length, under in ranges:
            if start <= left and start + length >= right:
                fmt = QTextCharFormat(under)
                break
        for start, length, over in added:
            if start <= left and start + length >= right:
                fmt = fmt if fmt is not None else QTextCharFormat()
                fmt.merge(over)
                break
        if fmt is not None:
            merged.append((left, right - left, fmt))
    return merged


def paint_outlines(
    view: ArticleText, painter: QPainter, suggestions: Iterable[PaintedSpan], current: int | None
) -> None:
    """A rounded outline around each visible line piece of each suggestion: dashed, or
    solid and thicker for the current one."""
    chosen = list(suggestions)
    if not chosen:
        return
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    document = view.document()
    offset = view.contentOffset()
    for span in chosen:
        is_current = span.id == current
        pen = QPen(QColor(view.colour_of(span.label_id)), 2.0 if is_current else 1.4)
        pen.setStyle(Qt.PenStyle.SolidLine if is_current else Qt.PenStyle.DashLine)
        painter.setPen(pen)
        block = document.findBlock(span.start)
        while block.isValid() and block.position() < span.end:
            layout = block.layout()
            top_left = view.blockBoundingGeometry(block).translated(offset).topLeft()
            base = block.position()
            for index in range(layout.lineCount()):
                line = layout.lineAt(index)
                left = max(span.start - base, line.textStart())
                right = min(span.end - base, line.textStart() + line.textLength())
                if right <= left:
                    continue
                x1, x2 = _x_of(line, left), _x_of(line, right)
                box = QRectF(x1 - 1.5, line.y() + 1, x2 - x1 + 3, line.height() - 1)
                painter.drawRoundedRect(box.translated(top_left), 3, 3)
            block = block.next()


def _x_of(line: QTextLine, position: int) -> float:
    """PySide6 gives cursorToX's x with the position it was given back."""
    found = line.cursorToX(position)
    return float(found[0] if isinstance(found, tuple) else found)  # type: ignore[arg-type]
