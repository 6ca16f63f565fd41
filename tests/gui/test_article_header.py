"""The page around the story (photo caption, related articles) is shown in the header,
muted, and never in the text to label."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from annotator.core.models import Document
from annotator.gui.article_view import ArticleHeader
from annotator.gui.main_window import MainWindow

HARBOUR_CAPTION = (
    "Photo: The restored Harbour Bridge lit up on the eve of its reopening in Port Ellison. "
    "DANIEL HARGREAVE / COASTLINE PRESS"
)
HARBOUR_RELATED = "Related article: Kestrel Island Ferry Service to End as Bridge Traffic Returns"


def test_the_header_shows_the_caption_and_related_article(qtbot, window: MainWindow) -> None:
    header = window.article.header
    document = window.workspace.document
    assert document is not None and document.title.startswith("Port Ellison Reopens")
    assert header.page_notes.isVisible()
    assert header.page_notes.text() == f"{HARBOUR_CAPTION}\n{HARBOUR_RELATED}"
    shown = window.article.text.toPlainText()
    assert shown.startswith("The Harbour Bridge in Port Ellison reopened to traffic")
    assert "HARGREAVE" not in shown and "Related article" not in shown

    # The next article brings its own caption; the previous one's is gone.
    qtbot.keyClick(window.article.text, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.document.title.startswith("Regulator Approves Offshore Wind Farm")
    notes = header.page_notes.text()
    assert notes.startswith("Photo: Survey vessels at work off Marden Point")
    assert notes.endswith("ELENA MARSH / NNS\nRelated article: Fishing Crews Fear Loss of "
                          "Grounds as Wind Projects Multiply")  # fmt: skip
    assert "HARGREAVE" not in notes


def test_a_caret_on_the_first_word_labels_body_text_not_the_caption(
    qtbot, window: MainWindow
) -> None:
    view = window.article.text
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_3)  # Location, on the word at the caret
    document = window.workspace.document
    [span] = window.workspace.corpus.spans(document.id)
    assert document.text[span.start : span.end] == "The"
    assert document.text.startswith("The Harbour Bridge")


def test_the_notes_are_muted_and_hidden_when_there_are_none(qtbot) -> None:
    header = ArticleHeader()
    qtbot.addWidget(header)
    header.show()
    header.show_document(
        Document(
            project_id=1,
            text="Body.",
            content_hash="x",
            title="Plain",
            author="Ann Lee",
            published=date(2025, 3, 4),
            meta={"caption": "A pier. A / B\nA boat. C / D"},
        )
    )
    assert header.page_notes.isVisible()
    assert header.page_notes.text() == "Photo: A pier. A / B\nPhoto: A boat. C / D"
    assert header.page_notes.foregroundRole() == QPalette.ColorRole.PlaceholderText
    palette = header.palette()
    grey = palette.color(QPalette.ColorRole.PlaceholderText)
    assert grey != palette.color(QPalette.ColorRole.WindowText)
    assert header.page_notes.font().pointSizeF() < header.meta.font().pointSizeF()
    header.show_document(Document(project_id=1, text="Body.", content_hash="y", title="Other"))
    assert not header.page_notes.isVisible() and header.page_notes.text() == ""
    header.show_document(None)
    assert not header.page_notes.isVisible()
