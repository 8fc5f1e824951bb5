"""The code tree: every code in tree order with its colour, label and counts, fitted to the panel's width.

A row reads ``■ Label ……… 31 Σ64``: the swatch in the code's colour, the label (cut with "…" when the
panel is narrow) and, at the right, the coded segments that carry the code itself and, for a code with
subcodes, ``Σ`` and the segments of the code and all its subcodes. A grouping code (not codable) shows its
label in italics and only the ``Σ`` figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from margin.analysis.counts import CodeCount
from margin.core.codebook import Codebook
from margin.tui.code_filter import Filtered
from margin.tui.transcript import UNKNOWN_COLOR

SWATCH = "■ "
TOGGLE = Style.from_meta({"toggle": True})
"""A click on the expand icon collapses or expands (a click on the label only moves the cursor)."""
LEAF_PAD = "  "
"""Leaves get the width of the expand icon so that swatches of siblings line up."""


def swatch_style(color: str) -> Style:
    """The style of a code's swatch: its colour as the foreground."""
    try:
        return Style(color=Color.parse(color).rich_color)
    except ColorParseError:
        return Style(color=Color.parse(UNKNOWN_COLOR).rich_color)


def count_text(row: CodeCount | None, codable: bool, has_children: bool) -> str:
    """The counts at the right of a row ("" until counted)."""
    if row is None:
        return ""
    if not codable:
        return f"Σ{row.aggregate}"
    if has_children:
        return f"{row.own} Σ{row.aggregate}"
    return str(row.own)


class CodeTree(Tree[str], inherit_bindings=False):
    """The codebook as a tree; each node's data is its code's slug.

    Only the moving keys of Textual's tree are kept (shift+arrows move codes in the panel). A code dragged
    with the mouse and let go over another code is announced with ``Dropped``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Previous code", show=False, id="codebook.cursor-up"),
        Binding("down", "cursor_down", "Next code", show=False, id="codebook.cursor-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="codebook.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="codebook.page-down"),
        Binding("home", "scroll_home", "First code", show=False, id="codebook.first"),
        Binding("end", "scroll_end", "Last code", show=False, id="codebook.last"),
        Binding("left", "collapse_or_parent", "Collapse / parent", show=False, id="codebook.collapse"),
        Binding("right", "expand", "Expand", show=False, id="codebook.expand"),
        Binding("space,enter", "toggle_node", "Collapse / expand", show=False, id="codebook.toggle"),
    ]

    class Dropped(Message):
        """The code ``slug`` was dragged onto the code ``target``."""

        def __init__(self, slug: str, target: str) -> None:
            super().__init__()
            self.slug = slug
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codes", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.codebook: Codebook | None = None
        self.counts: Mapping[str, CodeCount] = {}
        self.filtered: Filtered | None = None
        self.collapsed: set[str] = set()
        """Slugs of the codes the user collapsed (kept across rebuilds)."""
        self.nodes: dict[str, TreeNode[str]] = {}
        self._dragged: str | None = None

    # --- building -----------------------------------------------------------------------------------
    def show(
        self,
        codebook: Codebook,
        counts: Mapping[str, CodeCount],
        filtered: Filtered | None,
        cursor: str | None,
    ) -> None:
        """Rebuild the tree from ``codebook``; the cursor goes to ``cursor`` (or the first match)."""
        self.codebook, self.counts, self.filtered = codebook, counts, filtered
        self.clear()
        self.nodes = {}
        self.collapsed &= set(codebook.codes)
        for slug in codebook.roots():
            self._add(self.root, slug)
        target = cursor if cursor in self.nodes else None
        if filtered is not None and (target is None or target not in filtered.matched):
            target = next((s for s in codebook.codes if s in filtered.matched), None)
        if target is None and self.nodes:
            target = next(iter(self.nodes))
        if target is not None:
            node = self.nodes[target]
            self.call_after_refresh(self._move_to, node)

    def _move_to(self, node: TreeNode[str]) -> None:
        if node.data is not None and self.nodes.get(node.data) is node:  # not rebuilt since
            self.move_cursor(node)

    def _add(self, parent: TreeNode[str], slug: str) -> None:
        assert self.codebook is not None
        code = self.codebook.codes[slug]
        shown = self.filtered.shown if self.filtered is not None else None
        if shown is not None and slug not in shown:
            return
        children = [c for c in code.children if shown is None or c in shown]
        expand = self.filtered is not None or slug not in self.collapsed
        if children:
            node = parent.add(slug, data=slug, expand=expand)
            self.nodes[slug] = node
            for child in children:
                self._add(node, child)
        else:
            self.nodes[slug] = parent.add_leaf(slug, data=slug)

    def refresh_counts(self, counts: Mapping[str, CodeCount]) -> None:
        """New counts for the same tree."""
        self.counts = counts
        for node in self.nodes.values():
            node.refresh()

    # --- keys and mouse -----------------------------------------------------------------------------
    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def _slug_at(self, event: events.MouseEvent) -> str | None:
        node = self.get_node_at_line(event.y + self.scroll_offset.y)
        return node.data if node is not None else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._dragged = self._slug_at(event)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        dragged, self._dragged = self._dragged, None
        target = self._slug_at(event)
        if dragged is not None and target is not None and target != dragged:
            self.post_message(self.Dropped(dragged, target))

    # --- drawing ------------------------------------------------------------------------------------
    def get_label_width(self, node: TreeNode[str]) -> int:
        return 1  # labels are fitted to the width, so the tree never scrolls sideways

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        slug = node.data
        cb = self.codebook
        if slug is None or cb is None or slug not in cb.codes:
            return Text(str(node.label))
        code = cb.codes[slug]
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        width = self.scrollable_content_region.width - depth * self.guide_depth
        icon = (
            (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
            if node.allow_expand
            else LEAF_PAD
        )
        counts = count_text(self.counts.get(slug), code.codable, bool(code.children))
        matched = self.filtered is not None and slug in self.filtered.matched
        label_style = Style(italic=not code.codable, bold=matched)
        if self.filtered is not None and not matched:
            label_style += Style(dim=True)
        room = width - cell_len(icon) - cell_len(SWATCH) - (cell_len(counts) + 1 if counts else 0)
        label = code.label
        if cell_len(label) > room:
            label = set_cell_size(label, max(room - 1, 0)) + "…" if room > 0 else ""
        text = Text.assemble(
            (icon, base_style + Style(bold=True) + TOGGLE),
            (SWATCH, swatch_style(cb.color(slug))),
            (label, label_style),
        )
        if counts:
            text.append(" " * max(1, room - cell_len(label) + 1))
            text.append(counts, Style(dim=True))
        text.stylize_before(style)
        return text
