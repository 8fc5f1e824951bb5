"""The project's history in the app: the sessions on the left, newest first (the work not committed yet
on top), and on the right what the highlighted one decided, by document and code, each coding with its
paragraph and the span marked in the code's colour, each text edit as a word diff.

Filters narrow the sessions to a coder's, to those touching a document, or to those with a decision about
a code (its old slugs count too), and the decisions shown to that document and code. Git is read in
thread workers and late answers are dropped, so keys never wait. Enter on a decision closes the screen
with the place its words are now; the app opens the document there. The app keeps the screen installed,
so coming back finds the filters and the highlighted session as they were left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, OptionList, Select, Static
from textual.widgets.option_list import Option

from margin.analysis.context import Context
from margin.core.errors import MarginError
from margin.core.project import Project
from margin.tui.footer import KeyFooter
from margin.tui.transcript import code_look, code_style
from margin.vcs.history import LogEntry, log
from margin.vcs.message import SessionInfo
from margin.vcs.review import Place, Reviewed, SessionReview, head_and_authors, locate, review, uncommitted
from margin.vcs.semdiff import CODEBOOK, PARTICIPANTS, Counts, word_diff

UNCOMMITTED = "uncommitted"
"""The option ID of the work on disk not committed yet."""
OLDER = "older"
"""The option ID of "older sessions", after the sessions listed."""
LISTED = 200
"""Sessions listed at first, and listed more by each Enter on "older sessions"."""
_SIGNS = {"coding-added": "+", "coding-removed": "−", "coding-changed": "~"}
_COLOURS = {"+": "green", "−": "red", "~": "yellow"}
_WORD_CHANGE = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}")


@dataclass(frozen=True)
class Filters:
    """What the sessions and decisions are narrowed to: a coder's name, a document ID, a code's slugs."""

    coder: str | None = None
    document: str | None = None
    codes: tuple[str, ...] = ()

    def keeps(self, item: Reviewed) -> bool:
        """Whether a decision is shown under these filters (the coder does not narrow decisions)."""
        d = item.decision
        if self.document is not None and d.document != self.document:
            return False
        return not self.codes or bool(set(self.codes) & set(d.codes))


@dataclass(frozen=True)
class _Log:
    """What a log worker read: HEAD, the sessions the filters keep (and whether older ones are left out),
    the work not committed yet, the coder here, and everyone who authored a commit."""

    head: str | None
    entries: list[LogEntry]
    more: bool
    pending: SessionReview | None
    coder: str | None
    authors: list[str]


class HistoryScreen(Screen[Place | None]):
    """Sessions and their decisions; dismissed with the place of the decision chosen (or None)."""

    DEFAULT_CSS = """
    HistoryScreen #history-frame { height: 1fr; padding: 0 1; }
    HistoryScreen #history-filters { height: auto; padding: 1 0 0 0; }
    HistoryScreen #history-filters Select { width: 1fr; max-width: 32; margin-right: 1; }
    HistoryScreen #history-code { width: auto; min-width: 16; }
    HistoryScreen #history-sessions { width: 42%; }
    HistoryScreen OptionList { height: 1fr; border: round $foreground 25%; background: $surface; }
    HistoryScreen OptionList:focus { border: round $accent; }
    HistoryScreen .history-note { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="history.close"),
        Binding("c", "choose_code", "Code…", id="history.code"),
        Binding("x", "clear_filters", "Clear filters", id="history.clear-filters"),
        Binding(
            "right",
            "go_to('history-decisions')",
            "Decisions",
            show=False,
            priority=True,
            id="history.decisions",
        ),
        Binding(
            "left",
            "go_to('history-sessions-list')",
            "Sessions",
            show=False,
            priority=True,
            id="history.sessions",
        ),
    ]

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.root: Path = project.root
        self.code: str | None = None
        """The code chosen as a filter (its slug)."""
        self.entries: list[LogEntry] = []
        self.pending: SessionReview | None = None
        self.shown: SessionReview | None = None
        """The highlighted session's decisions, as read."""
        self.items: list[Reviewed] = []
        """The decisions listed on the right, by option index."""
        self._head: str | None = None
        self._read_with: Filters | None = None  # the filters of the sessions listed
        self._coder: str | None = None  # who commits here (the uncommitted work is theirs)
        self._authors: list[str] = []
        self._documents: list[str] = []
        self.limit = LISTED
        """How many sessions are listed at most (Enter on "older sessions" lists more)."""
        self._read_limit = LISTED
        self._more = False  # whether older sessions are not listed
        self._log_asked = 0  # the latest log or decisions asked for; older answers are dropped
        self._review_asked = 0
        self._selected: str | None = None  # the session highlighted (commit, or UNCOMMITTED)

    # --- building -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="history-frame"):
            with Horizontal(id="history-filters"):
                yield Select[str]([], prompt="every coder", id="history-coder", compact=True)
                yield Select[str]([], prompt="every document", id="history-document", compact=True)
                yield Button("any code (c)", id="history-code", compact=True)
            with Horizontal():
                with Vertical(id="history-sessions"):
                    yield Static(Text("reading the history…"), id="history-count", classes="history-note")
                    yield OptionList(id="history-sessions-list")
                with Vertical():
                    yield Static(id="history-heading", classes="history-note")
                    yield OptionList(id="history-decisions")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#history-sessions-list", OptionList).focus()

    def on_screen_resume(self) -> None:
        """Offer the documents there are now, and read the sessions again if HEAD moved."""
        documents = self.project.document_ids()
        if documents != self._documents:
            self._documents = documents
            select = self.query_one("#history-document", Select)
            chosen = select.value
            with self.prevent(Select.Changed):
                select.set_options((doc_id, doc_id) for doc_id in documents)
                if isinstance(chosen, str) and chosen in documents:
                    select.value = chosen
        self._read_log()

    def action_go_to(self, widget: str) -> None:
        """Focus the sessions or the decisions."""
        self.query_one(f"#{widget}", OptionList).focus()

    # --- filters --------------------------------------------------------------------------------------
    def filters(self) -> Filters:
        coder = self.query_one("#history-coder", Select).value
        document = self.query_one("#history-document", Select).value
        codes: tuple[str, ...] = ()
        if self.code is not None:
            known = self.project.codebook.get(self.code)
            codes = (self.code, *(known.aliases if known is not None else ()))
        return Filters(
            coder if isinstance(coder, str) else None, document if isinstance(document, str) else None, codes
        )

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self._read_log()

    def action_choose_code(self) -> None:
        from margin.tui.target_picker import TargetPicker

        def picked(slug: str | None) -> None:
            if slug:
                self._set_code(slug)

        picker = TargetPicker("Sessions with a decision about", self.project.codebook)
        self.app.push_screen(picker, picked)

    @on(Button.Pressed, "#history-code")
    def _code_pressed(self) -> None:
        self.action_choose_code()

    def _set_code(self, slug: str | None) -> None:
        self.code = slug
        button = self.query_one("#history-code", Button)
        if slug is None:
            button.label = "any code (c)"
        else:
            label, colour = code_look(self.project.codebook, slug)
            button.label = Text(f" {label} ", code_style(colour))
        self._read_log()

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#history-coder", Select).clear()
            self.query_one("#history-document", Select).clear()
        self._set_code(None)

    # --- the sessions -------------------------------------------------------------------------------
    def _read_log(self, older: bool = False) -> None:
        """Read the sessions again in a worker (``older``: list as many more)."""
        filters = self.filters()
        if filters != self._read_with:
            self.limit = LISTED
        elif older:
            self.limit += LISTED
        self._log_asked += 1
        asked, limit = self._log_asked, self.limit
        reuse = self.entries if (filters, limit) == (self._read_with, self._read_limit) else None
        self.run_worker(
            lambda: self._log(asked, filters, limit, reuse), thread=True, exclusive=True, group="history-log"
        )

    def _log(self, asked: int, filters: Filters, limit: int, reuse: list[LogEntry] | None) -> None:
        """In a thread: HEAD, then the log (again only if HEAD moved or what is asked changed), and the
        work not committed yet."""
        from margin.vcs.info import coder_name

        try:
            head, authors = head_and_authors(self.root)
            more = self._more
            if reuse is None or head != self._head:
                paths = [f"documents/{filters.document}.txt"] if filters.document else []
                reuse = log(
                    self.root, limit=limit + 1, author=filters.coder, paths=paths, codes=filters.codes
                )
                more = len(reuse) > limit
                reuse = [e for e in reuse[:limit] if filters.coder is None or e.author == filters.coder]
            pending = uncommitted(self.root)
            read: _Log | MarginError = _Log(head, reuse, more, pending, coder_name(self.root), authors)
        except MarginError as exc:
            read = exc
        self.app.call_from_thread(self._show_log, asked, filters, limit, read)

    def _show_log(self, asked: int, filters: Filters, limit: int, read: _Log | MarginError) -> None:
        if asked != self._log_asked or not self.is_attached:
            return
        count = self.query_one("#history-count", Static)
        sessions = self.query_one("#history-sessions-list", OptionList)
        if isinstance(read, MarginError):
            sessions.clear_options()
            self.entries, self._read_with, self.pending = [], None, None
            self._show_review(None)
            count.update(Text(str(read), "bold red"))
            return
        pending = read.pending
        self._coder = read.coder
        if pending is not None and not self._keeps_pending(pending, filters):
            pending = None
        width = _room(sessions)
        unchanged = read.entries is self.entries and read.more == self._more
        if unchanged and pending is not None and self.pending is not None:
            sessions.replace_option_prompt(UNCOMMITTED, self._pending_prompt(pending, width))
        elif not unchanged or (pending is None) != (self.pending is None):
            self._list(sessions, read.entries, read.more, pending, width)
        self._head, self._read_with, self._read_limit = read.head, filters, limit
        self.entries, self._more, self.pending = read.entries, read.more, pending
        self._offer_authors(read.authors)
        n = len(self.entries)
        note = f"{n} session{'s' * (n != 1)}" + (" (the newest)" if read.more else "")
        if pending is not None:
            note += " + work not committed yet"
        count.update(Text(note if sessions.option_count else "no sessions match"))
        if not sessions.option_count:
            self._show_review(None)
        self._review_highlighted()

    def _list(
        self,
        sessions: OptionList,
        entries: list[LogEntry],
        more: bool,
        pending: SessionReview | None,
        width: int,
    ) -> None:
        """List the sessions anew, keeping the highlighted one (else the place it was at)."""
        options = [Option(self._session_prompt(e, width), id=e.commit) for e in entries]
        if pending is not None:
            options.insert(0, Option(self._pending_prompt(pending, width), id=UNCOMMITTED))
        if more:
            options.append(Option(Text(f"older sessions… (Enter lists {LISTED} more)", "italic"), id=OLDER))
        index = sessions.highlighted or 0
        sessions.set_options(options)
        ids = [o.id for o in options]
        if ids:
            sessions.highlighted = (
                ids.index(self._selected) if self._selected in ids else min(index, len(ids) - 1)
            )

    def _keeps_pending(self, pending: SessionReview, filters: Filters) -> bool:
        if filters.coder is not None and filters.coder != self._coder:
            return False
        return not (filters.document or filters.codes) or any(filters.keeps(i) for i in pending.items)

    def _offer_authors(self, authors: list[str]) -> None:
        """Offer everyone who authored a commit (and the coder here) in the coder filter."""
        known = sorted({*authors, *([self._coder] if self._coder else [])})
        if known != self._authors:
            self._authors = known
            coder = self.query_one("#history-coder", Select)
            chosen = coder.value
            with self.prevent(Select.Changed):
                coder.set_options((a, a) for a in known)
                if isinstance(chosen, str):
                    coder.value = chosen

    def _session_prompt(self, e: LogEntry, width: int) -> Text:
        """Date and coder (a merge, a recovered session marked), the subject, the counts: a line each."""
        who = Text.assemble((e.date[:16].replace("T", " "), "dim"), "  ", (e.author, "bold"))
        if len(e.parents) > 1:
            who.append("  merge", "italic cyan")
        if e.session is not None and e.session.recovered:
            who.append("  recovered", "italic magenta")
        lines = [who, Text(e.subject)]
        if e.session is not None:
            lines.append(_counts(e.session))
        return _lines(lines, width)

    def _pending_prompt(self, pending: SessionReview, width: int) -> Text:
        who = Text.assemble(("not committed yet", "bold yellow"), "  ", (self._coder or "", "bold"))
        lines = [who, Text("this session, not committed yet", "italic"), _counts(pending.counts)]
        return _lines(lines, width)

    # --- the decisions of the highlighted session -------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#history-sessions-list")
    def _session_highlighted(self) -> None:
        self._review_highlighted()

    def _review_highlighted(self) -> None:
        sessions = self.query_one("#history-sessions-list", OptionList)
        index = sessions.highlighted
        if index is None:
            return
        chosen = sessions.get_option_at_index(index).id
        self._selected = chosen
        self._review_asked += 1
        if chosen == UNCOMMITTED:
            self._show_review(self.pending)
            return
        entry = next((e for e in self.entries if e.commit == chosen), None)
        if entry is None:  # "older sessions"
            self._show_review(None)
            return
        if self.shown is None or self.shown.commit != entry.commit:
            self.query_one("#history-heading", Static).update(Text("reading…", "dim"))
        asked = self._review_asked
        self.run_worker(
            lambda: self._review(asked, entry), thread=True, exclusive=True, group="history-review"
        )

    def _review(self, asked: int, entry: LogEntry) -> None:
        try:
            found: SessionReview | MarginError = review(self.root, entry)
        except MarginError as exc:
            found = exc
        self.app.call_from_thread(self._reviewed, asked, found)

    def _reviewed(self, asked: int, found: SessionReview | MarginError) -> None:
        if asked != self._review_asked or not self.is_attached:
            return
        if isinstance(found, MarginError):
            self._show_review(None)
            self.query_one("#history-heading", Static).update(Text(str(found), "bold red"))
            return
        self._show_review(found)

    def _show_review(self, found: SessionReview | None) -> None:
        """List ``found``'s decisions that the filters keep; the same session again keeps its highlight."""
        decisions = self.query_one("#history-decisions", OptionList)
        same = found is not None and self.shown is not None and found.commit == self.shown.commit
        keep = decisions.highlighted if same else None
        self.shown = found
        self.items = []
        heading = self.query_one("#history-heading", Static)
        if found is None:
            decisions.clear_options()
            heading.update("")
            return
        filters = self._read_with or Filters()
        kept = [item for item in found.items if filters.keeps(item)]
        width = _room(decisions)
        options: list[Option] = []
        for title, groups in _grouped(kept, self.project):
            options.append(Option(Text(title, "bold underline"), disabled=True))
            for group, items in groups:
                if group is not None:
                    options.append(Option(group, disabled=True))
                for item in items:
                    options.append(Option(self._decision_prompt(item, width), id=str(len(self.items))))
                    self.items.append(item)
        decisions.set_options(options)
        selectable = [i for i, option in enumerate(options) if not option.disabled]
        if selectable:
            decisions.highlighted = keep if keep in selectable else selectable[0]
        heading.update(self._heading(found, len(kept)))

    def _heading(self, found: SessionReview, shown: int) -> Text:
        total = len(found.items)
        what = f"{shown} decision{'s' * (shown != 1)}" + (f" of {total} (filtered)" if shown != total else "")
        if found.commit is None:
            return Text.assemble(("not committed yet", "bold yellow"), f" · {what}")
        entry = next((e for e in self.entries if e.commit == found.commit), None)
        text = Text.assemble((found.commit[:7], "bold yellow"))
        if entry is not None and entry.session is not None:
            text.append(f" · session {entry.session.session}")
        if found.base is None:
            text.append(" · the first commit")
        elif entry is not None and len(entry.parents) > 1:
            text.append(f" · brought in by the merge (against {found.base[:7]})")
        text.append(f" · {what}")
        return text

    def _decision_prompt(self, item: Reviewed, width: int) -> Text:
        """A coding decision: the coding's other codes in their colours (the one it is listed under heads
        its group; a change: the codes it put on and took off), its paragraph with the span marked in the
        colour of the code it is listed under (under the codes, if any), and its memo."""
        d = item.decision
        sign = _SIGNS.get(d.kind)
        if sign is None:
            if d.kind == "text-edited":
                return _word_diff(d.before or "", d.after or "", d.paragraph)
            return Text(d.line, _COLOURS.get(d.line[:1], ""))
        text = Text.assemble((f"{sign} ", _COLOURS[sign]))
        if d.paragraph is not None:
            text.append(f"¶{d.paragraph} ", "dim")
        prefix = len(text)
        if d.kind == "coding-changed":
            text.append_text(self._change(d.line, d.before, d.after))
        else:
            for slug in d.codes:  # the code it is listed under is in the heading above
                if slug != _group_code(item):
                    text.append_text(self._chip(slug))
        doc = item.state
        if doc is not None and d.start is not None and d.end is not None:
            if len(text) > prefix:  # codes shown: the paragraph goes under them
                text.append("\n  ")
            room = width - len(text.plain.rpartition("\n")[2])
            context = Context.within(doc.text, doc.paragraph_starts, d.start, d.end).clip(room)
            colour = code_look(self.project.codebook, _group_code(item) or "")[1]
            style = code_style(colour) + (Style(strike=True) if sign == "−" else Style())
            text.append(context.before, "dim")
            text.append(context.inside, style)
            text.append(context.after, "dim")
        if item.memo:
            text.append(f"\n  ✎ {item.memo}", "italic dim")
        return text

    def _chip(self, slug: str, mark: str = "") -> Text:
        label, colour = code_look(self.project.codebook, slug)
        return Text.assemble(mark, (f" {label} ", code_style(colour)), " ")

    def _change(self, line: str, before: str | None, after: str | None) -> Text:
        """What changed on a coding: codes put on (+) and taken off (−), boundaries, memo."""
        old, new = (before or "").split(", "), (after or "").split(", ")
        text = Text()
        for slug in new:
            text.append_text(self._chip(slug, "" if slug in old else "+"))
        for slug in old:
            if slug not in new:
                text.append_text(self._chip(slug, "−"))
        parts = line.removeprefix("~ ").split("; ")
        if any(p.startswith("boundaries '") for p in parts):
            text.append("boundaries moved ", "yellow")
        if any(p.startswith("memo ") for p in parts):
            text.append("memo changed", "yellow")
        return text

    # --- jumping ----------------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#history-sessions-list")
    def _session_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a session goes to its decisions; on "older sessions" lists more."""
        event.stop()
        if event.option.id == OLDER:
            self._selected = None  # the first of them takes the highlight
            self._read_log(older=True)
        else:
            self.query_one("#history-decisions", OptionList).focus()

    @on(OptionList.OptionSelected, "#history-decisions")
    def _decision_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        item = self.items[int(event.option.id)]
        if item.decision.document is None:
            self.notify("This decision is about the project, not a place in a document.")
            return
        self.run_worker(lambda: self._locate(item), thread=True, exclusive=True, group="history-locate")

    def _locate(self, item: Reviewed) -> None:
        try:
            place: Place | MarginError | None = locate(self.root, item)
        except MarginError as exc:
            place = exc
        self.app.call_from_thread(self._located, item, place)

    def _located(self, item: Reviewed, place: Place | MarginError | None) -> None:
        if not self.is_current:
            return
        if isinstance(place, MarginError):
            self.notify(str(place), title="Cannot open this document", severity="error", timeout=10)
        elif place is None:
            self.notify(f"{item.decision.document} is no longer in the project.", title="Document gone")
        else:
            self.dismiss(place)

    def action_close(self) -> None:
        self.dismiss(None)


# --- drawing helpers -----------------------------------------------------------------------------------------
def _room(options: OptionList) -> int:
    """The columns a list's options have (its scrollbar counted, shown yet or not)."""
    return max(options.size.width - options.styles.scrollbar_size_vertical, 20)


