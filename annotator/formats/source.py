"""Reading input files safely: size, binary content, encoding and emptiness, located by line."""

from __future__ import annotations

from pathlib import Path

from annotator.base.errors import InputError

# A file over this is refused by its size alone, before a byte of it is read: reading,
# decoding and parsing hold several copies of it in memory at once.
MAX_FILE_BYTES = 100 * 1024 * 1024
# One document's text, in characters, whatever the format: a long book (War and Peace
# has some 3.2 million). The window lays out a whole document, so a longer one would
# take gigabytes there; split it into chapters instead.
MAX_DOCUMENT_CHARS = 4 * 1024 * 1024
# How deep JSON may nest (metadata holding lists of objects is a few levels): a deeper
# value would exhaust the interpreter's stack wherever it is read or written again.
MAX_JSON_DEPTH = 64


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's text as UTF-8 (a BOM is dropped), or an InputError that says what is wrong."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    if size > max_bytes:
        raise InputError(
            f"the file is {size / 2**20:.0f} MiB, more than the {max_bytes / 2**20:.0f} MiB "
            "limit; split it into smaller files",
            path=path,
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    return decode(data, path=path)


def check_document_length(text: str, *, path: Path, line: int | None = None) -> None:
    """Refuse one document's text over MAX_DOCUMENT_CHARS, the same words for every reader."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(
            f"the text has {len(text):,} characters, more than the limit of "
            f"{MAX_DOCUMENT_CHARS:,} for one document; split it into smaller documents",
            path=path,
            line=line,
        )


def lone_surrogate(text: str) -> int | None:
    """Where `text` holds half of a UTF-16 surrogate pair (only a JSON escape such as
    `\\ud800` makes one): no database and no UTF-8 file can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def decode(data: bytes, *, path: Path) -> str:
    nul = data.find(b"\x00", 0, 8192)
    if nul != -1 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "this looks like a binary file (it contains NUL bytes), not text",
            path=path,
            line=data.count(b"\n", 0, nul) + 1,
        )
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"bytes that are not valid UTF-8 ({data[error.start : error.start + 4]!r}); "
            "save the file as UTF-8 and import it again",
            path=path,
            line=line,
        ) from error
    if not text.strip():
        raise InputError("the file is empty", path=path)
    return text
