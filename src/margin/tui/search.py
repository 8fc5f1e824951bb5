"""Search: find in the open document (a bar under the transcript) and across the project (a screen).

Find in the document is incremental: every hit is highlighted as you type and the nearest one after the
cursor is selected; Enter or F3 goes to the next hit, shift+Enter, shift+F3 or ↑ to the previous one, and
Escape closes the bar leaving the current hit selected (ready to be coded with the transcript's keys); a
query with no match selects nothing and puts the cursor back where the find began.
The project search lists every hit with its document, paragraph and context; Enter (in the search line or
the list) opens the document at the hit, and ``c`` codes the hit where it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from margin.analysis.search import Hit, SearchOptions, compile_query, find_spans, search_document
from margin.core.document import Document
from margin.core.errors import FormatError, MarginError
from margin.core.operations import Change, add_code, apply_codes
from margin.core.plural import counted
from margin.core.project import Project
from margin.tui.coder import Coder
from margin.tui.footer import KeyFooter
from margin.tui.ordered_input import OrderedInput
from margin.tui.transcript import TranscriptView, code_look

SHOWN = 2000
"""Project hits listed at most (the count always says how many there are)."""
DEBOUNCE = 0.3
"""Seconds of quiet typing before the project search starts (Enter starts it at once)."""

Loader = Callable[[str], Document]


class SearchToggles(Horizontal):
    """The three search options as checkboxes: match case, regular expression, whole words."""

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = compact

    def compose(self) -> ComposeResult:
        yield Checkbox("match case", id="search-case", compact=self.compact)
        yield Checkbox("regex", id="search-regex", compact=self.compact)
        yield Checkbox("whole words", id="search-words", compact=self.compact)

    @property
    def options(self) -> SearchOptions:
        return SearchOptions(
            regex=self.query_one("#search-regex", Checkbox).value,
            case_sensitive=self.query_one("#search-case", Checkbox).value,
            whole_words=self.query_one("#search-words", Checkbox).value,
        )


# --- find in the open document ----------------------------------------------------------------------------
class FindBar(Horizontal):
    """Find in the transcript's document."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close find", id="find.close"),
        Binding("f3,down", "next", "Next hit", id="find.next"),
        Binding("shift+f3,shift+enter,up", "previous", "Previous hit", id="find.previous"),
    ]

    def __init__(self, transcript: TranscriptView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.transcript = transcript
        self.hits: list[tuple[int, int]] = []
        self.current: int | None = None
        self._searched: tuple[str, str, SearchOptions] | None = None  # (text, query, options) of the hits
        self._origin: tuple[str, int] = ("", 0)
        """The document and the cursor's offset where the find began."""

    def compose(self) -> ComposeResult:
        yield OrderedInput(
            typed=lambda _: self._update(),
            submitted=lambda _: self.step(forward=True),
            placeholder="find in this document",
            id="find-input",
            compact=True,
        )
        yield Static(id="find-count")
        yield SearchToggles(compact=True, id="find-toggles")

    @property
    def query_text(self) -> str:
        return self.query_one("#find-input", Input).value

    def open(self) -> None:
        """Show the bar with the focus in its input; the search starts from the cursor."""
        self.display = True
        document = self.transcript.document
        self._origin = (document.id if document is not None else "", self.transcript.cursor_offset)
        self._searched = None
        field = self.query_one("#find-input", Input)
        self.screen.set_focus(field)  # at once: the keys typed right after / go to the field
        field.select_all()
        self._update(jump=False)

    def action_close(self) -> None:
        self.display = False
        self.transcript.set_highlights(())
        self.screen.set_focus(self.transcript)  # at once: a key typed right after Escape is the transcript's

    def _search(self) -> str | None:
        """Find the hits again if the query, the options or the document's text changed; an error message
        if the query cannot be read."""
        document = self.transcript.document
        query, options = self.query_text, self.query_one(SearchToggles).options
        if document is None or not query:
            self.hits, self.current, self._searched = [], None, None
            return None
        key = (document.text, query, options)
        if self._searched is not None and self._searched[0] is key[0] and self._searched[1:] == key[1:]:
            return None
        try:
            pattern = compile_query(query, options)
        except MarginError as exc:
            self.hits, self.current, self._searched = [], None, None
            return str(exc)
        self.hits, self.current, self._searched = find_spans(document.text, pattern), None, key
        return None

    def _update(self, jump: bool = True) -> None:
        error = self._search()
        self.transcript.set_highlights(self.hits)
        if jump and self.hits:
            self._go(self._first_from(self._origin))
        elif jump:
            self._back_to_origin()
        self._show_count(error)

    def _back_to_origin(self) -> None:
        """No hit (any more): nothing stays selected, and the cursor goes back where the find began, so a
        coding key never acts on a partial hit that was selected on the way."""
        document = self.transcript.document
        if document is not None and document.id == self._origin[0]:
            self.transcript.move_to(self._origin[1])
        else:
            self.transcript.clear_selection()

    def _first_from(self, origin: tuple[str, int]) -> int:
        document = self.transcript.document
        offset = origin[1] if document is not None and document.id == origin[0] else 0
        return next((i for i, (start, _) in enumerate(self.hits) if start >= offset), 0)

    def _go(self, index: int) -> None:
        self.current = index
        start, end = self.hits[index]
        self.transcript.go_to(start, end)
        self._show_count()

    def _show_count(self, error: str | None = None) -> None:
        count = self.query_one("#find-count", Static)
        if error:
            count.update(Text(error, "bold red"))
        elif not self.query_text:
            count.update(Text("type to find", "dim"))
        elif not self.hits:
            count.update(Text("no match", "bold"))
        else:
            where = f"{self.current + 1}/" if self.current is not None else ""
            count.update(Text(f"{where}{len(self.hits)}"))

    def step(self, forward: bool) -> None:
        """Go to the next (or previous) hit after (before) the cursor, wrapping at the ends."""
        self._search()
        self.transcript.set_highlights(self.hits)
        if not self.hits:
            self._show_count()
            return
        cursor = self.transcript.cursor_offset
        selection = self.transcript.selection
        if forward:
            after = selection[1] if selection else cursor
            index = next((i for i, (start, _) in enumerate(self.hits) if start >= after), 0)
        else:
            before = selection[0] if selection else cursor
            earlier = [i for i, (start, _) in enumerate(self.hits) if start < before]
            index = earlier[-1] if earlier else len(self.hits) - 1
        self._go(index)

    def action_next(self) -> None:
        self.step(forward=True)

    def action_previous(self) -> None:
        self.step(forward=False)

    @on(Checkbox.Changed)
    def _toggled(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._update()


# --- search the project -----------------------------------------------------------------------------------
class SearchScreen(Screen[Hit | None]):
    """Every hit of a search across the project's documents; dismissed with the hit to open (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="search.close"),
        Binding("c", "code_hit", "Code this hit…", id="search.code-hit"),
        Binding("ctrl+z", "undo", "Undo", id="search.undo"),
        Binding("ctrl+y", "redo", "Redo", id="search.redo"),
        Binding("slash", "focus_query", "Edit the search", show=False, id="search.edit"),
        Binding("down", "to_hits", "To the hits", show=False, id="search.to-hits"),
    ]

    def __init__(self, project: Project, load: Loader, coder: Coder) -> None:
        super().__init__()
        self.project = project
        self.load = load
        self.coder = coder
        self.hits: list[Hit] = []
        self._coded: dict[str, dict[tuple[int, int], tuple[str, ...]]] = {}  # document -> span -> codes
        self._asked = 0
        self._asking: tuple[str, SearchOptions] | None = None
        """The query and options of the latest search started."""
        self._listed: tuple[str, SearchOptions] | None = None
        """The query and options whose hits are listed."""
        self._open_first = False
        """Enter came before the hits were listed: open the first one once they are."""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search-frame"):
            yield Static(Text("Search all documents", "bold"), id="search-title")
            yield OrderedInput(
                typed=lambda _: self._typed(),
                submitted=self._submitted,
                placeholder="words or a regular expression — Enter opens the first hit, ↓ goes to the list",
                id="search-input",
            )
            yield SearchToggles(id="search-toggles")
            yield Static(id="search-count")
            yield OptionList(id="search-hits")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).focus()
        self._show_count(Text("type to search every document", "dim"))

    def search(self, query: str) -> None:
        """Search for ``query`` with the options as set, at once."""
        self.query_one("#search-input", Input).value = query
        self._start()

    # --- searching ----------------------------------------------------------------------------------
    def _start(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = self.query_one("#search-input", Input).value
        options = self.query_one(SearchToggles).options
        self._asked += 1
        self._asking = (query, options)
        if not query:
            self._show([], [], self._asked)
            self._show_count(Text("type to search every document", "dim"))
            return
        try:
            pattern = compile_query(query, options)
        except MarginError as exc:
            self._show_count(Text(str(exc), "bold red"))
            return
        self._show_count(Text("searching…", "dim"))
        asked = self._asked
        self.run_worker(lambda: self._search(asked, pattern), thread=True, exclusive=True, group="search")

    def _search(self, asked: int, pattern: re.Pattern[str]) -> None:
        """In a thread: every document through the app's loader, searched in order."""
        hits: list[Hit] = []
        problems: list[str] = []
        ids = self.project.document_ids()
        for n, doc_id in enumerate(ids, 1):
            if asked != self._asked:
                return  # a newer search started
            try:
                hits.extend(search_document(self.load(doc_id), pattern))
            except FormatError as exc:
                problems.append(str(exc))
            if n % 100 == 0 and n < len(ids):
                progress = Text(
                    f"searching… {n}/{len(ids)} documents, {counted(len(hits), 'hit')} so far", "dim"
                )
                self.app.call_from_thread(self._progress, asked, progress)
        self.app.call_from_thread(self._show, hits, problems, asked)

    def _progress(self, asked: int, text: Text) -> None:
        if asked == self._asked and self.is_attached:
            self._show_count(text)

    def _show(self, hits: list[Hit], problems: list[str], asked: int) -> None:
        if asked != self._asked or not self.is_attached:
            return
        same_search = self._listed == self._asking
        self._listed = self._asking
        self.hits = hits
        self._coded = {}
        options = self.query_one(OptionList)
        highlighted = options.highlighted if same_search else 0
        options.clear_options()
        width = max(self.size.width - 8, 30)
        options.add_options(Option(self._prompt(i, width), id=str(i)) for i in range(min(len(hits), SHOWN)))
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
        if self._open_first:
            self._open_first = False
            self._open_highlighted()
            return
        documents = len({h.document for h in hits})
        text = Text(
            f"{len(hits)} hit{'s' if len(hits) != 1 else ''} in {documents} document{'s' if documents != 1 else ''}"
        )
        if len(hits) > SHOWN:
            text.append(f" — the first {SHOWN} are listed", "dim")
        if problems:
            text.append(
                f" · {len(problems)} document{'s' if len(problems) != 1 else ''} could not be read", "yellow"
            )
            for problem in problems:
                self.notify(problem, title="Not searched", severity="warning", timeout=10)
        self._show_count(text)

    def _show_count(self, text: Text) -> None:
        self.query_one("#search-count", Static).update(text)

    def _prompt(self, index: int, width: int) -> Text:
        hit = self.hits[index]
        text = Text(f"{hit.document} ¶{hit.paragraph}" + (f" {hit.speaker}" if hit.speaker else ""), "bold")
        for slug in self._codes_on(hit):
            text.append(f"  ✓ {code_look(self.project.codebook, slug)[0]}", "green")
        context = hit.context.clip(width)
        text.append("\n")
        text.append(context.before, "dim")
        text.append(context.inside, "reverse bold")
        text.append(context.after, "dim")
        return text

    def _codes_on(self, hit: Hit) -> tuple[str, ...]:
        """The codes of a coding of exactly the hit's words, if there is one."""
        spans = self._coded.get(hit.document)
        if spans is None:
            codings = self.load(hit.document).codings
            spans = self._coded[hit.document] = {(c.start, c.end): c.codes for c in codings}
        return spans.get((hit.start, hit.end), ())

    # --- events and actions -------------------------------------------------------------------------
    def _typed(self) -> None:
        self._open_first = False
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._start)

    def _submitted(self, query: str) -> None:
        """Enter in the search line: open the highlighted hit of this search — once it is listed."""
        if query and self._listed == (query, self.query_one(SearchToggles).options):
            self._open_highlighted()
        else:
            self._open_first = bool(query)
            self._start()

    def _open_highlighted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.hits):
            self.dismiss(self.hits[index])
        else:
            self.app.bell()

    def action_to_hits(self) -> None:
        """Go to the list of hits (searching at once if the hits listed are not this search's)."""
        query = self.query_one("#search-input", Input).value
        if self._listed != (query, self.query_one(SearchToggles).options):
            self._start()
        self.query_one(OptionList).focus()

    @on(Checkbox.Changed)
    def _toggled(self) -> None:
        self._start()

    @on(OptionList.OptionSelected, "#search-hits")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(self.hits[int(event.option.id)])

    def action_close(self) -> None:
        self.dismiss(None)

    def action_focus_query(self) -> None:
        self.query_one("#search-input", Input).focus()

    def on_screen_resume(self) -> None:
        """Coming back (after opening a hit, or from the code picker): search again, as texts may have
        changed since; the highlighted hit stays where it was."""
        if self.hits and self.query_one("#search-input", Input).value:
            self._start()

    def action_code_hit(self) -> None:
        """Code the highlighted hit: pick codes (or name a new one), apply them to the hit's words."""
        from margin.tui.picker import CodePicker, Picked

        options = self.query_one(OptionList)
        if options.highlighted is None or not self.hits:
            self.notify("No hit to code: search first.", severity="warning")
            return
        index = options.highlighted
        hit = self.hits[index]

        def picked(answer: Picked | None) -> None:
            if answer is None:
                return
            if answer.create is None:
                self._apply(index, hit, list(answer.codes))
                return
            label = answer.create

            def parent_picked(parent: Picked | None) -> None:
                if parent is not None:
                    self._create_and_apply(index, hit, label, parent.codes[0] if parent.codes else None)

            self.app.push_screen(
                CodePicker(self.project.codebook, f"Put “{label}” under…", "parent"), parent_picked
            )

        words = " ".join(hit.text.split())
        self.app.push_screen(CodePicker(self.project.codebook, f"Code “{words[:40]}”"), picked)

    def _create_and_apply(self, index: int, hit: Hit, label: str, parent: str | None) -> None:
        slug = self.project.codebook.free_slug(label)
        try:
            self.coder.run(add_code, slug, label, parent=parent)
        except MarginError as exc:
            self.notify(str(exc), title="Code not created", severity="error", timeout=8)
            return
        self._apply(index, hit, [slug])

    def _apply(self, index: int, hit: Hit, codes: list[str]) -> None:
        """Apply ``codes`` to the hit's words, if they are still where the search found them."""
        try:
            document = self.load(hit.document)
            if document.text[hit.start : hit.end] != hit.text:
                raise MarginError(
                    f"{hit.document} changed since this search, so the hit is no longer there — search again"
                )
            change = self.coder.run(
                apply_codes, hit.document, hit.start, hit.end, codes, documents=(hit.document,)
            )
        except MarginError as exc:
            self.notify(str(exc), title="Not coded", severity="error", timeout=8)
            return
        self.coder.used(codes)
        self._show_codes(hit.document)
        self.notify(change.summary, title="Coded")

    def _show_codes(self, doc_id: str) -> None:
        """Redraw the hits of ``doc_id`` with the codes on them now."""
        self._coded.pop(doc_id, None)
        options = self.query_one(OptionList)
        width = max(self.size.width - 8, 30)
        for index in range(options.option_count):
            if self.hits[index].document == doc_id:
                options.replace_option_prompt_at_index(index, self._prompt(index, width))

    def action_undo(self) -> None:
        self._step(self.coder.undo, "Undone", "Nothing to undo")

    def action_redo(self) -> None:
        self._step(self.coder.redo, "Redone", "Nothing to redo")

    def _step(self, step: Callable[[], Change | None], done: str, nothing: str) -> None:
        try:
            change = step()
        except MarginError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        if change is None:
            self.notify(nothing, severity="warning", timeout=3)
            return
        for doc_id in change.documents:
            self._show_codes(doc_id)
        self.notify(change.summary, title=done, timeout=4)


# --- the app's side ---------------------------------------------------------------------------------------
async def open_find_bar(screen: Screen[object], transcript: TranscriptView, before: Widget) -> None:
    """Open the find bar of ``screen`` (made and mounted above ``before`` the first time)."""
    bars = screen.query(FindBar)
    if bars:
        bar = bars.first()
    else:
        bar = FindBar(transcript, id="find-bar")
        await screen.mount(bar, before=before)
    bar.open()


def find_step(screen: Screen[object], forward: bool) -> bool:
    """Go to the next (previous) hit of the last find in the open document; False if there was none."""
    bars = screen.query(FindBar)
    if not bars or not bars.first().query_text:
        return False
    bars.first().step(forward)
    return True
