"""How a transcript is laid out on screen: wrapped rows, coding pieces per paragraph, coding stripes.

Pure functions over a Document (no textual), so the layout can be tested and measured on its own.
Terms: a *paragraph* is a line of the document's plain text; a *row* is one screen line of the wrapped
transcript; a *piece* is the part of a coding that lies in one paragraph.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, get_character_cell_size

from margin.core.coding import Coding
from margin.core.controls import control_table
from margin.core.document import Document

MAX_STRIPES = 8
"""At most this many stripe columns; deeper codings keep their colour and label but get no bar."""
MAX_LABELS = 24
MIN_LABELS = 6
MIN_TEXT = 20

Piece = tuple[int, int, Coding]
"""``(start, end, coding)``: offsets local to the paragraph, clipped to it."""

_WORD = re.compile(r"\s*\S+\s*")
_NON_SPACE = re.compile(r"[^ ]")
_CONTROLS = control_table()
_CONTROLS.update({9: " ", 0x2028: "↵", 0x2029: "¶"})
_DISPLAY = str.maketrans(_CONTROLS)


def display_text(text: str) -> str:
    """``text`` with every control character replaced by one visible character (offsets unchanged)."""
    return text.translate(_DISPLAY)


def wrap_offsets(text: str, width: int) -> tuple[int, ...]:
    """Start offsets of the rows ``text`` fills at ``width`` cells: greedy breaks at spaces, words longer
    than a row folded. Trailing spaces hang past the width (they are cropped when drawn)."""
    width = max(width, 1)
    if text.isascii():
        return _wrap_ascii(text, width)
    if cell_len(text) <= width:
        return (0,)
    measure = cell_len
    starts = [0]
    col = 0
    for match in _WORD.finditer(text):
        start = match.start()
        word = match.group()
        body = word.rstrip()
        need = measure(body)
        if col + need <= width:
            col += measure(word)
            continue
        if col > 0:
            starts.append(start)
        if need <= width:
            col = measure(word)
            continue
        cuts = _fold(body, width)
        starts.extend(start + cut for cut in cuts)
        col = measure(word[cuts[-1] :] if cuts else word)
    return tuple(starts)


def _wrap_ascii(text: str, width: int) -> tuple[int, ...]:
    """``wrap_offsets`` for text whose only space is ' ' and whose characters are one cell each."""
    starts = [0]
    pos = 0
    end = len(text)
    while end - pos > width:
        limit = pos + width
        if text[limit] == " ":
            match = _NON_SPACE.search(text, limit)
            if match is None:
                break
            pos = match.start()
        else:
            after_space = text.rfind(" ", pos, limit) + 1
            pos = after_space if after_space > pos else limit
        starts.append(pos)
    return tuple(starts)


def _fold(word: str, width: int) -> list[int]:
    """Offsets (after 0) at which a word wider than ``width`` is cut into rows."""
    if word.isascii():
        return list(range(width, len(word), width))
    cuts = []
    col = 0
    for i, char in enumerate(word):
        size = get_character_cell_size(char)
        if col + size > width and col > 0:
            cuts.append(i)
            col = 0
        col += size
    return cuts


def paragraph_pieces(doc: Document) -> dict[int, list[Piece]]:
    """The coding pieces of every paragraph that has any, in one sweep over the codings.

    Pieces keep the codings' canonical order, so within a paragraph a later piece belongs to a coding
    that starts later (or at the same place and is shorter): the innermost or most recent one.
    """
    starts = doc.paragraph_starts
    count = len(starts)
    pieces: dict[int, list[Piece]] = {}
    first = 0
    for coding in doc.codings:
        while first + 1 < count and starts[first + 1] <= coding.start:
            first += 1
        _add_pieces(doc, pieces, coding, first)
    return pieces


def _add_pieces(doc: Document, pieces: dict[int, list[Piece]], coding: Coding, first: int) -> range:
    """Append the pieces of ``coding`` (which starts in paragraph ``first``); returns its paragraphs."""
    starts = doc.paragraph_starts
    count = len(starts)
    last = bisect_right(starts, max(coding.end - 1, coding.start)) - 1
    for p in range(first, last + 1):
        base = starts[p]
        length = (starts[p + 1] - 1 if p + 1 < count else len(doc.text)) - base
        pieces.setdefault(p, []).append((max(coding.start - base, 0), min(coding.end - base, length), coding))
    return range(first, last + 1)


def coding_changes(old: Sequence[Coding], new: Sequence[Coding]) -> tuple[list[Coding], list[Coding]]:
    """The codings of ``old`` not in ``new`` and those of ``new`` not in ``old`` (by identity), found
    between the common head and tail of the two lists (a change of codings touches a few in the middle)."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] is new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] is new[-1 - tail]:
        tail += 1
    old_middle = old[head : len(old) - tail]
    new_middle = new[head : len(new) - tail]
    kept = {id(c) for c in old_middle} & {id(c) for c in new_middle}
    return [c for c in old_middle if id(c) not in kept], [c for c in new_middle if id(c) not in kept]


