"""A code's detail view: its place in the tree, definition and criteria, example, memo, aliases and usage."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from margin.analysis.counts import CodeCount
from margin.core.codebook import Codebook
from margin.tui.code_forms import DESCRIBED_FIELDS, FIELD_TITLES
from margin.tui.code_tally import Usage
from margin.tui.code_tree import SWATCH, swatch_style


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def detail_text(codebook: Codebook, slug: str, count: CodeCount | None, usage: Usage | None) -> Text:
    """Everything the codebook says about a code, and how much it is used."""
    code = codebook.code(slug)
    text = Text()
    path = codebook.path(slug)
    text.append(SWATCH, swatch_style(codebook.color(slug)))
    text.append(code.label, "bold")
    if len(path) > 1:
        text.append("\n  in " + " › ".join(path[:-1]), "dim")
    text.append("\n\n")
    facts = [("slug", code.slug)]
    if code.aliases:
        facts.append(("aliases", ", ".join(code.aliases) + "  (old slugs that still resolve)"))
    own = "its own" if code.color else "inherited"
    facts.append(("colour", f"{codebook.color(slug)} ({own})"))
    facts.append(("kind", "code" if code.codable else "grouping code (apply one of its subcodes)"))
    if usage is not None:
        facts.append(
            ("used", f"{_plural(usage.segments, 'coded segment')} in {_plural(usage.documents, 'document')}")
        )
    if count is not None and code.children:
        facts.append(
            (
                "with subcodes",
                f"{_plural(count.aggregate, 'coded segment')} in {_plural(count.documents, 'document')}",
            )
        )
    if code.children:
        facts.append(("subcodes", ", ".join(codebook.codes[c].label for c in code.children)))
    sets = [s.label for s in codebook.sets.values() if slug in {codebook.resolve(c) for c in s.codes}]
    facts.append(("code sets", ", ".join(sets) if sets else "none"))
    for name, value in facts:
        text.append(f"{name + ':':<15}", "dim")
        text.append(value + "\n")
    for name in DESCRIBED_FIELDS:
        value = getattr(code, name)
        text.append(f"\n{FIELD_TITLES[name]}\n", "bold")
        text.append(f"{value}\n" if value else "—\n", "" if value else "dim")
    return text


class CodeDetail(ModalScreen[None]):
    """The detail view of one code (read only; the panel's keys change it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i,q", "dismiss", "Close", id="codebook.detail.close"),
    ]

    def __init__(self, text: Text, title: str) -> None:
        super().__init__()
        self.text = text
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form code-detail") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "↑↓: scroll · escape: close"
            with VerticalScroll(id="detail-scroll"):
                yield Static(self.text, id="detail-text")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
