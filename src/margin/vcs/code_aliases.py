"""The old slugs the codebook keeps as aliases on each side of a merge, read from git.

A code re-slugged or merged into another keeps its old slug as an alias (codebook.yaml), so the merge of a
transcript can tell a coding recoded that way from a coding removed and a new one made. It asks only when
it meets a coding that may have been recoded, and the codebooks are read once per process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from margin.vcs.gitcmd import read_blobs

if TYPE_CHECKING:
    from margin.vcs.merge_doc import Aliases

_HEAD = re.compile(r"GITHEAD_([0-9a-f]{40}|[0-9a-f]{64})")


def merge_heads(environ: Iterable[str]) -> list[str]:
    """The commits git is merging into HEAD, named by the ``GITHEAD_<commit>`` variables git gives the
    merge drivers it runs."""
    return [m.group(1) for name in environ if (m := _HEAD.fullmatch(name))]


def aliases_at(root: Path, revs: Sequence[str]) -> set[tuple[str, str]]:
    """(old slug, the slug of its code) for every alias of codebook.yaml at each of ``revs`` (one old slug
    may name different codes in different versions, when each side re-slugged it; a version that is
    missing or cannot be read adds nothing)."""
    from margin.core.codebook import Codebook
    from margin.core.errors import FormatError

    found: set[tuple[str, str]] = set()
    for text in read_blobs(root, [f"{rev}:codebook.yaml" for rev in revs]):
        if text is None:
            continue
        try:
            found.update(Codebook.parse(text).aliases.items())
        except FormatError:
            continue
    return found


def when_needed(root: Path, revs: Sequence[str]) -> Aliases:
    """``aliases_at(root, revs)``, read at the first call only."""
    cache: list[set[tuple[str, str]]] = []

    def get() -> set[tuple[str, str]]:
        if not cache:
            cache.append(aliases_at(root, revs))
        return cache[0]

    return get
