"""The editor Margin opens for the user (to write a conflict's result), chosen as git chooses its own:
``$GIT_EDITOR``, git's ``core.editor``, ``$VISUAL``, ``$EDITOR``, then the first of ``editor``, ``nano``
and ``vi`` found on the PATH."""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from margin.core.errors import MarginError

FALLBACKS = ("editor", "nano", "vi")


@dataclass(frozen=True)
class Editor:
    """An editor to run (a command, without a shell) and where the choice came from, to tell the user."""

    command: tuple[str, ...]
    source: str

    def describe(self) -> str:
        """E.g. "nano (the first editor found — set $EDITOR or git's core.editor to choose one)"."""
        return f"{self.command[0]} ({self.source})"


def choose_editor(root: Path) -> Editor:
    """The editor git would open in the repository at ``root``; MarginError when there is none."""
    settings = [
        (os.environ.get("GIT_EDITOR"), "$GIT_EDITOR"),
        (_core_editor(root), "git's core.editor"),
        (os.environ.get("VISUAL"), "$VISUAL"),
        (os.environ.get("EDITOR"), "$EDITOR"),
    ]
    for value, source in settings:
        command = tuple(shlex.split(value)) if value and value.strip() else ()
        if command:
            return Editor(command, source)
    for name in FALLBACKS:
        if shutil.which(name):
            return Editor((name,), "the first editor found — set $EDITOR or git's core.editor to choose one")
    raise MarginError(
        "no editor found: set one with `git config --global core.editor nano` (or export EDITOR=...)"
    )


def _core_editor(root: Path) -> str | None:
    from margin.vcs.gitcmd import opened, run

    try:
        with opened(root) as repo:
            status, out, _ = run(repo, "config", "--get", "core.editor")
    except MarginError:
        return None  # not a repository: no git settings
    return out.strip() if status == 0 else None
