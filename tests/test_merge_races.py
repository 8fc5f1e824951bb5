"""Merges that stay valid and honest, on real git (a bare remote on disk, two coders' clones): a code deleted
by one coder and applied by the other, words deleted under the other's coding, a code merge racing a
removal and a boundary change, the check before every push, and Margin's own merge message."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from margin.vcs.sync import MergeConflicts, sync
from test_sync import cli, clone_for, code, edit, start_repository


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def team(tmp_path: Path, project_dir: Path) -> tuple[Path, Path, Path]:
    """Rosa's project pushed to a shared bare repository, and Malik's clone of it."""
    shared = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    start_repository(project_dir)
    assert cli("-C", str(project_dir), "remote", "add", "origin", str(shared)) == 0
    assert cli("-C", str(project_dir), "sync") == 0
    return project_dir, clone_for(tmp_path, str(shared), "malik"), shared


# --- item: Margin's merge message ---------------------------------------------------------------------
@pytest.mark.parametrize("conclude", ["margin sync", "git commit"])
def test_a_merge_commit_says_what_was_merged_decided_and_resolved(
    team: tuple[Path, Path, Path], conclude: str
) -> None:
    rosa, malik, _ = team
    edit(rosa, "qual1/int-07", 1, "at work", "at my work")
    edit(malik, "qual1/int-07", 1, "at work", "in work")
    code(rosa, "qual2/fg-01", "Nothing", "presence")
    sync(rosa)
    with pytest.raises(MergeConflicts):
        sync(malik)
    assert cli("-C", str(malik), "resolve", "int-07", "--theirs") == 0
    if conclude == "git commit":
        git(malik, "commit", "-q", "--no-edit")
    else:
        sync(malik)
    message = git(malik, "cat-file", "commit", "HEAD").split("\n\n", 1)[1]
    assert "#" not in message  # none of git's "# Conflicts:" lines
    assert message.startswith("Sync with origin/main\n\nMerged 1 commit from origin/main (Test Coder).\n\n")
    assert "\n\nConflicts (1):\n- documents/qual1/int-07.txt:" in message
    assert "¶2 ('…to language in work.' here, '…to language at my work.' there)\n" in message
    assert message.endswith("\nResolved:\n- documents/qual1/int-07.txt ¶2: theirs\n")
    assert len(git(malik, "log", "-1", "--format=%P").split()) == 2
