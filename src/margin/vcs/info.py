"""What the app shows about a project's repository: the coder's identity and the current branch.

Each answer is one quick local git command (no repository scan, no network), run directly with an
argument list so that asking costs milliseconds and no GitPython import.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from margin.vcs.repo import GIT_ENV


def _git(root: Path, *args: str) -> str | None:
    """git's output, stripped, or None when git fails or is missing."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=root,
            env={**os.environ, **GIT_ENV},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def coder_name(root: Path) -> str | None:
    """The name git would author a commit in ``root`` with (environment and config, as git decides),
    or None when git has no identity to use (user.name/user.email unset and not guessable)."""
    ident = _git(root, "var", "GIT_AUTHOR_IDENT")
    if ident is None:
        return None
    name, _, _ = ident.partition(" <")
    return name.strip() or None


def branch_name(root: Path) -> str | None:
    """The branch checked out in ``root``, ``detached at <commit>`` without one, or None when ``root``
    is not the top of a git repository (a project is its own repository)."""
    if not (root / ".git").exists():
        return None
    branch = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    if branch:
        return branch
    commit = _git(root, "rev-parse", "--short", "HEAD")
    return f"detached at {commit}" if commit else None
