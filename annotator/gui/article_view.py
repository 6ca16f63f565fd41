"""The article: a header with its metadata above a read-only, keyboard-navigable body.

The body is a QPlainTextEdit because it lays out only what is shown; spans are painted
by a QSyntaxHighlighter that looks up the spans of each block, so adding a span
re-highlights only its blocks. Offsets cross from code points (core) to UTF-16 units
(Qt) in exactly one place, `Utf16Map`, used here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from annotator.base.offsets import Utf16Map
from annotator.core.labelling import LABEL_KEYS, SpanIndex
from annotator.gui.find_bar import FindBar

if TYPE_CHECKING:
    from annotator.core.corpus import SpanInfo
    from annotator.core.models import Document

READABLE_COLUMNS = 76  # characters per line: a calm reading column
TAG_MARGIN = 150  # pixels right of the text where label names of each line are shown


class Swatch(Protocol):
    """What the view needs of a label: review mode passes agreement classes instead."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def hotkey(self) -> str | None: ...


@dataclass(slots=True)
class PaintedSpan:
    """A span in Qt's units, as the highlighter needs it."""

    start: int
    end: int
    id: int
    label_id: int


def span_colour(hex_colour: str, *, dark: bool, strong: bool = False) -> QColor:
    """A background that tints the text without hiding it, in light and dark themes."""
    colour = QColor(hex_colour)
    colour.setAlpha((150 if strong else 95) if dark else (170 if strong else 110))
    return colour


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class SpanHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, view: ArticleText) -> None:
        super().__init__(document)
        self._view = view

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        for start, length, fmt in self._view.block_formats(block.position(), block.length()):
            self.setFormat(start, length, fmt)


