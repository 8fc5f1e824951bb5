"""The project's write lock: one writer at a time, and a clear word about who holds it.

The lock is the kernel's: ``flock`` on ``.margin/lock``, on a descriptor kept open for as long as the lock
is held. The kernel drops it when the process ends, however it ends (SIGKILL too), so there is no stale
lock to take over, and of two processes taking it at once exactly one gets it. The file is never deleted
(a process may be about to lock that very file: deleting it would let two processes lock two different
ones), and ``.margin/.gitignore`` keeps it out of git. Once it has the lock, the holder writes who it is
(pid, host, since, what) into the file, for the message that refuses the others, and empties it on
release. There is no fallback: Margin runs where ``fcntl.flock`` exists (Linux, macOS, the BSDs, WSL).

Who takes it: each command that writes, for its whole run, and the app, from opening a project until it
exits. Library code (sync, the code-tree merge, resolving conflicts, session commits) never takes it: it
runs under the lock its command or the app holds, so the app's own work is never refused by the app's
lock. Git's merge driver, run by git during a sync, takes no lock either.

Taking the lock also removes the temporary files dead writers left (``margin.core.leftovers``): while it
is held no other writer is live, so a temporary file found then is never one being written.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType

from margin.core.errors import MarginError, ProjectLocked
from margin.core.leftovers import remove_leftovers
from margin.core.textfile import atomic_write

LOCK_NAME = "lock"
APP = "the Margin app"
"""What the app's lock says it is."""
GITIGNORE = "cache/\nlock\n"
"""``.margin/.gitignore``: git leaves the cache and the lock file (which stays) alone."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command() -> str:
    """The command this process runs, for the others to read (``margin coding add``: options left out)."""
    words: list[str] = []
    args = iter(sys.argv[1:])
    for arg in args:
        if arg == "-C":
            next(args, None)
        elif not arg.startswith("-"):
            words.append(arg)
    return " ".join(["margin", *words[:2]])


class ProjectLock:
    """``.margin/lock``, held with ``flock`` from ``acquire`` to ``release`` (or the end of the process)."""

    def __init__(self, state_dir: Path, what: str = "") -> None:
        self.path = state_dir / LOCK_NAME
        self.what = what or _command()
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise ProjectLocked naming its holder; then remove dead writers' leftovers."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise MarginError(
                f"cannot open the project lock {self.path}: {exc.strerror} — Margin changes a project only "
                "under its lock; check that the folder is yours to write in"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ProjectLocked(self._message(self._holder())) from None
        except OSError as exc:
            os.close(fd)
            raise MarginError(f"cannot lock {self.path}: {exc.strerror}") from None
        self._fd = fd
        try:
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": time.time(),
                "what": self.what,
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                atomic_write(ignore, GITIGNORE)
            remove_leftovers(self.path.parent.parent)
        except BaseException:
            self.release()
            raise

    def _holder(self) -> dict[str, object]:
        from margin.core.textfile import read_bytes

        try:
            data = json.loads(read_bytes(self.path) or b"{}")
        except (OSError, ValueError, RecursionError, MarginError):  # a link or a device is no holder either
            return {}
        return data if isinstance(data, dict) else {}

    def _message(self, holder: dict[str, object]) -> str:
        pid, since, what = holder.get("pid"), holder.get("since"), holder.get("what")
        if not isinstance(pid, int) or (holder.get("host") == socket.gethostname() and not _alive(pid)):
            # the file names the holder before, or no one yet: the new holder has not written it yet
            return "the project is in use by another Margin, which is just starting — try again in a moment"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(since)) if isinstance(since, float) else "?"
        then = "quit that app" if what == APP else "wait for it to finish"
        return (
            f"the project is in use by another Margin ({what}, process {pid} on {holder.get('host', '?')}, "
            f"since {when}) — {then}, then try again"
        )

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing the descriptor drops the lock

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
