"""Errors that name a place in a file and say what to do."""

from __future__ import annotations


class MarginError(Exception):
    """An error the user can act on; never shown as a traceback."""


class FormatError(MarginError):
    """Invalid content at ``path:line:column`` (1-based; columns count code points)."""

    def __init__(self, message: str, *, path: str = "", line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def located(self, path: str, line_offset: int = 0) -> FormatError:
        """The same error placed in ``path``, its line shifted by ``line_offset``."""
        return FormatError(self.message, path=path, line=self.line + line_offset, column=self.column)

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


class ProjectLocked(MarginError):
    """Another process holds the project's write lock."""


class OperationError(MarginError):
    """An operation that cannot be applied as asked (unknown code, span out of range, …)."""
