"""How the app changes a project: operations run after a look at the files on disk, recorded in one History.

Margin writes every change to disk at once (each operation writes its files atomically), so the files are
always the truth; it never writes over a file another program changed since Margin read it (an editor,
``git pull``): the write itself refuses (margin.core.disk). ``Coder`` looks first, so that the user sees
the new text before acting on it: a file that changed on disk (``project.files``) is reloaded, the
history's steps that touched it are dropped (they would undo someone else's work), and the operation
asked for is not run. When the write refuses after all (a change between the look and the write), the
files the operation would have written are reloaded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

from margin.core.codebook import Codebook
from margin.core.disk import Stamp, stat_stamp
from margin.core.document import load_document
from margin.core.errors import ChangedOnDisk, MarginError
from margin.core.operations import Change, DocState, History
from margin.core.project import CODEBOOK, DOCUMENTS, Project
from margin.core.textfile import decode

RECENT = 9
"""Recently applied codes kept for the keys 1–9."""


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
        self._broken: dict[Path, tuple[Stamp | None, MarginError]] = {}
        """Files that changed on disk and cannot be read: their state then, and the error to repeat."""

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

    def follow_codebook(self) -> None:
        """The codebook changed: a recent or current code merged or re-slugged becomes the code it is now
        (through the codebook's aliases), a deleted one leaves."""
        resolve = self.project.codebook.resolve
        found = (resolve(slug) for slug in self.recent)
        self.recent = list(dict.fromkeys(slug for slug in found if slug is not None))
        if self.current_code is not None:
            self.current_code = resolve(self.current_code)

    # --- running operations -------------------------------------------------------------------------
    def run(
        self, operation: Callable[..., Change], *args: Any, documents: Iterable[str] = (), **kwargs: Any
    ) -> Change:
        """Run ``operation(project, *args, **kwargs)`` and record its change; the ``documents`` it works on
        and the codebook are checked against the disk first (raises ChangedOnDisk after a reload)."""
        self.check(documents)
        try:
            change = operation(self.project, *args, **kwargs)
        except ChangedOnDisk as exc:
            self._reload_after(exc)
        return self.history.record(change)

    def run_on_codebook(self, operation: Callable[[], Change]) -> Change:
        """Run an operation on the codebook (which may recode any document): the codebook and every
        document read so far are checked first."""
        return self.run(lambda _: operation(), documents=list(self.project.loaded_documents()))

    def undo(self) -> Change | None:
        """Undo the last change (None if there is none); raises ChangedOnDisk if its files changed."""
        if not self.history.done:
            return None
        self.check(self.history.done[-1].documents)
        try:
            return self.history.undo(self.project)
        except ChangedOnDisk as exc:
            self._reload_after(exc)

    def redo(self) -> Change | None:
        """Redo the last undone change (None if there is none); raises ChangedOnDisk if its files changed."""
        if not self.history.undone:
            return None
        self.check(self.history.undone[-1].documents)
        try:
            return self.history.redo(self.project)
        except ChangedOnDisk as exc:
            self._reload_after(exc)

    # --- the files on disk --------------------------------------------------------------------------
    def watch(self, doc_id: str) -> None:
        """Start watching a document the app shows (it may have been read earlier: compare now)."""
        self.check((doc_id,))

    def check(self, documents: Iterable[str] = ()) -> None:
        """Reload the codebook and these documents if they changed outside Margin.

        Raises ChangedOnDisk naming what was reloaded, or the error of a file that cannot be read.
        """
        reloaded = []
        if self._outdated(self._codebook_path):
            reloaded += self._reload_codebook()
        for doc_id in documents:
            if self._outdated(self.project.document_path(doc_id)):
                reloaded += self._reload_document(doc_id)
        if reloaded:
            raise ChangedOnDisk(reloaded, reloaded=True)

    def poll(self, documents: Iterable[str] = ()) -> list[str]:
        """Like ``check``, for a timer: the messages to show (reloads and files that cannot be read)."""
        try:
            self.check(documents)
        except MarginError as exc:
            return [str(exc)]
        return []

    @property
    def _codebook_path(self) -> Path:
        return self.project.root / CODEBOOK

    def _outdated(self, path: Path) -> bool:
        """Whether the file changed on disk since Margin read or wrote it; a file that could not be read
        raises its error again until it changes."""
        broken = self._broken.get(path)
        if broken is not None:
            if broken[0] == stat_stamp(path):
                raise broken[1]
            del self._broken[path]
            return True
        return self.project.files.changed(path)

    def _failed(self, path: Path, stamp: Stamp | None, what: str, exc: MarginError) -> MarginError:
        """Remember that ``path`` cannot be read as it is (what Margin holds of it is stale: the file is
        forgotten, so no write goes over it), and the error to show until it changes."""
        self.project.files.forget(path)
        error = MarginError(f"{what} changed on disk and cannot be read — fix it first: {exc}")
        self._broken[path] = (stamp, error)
        return error

    def _reload_after(self, refused: ChangedOnDisk) -> NoReturn:
        """A write was refused: read again every file it would have written (what Margin holds of them is
        ahead of the disk; only the steps of the files that changed are dropped from the history), then
        raise ChangedOnDisk for what changed."""
        for name in refused.touched:
            changed = name in refused.paths
            if name == CODEBOOK:
                self._reload_codebook(changed)
            elif name.startswith(DOCUMENTS + "/") and name.endswith(".txt"):
                self._reload_document(name[len(DOCUMENTS) + 1 : -4], changed)
            else:
                self.project.files.forget(self.project.root / name)
        raise ChangedOnDisk(refused.paths, refused.touched, reloaded=True)

    def _reload_codebook(self, changed: bool = True) -> list[str]:
        path = self._codebook_path
        stamp = stat_stamp(path)
        old = self.project.codebook.dump()
        try:
            data = self.project.files.read(path, CODEBOOK)
            if data is None:  # deleted: what Margin holds is written back with the next change
                return []
            text = decode(data, CODEBOOK)
            if text == old:
                return []
            codebook = Codebook.parse(text, CODEBOOK)
        except MarginError as exc:
            raise self._failed(path, stamp, CODEBOOK, exc) from None
        self.project.codebook = codebook
        if changed:
            self._forget_history(lambda change: change.codebook is not None)
        self._tell(Change("reload", f"{CODEBOOK} reloaded (changed on disk)", {}, (old, text)))
        return [CODEBOOK]

    def _reload_document(self, doc_id: str, changed: bool = True) -> list[str]:
        path = self.project.document_path(doc_id)
        where = f"{DOCUMENTS}/{doc_id}.txt"
        doc = self.project.loaded_documents().get(doc_id)
        if doc is None:  # not read yet: it will be read as it is now
            return []
        stamp = stat_stamp(path)
        try:
            data = self.project.files.read(path, where)
            if data is None:
                raise MarginError("the file is gone — it was moved or deleted outside Margin")
            fresh = load_document(data, doc_id, where)
        except MarginError as exc:
            self.project.forget(doc_id)  # what Margin holds is stale: never write it back
            raise self._failed(path, stamp, where, exc) from None
        before = DocState.of(doc)
        if before == DocState.of(fresh) and doc.final_newline == fresh.final_newline:
            return []
        doc.set_text(fresh.text)
        doc.set_front_matter(fresh.front_matter)
        doc.final_newline = fresh.final_newline
        doc.codings = fresh.codings
        if changed:
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
