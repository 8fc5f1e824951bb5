"""The Margin app: a project's documents on the left, the open transcript in the centre, a status bar."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from margin.core.document import Document
from margin.core.errors import MarginError
from margin.tui.documents import DocumentList
from margin.tui.transcript import TranscriptView, code_look, code_style

if TYPE_CHECKING:
    from margin.core.project import Project


class StatusBar(Static):
    """Project, document, cursor position and the codes on the cursor's line."""

    def __init__(self, project_name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.project_name = project_name
        self.document_id: str | None = None
        self.position = ""
        self.codes: tuple[tuple[str, str], ...] = ()
        """(label, colour) of each code on the cursor's line."""

    def on_mount(self) -> None:
        self.update(self.text())

    def show(self, document_id: str | None, position: str, codes: tuple[tuple[str, str], ...]) -> None:
        self.document_id = document_id
        self.position = position
        self.codes = codes
        self.update(self.text())

    def text(self) -> Text:
        text = Text.assemble((f" {self.project_name} ", "bold"))
        if self.document_id is not None:
            text.append(f"│ {self.document_id} ")
            text.append(f"{self.position} ", "dim")
            text.append("│ ")
            if not self.codes:
                text.append("no codes here", "dim")
            for i, (label, color) in enumerate(self.codes):
                if i:
                    text.append(" ")
                text.append(f" {label} ", code_style(color))
        return text


class MarginApp(App[None]):
    """Read and (later) code a project's transcripts."""

    CSS_PATH = "margin.tcss"
    TITLE = "Margin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("escape", "focus_documents", "Documents", id="app.focus-documents"),
    ]

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._documents_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        project = self.project
        with Horizontal(id="main"):
            documents = DocumentList(project.document_ids(), self._count_codings, id="documents")
            documents.border_title = project.name
            yield documents
            yield TranscriptView(id="transcript")
        yield StatusBar(project.name, id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DocumentList).focus()

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
        self.query_one(StatusBar).show(document.id, position, codes)

    def action_focus_documents(self) -> None:
        self.query_one(DocumentList).focus()


def run_app(path: str | Path = ".") -> int:
    """Open the project at (or above) ``path`` in the app; returns the exit status."""
    from margin.core.project import Project

    app = MarginApp(Project.load(path))
    app.run()
    return app.return_code or 0
