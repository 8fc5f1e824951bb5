"""Code sets (candidate themes) seen from one code: every set, ticked where the code belongs to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from margin.core.codebook import slugify
from margin.core.operations import Change, add_set, add_to_set, remove_from_set
from margin.core.project import Project
from margin.tui.code_forms import TextPrompt

Apply = Callable[[Callable[[], Change]], "Change | None"]
"""Run an operation through the panel (history, counts, error messages); None when it was refused."""


class CodeSetsScreen(ModalScreen[None]):
    """List the code sets; space puts the code in or takes it out of the highlighted set, n makes a set."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,s", "dismiss", "Close", id="codebook.sets.close"),
        Binding("n", "new_set", "New set", id="codebook.sets.new"),
    ]

    def __init__(self, project: Project, slug: str, apply: Apply) -> None:
        super().__init__()
        self.project = project
        self.slug = slug
        self.apply = apply

    def compose(self) -> ComposeResult:
        label = self.project.codebook.label(self.slug)
        with Vertical(classes="code-form code-sets") as frame:
            frame.border_title = "Code sets"
            frame.border_subtitle = "space: in/out · n: new set · escape: close"
            yield Label(Text.assemble("Sets holding ", (label, "bold"), " are ticked:"))
            yield SelectionList[str](*self._selections(), id="sets-list")
            yield Static(id="set-members")

    def _members(self, set_slug: str) -> list[str]:
        cb = self.project.codebook
        return [cb.resolve(c) or c for c in cb.sets[set_slug].codes]

    def _selections(self) -> list[Selection[str]]:
        return [
            Selection(f"{s.label}  ({len(s.codes)})", slug, self.slug in self._members(slug), id=slug)
            for slug, s in self.project.codebook.sets.items()
        ]

    def _reload(self, highlight: str | None) -> None:
        sets = self.query_one(SelectionList)
        sets.clear_options()
        sets.add_options(self._selections())
        if highlight is not None:
            sets.highlighted = sets.get_option_index(highlight)

    def on_mount(self) -> None:
        sets = self.query_one(SelectionList)
        if sets.option_count:
            sets.highlighted = 0
        else:
            self._show_members(None)

    @on(SelectionList.SelectionHighlighted)
    def _highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        self._show_members(event.selection.value)

    def _show_members(self, set_slug: str | None) -> None:
        box = self.query_one("#set-members", Static)
        if set_slug is None:
            box.update(Text("No code sets yet: n makes one with this code in it.", "dim"))
            return
        cb = self.project.codebook
        code_set = cb.sets[set_slug]
        text = Text()
        if code_set.description:
            text.append(code_set.description + "\n", "italic")
        labels = [cb.label(c) if cb.resolve(c) else c for c in code_set.codes]
        text.append(", ".join(labels) if labels else "no codes yet", "dim")
        box.update(text)

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        set_slug = event.selection.value
        if set_slug in event.selection_list.selected:
            change = self.apply(lambda: add_to_set(self.project, set_slug, self.slug))
        else:
            change = self.apply(lambda: remove_from_set(self.project, set_slug, self.slug))
        self._reload(set_slug)
        if change is not None:
            self._show_members(set_slug)

    @work
    async def action_new_set(self) -> None:
        taken = set(self.project.codebook.sets)
        label = await self.app.push_screen_wait(
            TextPrompt(
                "New code set",
                f"Label of the new set (it will hold '{self.project.codebook.label(self.slug)}'):",
                hint=lambda text: f"slug: {slugify(text, taken)}" if text else "",
                check=lambda text: None if text else "write a label",
            )
        )
        if not label:
            return
        slug = slugify(label, taken)
        if self.apply(lambda: add_set(self.project, slug, label, [self.slug])) is not None:
            self._reload(slug)
            self._show_members(slug)
