"""How the app changes a project: operations run after a look at the files on disk, recorded in one History.

Margin writes every change to disk at once (each operation writes its files atomically), so the files are
always the truth; what the app must never do is write over a file that another program changed since
Margin read it (an editor, ``git pull``). ``Coder`` remembers the state (inode, size, mtime) of every file
it read or wrote; a file whose state differs is compared with what Margin holds, and if its content
differs it is reloaded, the history's steps that touched it are dropped (they would undo someone else's
work), and the operation that was asked for is not run — the user sees the new text first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from margin.core.codebook import Codebook
from margin.core.document import load_document
from margin.core.errors import MarginError
from margin.core.operations import Change, DocState, History
from margin.core.project import CODEBOOK, DOCUMENTS, Project
from margin.core.textfile import decode

RECENT = 9
"""Recently applied codes kept for the keys 1–9."""

Stamp = tuple[int, int, int]


class ChangedOnDisk(MarginError):
    """A file changed outside Margin and was reloaded; the operation asked for was not run."""


def _stamp(path: Path) -> Stamp | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


@dataclass
class _Seen:
    """What Margin last knew of a file: its state on disk, and the error if it could not be read."""

    stamp: Stamp | None
    error: MarginError | None = None


class Coder:
    """Runs operations for the app, records them in ``history``, and keeps the recent and current codes.

    ``history.listeners`` hear every change, including the reloads of files changed outside Margin
    (a Change with action ``reload``, never recorded in the history).
    """

    def __init__(self, project: Project, history: History) -> None:
        self.project = project
        self.history = history
        self.recent: list[str] = []
        """Codes applied lately, most recent first (the keys 1–9)."""
        self.current_code: str | None = None
        """The code that n/N jump through: the last one applied or picked."""
        self._seen: dict[Path, _Seen] = {}
        history.listeners.insert(0, self._written)

    # --- codes --------------------------------------------------------------------------------------
    def used(self, slugs: tuple[str, ...] | list[str]) -> None:
        """Codes were just applied: they become the most recent, the first of them the current code."""
        for slug in reversed(slugs):
            if slug in self.recent:
                self.recent.remove(slug)
            self.recent.insert(0, slug)
        del self.recent[RECENT:]
        if slugs:
            self.current_code = slugs[0]

    # --- running operations -------------------------------------------------------------------------
    def run(
        self, operation: Callable[..., Change], *args: Any, documents: tuple[str, ...] = (), **kwargs: Any
    ) -> Change:
        """Run ``operation(project, *args, **kwargs)`` and record its change; the ``documents`` it works on
        and the codebook are checked against the disk first (raises ChangedOnDisk after a reload)."""
        self.check(documents)
        return self.history.record(operation(self.project, *args, **kwargs))

    def undo(self) -> Change | None:
        """Undo the last change (None if there is none); raises ChangedOnDisk if its files changed."""
        if not self.history.done:
            return None
        self.check(_touched(self.history.done[-1]))
        return self.history.undo(self.project)

    def redo(self) -> Change | None:
        """Redo the last undone change (None if there is none); raises ChangedOnDisk if its files changed."""
        if not self.history.undone:
            return None
        self.check(_touched(self.history.undone[-1]))
        return self.history.redo(self.project)

    # --- the files on disk --------------------------------------------------------------------------
    def watch(self, doc_id: str) -> None:
        """Start watching a document the app shows (it may have been read earlier: compare now)."""
        self.check((doc_id,))

    def check(self, documents: tuple[str, ...] | list[str] = ()) -> None:
        """Reload the codebook and these documents if they changed outside Margin.

        Raises ChangedOnDisk naming what was reloaded, or the error of a file that cannot be read.
        """
        reloaded = []
        if self._outdated(self.project.root / CODEBOOK):
            reloaded += self._reload_codebook()
        for doc_id in documents:
            if self._outdated(self.project.document_path(doc_id)):
                reloaded += self._reload_document(doc_id)
        if reloaded:
            raise ChangedOnDisk(
                f"{' and '.join(reloaded)} changed on disk (outside Margin) and {'was' if len(reloaded) == 1 else 'were'} "
                "reloaded; nothing else was changed — look, then try again"
            )

    def poll(self, documents: tuple[str, ...] | list[str] = ()) -> list[str]:
        """Like ``check``, for a timer: the messages to show (reloads and files that cannot be read)."""
        try:
            self.check(documents)
        except MarginError as exc:
            return [str(exc)]
        return []

    def _outdated(self, path: Path) -> bool:
        seen = self._seen.get(path)
        if seen is None:
            return True
        if seen.error is not None and seen.stamp == _stamp(path):
            raise seen.error
        return seen.stamp != _stamp(path)

    def _reload_codebook(self) -> list[str]:
        path = self.project.root / CODEBOOK
        stamp = _stamp(path)
        old = self.project.codebook.dump()
        try:
            text = decode(path.read_bytes(), CODEBOOK) if stamp is not None else ""
            if stamp is None or text == old:
                self._seen[path] = _Seen(stamp)
                return []
            codebook = Codebook.parse(text, CODEBOOK)
        except MarginError as exc:
            error = MarginError(f"{CODEBOOK} changed on disk and cannot be read — fix it first: {exc}")
            self._seen[path] = _Seen(stamp, error)
            raise error from None
        self._seen[path] = _Seen(stamp)
        self.project.codebook = codebook
        self._forget_history(lambda change: change.codebook is not None)
        self._tell(Change("reload", f"{CODEBOOK} reloaded (changed on disk)", {}, (old, text)))
        return [CODEBOOK]

    def _reload_document(self, doc_id: str) -> list[str]:
        path = self.project.document_path(doc_id)
        where = f"{DOCUMENTS}/{doc_id}.txt"
        stamp = _stamp(path)
        doc = self.project.loaded_documents().get(doc_id)
        if doc is None:  # not read yet: it will be read as it is now
            self._seen[path] = _Seen(stamp)
            return []
        try:
            if stamp is None:
                raise MarginError("the file is gone — it was moved or deleted outside Margin")
            data = path.read_bytes()
            if data == self.project.serialised(doc).encode("utf-8"):
                self._seen[path] = _Seen(stamp)
                return []
            fresh = load_document(data, doc_id, where)
        except MarginError as exc:
            self.project.forget(doc_id)  # what Margin holds is stale: never write it back
            error = MarginError(f"{where} changed on disk and cannot be read — fix it first: {exc}")
            self._seen[path] = _Seen(stamp, error)
            raise error from None
        self._seen[path] = _Seen(stamp)
        before = DocState.of(doc)
        doc.set_text(fresh.text)
        doc.set_front_matter(fresh.front_matter)
        doc.final_newline = fresh.final_newline
        doc.codings = fresh.codings
        self._forget_history(lambda change: doc_id in change.documents)
        self._tell(
            Change("reload", f"{where} reloaded (changed on disk)", {doc_id: (before, DocState.of(doc))})
        )
        return [where]

    def _forget_history(self, touches: Callable[[Change], bool]) -> None:
        """Drop the steps that touched a file changed outside Margin: undoing them would undo that change."""
        self.history.done[:] = [c for c in self.history.done if not touches(c)]
        self.history.undone[:] = [c for c in self.history.undone if not touches(c)]

    def _tell(self, change: Change) -> None:
        for listener in list(self.history.listeners):
            listener(change)

    def _written(self, change: Change) -> None:
        """Remember the state of the files a change wrote (so they are not taken for outside changes)."""
        for path in self._paths(change):
            self._seen[path] = _Seen(_stamp(path))

    def _paths(self, change: Change) -> Iterator[Path]:
        if change.codebook is not None:
            yield self.project.root / CODEBOOK
        for doc_id in change.documents:
            yield self.project.document_path(doc_id)


def _touched(change: Change) -> tuple[str, ...]:
    return tuple(change.documents)
