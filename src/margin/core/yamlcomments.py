"""The comment lines and blank lines of a YAML file, kept apart from its data while Margin edits it.

ruamel stores a comment line on whatever it read just before it — often the last field of the deepest
entry above (``# Phase 2 codes`` before a top-level code sits on the last field of the code before it) —
so an edit that moves, deletes or restyles that entry would take the line along or drop it. Before the
first edit, ``Comments.take`` lifts every such line out of ruamel's slots (a comment at the end of a line
stays with its line) and anchors it where a reader sees it, judged by its indentation: at the start of a
block collection, before one of its entries, or at its end. ``render`` writes the data with every line
back at its anchor, wherever the anchor now is:

- lines before an entry stay before it (and move with it when its collection moves);
- when the entry leaves its collection (moved elsewhere, deleted), its lines stay where they were: after
  the entry that came before it, else at the start of the collection;
- lines inside an entry that is gone stay where the entry was, re-indented to its collection; the lines
  of a collection whose entries now sit in another one (children moved up) stay with those entries;
- lines at the end of a collection stay at its end, and a collection that can no longer hold lines (now
  empty, or written in flow style) has them after the entry that holds it.

An entry is known by its comment record (``ca.items[key]``, a list): a rename keeps the record, a move
gives the entry a copy (``insert_entry`` in margin.core.codebook), so the lines before a moved entry stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

INDENT = 2
"""Columns per level of nesting, as Margin writes YAML; comment lines are re-indented by it."""


def _is_map(node: Any) -> bool:
    return isinstance(node, dict)


def _is_collection(node: Any) -> bool:
    return isinstance(node, (dict, list)) and hasattr(node, "ca")


def holds_lines(node: Any) -> bool:
    """Whether comment lines can be written inside ``node``: a block collection with entries."""
    return _is_collection(node) and len(node) > 0 and not node.fa.flow_style()


def _keys(node: Any) -> list[Any]:
    return list(node) if _is_map(node) else list(range(len(node)))


def _record(node: Any, key: Any) -> list[Any]:
    items = node.ca.items
    if key not in items:
        items[key] = [None, None, None, None]
    return items[key]  # type: ignore[no-any-return]


def _text(token: Any) -> str:
    """The lines a comment token holds, the first one with its indentation."""
    value = str(token.value)
    return " " * token.column + value if value.startswith("#") else value


def _is_block_scalar(value: Any) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, (LiteralScalarString, FoldedScalarString))


def _shift(text: str, by: int) -> str:
    if not by:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if line.strip():
            spaces = len(line) - len(line.lstrip(" "))
            line = " " * max(0, spaces + by) + line[spaces:]
        out.append(line)
    return "".join(out)


@dataclass
class _Lines:
    """Comment and blank lines of one collection: at its start, before each entry (by record), at its end."""

    node: Any
    depth: int
    parent: tuple[_Lines, int] | None  # the collection and the record (id) of the entry holding this one
    start: str = ""
    order: list[list[Any]] = field(default_factory=list)  # the records of the entries when taken
    before: dict[int, str] = field(default_factory=dict)
    end: str = ""


class Comments:
    """The comment lines of a file's data, anchored to its collections and entries."""

    def __init__(self) -> None:
        self._lines: dict[int, _Lines] = {}

    # --- taking the lines out ----------------------------------------------------------------------------
    @classmethod
    def take(cls, data: Any, text: str) -> Comments:
        """Lift the comment lines out of ``data`` (parsed from ``text``), leaving end-of-line comments."""
        comments = cls()
        if holds_lines(data):
            _Taker(comments, data, text.split("\n"))
        return comments

    # --- writing them back ------------------------------------------------------------------------------
    def settle(self, data: Any) -> None:
        """Anchor every line to the collections and entries ``data`` has now (call after an edit): the next
        edit then finds them as if the file had been read again."""
        if not self._lines:
            return
        present = {id(node) for node in _reached(data)}
        nested: dict[tuple[int, int], list[_Lines]] = {}
        for lines in self._lines.values():
            if id(lines.node) not in present and lines.parent is not None:
                nested.setdefault((id(lines.parent[0]), lines.parent[1]), []).append(lines)
        settled: dict[int, _Lines] = {}
        if holds_lines(data):
            _Settler(self._lines, nested, settled).settle(data, 0, None)
        else:  # nothing to hold the lines: they go at the end of the file
            root = _Lines(data, 0, None)
            root.end = "".join(_Settler(self._lines, nested, settled).flat(self._lines.get(id(data)), 0))
            settled[id(data)] = root
        self._lines = settled

    def render(self, data: Any) -> str:
        """The YAML text of ``data`` with every comment line at its anchor."""
        from margin.core.yamlio import dump_round_trip

        self.settle(data)
        root = self._lines.get(id(data))
        if root is None:
            return dump_round_trip(data)
        written: list[list[Any]] = []
        try:
            pending = self._write(data, written) if holds_lines(data) else [root.end]
            text = dump_round_trip(data)
        finally:
            for record in written:
                record[1] = None
        return text + "".join(pending)

    def _write(self, node: Any, written: list[list[Any]]) -> list[str]:
        """Put the lines of ``node`` and the collections in it before their entries, as comment tokens;
        returns the lines that come after its last entry."""
        from ruamel.yaml.error import CommentMark
        from ruamel.yaml.tokens import CommentToken

        lines = self._lines[id(node)]
        pending = [lines.start]
        for key in _keys(node):
            record = _record(node, key)
            text = "".join(pending) + lines.before.get(id(record), "")
            if text:
                record[1] = [CommentToken(text, CommentMark(0))]
                written.append(record)
            value = node[key]
            pending = self._write(value, written) if holds_lines(value) else []
        return [*pending, lines.end]


