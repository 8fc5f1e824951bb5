"""Conflict blocks: how a merge conflict is written in a project file, read back and resolved.

A block holds each side's full version of the lines in conflict (for a transcript: whole paragraphs with
their markup, so every side's codings are kept)::

    <<<<<<< ours
    P07: the paragraph as we have it
    ||||||| base
    P07: the paragraph as it was
    =======
    P07: the paragraph as they have it
    >>>>>>> theirs

The base section is optional (git's own text merge writes it only with ``merge.conflictStyle=diff3``).
Choosing one side in every block gives that side's *view* of the file, which is an ordinary file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from margin.core.errors import FormatError

Side = Literal["ours", "base", "theirs"]
OPEN, BASE, SEP, CLOSE = "<" * 7, "|" * 7, "=" * 7, ">" * 7
_MARKER = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?: .*)?$", re.MULTILINE)
MESSAGE = (
    "an unresolved git merge conflict — run `margin resolve` to choose between the versions, "
    "or edit the file to keep one"
)


@dataclass(frozen=True, slots=True)
class Block:
    """One conflict: the lines of each side (each line without its line feed) and where it is."""

    line: int  # 1-based line of '<<<<<<<' in the file
    end_line: int  # 1-based line of '>>>>>>>'
    ours: tuple[str, ...]
    base: tuple[str, ...] | None
    theirs: tuple[str, ...]
    labels: tuple[str, str, str] = ("ours", "base", "theirs")  # what follows the markers (git: HEAD, …)

    def side(self, side: Side) -> tuple[str, ...]:
        if side == "base":
            return self.base or ()
        return self.ours if side == "ours" else self.theirs


def has_conflicts(text: str) -> bool:
    """Whether ``text`` holds a conflict marker line (fast for the common case: none)."""
    return first_conflict_line(text) > 0


@dataclass(frozen=True)
class Conflicted:
    """A file split into plain lines and conflict blocks, in order."""

    parts: tuple[str | Block, ...]  # a str is one ordinary line (without its line feed)
    final_newline: bool

    @property
    def blocks(self) -> list[Block]:
        return [p for p in self.parts if isinstance(p, Block)]

    def view(self, side: Side) -> str:
        """The file as it would be with ``side`` chosen in every block."""
        return self._join(self._lines(side)[0])

    def view_lines(self, side: Side) -> tuple[str, list[int]]:
        """The view of ``side`` and, for each of its lines, the line of the file it comes from."""
        lines, origin = self._lines(side)
        return self._join(lines), origin

    def block_lines(self, side: Side) -> list[int]:
        """For each block, the 0-based index in ``side``'s view of the line where its section starts."""
        out: list[int] = []
        n = 0
        for part in self.parts:
            if isinstance(part, Block):
                out.append(n)
                n += len(part.side(side))
            else:
                n += 1
        return out

    def resolve(self, index: int, lines: Sequence[str]) -> Conflicted:
        """The file with block ``index`` (0-based) replaced by ``lines``."""
        parts: list[str | Block] = []
        n = -1
        for part in self.parts:
            if isinstance(part, Block):
                n += 1
                if n == index:
                    parts.extend(lines)
                    continue
            parts.append(part)
        if n < index:
            raise IndexError(index)
        return Conflicted(tuple(parts), self.final_newline)

    def render(self) -> str:
        """The file's text, blocks written with their markers."""
        lines: list[str] = []
        for part in self.parts:
            lines.extend(render_block(part) if isinstance(part, Block) else [part])
        return self._join(lines)

    def _lines(self, side: Side) -> tuple[list[str], list[int]]:
        lines: list[str] = []
        origin: list[int] = []
        n = 1
        for part in self.parts:
            if isinstance(part, Block):
                first = part.line + 1
                if side == "base" and part.base is not None:
                    first += len(part.ours) + 1
                elif side == "theirs":
                    first += len(part.ours) + 1 + (len(part.base) + 1 if part.base is not None else 0)
                section = part.side(side)
                lines.extend(section)
                origin.extend(range(first, first + len(section)))
                n = part.end_line + 1
            else:
                lines.append(part)
                origin.append(n)
                n += 1
        return lines, origin

    def _join(self, lines: list[str]) -> str:
        if not lines:
            return ""
        return "\n".join(lines) + ("\n" if self.final_newline else "")


def render_block(block: Block) -> list[str]:
    """The lines of a block with its markers."""

    def marker(sign: str, label: str) -> str:
        return f"{sign} {label}" if label else sign

    ours, base, theirs = block.labels
    out = [marker(OPEN, ours), *block.ours]
    if block.base is not None:
        out += [marker(BASE, base), *block.base]
    return [*out, SEP, *block.theirs, marker(CLOSE, theirs)]


def parse_conflicts(text: str, path: str = "") -> Conflicted:
    """Split ``text`` into lines and blocks; a malformed block is an error at its line."""
    final_newline = text.endswith("\n")
    raw = (text[:-1] if final_newline else text).split("\n") if text else []
    parts: list[str | Block] = []
    i = 0
    while i < len(raw):
        line = raw[i]
        kind = _kind(line)
        if kind is None:
            parts.append(line)
            i += 1
            continue
        if kind != OPEN:
            raise FormatError(
                f"a conflict marker '{kind}' outside a conflict block — remove the line, or restore the "
                f"block's '{OPEN}' line",
                path=path,
                line=i + 1,
                column=1,
            )
        block, i = _read_block(raw, i, path)
        parts.append(block)
    return Conflicted(tuple(parts), final_newline)


def _kind(line: str) -> str | None:
    if len(line) < 7 or line[0] not in "<|=>":
        return None
    m = _MARKER.fullmatch(line)
    return m.group(1) if m else None


def _read_block(raw: list[str], start: int, path: str) -> tuple[Block, int]:
    sections: dict[str, list[str]] = {OPEN: []}
    labels = {OPEN: raw[start][8:], BASE: "base", CLOSE: ""}
    current = OPEN
    for j in range(start + 1, len(raw)):
        kind = _kind(raw[j])
        if kind is None:
            sections[current].append(raw[j])
            continue
        labels[kind] = raw[j][8:]
        expected = {OPEN: (BASE, SEP), BASE: (SEP,), SEP: (CLOSE,)}[current]
        if kind not in expected or (kind == SEP and current == SEP):
            raise FormatError(
                f"the conflict block opened on line {start + 1} is malformed: '{kind}' where "
                f"{' or '.join(repr(e) for e in expected)} was expected — fix the markers or run `margin resolve`",
                path=path,
                line=j + 1,
                column=1,
            )
        if kind == CLOSE:
            block = Block(
                start + 1,
                j + 1,
                tuple(sections[OPEN]),
                tuple(sections[BASE]) if BASE in sections else None,
                tuple(sections[SEP]),
                (labels[OPEN], labels[BASE], labels[CLOSE]),
            )
            return block, j + 1
        current = kind
        sections[current] = []
    raise FormatError(
        f"the conflict block opened here is never closed with a '{CLOSE}' line",
        path=path,
        line=start + 1,
        column=1,
    )


def first_conflict_line(text: str) -> int:
    """The 1-based line of the first conflict marker in ``text``, or 0."""
    if OPEN not in text and SEP not in text and CLOSE not in text:
        return 0
    m = _MARKER.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def conflict_error(text: str, path: str = "") -> FormatError | None:
    """A located error if ``text`` holds a conflict, else None."""
    line = first_conflict_line(text)
    return FormatError(MESSAGE, path=path, line=line, column=1) if line else None
