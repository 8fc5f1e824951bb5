"""Highlighted spans over the transcript's rows (search hits), drawn over the codes' colours."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from margin.tui.layout import TextLayout, display_text

HIGHLIGHT = Style(color="#000000", bgcolor="#ffd54f", bold=True)


class Highlights:
    """Sorted, non-overlapping spans ``(start, end)`` of one text (a document's plain text as it was when
    they were found): they show over that text only, never over another document or an edited text."""

    def __init__(self, spans: Sequence[tuple[int, int]] = (), text: str | None = None) -> None:
        self.spans = sorted(spans)
        self.text = text
        self._ends = [end for _, end in self.spans]

    def shown_over(self, text: str) -> bool:
        return bool(self.spans) and text is self.text

    def over(self, layout: TextLayout, row: int, strip: Strip, gutter: int) -> Strip:
        """``strip`` (row ``row`` drawn, text starting after ``gutter`` cells) with the spans on it marked."""
        start, end = layout.row_span(row)
        index = bisect.bisect_right(self._ends, start)
        text: str | None = None
        limit = layout.geometry.text
        while index < len(self.spans) and self.spans[index][0] < end:
            a, b = max(self.spans[index][0], start), min(self.spans[index][1], end)
            index += 1
            if a >= b:
                continue
            if text is None:
                text = display_text(layout.doc.text[start:end])
            first = min(cell_len(text[: a - start]), limit)
            after = min(cell_len(text[: b - start]), limit)
            if first < after:
                left, middle, right = strip.divide([gutter + first, gutter + after, strip.cell_length])
                middle = Strip(
                    [Segment(t, (own or Style()) + HIGHLIGHT) for t, own, _ in middle], middle.cell_length
                )
                strip = Strip.join([left, middle, right])
        return strip
