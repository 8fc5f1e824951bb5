"""The codebook panel: the code tree with counts, a filter, and every change to codes and code sets.

Every action runs an operation of ``margin.core.operations`` and records its change in the app's history,
so undo and redo span the codebook and the transcripts. The panel listens to that history: whatever
reaches the project — from here, from the transcript, an undo or a reload — updates the counts, and a
codebook change rebuilds the tree (the transcript, listening too, redraws labels and colours).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, Tree

from margin.core.codebook import Code, slugify
from margin.core.coding import is_slug
from margin.core.errors import MarginError
from margin.core.index import DocSummary, build_index
from margin.core.operations import (
    Change,
    add_code,
    code_usage,
    delete_code,
    merge_codes,
    move_code,
    reslug_code,
    split_code,
    update_code,
)
from margin.core.plural import counted
from margin.tui.code_detail import CodeDetail
from margin.tui.code_filter import filter_codes
from margin.tui.code_forms import INHERIT, CodeFieldsForm, ColourForm, SplitForm, TextPrompt
from margin.tui.code_sets import CodeSetsScreen
from margin.tui.code_tally import CodeTally, Usage
from margin.tui.code_tree import CodeTree
from margin.tui.coder import Coder
from margin.tui.ordered_input import OrderedInput
from margin.tui.questions import Confirm
from margin.tui.target_picker import TOP_LEVEL, TargetPicker
from margin.tui.transcript import TranscriptView

SHOWN_FROM = 120
"""The panel starts shown in terminals at least this wide; in narrower ones `b` shows it."""
BESIDE_DOCUMENTS_FROM = 100
"""In a terminal narrower than this, the panel takes the document list's room while it is shown."""


