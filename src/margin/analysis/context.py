"""A line of context: the paragraph around a span of a document, with the span marked."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from margin.core.document import Document

REACH = 500
"""At most this many characters of the paragraph before and after a span are its context (then '…'): a
segment or search hit carries a line of context, not its whole paragraph, however long that is."""


@dataclass(frozen=True, slots=True)
class Context:
    """The paragraph holding a span's start, cut into the text before, inside and after the span.

    A span that runs on into later paragraphs is marked up to the end of its first paragraph. The text
    before and after is at most REACH characters, cut at a space where there is one ('…' marks the cut).
    """

    before: str
    inside: str
    after: str

    @classmethod
    def of(cls, doc: Document, start: int, end: int) -> Context:
        return cls.within(doc.text, doc.paragraph_starts, start, end)

    @classmethod
    def within(cls, text: str, starts: list[int], start: int, end: int) -> Context:
        """The context of ``[start, end)`` in ``text`` whose paragraphs begin at ``starts``."""
        index = bisect.bisect_right(starts, start) - 1
        first = starts[index]
        last = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
        stop = min(end, last)
        before = text[max(first, start - REACH) : start]
        if start - first > REACH:
            cut = before.find(" ")
            before = "…" + (before[cut + 1 :] if 0 <= cut < REACH // 2 else before[1:])
        after = text[stop : min(last, stop + REACH)]
        if last - stop > REACH:
            cut = after.rfind(" ")
            after = (after[:cut] if cut > REACH // 2 else after[:-1]) + "…"
        return cls(before, text[start:stop], after)

    @property
    def text(self) -> str:
        return self.before + self.inside + self.after

    def marked(self, left: str = "«", right: str = "»") -> str:
        """The paragraph with the span between ``left`` and ``right``."""
        return f"{self.before}{left}{self.inside}{right}{self.after}"

    def clip(self, width: int) -> Context:
        """The same context cut to about ``width`` characters around the span, '…' where cut.

        The span is cut at its end only if it leaves no room for a little of the text on either side (a
        sixth of the width each); what room is left is shared by the text before and after the span.
        """
        width = max(width, 8)
        reserve = min(len(self.before), width // 6) + min(len(self.after), width // 6)
        limit = max(width - reserve, width // 2)
        inside = self.inside if len(self.inside) <= limit else self.inside[: limit - 1] + "…"
        room = max(width - len(inside), 0)
        before, after = self.before, self.after
        left = min(len(before), max(room // 2, room - len(after)))
        right = room - left
        if len(before) > left:
            before = "…" + before[len(before) - left + 1 :] if left > 0 else ""
        if len(after) > right:
            after = after[: right - 1] + "…" if right > 0 else ""
        return Context(before, inside, after)
