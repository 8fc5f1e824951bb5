"""What the history tests share: git, committing as a named coder, a session of operations, a span of
words."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from margin.core.project import Project
from margin.vcs.session import Session


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def coder(monkeypatch: pytest.MonkeyPatch, name: str, date: str | None = None) -> None:
    """Commit as ``name`` from now on (at ``date``, if given)."""
    for kind in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{kind}_NAME", name)
        monkeypatch.setenv(f"GIT_{kind}_EMAIL", f"{name.split()[0].lower()}@example.org")
        if date is not None:
            monkeypatch.setenv(f"GIT_{kind}_DATE", date)


def session(root: Path, *steps: tuple[object, ...]) -> str:
    """Run operations as one session and commit it; returns the commit."""
    project = Project.load(root)
    s = Session(root)
    for operation, *args in steps:
        s.record(operation(project, *args))  # type: ignore[operator]
    done = s.commit()
    assert done is not None
    return done.sha


def span(root: Path, doc_id: str, words: str) -> tuple[int, int]:
    """Where ``words`` first stand in the document's text."""
    start = Project.load(root).document(doc_id).text.index(words)
    return start, start + len(words)
