"""The two tiers of failure: what the user can fix (UserError) and everything else (bugs)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

# The command line's exit status for a bug (sysexits' EX_SOFTWARE): never a user's doing.
BUG_EXIT_CODE = 70


class UserError(Exception):
    """A problem the user can understand and fix: bad input, a missing project, a locked file.

    Shown in plain words; never a traceback.
    """

    exit_code = 1


class InputError(UserError):
    """Bad content in an input file, located by file and (when known) line."""

    def __init__(
        self, message: str, *, path: Path | str | None = None, line: int | None = None
    ) -> None:
        self.reason = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        return where + self.reason

    def located(self, *, path: Path | str | None = None, line: int | None = None) -> InputError:
        """Return the same error with the file (and line) filled in where it was not known."""
        return InputError(
            self.reason,
            path=self.path if self.path is not None else path,
            line=self.line if self.line is not None else line,
        )


class Unavailable(StrEnum):
    """Why the environment keeps annotator from its database; each has its own exit status."""

    LOCKED = "locked"
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    NOT_A_DATABASE = "not_a_database"
    CORRUPT = "corrupt"
    TOO_NEW = "too_new"
    UNREACHABLE = "unreachable"
    LOGIN_REFUSED = "login_refused"
    CANNOT_OPEN = "cannot_open"
    DISK_ERROR = "disk_error"
    FOREIGN = "foreign"

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]


# Scripts can tell a busy database (worth a retry) from a wrong password (not worth one).
_EXIT_CODES = {
    Unavailable.LOCKED: 10,
    Unavailable.READ_ONLY: 11,
    Unavailable.DISK_FULL: 12,
    Unavailable.NOT_A_DATABASE: 13,
    Unavailable.CORRUPT: 14,
    Unavailable.TOO_NEW: 15,
    Unavailable.UNREACHABLE: 16,
    Unavailable.LOGIN_REFUSED: 17,
    Unavailable.CANNOT_OPEN: 18,
    Unavailable.DISK_ERROR: 19,
    Unavailable.FOREIGN: 20,
}

# One sentence each, with no SQL and no text of the articles: `{at}` names the database.
_SENTENCES = {
    Unavailable.LOCKED: "the database{at} is busy: another program holds a lock on it; "
    "try again in a moment",
    Unavailable.READ_ONLY: "the database{at} is read-only: annotator may not write to it "
    "or to its folder",
    Unavailable.DISK_FULL: "the disk holding the database{at} is full; free some space "
    "and try again",
    Unavailable.NOT_A_DATABASE: "cannot open the database{at}: the file is not a database",
    Unavailable.CORRUPT: "the database{at} is damaged; restore it from a backup copy",
    Unavailable.TOO_NEW: "cannot open the database{at}: a newer version of annotator made it; "
    "update annotator to open it",
    Unavailable.UNREACHABLE: "cannot reach the database server{at}; check that it is running "
    "and that the address is right",
    Unavailable.LOGIN_REFUSED: "the database server{at} refused the login; check the user "
    "name and the password",
    Unavailable.CANNOT_OPEN: "cannot open the database{at}: check that it exists and that "
    "you may use it",
    Unavailable.DISK_ERROR: "the disk holding the database{at} failed to read or write",
    Unavailable.FOREIGN: "cannot open the database{at}: it was made by another application, "
    "not annotator",
}


class DatabaseUnavailable(UserError):
    """The environment, not annotator, keeps the database from being used.

    `detail` is the driver's own words, for the log file only: it may name tables and
    columns, while the message the user sees is one plain sentence.
    """

    def __init__(self, kind: Unavailable, *, where: str | None = None, detail: str = "") -> None:
        self.kind = kind
        self.where = where
        self.detail = detail
        super().__init__(_SENTENCES[kind].format(at=f" {where}" if where else ""))

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.kind.exit_code
