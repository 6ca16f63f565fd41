"""Reading input files safely: size, binary content, encoding and emptiness, located by line."""

from __future__ import annotations

from pathlib import Path

from annotator.base.errors import InputError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_DOCUMENT_CHARS = 16 * 1024 * 1024


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's text as UTF-8 (a BOM is dropped), or an InputError that says what is wrong."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    if size > max_bytes:
        raise InputError(
            f"the file is {size / 2**20:.0f} MiB, more than the {max_bytes / 2**20:.0f} MiB limit",
            path=path,
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror})", path=path) from error
    return decode(data, path=path)


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
