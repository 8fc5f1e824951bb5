"""Merging in this process the files that git would hand to Margin's drivers one process at a time.

When both sides changed many transcripts, git starts one driver process per file (about 65 ms each, most
of it starting Python). Sync merges those files here first, with the same functions the drivers use,
writes the results to a temporary folder and lets git's merge copy each result in: for that one merge
the drivers' command is `cp` from that folder. Whatever is unexpected — a conflict, a file that cannot be
read, a file git hands over that was not prepared (its copy fails, so git reports a conflict) — makes
sync abort that merge and merge the ordinary way, with the drivers, which write the conflict blocks.
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from margin.core.paths import inside
from margin.vcs.code_aliases import when_needed
from margin.vcs.gitcmd import read_blobs, run

if TYPE_CHECKING:
    from margin.vcs.merge_doc import Aliases

DRIVERS = {"margin-doc": "doc", "margin-codebook": "codebook"}
"""The merge attribute of a file → the kind of file Margin's driver merges."""
MIN_FILES = 4
"""Fewer files changed on both sides than this are left to the drivers: starting them costs less."""


def prepare(repo: Any, root: Path, ours: str, theirs: str) -> Path | None:
    """A folder holding the merged version of every file both sides changed since the merge base (by
    its path), or None when git should merge on its own (few such files, or any that Margin would not
    merge cleanly)."""
    status, base, _ = run(repo, "merge-base", ours, theirs)
    if status != 0:
        return None
    base = base.strip()
    both = sorted(set(_changed(repo, base, ours)) & set(_changed(repo, base, theirs)))
    if len(both) < MIN_FILES:
        return None
    kinds = _drivers(repo, both)
    if len(kinds) != len(both):
        return None  # a file that is not Margin's changed on both sides: git's merge decides it
    versions = read_blobs(root, [f"{rev}:{path}" for path in both for rev in (base, ours, theirs)])
    aliases = when_needed(root, (ours, theirs))
    merged: dict[str, str] = {}
    for i, path in enumerate(both):
        texts = versions[3 * i : 3 * i + 3]
        text = None if None in texts else _merge(kinds[path], [t or "" for t in texts], path, aliases)
        if text is None:
            return None
        merged[path] = text
    folder = Path(tempfile.mkdtemp(prefix="margin-merge-"))
    for path, text in merged.items():
        target = inside(folder, path)  # a crafted tree may name '../x'
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return folder


def overrides(folder: Path) -> list[str]:
    """git options that make the drivers copy the prepared results (git quotes %P for the shell)."""
    copy = f"cp -- {shlex.quote(str(folder) + '/')}%P %A"
    return [arg for name in DRIVERS for arg in ("-c", f"merge.{name}.driver={copy}")]


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _changed(repo: Any, base: str, rev: str) -> list[str]:
    _, out, _ = run(repo, "diff", "--name-only", "-z", "--no-renames", base, rev, "--")
    return [p for p in out.split("\0") if p]


def _drivers(repo: Any, paths: list[str]) -> dict[str, str]:
    """The kind of Margin driver git's attributes give each path (paths without one are left out)."""
    _, out, _ = run(repo, "check-attr", "-z", "merge", "--", *paths)
    fields = out.split("\0")
    found = {}
    for i in range(0, len(fields) - 2, 3):
        path, _, value = fields[i : i + 3]
        if value in DRIVERS:
            found[path] = DRIVERS[value]
    return found


def _merge(kind: str, versions: list[str], path: str, aliases: Aliases) -> str | None:
    """The clean merge of (base, ours, theirs), or None (a conflict, codings that lose their words, a
    version Margin cannot read): the drivers then merge it and say what happened."""
    try:
        if kind == "doc":
            from margin.vcs.merge_doc import merge_document

            doc = merge_document(versions[0], versions[1], versions[2], path, aliases)
            return doc.text if doc.clean and not doc.dropped else None
        from margin.vcs.merge_codebook import merge_codebook

        book = merge_codebook(versions[0], versions[1], versions[2], path)
        return None if book.conflicts else book.text
    except Exception:  # the driver, run by git, reports whatever went wrong
        return None
