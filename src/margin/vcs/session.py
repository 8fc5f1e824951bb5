"""Coding sessions: every change made while a project is open, committed as one commit at the end.

``begin()`` finds changes to project files left uncommitted by an earlier run (a crash, a closed
terminal) and returns them as a ``Recovered`` session: the caller commits them on their own
(``commit_recovered``) or keeps them in the new session (``keep``) — nothing is discarded without asking.
``record()`` takes every ``Change`` of margin.core.operations; ``commit()`` makes one commit of the files
the session changed, with a message summarising the decisions between HEAD and the files on disk (so an
undone change is not reported, and a kept recovered session is summarised as what it is).

While a merge is in progress (a sync stopped on conflicts) the files differ from HEAD by the merge itself:
``begin()`` offers nothing, and ``commit()`` raises MergeInProgress with the work left on disk; the sync
that concludes the merge commits the merge first, then this work as a session of its own. While a rebase,
``git am``, cherry-pick or revert is stopped part-way, likewise, but ``commit()`` raises
OperationInProgress: the user finishes (or aborts) it with git, and the work is committed after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from margin.core.errors import MarginError
from margin.core.operations import Change
from margin.vcs.changes import ProjectRepo, decisions
from margin.vcs.gitcmd import merging, refuse_stopped_operation, stopped_operation
from margin.vcs.message import compose, new_session_id
from margin.vcs.repo import GitError
from margin.vcs.semdiff import Counts, Decision

IDENTITY_HELP = (
    "git does not know who you are, so Margin cannot commit your work under your name — run\n"
    '  git config --global user.name "Your Name"\n'
    '  git config --global user.email "you@example.org"\n'
    "(leave out --global to set it for this project only); your changes are kept on disk meanwhile"
)


class NoIdentity(GitError):
    """git has no name and email to commit with."""

    def __init__(self) -> None:
        super().__init__(IDENTITY_HELP)


class MergeInProgress(GitError):
    """A merge stopped on conflicts is not concluded yet, so a session cannot be committed on its own."""

    def __init__(self) -> None:
        super().__init__(
            "a merge is in progress (the last sync stopped on conflicts), so this work is committed after it — "
            "resolve the conflicts (C in the app, `margin resolve`), then sync: it concludes the merge and "
            "commits this work as its own session; nothing is lost meanwhile, it stays on disk"
        )


def merge_in_progress(root: Path) -> bool:
    """Whether the project at ``root`` is in the middle of a merge."""
    with ProjectRepo(root) as repo:
        return merging(repo.repo)


def check_identity(root: Path) -> None:
    """Raise NoIdentity unless git can author a commit in the project (from its config or environment)."""
    with ProjectRepo(root) as repo:
        _check_identity(repo)


def _check_identity(repo: ProjectRepo) -> None:
    for who in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            repo.run("var", who)
        except GitError:
            raise NoIdentity from None


def change_paths(change: Change) -> set[str]:
    """The project files a change wrote."""
    paths = {f"documents/{doc_id}.txt" for doc_id in change.documents}
    if change.codebook is not None:
        paths.add("codebook.yaml")
    if change.participants is not None:
        paths.add("participants.yaml")
    return paths


@dataclass(frozen=True)
class Recovered:
    """Changes to project files found uncommitted when a session began."""

    paths: tuple[str, ...]
    decisions: tuple[Decision, ...]

    @property
    def counts(self) -> Counts:
        return Counts.of(self.decisions)


@dataclass(frozen=True)
class Commit:
    """A commit a session made."""

    sha: str
    message: str
    decisions: tuple[Decision, ...]
    paths: tuple[str, ...]

    @property
    def subject(self) -> str:
        return self.message.partition("\n")[0]


class Session:
    """One coding session on the project at ``root`` (its own git repository, or inside one)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self.id = new_session_id()
        self.paths: set[str] = set()

    def begin(self) -> Recovered | None:
        """Start the session; returns the uncommitted changes of an earlier run, if any (not yet part of
        this session — see ``keep`` and ``commit_recovered``)."""
        with ProjectRepo(self.root) as repo:
            if merging(repo.repo) or stopped_operation(repo.repo):
                return None  # the files differ from HEAD by the merge (or rebase, …), not by an earlier run
            states = repo.states(repo.head(), None, repo.changed_on_disk())
        if not states:
            return None
        return Recovered(tuple(s[0] for s in states), tuple(decisions(states)))

    def keep(self, recovered: Recovered) -> None:
        """Make the recovered changes part of this session (committed with it at its end)."""
        self.paths.update(recovered.paths)

    def commit_recovered(self, recovered: Recovered) -> Commit | None:
        """Commit the recovered changes on their own, as a "Recovered session"."""
        return self._commit(recovered.paths, new_session_id(), recovered=True)

    def record(self, change: Change) -> None:
        """Note the files a change wrote (call for every change, and for undo and redo too)."""
        self.paths.update(change_paths(change))

    def pending(self) -> list[Decision]:
        """The decisions this session would commit now."""
        with ProjectRepo(self.root) as repo:
            return decisions(repo.states(repo.head(), None, sorted(self.paths)))

    def commit(self, title: str | None = None) -> Commit | None:
        """Commit the project files this session changed (None when nothing differs from HEAD any more).
        ``title`` replaces the summary as the subject (a command line change's own summary)."""
        done = self._commit(sorted(self.paths), self.id, title=title)
        self.paths.clear()
        self.id = new_session_id()  # whatever is recorded from now on is another session
        return done

    def _commit(
        self, paths: Iterable[str], session: str, *, title: str | None = None, recovered: bool = False
    ) -> Commit | None:
        with ProjectRepo(self.root) as repo:
            head = repo.head()
            states = repo.states(head, None, paths)
            if not states:
                return None
            if merging(repo.repo):
                raise MergeInProgress
            refuse_stopped_operation(repo.repo)
            found = decisions(states)
            message = compose(session, found, title=title, recovered=recovered)
            _check_identity(repo)  # before anything is staged: a refused commit leaves the index as it was
            sha = _commit_contents(repo, head, states, message)
        return Commit(sha, message, tuple(found), tuple(p for p, _, _ in states))


