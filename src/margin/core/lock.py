"""The project's write lock: one writer at a time, and a clear word about who holds it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType

from margin.core.errors import ProjectLocked

LOCK_NAME = "lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ProjectLock:
    """``.margin/lock``, created exclusively; a lock left by a dead process on this host is taken over."""

    def __init__(self, state_dir: Path, what: str = "") -> None:
        self.path = state_dir / LOCK_NAME
        self.what = what or " ".join(["margin", *sys.argv[1:2]])
        self.held = False

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                pid = holder.get("pid")
                if holder.get("host") == socket.gethostname() and isinstance(pid, int) and not _alive(pid):
                    with contextlib.suppress(FileNotFoundError):
                        self.path.unlink()
                    continue
                raise ProjectLocked(self._message(holder)) from None
            with os.fdopen(fd, "w") as handle:
                json.dump(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "since": time.time(),
                        "what": self.what,
                    },
                    handle,
                )
            self.held = True
            return
        raise ProjectLocked(self._message(self._holder()))

    def _holder(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _message(self, holder: dict[str, object]) -> str:
        since = holder.get("since")
        when = (
            time.strftime("%Y-%m-%d %H:%M", time.localtime(float(since))) if isinstance(since, float) else "?"
        )
        return (
            f"the project is in use by another Margin ({holder.get('what', '?')}, process {holder.get('pid', '?')} "
            f"on {holder.get('host', '?')}, since {when}) — finish there first; if that process is gone, "
            f"delete {self.path}"
        )

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.held = False

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
