"""Conflict blocks in a file: read back, each side's version, resolving one block, malformed markers."""

from __future__ import annotations

import pytest

from margin.core.conflict_blocks import first_conflict_line, has_conflicts, parse_conflicts
from margin.core.errors import FormatError

TEXT = """\
---
title: T
---
P1: before
<<<<<<< ours
P2: ours
P3: ours too
||||||| base
P2: base
=======
>>>>>>> theirs
P4: between
<<<<<<< HEAD
P5: mine
=======
P5: yours
>>>>>>> origin/main
"""


def test_each_side_is_a_whole_file_and_its_lines_come_from_the_file() -> None:
    conflicted = parse_conflicts(TEXT)
    assert len(conflicted.blocks) == 2
    first, second = conflicted.blocks
    assert (first.line, first.end_line, first.ours, first.base, first.theirs) == (
        5,
        11,
        ("P2: ours", "P3: ours too"),
        ("P2: base",),
        (),
    )
    assert second.base is None and second.ours == ("P5: mine",)
    assert conflicted.view("theirs") == "---\ntitle: T\n---\nP1: before\nP4: between\nP5: yours\n"
    text, origin = conflicted.view_lines("ours")
    assert text.split("\n")[4:6] == ["P2: ours", "P3: ours too"] and origin[4:6] == [6, 7]
    assert origin[-1] == 14  # 'P5: mine'
    assert conflicted.block_lines("ours") == [4, 7]
    assert conflicted.render() == TEXT


def test_resolving_one_block_keeps_the_other() -> None:
    conflicted = parse_conflicts(TEXT).resolve(1, ["P5: both", "P5: again"])
    assert len(conflicted.blocks) == 1
    assert conflicted.render().endswith("P4: between\nP5: both\nP5: again\n")


def test_detection_is_by_marker_lines_only() -> None:
    assert has_conflicts(TEXT) and first_conflict_line(TEXT) == 5
    plain = "P1: she said <<<<<<< loudly\nP2: ======= is not a line of its own here\n"
    assert not has_conflicts(plain) and first_conflict_line(plain) == 0


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a\n<<<<<<< ours\nb\n", 2, "never closed"),
        ("a\n=======\nb\n", 2, "outside a conflict block"),
        ("<<<<<<< ours\nb\n>>>>>>> theirs\n", 3, "'>>>>>>>' where '|||||||' or '=======' was expected"),
    ],
)
def test_malformed_blocks_are_located(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError, match=message) as caught:
        parse_conflicts(text, "documents/g/a.txt")
    assert (caught.value.path, caught.value.line) == ("documents/g/a.txt", line)
