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


def missing_identities(path: Path) -> list[str]:
    """The roles (``AUTHOR``, ``COMMITTER``) git cannot name in the repository at ``path``, asked of git
    itself (its config files, the environment, and what it would guess), as a commit would ask."""
    return [who for who in ("AUTHOR", "COMMITTER") if run_git(path, "var", f"GIT_{who}_IDENT")[0] != 0]


def first_commit_missing(path: Path) -> bool:
    """Whether the project at ``path`` lacks its first commit: no repository holds it yet, or its own
    repository has no commit with its margin.yaml (an init stopped before committing)."""
    status, top, _ = run_git(path, "rev-parse", "--show-toplevel")
    if status != 0:
        return True
    if Path(top.strip()).resolve() != path.resolve():
        return False  # a project inside another repository: not Margin's to commit
    return run_git(path, "cat-file", "-e", "HEAD:margin.yaml")[0] != 0


def init_repository(path: Path, message: str, prepare: Callable[[Path], None] | None = None) -> str:
    """Make ``path`` a git repository (if it is not one) and commit everything in it. Returns the commit.

    ``prepare(path)`` runs once the repository exists, before the commit (Margin registers its drivers).
    Without an identity git accepts, the first commit is made as "Margin" — a project never starts
    without its first commit.
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
        env = {  # git decides, not GitPython's reading of the config files: they can disagree
            f"GIT_{who}_{part}": value
            for who in missing_identities(path)
            for part, value in (("NAME", "Margin"), ("EMAIL", "margin@localhost"))
        }
        repo.git.commit("-m", message, "--no-verify", "--allow-empty", env=env)
        return str(repo.head.commit.hexsha)
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {exc.stderr.strip() or exc}") from None
    finally:
        repo.close()