def _lines(lines: list[Text], width: int) -> Text:
    """``lines`` one under the other, each cut to ``width`` with '…'."""
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    return Text("\n").join(lines)


def _counts(c: SessionInfo | Counts) -> Text:
    """``+3 −0 ~1 · codes 1 · text edits 2``: codings added, removed, changed; codes; text edits."""
    return Text.assemble(
        (f"+{c.codings_added}", "green"),
        " ",
        (f"−{c.codings_removed}", "red"),
        " ",
        (f"~{c.codings_changed}", "yellow"),
        (f" · codes {c.codes_changed} · text edits {c.text_edits}", "dim"),
    )


def _word_diff(before: str, after: str, paragraph: int | None) -> Text:
    """A text edit as a word diff: words taken out struck through in red, words put in underlined in
    green (a space between the two where one replaces the other)."""
    text = Text.assemble(("~ ", "yellow"))
    if paragraph is not None:
        text.append(f"¶{paragraph} ", "dim")
    shown = word_diff(before, after)
    at = 0
    for match in _WORD_CHANGE.finditer(shown):
        text.append(shown[at : match.start()])
        removed, added = match.group(1), match.group(2)
        if removed is not None:
            text.append(removed, "red strike")
        else:
            text.append(" " if at == match.start() and at > 0 and shown[at - 2 : at] == "-]" else "")
            text.append(added, "green underline")
        at = match.end()
    text.append(shown[at:])
    return text


