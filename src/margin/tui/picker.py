"""The code picker: type part of a code's label, slug or path, choose one or several codes, or a new one.

Ranked with rapidfuzz (WRatio over "label slug path", exact substrings first). In ``apply`` mode only codes
that can be applied are offered, tab (and space once the arrows were used) marks several, and a name that
is no code's offers "Create code '…'" (first, unless a code's label holds the name); in ``parent`` mode
every code is offered with "Top level" first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rapidfuzz import fuzz, process, utils
from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from margin.core.codebook import Codebook
from margin.tui.ordered_input import OrderedInput
from margin.tui.transcript import code_style

CREATE = "\x00create"
TOP_LEVEL = "\x00top"
SCORE_CUTOFF = 55
PATH_ROOM = 66
"""Cells for a code's label and its parents on one line of the list (parents are cut from the left)."""


@dataclass(frozen=True, slots=True)
class Picked:
    """The picker's answer: existing codes (slugs, in the order chosen), or the label of a code to create;
    in parent mode ``codes`` holds the parent's slug, or nothing for the top level."""

    codes: tuple[str, ...] = ()
    create: str | None = None


def rank(codebook: Codebook, query: str, slugs: list[str]) -> list[str]:
    """``slugs`` that match ``query``, best first: labels that start with it, labels with a word that
    starts with it, labels that hold it, slugs or parents that hold it, then fuzzy matches (rapidfuzz)."""
    query = query.strip()
    if not query:
        return slugs
    folded = query.casefold()

    def tier(slug: str) -> int:
        label = codebook.label(slug).casefold()
        if label.startswith(folded):
            return 0
        if any(word.startswith(folded) for word in label.split()):
            return 1
        if folded in label:
            return 2
        return 3 if folded in f"{slug} {' '.join(codebook.path(slug)).casefold()}" else 4

    tiers = {slug: tier(slug) for slug in slugs}
    holding = sorted((s for s in slugs if tiers[s] < 4), key=tiers.__getitem__)
    haystacks = {
        s: f"{codebook.label(s)} {s} {' '.join(codebook.path(s)[:-1])}" for s in slugs if tiers[s] == 4
    }
    fuzzy = process.extract(
        query,
        haystacks,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=None,
        score_cutoff=SCORE_CUTOFF,
    )
    return holding + [slug for _, _, slug in fuzzy]


class QueryInput(OrderedInput):
    """The picker's filter line: it leaves space to the picker (to mark a code) when space marks, and
    takes every key in order (the codes listed and the one highlighted follow each key at once)."""

    def __init__(self, picker: CodePicker, *, placeholder: str, id: str) -> None:
        super().__init__(
            typed=picker.query_changed, submitted=lambda _: picker.choose(), placeholder=placeholder, id=id
        )
        self.picker = picker

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if key == "space" and self.picker.space_marks:
            return False
        return super().check_consume_key(key, character)


