"""The Margin app: a project's documents on the left, the open transcript in the centre, a status bar."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer

from margin.core.document import Document
from margin.core.errors import MarginError
from margin.core.operations import Change, History
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.coder import Coder
from margin.tui.coding_view import CodingView
from margin.tui.documents import DocumentList
from margin.tui.session_ui import SessionKeeper
from margin.tui.status import StatusBar
from margin.tui.sync_ui import Syncer
from margin.tui.transcript import TranscriptView, code_look
from margin.vcs.info import branch_name, coder_name

if TYPE_CHECKING:
    from margin.analysis.retrieval import Segment
    from margin.analysis.search import Hit
    from margin.core.project import Project
    from margin.tui.segments_screen import SegmentsScreen

ANYWHERE = frozenset({"quit", "help", "command_palette", "search"})
"""App actions that work over other screens too (the others act on the main screen's widgets)."""


class MarginApp(App[None]):
    """Read and (later) code a project's transcripts."""

    CSS_PATH = "margin.tcss"
    TITLE = "Margin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("S", "end_session", "End session", id="app.end-session"),
        Binding("ctrl+s", "sync", "Sync", id="app.sync"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo"),
        Binding("escape", "focus_documents", "Documents", id="app.focus-documents"),
        Binding("b", "toggle_codebook", "Codebook", id="app.toggle-codebook"),
        Binding("r", "segments", "Segments", id="app.segments"),
        Binding("slash", "find", "Find", id="app.find"),
        Binding("F,ctrl+f", "search", "Search all", id="app.search"),
        Binding("f3", "find_step(True)", "Next hit", show=False, id="app.find-next"),
        Binding("shift+f3", "find_step(False)", "Previous hit", show=False, id="app.find-previous"),
    ]

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._documents_lock = threading.Lock()
        self.history = History()
        """Every change of this session, across documents and the codebook: undo and redo."""
        self.history.listeners.append(self._on_change)
        self.sessions = SessionKeeper(self, project.root, self.history)
        """The coding session: begun on open, committed at quit and by "End session"."""
        self.syncer = Syncer(self, project)
        """Sync with the team's remote (ctrl+s), and the ahead/behind figures of the status bar."""
        self.coder = Coder(project, self.history)
        """Runs the app's operations: checks the files on disk first, records the changes in the history."""
        self._segments: SegmentsScreen | None = None

    def compose(self) -> ComposeResult:
        project = self.project
        with Horizontal(id="main"):
            documents = DocumentList(project.document_ids(), self._count_codings, id="documents")
            documents.border_title = project.name
            yield documents
            yield CodingView(self.coder, id="transcript")
            yield CodebookPanel(project, self.history, id="codebook")
        yield StatusBar(project.name, id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DocumentList).focus()
        self.refresh_git_status()
        self.sessions.begin()

    async def action_quit(self) -> None:
        """Commit the coding session, then quit."""
        if await self.sessions.finish():
            self.exit()

    async def action_end_session(self) -> None:
        """Commit the coding session now and begin a new one."""
        await self.sessions.end()

    def action_sync(self) -> None:
        """Commit the session, then fetch, merge and push (progress shows above the status bar)."""
        self.syncer.start(self.sessions)

    def refresh_git_status(self) -> None:
        """Show the coder's git identity and the branch (again, e.g. after a commit or a sync)."""
        root = self.project.root
        self.query_one(StatusBar).show_git(coder_name(root), branch_name(root))
        self.syncer.show_ahead_behind()

    def _on_change(self, change: Change) -> None:
        self.query_one(StatusBar).show_changes(len(self.history.done))

    def _document(self, doc_id: str) -> Document:
        """The project's document, parsed once; the lock keeps the counting thread and the app from
        parsing the same file twice."""
        with self._documents_lock:
            return self.project.document(doc_id)

    def _count_codings(self, doc_id: str) -> int:
        return len(self._document(doc_id).codings)

    def open_document(self, doc_id: str) -> None:
        """Show ``doc_id`` in the transcript and focus it; a document that cannot be read is reported."""
        try:
            document = self._document(doc_id)
        except MarginError as exc:
            self.notify(str(exc), title="Cannot open this document", severity="error", timeout=10)
            return
        transcript = self.query_one(TranscriptView)
        transcript.show_document(document, self.project.codebook)
        transcript.focus()

    @on(DocumentList.Selected)
    def _on_document_selected(self, event: DocumentList.Selected) -> None:
        self.open_document(event.doc_id)

    @on(TranscriptView.CursorMoved)
    def _on_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        document = event.view.document
        if document is None:
            return
        codebook = self.project.codebook
        codes = tuple(code_look(codebook, slug) for slug in event.codes)
        position = f"¶ {event.paragraph + 1}/{document.paragraph_count}"
        status = self.query_one(StatusBar)
        status.show(document.id, position, codes)
        size = event.selection[1] - event.selection[0] if event.selection else 0
        status.show_selection(f"{size} character{'s' if size != 1 else ''} selected" if size else "")

    def action_focus_documents(self) -> None:
        self.query_one(CodebookPanel).make_room_for_documents()
        self.query_one(DocumentList).focus()

    # --- coding: undo, redo, the current code ---------------------------------------------------------
    def action_undo(self) -> None:
        """Undo the last change, in any document or the codebook (the transcript shows where)."""
        self._show_changed(self.query_one(CodingView).undo())

    def action_redo(self) -> None:
        """Redo the last undone change."""
        self._show_changed(self.query_one(CodingView).redo())

    def _show_changed(self, doc_id: str | None) -> None:
        if doc_id is not None:
            self.query_one(DocumentList).select_document(doc_id)

    def set_current_code(self, slug: str | None) -> None:
        """Make ``slug`` the code whose segments n/N jump through in the transcript."""
        self.query_one(CodingView).set_current_code(slug)

    def action_toggle_codebook(self) -> None:
        self.query_one(CodebookPanel).toggle()

    @on(CodebookPanel.CodeSelected)
    def _on_code_selected(self, event: CodebookPanel.CodeSelected) -> None:
        self.set_current_code(event.slug)

    # --- retrieved segments and search ---------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's keys work on the main screen; over a list or a form only those that work anywhere."""
        if self.screen is self.screen_stack[0] or action in ANYWHERE:
            return True
        return action not in {b.action.partition("(")[0] for b in self.BINDINGS if isinstance(b, Binding)}

    def action_segments(self) -> None:
        """Retrieved segments of the code chosen in the codebook, or of the coding at the cursor."""
        from margin.tui.segments_screen import SegmentsScreen

        if self._segments is None:
            self._segments = SegmentsScreen(self.project, self._document)
            self.install_screen(self._segments, "segments")
        codes = self._chosen_codes()
        if codes:
            self._segments.show_codes(codes)
        self.push_screen(self._segments, self._jump_to)
        if not self._segments.codes:
            self._segments.action_choose_code()

    def _chosen_codes(self) -> tuple[str, ...]:
        """The code the user points at: the codebook's code when the codebook has the focus, else the
        code of the segment selected (or under the cursor) in the transcript, else the current code."""
        panel = self.query_one(CodebookPanel)
        if panel.has_focus_within:
            return (panel.current,) if panel.current else ()
        transcript = self.query_one(TranscriptView)
        if transcript.has_focus and transcript.document is not None:
            selection = transcript.selection
            codings = [c for c in transcript.document.codings if (c.start, c.end) == selection]
            codings = codings or list(transcript.codings_at_cursor())
            if codings:
                return codings[-1].codes[:1]
        return (self.coder.current_code,) if self.coder.current_code else ()

    def _jump_to(self, place: Segment | Hit | None) -> None:
        """Back from a list: show codings made there, and open the segment or hit chosen, selected."""
        transcript = self.query_one(TranscriptView)
        transcript.document_changed()
        if place is None:
            return
        self.open_document(place.document)
        if transcript.document is not None and transcript.document.id == place.document:
            transcript.go_to(place.start, place.end)

    def action_search(self) -> None:
        """Search every document."""
        from margin.tui.search import SearchScreen

        self.push_screen(SearchScreen(self.project, self._document, self.coder), self._jump_to)

    async def action_find(self) -> None:
        """Find in the open document."""
        from margin.tui.search import open_find_bar

        transcript = self.query_one(TranscriptView)
        if transcript.document is None:
            self.notify("Open a document first: / finds in the open document, F searches them all.")
            return
        await open_find_bar(self.screen, transcript, self.query_one(StatusBar))

    def action_find_step(self, forward: bool) -> None:
        from margin.tui.search import find_step

        if not find_step(self.screen, forward):
            self.notify("Nothing to find yet: / finds in the open document.")


def run_app(path: str | Path = ".") -> int:
    """Open the project at (or above) ``path`` in the app; returns the exit status."""
    from margin.tui.writer import AppProject

    app = MarginApp(AppProject.load(path))
    app.run()
    return app.return_code or 0