def _group_code(item: Reviewed) -> str | None:
    """The code a coding decision is listed under: a code it added to a coding, else its first code."""
    d = item.decision
    if not d.codes:
        return None
    if d.kind == "coding-changed" and d.before is not None and d.after is not None:
        before = d.before.split(", ")
        added = [c for c in d.after.split(", ") if c not in before]
        if added:
            return added[0]
    return d.codes[0]


Grouped = list[tuple[str, list[tuple[Text | None, list[Reviewed]]]]]


def _grouped(items: list[Reviewed], project: Project) -> Grouped:
    """Decisions by section (the code tree, participants, each document, other files) and, in a document,
    by code, with text edits apart; in the order they come."""
    sections: dict[str, dict[tuple[str, ...], list[Reviewed]]] = {}
    for item in items:
        d = item.decision
        group: tuple[str, ...] = ()
        if d.path == CODEBOOK:
            title = "Code tree"
        elif d.path == PARTICIPANTS:
            title = "Participants"
        elif d.document is not None:
            title = d.document
            code = _group_code(item) if d.kind in _SIGNS else None
            group = ("code", code) if code is not None else ("text",) if d.kind == "text-edited" else ()
        else:
            title = d.path
        sections.setdefault(title, {}).setdefault(group, []).append(item)
    out: Grouped = []
    for title, groups in sections.items():
        rows: list[tuple[Text | None, list[Reviewed]]] = []
        for group, members in groups.items():
            if not group:
                rows.append((None, members))
            elif group == ("text",):
                rows.append((Text("  Text edits", "italic"), members))
            else:
                label, colour = code_look(project.codebook, group[1])
                rows.append((Text.assemble("  ", (f" {label} ", code_style(colour))), members))
        out.append((title, rows))
    return out
