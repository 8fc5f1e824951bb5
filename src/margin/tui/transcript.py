"""The transcript view: a document's paragraphs wrapped to the width, codings coloured, a margin of stripes,
a character cursor and a selection.

A Line API widget: ``render_line`` draws one row from strips rendered a paragraph at a time and kept in an
LRU cache keyed by (paragraph, width, version); the cursor and the selection are laid over the cached rows
when drawn. Opening a document costs one sweep over its codings (``paragraph_pieces``) and one layout per
width; a repaint renders only the paragraphs on screen, and a change of codings re-renders only the
paragraphs it touched (``document_changed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from margin.core.coding import Coding
from margin.core.document import Document
from margin.core.errors import MarginError
from margin.tui.highlights import Highlights
from margin.tui.layout import Piece, TextLayout, coding_changes, display_text, paragraph_pieces, wrap_offsets
from margin.tui.selection import Span, Unit, unit_after, unit_at

STRIP_CACHE_SIZE = 1024
"""Paragraphs whose rendered rows are kept (a screen shows at most a few hundred)."""
RECODE_AT_MOST = 256
"""A change of more codings than this (a reload, a merge of codes) lays the document out anew."""
UNKNOWN_COLOR = "#888888"
PLACEHOLDER = "No document open: choose one in the list on the left."
_UNDERLINE = Style(underline=True)


def code_style(color: str) -> Style:
    """Text on a code's colour ("#rrggbb"), in black or white, whichever reads better."""
    try:
        background = Color.parse(color)
    except ColorParseError:
        background = Color.parse(UNKNOWN_COLOR)
    return Style(color=background.get_contrast_text(1.0).rich_color, bgcolor=background.rich_color)


class CodeStyles(Protocol):
    """What the view needs from a codebook: a code's display label and colour ("#rrggbb")."""

    def label(self, slug: str) -> str: ...

    def color(self, slug: str) -> str: ...


def code_look(codebook: CodeStyles, slug: str) -> tuple[str, str]:
    """A code's label and colour; a slug the codebook does not know is shown as itself, in grey."""
    try:
        return codebook.label(slug), codebook.color(slug)
    except MarginError:
        return slug, UNKNOWN_COLOR


@dataclass(frozen=True, slots=True)
class _Look:
    """How a code is drawn: its label, its text style and its stripe style."""

    label: str
    text: Style
    stripe: Style


@dataclass(frozen=True, slots=True)
class _Styles:
    """Styles from the stylesheet, read once per style change (component styles are partial)."""

    base: Style
    cursor_line: Style
    cursor: Style
    selection: Style
    gutter: Style
    gutter_cursor: Style
    timestamp: Style
    speaker: Style
    placeholder: Style


