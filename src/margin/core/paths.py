"""Where Margin may read and write: regular files and folders inside the project, reached without a link.

Anyone who can push can commit a symbolic link (``codebook.yaml -> ../outside/secret.yaml``, ``documents
-> /elsewhere``, ``.margin -> ~/.ssh``); following it would read a file outside the project into a commit,
or write outside the project. So every path Margin builds below a project's root goes through ``inside``,
which looks at each component with ``os.lstat``: each must be a folder, the last a regular file (or a
folder where one is asked for), and none a link, a device or a pipe. No link is allowed, not even one that
stays inside the project (docs/format.md, "No links").
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from margin.core.errors import FormatError


class UnsafePath(FormatError):
    """A project path that is a link, a device or a pipe, or that leads out of the project."""


def _refusal(shown: str, problem: str) -> UnsafePath:
    return UnsafePath(
        f"{problem} — Margin reads and writes only regular files and folders inside the project; replace "
        "it with the file or folder itself (if a teammate committed it, ask them to)",
        path=shown,
    )


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_entry(path: Path, shown: str, mode: int, *, folder: bool) -> None:
    """Refuse what ``os.lstat`` found at ``path`` unless it is a folder (``folder``) or a regular file."""
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise _refusal(shown, f"this is a symbolic link (to {target})")
    if folder and not stat.S_ISDIR(mode):
        raise _refusal(
            shown, "this should be a folder but is " + ("a file" if stat.S_ISREG(mode) else _kind(mode))
        )
    if not folder and not stat.S_ISREG(mode):
        raise _refusal(
            shown, "this is a folder, not a file" if stat.S_ISDIR(mode) else f"this is {_kind(mode)}"
        )


def inside(root: Path, relative: str, *, folder: bool = False) -> Path:
    """``root / relative``, once every component below ``root`` that exists is known to be a folder, and
    the last a regular file (a folder when ``folder``); raises UnsafePath naming the first that is not.

    A path that does not exist (yet) is fine from its first missing component on: nothing there can lead
    elsewhere, and a write creates plain folders and files. ``relative`` is a project path with '/'.
    """
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", ".") for p in parts):
        raise UnsafePath(f"'{relative}' is not a path inside the project", path=relative)
    path = root
    for n, part in enumerate(parts, start=1):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return root.joinpath(*parts)
        last = n == len(parts)
        check_entry(path, "/".join(parts[:n]), mode, folder=folder or not last)
    return path


def folder_files(root: Path, relative: str, suffix: str) -> Iterator[str]:
    """The path (relative to the folder ``root / relative``, with '/', without ``suffix``) of every file
    ending in ``suffix`` below it; hidden files and folders are skipped. A link anywhere in it, or a
    device or pipe named like one of these files, raises UnsafePath."""
    base = inside(root, relative, folder=True)
    if not base.exists():
        return
    pending = [(base, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            if entry.is_symlink():
                check_entry(Path(entry.path), f"{relative}/{rel}", stat.S_IFLNK, folder=False)
            if entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), rel + "/"))
            elif entry.name.endswith(suffix):
                mode = entry.stat(follow_symlinks=False).st_mode
                check_entry(Path(entry.path), f"{relative}/{rel}", mode, folder=False)
                yield rel[: -len(suffix)]