class _Settler:
    """Works out where the lines of the last state go among the collections and entries there are now."""

    def __init__(
        self, old: dict[int, _Lines], nested: dict[tuple[int, int], list[_Lines]], settled: dict[int, _Lines]
    ) -> None:
        self.old = old
        self.nested = nested
        self.settled = settled

    def settle(self, node: Any, depth: int, parent: tuple[_Lines, int] | None) -> None:
        start, before, after, end = self._places(node, depth)
        lines = _Lines(node, depth, parent, start="".join(start))
        self.settled[id(node)] = lines
        carry = ""
        for key in _keys(node):
            record = _record(node, key)
            text = carry + "".join(before.get(id(record), []))
            if lines.order:
                lines.before[id(record)] = text
            else:  # lines before the first entry are the collection's start
                lines.start += text
            lines.order.append(record)
            value = node[key]
            carry = ""
            if holds_lines(value):
                self.settle(value, depth + 1, (lines, id(record)))
            elif _is_collection(value):
                carry = "".join(self.flat(self.old.get(id(value)), depth))
            carry += "".join(after.get(id(record), []))
        lines.end = carry + "".join(end)
        lines.before = {k: v for k, v in lines.before.items() if v}

    def flat(self, lines: _Lines | None, depth: int) -> list[str]:
        """All the lines of a collection (and of those that were in it), re-indented to ``depth``."""
        if lines is None:
            return []
        return [_shift(text, (depth - source.depth) * INDENT) for _, text, source, _ in self._anchors(lines)]

    def _places(
        self, node: Any, depth: int
    ) -> tuple[list[str], dict[int, list[str]], dict[int, list[str]], list[str]]:
        """Lines at the start of ``node``, before and after each of its entries (by record), at its end: an
        entry's lines stay before it; the lines of an entry that left stay after the entry before it."""
        start: list[str] = []
        before: dict[int, list[str]] = {}
        after: dict[int, list[str]] = {}
        end: list[str] = []
        lines = self.old.get(id(node))
        if lines is None:
            return start, before, after, end
        here = {id(node.ca.items[k]) for k in _keys(node) if k in node.ca.items}
        carry = start
        for where, text, source, record in self._anchors(lines):
            shifted = _shift(text, (depth - source.depth) * INDENT)
            if where == "before" and record is not None and id(record) in here:
                before.setdefault(id(record), []).append(shifted)
                carry = after.setdefault(id(record), [])
            elif where == "end" and source is lines:
                end.append(shifted)
            elif shifted:
                carry.append(shifted)
        return start, before, after, end

    def _anchors(self, lines: _Lines) -> Iterator[tuple[str, str, _Lines, list[Any] | None]]:
        """(where, text, the collection it was in, the record it was before) in document order, with the
        lines of the collections that were inside its entries and are gone in their places."""
        yield "start", lines.start, lines, None
        for record in lines.order:
            yield "before", lines.before.get(id(record), ""), lines, record
            for inner in self.nested.get((id(lines), id(record)), []):
                yield from self._anchors(inner)
        yield "end", lines.end, lines, None


