"""Where the coder is in each document: the cursor left in every document, and the span a change touched.

A document opens where the coder left it, in this session and the next: the cursors are kept in
``.margin/cache/places.json`` (git-ignored, like the rest of the cache; losing it only means documents open
at their start). Undo and redo show the span their change touched, in whichever document it was.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from margin.core.errors import MarginError
from margin.core.operations import DocState
from margin.core.paths import inside
from margin.core.project import STATE
from margin.core.textfile import atomic_write, read_bytes

PLACES = f"{STATE}/cache/places.json"


class Places:
    """The cursor's offset in every document the coder has left, kept across sessions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.offsets: dict[str, int] = {}
        try:
            saved = json.loads(read_bytes(inside(root, PLACES), PLACES))
        except (OSError, ValueError, RecursionError, MarginError):
            return  # none kept yet, or unreadable (or a link): documents open at their start
        if isinstance(saved, dict):
            self.offsets = {
                k: v for k, v in saved.items() if isinstance(k, str) and type(v) is int and v >= 0
            }

    def left(self, doc_id: str, offset: int) -> None:
        """The coder left ``doc_id`` with the cursor at ``offset``."""
        self.offsets[doc_id] = offset

    def offset(self, doc_id: str) -> int:
        """Where to put the cursor when ``doc_id`` opens (0: its start)."""
        return self.offsets.get(doc_id, 0)

    def save(self) -> None:
        """Keep the places for the next session (a failure only loses them)."""
        with contextlib.suppress(OSError, MarginError):
            atomic_write(inside(self.root, PLACES), json.dumps(self.offsets, indent=0, sort_keys=True))


def changed_span(before: DocState, after: DocState) -> tuple[int, int]:
    """The span of ``after``'s text that differs from ``before``: the text that changed, else the codings
    added, removed or changed (``(n, n)`` when text was only deleted at ``n``)."""
    old, new = before.text, after.text
    if old != new:
        limit = min(len(old), len(new))
        start = 0
        while start < limit and old[start] == new[start]:
            start += 1
        end = 0
        while end < limit - start and old[-1 - end] == new[-1 - end]:
            end += 1
        return start, len(new) - end
    differ = set(before.codings) ^ set(after.codings)
    if not differ:
        return 0, 0
    return min(c.start for c in differ), max(c.end for c in differ)
