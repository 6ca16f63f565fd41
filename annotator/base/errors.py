"""The two tiers of failure: what the user can fix (UserError) and everything else (bugs)."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem the user can understand and fix: bad input, a missing project, a locked file.

    Shown in plain words; never a traceback.
    """


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
