"""Choose the target of a move or a merge: one code (or the top level) found by typing part of its name."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from margin.core.codebook import Codebook
from margin.tui.code_filter import matches
from margin.tui.code_tree import SWATCH, swatch_style

TOP_LEVEL = "\x00top"
"""The picker's answer for "the top level" (offered with ``top_level=True``)."""


class TargetPicker(ModalScreen[str | None]):
    """Pick one code by typing part of its label, slug or path; returns its slug (or TOP_LEVEL)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="codebook.target.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="codebook.target.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="codebook.target.previous"),
    ]

    def __init__(
        self, title: str, codebook: Codebook, *, exclude: Collection[str] = (), top_level: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.codebook = codebook
        self.exclude = set(exclude)
        self.top_level = top_level

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form target-picker") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "type to filter · ↑↓ · enter: choose · escape: cancel"
            yield Input(placeholder="label or slug", id="picker-input")
            yield OptionList(*self._options(""), id="picker-options")

    def on_mount(self) -> None:
        self._highlight_first()

    def _options(self, query: str) -> list[Option]:
        cb = self.codebook
        options = []
        if self.top_level and not query:
            options.append(Option(Text("(top level)", "italic"), id=TOP_LEVEL))
        for slug, code in cb.codes.items():
            if slug in self.exclude:
                continue
            path = cb.path(slug)
            if not matches(query, code.label, slug, " ".join(path), *code.aliases):
                continue
            text = Text.assemble((SWATCH, swatch_style(cb.color(slug))), code.label)
            if len(path) > 1:
                text.append("  " + " › ".join(path[:-1]), "dim")
            text.append(f"  {slug}", "dim italic")
            options.append(Option(text, id=slug))
        return options

    def _highlight_first(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if options.option_count else None

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        self._highlight_first()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
