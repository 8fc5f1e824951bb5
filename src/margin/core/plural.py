"""Counts in words: "1 document", "3 documents" — never "1 documents"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word in the number it takes (``many`` for an irregular plural; else ``one`` + s)."""
    return f"{n} {one if n == 1 else many or one + 's'}"