class CodePicker(ModalScreen[Picked | None]):
    """Choose codes to apply (``mode="apply"``) or the parent of a new code (``mode="parent"``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next code", show=False, id="picker.next"),
        Binding("up", "move(-1)", "Previous code", show=False, id="picker.previous"),
        Binding("pagedown", "move(10)", "Codes further down", show=False, id="picker.page-down"),
        Binding("pageup", "move(-10)", "Codes further up", show=False, id="picker.page-up"),
        Binding("tab", "mark", "Mark", id="picker.mark"),
        Binding("space", "mark", "Mark (after the arrows)", show=False, id="picker.mark-space"),
    ]
    """Not priority bindings: the query line runs them itself as each key reaches it, in order with the
    typing (a priority binding runs as the key arrives, before the characters typed ahead of it)."""

    def __init__(self, codebook: Codebook, title: str, mode: Literal["apply", "parent"] = "apply") -> None:
        super().__init__()
        self.codebook = codebook
        self.title_text = title
        self.mode = mode
        self.marked: list[str] = []
        self._navigating = False
        self._slugs = [s for s, code in codebook.codes.items() if mode == "parent" or code.codable]

    def compose(self) -> ComposeResult:
        with Vertical(id="picker") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = (
                "↑↓ choose · tab mark · enter apply · esc cancel"
                if self.mode == "apply"
                else "↑↓ choose · enter · esc cancel"
            )
            yield QueryInput(self, placeholder="type part of a code's name", id="picker-query")
            yield OptionList(id="picker-codes")
            yield Static("", id="picker-marked")

    def on_mount(self) -> None:
        self._fill("")

    @property
    def query_text(self) -> str:
        return self.query_one(Input).value

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        found = rank(self.codebook, query, self._slugs)
        items = [self._option(slug) for slug in found]
        if self.mode == "parent" and not query.strip():
            items.insert(0, Option(Text("Top level (no parent)", "italic"), id=TOP_LEVEL))
        name = " ".join(query.split())
        if self.mode == "apply" and name and not self._exists(name):
            create = Option(Text.assemble("Create code ", (f"'{name}'", "bold")), id=CREATE)
            contains = any(name.casefold() in self.codebook.label(s).casefold() for s in found)
            items.insert(len(items) if contains else 0, create)
        options.clear_options()
        options.add_options(items)
        options.highlighted = 0 if items else None
        self._show_marked()

    def _exists(self, name: str) -> bool:
        folded = name.casefold()
        return any(folded in (code.label.casefold(), slug) for slug, code in self.codebook.codes.items())

    def _option(self, slug: str) -> Option:
        codebook = self.codebook
        path = codebook.path(slug)
        text = Text.assemble(
            ("✓ " if slug in self.marked else "  ", "bold"), ("  ", code_style(codebook.color(slug))), " "
        )
        text.append(path[-1])
        if len(path) > 1:
            parents = " › ".join(path[:-1])
            room = max(PATH_ROOM - cell_len(path[-1]), 12)
            text.append(
                "  " + (parents if cell_len(parents) <= room else "…" + parents[-(room - 1) :]), "dim"
            )
        return Option(text, id=slug)

    def _show_marked(self) -> None:
        shown = ", ".join(self.codebook.label(s) for s in self.marked)
        self.query_one("#picker-marked", Static).update(f"Marked: {shown}" if shown else "")

    def query_changed(self, query: str) -> None:
        """The query line's text changed (called at once, before the next key is taken)."""
        self._navigating = False
        self._fill(query)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose()

    def choose(self) -> None:
        """Answer with the codes marked, else the highlighted code (or the code to create)."""
        options = self.query_one(OptionList)
        option = options.highlighted_option
        if self.marked:
            self.dismiss(Picked(tuple(self.marked)))
        elif option is None or option.id is None:
            self.app.bell()
        elif option.id == CREATE:
            self.dismiss(Picked(create=" ".join(self.query_text.split())))
        elif option.id == TOP_LEVEL:
            self.dismiss(Picked())
        else:
            self.dismiss(Picked((option.id,)))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(options.option_count - 1, current + step))
            self._navigating = True

    def action_mark(self) -> None:
        """Mark the highlighted code (or unmark it) to apply it with the others marked."""
        options = self.query_one(OptionList)
        option = options.highlighted_option
        if self.mode != "apply" or option is None or option.id in (None, CREATE, TOP_LEVEL):
            self.app.bell()
            return
        slug = option.id
        assert slug is not None
        if slug in self.marked:
            self.marked.remove(slug)
        else:
            self.marked.append(slug)
        assert options.highlighted is not None
        options.replace_option_prompt_at_index(options.highlighted, self._option(slug).prompt)
        self._show_marked()

    @property
    def space_marks(self) -> bool:
        """Space marks once the arrows were used (or nothing is typed); while typing it is a space."""
        return self.mode == "apply" and (self._navigating or not self.query_text)

    def action_cancel(self) -> None:
        self.dismiss(None)
