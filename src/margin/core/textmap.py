"""Where text goes when it is edited: offsets in an old text mapped to a new one, word by word.

Used by text edits (codings keep their words) and by the merge of transcripts (one side's codings follow
the other side's edit of the same paragraph).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

# A word or a punctuation mark with the spaces before it. Spaces as tokens of their own would match
# anywhere and pull the diff apart (deleting one word and inserting another later would read as both words
# edited in place); with the spaces before a word, deleting words at the end of a sentence leaves the
# word before them as it was.
TOKEN = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")


def positions(tokens: Sequence[str]) -> list[int]:
    """Character offset of each token, and of the end."""
    out = [0]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def common_ends(a: Sequence[str], b: Sequence[str]) -> tuple[int, int]:
    """How many items ``a`` and ``b`` share at their start, and then at their end."""
    limit = min(len(a), len(b))
    head = 0
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


EXACT_LIMIT = 10_000_000
"""Old × new items up to which a changed stretch is matched exactly; difflib's matcher takes time in the
square of the lengths, so a longer stretch is matched with its heuristic for popular items (those are
matched only next to others), which is fast on any input and on real text nearly as good."""


def matcher(a: Sequence[Any], b: Sequence[Any]) -> difflib.SequenceMatcher[Any]:
    """A difflib matcher of ``a`` and ``b`` that takes time about linear in their lengths when long."""
    return difflib.SequenceMatcher(None, a, b, len(a) * len(b) > EXACT_LIMIT)


def opcodes(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes of ``a`` → ``b``, with the common start and end kept out of the matcher (fast for
    the usual small edit of a long sequence)."""
    head, tail = common_ends(a, b)
    ops = [("equal", 0, head, 0, head)] if head else []
    middle = matcher(a[head : len(a) - tail], b[head : len(b) - tail])
    ops += [(t, i1 + head, i2 + head, j1 + head, j2 + head) for t, i1, i2, j1, j2 in middle.get_opcodes()]
    if tail:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return ops


def diff_blocks(old: str, new: str, by_word: bool) -> list[tuple[int, int, int, int, str]]:
    """(old start, old end, new start, new end, tag) for every block of ``old``, in order."""
    a: Sequence[str] = TOKEN.findall(old) if by_word else old
    b: Sequence[str] = TOKEN.findall(new) if by_word else new
    a_pos, b_pos = positions(a), positions(b)
    ops = opcodes(a, b)
    blocks: list[tuple[int, int, int, int, str]] = []
    for tag, i1, i2, j1, j2 in ops:
        if i1 == i2:
            continue
        if by_word and tag == "replace" and i2 - i1 == j2 - j1:  # words edited in place, one for one
            for k in range(i2 - i1):
                o1, o2, n1, n2 = a_pos[i1 + k], a_pos[i1 + k + 1], b_pos[j1 + k], b_pos[j1 + k + 1]
                if old[o1:o2] == new[n1:n2]:
                    blocks.append((o1, o2, n1, n2, "equal"))
                elif _similar(old[o1:o2], new[n1:n2]):  # a typo fixed: boundaries inside it follow it
                    blocks += [
                        (x1 + o1, x2 + o1, y1 + n1, y2 + n1, t)
                        for x1, x2, y1, y2, t in diff_blocks(old[o1:o2], new[n1:n2], False)
                    ]
                else:  # another word: spans go to its ends, never into it
                    blocks += _replaced(old, new, o1, o2, n1, n2)
            continue
        blocks += _replaced(old, new, a_pos[i1], a_pos[i2], b_pos[j1], b_pos[j2], tag)
    return blocks


def kept_ranges(old: str, new: str) -> list[tuple[int, int]]:
    """The ranges of ``old`` that ``new`` keeps unchanged, word by word (and the letters of a word whose
    typo was fixed in place): what the offset mapping carries over as it is."""
    return [(i1, i2) for i1, i2, _, _, tag in diff_blocks(old, new, True) if tag == "equal"]


def _similar(a: str, b: str) -> bool:
    """Whether ``b`` reads as ``a`` with a few letters changed (a typo fixed, not another word)."""
    return matcher(a.strip(), b.strip()).ratio() >= 0.6


def _replaced(
    old: str, new: str, o1: int, o2: int, n1: int, n2: int, tag: str = "replace"
) -> list[tuple[int, int, int, int, str]]:
    """A replaced stretch; the spaces both sides start with stay what they were (a replacement that is
    only those spaces is a deletion: spans on what it replaced vanish rather than cover a space)."""
    space = 0
    while (
        tag == "replace"
        and o1 + space < o2 - 1
        and n1 + space < n2
        and old[o1 + space] == new[n1 + space] == " "
    ):
        space += 1
    return ([(o1, o1 + space, n1, n1 + space, "equal")] if space else []) + [
        (o1 + space, o2, n1 + space, n2, tag)
    ]


def offset_map(old: str, new: str) -> Callable[[int, bool], int]:
    """Map offsets in ``old`` to ``new`` so that codings stay on their words.

    The texts are compared word by word (and by character where words were edited in place). A start
    follows the first character after it, an end the last character before it; where that character was
    replaced, the start goes to the start of the replacement and the end to its end, and text inserted at
    a boundary stays outside the coding.
    """
    blocks = diff_blocks(old, new, True)
    firsts = [b[0] for b in blocks]

    def mapping(pos: int, is_start: bool) -> int:
        char = pos if is_start else pos - 1
        if char < 0:
            return 0
        if char >= len(old):
            return len(new)
        i1, _, j1, j2, tag = blocks[bisect.bisect_right(firsts, char) - 1]
        if tag == "equal":
            return j1 + (char - i1) + (0 if is_start else 1)
        return j1 if is_start else j2

    return mapping
