"""Git commands that talk to a remote: never a prompt, never a hang, progress as it comes, clear errors.

Fetch, push and clone run git directly (an argument list, no shell) rather than through GitPython's
passthrough, because Margin needs two things GitPython does not give together: git's ``--progress``
lines while the command runs, and a watchdog that ends the command (and the ssh it started) when the
remote goes silent. Prompts are off: ``GIT_TERMINAL_PROMPT=0``, no askpass program, ssh in batch mode,
stdin closed. Credentials stay git's business (credential helpers, ssh-agent).
"""

from __future__ import annotations

import io
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from margin.vcs.repo import GIT_ENV, GitError

Progress = Callable[[str, "float | None"], None]
"""Called with a stage ("Receiving objects", "pushing to origin") and a fraction 0–1 (None: no figure)."""

DEFAULT_TIMEOUT = 60.0
"""Seconds a remote may stay silent before Margin gives up on it."""

_PROGRESS = re.compile(r"^(?:remote: )?([A-Z][A-Za-z ]+):\s+(\d+)%")
_AUTH = (
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "authentication failed",
    "permission denied (",
    "permission to",
    "access denied",
    "http basic: access denied",
    "requested url returned error: 401",
    "requested url returned error: 403",
    "host key verification failed",
    "invalid username or password",
)
_UNREACHABLE = (
    "could not resolve host",
    "connection refused",
    "connection timed out",
    "operation timed out",
    "no route to host",
    "network is unreachable",
    "failed to connect",
    "unable to access",
    "does not appear to be a git repository",
    "could not read from remote repository",
    "repository not found",
    "does not exist",
    "no such file or directory",
    "could not resolve hostname",
    "connection closed",
    "connection reset",
    "unable to look up",
)


class RemoteError(GitError):
    """A remote could not be used; the message says why and what to do."""


class RemoteUnreachable(RemoteError):
    """The remote's address does not lead to a repository (no network, wrong URL, server down)."""


class AuthFailed(RemoteError):
    """The remote refused access: git has no credentials that it accepts."""


class RemoteTimeout(RemoteError):
    """The remote stopped answering."""


def network_env() -> dict[str, str]:
    """The environment for git commands that may reach the network: nothing may wait for a person."""
    env = dict(os.environ)
    env.update(GIT_ENV)
    env.pop("GIT_ASKPASS", None)
    env.pop("SSH_ASKPASS", None)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GCM_INTERACTIVE"] = "never"  # Git Credential Manager: fail instead of opening a window
    ssh = env.get("GIT_SSH_COMMAND") or env.get("GIT_SSH") or "ssh"
    env["GIT_SSH_COMMAND"] = f"{ssh} -o BatchMode=yes -o ConnectTimeout=20"
    env.pop("GIT_SSH", None)
    env["LC_ALL"] = "C"  # git's messages in English, so that they can be recognised
    return env


def check_url(url: str) -> str:
    """``url`` if git may use it as a remote's address; refuses options and transports that run commands."""
    if not url or url.strip() != url:
        raise RemoteError(f"'{url}' is not a remote address — give a URL such as https://host/team/study.git")
    if url.startswith("-"):
        raise RemoteError(f"'{url}' looks like an option, not a remote address")
    if re.match(r"^(ext|fd)::", url):
        raise RemoteError(f"'{url}' would make git run a command — Margin only uses ordinary remotes")
    return url


def run_network(
    args: Sequence[str],
    cwd: Path,
    *,
    remote: str,
    url: str,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[int, str]:
    """Run ``git ARGS`` (a fetch, push or clone); returns (exit status, everything git wrote).

    ``remote`` names the remote for messages ("the remote 'origin'", or the URL of a clone).
    Raises RemoteTimeout when git writes nothing for ``timeout`` seconds (the command and its children
    are ended), AuthFailed / RemoteUnreachable when git failed for one of those reasons.
    """
    proc = subprocess.Popen(
        ["git", *args],
        cwd=cwd,
        env=network_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so ssh and helpers end with it
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(proc, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            _end(proc)
            raise RemoteTimeout(
                f"{remote} did not answer for {timeout:.0f} s, so Margin stopped waiting — "
                "check your connection and run the command again"
            ) from None
        if line is None:
            break
        deadline = time.monotonic() + timeout
        seen.append(line)
        match = _PROGRESS.match(line)
        if match and progress is not None:
            progress(match.group(1), int(match.group(2)) / 100)
    status = proc.wait()
    reader.join()
    output = "\n".join(line for line in seen if not _PROGRESS.match(line))
    if status != 0:
        problem = classify(output, remote, url)
        if problem is not None:
            raise problem
    return status, output


def _read_lines(proc: subprocess.Popen[bytes], lines: queue.Queue[str | None]) -> None:
    """Pass git's output on line by line; progress lines end in a carriage return."""
    stream = proc.stdout
    assert isinstance(stream, io.BufferedReader)
    pending = b""
    while True:
        chunk = stream.read1(4096)
        if not chunk:
            break
        pending += chunk
        parts = re.split(rb"[\r\n]", pending)
        pending = parts.pop()
        for part in parts:
            if part.strip():
                lines.put(part.decode("utf-8", "replace").rstrip())
    if pending.strip():
        lines.put(pending.decode("utf-8", "replace").rstrip())
    lines.put(None)


def _end(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


_NOISE = (
    "hint:",
    "remote: Counting",
    "remote: Enumerating",
    "Cloning into",
    "Please make sure you have the correct access rights",
    "and the repository exists",
)


def git_said(output: str) -> str:
    """The lines of git's output that explain a failure, without hints, progress and boilerplate."""
    keep = [
        line.removeprefix("fatal: ").removeprefix("error: ").strip().rstrip(".")
        for line in output.splitlines()
        if line.strip() and not line.startswith(_NOISE)
    ]
    return "; ".join(keep[-3:]) or "no message"


def classify(output: str, remote: str, url: str) -> RemoteError | None:
    """The error for a failed network command, if it failed for want of access or of a reachable remote."""
    text = output.lower()
    said = git_said(output)
    if any(marker in text for marker in _AUTH):
        return AuthFailed(
            f"{remote} refused access ({said}). Margin never asks for passwords: set up access with git "
            "itself — a credential helper or a personal access token for https, an ssh key in ssh-agent "
            f"for ssh — check it with `git ls-remote {url}`, then run the command again"
        )
    if any(marker in text for marker in _UNREACHABLE):
        return RemoteUnreachable(
            f"cannot reach {remote} ({said}) — check the address and your network connection, then run "
            "the command again"
        )
    return None
