"""A transcript for the terminal: numbered paragraphs, coded words in their code's colour, and under each
paragraph the codings that begin there (so nothing depends on colour alone)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from margin.cli.output import Output


def _readable_on(colour: str) -> str:
    from margin.cli.output import hex_to_rgb

    r, g, b = hex_to_rgb(colour)
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#ffffff"


def render_document(doc: Any, codebook: Any, out: Output, *, offsets: bool = False) -> Iterator[str]:
    title = doc.meta.get("title") if isinstance(doc.meta, dict) else None
    yield out.paint(f"{doc.id}" + (f" — {title}" if title else ""), bold=True)
    codings = doc.codings
    width = len(str(doc.paragraph_count))
    first = 0  # index of the first coding that may still touch the paragraph
    for index in range(doc.paragraph_count):
        start, end = doc.paragraph_span(index)
        while first < len(codings) and codings[first].end <= start and codings[first].start < start:
            first += 1
        touching = [c for c in codings[first:] if c.start < max(end, start + 1) and c.end > start]
        turn = doc.turn(index)
        yield f"{out.paint(str(index + 1).rjust(width), dim=True)}  {_paint_paragraph(doc, start, end, turn, touching, codebook, out)}"
        for c in (c for c in touching if start <= c.start <= end):
            text = " ".join(doc.text[c.start : c.end].split())
            text = text if len(text) <= 70 else text[:69] + "…"
            codes = ", ".join(out.paint(s, fg=_colour(codebook, s), bold=True) for s in c.codes)
            where = f" {c.start}-{c.end}" if offsets else ""
            memo = f"  ✎ {c.memo}" if c.memo else ""
            yield f"{' ' * width}   ▸ {codes}{where}: “{text}”{memo}"


def _colour(codebook: Any, slug: str) -> str | None:
    try:
        return str(codebook.color(codebook.resolve(slug) or slug))
    except (KeyError, AttributeError):
        return None


def _paint_paragraph(
    doc: Any, start: int, end: int, turn: Any, touching: list[Any], codebook: Any, out: Output
) -> str:
    text = doc.text
    pieces: list[str] = []
    cuts = sorted(
        {start, end, start + turn.text_start}
        | {max(start, min(end, c.start)) for c in touching}
        | {max(start, min(end, c.end)) for c in touching}
    )
    for a, b in pairwise(cuts):
        if a >= b:
            continue
        chunk = text[a:b]
        covering = [c for c in touching if c.start <= a and b <= c.end]
        if a < start + turn.text_start:
            pieces.append(out.paint(chunk, dim=turn.timestamp is not None and a < start + 11, bold=True))
        elif covering:
            colour = _colour(codebook, covering[-1].codes[0])
            pieces.append(out.paint(chunk, fg=_readable_on(colour) if colour else None, bg=colour))
        else:
            pieces.append(chunk)
    return "".join(pieces)
