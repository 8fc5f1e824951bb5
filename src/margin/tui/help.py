"""Help: every key by where it works, read from the live bindings (so it cannot drift from them), with
the ID by which the settings file rebinds it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from margin.core.config import display_path, user_config_path
from margin.tui.keymap import Context, contexts


class HelpScreen(ModalScreen[None]):
    """The keys of every context; the contexts that have focus come first, marked "here"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
        Binding("down,j", "scroll('down')", "Scroll down", show=False, id="help.scroll-down"),
        Binding("up,k", "scroll('up')", "Scroll up", show=False, id="help.scroll-up"),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False, id="help.page-down"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="help.page-up"),
        Binding("home", "scroll('home')", "Top", show=False, id="help.top"),
        Binding("end", "scroll('end')", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, focused: DOMNode | None = None) -> None:
        super().__init__()
        self._chain = list(focused.ancestors_with_self) if focused is not None else []
        self.here: list[Context] = []
        """The contexts whose keys work where the focus was when help opened."""
        self.contexts: list[Context] = []
        """Every context, in the order shown."""

    def compose(self) -> ComposeResult:
        found = contexts(self.app)
        self.here = [c for c in found if any(isinstance(node, c.owners) for node in self._chain)]
        self.contexts = [*self.here, *(c for c in found if c not in self.here)]
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc or ? closes"
            with VerticalScroll(id="help-keys", can_focus=False):
                yield Static(self.text(), id="help-text")
            yield Static(self._footnote(), id="help-footnote")

    def text(self) -> Group:
        """The key tables, one per context."""
        parts: list[RenderableType] = []
        for context in self.contexts:
            title = Text(context.title, "bold")
            if context in self.here:
                title.append("  here", "italic")
            parts.extend([title, _table(context), Text()])
        return Group(*parts)

    @staticmethod
    def _footnote() -> Text:
        return Text.assemble(
            "Change a key: in ",
            (display_path(user_config_path()), "bold"),
            " write ",
            ("keys: {ID: key}", "bold"),
            ", e.g. ",
            ('keys: {app.quit: "ctrl+q"}', "italic"),
            ". ctrl+p finds any action by name.",
        )

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#help-keys", VerticalScroll)
        {
            "down": scroll.scroll_down,
            "up": scroll.scroll_up,
            "page_down": scroll.scroll_page_down,
            "page_up": scroll.scroll_page_up,
            "home": scroll.scroll_home,
            "end": scroll.scroll_end,
        }[where](animate=False)


def _table(context: Context) -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1), pad_edge=False)
    table.add_column("keys", width=16, no_wrap=True)
    table.add_column("what", ratio=1)
    table.add_column("id", style="dim", no_wrap=True, overflow="ellipsis", max_width=30)
    for row in context.rows:
        keys = Text(" ").join(Text(k, "bold") for k in row.keys)
        table.add_row(keys, row.description, row.binding_id or "built in")
    return table
