"""A project's files in its git repository: which project files changed, their contents at a revision or
on disk, and the decisions between two states (through semdiff).

One ``ProjectRepo`` per operation, closed after it (GitPython keeps helper processes otherwise). Git runs
with argument lists, ``--`` before paths and literal pathspecs, so a file name is never a pattern.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from margin.vcs.repo import GIT_ENV, GitError
from margin.vcs.semdiff import Decision, diff_file

PROJECT_FILES = ("margin.yaml", "codebook.yaml", "participants.yaml")
PROJECT_DIRS = ("documents", "memos")
LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}


def is_project_path(path: str) -> bool:
    """Whether ``path`` (relative to the project) is one of the project's own files: settings, codebook,
    participants, a document or a memo — not hidden files (an interrupted atomic write leaves one)."""
    if path in PROJECT_FILES:
        return True
    top, _, rest = path.partition("/")
    if top not in PROJECT_DIRS or not rest or any(part.startswith(".") for part in rest.split("/")):
        return False
    return top != "documents" or path.endswith(".txt")


class ProjectRepo:
    """The project's own git repository (a project is the top of its repository: Margin never commits
    into a repository that merely contains the project)."""

    def __init__(self, root: Path) -> None:
        import git

        os.environ.update(GIT_ENV)
        self.root = Path(root).resolve()
        try:
            self.repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(
                f"{self.root} is not a git repository, so Margin cannot record sessions — run "
                "`git init` there and commit the project (`margin init` makes projects that are)"
            ) from None

    def __enter__(self) -> ProjectRepo:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.repo.close()

    # --- running git ---------------------------------------------------------------------------------------
    def run(self, command: str, *args: str, env: Mapping[str, str] | None = None, **options: Any) -> str:
        """``git <command> <args>`` in the repository (``env`` added to the environment); a failure becomes
        a GitError with git's words."""
        import git

        try:
            method = getattr(self.repo.git, command.replace("-", "_"))
            return str(method(*args, env={**LITERAL, **(env or {})}, **options))
        except git.GitCommandError as exc:
            said = str(exc.stderr).strip() or str(exc)
            lock = re.search(r"Unable to create '([^']*\.lock)': File exists", said)
            if lock:
                raise GitError(
                    f"{lock.group(1)} exists: another git program is working here, or one was stopped "
                    "half-way (a crash leaves this file behind) — if no git program is running, delete "
                    "that file and try again; your changes are kept on disk"
                ) from None
            raise GitError(f"git {command} failed: {said.removeprefix('stderr: ').strip(chr(39))}") from None

    @staticmethod
    def _paths(output: str) -> list[str]:
        return sorted({p for p in output.split("\0") if is_project_path(p)})

    # --- revisions -------------------------------------------------------------------------------------------
    def head(self) -> str | None:
        """The commit HEAD points to, or None in a repository without commits yet."""
        import git

        try:
            return str(self.repo.git.rev_parse("--verify", "--quiet", "HEAD^{commit}")).strip() or None
        except git.GitCommandError:
            return None

    def resolve(self, rev: str) -> str:
        """The commit ``rev`` names; a clear error if it names none."""
        import git

        if rev.startswith("-"):
            raise GitError(f"'{rev}' is not a revision")
        try:
            return str(
                self.repo.git.rev_parse("--verify", "--quiet", "--end-of-options", rev + "^{commit}")
            ).strip()
        except git.GitCommandError:
            raise GitError(
                f"'{rev}' names no commit here — `margin log` lists the sessions (HEAD, HEAD~1, a commit ID)"
            ) from None

    # --- which project files changed ---------------------------------------------------------------------
    def changed_on_disk(self) -> list[str]:
        """Project files that differ between HEAD and the working tree (modified, new or deleted)."""
        output = self.run(
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--",
            ".",
        )
        return self._paths("\0".join(entry[3:] for entry in output.split("\0") if len(entry) > 3))

    def changed_between(self, old: str, new: str | None) -> list[str]:
        """Project files that differ between commits ``old`` and ``new`` (None: the working tree)."""
        revs = [old] if new is None else [old, new]
        output = self.run("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", *revs, "--", ".")
        paths = set(self._paths(output))
        if new is None:
            untracked = self.run("ls-files", "-z", "--others", "--exclude-standard", "--", ".")
            paths.update(self._paths(untracked))
        return sorted(paths)

    def files_at(self, commit: str) -> list[str]:
        """Every project file in ``commit``."""
        return self._paths(self.run("ls-tree", "-r", "-z", "--name-only", commit, "--", "."))

    # --- contents -------------------------------------------------------------------------------------------
    def read(self, rev: str | None, path: str) -> bytes | None:
        """The bytes of project file ``path`` at commit ``rev`` (None: on disk); None where it is absent."""
        if rev is None:
            from margin.core.paths import inside
            from margin.core.textfile import read_bytes

            try:
                return read_bytes(inside(self.root, path), path)
            except (FileNotFoundError, NotADirectoryError):
                return None
        try:
            _, kind, _, data = self.repo.git.get_object_data(f"{rev}:{path}")
        except ValueError:
            return None
        return bytes(data) if kind in ("blob", b"blob") else None  # GitPython gives bytes, types say str

    def states(
        self, old: str | None, new: str | None, paths: Iterable[str]
    ) -> list[tuple[str, bytes | None, bytes | None]]:
        """(path, old bytes, new bytes) of every path whose contents differ between commit ``old`` (None:
        no commit yet, every file absent) and commit ``new`` (None: the files on disk)."""
        out = []
        for path in paths:
            before = self.read(old, path) if old is not None else None
            after = self.read(new, path)
            if before != after:
                out.append((path, before, after))
        return out


def decisions(states: Sequence[tuple[str, bytes | None, bytes | None]]) -> list[Decision]:
    """The decisions of every changed file, file by file (codebook and participants first)."""
    order = {"codebook.yaml": 0, "participants.yaml": 1}
    out: list[Decision] = []
    for path, before, after in sorted(states, key=lambda s: (order.get(s[0], 2), s[0])):
        out += diff_file(path, before, after)
    return out
