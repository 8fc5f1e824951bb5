"""Retrieved segments: every coded segment of the chosen codes, each with its citation and its whole quote.

Filters narrow the list by document group and by a participant attribute or document variable; Enter
closes the screen with the segment, and the app opens its document with the segment selected. The app
keeps the screen installed, so coming back finds the list, the filters and the highlighted segment as
they were left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, OptionList, Select, Static
from textual.widgets.option_list import Option

from margin.analysis.filters import Equals, Filters
from margin.analysis.retrieval import Retrieval, Segment, known_fields, retrieve
from margin.core.document import Document
from margin.core.errors import MarginError
from margin.core.project import Project
from margin.tui.footer import KeyFooter
from margin.tui.transcript import code_look, code_style

SHOWN = 2000
"""Segments listed at most (the count always says how many there are)."""
_HIDDEN_FIELDS = ("document", "paragraph", "group")
"""Fields the field filter does not offer (the group has its own filter; the others are per segment)."""

Loader = Callable[[str], Document]


@dataclass(frozen=True)
class _Choices:
    """What the filters offer: document groups, and the fields with the values they take."""

    groups: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]


class SegmentsScreen(Screen[Segment | None]):
    """The retrieved segments of ``codes``; dismissed with the segment to jump to (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="segments.close"),
        Binding("s", "toggle_subcodes", "Subcodes", id="segments.subcodes"),
        Binding("c", "choose_code", "Other code…", id="segments.choose-code"),
        Binding("plus", "add_code", "Add a code…", id="segments.add-code"),
        Binding("x", "clear_filters", "Clear filters", id="segments.clear-filters"),
    ]

    def __init__(self, project: Project, load: Loader) -> None:
        super().__init__()
        self.project = project
        self.load = load
        self.codes: tuple[str, ...] = ()
        self.subcodes = False
        self.result: Retrieval | None = None
        self._choices: _Choices | None = None
        self._asked = 0  # the number of the latest retrieval asked for; older answers are dropped
        self._warned: set[str] = set()  # warnings shown once already

    # --- building -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="segments-frame"):
            yield Static(id="segments-title")
            with Horizontal(id="segments-filters"):
                yield Checkbox("subcodes", self.subcodes, id="segments-subcodes")
                yield Select[str]([], prompt="all groups", id="segments-group")
                yield Select[str]([], prompt="any attribute", id="segments-field")
                yield Select[str]([], prompt="any value", id="segments-value", disabled=True)
            yield Static(id="segments-count")
            yield OptionList(id="segments-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._refresh()

    def show_codes(self, codes: Sequence[str], subcodes: bool | None = None) -> None:
        """Retrieve the segments of ``codes`` (keeping the filters); ``subcodes`` changes that toggle."""
        self.codes = tuple(dict.fromkeys(codes))
        if subcodes is not None:
            self.subcodes = subcodes
        if self.is_mounted:
            with self.prevent(Checkbox.Changed):
                self.query_one("#segments-subcodes", Checkbox).value = self.subcodes
            self._refresh()

    # --- retrieving ---------------------------------------------------------------------------------
    def filters(self) -> Filters:
        """The filters as the selects say."""
        group = self.query_one("#segments-group", Select).value
        field = self.query_one("#segments-field", Select).value
        value = self.query_one("#segments-value", Select).value
        where = (Equals(field, value),) if isinstance(field, str) and isinstance(value, str) else ()
        return Filters(frozenset([group]) if isinstance(group, str) else frozenset(), conditions=where)

    def _refresh(self) -> None:
        self._show_title()
        if not self.codes:
            return
        self._asked += 1
        self.query_one("#segments-count", Static).update(Text("retrieving…", "dim"))
        asked, codes, subcodes, filters = self._asked, self.codes, self.subcodes, self.filters()
        self.run_worker(
            lambda: self._retrieve(asked, codes, subcodes, filters),
            thread=True,
            exclusive=True,
            group="segments",
        )

    def _retrieve(self, asked: int, codes: tuple[str, ...], subcodes: bool, filters: Filters) -> None:
        """In a thread: read the documents (through the app's loader), then retrieve."""
        project = self.project
        try:
            documents = [self.load(doc_id) for doc_id in project.document_ids()]
            choices = self._choices
            if choices is None:
                fields = known_fields(project, documents)
                offered = {
                    name: tuple(sorted(values))
                    for name, values in fields.items()
                    if name not in _HIDDEN_FIELDS and values
                }
                choices = _Choices(tuple(sorted({d.group for d in documents})), offered)
            result: Retrieval | MarginError = retrieve(project, codes, subcodes=subcodes, filters=filters)
        except MarginError as exc:
            result = exc
        self.app.call_from_thread(self._show, asked, choices, result)

    def _show(self, asked: int, choices: _Choices, result: Retrieval | MarginError) -> None:
        if asked != self._asked or not self.is_attached:
            return
        if self._choices is None:
            self._choices = choices
            with self.prevent(Select.Changed):
                self.query_one("#segments-group", Select).set_options((g, g) for g in choices.groups)
                self.query_one("#segments-field", Select).set_options((f, f) for f in choices.fields)
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        count = self.query_one("#segments-count", Static)
        if isinstance(result, MarginError):
            self.result = None
            count.update(Text(str(result), "bold red"))
            return
        self.result = result
        width = max(self.size.width - 8, 30)
        options.add_options(
            Option(self._prompt(segment, width), id=str(i))
            for i, segment in enumerate(result.segments[:SHOWN])
        )
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
        count.update(self._count_text(result))
        for warning in result.warnings:
            if warning not in self._warned:
                self._warned.add(warning)
                self.notify(warning, severity="warning", timeout=8)

    # --- drawing ------------------------------------------------------------------------------------
    def _show_title(self) -> None:
        title = Text("Retrieved segments  ", "bold")
        if not self.codes:
            title.append("no code chosen — c chooses one", "dim")
        for slug in self.codes:
            label, colour = code_look(self.project.codebook, slug)
            title.append(f" {label} ", code_style(colour))
            title.append(" ")
        if self.codes and self.subcodes:
            title.append("with subcodes", "dim")
        self.query_one("#segments-title", Static).update(title)

    def _prompt(self, segment: Segment, width: int) -> Text:
        """The segment's citation, place and codes, then the whole quote (the list wraps it) between a
        little of the words before and after it."""
        codebook = self.project.codebook
        text = Text.assemble((segment.citation, "bold"), "  ")
        where = f"{segment.document} ¶{segment.paragraph}" + (
            f" {segment.speaker}" if segment.speaker else ""
        )
        text.append(where, "dim")
        for slug in segment.codes:
            label, colour = code_look(codebook, slug)
            text.append("  ")
            text.append(f" {label} ", code_style(colour))
        context = segment.context
        lead = max(width // 4, 8)
        before = context.before if len(context.before) <= lead else "…" + context.before[-(lead - 1) :]
        after = context.after if len(context.after) <= lead else context.after[: lead - 1] + "…"
        if segment.end > segment.start + len(context.inside):
            after = ""  # the quote runs on into later paragraphs: it ends the entry
        matched = next((c for c in segment.codes if c in (self.result.searched if self.result else ())), None)
        style = code_style(code_look(codebook, matched)[1]) if matched else "reverse"
        text.append("\n")
        text.append(before, "dim")
        text.append(segment.text, style)
        text.append(after, "dim")
        if segment.memo:
            text.append(f"\n✎ {segment.memo}", "italic dim")
        return text

    @staticmethod
    def _count_text(result: Retrieval) -> Text:
        n, d = len(result.segments), result.document_count
        text = Text(f"{n} segment{'s' if n != 1 else ''} in {d} document{'s' if d != 1 else ''}")
        if n > SHOWN:
            text.append(f" — the first {SHOWN} are listed; filters narrow the list", "dim")
        if result.warnings:
            text.append(
                f" · {len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}", "yellow"
            )
        return text

    # --- events and actions -------------------------------------------------------------------------
    @on(Checkbox.Changed, "#segments-subcodes")
    def _subcodes_changed(self, event: Checkbox.Changed) -> None:
        self.subcodes = event.value
        self._refresh()

    @on(Select.Changed, "#segments-field")
    def _field_changed(self, event: Select.Changed) -> None:
        values = self.query_one("#segments-value", Select)
        field = event.value
        with self.prevent(Select.Changed):
            if isinstance(field, str) and self._choices is not None:
                values.set_options((v, v) for v in self._choices.fields.get(field, ()))
                values.disabled = False
            else:
                values.set_options([])
                values.disabled = True
        self._refresh()

    @on(Select.Changed, "#segments-group")
    @on(Select.Changed, "#segments-value")
    def _filter_changed(self) -> None:
        self._refresh()

    @on(OptionList.OptionSelected, "#segments-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.result is not None and event.option.id is not None:
            self.dismiss(self.result.segments[int(event.option.id)])

    def action_close(self) -> None:
        self.dismiss(None)

    def action_toggle_subcodes(self) -> None:
        self.query_one("#segments-subcodes", Checkbox).toggle()

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#segments-group", Select).clear()
            self.query_one("#segments-field", Select).clear()
            values = self.query_one("#segments-value", Select)
            values.set_options([])
            values.disabled = True
        self._refresh()

    def action_choose_code(self) -> None:
        self._pick(add=False)

    def action_add_code(self) -> None:
        self._pick(add=True)

    def _pick(self, add: bool) -> None:
        from margin.tui.target_picker import TargetPicker

        def picked(slug: str | None) -> None:
            if slug:
                self.show_codes((*self.codes, slug) if add else (slug,))

        title = "Add a code to the list" if add else "Retrieve the segments of"
        self.app.push_screen(
            TargetPicker(title, self.project.codebook, exclude=self.codes if add else ()), picked
        )
