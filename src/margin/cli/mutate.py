"""Running an operation from the command line: under the project lock, reporting its change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from margin.cli.output import Output


def mutate(out: Output, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Load the project here, lock it, run ``operation(project, *args, **kwargs)`` and print its summary."""
    from margin.core.lock import ProjectLock
    from margin.core.project import Project

    project = Project.load(".")
    with ProjectLock(project.state_dir):
        change = operation(project, *args, **kwargs)
    out.result(
        change.summary,
        {"action": change.action, "summary": change.summary, "documents": sorted(change.documents)},
    )
    return 0