class ArticleText(QPlainTextEdit):
    """The article body; emits what the user asked for, decides nothing itself."""

    hotkeyPressed = Signal(str)
    deleteRequested = Signal()
    spanClicked = Signal(int)
    escapePressed = Signal()
    # Suggestions: Tab and Shift+Tab step (+1 or -1), Enter accepts, X rejects the current.
    suggestionStepRequested = Signal(int)
    suggestionAcceptRequested = Signal()
    suggestionRejectRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.setCursorWidth(2)
        self.document().setDocumentMargin(12)
        self._text = ""
        self._map = Utf16Map("")
        self._index: SpanIndex[PaintedSpan] = SpanIndex()
        self._formats: dict[int, QTextCharFormat] = {}
        self._colours: dict[int, str] = {}
        self._names: dict[int, str] = {}
        self._guidelines: dict[int, str] = {}
        self._hotkeys: set[str] = set()
        self._note_of: Callable[[int], str | None] = lambda _span_id: None
        self._selected_span: int | None = None
        self._suggested: SpanIndex[PaintedSpan] = SpanIndex()
        self._current_suggestion: int | None = None
        self._find_match: tuple[int, int] | None = None
        self._highlighter = SpanHighlighter(self.document(), self)
        self._tag_area = _TagArea(self)
        self.updateRequest.connect(self._on_updateRequest)
        self.cursorPositionChanged.connect(self._on_cursorPositionChanged)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)

    # -- content ----------------------------------------------------------------------

    def is_hotkey(self, key_text: str) -> bool:
        """Whether a typed character is a label's key, for the find field to pass on."""
        return bool(key_text) and key_text in self._hotkeys

    def set_labels(self, labels: Sequence[Swatch], *, repaint: bool = True) -> None:
        """`repaint=False` when new content follows at once and will be painted anyway."""
        dark = is_dark(self.palette())
        self._formats.clear()
        self._colours = {label.id: label.color for label in labels if label.id is not None}
        self._names = {label.id: label.name for label in labels if label.id is not None}
        # Review mode's classes have no guideline; a label's is its description.
        self._guidelines = {
            label.id: getattr(label, "description", "") or ""
            for label in labels
            if label.id is not None
        }
        self._hotkeys = {label.hotkey for label in labels if label.hotkey}
        for label_id, colour in self._colours.items():
            fmt = QTextCharFormat()
            fmt.setBackground(span_colour(colour, dark=dark))
            self._formats[label_id] = fmt
        if repaint:
            self._highlighter.rehighlight()
            self.viewport().update()

    def format_of(self, span: PaintedSpan) -> QTextCharFormat:
        if span.id == self._selected_span:
            return self._selected_format(span.label_id)
        return self._formats.get(span.label_id) or QTextCharFormat()

    def _selected_format(self, label_id: int) -> QTextCharFormat:
        """The selected span: a stronger tint and an underline, painted by the
        highlighter so that selecting repaints one block, not the whole view."""
        fmt = QTextCharFormat()
        fmt.setBackground(span_colour(self.colour_of(label_id), dark=is_dark(self.palette()),
                                      strong=True))  # fmt: skip
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        fmt.setUnderlineColor(self.palette().color(QPalette.ColorRole.Text))
        return fmt

    def colour_of(self, label_id: int) -> str:
        return self._colours.get(label_id, "#888888")

    def set_content(self, text: str, spans: list[SpanInfo]) -> None:
        self._text = text
        self._map = Utf16Map(text)
        to16 = self._map.to_utf16
        self._index = SpanIndex(
            PaintedSpan(to16(s.start), to16(s.end), s.id, s.label_id) for s in spans
        )
        self._selected_span = None
        self._suggested = SpanIndex()
        self._current_suggestion = None
        self._find_match = None
        self.setPlainText(text)  # the highlighter paints every block once, here
        self._refresh_marks()

    @property
    def text(self) -> str:
        return self._text

    def spans_overlapping(self, start16: int, end16: int) -> list[PaintedSpan]:
        """Spans sharing at least one unit with the inclusive range [start16, end16]."""
        return self._index.overlapping(start16, end16 + 1)

    def span_changed(
        self,
        span_id: int,
        label_id: int | None,
        before: tuple[int, int] | None,
        after: tuple[int, int] | None,
    ) -> None:
        """Update one span and repaint only the blocks it touched."""
        to16 = self._map.to_utf16
        if before is not None:
            self._index.remove(span_id)
        if after is not None and label_id is not None:
            self._index.add(PaintedSpan(to16(after[0]), to16(after[1]), span_id, label_id))
        elif after is None and self._selected_span == span_id:
            self._selected_span = None
        for extent in (before, after):
            if extent is not None:
                self._rehighlight_range(to16(extent[0]), to16(extent[1]))

    def block_formats(
        self, block_start: int, block_length: int
    ) -> list[tuple[int, int, QTextCharFormat]]:
        """(start, length, format) within one block, for the spans that touch it."""
        ranges = self._span_formats(block_start, block_start + block_length - 1)
        current = self._suggested.get(self._current_suggestion)
        if current is None:
            return ranges
        from annotator.gui.suggestion_marks import with_current

        return with_current(ranges, current, block_start, block_length, self.colour_of)

    def _span_formats(
        self, block_start: int, block_end: int
    ) -> list[tuple[int, int, QTextCharFormat]]:
        spans = self.spans_overlapping(block_start, block_end)
        if not spans:
            return []
        ranges: list[tuple[int, int, QTextCharFormat]] = []
        if all(a.end <= b.start for a, b in pairwise(spans)):
            # The common case: spans side by side, each painted as it is.
            for span in spans:
                left, right = max(span.start, block_start), min(span.end, block_end)
                if right > left:
                    ranges.append((left - block_start, right - left, self.format_of(span)))
            return ranges
        points = {block_start, block_end}
        for span in spans:
            points.add(max(span.start, block_start))
            points.add(min(span.end, block_end))
        for left, right in pairwise(sorted(points)):
            covering = [s for s in spans if s.start <= left and s.end >= right]
            if not covering:
                continue
            # The innermost span gives the background; an outer one shows as an underline,
            # so nested and overlapping spans all stay visible.
            covering.sort(key=lambda s: (s.end - s.start, -s.start), reverse=True)
            fmt = QTextCharFormat(self.format_of(covering[-1]))
            if len(covering) > 1:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(QColor(self.colour_of(covering[-2].label_id)))
            ranges.append((left - block_start, right - left, fmt))
        return ranges

    def _rehighlight_range(self, start16: int, end16: int) -> None:
        """Re-format only the blocks a span touches and repaint only their rectangles.

        QSyntaxHighlighter.rehighlightBlock would re-lay out the block and repaint the
        whole view; colours change no geometry, so the layout's formats are replaced.
        """
        document = self.document()
        block = document.findBlock(start16)
        last = document.findBlock(max(start16, end16 - 1))
        offset = self.contentOffset()
        while block.isValid():
            ranges = []
            for start, length, fmt in self.block_formats(block.position(), block.length()):
                format_range = QTextLayout.FormatRange()
                format_range.start, format_range.length, format_range.format = start, length, fmt
                ranges.append(format_range)
            block.layout().setFormats(ranges)
            rect = self.blockBoundingGeometry(block).translated(offset).toAlignedRect()
            self.viewport().update(rect)
            self._tag_area.update(0, rect.y(), self._tag_area.width(), rect.height())
            if block == last:
                break
            block = block.next()

    # -- suggestions ------------------------------------------------------------------

    def set_suggestions(self, suggestions: Sequence[tuple[int, int, int, int]]) -> None:
        """(id, label id, start, end) in code points: the pending suggestions to outline.
        The current one stays current while it is still pending."""
        to16 = self._map.to_utf16
        previous = self._suggested.get(self._current_suggestion)
        self._suggested = SpanIndex(
            PaintedSpan(to16(start), to16(end), span_id, label_id)
            for span_id, label_id, start, end in suggestions
        )
        # Only the current one is a format (the rest are painted outlines): its tint goes
        # with it, and nothing else needs highlighting again.
        if self._suggested.get(self._current_suggestion) is None:
            self._current_suggestion = None
            if previous is not None:
                self._rehighlight_range(previous.start, previous.end)
        self.viewport().update()

    @property
    def suggested(self) -> list[PaintedSpan]:
        """The suggestions shown, in text order, in Qt's units."""
        return list(self._suggested)

    @property
    def current_suggestion(self) -> int | None:
        return self._current_suggestion

    def set_current_suggestion(self, suggestion_id: int | None, *, scroll: bool = True) -> None:
        """Make a suggestion the one keys decide: the caret at its start, in sight."""
        previous = self._suggested.get(self._current_suggestion)
        self._current_suggestion = suggestion_id
        chosen = self._suggested.get(suggestion_id)
        if chosen is not None:
            self.set_selected_span(None)
            cursor = QTextCursor(self.document())
            cursor.setPosition(chosen.start)
            self.setTextCursor(cursor)
            if scroll:
                self.ensureCursorVisible()
        for span in (previous, chosen):
            if span is not None:
                self._rehighlight_range(span.start, span.end)
        self.viewport().update()

    def _suggestions_visible(self) -> list[PaintedSpan]:
        """The suggestions wholly or partly inside the visible part of the article."""
        top = self.cursorForPosition(QPoint(0, 0)).position()
        corner = QPoint(self.viewport().width() - 1, self.viewport().height() - 1)
        bottom = self.cursorForPosition(corner).position()
        return self._suggested.overlapping(top, bottom + 1)

    def suggestions_in_view(self) -> list[int]:
        return [span.id for span in self._suggestions_visible()]

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._suggested:  # on every frame: only those in sight, not the whole article's
            from annotator.gui.suggestion_marks import paint_outlines

            painter = QPainter(self.viewport())
            paint_outlines(self, painter, self._suggestions_visible(), self._current_suggestion)
            painter.end()

    # -- offsets ----------------------------------------------------------------------

    def selection(self) -> tuple[int, int] | None:
        """The selected range in code points, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return (
            self._map.from_utf16(cursor.selectionStart()),
            self._map.from_utf16(cursor.selectionEnd()),
        )

    def caret(self) -> int:
        return self._map.from_utf16(self.textCursor().position())

    def select_range(self, start: int, end: int, *, scroll: bool = True) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(start))
        cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        if scroll:
            self.ensureCursorVisible()

    def place_caret(self, offset: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(offset))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _position_at(self, point: QPoint) -> int:
        """The character (UTF-16 position) under a viewport point."""
        cursor = self.cursorForPosition(point)
        position = cursor.position()
        rect = self.cursorRect(cursor)
        if point.x() < rect.x() and position > 0:
            position -= 1  # the click fell on the character before the nearest boundary
        return position

    def spans_at_point(self, point: QPoint) -> list[PaintedSpan]:
        """Spans under the character at a viewport point, innermost first."""
        return self._index.at(self._position_at(point))

    def set_selected_span(self, span_id: int | None, *, scroll: bool = False) -> None:
        previous = self._selected_span
        if previous == span_id:
            return
        self._selected_span = span_id
        for changed in (previous, span_id):
            span = self._painted(changed)
            if span is not None:
                self._rehighlight_range(span.start, span.end)
        if scroll and span_id is not None:
            span = self._painted(span_id)
            if span is not None:
                cursor = QTextCursor(self.document())
                cursor.setPosition(span.start)
                self.setTextCursor(cursor)
                self.ensureCursorVisible()

    def _painted(self, span_id: int | None) -> PaintedSpan | None:
        return self._index.get(span_id)

    def _on_cursorPositionChanged(self) -> None:
        """Moving the caret off the selected span lets it go, so a hotkey then labels
        new text instead of relabelling the old span; the same for the current suggestion."""
        position = self.textCursor().position()
        current = self._suggested.get(self._current_suggestion)
        if current is not None and not current.start <= position <= current.end:
            self.set_current_suggestion(None)
        if self._selected_span is None:
            return
        span = self._painted(self._selected_span)  # on every caret move: no scan
        position = self.textCursor().position()
        if span is None or not span.start <= position <= span.end:
            self.set_selected_span(None)

    @property
    def selected_span(self) -> int | None:
        return self._selected_span

    @property
    def find_match(self) -> tuple[int, int] | None:
        return self._find_match

    def set_find_match(self, match: tuple[int, int] | None) -> None:
        self._find_match = match
        self._refresh_marks()

    def _refresh_marks(self) -> None:
        """The current find match is the one transient mark drawn as an extra selection."""
        marks: list[QTextEdit.ExtraSelection] = []
        if self._find_match is not None:
            mark = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_utf16(self._find_match[0]))
            cursor.setPosition(
                self._map.to_utf16(self._find_match[1]), QTextCursor.MoveMode.KeepAnchor
            )
            mark.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 215, 0, 140))
            mark.format = fmt
            marks.append(mark)
        if marks or self.extraSelections():
            self.setExtraSelections(marks)

    # -- input ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        if plain and self._suggestion_key(event):
            return
        # 1-9 always reach the window, so a key with no label can say so.
        if plain and event.text() and (event.text() in self._hotkeys or event.text() in LABEL_KEYS):
            self.hotkeyPressed.emit(event.text())
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain:
            self.deleteRequested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escapePressed.emit()
            return
        super().keyPressEvent(event)

    def _suggestion_key(self, event: QKeyEvent) -> bool:
        """Enter and X decide the current suggestion; the label keys are the window's."""
        if self._current_suggestion is not None:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.suggestionAcceptRequested.emit()
                return True
            if event.key() == Qt.Key.Key_X:
                self.suggestionRejectRequested.emit()
                return True
        return False

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and self._suggested
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            # Tab steps through suggestions instead of moving the focus, while there are any.
            backwards = event.key() == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            self.suggestionStepRequested.emit(-1 if backwards else 1)
            return True
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            hits = self.spans_at_point(self.viewport().mapFromGlobal(event.globalPos()))
            _show_cards(event, [self.describe_span(hit.id, hit.label_id) for hit in hits], self)
            return True
        return super().event(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        # Clicking the same place again walks outwards through nested spans.
        position = self._position_at(event.position().toPoint())
        chosen = self._index.clicked(position, self._selected_span)
        if chosen is None:
            self.set_selected_span(None)
            suggested = self._suggested.at(position)
            if suggested:  # a click on a suggestion makes it the one keys decide
                self.set_current_suggestion(suggested[0].id, scroll=False)
            return
        self.spanClicked.emit(chosen)

    def describe_span(self, span_id: int, label_id: int) -> str:
        """The span's guideline card: its label, what the label is for, and its note."""
        from html import escape

        note = self._note_of(span_id)
        card = f"<b>{escape(self._names.get(label_id, '?'))}</b>"
        guideline = self._guidelines.get(label_id)
        if guideline:
            card += f"<br>{escape(guideline)}"
        if note:
            card += f"<br><i>Note:</i> {escape(note)}"
        return card

    def set_note_source(self, note_of: Callable[[int], str | None]) -> None:
        """Where tooltips read a span's note: asked when shown, so it is never stale."""
        self._note_of = note_of

    # -- geometry ---------------------------------------------------------------------

    def readable_width(self) -> int:
        return self.fontMetrics().averageCharWidth() * READABLE_COLUMNS + 24

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Margins first: the base class lays the text out for the viewport it then has.
        self._update_margins()
        super().resizeEvent(event)

    def _update_margins(self) -> None:
        """Centre a readable column and keep room on its right for the label tags."""
        available = self.width() - TAG_MARGIN
        if available < self.fontMetrics().averageCharWidth() * 30:
            self.setViewportMargins(0, 0, 0, 0)  # too narrow: text first, tags dropped
            self._place_tag_area()
            return
        side = max(0, (available - self.readable_width()) // 2)
        self.setViewportMargins(side, 0, side + TAG_MARGIN, 0)
        self._place_tag_area()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_margins()
        elif event.type() == QEvent.Type.PaletteChange and self._formats:
            self._recolour()

    def _recolour(self) -> None:
        """The theme changed (light to dark or back): tints follow it."""
        dark = is_dark(self.palette())
        for label_id, colour in self._colours.items():
            self._formats[label_id].setBackground(span_colour(colour, dark=dark))
        self._highlighter.rehighlight()

    def _place_tag_area(self) -> None:
        viewport = self.viewport().geometry()
        self._tag_area.setGeometry(
            QRect(viewport.right() + 1, viewport.top(), TAG_MARGIN, viewport.height())
        )
        self._tag_area.setVisible(self.viewportMargins().right() >= TAG_MARGIN)

    def _on_updateRequest(self, rect: QRect, dy: int) -> None:
        if dy:
            self._tag_area.scroll(0, dy)
        else:
            self._tag_area.update(0, rect.y(), self._tag_area.width(), rect.height())

    def words_of(self, span: PaintedSpan) -> str:
        cursor = QTextCursor(self.document())
        cursor.setPosition(span.start)
        cursor.setPosition(span.end, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", " ")

    def spans_starting_on_line_at(self, y: int) -> list[PaintedSpan]:
        """The spans that start on the visual line at height `y` of the viewport."""
        cursor = self.cursorForPosition(QPoint(1, y))
        block = cursor.block()
        layout = block.layout()
        if layout is None:
            return []
        line = layout.lineForTextPosition(cursor.positionInBlock())
        if not line.isValid():
            return []
        line_start = block.position() + line.textStart()
        line_end = line_start + line.textLength()
        return [
            s
            for s in self.spans_overlapping(line_start, line_end - 1)
            if line_start <= s.start < line_end
        ]

    def paint_tags(self, painter: QPainter, area: QRect) -> None:
        """Label names of the spans that start on each visible line, right of the text,
        so they are readable without hovering and never cover a word."""
        if not self._index:
            return
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.72))
        painter.setFont(small)
        metrics = painter.fontMetrics()
        right_edge = TAG_MARGIN - 4
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        bottom = min(self.viewport().height(), area.bottom())
        dark = is_dark(self.palette())
        text_colour = self.palette().color(QPalette.ColorRole.Text)
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > bottom:
                break
            if geometry.bottom() < area.top():  # above what needs painting
                block = block.next()
                continue
            layout = block.layout()
            start = block.position()
            for index in range(layout.lineCount()):
                line = layout.lineAt(index)
                line_start = start + line.textStart()
                line_end = line_start + line.textLength()
                starting = [
                    s.label_id
                    for s in self.spans_overlapping(line_start, line_end - 1)
                    if line_start <= s.start < line_end
                ]
                y = int(geometry.top() + line.y())
                x = 6
                for shown, label_id in enumerate(starting):
                    name = self._names.get(label_id, "?")
                    width = metrics.horizontalAdvance(name) + 8
                    if x + width > right_edge:
                        painter.setPen(text_colour)
                        painter.drawText(x, y + metrics.ascent() + 3, f"+{len(starting) - shown}")
                        break
                    box = QRect(x, y + 3, width, metrics.height())
                    painter.fillRect(box, span_colour(self.colour_of(label_id), dark=dark))
                    painter.setPen(text_colour)
                    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, name)
                    x += width + 3
            block = block.next()


