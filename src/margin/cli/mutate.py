"""Running an operation from the command line: under the project lock, reporting its change, and
committing it — one command, one commit (a session of one change)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from margin.cli.output import Output


def _session(root: Path, out: Output) -> Any:
    """A session to commit the change with; None (after a warning) when the project is not a git
    repository. Without a git identity, or while a rebase (cherry-pick, …) is stopped part-way, the
    command is refused before anything changes."""
    from margin.vcs.gitcmd import OperationInProgress, opened, refuse_stopped_operation
    from margin.vcs.repo import GitError
    from margin.vcs.session import NoIdentity, Session, check_identity

    try:
        check_identity(root)
        with opened(root) as repo:
            refuse_stopped_operation(repo)
    except (NoIdentity, OperationInProgress):
        raise
    except GitError as exc:
        out.warn(f"the change will not be committed: {exc}")
        return None
    return Session(root)


def mutate(out: Output, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Lock the project here, load it, run ``operation(project, *args, **kwargs)``, commit the files it
    changed (message: its summary, the decisions and the session trailers) and print its summary. The
    project is read under the lock, so that what a writer before this one wrote is what it starts from."""
    from margin.core.lock import ProjectLock
    from margin.core.project import Project, find_root, state_dir
    from margin.vcs.gitcmd import OperationInProgress
    from margin.vcs.repo import GitError
    from margin.vcs.session import MergeInProgress

    root = find_root(Path.cwd())
    session = _session(root, out)
    problem = None
    commit = None
    with ProjectLock(state_dir(root)):
        project = Project.load(root)
        change = operation(project, *args, **kwargs)
        if session is not None:
            session.record(change)
            try:
                commit = session.commit(title=change.summary)
            except (MergeInProgress, OperationInProgress) as exc:
                out.warn(f"the change is saved; {exc}")
            except GitError as exc:
                problem = f"the change is saved but not committed: {exc}"
    out.result(
        change.summary,
        {
            "action": change.action,
            "summary": change.summary,
            "documents": sorted(change.documents),
            "commit": commit.sha if commit is not None else None,
        },
    )
    if problem:
        out.error(problem)
        return 1
    return 0
