"""Fixing a paragraph's text (a transcription error) in a modal; the text is checked before it is saved."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from margin.core.usertext import Kind, text_problem


class OneLineArea(TextArea):
    """A wrapping text area for one line of text: enter submits instead of breaking the line."""

    class Submitted(Message):
        """Enter was pressed."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted())


class EditTextScreen(ModalScreen[str | None]):
    """Edit one paragraph's text; enter or ctrl+s saves (when the text is valid), escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save text", id="edit-text.save"),
        Binding("escape", "cancel", "Cancel", id="edit-text.cancel"),
    ]

    def __init__(self, title: str, text: str, cursor: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.cursor = cursor

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-text", classes="editor") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "enter save · esc cancel · codings stay on their words"
            yield OneLineArea(self.text, soft_wrap=True, id="edit-text-area")
            yield Static("", id="edit-text-problem")
            with Horizontal(classes="editor-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(OneLineArea)
        area.focus()
        area.move_cursor((0, min(max(self.cursor, 0), len(self.text))))

    @on(OneLineArea.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        text = self.query_one(OneLineArea).text
        problem = text_problem(text, Kind.LINE)
        if problem is not None:
            self.query_one("#edit-text-problem", Static).update(problem)
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