class CodeFilter(OrderedInput):
    """The filter line above the tree; escape clears and closes it, enter and down go to the tree. Keys
    act in order: the tree follows each one at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close filter", id="codebook.filter.close"),
        Binding("down", "to_tree", "To the codes", show=False, id="codebook.filter.to-tree"),
    ]

    class Closed(Message):
        """The filter was cleared and hidden."""

    class Leave(Message):
        """Keep the filter, go to the tree."""

    def action_close(self) -> None:
        self.post_message(self.Closed())

    def action_to_tree(self) -> None:
        self.post_message(self.Leave())


class CodebookPanel(Vertical):
    """The codebook beside the transcript: select a code, filter, and change the tree."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash,f", "filter", "Filter", id="codebook.filter"),
        Binding("a", "add_child", "Add child", id="codebook.add-child"),
        Binding("A", "add_sibling", "Add sibling", show=False, id="codebook.add-sibling"),
        Binding("l", "relabel", "Relabel", id="codebook.relabel"),
        Binding("L", "reslug", "Re-slug", show=False, id="codebook.reslug"),
        Binding("e", "edit", "Edit", id="codebook.edit"),
        Binding("k,number_sign", "colour", "Colour", show=False, id="codebook.colour"),
        Binding("shift+up,K", "move_sibling(-1)", "Move up", show=False, id="codebook.move-up"),
        Binding("shift+down,J", "move_sibling(1)", "Move down", show=False, id="codebook.move-down"),
        Binding("less_than_sign", "outdent", "Move out a level", show=False, id="codebook.move-out"),
        Binding("greater_than_sign", "indent", "Move in a level", show=False, id="codebook.move-in"),
        Binding("m", "move_under", "Move under…", show=False, id="codebook.move-under"),
        Binding("M", "merge", "Merge into…", show=False, id="codebook.merge"),
        Binding("x", "split", "Split…", show=False, id="codebook.split"),
        Binding("delete,D", "delete", "Delete", show=False, id="codebook.delete"),
        Binding("s", "sets", "Sets", id="codebook.sets"),
        Binding("i", "detail", "Details", id="codebook.detail"),
        Binding("T", "merge_tree", "Merge another code tree…", show=False, id="codebook.merge-tree"),
    ]

    class CodeSelected(Message):
        """The cursor of the code tree is on a code: it is the current code."""

        def __init__(self, slug: str) -> None:
            super().__init__()
            self.slug = slug

    def __init__(self, coder: Coder, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.coder = coder
        self.project = coder.project
        self.history = coder.history
        self.tally = CodeTally()
        self.filter_text = ""
        self._announced: str | None = None
        self.unreadable = 0
        self._width = 0
        self._chosen: bool | None = None
        """Shown (True) or hidden (False) by the user; None: as wide terminals have it."""
        """Documents left out of the counts because they cannot be read (`margin check` says why)."""

    # --- building -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        code_filter = CodeFilter(
            typed=self._filter_changed,
            submitted=lambda _: self._filter_done(),
            placeholder="filter: label or slug",
            id="codebook-filter",
        )
        code_filter.display = False
        yield code_filter
        yield CodeTree(id="codebook-tree")
        yield Static(id="codebook-status")

    @property
    def code_tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the filter line has the focus, keys are for typing: the code actions wait."""
        return not self.query_one(CodeFilter).has_focus

    def on_mount(self) -> None:
        self.border_title = "Codebook"
        self.history.listeners.append(self._follow)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._fit)
        self._fit()
        self.rebuild()
        self.recount()

    def on_unmount(self) -> None:
        if self._follow in self.history.listeners:
            self.history.listeners.remove(self._follow)

    def _fit(self, _: object = None) -> None:
        """Follow the terminal's width: shown from SHOWN_FROM columns until `b` decides otherwise, and in
        the document list's room below BESIDE_DOCUMENTS_FROM."""
        width = self.app.size.width
        if width == self._width:
            return
        self._width = width
        if self._chosen is None:
            self.display = width >= SHOWN_FROM
        self._place()

    def _place(self) -> None:
        narrow = self.display and self.app.size.width < BESIDE_DOCUMENTS_FROM
        self.parent_container.set_class(narrow, "-codebook-narrow")

    def toggle(self) -> None:
        """Show the panel with the focus on the tree, or hide it (the focus goes to the transcript).

        In a terminal narrower than BESIDE_DOCUMENTS_FROM the panel takes the document list's room.
        """
        if self.display and self.has_focus_within:
            self.make_way()
            self.screen.query_one(TranscriptView).focus()
            return
        self._chosen = self.display = True
        self._place()
        self.code_tree.focus()

    def make_way(self) -> None:
        """Hide the panel (and give the document list back its room)."""
        self.display = self._chosen = False
        self._place()

    def step_aside(self) -> bool | None:
        """Hide the panel for a while (z); returns the user's choice to give back to ``come_back``."""
        chosen = self._chosen
        self.make_way()
        return chosen

    def come_back(self, chosen: bool | None) -> None:
        """Show the panel as before ``step_aside``: as chosen with `b`, or as the terminal's width has it."""
        self._chosen = chosen
        self.display = self.app.size.width >= SHOWN_FROM if chosen is None else chosen
        self._place()

    def make_room_for_documents(self) -> None:
        """Hide the panel if it took the document list's room (in a narrow terminal)."""
        if self.parent_container.has_class("-codebook-narrow"):
            self.make_way()

    @property
    def parent_container(self) -> Widget:
        assert isinstance(self.parent, Widget)
        return self.parent

    def recount(self) -> None:
        """Count coded segments again from the files (in a thread; the index cache makes it quick)."""
        self.run_worker(self._count, thread=True, exclusive=True, group="codebook-counts")

    def _count(self) -> None:
        problems: list[MarginError] = []
        index = build_index(self.project, problems=problems)
        self.app.call_from_thread(self._counted, index, len(problems))

    def _counted(self, index: dict[str, DocSummary], unreadable: int) -> None:
        self.tally.load(index)
        self.unreadable = unreadable
        self.code_tree.refresh_counts(self.tally.counts(self.project))
        self._show_status()

    def rebuild(self, cursor: str | None = None) -> None:
        """Show the codebook as it is now (after a change, or with a new filter)."""
        codebook = self.project.codebook
        filtered = filter_codes(codebook, self.filter_text)
        self.code_tree.show(codebook, self.tally.counts(self.project), filtered, cursor or self.current)
        self._show_status()

    def _show_status(self) -> None:
        cb = self.project.codebook
        text = Text(counted(len(cb.codes), "code"), "dim")
        filtered = self.code_tree.filtered
        if filtered is not None:
            matched = len(filtered.matched)
            verb = "matches" if matched == 1 else "match"
            text = Text(f"{matched} of {counted(len(cb.codes), 'code')} {verb} '{self.filter_text}'", "dim")
        elif self.tally.index is not None:
            segments = sum(s.codings for s in self.tally.index.values())
            text.append(f" · {counted(segments, 'coded segment')}", "dim")
            if self.unreadable:
                text.append(f" · {self.unreadable} unreadable, not counted", "bold red")
        else:
            text.append(" · counting…", "dim")
        self.query_one("#codebook-status", Static).update(text)

    def _follow(self, change: Change) -> None:
        """A change reached the project: keep counts right; a codebook change rebuilds the tree."""
        self.tally.follow(self.project, change)
        if change.codebook is not None:
            self.rebuild()
        else:
            self.code_tree.refresh_counts(self.tally.counts(self.project))
            self._show_status()

    # --- the current code ---------------------------------------------------------------------------
    @property
    def current(self) -> str | None:
        """The slug under the tree's cursor."""
        node = self.code_tree.cursor_node
        return node.data if node is not None else None

    def _code(self) -> Code | None:
        slug = self.current
        code = self.project.codebook.get(slug) if slug is not None else None
        if code is None:
            empty = "No code matches the filter" if self.filter_text else "The codebook is empty"
            self.app.notify(f"{empty}: a adds a code.", severity="warning")
        return code

    def select(self, slug: str) -> None:
        """Put the tree's cursor on ``slug`` (clearing a filter that hides it)."""
        if slug not in self.code_tree.nodes and self.filter_text:
            self._set_filter("")
        self.rebuild(cursor=slug)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        if self.has_focus_within:  # the tree's first code at start is no choice of the user's
            self._announce(event.node.data)

    def on_descendant_focus(self) -> None:
        self._announce(self.current)

    def _announce(self, slug: str | None) -> None:
        if slug is not None and slug != self._announced:
            self._announced = slug
            self.post_message(self.CodeSelected(slug))

    @on(Tree.NodeCollapsed)
    def _collapsed(self, event: Tree.NodeCollapsed[str]) -> None:
        event.stop()
        if event.node.data is not None and self.code_tree.filtered is None:
            self.code_tree.collapsed.add(event.node.data)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.code_tree.collapsed.discard(event.node.data)

    # --- running operations -------------------------------------------------------------------------
    def run_operation(self, operation: Callable[[], Change]) -> Change | None:
        """Run an operation (after a look at the files on disk) and record its change; a refusal is shown,
        and nothing changes."""
        try:
            change = self.coder.run_on_codebook(operation)
        except MarginError as exc:
            self.app.notify(str(exc), title="Not changed", severity="error", timeout=10)
            return None
        self.app.notify(change.summary, timeout=4)
        return change

    def _usage(self, slug: str) -> Usage:
        """How much ``slug`` is used: from the counts, or read from the files while they are counted."""
        usage = self.tally.usage(self.project, slug)
        if usage is None:
            usage = Usage(*code_usage(self.project, slug))
        return usage

    # --- the filter ---------------------------------------------------------------------------------
    def action_filter(self) -> None:
        code_filter = self.query_one(CodeFilter)
        code_filter.display = True
        code_filter.focus()

    def _filter_changed(self, text: str) -> None:
        self.filter_text = text
        self.rebuild()

    @on(CodeFilter.Leave)
    def _filter_left(self, event: CodeFilter.Leave) -> None:
        event.stop()
        self._filter_done()

    def _filter_done(self) -> None:
        """Keep the filter, go to the tree."""
        self.code_tree.focus()

    @on(CodeFilter.Closed)
    def _filter_closed(self, event: CodeFilter.Closed) -> None:
        event.stop()
        self._set_filter("")
        self.code_tree.focus()

    def _set_filter(self, text: str) -> None:
        code_filter = self.query_one(CodeFilter)
        code_filter.value = text  # which tells _filter_changed, if it changed
        code_filter.display = bool(text)
        if self.filter_text != text:
            self._filter_changed(text)

    # --- adding, naming, describing -----------------------------------------------------------------
    def _label_prompt(self, title: str) -> TextPrompt:
        cb = self.project.codebook
        return TextPrompt(
            title,
            "Label:",
            hint=lambda text: f"slug: {cb.free_slug(text)}" if text else "the slug is made from the label",
            check=lambda text: None if text else "write a label",
        )

    @work(exclusive=True, group="codebook-form")
    async def action_add_child(self) -> None:
        code = self.project.codebook.get(self.current or "")
        parent = code.slug if code is not None else None
        title = f"New code under '{code.label}'" if code is not None else "New top-level code"
        await self._add(title, parent, None)

    @work(exclusive=True, group="codebook-form")
    async def action_add_sibling(self) -> None:
        cb = self.project.codebook
        code = cb.get(self.current or "")
        if code is None:
            await self._add("New top-level code", None, None)
            return
        siblings = cb.children(code.parent) if code.parent else cb.roots()
        where = f"under '{cb.label(code.parent)}'" if code.parent else "at the top level"
        await self._add(f"New code after '{code.label}' {where}", code.parent, siblings.index(code.slug) + 1)

    async def _add(self, title: str, parent: str | None, index: int | None) -> None:
        label = await self.app.push_screen_wait(self._label_prompt(title))
        if not label:
            return
        slug = self.project.codebook.free_slug(label)
        if self.run_operation(lambda: add_code(self.project, slug, label, parent=parent, index=index)):
            self.select(slug)

    @work(exclusive=True, group="codebook-form")
    async def action_relabel(self) -> None:
        code = self._code()
        if code is None:
            return
        label = await self.app.push_screen_wait(
            TextPrompt(
                f"Relabel '{code.label}'",
                "New label (the slug stays; only codebook.yaml changes):",
                code.label,
                check=lambda text: None if text else "write a label",
            )
        )
        if label and label != code.label:
            self.run_operation(lambda: update_code(self.project, code.slug, label=label))

    @work(exclusive=True, group="codebook-form")
    async def action_reslug(self) -> None:
        code = self._code()
        if code is None:
            return
        cb = self.project.codebook
        usage = self._usage(code.slug)
        rewrite = (
            f"rewrites {counted(usage.segments, 'coded segment')} in {counted(usage.documents, 'document')}; "
            if usage.segments
            else "no document uses it; "
        )
        consequence = rewrite + f"'{code.slug}' stays as an alias"

        def check(text: str) -> str | None:
            if not is_slug(text):
                return f"'{text}' is not a slug — e.g. '{slugify(text, cb.taken())}'"
            if text != code.slug and text in cb.codes:
                return f"'{text}' is already a code ({cb.codes[text].label})"
            if cb.aliases.get(text, code.slug) != code.slug:
                return f"'{text}' is an old slug of '{cb.aliases[text]}'"
            return None

        slug = await self.app.push_screen_wait(
            TextPrompt(
                f"Re-slug '{code.label}'",
                "New slug (lowercase letters and digits joined by '-'):",
                code.slug,
                hint=lambda text: consequence if text != code.slug else "",
                check=check,
            )
        )
        if not slug or slug == code.slug:
            return
        question = (
            f"Re-slug [b]{escape(code.label)}[/b] from '{code.slug}' to '{slug}'? It {escape(consequence)}."
        )
        if not await self.app.push_screen_wait(
            Confirm("Re-slug code", question, "Re-slug", "Cancel", cancelled="Not re-slugged")
        ):
            return
        if self.run_operation(lambda: reslug_code(self.project, code.slug, slug)):
            self.select(slug)

    @work(exclusive=True, group="codebook-form")
    async def action_edit(self) -> None:
        code = self._code()
        if code is None:
            return
        fields = await self.app.push_screen_wait(CodeFieldsForm(code))
        if fields:
            self.run_operation(lambda: update_code(self.project, code.slug, **fields))

    @work(exclusive=True, group="codebook-form")
    async def action_colour(self) -> None:
        code = self._code()
        if code is None:
            return
        colour = await self.app.push_screen_wait(ColourForm(code, self.project.codebook.color(code.slug)))
        new = None if colour == INHERIT else colour
        if colour is not None and new != code.color:
            self.run_operation(lambda: update_code(self.project, code.slug, color=new))

    # --- moving -------------------------------------------------------------------------------------
    def _siblings(self, code: Code) -> list[str]:
        cb = self.project.codebook
        return cb.children(code.parent) if code.parent else cb.roots()

    def action_move_sibling(self, step: int) -> None:
        code = self._code()
        if code is None:
            return
        siblings = self._siblings(code)
        index = siblings.index(code.slug) + step
        if not 0 <= index < len(siblings):
            self.app.notify(f"'{code.label}' is already the {'first' if step < 0 else 'last'} at its level.")
            return
        self.run_operation(lambda: move_code(self.project, code.slug, code.parent, index))

    def action_outdent(self) -> None:
        code = self._code()
        if code is None:
            return
        if code.parent is None:
            self.app.notify(f"'{code.label}' is already at the top level.")
            return
        parent = self.project.codebook.codes[code.parent]
        index = self._siblings(parent).index(parent.slug) + 1
        self.run_operation(lambda: move_code(self.project, code.slug, parent.parent, index))

    def action_indent(self) -> None:
        code = self._code()
        if code is None:
            return
        siblings = self._siblings(code)
        position = siblings.index(code.slug)
        if position == 0:
            self.app.notify(f"No code above '{code.label}' at its level to move it into.")
            return
        above = siblings[position - 1]
        self.run_operation(lambda: move_code(self.project, code.slug, above))

    @work(exclusive=True, group="codebook-form")
    async def action_move_under(self) -> None:
        code = self._code()
        if code is None:
            return
        cb = self.project.codebook
        target = await self.app.push_screen_wait(
            TargetPicker(
                f"Move '{code.label}' under…",
                cb,
                exclude={code.slug, *cb.descendants(code.slug)},
                top_level=code.parent is not None,
            )
        )
        if target is not None:
            parent = None if target == TOP_LEVEL else target
            self.run_operation(lambda: move_code(self.project, code.slug, parent))

    def move_after(self, slug: str, target: str) -> None:
        """Move ``slug`` to just below ``target``, at its level (a drag and drop in the tree)."""
        cb = self.project.codebook
        if slug == target or target in cb.descendants(slug):
            return
        code, anchor = cb.codes[slug], cb.codes[target]
        siblings = [s for s in self._siblings(anchor) if s != slug]
        index = siblings.index(target) + 1
        if self.run_operation(lambda: move_code(self.project, code.slug, anchor.parent, index)):
            self.select(slug)

    @on(CodeTree.Dropped)
    def _dropped(self, event: CodeTree.Dropped) -> None:
        event.stop()
        self.move_after(event.slug, event.target)

    # --- merging, splitting, deleting ---------------------------------------------------------------
    @work(exclusive=True, group="codebook-form")
    async def action_merge(self) -> None:
        code = self._code()
        if code is None:
            return
        cb = self.project.codebook
        target = await self.app.push_screen_wait(
            TargetPicker(f"Merge '{code.label}' into…", cb, exclude={code.slug, *cb.descendants(code.slug)})
        )
        if target is None or target == TOP_LEVEL:
            return
        usage = self._usage(code.slug)
        into = cb.codes[target].label
        message = (
            f"[b]{escape(code.label)}[/b] has {counted(usage.segments, 'coded segment')} in "
            f"{counted(usage.documents, 'document')}. They will carry [b]{escape(into)}[/b] instead (a segment "
            "coded with both keeps one)."
        )
        if code.children:
            message += f" Its {counted(len(code.children), 'subcode')} move under it."
        message += f"\n[dim]'{code.slug}' stays as an alias of '{target}'.[/dim]"
        if not await self.app.push_screen_wait(
            Confirm("Merge codes", message, "Merge", "Cancel", cancelled="Not merged")
        ):
            return
        if self.run_operation(lambda: merge_codes(self.project, code.slug, target)):
            self.select(target)

    @work(exclusive=True, group="codebook-form")
    async def action_split(self) -> None:
        code = self._code()
        if code is None:
            return
        answer = await self.app.push_screen_wait(SplitForm(code, self._usage(code.slug).segments))
        if answer is None:
            return
        labels, move = answer
        self.run_operation(lambda: split_code(self.project, code.slug, labels, labels[0] if move else None))

    @work(exclusive=True, group="codebook-form")
    async def action_delete(self) -> None:
        code = self._code()
        if code is None:
            return
        segments, documents = code_usage(self.project, code.slug)
        subcodes = f" Its {counted(len(code.children), 'subcode')} move up a level." if code.children else ""
        if not segments:
            message = f"Delete [b]{escape(code.label)}[/b]? No coded segment uses it.{subcodes}"
            if await self.app.push_screen_wait(
                Confirm("Delete code", message, "Delete", "Cancel", cancelled="Not deleted")
            ):
                self.run_operation(lambda: delete_code(self.project, code.slug))
            return
        message = (
            f"[b]{escape(code.label)}[/b] is used by {counted(segments, 'coded segment')} in "
            f"{counted(documents, 'document')}, so it is not deleted as it is. Merge it into another code (M) "
            "to keep those segments, or delete it and remove it from them (a segment with no other code is "
            f"uncoded, its memo too).{subcodes}"
        )
        yes = f"Delete and uncode {counted(segments, 'segment')}"
        if await self.app.push_screen_wait(
            Confirm("Code in use", message, yes, "Cancel", cancelled="Not deleted")
        ):
            self.run_operation(lambda: delete_code(self.project, code.slug, force=True))

    # --- sets and details ---------------------------------------------------------------------------
    def action_sets(self) -> None:
        code = self._code()
        if code is not None:
            self.app.push_screen(CodeSetsScreen(self.project, code.slug, self.run_operation))

    def action_merge_tree(self) -> None:
        """Merge another code tree (a branch, a codebook.yaml, a .qdc file) into this one."""
        from margin.tui.tree_merge_screen import merge_another_tree

        merge_another_tree(self.app, self.project)

    def action_detail(self) -> None:
        code = self._code()
        if code is None:
            return
        count = self.tally.counts(self.project).get(code.slug)
        usage = self.tally.usage(self.project, code.slug)
        self.app.push_screen(CodeDetail(self.project.codebook, code.slug, count, usage))
