"""What Margin last read or wrote of each project file, and the one way it writes them.

Margin must never write over a change another program made (an editor, ``git pull``) and never keep a
file it read while it was being written. So every project file is read and written through ``Files``:

- a read is *stable*: the file's state (inode, size, modification and change times) is taken before and
  after reading, and the read is retried while they differ (an editor saving in place — truncate, write,
  write — is seen, never read half);
- Margin remembers the state and a digest of the bytes it read or wrote of each file;
- every write first compares the disk with that memory, for every file the operation writes, and raises
  ``ChangedOnDisk`` before anything is written if one differs (a file whose state changed but whose bytes
  are the same, e.g. touched, is not a change). A file Margin never read must not exist.

The check is in the write itself, so every caller — the command line, the app, a merge — is guarded.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from margin.core.errors import ChangedOnDisk, MarginError
from margin.core.textfile import atomic_write, open_file, read_limited

Stamp = tuple[int, int, int, int]
"""A file's state on disk: inode, size, modification and change times (ns)."""

READ_TRIES = 40
"""How often a read is tried while the file keeps changing under it (with a growing pause between)."""


@dataclass(frozen=True, slots=True)
class Seen:
    """What Margin last knew of a file: its state and the digest of its bytes (both None: absent)."""

    stamp: Stamp | None
    digest: bytes | None


ABSENT = Seen(None, None)


def _stamp(st: os.stat_result) -> Stamp:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _digest(data: bytes) -> bytes:
    return hashlib.sha1(data, usedforsecurity=False).digest()


def stat_stamp(path: Path) -> Stamp | None:
    """The file's state now, or None when there is no file."""
    try:
        return _stamp(os.stat(path))
    except FileNotFoundError:
        return None


def read_stable(path: Path, display: str = "") -> tuple[bytes, Stamp] | None:
    """The whole file and its state, read while nothing wrote it; None when there is no file."""
    for attempt in range(READ_TRIES):
        try:
            handle = open_file(path, display)  # a regular file of bounded size, not a link
        except FileNotFoundError:
            return None
        with handle:
            before = _stamp(os.fstat(handle.fileno()))
            data = read_limited(handle, display or str(path))
            after = _stamp(os.fstat(handle.fileno()))
        if before == after and len(data) == after[1] and stat_stamp(path) == after:
            return data, after
        time.sleep(min(0.005 * (attempt + 1), 0.05))
    raise MarginError(
        f"{display or path} keeps changing while Margin reads it — wait until the program writing it "
        "has finished, then try again"
    )


class Files:
    """The project files Margin read or wrote, by path, and the guarded writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[Path, Seen] = {}

    def read(self, path: Path, display: str = "") -> bytes | None:
        """The file's bytes (None when there is none), remembered as what Margin read."""
        found = read_stable(path, display or self.display(path))
        if found is None:
            self._seen[path] = ABSENT
            return None
        data, stamp = found
        self._seen[path] = Seen(stamp, _digest(data))
        return data

    def changed(self, path: Path) -> bool:
        """Whether the file on disk is not the one Margin last read or wrote (a file it never read counts
        as changed when it exists)."""
        seen = self._seen.get(path, ABSENT)
        now = stat_stamp(path)
        if now == seen.stamp:
            return False
        if now is None or seen.digest is None:
            return True
        found = read_stable(path, self.display(path))
        if found is None or _digest(found[0]) != seen.digest:
            return True
        self._seen[path] = Seen(found[1], seen.digest)  # same bytes (touched, copied back): nothing to see
        return False

    def check(self, paths: Iterable[Path]) -> None:
        """Raise ChangedOnDisk naming every one of ``paths`` that changed since Margin read or wrote it."""
        paths = list(paths)
        changed = [p for p in paths if self.changed(p)]
        if changed:
            raise ChangedOnDisk([self.display(p) for p in changed], [self.display(p) for p in paths])

    def write(self, writes: Sequence[tuple[Path, str]]) -> None:
        """Write each file atomically, in order — after checking that none of them changed on disk since
        Margin read it (else ChangedOnDisk, and nothing is written)."""
        self.check(path for path, _ in writes)
        for path, text in writes:
            data = text.encode("utf-8")
            atomic_write(path, data)
            stamp = stat_stamp(path)
            self._seen[path] = Seen(stamp, _digest(data)) if stamp is not None else ABSENT

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
