"""A coding: codes applied to a span of a document's plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass

SLUG_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
LABEL_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Coding:
    """Codes on the plain text ``[start, end)`` (code points), with an optional segment memo.

    ``label`` is set for spans written with the labelled syntax (``{@a …}@a[…]``); Margin keeps a label
    it has read and chooses one itself where a span must cross another.
    """

    start: int
    end: int
    codes: tuple[str, ...]
    memo: str | None = None
    label: str | None = None

    def sort_key(self) -> tuple[int, int]:
        """Canonical order: by start, longer spans first."""
        return (self.start, -self.end)

    def same_segment(self, other: Coding) -> bool:
        return self.start == other.start and self.end == other.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def is_slug(value: str) -> bool:
    return SLUG_RE.fullmatch(value) is not None