class _TagArea(QWidget):
    """The strip right of the text where label tags are drawn."""

    def __init__(self, view: ArticleText) -> None:
        super().__init__(view)
        self.setObjectName("labelTags")
        self._view = view

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self._view.palette().color(QPalette.ColorRole.Base))
        self._view.paint_tags(painter, event.rect())
        painter.end()

    def event(self, event: QEvent) -> bool:
        """On hover, every span that starts on the line, those the strip had no room for
        included: a chip "+2" names the rest."""
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            from html import escape

            view = self._view
            cards = [
                f"“{escape(view.words_of(span))}” {view.describe_span(span.id, span.label_id)}"
                for span in view.spans_starting_on_line_at(event.pos().y())
            ]
            _show_cards(event, cards, self)
            return True
        return super().event(event)


def _show_cards(event: QHelpEvent, cards: list[str], widget: QWidget) -> None:
    """Guideline cards under the pointer, one rule between each; none hides the tip."""
    if cards:
        QToolTip.showText(event.globalPos(), "<hr>".join(cards), widget)
    else:
        QToolTip.hideText()
        event.ignore()


class ArticleHeader(QWidget):
    """Title, author, date and source above the body: metadata, not annotatable text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleHeader")
        self.title = QLabel()
        self.title.setObjectName("articleTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.55)
        font.setBold(True)
        self.title.setFont(font)
        self.meta = QLabel()
        self.meta.setObjectName("articleMeta")
        self.meta.setOpenExternalLinks(True)
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        # The photo caption and related articles: the page around the story, muted so the
        # eye goes to the text to label.
        self.page_notes = QLabel()
        self.page_notes.setObjectName("articlePageNotes")
        self.page_notes.setWordWrap(True)
        self.page_notes.setTextFormat(Qt.TextFormat.PlainText)
        self.page_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.page_notes.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        notes_font = self.page_notes.font()
        notes_font.setPointSizeF(notes_font.pointSizeF() * 0.9)
        self.page_notes.setFont(notes_font)
        self.page_notes.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.page_notes)

    def show_document(self, document: Document | None) -> None:
        from html import escape
        from urllib.parse import urlparse

        if document is None:
            self.title.setText("")
            self.meta.setText("")
            self._show_page_notes({})
            return
        self.title.setText(document.title or "(untitled)")
        parts: list[str] = []
        if document.author:
            parts.append(f"By {escape(document.author)}")
        if document.published:
            parts.append(escape(document.published.strftime("%B %-d, %Y")))
        if document.source_url:
            host = urlparse(document.source_url).netloc or document.source_url
            parts.append(f'<a href="{escape(document.source_url)}">{escape(host)}</a>')
        self.meta.setText(" · ".join(parts))
        self._show_page_notes(document.meta or {})

    def _show_page_notes(self, meta: dict[str, object]) -> None:
        caption = meta.get("caption")
        related = meta.get("related_articles")
        lines = (
            [f"Photo: {line}" for line in caption.split("\n")] if isinstance(caption, str) else []
        )
        if isinstance(related, list):
            lines.extend(f"Related article: {title}" for title in related if title)
        self.page_notes.setText("\n".join(lines))
        self.page_notes.setVisible(bool(lines))


class ArticlePane(QWidget):
    """Header, find bar and body in one column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articlePane")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.header = ArticleHeader()
        self.text = ArticleText()
        self.find_bar = FindBar(self.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.text, 1)

    def sizeHint(self) -> QSize:
        return QSize(self.text.readable_width() + TAG_MARGIN + 40, 600)