def _commit_contents(
    repo: ProjectRepo,
    head: str | None,
    states: Sequence[tuple[str, bytes | None, bytes | None]],
    message: str,
) -> str:
    """Commit exactly the contents in ``states`` (the bytes the message was made from) on top of ``head``:
    a file written again since it was read stays on disk as work for the next session. The tree is built in
    an index of its own; the project's index then gets the same entries, and HEAD moves only if it is still
    ``head``. No hooks run."""
    import io

    from gitdb import IStream

    entries: list[str] = []
    removed: list[str] = []
    for path, _, data in states:
        if data is None:
            removed.append(path)
            continue
        blob = repo.repo.odb.store(IStream("blob", len(data), io.BytesIO(data)))
        executable = (repo.root / path).stat().st_mode & 0o111 if (repo.root / path).exists() else 0
        entries += ["--cacheinfo", f"{'100755' if executable else '100644'},{blob.hexsha.decode()},{path}"]
    update = ["--add", *entries, *(["--force-remove", "--", *removed] if removed else [])]
    index = Path(repo.repo.git_dir) / "margin-session.index"  # one name: a lock a killed commit left is seen
    own = {"GIT_INDEX_FILE": str(index)}
    try:
        if head is not None:
            repo.run("read-tree", head, env=own)
        repo.run("update-index", *update, env=own)
        tree = repo.run("write-tree", env=own).strip()
    finally:
        index.unlink(missing_ok=True)
    parents = ["-p", head] if head is not None else []
    sha = repo.run("commit-tree", tree, *parents, "-m", message.rstrip("\n")).strip()
    repo.run("update-index", *update)  # the project's index: what is committed is not a change any more
    subject = message.partition("\n")[0]
    repo.run("update-ref", "-m", f"commit: {subject}", "HEAD", sha, head or "0" * 40)
    return sha


def identity_problem(root: Path) -> str | None:
    """What stops sessions in ``root`` from being committed (no git repository, no identity), or None."""
    try:
        check_identity(root)
    except MarginError as exc:
        return str(exc)
    return None