def _overlay(strip: Strip, start: int, end: int, style: Style) -> Strip:
    """``strip`` with ``style`` laid over the cells ``[start, end)`` (it wins over the cells' own styles)."""
    left, middle, right = strip.divide([start, end, strip.cell_length])
    middle = Strip([Segment(text, (own or Style()) + style) for text, own, _ in middle], middle.cell_length)
    return Strip.join([left, middle, right])


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """One document with a character cursor and a selection (offsets are code points into its text)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cursor_left", "Previous character", show=False, id="transcript.cursor-left"),
        Binding("right", "cursor_right", "Next character", show=False, id="transcript.cursor-right"),
        Binding("up", "cursor_up", "Previous line", show=False, id="transcript.cursor-up"),
        Binding("down", "cursor_down", "Next line", show=False, id="transcript.cursor-down"),
        Binding("shift+left", "select_left", "Select left", show=False, id="transcript.select-left"),
        Binding("shift+right", "select_right", "Select right", show=False, id="transcript.select-right"),
        Binding("shift+up", "select_up", "Select up", show=False, id="transcript.select-up"),
        Binding("shift+down", "select_down", "Select down", show=False, id="transcript.select-down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="transcript.page-up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="transcript.page-down"),
        Binding("home", "cursor_first", "Start of the document", show=False, id="transcript.first-line"),
        Binding("end", "cursor_last", "End of the document", show=False, id="transcript.last-line"),
        Binding("w", "select_unit('word')", "Select word", id="transcript.select-word"),
        Binding("s", "select_unit('sentence')", "Select sentence", id="transcript.select-sentence"),
        Binding(
            "p", "select_unit('paragraph')", "Select paragraph", show=False, id="transcript.select-paragraph"
        ),
        Binding("t", "select_unit('turn')", "Select turn", show=False, id="transcript.select-turn"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="transcript.clear-selection"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--cursor-line",
        "transcript--cursor",
        "transcript--selection",
        "transcript--gutter",
        "transcript--gutter-cursor",
        "transcript--timestamp",
        "transcript--speaker",
        "transcript--placeholder",
    }

    class CursorMoved(Message):
        """The cursor or the selection moved, or the document or its codings changed."""

        def __init__(
            self,
            view: TranscriptView,
            row: int,
            paragraph: int,
            codings: tuple[Coding, ...],
            offset: int = 0,
            selection: Span | None = None,
        ):
            super().__init__()
            self.view = view
            self.row = row
            self.paragraph = paragraph
            self.codings = codings
            """The codings that cover the cursor's character, outermost first."""
            self.offset = offset
            self.selection = selection

        @property
        def control(self) -> TranscriptView:
            return self.view

        @property
        def codes(self) -> tuple[str, ...]:
            """The slugs of the codings at the cursor, outermost first, each once."""
            return tuple(dict.fromkeys(code for coding in self.codings for code in coding.codes))

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._document: Document | None = None
        self._codebook: CodeStyles | None = None
        self._pieces: dict[int, list[Piece]] = {}
        self._layout: TextLayout | None = None
        self._laid: tuple[str, tuple[Coding, ...]] = ("", ())
        """The text and codings the layout was made for (to find what a change touched)."""
        self._version = 0
        self._offset = 0
        self._anchor: int | None = None
        self._goal: int | None = None
        self._unit: tuple[Unit, Span] | None = None
        self._dragging = False
        self._cursor = 0
        self._strips: LRUCache[tuple[int, int, int], tuple[Strip, ...]] = LRUCache(STRIP_CACHE_SIZE)
        self._looks: dict[str, _Look] = {}
        self._styles: _Styles | None = None
        self._highlights = Highlights()

    # --- the document -------------------------------------------------------------------------------
    @property
    def document(self) -> Document | None:
        return self._document

    @property
    def text_layout(self) -> TextLayout | None:
        """The layout at the current width (None until the view has a size and a document)."""
        return self._layout

    def show_document(self, document: Document | None, codebook: CodeStyles, offset: int = 0) -> None:
        """Show ``document`` (or nothing), codes drawn as ``codebook`` says, the cursor at ``offset``."""
        self._document = document
        self._codebook = codebook
        self._pieces = paragraph_pieces(document) if document is not None else {}
        self._laid = (document.text, tuple(document.codings)) if document is not None else ("", ())
        self._looks.clear()
        self._strips.clear()
        self._version += 1
        self._layout = None
        self._offset = min(max(offset, 0), len(document.text)) if document is not None else 0
        self._anchor = None
        self._goal = None
        self._unit = None
        self._cursor = 0
        if offset == 0:
            self.scroll_to(y=0, animate=False)
        self._relayout()
        self.refresh()
        if self._layout is None:
            self._post_cursor()

    def document_changed(self) -> None:
        """Show the document's current text and codings, re-rendering only what changed.

        A change of codings re-renders the paragraphs of the codings removed and added; a change of text
        (or of codings that needs a wider margin) lays the document out anew. The cursor keeps its offset.
        """
        document = self._document
        if document is None:
            return
        text, codings = self._laid
        layout = self._layout
        touched: set[int] | None = None
        if layout is not None and (document.text is text or document.text == text):
            removed, added = coding_changes(codings, document.codings)
            if len(removed) + len(added) <= RECODE_AT_MOST:
                touched = layout.recode(removed, added)
        if touched is None:
            assert self._codebook is not None
            self.show_document(document, self._codebook, self._offset)
            return
        self._laid = (document.text, tuple(document.codings))
        assert layout is not None
        for paragraph in touched:
            self._strips.discard((paragraph, layout.width, self._version))
            first = layout.rows[paragraph]
            self.refresh_lines(first, layout.rows[paragraph + 1] - first)
        self._post_cursor()

    def codebook_changed(self, codebook: CodeStyles) -> None:
        """Redraw every code's colour and label from ``codebook``."""
        self._codebook = codebook
        self._looks.clear()
        self._strips.clear()
        self.refresh()
        self._post_cursor()

    def on_resize(self) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        document = self._document
        old = self._layout
        if document is None or width <= 0:
            self._layout = None
            self.virtual_size = Size(max(width, 0), 1)
            return
        if old is not None and old.width == width:
            return
        layout = TextLayout(document, self._pieces, width)
        self._layout = layout
        self._cursor = layout.row_of(self._offset)
        self.virtual_size = Size(width, layout.row_count)
        self._scroll_to_cursor()
        self._post_cursor()

    # --- the cursor and the selection ---------------------------------------------------------------
    @property
    def cursor_offset(self) -> int:
        return self._offset

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_paragraph(self) -> int:
        return self._document.paragraph_of(self._offset) if self._document is not None else 0

    @property
    def selection(self) -> Span | None:
        """The selected text ``(start, end)``, or None."""
        if self._anchor is None or self._anchor == self._offset:
            return None
        return min(self._anchor, self._offset), max(self._anchor, self._offset)

    def codings_at_cursor(self) -> tuple[Coding, ...]:
        """The codings that cover the character at the cursor, outermost first."""
        document = self._document
        if document is None:
            return ()
        paragraph = document.paragraph_of(self._offset)
        local = self._offset - document.paragraph_starts[paragraph]
        return tuple(c for start, end, c in self._pieces.get(paragraph, ()) if start <= local < end)

    def move_to(self, offset: int, *, select: bool = False, keep_goal: bool = False) -> None:
        """Put the cursor at ``offset`` (clamped); ``select`` extends the selection to it, otherwise the
        selection is cleared. The cursor's row is scrolled into view."""
        document = self._document
        if document is None:
            return
        offset = min(max(offset, 0), len(document.text))
        old_selection = self.selection
        if select and self._anchor is None:
            self._anchor = self._offset
        elif not select:
            self._anchor = None
        if not keep_goal:
            self._goal = None
        self._unit = None
        self._set_cursor(offset, old_selection)

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)``; the cursor goes to its end."""
        document = self._document
        if document is None:
            return
        old = self.selection
        size = len(document.text)
        self._anchor = min(max(start, 0), size)
        self._goal = None
        self._unit = None
        self._set_cursor(min(max(end, 0), size), old)

    def go_to(self, offset: int, end: int | None = None) -> None:
        """Move the cursor to ``offset`` (and select up to ``end`` if given), scrolled into view."""
        if end is not None and end != offset:
            self.select(offset, end)
        else:
            self.move_to(offset)

    def set_highlights(self, spans: Sequence[tuple[int, int]]) -> None:
        """Mark ``spans`` of the document's text (search hits) until set again (``()`` clears them), another
        document is shown, or the text changes."""
        self._highlights = Highlights(spans, self._document.text if self._document is not None else None)
        self.refresh()

    def clear_selection(self) -> None:
        self.move_to(self._offset)

    def _set_cursor(self, offset: int, old_selection: Span | None) -> None:
        layout = self._layout
        previous = self._offset
        self._offset = offset
        if layout is None:
            self._post_cursor()
            return
        old_row = self._cursor
        self._cursor = layout.row_of(offset)
        self.refresh_line(old_row)
        self.refresh_line(self._cursor)
        for span in {old_selection, self.selection} - {None}:
            assert span is not None
            first, last = layout.row_of(span[0]), layout.row_of(span[1])
            self.refresh_lines(first, last - first + 1)
        self._scroll_to_cursor()
        if offset != previous or old_selection != self.selection:
            self._post_cursor()

    def _post_cursor(self) -> None:
        self.post_message(
            self.CursorMoved(
                self,
                self._cursor,
                self.cursor_paragraph,
                self.codings_at_cursor(),
                self._offset,
                self.selection,
            )
        )

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif height > 0 and self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)

    def _vertical(self, rows: int, select: bool) -> None:
        layout = self._layout
        if layout is None:
            return
        row, cell = layout.cell_of(self._offset)
        goal = cell if self._goal is None else self._goal
        target = max(0, min(row + rows, layout.row_count - 1))
        if target == row:  # on the first or the last row: to the start or the end of the document
            offset = 0 if rows < 0 else len(layout.doc.text)
        else:
            offset = layout.offset_at(target, goal)
        self.move_to(offset, select=select, keep_goal=True)
        self._goal = goal

    def action_cursor_left(self) -> None:
        selection = self.selection
        self.move_to(selection[0] if selection else self._offset - 1)

    def action_cursor_right(self) -> None:
        selection = self.selection
        self.move_to(selection[1] if selection else self._offset + 1)

    def action_cursor_up(self) -> None:
        self._vertical(-1, select=False)

    def action_cursor_down(self) -> None:
        self._vertical(1, select=False)

    def action_select_left(self) -> None:
        self.move_to(self._offset - 1, select=True)

    def action_select_right(self) -> None:
        self.move_to(self._offset + 1, select=True)

    def action_select_up(self) -> None:
        self._vertical(-1, select=True)

    def action_select_down(self) -> None:
        self._vertical(1, select=True)

    def action_cursor_page_up(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        self.scroll_to(y=self.scroll_y - height, animate=False)
        self._vertical(-height, select=False)

    def action_cursor_page_down(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        self.scroll_to(y=self.scroll_y + height, animate=False)
        self._vertical(height, select=False)

    def action_cursor_first(self) -> None:
        self.move_to(0)

    def action_cursor_last(self) -> None:
        if self._document is not None:
            self.move_to(len(self._document.text))

    def action_select_unit(self, unit: Unit) -> None:
        """Select the unit at the cursor; pressed again, extend the selection to the next unit."""
        document = self._document
        if document is None:
            return
        selection = self.selection
        if self._unit is not None and self._unit == (unit, selection) and selection is not None:
            following = unit_after(document, unit, selection[1])
            span = (selection[0], following[1]) if following is not None else None
        else:
            span = unit_at(document, unit, self._offset)
        if span is None:
            self.app.bell()
            return
        self.select(*span)
        self._unit = (unit, span)

    def action_clear_selection(self) -> None:
        if self.selection is None:
            raise SkipAction()
        self.clear_selection()

    # --- the mouse ----------------------------------------------------------------------------------
    def _offset_at(self, event: events.MouseEvent) -> int | None:
        layout = self._layout
        if layout is None:
            return None
        offset: Offset = event.get_content_offset_capture(self)
        row = max(0, min(offset.y + self.scroll_offset.y, layout.row_count - 1))
        return layout.offset_at(row, offset.x - layout.geometry.gutter)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1 or event.get_content_offset(self) is None:
            return
        offset = self._offset_at(event)
        if offset is None:
            return
        self.focus()
        self.move_to(offset, select=event.shift)
        self._anchor = self._anchor if event.shift else offset
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = self._offset_at(event)
        if offset is not None and offset != self._offset:
            anchor = self._anchor
            self.move_to(offset, select=True)
            self._anchor = anchor

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        if event.chain == 2:
            self._anchor = None
            self.action_select_unit("word")
        elif event.chain >= 3:
            self._anchor = None
            self.action_select_unit("paragraph")

    def on_focus(self) -> None:
        self.refresh_line(self._cursor)

    def on_blur(self) -> None:
        self.refresh_line(self._cursor)

    # --- drawing ------------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _get_styles(self) -> _Styles:
        if self._styles is None:
            base = self.rich_style

            def part(name: str) -> Style:
                return self.get_component_rich_style(name, partial=True)

            self._styles = _Styles(
                base=base,
                cursor_line=base + part("transcript--cursor-line"),
                cursor=part("transcript--cursor"),
                selection=part("transcript--selection"),
                gutter=part("transcript--gutter"),
                gutter_cursor=part("transcript--gutter-cursor"),
                timestamp=part("transcript--timestamp"),
                speaker=part("transcript--speaker"),
                placeholder=part("transcript--placeholder"),
            )
        return self._styles

    def render_lines(self, crop: Region) -> list[Strip]:
        self._relayout()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        styles = self._get_styles()
        row = y + self.scroll_offset.y
        layout = self._layout
        if layout is None or row >= layout.row_count:
            width = self.scrollable_content_region.width
            if self._document is None:
                return self._placeholder_line(y, width, styles)
            return Strip.blank(width, styles.base)
        paragraph = layout.paragraph_at(row)
        strip = self.paragraph_strips(paragraph)[row - layout.rows[paragraph]]
        if self._highlights.shown_over(layout.doc.text):
            strip = self._highlights.over(layout, row, strip, layout.geometry.gutter)
        strip = self._selection_and_cursor(layout, row, strip, styles)
        if row != self._cursor:
            return strip.apply_style(styles.base)
        gutter, *rest = strip
        cursor_gutter = Segment(gutter.text, styles.gutter_cursor)
        return Strip([cursor_gutter, *rest], strip.cell_length).apply_style(styles.cursor_line)

    @staticmethod
    def _placeholder_line(y: int, width: int, styles: _Styles) -> Strip:
        """Line ``y`` of the placeholder, wrapped to the width (never cut)."""
        starts = (*wrap_offsets(PLACEHOLDER, max(width - 2, 1)), len(PLACEHOLDER))
        text = PLACEHOLDER[starts[y] : starts[y + 1]].strip() if y + 1 < len(starts) else ""
        line = Strip([Segment(f" {text}", styles.placeholder)]) if text else Strip([])
        return line.adjust_cell_length(width).apply_style(styles.base)

    def _selection_and_cursor(self, layout: TextLayout, row: int, strip: Strip, styles: _Styles) -> Strip:
        """The row with the selected cells (a paragraph's line break as one cell after its text) and the
        cursor's cell drawn over it."""
        text_width = layout.geometry.text
        gutter = layout.geometry.gutter
        selection = self.selection
        if selection is not None:
            start, end = layout.row_span(row)
            last_row = layout.row_of(end) == row and end < len(layout.doc.text)
            a, b = max(selection[0], start), min(selection[1], end + (1 if last_row else 0))
            if a < b:
                text = display_text(layout.doc.text[start:end])
                first = cell_len(text[: a - start])
                after = cell_len(text[: b - start]) + (1 if b > end else 0)
                first, after = min(first, text_width), min(after, text_width)
                if first < after:
                    strip = _overlay(strip, gutter + first, gutter + after, styles.selection)
        elif row == self._cursor and self.has_focus:
            cell = min(layout.cell_of(self._offset)[1], text_width - 1)
            strip = _overlay(strip, gutter + cell, gutter + cell + 1, styles.cursor)
        return strip

    def paragraph_strips(self, paragraph: int) -> tuple[Strip, ...]:
        """The rows of ``paragraph`` as drawn at the current width (without the widget's own style)."""
        layout = self._layout
        assert layout is not None
        key = (paragraph, layout.width, self._version)
        strips = self._strips.get(key)
        if strips is None:
            strips = self._render_paragraph(layout, paragraph)
            self._strips[key] = strips
        return strips

    def _render_paragraph(self, layout: TextLayout, paragraph: int) -> tuple[Strip, ...]:
        document = layout.doc
        geometry = layout.geometry
        styles = self._get_styles()
        base, end = document.paragraph_span(paragraph)
        text = display_text(document.text[base:end])
        runs = self._runs(document, paragraph, text, styles)
        starts = layout.row_starts(paragraph)
        number = f"{paragraph + 1:>{geometry.gutter - 1}} "
        blank_gutter = " " * geometry.gutter
        first_row = layout.rows[paragraph]
        strips = []
        for i, start in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else len(text)
            body = Strip(
                [
                    Segment(text[max(a, start) : min(b, stop)], style)
                    for a, b, style in runs
                    if a < stop and b > start
                ]
            ).adjust_cell_length(geometry.text)
            line = Segment.simplify([*body, *self._margin(layout, first_row + i)])
            gutter = Segment(number if i == 0 else blank_gutter, styles.gutter)
            strips.append(Strip([gutter, *line], geometry.total))
        return tuple(strips)

    def _runs(
        self, document: Document, paragraph: int, text: str, styles: _Styles
    ) -> list[tuple[int, int, Style | None]]:
        """The paragraph cut where its style changes: turn prefix, and codings (the last one wins)."""
        pieces = self._pieces.get(paragraph, ())
        turn = document.turn(paragraph)
        stamp_end = len(turn.timestamp) + 2 if turn.timestamp else 0
        speaker_start = stamp_end + 1 if turn.timestamp else 0
        speaker_end = turn.text_start - 1 if turn.speaker else speaker_start
        if not pieces and not turn.timestamp and not turn.speaker:
            return [(0, len(text), None)]
        bounds = {0, len(text), stamp_end, speaker_start, speaker_end}
        for start, end, _ in pieces:
            bounds.add(start)
            bounds.add(end)
        runs: list[tuple[int, int, Style | None]] = []
        for a, b in pairwise(sorted(bounds)):
            covering = [coding for start, end, coding in pieces if start <= a < end]
            style = self._coding_style(covering[-1], len(covering) > 1) if covering else None
            if a < stamp_end:
                style = styles.timestamp if style is None else style + styles.timestamp
            elif speaker_start <= a < speaker_end:
                style = styles.speaker if style is None else style + styles.speaker
            runs.append((a, b, style))
        return runs

    def _margin(self, layout: TextLayout, row: int) -> list[Segment]:
        """The stripe columns and labels beside ``row``."""
        geometry = layout.geometry
        if not geometry.margin:
            return []
        cells = [Segment(" ")] * geometry.stripes
        starting: list[Coding] = []
        for coding in layout.codings_on_row(row):
            first, last = layout.rows_of(coding)
            column = layout.column_of(coding)
            if column < geometry.stripes:
                glyph = "▪" if first == last else "╷" if row == first else "╵" if row == last else "│"
                cells[column] = Segment(glyph, self._look(coding.codes[0]).stripe)
            if row == first:
                starting.append(coding)
        segments = [Segment(" "), *cells]
        if geometry.labels:
            segments.append(Segment(" "))
            segments.extend(self._labels(starting, geometry.labels))
        return segments

    def _labels(self, codings: list[Coding], width: int) -> Strip:
        """Labels of the codings that start on a row, as chips in their codes' colours, in ``width``: the
        labels that fit whole, then "+N" for the codes left out (the first label is cut to leave room)."""
        slugs = list(dict.fromkeys(code for coding in codings for code in coding.codes))
        segments: list[Segment] = []
        room = width
        for i, slug in enumerate(slugs):
            look = self._look(slug)
            gap = 1 if segments else 0
            left = len(slugs) - i - 1
            more = f" +{left}" if left else ""
            if gap + cell_len(look.label) + len(more) <= room:
                segments.extend([Segment(" ")] * gap + [Segment(look.label, look.text)])
                room -= gap + cell_len(look.label)
                continue
            if not segments:
                fit = max(room - len(more) - 1, 1)
                segments.append(Segment(set_cell_size(look.label, fit) + "…", look.text))
                segments.append(Segment(more))
            else:
                segments.append(Segment(f" +{left + 1}"))
            break
        return Strip(segments).adjust_cell_length(width)

    # --- code colours -------------------------------------------------------------------------------
    def _look(self, slug: str) -> _Look:
        look = self._looks.get(slug)
        if look is None:
            assert self._codebook is not None
            label, color = code_look(self._codebook, slug)
            text = code_style(color)
            look = self._looks[slug] = _Look(label, text, Style(color=text.bgcolor, bold=True))
        return look

    def _coding_style(self, coding: Coding, overlapped: bool) -> Style:
        style = self._look(coding.codes[0]).text
        return style + _UNDERLINE if overlapped else style
