"""Running git in a project's repository: one Repo per operation, argument lists, git's own words in
errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from margin.vcs.network import git_said
from margin.vcs.repo import GitError, _git


@contextmanager
def opened(root: Path) -> Iterator[Any]:
    """The repository at ``root``, closed after use (GitPython leaks processes in long-lived programs)."""
    repo = _git(root)
    try:
        yield repo
    finally:
        repo.close()


def run(repo: Any, *args: str) -> tuple[int, str, str]:
    """``git ARGS`` in the repository: (status, stdout, stderr), never raising for a non-zero status."""
    status, out, err = repo.git.execute(["git", *args], with_extended_output=True, with_exceptions=False)
    return int(status), str(out), str(err)


def check(repo: Any, *args: str, what: str) -> str:
    """``git ARGS``'s output; GitError starting with ``what`` when it fails."""
    status, out, err = run(repo, *args)
    if status != 0:
        raise local_error(what, out + "\n" + err)
    return out


def local_error(what: str, output: str) -> GitError:
    lowered = output.lower()
    if "tell me who you are" in lowered or "unable to auto-detect email" in lowered:
        return GitError(
            f"{what}: git does not know who you are, and every commit records its author — run "
            '`git config --global user.name "Your Name"` and `git config --global user.email you@example.org`'
        )
    return GitError(f"{what}: {git_said(output)}")


def unmerged(repo: Any) -> list[str]:
    """Files with unresolved merge conflicts."""
    _, out, _ = run(repo, "diff", "--name-only", "--diff-filter=U", "-z")
    return [f for f in out.split("\0") if f]


def merging(repo: Any) -> bool:
    """Whether a merge is in progress (git has a MERGE_HEAD)."""
    return run(repo, "rev-parse", "--verify", "--quiet", "MERGE_HEAD")[0] == 0


STOPPED = (
    ("rebase-merge", "rebase"),
    ("rebase-apply/rebasing", "rebase"),
    ("rebase-apply", "am"),
    ("CHERRY_PICK_HEAD", "cherry-pick"),
    ("REVERT_HEAD", "revert"),
)
"""git's state files (in the git directory) of an operation stopped part-way, and the git command it is."""


def stopped_operation(repo: Any) -> str | None:
    """The git command stopped part-way in the repository (``rebase``, ``am``, ``cherry-pick``, ``revert``),
    or None. A merge is not one of them: Margin's sync concludes its own (see ``merging``)."""
    status, out, _ = run(repo, "rev-parse", "--absolute-git-dir")
    if status != 0:
        return None
    git_dir = Path(out.strip())
    return next((command for name, command in STOPPED if (git_dir / name).exists()), None)


class OperationInProgress(GitError):
    """A rebase, ``git am``, cherry-pick or revert stopped part-way: Margin commits nothing in the middle
    of one (the commit would become part of it)."""

    def __init__(self, command: str) -> None:
        self.command = command
        what = "`git am`" if command == "am" else f"a {command}"
        super().__init__(
            f"{what} is in progress in the project's repository (git stopped part-way through it), and Margin "
            f"commits nothing in the middle of one — finish it (`git {command} --continue`, after `git add` "
            f"of the files you fixed) or give it up (`git {command} --abort`), then try again"
        )


def refuse_stopped_operation(repo: Any) -> None:
    """Raise OperationInProgress while a rebase, ``git am``, cherry-pick or revert is stopped part-way."""
    command = stopped_operation(repo)
    if command is not None:
        raise OperationInProgress(command)


def read_blobs(root: Path, names: list[str]) -> list[str | None]:
    """The contents of ``rev:path`` names in one git process, decoded as Margin reads files (None for one
    that is missing, not a file, larger than Margin reads, or not text Margin can read)."""
    import subprocess

    from margin.core.errors import FormatError
    from margin.core.textfile import MAX_FILE, decode

    def cat(option: str, wanted: list[str]) -> bytes:
        request = "".join(f"{n}\n" for n in wanted).encode("utf-8")
        return subprocess.run(
            ["git", "cat-file", option], cwd=root, input=request, capture_output=True, check=False
        ).stdout

    sizes = cat("--batch-check=%(objectsize)", names).split(b"\n")
    small = [n for n, size in zip(names, sizes, strict=False) if size.isdigit() and int(size) <= MAX_FILE]
    data, pos = cat("--batch", small), 0
    found: dict[str, str | None] = {}
    for name in small:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = data[pos:end].split()
        if len(header) != 3:  # "NAME missing", "NAME ambiguous"
            pos = end + 1
            continue
        size = int(header[2])
        content = data[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
        try:
            found[name] = decode(content, name.partition(":")[2]) if header[1] == b"blob" else None
        except FormatError:
            found[name] = None
    return [found.get(name) for name in names]
