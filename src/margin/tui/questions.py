"""Small questions the coding keys ask: which of several codings, and yes or no."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

T = TypeVar("T")


class Choose(ModalScreen[T | None], Generic[T]):
    """Pick one of several answers from a list; escape answers None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="choose.cancel"),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[Text | str, T]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="choose", classes="question") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "↑↓ · enter choose · esc cancel"
            yield OptionList(*(Option(label, id=str(i)) for i, (label, _) in enumerate(self.choices)))

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question: y answers yes; n, escape and Enter answer no — the safe answer is the default, as
    the dialog says. Answering no tells ``cancelled`` (e.g. "Not deleted"), if given."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self, title: str, question: str, yes: str = "Yes", no: str = "No", *, cancelled: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes
        self.no = no
        self.cancelled = cancelled

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="question") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = f"y {self.yes} · n, esc or enter {self.no}"
            yield Static(self.question, id="confirm-question")
            yield Static(
                Text.assemble(("Enter answers ", "dim"), (self.no, "bold"), (" (the safe answer).", "dim")),
                id="confirm-default",
            )
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant="warning", id="yes")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        if not yes and self.cancelled:
            self.app.notify(self.cancelled, title=self.title_text, timeout=4)
        self.dismiss(yes)
