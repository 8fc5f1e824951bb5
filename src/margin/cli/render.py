"""A transcript for the terminal: numbered paragraphs, coded words in their code's colour, and under each
paragraph the codings that begin there (so nothing depends on colour alone)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from margin.cli.output import Output


def _readable_on(colour: str) -> str:
    from margin.cli.output import hex_to_rgb

    r, g, b = hex_to_rgb(colour)
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#ffffff"


def render_document(doc: Any, codebook: Any, out: Output, *, offsets: bool = False) -> Iterator[str]:
    """The lines of ``doc`` for the terminal, in time linear in the document and its codings."""
    from margin.core.operations import snippet

    title = doc.meta.get("title") if isinstance(doc.meta, dict) else None
    yield out.paint(f"{doc.id}" + (f" — {title}" if title else ""), bold=True)
    codings = doc.codings
    width = len(str(doc.paragraph_count))
    following = 0  # the first coding not yet seen: codings are in canonical order, by start
    touching: list[Any] = []  # the codings that touch the paragraph, in canonical order
    for index in range(doc.paragraph_count):
        start, end = doc.paragraph_span(index)
        touching = [c for c in touching if c.end > start]
        while following < len(codings) and codings[following].start < max(end, start + 1):
            if codings[following].end > start:
                touching.append(codings[following])
            following += 1
        turn = doc.turn(index)
        yield f"{out.paint(str(index + 1).rjust(width), dim=True)}  {_paint_paragraph(doc, start, end, turn, touching, codebook, out)}"
        for c in (c for c in touching if start <= c.start <= end):
            codes = ", ".join(out.paint(s, fg=_colour(codebook, s), bold=True) for s in c.codes)
            where = f" {c.start}-{c.end}" if offsets else ""
            memo = f"  ✎ {c.memo}" if c.memo else ""
            yield f"{' ' * width}   ▸ {codes}{where}: “{snippet(doc.text, c.start, c.end, 70)}”{memo}"


def _colour(codebook: Any, slug: str) -> str | None:
    try:
        return str(codebook.color(codebook.resolve(slug) or slug))
    except (KeyError, AttributeError):
        return None


def _paint_paragraph(
    doc: Any, start: int, end: int, turn: Any, touching: list[Any], codebook: Any, out: Output
) -> str:
    """The paragraph, each stretch in the colour of the innermost coding over it (the one begun last)."""
    text = doc.text
    pieces: list[str] = []
    clipped = [(max(start, min(end, c.start)), max(start, min(end, c.end))) for c in touching]
    cuts = sorted({start, end, start + turn.text_start} | {a for a, _ in clipped} | {b for _, b in clipped})
    by_start = sorted(range(len(touching)), key=lambda i: clipped[i][0])
    waiting = 0
    covering: list[tuple[int, int]] = []  # (-index, clipped end) of the codings begun: a heap
    for a, b in pairwise(cuts):
        while waiting < len(by_start) and clipped[by_start[waiting]][0] <= a:
            i = by_start[waiting]
            heapq.heappush(covering, (-i, clipped[i][1]))
            waiting += 1
        while covering and covering[0][1] <= a:
            heapq.heappop(covering)  # ended: the innermost coding still open is on top
        chunk = text[a:b]
        if a < start + turn.text_start:
            pieces.append(out.paint(chunk, dim=turn.timestamp is not None and a < start + 11, bold=True))
        elif covering:
            colour = _colour(codebook, touching[-covering[0][0]].codes[0])
            pieces.append(out.paint(chunk, fg=_readable_on(colour) if colour else None, bg=colour))
        else:
            pieces.append(chunk)
    return "".join(pieces)
