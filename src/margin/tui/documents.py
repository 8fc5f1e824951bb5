"""The document list: a project's documents grouped by folder, each with its number of codings."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from margin.core.errors import MarginError

CountCodings = Callable[[str], int]
"""Parse a document (by ID) and return how many codings it has; raises MarginError if it cannot."""


class DocumentList(Tree[str]):
    """Documents under their group; counts arrive from a background worker so opening is never held up."""

    class Selected(Message):
        """The user chose a document to open."""

        def __init__(self, doc_id: str) -> None:
            super().__init__()
            self.doc_id = doc_id

    class Counted(Message):
        """A document was parsed: its number of codings, or None if it cannot be read."""

        def __init__(self, doc_id: str, count: int | None) -> None:
            super().__init__()
            self.doc_id = doc_id
            self.count = count

    def __init__(self, doc_ids: list[str], count_codings: CountCodings, *, id: str | None = None) -> None:
        super().__init__("Documents", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._count_codings = count_codings
        self._doc_ids = doc_ids
        self._leaves: dict[str, TreeNode[str]] = {}
        self.counts: dict[str, int] = {}
        """Codings per document, as far as counted."""
        groups: dict[str, TreeNode[str]] = {}
        for doc_id in doc_ids:
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
        self.run_worker(self._count_all, thread=True, exclusive=True, group="document-counts")

    def _count_all(self) -> None:
        worker = get_current_worker()
        for doc_id in self._doc_ids:
            if worker.is_cancelled:
                return
            try:
                message = self.Counted(doc_id, self._count_codings(doc_id))
            except MarginError:
                message = self.Counted(doc_id, None)
            self.post_message(message)

    def on_document_list_counted(self, event: DocumentList.Counted) -> None:
        event.stop()
        node = self._leaves[event.doc_id]
        name = event.doc_id.rpartition("/")[2]
        if event.count is None:
            node.set_label(Text.assemble(name, ("  cannot be read", "bold red")))
        else:
            self.counts[event.doc_id] = event.count
            node.set_label(Text.assemble(name, (f"  {event.count}", "dim")))

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Selected(event.node.data))

    def select_document(self, doc_id: str) -> None:
        """Move the list's cursor to ``doc_id`` and open it."""
        node = self._leaves[doc_id]
        self.move_cursor(node)
        self.post_message(self.Selected(doc_id))
