"""News articles in Markdown, and plain text files, read into DocumentRecords.

Articles come in the seed corpus's shape: `# Title`, a `By ...` byline, a date line, the
body, and a trailing `Original url:` with the link. Annotators label the words a reader
sees, so the body is plain text with every bit of Markdown gone. The Markdown is read
through markdown-it tokens, never with patterns over the source, so that what vanishes is
exactly what a renderer would hide.

Scrapers sometimes cut a paragraph in the middle of a sentence ("...military and
technical" / "cooperation with the North..."). A paragraph that ends without closing
punctuation (`. ! ? : ;` or `…`, optionally followed by closing quotes or brackets) and is
followed by one that starts with a lower-case letter is joined to it with one space, so
that a sentence a reader sees as one is one to the annotator too.

A photo caption (a short paragraph ending in an upper-case agency credit with a slash,
"... **YONHAP / AFP**") and `Related article:` lines are the page around the story, not
the story: they go to `meta["caption"]` and `meta["related_articles"]` and the header
shows them. They are taken out before cut paragraphs are joined, so a sentence the page
had split around a related-article link is one again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from annotator.base.errors import InputError
from annotator.base.text import normalize_newlines
from annotator.formats.records import DocumentRecord
from annotator.formats.registry import FileNotes, ReadOptions
from annotator.formats.source import (
    MAX_DOCUMENT_CHARS,
    MAX_FILE_BYTES,
    check_document_length,
    read_text,
)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
# A byline or date further down than this is body text that merely looks like one.
METADATA_BLOCKS = 3
# Likewise the source link is only looked for among the last few blocks.
SOURCE_URL_BLOCKS = 3
SOURCE_URL_LABEL = "original url:"
MAX_CAPTION_WORDS = 40
RELATED_ARTICLE_LABELS = frozenset({"related article", "related articles"})
# A paragraph ending in one of these (before any closing quotes or brackets) is complete.
SENTENCE_ENDINGS = frozenset(".!?:;\u2026")
CLOSING_MARKS = "\"'\u201d\u2019\u00bb)]}"
MAX_BYLINE_WORDS = 12
MAX_DATE_LINE_WORDS = 8

_MARKDOWN = MarkdownIt("commonmark").enable("table")

# Month names are looked up here rather than with strptime("%B"), which follows the
# process locale (Qt sets it from the desktop) and would stop reading English dates.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = frozenset(
    {
        "monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu",
        "thur", "thurs", "friday", "fri", "saturday", "sat", "sunday", "sun",
    }
)  # fmt: skip
_DATE_LABELS = frozenset({"published", "published:", "updated", "updated:", "posted", "posted:"})
_TIME_WORDS = frozenset({"at", "am", "pm", "a.m.", "p.m.", "-", "|", "/", "\u2013", "\u2014"})
_TIME_CHARACTERS = frozenset("0123456789:.+-")
_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")


@dataclass(slots=True)
class _Block:
    """One paragraph-level unit of the body, before the metadata is taken out of it."""

    kind: str  # paragraph, heading, list, table, code, html
    text: str
    inline: Token | None = None  # the inline token of a paragraph or heading
    level: int = 0  # heading level
    top: bool = True  # False inside a blockquote: never a title, byline, date or link


def parse_article(source: str, *, fallback_title: str | None = None) -> DocumentRecord:
    """Split a Markdown news article into title, byline, date, source link and plain body."""
    text, _ = normalize_newlines(source)
    blocks = _blocks(_MARKDOWN.parse(text))

    title = fallback_title
    if blocks and blocks[0].kind == "heading" and blocks[0].level == 1 and blocks[0].top:
        heading = " ".join(blocks.pop(0).text.split())
        if heading:
            title = heading

    meta: dict[str, object] = {}
    source_url, blocks = _take_source_url(blocks, meta)
    author, published, blocks = _take_front_matter(blocks, meta)
    blocks = _take_page_furniture(blocks, meta)
    return DocumentRecord(
        text=_join(blocks),
        title=title,
        author=author,
        published=published,
        source_url=source_url,
        meta=meta,
    )


def looks_like_article(source: str) -> bool:
    """Whether a .txt file is a Markdown article, so that other text files stay verbatim."""
    lines = normalize_newlines(source.removeprefix("\ufeff"))[0].split("\n")
    first = next((line for line in lines if line.strip()), "")
    if _is_atx_heading(first):
        return True
    return any(line.strip().lower().startswith(SOURCE_URL_LABEL) for line in lines)


def read_text_document(path: Path, *, markdown: bool | None = None) -> DocumentRecord:
    """Read a .md/.markdown article, or a .txt file as an article or as verbatim text.

    `markdown` forces the choice (the importer's --format); None decides by suffix and shape.
    """
    _check_file_size(path)
    content = read_text(path)
    check_document_length(content, path=path)
    if markdown is None:
        markdown = path.suffix.lower() in MARKDOWN_SUFFIXES or looks_like_article(content)
    if markdown:
        record = parse_article(content, fallback_title=path.stem)
    else:
        record = DocumentRecord(text=normalize_newlines(content)[0].strip(), title=path.stem)
    if not record.text.strip():
        raise InputError("the article has no body text", path=path)
    record.meta["source_file"] = path.name
    return record


def _check_file_size(path: Path) -> None:
    """The file is one document: UTF-8 spends at most four bytes a character, so a file
    longer than that is over the document limit before it is read."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # read_text says why it cannot be read
    if size > min(MAX_FILE_BYTES, 4 * MAX_DOCUMENT_CHARS):
        raise InputError(
            f"the file is {size / 2**20:.0f} MiB, and a text or Markdown file is one document, "
            f"which may hold at most {MAX_DOCUMENT_CHARS:,} characters; split it",
            path=path,
        )


# --- Markdown tokens to blocks ---------------------------------------------------------


def _blocks(tokens: list[Token]) -> list[_Block]:
    """Flatten block tokens into paragraph-level units; containers keep only their text."""
    blocks: list[_Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            inline = tokens[index + 1]
            level = int(token.tag[1:]) if kind == "heading_open" else 0
            name = kind.removesuffix("_open")
            blocks.append(_Block(name, _inline_text(inline), inline=inline, level=level))
            index = _closing(tokens, index) + 1
        elif kind.endswith("_open"):
            end = _closing(tokens, index)
            inner = tokens[index + 1 : end]
            if kind in ("bullet_list_open", "ordered_list_open"):
                # One line per item, nested items included, without their markers.
                lines = [block.text for block in _blocks(inner) if block.text.strip()]
                blocks.append(_Block("list", "\n".join(lines)))
            elif kind == "table_open":
                blocks.append(_Block("table", _table_text(inner)))
            elif kind == "blockquote_open":
                blocks.extend(replace(block, top=False) for block in _blocks(inner))
            else:  # list items and anything unforeseen: keep what is inside
                blocks.extend(_blocks(inner))
            index = end + 1
        else:
            if kind in ("fence", "code_block"):
                blocks.append(_Block("code", token.content))
            elif kind == "html_block":
                blocks.append(_Block("html", _html_text(token.content)))
            # A thematic break (hr) has no text.
            index += 1
    return blocks


def _closing(tokens: list[Token], start: int) -> int:
    """Index of the token that closes tokens[start], counting nested ones of the same type."""
    opening = tokens[start].type
    closing = opening.removesuffix("_open") + "_close"
    depth = 0
    for index in range(start, len(tokens)):
        kind = tokens[index].type
        if kind == opening:
            depth += 1
        elif kind == closing:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _table_text(tokens: list[Token]) -> str:
    """Rows on their own lines, cells separated by tabs: the shape spreadsheets paste."""
    rows: list[str] = []
    cells: list[str] = []
    for token in tokens:
        if token.type == "tr_open":
            cells = []
        elif token.type == "inline":
            cells.append(" ".join(_inline_text(token).split()))
        elif token.type == "tr_close":
            rows.append("\t".join(cells))
    return "\n".join(rows)


def _inline_text(inline: Token) -> str:
    """The text a reader sees in one inline run: markers, link targets and images gone."""
    pieces: list[tuple[bool, str]] = []  # (is raw HTML, text)
    for child in inline.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            pieces.append((False, child.content))
        elif kind == "softbreak":
            pieces.append((False, " "))
        elif kind == "hardbreak":
            pieces.append((True, "<br>"))
        elif kind == "html_inline":
            pieces.append((True, child.content))
        elif kind == "image" or kind.endswith(("_open", "_close")):
            continue  # images are not text; emphasis and links keep only what they wrap
        elif child.content:
            pieces.append((False, child.content))
    if not any(is_html for is_html, _ in pieces):
        return "".join(text for _, text in pieces)
    # Inline tags only make sense together (<script>...</script>), so read the run as HTML.
    markup = "".join(text if is_html else escape(text, quote=False) for is_html, text in pieces)
    return _html_text(markup)


class _HtmlText(HTMLParser):
    """Text content of an HTML fragment, with line breaks where block elements end."""

    BREAKS = frozenset(
        {
            "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
            "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
            "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
        }
    )  # fmt: skip
    CELLS = frozenset({"td", "th"})
    HIDDEN = frozenset({"script", "style", "template", "head", "title", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")
            if tag == "pre":
                self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BREAKS and tag != "br":
            self.parts.append("\n")
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag in self.CELLS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._pre:
            self.parts.append(data)
        else:  # HTML collapses whitespace, line breaks in the source included
            collapsed = " ".join(data.split())
            if data[:1].isspace():
                collapsed = " " + collapsed
            if data[-1:].isspace() and collapsed.strip():
                collapsed += " "
            self.parts.append(collapsed)


def _html_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


# --- metadata -------------------------------------------------------------------------


def _take_source_url(
    blocks: list[_Block], meta: dict[str, object]
) -> tuple[str | None, list[_Block]]:
    """Find `Original url:` near the end; the link may share its paragraph or follow it."""
    first = max(0, len(blocks) - SOURCE_URL_BLOCKS)
    for index in range(len(blocks) - 1, first - 1, -1):
        block = blocks[index]
        label = " ".join(block.text.split())
        if not (
            block.kind == "paragraph" and block.top and label.lower().startswith(SOURCE_URL_LABEL)
        ):
            continue
        rest = label[len(SOURCE_URL_LABEL) :].strip()
        taken = {index}
        url = _link_of(block, rest) if rest else None
        if rest and url is None:
            meta["source_url_raw"] = rest
        if not rest and index + 1 < len(blocks):
            following = blocks[index + 1]
            if following.kind == "paragraph" and following.top:
                url = _link_of(following, " ".join(following.text.split()))
                if url is not None:
                    taken.add(index + 1)
        return url, [block for position, block in enumerate(blocks) if position not in taken]
    return None, blocks


def _link_of(block: _Block, text: str) -> str | None:
    """The first link target in a paragraph, or its text when that is a bare web address."""
    children = block.inline.children if block.inline is not None else None
    for child in children or []:
        if child.type == "link_open":
            href = child.attrs.get("href")
            if isinstance(href, str) and href and href != "#":
                return href
    if text.lower().startswith(("http://", "https://")) and len(text.split()) == 1:
        return text
    return None


def _take_front_matter(
    blocks: list[_Block], meta: dict[str, object]
) -> tuple[str | None, date | None, list[_Block]]:
    """Byline and date from the first few blocks; the first body paragraph ends the search."""
    author: str | None = None
    published: date | None = None
    dated = False
    taken = 0
    for index, block in enumerate(blocks[:METADATA_BLOCKS]):
        line = " ".join(block.text.split())
        if block.kind == "paragraph" and block.top and not line:
            taken = index + 1  # an image-only paragraph (a lead photo) says nothing
            continue
        if block.kind != "paragraph" or not block.top or "\n" in block.text.strip():
            break
        if author is None and (byline := _byline(line)) is not None:
            author = byline
        elif not dated and (parsed := _parse_date(line)) is not None:
            published, dated = parsed, True
        elif not dated and _looks_like_date(line):
            meta["published_raw"] = line
            dated = True
        else:
            break
        taken = index + 1
    return author, published, blocks[taken:]


def _byline(line: str) -> str | None:
    """The author named by a `By ...` line, or None when the line is a sentence instead."""
    for prefix in ("By: ", "By "):
        if line.startswith(prefix):
            name = line[len(prefix) :].strip()
            break
    else:
        return None
    words = name.split()
    if not words or len(words) > MAX_BYLINE_WORDS or not words[0][:1].isupper():
        return None  # "By the end of the day, ..."
    if name.endswith(("!", "?", ":")) or (name.endswith(".") and len(words[-1]) > 4):
        return None  # "By Friday the ferry had gone." (but "By Jane Roe Jr." is a byline)
    return name


def _parse_date(line: str) -> date | None:
    """An English date line ("June 21, 2024", "21 June 2024", "2024-06-21"), time ignored."""
    words = line.replace(",", " ").split()
    if words and words[0].lower() in _DATE_LABELS:
        words = words[1:]
    if words and words[0].lower().rstrip(".") in _WEEKDAYS:
        words = words[1:]
    if not words:
        return None
    found = _iso_date(words[0])
    rest = words[1:]
    if found is None and len(words) >= 3:
        found = _month_first(words) or _day_first(words)
        rest = words[3:]
    if found is None or not all(_is_time_word(word) for word in rest):
        return None
    return found


def _iso_date(word: str) -> date | None:
    day_part = word.split("T", 1)[0]
    if len(day_part) != 10 or day_part[4] != "-" or day_part[7] != "-":
        return None
    try:
        return date.fromisoformat(day_part)
    except ValueError:
        return None


def _month_first(words: list[str]) -> date | None:
    return _make_date(words[2], words[0], words[1])


def _day_first(words: list[str]) -> date | None:
    return _make_date(words[2], words[1], words[0])


def _make_date(year: str, month: str, day: str) -> date | None:
    month_number = _MONTHS.get(month.lower().rstrip("."))
    day = day.lower().removesuffix(".")
    for suffix in _ORDINAL_SUFFIXES:
        if day.endswith(suffix):
            day = day.removesuffix(suffix)
            break
    if month_number is None or not (day.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), month_number, int(day))
    except ValueError:
        return None


def _is_time_word(word: str) -> bool:
    """Whether a word after the date belongs to a time of day ("10:30", "a.m.", "GMT")."""
    word = word.strip("()")
    lowered = word.lower()
    if lowered in _TIME_WORDS:
        return True
    if lowered.startswith(("utc", "gmt")):
        return set(lowered[3:]) <= _TIME_CHARACTERS
    if lowered.endswith(("am", "pm")) and lowered[:-2] and set(lowered[:-2]) <= _TIME_CHARACTERS:
        return True  # 10am, 9:30pm
    if word.isalpha() and word.isupper() and 2 <= len(word) <= 5:
        return True  # a time zone: GMT, CEST, MSK
    return any(ch.isdigit() for ch in word) and set(word) <= _TIME_CHARACTERS


def _looks_like_date(line: str) -> bool:
    """A short line with a month name or a year in it: a date we could not read."""
    words = line.replace(",", " ").split()
    if not words or len(words) > MAX_DATE_LINE_WORDS or line.endswith((".", "!", "?")):
        return False
    for word in words:
        bare = word.strip("().").lower()
        if bare in _MONTHS:
            return True
        if any(ch.isdigit() for ch in bare) and not any(ch.isalpha() for ch in bare):
            digits = "".join(ch for ch in bare if ch.isdigit())
            if len(digits) >= 4:  # 2024, 21.06.2024, 06/21/24
                return True
    return False


def _take_page_furniture(blocks: list[_Block], meta: dict[str, object]) -> list[_Block]:
    """Photo captions and related-article links out of the body, into the metadata."""
    captions: list[str] = []
    related: list[str] = []
    body: list[_Block] = []
    for block in blocks:
        line = " ".join(block.text.split())
        if block.kind != "paragraph" or not block.top or not line:
            body.append(block)
        elif (title := _related_article(line)) is not None:
            related.append(title)
        elif _is_caption(line):
            captions.append(line)
        else:
            body.append(block)
    if captions:
        meta["caption"] = "\n".join(captions)
    if related:
        meta["related_articles"] = related
    return body


def _related_article(line: str) -> str | None:
    """The linked title of a `Related article: ...` line, or None for any other line."""
    label, colon, title = line.partition(":")
    if not colon or label.strip().lower() not in RELATED_ARTICLE_LABELS or not title.strip():
        return None
    return title.strip()


def _is_caption(line: str) -> bool:
    """A short paragraph ending in a photo credit: upper-case names around a slash
    ("YONHAP / AFP", "DANIEL HARGREAVE / COASTLINE PRESS") after a finished sentence, or
    alone; prose that merely ends in "... the NATO / EU" has no sentence end before it."""
    words = line.split()
    if len(words) > MAX_CAPTION_WORDS:
        return False
    credit: list[str] = []
    while words:
        word = words[-1]
        is_name = any(ch.isalpha() for ch in word) and word == word.upper()
        if (word != "/" and not is_name) or word.rstrip(CLOSING_MARKS)[-1:] in SENTENCE_ENDINGS:
            break
        credit.insert(0, words.pop())
    names = " ".join(credit).split("/")
    if len(names) < 2 or not all(any(ch.isalpha() for ch in name) for name in names):
        return False
    return not words or words[-1].rstrip(CLOSING_MARKS)[-1:] in SENTENCE_ENDINGS


# --- blocks to plain text -------------------------------------------------------------


def _join(blocks: list[_Block]) -> str:
    """Paragraphs separated by one blank line; no stray spaces, no runs of blank lines."""
    paragraphs: list[str] = []
    previous: _Block | None = None
    for block in blocks:
        text = _tidy(block)
        if not text:
            continue
        if previous is not None and _continues(previous, paragraphs[-1], block, text):
            paragraphs[-1] += " " + text
        else:
            paragraphs.append(text)
        previous = block
    body = "\n\n".join(paragraphs)
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return body.strip()


def _continues(before: _Block, before_text: str, block: _Block, text: str) -> bool:
    """Whether `block` is the rest of a sentence a scraper cut off at the end of `before`."""
    if not (before.kind == block.kind == "paragraph" and before.top == block.top):
        return False
    if "\n" in before_text or "\n" in text:
        return False  # hard line breaks: verse, addresses, lists written by hand
    ending = before_text.rstrip(CLOSING_MARKS)
    return bool(ending) and ending[-1] not in SENTENCE_ENDINGS and text[0].islower()


def _tidy(block: _Block) -> str:
    lines = block.text.split("\n")
    if block.kind == "code":  # keep the indentation code needs
        return "\n".join(line.rstrip() for line in lines).strip("\n")
    tidied = (" ".join(part for part in line.split(" ") if part) for line in lines)
    return "\n".join(line for line in tidied if line.strip())


def _is_atx_heading(line: str) -> bool:
    """`# Title` by CommonMark's rule: up to three spaces, 1-6 hashes, then space or end."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    hashes = len(stripped) - len(stripped.lstrip("#"))
    return 1 <= hashes <= 6 and (len(stripped) == hashes or stripped[hashes] in " \t")


def read(path: Path, options: ReadOptions, notes: FileNotes) -> list[DocumentRecord]:
    """The registry's entry for `txt` and `md`."""
    return [read_text_document(path, markdown=options.markdown)]
