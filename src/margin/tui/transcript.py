"""The transcript view: a document's paragraphs wrapped to the width, codings coloured, a margin of stripes.

A Line API widget: ``render_line`` draws one row from strips rendered a paragraph at a time and kept in an
LRU cache keyed by (paragraph, width, version). Opening a document costs one sweep over its codings
(``paragraph_pieces``) and one layout per width; a repaint renders only the paragraphs on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from margin.core.coding import Coding
from margin.core.document import Document
from margin.core.errors import MarginError
from margin.tui.layout import Piece, TextLayout, display_text, paragraph_pieces

STRIP_CACHE_SIZE = 1024
"""Paragraphs whose rendered rows are kept (a screen shows at most a few hundred)."""
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
    cursor: Style
    gutter: Style
    gutter_cursor: Style
    timestamp: Style
    speaker: Style
    placeholder: Style


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """A read-only view of one document with a line cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Previous line", show=False, id="transcript.cursor-up"),
        Binding("down", "cursor_down", "Next line", show=False, id="transcript.cursor-down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="transcript.page-up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="transcript.page-down"),
        Binding("home", "cursor_first", "First line", show=False, id="transcript.first-line"),
        Binding("end", "cursor_last", "Last line", show=False, id="transcript.last-line"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--cursor-line",
        "transcript--gutter",
        "transcript--gutter-cursor",
        "transcript--timestamp",
        "transcript--speaker",
        "transcript--placeholder",
    }

    class CursorMoved(Message):
        """The cursor moved, or another document was opened: the row, its paragraph and codings."""

        def __init__(self, view: TranscriptView, row: int, paragraph: int, codings: tuple[Coding, ...]):
            super().__init__()
            self.view = view
            self.row = row
            self.paragraph = paragraph
            self.codings = codings

        @property
        def control(self) -> TranscriptView:
            return self.view

        @property
        def codes(self) -> tuple[str, ...]:
            """The slugs of the codings on the cursor's row, outermost first, each once."""
            return tuple(dict.fromkeys(code for coding in self.codings for code in coding.codes))

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._document: Document | None = None
        self._codebook: CodeStyles | None = None
        self._pieces: dict[int, list[Piece]] = {}
        self._layout: TextLayout | None = None
        self._version = 0
        self._cursor = 0
        self._strips: LRUCache[tuple[int, int, int], tuple[Strip, ...]] = LRUCache(STRIP_CACHE_SIZE)
        self._looks: dict[str, _Look] = {}
        self._styles: _Styles | None = None

    # --- the document -------------------------------------------------------------------------------
    @property
    def document(self) -> Document | None:
        return self._document

    @property
    def text_layout(self) -> TextLayout | None:
        """The layout at the current width (None until the view has a size and a document)."""
        return self._layout

    def show_document(self, document: Document | None, codebook: CodeStyles) -> None:
        """Show ``document`` (or nothing), codes drawn as ``codebook`` says; the cursor goes to the top."""
        self._document = document
        self._codebook = codebook
        self._pieces = paragraph_pieces(document) if document is not None else {}
        self._looks.clear()
        self._strips.clear()
        self._version += 1
        self._layout = None
        self._cursor = 0
        self.scroll_to(y=0, animate=False)
        self._relayout()
        self.refresh()
        if self._layout is None:
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
        offset = old.row_span(self._cursor)[0] if old is not None else 0
        layout = TextLayout(document, self._pieces, width)
        self._layout = layout
        self._cursor = layout.row_of(offset)
        self.virtual_size = Size(width, layout.row_count)
        self._scroll_to_cursor()
        self._post_cursor()

    # --- the cursor ---------------------------------------------------------------------------------
    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_paragraph(self) -> int:
        return self._layout.paragraph_at(self._cursor) if self._layout is not None else 0

    def codings_at_cursor(self) -> tuple[Coding, ...]:
        """The codings on the cursor's row, by stripe column (outermost first)."""
        if self._layout is None or self._document is None:
            return ()
        codings = self._document.codings
        return tuple(codings[i] for i in self._layout.codings_on_row(self._cursor))

    def move_cursor(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped to the document) and scroll it into view."""
        layout = self._layout
        if layout is None:
            return
        row = max(0, min(row, layout.row_count - 1))
        if row != self._cursor:
            self.refresh_line(self._cursor)
            self._cursor = row
            self.refresh_line(row)
            self._post_cursor()
        self._scroll_to_cursor()

    def _post_cursor(self) -> None:
        self.post_message(
            self.CursorMoved(self, self._cursor, self.cursor_paragraph, self.codings_at_cursor())
        )

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif height > 0 and self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_page_up(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        self.scroll_to(y=self.scroll_y - height, animate=False)
        self.move_cursor(self._cursor - height)

    def action_cursor_page_down(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        self.scroll_to(y=self.scroll_y + height, animate=False)
        self.move_cursor(self._cursor + height)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        if self._layout is not None:
            self.move_cursor(self._layout.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if (
            offset is not None
            and self._layout is not None
            and offset.y + self.scroll_offset.y < self._layout.row_count
        ):
            self.move_cursor(offset.y + self.scroll_offset.y)

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
                cursor=base + part("transcript--cursor-line"),
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
            if self._document is None and y == 0:
                placeholder = Strip([Segment(f" {PLACEHOLDER}", styles.placeholder)])
                return placeholder.adjust_cell_length(width).apply_style(styles.base)
            return Strip.blank(width, styles.base)
        paragraph = layout.paragraph_at(row)
        strip = self.paragraph_strips(paragraph)[row - layout.rows[paragraph]]
        if row != self._cursor:
            return strip.apply_style(styles.base)
        gutter, *rest = strip
        cursor_gutter = Segment(gutter.text, styles.gutter_cursor)
        return Strip([cursor_gutter, *rest], strip.cell_length).apply_style(styles.cursor)

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
            covering = [index for start, end, index in pieces if start <= a < end]
            style = self._coding_style(max(covering), len(covering) > 1) if covering else None
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
        codings = layout.doc.codings
        for index in layout.codings_on_row(row):
            first, last = layout.coding_rows[index]
            column = layout.columns[index]
            coding = codings[index]
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
        """Labels of the codings that start on a row, as chips in their codes' colours, cut to ``width``."""
        segments: list[Segment] = []
        room = width
        for slug in dict.fromkeys(code for coding in codings for code in coding.codes):
            if segments:
                if room < 2:
                    break
                segments.append(Segment(" "))
                room -= 1
            look = self._look(slug)
            label = look.label
            if cell_len(label) > room:
                label = set_cell_size(label, room - 1) + "…"
            segments.append(Segment(label, look.text))
            room -= cell_len(label)
            if room <= 0:
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

    def _coding_style(self, index: int, overlapped: bool) -> Style:
        assert self._document is not None
        style = self._look(self._document.codings[index].codes[0]).text
        return style + _UNDERLINE if overlapped else style
