"""Sync in the app: the session is committed, then git fetches, merges and pushes in a thread worker while a
progress line shows what it is doing; the status bar shows commits ahead of and behind the remote.

Files the merge changed are reloaded by the transcript's check of the disk (the app never writes over
them); a conflict stops the sync with the paragraphs in question, and a project that fails the check is
not sent (the notice lists the problems).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import Static
from textual.worker import WorkerFailed

from margin.core.errors import MarginError
from margin.core.plural import counted
from margin.tui.status import StatusBar
from margin.vcs.session import merge_in_progress
from margin.vcs.sync import MergeConflicts, ProjectProblems, SyncResult, ahead_behind, sync

if TYPE_CHECKING:
    from textual.app import App

    from margin.core.project import Project
    from margin.tui.session_ui import SessionKeeper


class SyncProgress(Static):
    """One line above the status bar while a sync runs: its stage and git's percentage."""

    DEFAULT_CSS = """
    SyncProgress { height: 1; background: $boost; color: $text-muted; padding: 0 1; }
    """

    def show(self, stage: str, fraction: float | None) -> None:
        self.update(f"⇅ {stage} {fraction:.0%}" if fraction is not None else f"⇅ {stage}…")


class Syncer:
    """The app's sync action and the ahead/behind figures of the status bar."""

    def __init__(self, app: App[Any], project: Project) -> None:
        self.app = app
        self.project = project
        self.root: Path = project.root
        self.running = False

    def _status(self) -> StatusBar:
        return self.app.screen_stack[0].query_one(StatusBar)

    def show_ahead_behind(self) -> None:
        """Compare with the remote branch as of the last fetch (no network), in a worker."""
        self.app.run_worker(self._ahead_behind, thread=True, group="ahead-behind", exclusive=True)

    def _ahead_behind(self) -> None:
        counts = ahead_behind(self.root)
        self.app.call_from_thread(self._status().show_ahead_behind, counts)

    def start(self, sessions: SessionKeeper) -> None:
        """Begin a sync without holding up the app (keys keep working while it runs)."""
        self.app.run_worker(self.run(sessions), group="sync-ui", exit_on_error=False)

    async def run(self, sessions: SessionKeeper) -> None:
        """Commit the session, then sync in a worker."""
        if self.running:
            self.app.notify("A sync is running already.", severity="warning")
            return
        self.running = True
        try:
            if sessions.session.paths and not merge_in_progress(self.root):
                await sessions.end()  # the session's work goes first, as its own commit (during a merge,
                # the sync concludes the merge first, then commits the work left on disk)
            progress = SyncProgress("⇅ syncing…")
            await self.app.screen_stack[0].mount(progress, before=self._status())
            worker = self.app.run_worker(
                lambda: self._sync(progress), thread=True, exit_on_error=False, group="sync", name="sync"
            )
            await worker.wait()
        except WorkerFailed as exc:
            self.app.notify(str(exc.error), title="Sync failed", severity="error", timeout=30)
        finally:
            self.running = False
            for widget in self.app.screen_stack[0].query(SyncProgress):
                await widget.remove()
            refresh = getattr(self.app, "refresh_git_status", None)
            if refresh is not None:
                refresh()  # the branch, and the ahead/behind figures

    def _sync(self, progress: SyncProgress) -> None:
        def report(stage: str, fraction: float | None) -> None:
            self.app.call_from_thread(progress.show, stage, fraction)

        try:
            result = sync(self.root, progress=report)
        except MergeConflicts as exc:
            for note in exc.notes:
                self.app.call_from_thread(self.app.notify, note, title="Sync", timeout=30)
            self.app.call_from_thread(
                self.app.notify, str(exc), title="Sync stopped on conflicts", severity="error", timeout=60
            )
            return
        except ProjectProblems as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        except MarginError as exc:
            self.app.call_from_thread(
                self.app.notify, str(exc), title="Sync failed", severity="error", timeout=30
            )
            return
        self.app.call_from_thread(self._done, result)

    def _refused(self, exc: ProjectProblems) -> None:
        """The project fails the check: nothing was sent; what the sync merged is on disk, so read it."""
        for note in exc.result.notes:
            self.app.notify(note, title="Sync", timeout=30)
        self.app.notify(str(exc), title="Sync stopped: nothing sent", severity="error", timeout=60)
        reload = getattr(self.app, "reload_from_disk", None)
        if reload is not None and exc.result.changed:
            reload()

    def _done(self, result: SyncResult) -> None:
        where = f"{result.remote}/{result.branch}"
        parts = []
        if result.merged:
            parts.append(
                f"merged {counted(result.merged, 'commit')} from {where} ({counted(len(result.changed), 'file')})"
            )
        if result.pushed:
            parts.append(f"sent {counted(result.pushed, 'commit')}")
        known = set(self.project.document_ids())
        arrived = [
            f
            for f in result.changed
            if f.startswith("documents/")
            and f.endswith(".txt")
            and f[10:-4] not in known
            and (self.root / f).exists()
        ]
        if arrived:
            parts.append(f"{counted(len(arrived), 'new document')} listed")
        self.app.notify("; ".join(parts) or f"already in step with {where}", title="Synced")
        for note in result.notes:
            self.app.notify(note, title="Sync", timeout=10)
        reload = getattr(self.app, "reload_from_disk", None)
        if reload is not None and result.changed:
            reload()  # the codebook, documents, the list and its counts as the merge left them