def _reached(node: Any) -> Iterator[Any]:
    """The collections whose lines have a place: those reached from the top through block collections
    (a collection inside a flow collection has none: its lines go where the flow collection's go)."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if holds_lines(item):
            stack.extend(value for value in (item[k] for k in _keys(item)) if _is_collection(value))


class _Taker:
    """Walks the data in document order, lifting the lines out of ruamel's comment slots, then anchors each
    run of lines by its indentation between the entries around it."""

    def __init__(self, comments: Comments, data: Any, text_lines: list[str]) -> None:
        self.comments = comments
        self.text_lines = text_lines
        self.seen: set[int] = set()
        self.columns: dict[int, int] = {}
        self.events: list[tuple[list[_Lines], list[Any] | None, str]] = []  # (open collections, entry, text)
        self._walk(data, [self._open(data, 0, None)])
        self._anchor()

    def _open(self, node: Any, depth: int, parent: tuple[_Lines, int] | None) -> _Lines:
        lines = _Lines(node, depth, parent)
        self.comments._lines[id(node)] = lines
        return lines

    def _column(self, lines: _Lines) -> int:
        """The column the collection's entries start at in the file."""
        if id(lines) not in self.columns:
            node = lines.node
            try:
                if _is_map(node):
                    column = int(node.lc.key(next(iter(node)))[1])
                else:
                    row = self.text_lines[node.lc.item(0)[0]]
                    column = len(row) - len(row.lstrip(" "))
            except (AttributeError, KeyError, IndexError, TypeError):
                column = lines.depth * INDENT
            self.columns[id(lines)] = column
        return self.columns[id(lines)]

    def _lift(self, holder: Any, index: int) -> str:
        """The text of the list of comment tokens at ``holder[index]``, which is emptied (in place too: the
        same list can be in two slots) and taken out."""
        if holder is None or len(holder) <= index:
            return ""
        slot = holder[index]
        holder[index] = None
        if not slot or id(slot) in self.seen:
            return ""
        self.seen.add(id(slot))
        text = "".join(_text(t) for t in slot if t is not None)
        slot.clear()
        return text

    def _lift_tail(self, record: list[Any], slot: int, block_scalar: bool) -> str:
        """The lines after an entry's own line; the entry keeps its end-of-line comment."""
        token = record[slot]
        if token is None or id(token) in self.seen:
            return ""
        self.seen.add(id(token))
        if block_scalar:  # the token starts after the scalar's last line: all of it is lines
            record[slot] = None
            return _text(token)
        own, newline, after = str(token.value).partition("\n")
        if own.strip():
            token.value = own + newline
        else:
            record[slot] = None
        return after

    def _walk(self, node: Any, chain: list[_Lines]) -> None:
        ca = node.ca
        self._note(chain, self._lift(ca.comment, 1))
        tail_slot = 2 if _is_map(node) else 0
        for key in _keys(node):
            record = _record(node, key)
            chain[-1].order.append(record)
            self._note(chain, self._lift(record, 1))
            self.events.append((list(chain), record, ""))
            value = node[key]
            if holds_lines(value):
                self._note(chain, self._lift_tail(record, tail_slot, False))
                if _is_map(node):
                    self._note(chain, self._lift(record, 3))
                inner = self._open(value, chain[-1].depth + 1, (chain[-1], id(record)))
                self._walk(value, [*chain, inner])
            else:
                self._note(chain, self._lift_tail(record, tail_slot, _is_block_scalar(value)))
        if getattr(ca, "end", None):
            self._note(chain, "".join(_text(t) for t in ca.end))
            ca.end = []

    def _note(self, chain: list[_Lines], text: str) -> None:
        if text:
            self.events.append((list(chain), None, text))

    def _anchor(self) -> None:
        """Give each run of lines between two entries to a collection."""
        previous: list[_Lines] = []
        run: list[str] = []
        for chain, record, text in [*self.events, ([], None, "")]:
            if record is None and text:
                run += text.splitlines(keepends=True)
                continue
            if run:
                self._place(previous, chain, record, run)
                run = []
            if record is not None:
                previous = chain
        self.events.clear()

    def _place(
        self, before: list[_Lines], after: list[_Lines], record: list[Any] | None, run: list[str]
    ) -> None:
        """Lines between the entry whose collections are ``before`` and the one whose collections are
        ``after`` (``record``; None at the end of the file): the start of a collection that opens here, or
        else, line by line, the end of one of those that close here, or the gap before the next entry —
        the innermost collection whose entries are indented no deeper than the line."""
        common = 0
        while common < min(len(before), len(after)) and before[common] is after[common]:
            common += 1
        if record is not None and len(after) > common:
            after[-1].start += "".join(run)
            return
        candidates = before[max(common - 1, 0) :] if record is not None else before
        columns = [self._column(c) for c in candidates]
        levels: list[int | None] = []
        for line in run:
            if not line.strip():
                levels.append(None)
                continue
            indent = len(line) - len(line.lstrip(" "))
            level = max((n for n, col in enumerate(columns) if col <= indent), default=0)
            above = next((x for x in reversed(levels) if x is not None), level)
            levels.append(min(level, above))  # once a collection has ended, no line goes back into it
        for n in reversed(range(len(levels))):  # a blank line goes with the comment line after it
            if levels[n] is None:
                levels[n] = levels[n + 1] if n + 1 < len(levels) else 0
        for line, at in zip(run, levels, strict=True):
            lines = candidates[at or 0]
            if record is not None and not at:
                lines.before[id(record)] = lines.before.get(id(record), "") + line
            else:
                lines.end += line
