"""The Margin app: a project's documents on the left, the open transcript in the centre, a status bar."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.worker import get_current_worker

from margin.core.document import Document
from margin.core.errors import ChangedOnDisk, MarginError
from margin.core.lock import APP, ProjectLock
from margin.core.memos import PROJECT_MEMO, document_memo, read_memo, save_memo
from margin.core.operations import Change, History
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.coder import Coder
from margin.tui.coding_view import CodingView, in_app
from margin.tui.documents import DocumentList
from margin.tui.footer import KeyFooter
from margin.tui.help import HelpScreen
from margin.tui.memo import MemoScreen
from margin.tui.palette import ActionsProvider, PaletteAction, available_actions
from margin.tui.places import Places
from margin.tui.session_ui import SessionKeeper
from margin.tui.settings import apply_settings, save_theme
from margin.tui.status import StatusBar
from margin.tui.sync_ui import Syncer
from margin.tui.terminal import replace_control_characters
from margin.tui.transcript import TranscriptView, code_look
from margin.vcs.info import branch_name, coder_name

if TYPE_CHECKING:
    from margin.analysis.retrieval import Segment
    from margin.analysis.search import Hit
    from margin.core.project import Project
    from margin.tui.segments_screen import SegmentsScreen
    from margin.vcs.review import Place

NARROW = 100
"""Terminals narrower than this get a narrower document list (and the codebook takes its room)."""
ROOMY = 150
"""Terminals at least this wide give the side panes their full widths; narrower ones narrower panes."""
LARGE_DOCUMENT = 4_000_000
"""Bytes from which a document not read yet is read in the background, with a loading indicator."""

ANYWHERE = frozenset({"quit", "help", "command_palette", "search"})
"""App actions that work over other screens too (the others act on the main screen's widgets)."""


class MarginApp(App[None]):
    """Read and (later) code a project's transcripts."""

    CSS_PATH = "margin.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-medium"), (ROOMY, "-wide")]  # noqa: RUF012 (typed by Textual, not ClassVar)
    """Classes on the screen by terminal width: the narrower, the narrower the side panes."""
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {*App.COMMANDS, ActionsProvider}
    TITLE = "Margin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("S", "end_session", "End session", id="app.end-session"),
        Binding("ctrl+s", "sync", "Sync", id="app.sync"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Find an action", show=False, priority=True, id="app.palette"),
        Binding("escape", "focus_documents", "Documents", show=False, id="app.focus-documents"),
        Binding("d", "toggle_documents", "Show or hide the documents", show=False, id="app.toggle-documents"),
        Binding("z", "focus_mode", "Transcript only", show=False, id="app.focus-mode"),
        Binding("b", "toggle_codebook", "Codebook", id="app.toggle-codebook"),
        Binding("r", "segments", "Segments", id="app.segments"),
        Binding("slash", "find", "Find", id="app.find"),
        Binding("F,ctrl+f", "search", "Search all", id="app.search"),
        Binding("f3", "find_step(True)", "Next hit", show=False, id="app.find-next"),
        Binding("shift+f3", "find_step(False)", "Previous hit", show=False, id="app.find-previous"),
        Binding("C", "conflicts", "Conflicts", show=False, id="app.conflicts"),
        Binding("H", "history", "History", id="app.history"),
        Binding("M", "document_memo", "Document memo", show=False, id="app.document-memo"),
        Binding("P", "project_memo", "Project memo", show=False, id="app.project-memo"),
    ]

    def __init__(self, project: Project) -> None:
        replace_control_characters()
        super().__init__()
        self.lock = ProjectLock(project.state_dir, APP)
        """The project's write lock, held from here until the app exits: another app, and any command that
        would change the project, is refused meanwhile (commands that only read work as ever)."""
        self.lock.acquire()
        self.project = project
        self._documents_lock = threading.Lock()
        self.history = History()
        """Every change of this session, across documents and the codebook: undo and redo."""
        self.history.listeners.append(self._on_change)
        self.palette_actions: list[PaletteAction] | None = None
        """What the command palette offers, listed when it is opened."""
        self.sessions = SessionKeeper(self, project.root, self.history)
        """The coding session: begun on open, committed at quit and by "End session"."""
        self.syncer = Syncer(self, project)
        """Sync with the team's remote (ctrl+s), and the ahead/behind figures of the status bar."""
        self.coder = Coder(project, self.history)
        """Runs the app's operations: checks the files on disk first, records the changes in the history."""
        self.places = Places(project.root)
        """Where the coder left each document: it opens there again."""
        self._segments: SegmentsScreen | None = None
        self._side_panes: tuple[bool, bool | None] | None = None
        """Before z hid both side panes: whether the documents were shown, and the codebook's `b` choice."""
        self._conflicted: list[str] = []
        self._span_to_show: tuple[str, tuple[int, int]] | None = None
        """The document being opened and the span to select in it once it is shown."""
        """The files git listed as unmerged when the app last looked."""

    def compose(self) -> ComposeResult:
        project = self.project
        with Horizontal(id="main"):
            documents = DocumentList(project.document_ids(), self._count_codings, id="documents")
            documents.border_title = project.name
            yield documents
            yield CodingView(self.coder, id="transcript")
            yield CodebookPanel(self.coder, id="codebook")
        yield StatusBar(project.name, id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DocumentList).focus()
        self.refresh_git_status()
        self.sessions.begin()
        apply_settings(self)
        self.theme_changed_signal.subscribe(self, lambda _: save_theme(self))

    def on_unmount(self) -> None:
        self.lock.release()

    async def action_quit(self) -> None:
        """Commit the coding session, then quit."""
        if await self.sessions.finish():
            self._leave_document()
            self.places.save()
            self.exit()

    async def action_end_session(self) -> None:
        """Commit the coding session now and begin a new one."""
        await self.sessions.end()

    def action_sync(self) -> None:
        """Commit the session, then fetch, merge and push (progress shows above the status bar)."""
        self.syncer.start(self.sessions)

    def action_help(self) -> None:
        """Show every key, by where it works."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.focused))

    def action_command_palette(self) -> None:
        """Find an action by name."""
        self.palette_actions = available_actions(self.focused, self.screen)
        super().action_command_palette()

    def action_reload_settings(self) -> None:
        """Read the settings file again (keys and theme)."""
        apply_settings(self)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands, but for its key panel and quit (help and the actions list cover them)."""
        return (c for c in super().get_system_commands(screen) if c.title not in ("Keys", "Quit"))

    def refresh_git_status(self) -> None:
        """Show the coder's git identity and the branch (again, e.g. after a commit or a sync)."""
        root = self.project.root
        self.query_one(StatusBar).show_git(coder_name(root), branch_name(root))
        self.syncer.show_ahead_behind()
        self.run_worker(self._look_for_conflicts, thread=True, group="conflicts", exclusive=True)

    def _look_for_conflicts(self) -> None:
        """Open the conflict screen when a merge left new conflicts (git's list of unmerged files)."""
        from margin.vcs.conflicts import unmerged

        found = unmerged(self.project.root)
        if found and found != self._conflicted:
            self.call_from_thread(self.action_conflicts)
        self._conflicted = found

    def action_conflicts(self) -> None:
        """Resolve the conflicts a merge left: ours, theirs, both or edited, paragraph by paragraph."""
        from margin.tui.conflicts_screen import ConflictsScreen

        if not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen(self.project.root), self._after_conflicts)

    def _after_conflicts(self, _: bool | None) -> None:
        self.reload_from_disk()  # what the resolutions changed

    def reload_from_disk(self) -> None:
        """Read again what git changed under the app (a sync, a code-tree merge, resolved conflicts): the
        codebook, the documents read so far, the document list and every count. Unlike an outside edit
        found by chance, this is expected, so it is not reported as a change on disk."""
        project = self.project
        project.rescan()
        try:
            self.coder.check(list(project.loaded_documents()))
        except ChangedOnDisk:
            pass  # reloaded, as asked
        except MarginError as exc:
            self.notify(in_app(str(exc)), title="Cannot read it again", severity="error", timeout=20)
        self.query_one(DocumentList).relist(project.document_ids())
        self.query_one(CodingView).check_disk()

    def _on_change(self, change: Change) -> None:
        self.query_one(StatusBar).show_changes(len(self.history.done))
        documents = self.query_one(DocumentList)
        loaded = self.project.loaded_documents()
        for doc_id in change.documents:
            if doc_id in loaded:
                documents.set_count(doc_id, len(loaded[doc_id].codings))

    def _document(self, doc_id: str) -> Document:
        """The project's document, parsed once; the lock keeps the counting thread and the app from
        parsing the same file twice."""
        with self._documents_lock:
            return self.project.document(doc_id)

    def _count_codings(self, doc_id: str) -> int:
        return len(self._document(doc_id).codings)

    def open_document(self, doc_id: str, span: tuple[int, int] | None = None) -> None:
        """Show ``doc_id`` in the transcript and focus it, with ``span`` selected; a document that cannot be
        read is reported. A large document not read yet is read by a worker while the transcript shows it
        is loading (and the span is selected once it is shown)."""
        self.workers.cancel_group(self, "open-document")
        self._span_to_show = (doc_id, span) if span is not None else None
        if doc_id not in self.project.loaded_documents() and self._file_size(doc_id) >= LARGE_DOCUMENT:
            self.query_one(TranscriptView).loading = True
            self.run_worker(partial(self._read_document, doc_id), thread=True, group="open-document")
            return
        self._show_document(doc_id)

    def _file_size(self, doc_id: str) -> int:
        try:
            return self.project.document_path(doc_id).stat().st_size
        except (OSError, MarginError):
            return 0  # opening it reports the problem

    def _read_document(self, doc_id: str) -> None:
        with contextlib.suppress(MarginError):  # reported when it is shown
            self._document(doc_id)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_document, doc_id)

    def _show_document(self, doc_id: str) -> None:
        transcript = self.query_one(TranscriptView)
        transcript.loading = False
        try:
            document = self._document(doc_id)
        except MarginError as exc:
            self.notify(str(exc), title="Cannot open this document", severity="error", timeout=10)
            return
        pending, self._span_to_show = self._span_to_show, None
        if transcript.document is not document:
            self._leave_document()
            transcript.show_document(document, self.project.codebook, self.places.offset(doc_id))
        transcript.focus()
        if pending is not None and pending[0] == doc_id:
            transcript.go_to(*pending[1])
        self._show_memo_line(doc_id)

    # --- document and project memos ------------------------------------------------------------------
    def _show_memo_line(self, doc_id: str) -> None:
        """The first line of the open document's memo, in the transcript's top border."""
        try:
            line = read_memo(self.project, document_memo(doc_id)).first_line
        except MarginError as exc:
            line = f"the memo cannot be read: {exc}"
        self.query_one(TranscriptView).border_title = f"✎ {line} (M: the whole memo)" if line else None

    def action_document_memo(self) -> None:
        """Write or read the memo of the open document (of the one highlighted, from the list)."""
        documents = self.query_one(DocumentList)
        transcript = self.query_one(TranscriptView)
        cursor = documents.cursor_node.data if documents.cursor_node is not None else None
        doc_id = cursor if documents.has_focus and cursor else None
        if doc_id is None and transcript.document is not None:
            doc_id = transcript.document.id
        if doc_id is None:
            self.notify("Open a document first: M writes its memo, P the project's memo.", title="Memo")
            return
        self._edit_memo(document_memo(doc_id), f"Memo on {doc_id}", doc_id)

    def action_project_memo(self) -> None:
        """Write or read the project's memo (memos/project.md)."""
        self._edit_memo(PROJECT_MEMO, "Project memo")

    @work(exclusive=True, group="memo")
    async def _edit_memo(self, path: str, title: str, doc_id: str | None = None) -> None:
        try:
            memo = read_memo(self.project, path)
        except MarginError as exc:
            self.notify(str(exc), title="Memo", severity="error", timeout=10)
            return
        about = f"{path} — Markdown, committed with this session"
        text = await self.push_screen_wait(MemoScreen(title, about, memo.text, tall=True))
        if text is None or text == memo.text.strip():
            return
        try:
            save_memo(self.project, path, text)
        except MarginError as exc:
            self.notify(str(exc), title="Memo not saved", severity="error", timeout=15)
            return
        self.sessions.record_file(path)
        self.notify(f"{path} {'saved' if text else 'removed (empty)'}", title="Memo", timeout=4)
        shown = self.query_one(TranscriptView).document
        if doc_id is not None and shown is not None and shown.id == doc_id:
            self._show_memo_line(doc_id)

    def _leave_document(self) -> None:
        """Remember where the cursor is in the open document, to open it there again."""
        transcript = self.query_one(TranscriptView)
        if transcript.document is not None:
            self.places.left(transcript.document.id, transcript.cursor_offset)

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
        status.show_selection(size)

    def action_focus_documents(self) -> None:
        """Go to the document list (showing it if it was hidden)."""
        self.query_one("#main").remove_class("-documents-hidden")
        self.query_one(CodebookPanel).make_room_for_documents()
        self.query_one(DocumentList).focus()

    def action_toggle_documents(self) -> None:
        """Show or hide the document list, to give the transcript the room."""
        main = self.query_one("#main")
        if main.has_class("-documents-hidden"):
            self.action_focus_documents()
            return
        documents = self.query_one(DocumentList)
        main.add_class("-documents-hidden")
        if documents.has_focus:
            self.query_one(TranscriptView).focus()

    def action_focus_mode(self) -> None:
        """Give the transcript the whole width (hide the documents and the codebook), or show them again."""
        main = self.query_one("#main")
        panel = self.query_one(CodebookPanel)
        if self._side_panes is None:
            self._side_panes = (not main.has_class("-documents-hidden"), panel.step_aside())
            main.add_class("-documents-hidden")
            self.query_one(TranscriptView).focus()
            self.notify("Transcript only: z shows the documents and the codebook again.", timeout=3)
        else:
            documents, codebook = self._side_panes
            self._side_panes = None
            main.set_class(not documents, "-documents-hidden")
            panel.come_back(codebook)

    # --- coding: undo, redo, the current code ---------------------------------------------------------
    def action_undo(self) -> None:
        """Undo the last change, in any document or the codebook (the transcript shows where)."""
        self._show_changed(self.query_one(CodingView).undo())

    def action_redo(self) -> None:
        """Redo the last undone change."""
        self._show_changed(self.query_one(CodingView).redo())

    def _show_changed(self, place: tuple[str, tuple[int, int]] | None) -> None:
        """Show where an undo or redo changed the text or its codings, in whichever document."""
        if place is None:
            return
        doc_id, (start, end) = place
        transcript = self.query_one(TranscriptView)
        if transcript.document is not None and transcript.document.id == doc_id:
            transcript.go_to(start, end)
        else:
            self.query_one(DocumentList).move_to_document(doc_id)
            self.open_document(doc_id, (start, end))

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

    def _jump_to(self, place: Segment | Hit | Place | None) -> None:
        """Back from a list: show codings made there, and open the segment or hit chosen, selected."""
        transcript = self.query_one(TranscriptView)
        transcript.document_changed()
        if place is None:
            return
        self.open_document(place.document, (place.start, place.end))

    def action_history(self) -> None:
        """The sessions and what each decided; Enter on a decision opens its place as it is now."""
        from margin.tui.history_screen import HistoryScreen

        if not self.is_screen_installed("history"):
            self.install_screen(HistoryScreen(self.project), "history")
        self.push_screen("history", self._jump_to)

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


def run_app(project: Project, prepare: Callable[[Path], None] | None = None) -> int:
    """Open ``project`` (loaded by the caller, which reports an unusable one before the screen switches)
    in the app; returns the exit status. The project's lock is taken first (a project in use is refused
    before the screen switches), then ``prepare(root)`` runs under it, then the app."""
    from margin.tui.writer import AppProject

    app = MarginApp(AppProject(project.root, project.settings, project.codebook, files=project.files))
    try:
        if prepare is not None:
            prepare(project.root)
        app.run()
    finally:
        app.lock.release()  # also when the app did not start or stopped on an error
    return app.return_code or 0
