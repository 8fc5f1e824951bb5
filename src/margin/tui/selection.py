"""Units of text the keys select (word, sentence, paragraph, speaker turn) and word steps for boundaries.

Pure functions over a Document's plain text; offsets are code points, spans are ``(start, end)`` with
``end`` exclusive.
"""

from __future__ import annotations

import re
from typing import Literal

from margin.core.document import Document

Span = tuple[int, int]
Unit = Literal["word", "sentence", "paragraph", "turn"]

WORD = re.compile(r"\w+(?:['’-]\w+)*")
"""A word: letters and digits, with inner apostrophes and hyphens (don't, peer-led)."""
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def _word_in(text: str, lo: int, hi: int, offset: int) -> Span | None:
    """The word of ``text[lo:hi]`` holding ``offset``, else the next one, else the one before."""
    before = None
    for match in WORD.finditer(text, lo, hi):
        if match.end() > offset:
            return match.span()
        before = match.span()
    return before


def _turn_span(doc: Document, paragraph: int) -> Span:
    start, end = doc.paragraph_span(paragraph)
    return start + doc.turn(paragraph).text_start, end


def _sentences(doc: Document, paragraph: int) -> list[Span]:
    """The sentences of a paragraph's spoken text, without the spaces between them."""
    lo, hi = _turn_span(doc, paragraph)
    text = doc.text
    spans = []
    start = lo
    for match in _SENTENCE_END.finditer(text, lo, hi):
        spans.append((start, match.end()))
        start = match.end()
    if start < hi:
        spans.append((start, hi))
    trimmed = []
    for a, b in spans:
        piece = text[a:b]
        a += len(piece) - len(piece.lstrip())
        b -= len(piece) - len(piece.rstrip())
        if a < b:
            trimmed.append((a, b))
    return trimmed


def unit_at(doc: Document, unit: Unit, offset: int) -> Span | None:
    """The unit of text at ``offset`` (for a word or sentence between two, the next one)."""
    paragraph = doc.paragraph_of(offset)
    if unit == "paragraph":
        return _non_empty(doc.paragraph_span(paragraph))
    if unit == "turn":
        return _non_empty(_turn_span(doc, paragraph))
    if unit == "word":
        start, end = doc.paragraph_span(paragraph)
        return _word_in(doc.text, start, end, offset)
    sentences = _sentences(doc, paragraph)
    for span in sentences:
        if span[1] > offset:
            return span
    return sentences[-1] if sentences else None


def unit_after(doc: Document, unit: Unit, offset: int) -> Span | None:
    """The first whole unit that starts at or after ``offset`` (crossing into later paragraphs)."""
    paragraph = doc.paragraph_of(offset)
    if unit in ("paragraph", "turn"):
        for p in range(paragraph, doc.paragraph_count):
            span = _non_empty(doc.paragraph_span(p) if unit == "paragraph" else _turn_span(doc, p))
            if span is not None and span[0] >= offset:
                return span
        return None
    if unit == "word":
        match = WORD.search(doc.text, offset)
        return match.span() if match else None
    for p in range(paragraph, doc.paragraph_count):
        for span in _sentences(doc, p):
            if span[0] >= offset:
                return span
    return None


def _non_empty(span: Span) -> Span | None:
    return span if span[0] < span[1] else None


# --- moving a coding's boundaries by a word -----------------------------------------------------------
def words_between(text: str, lo: int, hi: int) -> list[Span]:
    return [m.span() for m in WORD.finditer(text, lo, hi)]


def end_widened(text: str, start: int, end: int) -> int | None:
    """The end moved right to the end of the next word (or of the word it cuts)."""
    match = WORD.search(text, end)
    return match.end() if match else None


def end_narrowed(text: str, start: int, end: int) -> int | None:
    """The end moved left to the end of the word before the last one (None if one word is left)."""
    words = words_between(text, start, end)
    return words[-2][1] if len(words) >= 2 else None


def start_widened(text: str, start: int, end: int) -> int | None:
    """The start moved left to the start of the word before (or of the word it cuts)."""
    lo = start
    while lo > 0:
        lo = max(0, lo - 256)
        words = [w for w in words_between(text, lo, start + 1) if w[0] < start]
        if words and (words[-1][0] > lo or lo == 0):
            return words[-1][0]
    return None


def start_narrowed(text: str, start: int, end: int) -> int | None:
    """The start moved right to the start of the second word (None if one word is left)."""
    words = words_between(text, start, end)
    return words[1][0] if len(words) >= 2 else None
