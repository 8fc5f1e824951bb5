"""Temporary files left by writers that died: ``atomic_write`` writes ``.<name>.<random>.tmp`` beside the
file and renames it over the file; a writer killed before the rename (SIGKILL, a power cut) leaves it.

They are removed under the project lock (``margin.core.lock`` calls ``remove_leftovers`` once it has the
lock), when no writer is live. Only where Margin's own writes go: the project's files at the top, the
``documents`` and ``memos`` folders, and ``.margin/gitconfig`` — not ``.margin/cache``, which commands
that only read write without the lock. Hidden files are no project files, so a leftover is never listed
as a document nor committed meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from margin.core.paths import UnsafePath, inside

TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
"""A temporary file of ``atomic_write`` (``tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp")``)."""

TOP = frozenset({"margin.yaml", "codebook.yaml", "participants.yaml", ".gitattributes"})
"""The files Margin writes at the top of a project (other temporary files there are not Margin's)."""
STATE = frozenset({"gitconfig"})
"""The files Margin writes in ``.margin`` under the lock."""
FOLDERS = ("documents", "memos")


def leftovers(root: Path) -> list[Path]:
    """The temporary files of Margin's writes in the project at ``root``."""
    found = [root / n for n in _names(root) if _left_by(n, TOP)]
    found += [root / ".margin" / n for n in _names(root / ".margin") if _left_by(n, STATE)]
    for folder in FOLDERS:
        try:
            base = inside(root, folder, folder=True)
        except UnsafePath:
            continue  # a link: nothing of Margin's is there
        for dirpath, _, filenames in os.walk(base):  # links to folders are not followed
            found += [Path(dirpath) / n for n in filenames if TEMPORARY.fullmatch(n)]
    return sorted(found)


def remove_leftovers(root: Path) -> None:
    """Remove them (call it only under the project lock: a live writer's file must not go)."""
    for path in leftovers(root):
        with contextlib.suppress(OSError):
            path.unlink()


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _left_by(filename: str, names: frozenset[str]) -> bool:
    match = TEMPORARY.fullmatch(filename)
    return match is not None and match["name"] in names
