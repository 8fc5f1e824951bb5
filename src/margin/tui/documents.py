"""The document list: a project's documents grouped by folder, each with its number of codings."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from margin.core.errors import MarginError

PROGRESS_CELLS = 8
"""Width of the bar under the list while documents are read."""
CountCodings = Callable[[str], int]
"""Parse a document (by ID) and return how many codings it has; raises MarginError if it cannot."""


class DocumentList(Tree[str], inherit_bindings=False):
    """Documents under their group; counts arrive from a background worker so opening is never held up,
    its progress shown under the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Previous line", show=False, id="documents.cursor-up"),
        Binding("down", "cursor_down", "Next line", show=False, id="documents.cursor-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="documents.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="documents.page-down"),
        Binding("home", "scroll_home", "First line", show=False, id="documents.first-line"),
        Binding("end", "scroll_end", "Last line", show=False, id="documents.last-line"),
        Binding(
            "enter", "select_cursor", "Open the document (or fold the group)", show=False, id="documents.open"
        ),
        Binding("space", "toggle_node", "Fold or unfold the group", show=False, id="documents.fold"),
        Binding("left", "cursor_parent", "Go to the group", show=False, id="documents.to-group"),
        Binding(
            "shift+space",
            "toggle_expand_all",
            "Fold or unfold every group",
            show=False,
            id="documents.fold-all",
        ),
    ]

    class Selected(Message):
        """The user chose a document to open."""

        def __init__(self, doc_id: str) -> None:
            super().__init__()
            self.doc_id = doc_id

    class Counted(Message):
        """A document was parsed: its number of codings, or None if it cannot be read."""

        def __init__(self, doc_id: str, count: int | None, generation: int = 0) -> None:
            super().__init__()
            self.doc_id = doc_id
            self.count = count
            self.generation = generation

    def __init__(self, doc_ids: list[str], count_codings: CountCodings, *, id: str | None = None) -> None:
        super().__init__("Documents", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._count_codings = count_codings
        self._doc_ids = doc_ids
        self._leaves: dict[str, TreeNode[str]] = {}
        self.counts: dict[str, int] = {}
        """Codings per document, as far as counted."""
        self.read = 0
        """Documents the counting worker has read so far (counted or found unreadable)."""
        self._generation = 0
        """How many times the list was read again; counts from an earlier reading are dropped."""
        self._add_leaves()

    def _add_leaves(self) -> None:
        groups: dict[str, TreeNode[str]] = {}
        for doc_id in self._doc_ids:
            group, _, name = doc_id.rpartition("/")
            parent = self.root
            if group:
                if group not in groups:
                    groups[group] = self.root.add(group, expand=True)
                parent = groups[group]
            self._leaves[doc_id] = parent.add_leaf(name, data=doc_id)
        for group, node in groups.items():
            size = len(node.children)
            node.set_label(Text.assemble(group, (f"  {size} document{'s' if size != 1 else ''}", "dim")))

    def on_mount(self) -> None:
        if self._leaves:
            self.call_after_refresh(self.move_cursor, next(iter(self._leaves.values())))
        self._show_progress()
        self.run_worker(self._count_all, thread=True, exclusive=True, group="document-counts")

    def _show_progress(self) -> None:
        """Under the list: a bar and figures while documents are read, then how many there are."""
        total = len(self._doc_ids)
        if self.read < total:
            filled = PROGRESS_CELLS * self.read // total
            bar = "▰" * filled + "▱" * (PROGRESS_CELLS - filled)
            self.border_subtitle = f"{bar} {self.read:,}/{total:,}"
        else:
            self.border_subtitle = f"{total:,} document{'s' if total != 1 else ''}"

    def _count_all(self) -> None:
        worker = get_current_worker()
        generation = self._generation
        for doc_id in list(self._doc_ids):
            if worker.is_cancelled:
                return
            try:
                message = self.Counted(doc_id, self._count_codings(doc_id), generation)
            except MarginError:
                message = self.Counted(doc_id, None, generation)
            self.post_message(message)

    def on_document_list_counted(self, event: DocumentList.Counted) -> None:
        event.stop()
        if event.generation != self._generation:
            return  # counted before the list was read again
        self.read += 1
        self._show_progress()
        self.set_count(event.doc_id, event.count)

    def set_count(self, doc_id: str, count: int | None) -> None:
        """Show ``doc_id``'s number of codings (None: it cannot be read)."""
        node = self._leaves.get(doc_id)
        if node is None:
            return
        name = doc_id.rpartition("/")[2]
        if count is None:
            self.counts.pop(doc_id, None)
            node.set_label(Text.assemble(name, ("  cannot be read", "bold red")))
        else:
            self.counts[doc_id] = count
            node.set_label(Text.assemble(name, (f"  {count}", "dim")))

    def relist(self, doc_ids: list[str]) -> None:
        """List ``doc_ids`` (after a merge added or removed documents) and count them all again, keeping the
        cursor on the document it was on."""
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        if doc_ids != self._doc_ids:
            self._doc_ids = doc_ids
            self._leaves = {}
            self.counts = {}
            self.clear()
            self._add_leaves()
            if cursor in self._leaves:
                self.call_after_refresh(self.move_cursor, self._leaves[cursor])
        self._generation += 1
        self.read = 0
        self._show_progress()
        self.run_worker(self._count_all, thread=True, exclusive=True, group="document-counts")

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Selected(event.node.data))

    def select_document(self, doc_id: str) -> None:
        """Move the list's cursor to ``doc_id`` and open it."""
        self.move_to_document(doc_id)
        self.post_message(self.Selected(doc_id))

    def move_to_document(self, doc_id: str) -> None:
        """Move the list's cursor to ``doc_id`` (the app opens it itself)."""
        node = self._leaves.get(doc_id)
        if node is not None:
            self.move_cursor(node)
