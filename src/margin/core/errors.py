"""Errors that name a place in a file and say what to do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from margin.core.coding import Coding


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


class ChangedOnDisk(MarginError):
    """Files changed on disk since Margin read them (another program wrote them); nothing was written.

    ``paths`` are the changed files, ``touched`` every file the refused write would have written (a
    program holding the project in memory reloads those). ``reloaded`` words the message for the app,
    which has read the new contents already.
    """

    def __init__(self, paths: Sequence[str], touched: Sequence[str] = (), *, reloaded: bool = False) -> None:
        self.paths = tuple(paths)
        self.touched = tuple(touched) or self.paths
        self.reloaded = reloaded
        names = " and ".join(self.paths)
        was = "was" if len(self.paths) == 1 else "were"
        if reloaded:
            message = (
                f"{names} changed on disk (outside Margin) and {was} reloaded; nothing else was changed — "
                "look, then try again"
            )
        else:
            message = (
                f"{names} changed on disk since Margin read {'it' if len(self.paths) == 1 else 'them'} "
                "(another program wrote it), so nothing was written — Margin never writes over another "
                "program's change; run the command again"
            )
        super().__init__(message)


class CodedWordsLost(OperationError):
    """A text edit would take every word of some codings: ``deleted`` (their words are gone; they would be
    dropped) and ``replaced`` (pairs of the coding and the coding it would become on the words that
    replace all of its own). The edit goes ahead only when the coder agrees (``edit_text(…, confirmed=True)``).
    """

    def __init__(
        self, message: str, deleted: Sequence[Coding], replaced: Sequence[tuple[Coding, Coding]]
    ) -> None:
        super().__init__(message)
        self.deleted = tuple(deleted)
        self.replaced = tuple(replaced)
