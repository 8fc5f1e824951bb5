"""Git repositories for projects: create, commit. Git runs with argument lists, never a shell."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from margin.core.errors import MarginError

GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


class GitError(MarginError):
    """A git command failed; the message says what git said."""


def _git(path: Path):  # type: ignore[no-untyped-def]
    import git

    os.environ.update(GIT_ENV)
    try:
        return git.Repo(path)
    except git.InvalidGitRepositoryError:
        raise GitError(f"{path} is not a git repository — run `git init` there, or `margin init`") from None


def run_git(root: Path, *args: str) -> tuple[int, str, str]:
    """``git ARGS`` in ``root``: status, output and error output. An argument list (no shell), no prompt;
    plain subprocess for the quick commands of checks that run often (GitPython costs more to import)."""
    import subprocess

    done = subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout, done.stderr


def has_identity(path: Path) -> bool:
    import git

    repo = _git(path)
    try:
        reader = repo.config_reader()
        return bool(reader.get_value("user", "name", "")) and bool(reader.get_value("user", "email", ""))
    except (KeyError, git.GitCommandError, OSError):
        return False
    finally:
        repo.close()


def init_repository(path: Path, message: str, prepare: Callable[[Path], None] | None = None) -> str:
    """Make ``path`` a git repository (if it is not one) and commit everything in it. Returns the commit.

    ``prepare(path)`` runs once the repository exists, before the commit (Margin registers its drivers).
    """
    import git

    os.environ.update(GIT_ENV)
    try:
        repo = git.Repo.init(path, initial_branch="main")
    except TypeError:  # older GitPython without initial_branch
        repo = git.Repo.init(path)
    try:
        if prepare is not None:
            prepare(path)
        repo.git.add("--all", "--", ".")
        env = {}
        if not has_identity(path):  # the project's first commit must not fail for want of an identity
            env = {
                k + v: w
                for k in ("GIT_AUTHOR_", "GIT_COMMITTER_")
                for v, w in (("NAME", "Margin"), ("EMAIL", "margin@localhost"))
            }
        repo.git.commit("-m", message, "--no-verify", "--allow-empty", env=env)
        return str(repo.head.commit.hexsha)
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {exc.stderr.strip() or exc}") from None
    finally:
        repo.close()