def coding_paragraphs(doc: Document, coding: Coding) -> range:
    """The paragraphs a coding lies in (its pieces' paragraphs)."""
    return range(doc.paragraph_of(coding.start), doc.paragraph_of(max(coding.end - 1, coding.start)) + 1)


@dataclass(frozen=True, slots=True)
class Geometry:
    """Widths of a row's parts: ``gutter | text | ␣ stripes | ␣ labels`` (the margin only with codings)."""

    gutter: int
    text: int
    stripes: int
    labels: int

    @property
    def margin(self) -> int:
        if not (self.stripes or self.labels):
            return 0
        return 1 + self.stripes + (1 + self.labels if self.labels else 0)

    @property
    def total(self) -> int:
        return self.gutter + self.text + self.margin


def _geometry(total: int, gutter: int, stripes: int, has_codings: bool) -> Geometry:
    room = max(total - gutter, 1)
    if not has_codings:
        return Geometry(gutter, room, 0, 0)
    labels = min(MAX_LABELS, room // 5)
    if labels < MIN_LABELS or room - 2 - stripes - labels < MIN_TEXT:
        labels = 0
    stripes = min(stripes, max(room - 1 - MIN_TEXT, 0))
    margin = Geometry(gutter, 0, stripes, labels).margin
    return Geometry(gutter, max(room - margin, 1), stripes, labels)


@dataclass(frozen=True, slots=True)
class _Rows:
    """One pass of laying out: rows at a geometry's text width, and the codings' rows and columns."""

    geometry: Geometry
    rows: list[int]
    breaks: dict[int, tuple[int, ...]]
    coding_rows: dict[int, tuple[int, int]]
    columns: dict[int, int]
    column_count: int


def _row_of(doc: Document, rows: list[int], breaks: dict[int, tuple[int, ...]], offset: int) -> int:
    p = bisect_right(doc.paragraph_starts, offset) - 1
    wraps = breaks.get(p)
    return rows[p] + (bisect_right(wraps, offset - doc.paragraph_starts[p]) - 1 if wraps else 0)


def _lay_out(doc: Document, geometry: Geometry) -> _Rows:
    rows, breaks = _wrap_paragraphs(doc, geometry.text)
    coding_rows = {
        id(c): (_row_of(doc, rows, breaks, c.start), _row_of(doc, rows, breaks, max(c.end - 1, c.start)))
        for c in doc.codings
    }
    columns, count = _stripe_columns(doc.codings, coding_rows)
    return _Rows(geometry, rows, breaks, coding_rows, columns, count)


class TextLayout:
    """Rows, coding rows and stripe columns of one document at one width (in cells).

    Codings are known by identity: ``rows_of`` and ``column_of`` take a coding of the document. After the
    document's codings change (not its text), ``recode`` updates the layout in place for the codings
    removed and added, touching only their paragraphs.
    """

    def __init__(self, doc: Document, pieces: dict[int, list[Piece]], width: int) -> None:
        self.doc = doc
        self.pieces = pieces
        self.width = width
        gutter = len(str(doc.paragraph_count)) + 1
        has_codings = bool(doc.codings)
        # Reserve stripe columns for the most codings any paragraph holds (an upper bound for any row),
        # then, if the rows need fewer, lay out once more with only those.
        bound = min(MAX_STRIPES, max((len(v) for v in pieces.values()), default=0))
        laid = _lay_out(doc, _geometry(width, gutter, bound, has_codings))
        needed = min(laid.column_count, laid.geometry.stripes)
        if needed < laid.geometry.stripes:
            again = _lay_out(doc, _geometry(width, gutter, needed, has_codings))
            if min(again.column_count, MAX_STRIPES) <= again.geometry.stripes:
                laid = again
        self.geometry = laid.geometry
        self.has_codings = has_codings
        self.rows = laid.rows
        """First row of each paragraph, then the number of rows."""
        self.breaks = laid.breaks
        self._coding_rows = laid.coding_rows
        self._columns = laid.columns
        self.column_count = laid.column_count

    @property
    def row_count(self) -> int:
        return self.rows[-1]

    def paragraph_at(self, row: int) -> int:
        return bisect_right(self.rows, row, 0, len(self.rows) - 1) - 1

    def row_starts(self, paragraph: int) -> tuple[int, ...]:
        """Offsets (within the paragraph) at which its rows start."""
        return self.breaks.get(paragraph, (0,))

    def row_of(self, offset: int) -> int:
        """The row showing the text offset ``offset`` (a paragraph's '\\n' is on its last row)."""
        return _row_of(self.doc, self.rows, self.breaks, offset)

    def row_span(self, row: int) -> tuple[int, int]:
        """Text offsets ``[start, end)`` shown on ``row``."""
        p = self.paragraph_at(row)
        base, end = self.doc.paragraph_span(p)
        starts = self.row_starts(p)
        i = row - self.rows[p]
        return base + starts[i], base + starts[i + 1] if i + 1 < len(starts) else end

    def rows_of(self, coding: Coding) -> tuple[int, int]:
        """The first and last row of a coding of the document."""
        return self._coding_rows[id(coding)]

    def column_of(self, coding: Coding) -> int:
        """The stripe column of a coding of the document."""
        return self._columns[id(coding)]

    def codings_on_row(self, row: int) -> list[Coding]:
        """The codings whose rows include ``row``, by stripe column."""
        rows = self._coding_rows
        found = {
            id(c): c
            for _, _, c in self.pieces.get(self.paragraph_at(row), ())
            if rows[id(c)][0] <= row <= rows[id(c)][1]
        }
        return sorted(found.values(), key=self.column_of)

    # --- the cursor's geometry ----------------------------------------------------------------------
    def cell_of(self, offset: int) -> tuple[int, int]:
        """The row and the cell (within the text column) at which ``offset`` is drawn."""
        row = self.row_of(offset)
        start = self.row_span(row)[0]
        return row, cell_len(display_text(self.doc.text[start:offset]))

    def offset_at(self, row: int, cell: int) -> int:
        """The offset drawn at ``cell`` of ``row`` (the row's last offset for a cell right of its text);
        on a paragraph's last row that is the paragraph's end, where a cursor stands after its text."""
        start, end = self.row_span(row)
        last_row = row == self.rows[self.paragraph_at(row) + 1] - 1
        stop = end if last_row else max(end - 1, start)
        text = display_text(self.doc.text[start:stop])
        if text.isascii():
            return start + min(max(cell, 0), len(text))
        col = 0
        for i, char in enumerate(text):
            col += get_character_cell_size(char)
            if col > cell:
                return start + i
        return stop

    # --- changes of codings -------------------------------------------------------------------------
    def recode(self, removed: Iterable[Coding], added: Iterable[Coding]) -> set[int] | None:
        """Update pieces, rows and stripe columns after the document's codings (not its text) changed.

        Returns the paragraphs whose drawing changed, or None when the margin no longer fits this geometry
        and the document must be laid out anew. A new coding takes the lowest stripe column free over its
        rows, so stripes never share a cell (a full layout may arrange them more compactly).
        """
        doc = self.doc
        if bool(doc.codings) != self.has_codings:
            return None
        touched: set[int] = set()
        for coding in removed:
            span = coding_paragraphs(doc, coding)
            for p in span:
                kept = [piece for piece in self.pieces.get(p, ()) if piece[2] is not coding]
                if kept:
                    self.pieces[p] = kept
                else:
                    self.pieces.pop(p, None)
            touched.update(span)
            self._coding_rows.pop(id(coding), None)
            self._columns.pop(id(coding), None)
        for coding in added:
            first, last = self.row_of(coding.start), self.row_of(max(coding.end - 1, coding.start))
            span = coding_paragraphs(doc, coding)
            busy = {
                self._columns[id(other)]
                for p in span
                for _, _, other in self.pieces.get(p, ())
                if self._coding_rows[id(other)][0] <= last and first <= self._coding_rows[id(other)][1]
            }
            column = min(set(range(len(busy) + 1)) - busy)
            for p in span:
                piece = (*_clip(doc, coding, p), coding)
                insort(self.pieces.setdefault(p, []), piece, key=_piece_order)
            touched.update(span)
            self._coding_rows[id(coding)] = (first, last)
            self._columns[id(coding)] = column
            self.column_count = max(self.column_count, column + 1)
        if min(self.column_count, MAX_STRIPES) > self.geometry.stripes:
            return None
        return touched


def _clip(doc: Document, coding: Coding, paragraph: int) -> tuple[int, int]:
    base, end = doc.paragraph_span(paragraph)
    return max(coding.start - base, 0), min(coding.end - base, end - base)


def _piece_order(piece: Piece) -> tuple[int, int]:
    return piece[2].sort_key()


def _wrap_paragraphs(doc: Document, width: int) -> tuple[list[int], dict[int, tuple[int, ...]]]:
    """First row of every paragraph (plus the total at the end) and the row starts of those that wrap."""
    text = doc.text
    starts = doc.paragraph_starts
    count = len(starts)
    plain_ascii = text.isascii()
    rows = [0] * (count + 1)
    breaks: dict[int, tuple[int, ...]] = {}
    row = 0
    for p in range(count):
        rows[p] = row
        start = starts[p]
        end = starts[p + 1] - 1 if p + 1 < count else len(text)
        if plain_ascii and end - start <= width:
            row += 1
            continue
        offsets = wrap_offsets(display_text(text[start:end]), width)
        if len(offsets) > 1:
            breaks[p] = offsets
        row += len(offsets)
    rows[count] = row
    return rows, breaks


def _stripe_columns(
    codings: list[Coding], coding_rows: dict[int, tuple[int, int]]
) -> tuple[dict[int, int], int]:
    """Give each coding (in canonical order) the lowest stripe column free over its rows.

    This is a greedy colouring of intervals by start, which needs no more columns than codings share a
    row, and puts a nested coding one column right of the coding it sits in.
    """
    columns: dict[int, int] = {}
    active: list[tuple[int, int]] = []  # (last row, column)
    free: list[int] = []
    count = 0
    for coding in codings:
        first, last = coding_rows[id(coding)]
        while active and active[0][0] < first:
            heapq.heappush(free, heapq.heappop(active)[1])
        if free:
            column = heapq.heappop(free)
        else:
            column = count
            count += 1
        columns[id(coding)] = column
        heapq.heappush(active, (last, column))
    return columns, count
