"""A memo written or edited in a modal text area: a coded segment's, or a document's or the project's
(a Markdown file, given the taller area)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


class MemoScreen(ModalScreen[str | None]):
    """Edit a memo; ctrl+s saves (an empty memo removes it), escape cancels (answers None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save memo", id="memo.save"),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, about: str, memo: str, *, tall: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.about = about
        self.memo = memo
        self.tall = tall

    def compose(self) -> ComposeResult:
        with Vertical(id="memo", classes="editor -tall" if self.tall else "editor") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "ctrl+s save · esc cancel"
            yield Static(self.about, classes="editor-about")
            yield TextArea(self.memo, soft_wrap=True, id="memo-text")
            with Horizontal(classes="editor-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
