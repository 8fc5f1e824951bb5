"""Three-way merge of sequences of lines (paragraphs of a transcript, lines of a YAML file).

Each base line is paired with the line that is it on each side (unchanged, or edited in place); a line both
sides kept is a chunk of its own, so changes to neighbouring lines never conflict. Between such lines lie
the regions where lines were inserted or deleted. A chunk takes the side that changed it; a chunk both
sides changed differently is a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from margin.core.conflict_blocks import Block, render_block
from margin.core.textmap import opcodes

Take = Literal["a", "b", "conflict"]


def three(o: object, a: object, b: object) -> Take:
    """Which side a three-way choice takes: 'a' when both agree or only ours changed, 'b' when only
    theirs changed, else a conflict."""
    if a == b or b == o:
        return "a"
    return "b" if a == o else "conflict"


def pairs(base: Sequence[str], side: Sequence[str]) -> list[int | None]:
    """For each base line, the side's line that is it (unchanged, or edited in place), or None."""
    if len(base) == len(side):  # the usual case: paragraphs edited in place (text edits keep the count)
        edited = sum(1 for x, y in zip(base, side, strict=True) if x != y)
        if edited <= max(8, len(base) // 20):
            return list(range(len(base)))
    out: list[int | None] = [None] * len(base)
    for tag, i1, i2, j1, j2 in opcodes(base, side):
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                out[i1 + k] = j1 + k
    return out


@dataclass
class Chunk:
    """Line ranges ``[x1, x2)`` of base (o), ours (a) and theirs (b) that correspond, and which to take."""

    o1: int
    o2: int
    a1: int
    a2: int
    b1: int
    b2: int
    take: Take = "a"
    group: int = -1  # for a conflict: the index of the first chunk of its block

    def rng(self, side: str) -> tuple[int, int]:
        return {"o": (self.o1, self.o2), "a": (self.a1, self.a2), "b": (self.b1, self.b2)}[side]


def chunks(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[Chunk]:
    """Unchanged runs and changed regions; a line both sides kept (edited or not) is a chunk of its own."""
    o, a, b = list(base), list(ours), list(theirs)
    pa, pb = pairs(o, a), pairs(o, b)
    out: list[Chunk] = []
    stable_run = False
    po = qa = qb = 0
    for i in range(len(o) + 1):
        ja, jb = (pa[i], pb[i]) if i < len(o) else (len(a), len(b))
        if ja is None or jb is None:
            continue
        if (po, qa, qb) != (i, ja, jb):
            out.append(Chunk(po, i, qa, ja, qb, jb))
            stable_run = False
        if i == len(o):
            break
        stable = o[i] == a[ja] == b[jb]
        if stable and stable_run:
            last = out[-1]
            last.o2, last.a2, last.b2 = i + 1, ja + 1, jb + 1
        else:
            out.append(Chunk(i, i + 1, ja, ja + 1, jb, jb + 1))
        stable_run = stable
        po, qa, qb = i + 1, ja + 1, jb + 1
    for c in out:
        c.take = three(o[c.o1 : c.o2], a[c.a1 : c.a2], b[c.b1 : c.b2])
    return out


def with_blocks(ours: Sequence[str], base: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Three versions of one file as our lines with a conflict block wherever the base or their version
    differs from ours (each section holds that version's lines), so choosing a side in every block gives
    that version exactly."""
    lines: list[str] = []
    held: list[list[str]] = [[], [], []]

    def flush() -> None:
        if held != [[], [], []]:
            lines.extend(render_block(Block(0, 0, tuple(held[0]), tuple(held[1]), tuple(held[2]))))
            held[:] = [[], [], []]

    for c in chunks(ours, base, theirs):  # ours in the place of the base: every difference from it
        parts = [list(ours[c.o1 : c.o2]), list(base[c.a1 : c.a2]), list(theirs[c.b1 : c.b2])]
        if parts[0] == parts[1] == parts[2]:
            flush()
            lines += parts[0]
        else:
            for kept, part in zip(held, parts, strict=True):
                kept += part
    flush()
    return lines
