"""A project's whole history in one file (a git bundle), and a project made from such a file: every branch
local, no remote left pointing at the file, the current branch checked out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from margin.vcs.repo import GIT_ENV, GitError


def write_bundle(repository: Path, out: Path, branches: Sequence[str]) -> None:
    """Write ``branches`` of the repository at ``repository`` (bare or not) into the bundle ``out``."""
    from margin.vcs.gitcmd import check, opened

    out.parent.mkdir(parents=True, exist_ok=True)
    with opened(repository) as repo:
        refs = [f"refs/heads/{b}" for b in branches]
        check(repo, "bundle", "create", "--quiet", str(out), *refs, what="cannot write the bundle")


def heads(bundle: Path) -> dict[str, str]:
    """Branch → commit, as the bundle holds them."""
    import git

    os.environ.update(GIT_ENV)
    status, out, err = git.Git().execute(
        ["git", "bundle", "list-heads", str(bundle)], with_extended_output=True, with_exceptions=False
    )
    if status != 0:
        raise GitError(f"{bundle} is not a readable git bundle: {str(err).strip()}")
    found = {}
    for line in str(out).splitlines():
        commit, _, ref = line.partition(" ")
        if ref.startswith("refs/heads/"):
            found[ref.removeprefix("refs/heads/")] = commit
    return found


def unbundle(bundle: Path, target: Path, branch: str = "main") -> str:
    """Make ``target`` (new or empty) a repository holding every branch of ``bundle``, with ``branch``
    checked out; returns its commit. Nothing refers to the bundle afterwards."""
    import git

    os.environ.update(GIT_ENV)
    target.mkdir(parents=True, exist_ok=True)
    try:
        repo = git.Repo.init(target, initial_branch=branch)
    except TypeError:  # older GitPython without initial_branch
        repo = git.Repo.init(target)
        repo.git.symbolic_ref("HEAD", f"refs/heads/{branch}")
    try:
        repo.git.fetch("--quiet", "--no-tags", "--update-head-ok", str(bundle), "refs/heads/*:refs/heads/*")
        repo.git.checkout("--force", "--quiet", branch)
        Path(repo.git_dir, "FETCH_HEAD").unlink(missing_ok=True)  # it names the bundle's path
        return str(repo.git.rev_parse("HEAD")).strip()
    except git.GitCommandError as exc:
        raise GitError(f"cannot unpack {bundle.name}: {str(exc.stderr).strip() or exc}") from None
    finally:
        repo.close()
