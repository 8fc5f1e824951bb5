"""Codebooks with comments in every position, for property tests: each comment line is unique and knows
the block it belongs to (its home), so a test can follow where it must be after any operation.

A home is a code slug (the lines inside that code's entry), ``set:SLUG`` (inside a set), ``codes`` or
``sets`` (in that section, between its entries) or None (the top level of the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from margin.core.codebook import Codebook

SLUGS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"]
SETS = ["theme-a", "theme-b", "theme-c"]


@dataclass
class Book:
    """A codebook text and the home of each of its comment lines (and its end-of-line comments)."""

    text: str
    homes: dict[str, str | None]
    eol: set[str] = field(default_factory=set)


class _Writer:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.lines: list[str] = []
        self.homes: dict[str, str | None] = {}
        self.eol: set[str] = set()
        self.count = 0

    def comments(self, column: int, home: str | None, most: int = 2) -> None:
        """Maybe a blank line (not as the first line of the file), then maybe comment lines, at ``column``."""
        if self.lines and self.draw(st.integers(0, 3)) == 0:
            self.lines.append("")
        for _ in range(self.draw(st.integers(0, most))):
            self.count += 1
            text = f"# c{self.count}"
            self.homes[text] = home
            self.lines.append(" " * column + text)

    def end_of_line(self) -> str:
        if not self.draw(st.booleans()):
            return ""
        self.count += 1
        text = f"# e{self.count}"
        self.eol.add(text)
        return "  " + text

    def codes(self, slugs: list[str], column: int, home: str, depth: int) -> None:
        """The codes of one block mapping (the root codes: all that are left; a code's children: one to
        three), with comments before the first, between them and after the last."""
        count = len(slugs) if depth == 0 else self.draw(st.integers(1, min(3, len(slugs))))
        for _ in range(count):
            if not slugs:
                break
            self.comments(column, home)
            self.code(slugs.pop(0), slugs, column, depth)
        self.comments(column, home)

    def code(self, slug: str, slugs: list[str], column: int, depth: int) -> None:
        style = self.draw(st.sampled_from(["block", "block", "block", "flow", "empty"]))
        pad = " " * column
        if style == "flow":
            self.lines.append(f"{pad}{slug}: {{label: Label of {slug}}}{self.end_of_line()}")
            return
        if style == "empty":
            self.lines.append(f"{pad}{slug}:{self.end_of_line()}")
            return
        self.lines.append(f"{pad}{slug}:{self.end_of_line()}")
        inner = column + 2
        fields = " " * inner
        self.comments(inner, slug)
        self.lines.append(f"{fields}label: Label of {slug}{self.end_of_line()}")
        if self.draw(st.booleans()):
            self.comments(inner, slug)
            self.lines += [f"{fields}memo: |", f"{fields}  First line of {slug}.", f"{fields}  Second line."]
        if self.draw(st.booleans()):
            self.comments(inner, slug)
            self.lines.append(f'{fields}color: "#4e79a7"{self.end_of_line()}')
        if depth < 2 and slugs and self.draw(st.booleans()):
            self.comments(inner, slug)
            self.lines.append(f"{fields}children:{self.end_of_line()}")
            self.codes(slugs, inner + 2, slug, depth + 1)
        self.comments(inner, slug)

    def sets(self, codes: list[str]) -> None:
        self.lines.append(f"sets:{self.end_of_line()}")
        for slug in SETS[: self.draw(st.integers(1, len(SETS)))]:
            self.comments(2, "sets")
            members = self.draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True))
            if self.draw(st.booleans()):
                self.lines.append(f"  {slug}: {{label: Set {slug}, codes: [{', '.join(members)}]}}")
                continue
            self.lines.append(f"  {slug}:{self.end_of_line()}")
            self.comments(4, f"set:{slug}")
            self.lines += [f"    label: Set {slug}", "    codes:"]
            for member in members:
                self.comments(6, f"set:{slug}")
                self.lines.append(f"      - {member}{self.end_of_line()}")
            self.comments(4, f"set:{slug}")
        self.comments(2, "sets")


@st.composite
def books(draw: st.DrawFn) -> Book:
    """A codebook of up to ten codes in up to three levels, and up to three sets, with comment lines
    before, between and after the entries of every block collection, and end-of-line comments."""
    writer = _Writer(draw)
    writer.comments(0, None)
    writer.lines.append(f"codes:{writer.end_of_line()}")
    slugs = list(SLUGS[: draw(st.integers(2, len(SLUGS)))])
    codes = list(slugs)
    writer.codes(slugs, 2, "codes", 0)
    writer.comments(0, None)
    writer.sets(codes)
    writer.comments(0, None)
    text = "\n".join(writer.lines) + "\n"
    return Book(text, writer.homes, writer.eol)


# --- where each comment is -------------------------------------------------------------------------------
def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def blocks(text: str) -> dict[str, tuple[int, int]]:
    """The line range (after the key line, to the end of the block) of every code, set and section."""
    lines = text.split("\n")
    cb = Codebook.parse(text)
    starts: dict[str, int] = {slug: code.line - 1 for slug, code in cb.codes.items()}
    starts.update({f"set:{slug}": s.line - 1 for slug, s in cb.sets.items()})
    for section in ("codes", "sets"):
        row = next((n for n, line in enumerate(lines) if line.split(":")[0] == section), None)
        if row is not None:
            starts[section] = row
    out = {}
    for home, row in starts.items():
        end = row + 1
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > _indent(lines[row])):
            end += 1
        out[home] = (row + 1, end)
    return out


def holds_lines(text: str, home: str) -> bool:
    """Whether the block of ``home`` can hold comment lines now (not written ``{…}``, ``[…]`` or empty)."""
    found = blocks(text).get(home)
    if found is None:
        return False
    start, end = found
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.split("\n")[start:end])


def innermost(text: str, row: int) -> str | None:
    """The home whose block is the innermost around line ``row``."""
    inside = [(end - start, home) for home, (start, end) in blocks(text).items() if start <= row < end]
    return min(inside)[1] if inside else None


def comment_rows(text: str) -> dict[str, list[int]]:
    """Each comment line's text and the rows it is on."""
    rows: dict[str, list[int]] = {}
    for n, line in enumerate(text.split("\n")):
        if line.lstrip().startswith("#"):
            rows.setdefault(line.strip(), []).append(n)
    return rows
