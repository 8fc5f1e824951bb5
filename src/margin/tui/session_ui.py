"""The coding session in the app: it begins when a project opens (offering changes an earlier run left
uncommitted), records every change of the app's history, and is committed at quit and by "End session".

Git runs in thread workers; quitting waits for the commit, so the app never exits half-way through one.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import WorkerFailed

from margin.core.errors import MarginError
from margin.core.operations import Change, History
from margin.vcs.gitcmd import OperationInProgress
from margin.vcs.message import summary
from margin.vcs.semdiff import Decision
from margin.vcs.session import Commit, MergeInProgress, Recovered, Session, identity_problem

if TYPE_CHECKING:
    from textual.worker import Worker

SHOWN = 12
"""Decisions of a recovered session listed in the question (the rest are counted)."""


class RecoveredScreen(ModalScreen[bool]):
    """Changes found uncommitted at start, file by file: commit them as a recovered session (True) or keep
    them in this session (False). Nothing is discarded either way."""

    DEFAULT_CSS = """
    RecoveredScreen { align: center middle; }
    RecoveredScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    RecoveredScreen #recovered-decisions { height: auto; max-height: 16; margin: 1 0; overflow-y: auto; }
    RecoveredScreen Horizontal { height: auto; align-horizontal: center; }
    RecoveredScreen Button { margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose(True)", "Commit as recovered", id="session.recovered.commit"),
        Binding("k,escape", "choose(False)", "Keep in this session", id="session.recovered.keep"),
    ]

    def __init__(self, recovered: Recovered) -> None:
        super().__init__()
        self.recovered = recovered

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Changes no commit holds"
            yield Static(
                Text.assemble(
                    "The project's files hold changes that were saved but never committed — by a Margin "
                    "session that did not end, or by another program (an editor, a script): ",
                    (summary(self.recovered.decisions), "bold"),
                    ". What was found, file by file:",
                )
            )
            yield Static(self._by_file(), id="recovered-decisions")
            with Horizontal():
                yield Button("Commit as a recovered session (c)", id="commit", variant="primary")
                yield Button("Keep them in this session (k)", id="keep")

    def _by_file(self) -> Text:
        """Each changed file with what changed in it, and its first decisions (SHOWN in all)."""
        recovered = self.recovered
        by_path: dict[str, list[Decision]] = {path: [] for path in recovered.paths}
        for decision in recovered.decisions:
            by_path.setdefault(decision.path, []).append(decision)
        text = Text()
        shown = 0
        for path, decisions in by_path.items():
            if text:
                text.append("\n")
            found = summary(decisions, with_documents=False) if decisions else "rewritten, same content"
            text.append(path, "bold")
            text.append(f": {found}")
            for decision in decisions:
                if shown == SHOWN:
                    break
                text.append(f"\n  {decision.line}", "dim")
                shown += 1
        if len(recovered.decisions) > shown:
            text.append(f"\n… and {len(recovered.decisions) - shown} more", "dim")
        return text

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "commit")

    def action_choose(self, commit: bool) -> None:
        self.dismiss(commit)


class SessionKeeper:
    """The app's current session: begun on open, fed by the history, committed at the end."""

    def __init__(self, app: App[None], root: Path, history: History) -> None:
        self.app = app
        self.root = root
        self.session = Session(root)
        self.enabled = True
        self.quit_anyway = False
        self.last_commit: Commit | None = None
        history.listeners.append(self.record)

    def record(self, change: Change) -> None:
        self.session.record(change)

    def record_file(self, path: str) -> None:
        """A project file written outside the history (a document's or the project's memo): it is
        committed with this session, and the message lists it."""
        self.session.paths.add(path)

    # --- beginning ------------------------------------------------------------------------------------------
    def begin(self) -> None:
        """Look for an earlier run's uncommitted changes (in a worker) and offer them."""
        self.app.run_worker(
            self._begin, thread=True, exit_on_error=False, group="session", name="begin session"
        )

    def _begin(self) -> None:
        session = self.session
        try:
            recovered = session.begin()
        except MarginError as exc:
            self.app.call_from_thread(self._disable, str(exc))
            return
        self.app.call_from_thread(self._began, recovered, identity_problem(self.root))

    def _disable(self, reason: str) -> None:
        self.enabled = False
        self.app.notify(
            reason, title="Sessions are off: nothing will be committed", severity="warning", timeout=20
        )

    def _began(self, recovered: Recovered | None, problem: str | None) -> None:
        if problem:
            self.app.notify(problem, title="Sessions cannot be committed yet", severity="warning", timeout=30)
        if recovered is not None:
            self.app.push_screen(RecoveredScreen(recovered), partial(self._recovered, recovered))

    def _recovered(self, recovered: Recovered, commit: bool | None) -> None:
        if not commit:
            self.session.keep(recovered)
            self.app.notify("The earlier changes will be committed with this session.", title="Kept")
            return
        worker = self.app.run_worker(
            partial(self.session.commit_recovered, recovered),
            thread=True,
            exit_on_error=False,
            group="session",
            name="commit recovered session",
        )
        self.app.run_worker(self._report(worker, "Recovered session committed"), exit_on_error=False)

    async def _report(self, worker: Worker[Commit | None], title: str) -> Commit | None:
        """Wait for a commit worker and say how it went; None when nothing was committed."""
        try:
            done = await worker.wait()
        except WorkerFailed as exc:
            if isinstance(exc.error, (MergeInProgress, OperationInProgress)):
                self.app.notify(str(exc.error), title="Session kept on disk", severity="warning", timeout=30)
            else:
                self.app.notify(
                    str(exc.error), title="The session was not committed", severity="error", timeout=30
                )
            raise
        if done is not None:
            self.last_commit = done
            self.app.notify(done.subject, title=title)
            refresh = getattr(self.app, "refresh_git_status", None)
            if refresh is not None:
                refresh()
        return done

    # --- ending ------------------------------------------------------------------------------------------
    def _commit_worker(self, session: Session) -> Worker[Commit | None]:
        return self.app.run_worker(
            session.commit, thread=True, exit_on_error=False, group="session", name="commit session"
        )

    async def end(self) -> None:
        """Commit this session and start a new one (changes made meanwhile belong to the new one)."""
        if not self.enabled:
            self.app.notify("This project is not a git repository: nothing to commit.", severity="warning")
            return
        old, self.session = self.session, Session(self.root)
        try:
            done = await self._report(self._commit_worker(old), "Session committed")
        except WorkerFailed:
            self.session.paths.update(old.paths)  # committed with the next session instead
            return
        if done is None:
            self.app.notify("Nothing changed since the last commit.", title="Session ended")

    async def finish(self) -> bool:
        """Commit the session before the app exits; False (stay open) when the commit failed the first
        time — the message says so, and quitting again leaves the changes on disk for the next start."""
        if not self.enabled or self.quit_anyway:
            return True
        try:
            await self._report(self._commit_worker(self.session), "Session committed")
        except WorkerFailed as exc:
            if isinstance(exc.error, (MergeInProgress, OperationInProgress)):
                return True  # the work stays on disk, committed once the merge (rebase, …) is concluded
            self.quit_anyway = True
            self.app.notify(
                "Press q again to quit anyway: your changes stay on disk and are offered at the next start.",
                severity="warning",
                timeout=30,
            )
            return False
        return True
