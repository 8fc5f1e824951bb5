"""A code's detail view: its place in the tree, definition and criteria, example, memo, aliases and usage."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from margin.analysis.counts import CodeCount
from margin.core.codebook import Codebook
from margin.core.plural import counted
from margin.tui.code_forms import DESCRIBED_FIELDS, FIELD_TITLES
from margin.tui.code_tally import Usage
from margin.tui.code_tree import SWATCH, swatch_style


def code_facts(
    codebook: Codebook, slug: str, count: CodeCount | None, usage: Usage | None
) -> list[tuple[str, str]]:
    """What a code is and how much it is used, as (name, value) lines."""
    code = codebook.code(slug)
    facts = [("slug", code.slug)]
    if code.aliases:
        facts.append(("old slugs", ", ".join(code.aliases) + " (they still resolve)"))
    facts.append(("colour", f"{codebook.color(slug)} ({'its own' if code.color else 'inherited'})"))
    facts.append(("kind", "code" if code.codable else "grouping code (apply one of its subcodes)"))
    if usage is not None:
        used = f"{counted(usage.segments, 'coded segment')} in {counted(usage.documents, 'document')}"
        facts.append(("used", used))
    if count is not None and code.children:
        used = f"{counted(count.aggregate, 'coded segment')} in {counted(count.documents, 'document')}"
        facts.append(("with subcodes", used))
    if code.children:
        facts.append(("subcodes", ", ".join(codebook.codes[c].label for c in code.children)))
    sets = [s.label for s in codebook.sets.values() if slug in {codebook.resolve(c) for c in s.codes}]
    facts.append(("code sets", ", ".join(sets) if sets else "none"))
    return facts


def code_heading(codebook: Codebook, slug: str) -> Text:
    """The code's swatch and label, and its place in the tree."""
    path = codebook.path(slug)
    text = Text.assemble((SWATCH, swatch_style(codebook.color(slug))), (path[-1], "bold"))
    if len(path) > 1:
        text.append("\n  in " + " › ".join(path[:-1]), "dim")
    return text


def code_fields(codebook: Codebook, slug: str) -> Text:
    """The code's description, definition, criteria, example and memo ("—" where there is none)."""
    code = codebook.code(slug)
    text = Text()
    for name in DESCRIBED_FIELDS:
        value = getattr(code, name)
        text.append(f"{FIELD_TITLES[name]}\n", "bold")
        text.append(f"{value}\n\n" if value else "—\n\n", "" if value else "dim")
    text.rstrip()
    return text


class CodeDetail(ModalScreen[None]):
    """The detail view of one code (read only; the panel's keys change it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i,q", "dismiss", "Close", id="codebook.detail.close"),
    ]

    def __init__(self, codebook: Codebook, slug: str, count: CodeCount | None, usage: Usage | None) -> None:
        super().__init__()
        self.codebook = codebook
        self.slug = slug
        self.facts = code_facts(codebook, slug, count, usage)

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form code-detail") as frame:
            frame.border_title = self.codebook.label(self.slug)
            frame.border_subtitle = "↑↓: scroll · escape: close"
            with VerticalScroll(id="detail-scroll"):
                yield Static(code_heading(self.codebook, self.slug), id="detail-heading")
                table = Table.grid(padding=(0, 2))
                table.add_column(style="dim", no_wrap=True)
                table.add_column()
                for name, value in self.facts:
                    table.add_row(name, value)
                yield Static(table, id="detail-facts")
                yield Static(code_fields(self.codebook, self.slug), id="detail-text")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
