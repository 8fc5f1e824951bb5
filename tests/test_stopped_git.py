"""A rebase, `git am`, cherry-pick or revert stopped part-way: Margin commits nothing in the middle of it
(the commit would become part of it). Commands that write are refused before changing anything, sync is
refused, and the app keeps its session on disk. Real repositories, the real CLI and the real app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from history_helpers import git
from margin.core import operations as ops
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.vcs import drivers
from margin.vcs.repo import init_repository
from pilot import pilot_test, wait_for_sessions
from test_lock import WORDS, add_coding, cli, span
from test_sync import start_repository

EDIT_FIRST = (
    "import sys; p = sys.argv[1]; t = open(p).read(); open(p, 'w').write(t.replace('pick', 'edit', 1))"
)
"""A sequence editor for `git rebase -i`: stop at the first commit, as `edit` does."""


def stop(root: Path, command: str, tmp_path: Path) -> None:
    """Leave ``command`` stopped part-way in the project's repository, on a file outside the project."""
    notes = root / "notes.md"
    notes.write_text("one\n", encoding="utf-8")
    git(root, "add", "notes.md")
    git(root, "commit", "-q", "-m", "Notes")
    git(root, "checkout", "-q", "-b", "other", "HEAD~1")
    notes.write_text("two\n", encoding="utf-8")
    git(root, "add", "notes.md")
    git(root, "commit", "-q", "-m", "Other notes")
    git(root, "checkout", "-q", "main")
    if command == "rebase":
        editor = tmp_path / "edit_first.py"
        editor.write_text(EDIT_FIRST, encoding="utf-8")
        run = ["-c", f"sequence.editor={sys.executable} {editor}", "rebase", "-q", "-i", "HEAD~1"]
    elif command == "cherry-pick":
        run = ["cherry-pick", "other"]
    elif command == "revert":
        notes.write_text("three\n", encoding="utf-8")
        git(root, "commit", "-q", "-a", "-m", "More notes")
        run = ["revert", "--no-edit", "HEAD~1"]
    else:
        patch = tmp_path / "other.patch"
        patch.write_text(git(root, "format-patch", "-1", "--stdout", "other"), encoding="utf-8")
        run = ["am", str(patch)]
    subprocess.run(["git", "-C", str(root), *run], capture_output=True, check=False)
    state = git(root, "rev-parse", "--git-path", STATE[command]).strip()
    assert (root / state).exists(), git(root, "status")  # git stopped part-way


STATE = {
    "rebase": "rebase-merge",
    "am": "rebase-apply",
    "cherry-pick": "CHERRY_PICK_HEAD",
    "revert": "REVERT_HEAD",
}
"""The file git keeps while each command is stopped part-way."""


@pytest.fixture
def project(project_dir: Path) -> Path:
    start_repository(project_dir)
    return project_dir


@pytest.mark.parametrize("command", ["rebase", "am", "cherry-pick", "revert"])
def test_a_command_that_writes_is_refused_and_changes_nothing(
    project: Path, tmp_path: Path, command: str
) -> None:
    stop(project, command, tmp_path)
    document = project / "documents" / "qual1" / "int-07.txt"
    before, head, status = document.read_bytes(), git(project, "rev-parse", "HEAD"), git(project, "status")
    refused = add_coding(project, "presence")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    what = "`git am`" if command == "am" else f"a {command}"
    assert f"{what} is in progress in the project's repository" in refused.stderr
    assert f"`git {command} --continue`" in refused.stderr and f"`git {command} --abort`" in refused.stderr
    assert document.read_bytes() == before
    assert git(project, "rev-parse", "HEAD") == head and git(project, "status") == status
    synced = cli(project, "sync")
    assert synced.returncode == 1 and f"{what} is in progress" in synced.stderr
    assert git(project, "rev-parse", "HEAD") == head


def test_the_git_directory_is_asked_of_git(project_dir: Path, tmp_path: Path) -> None:
    """A project whose git directory is elsewhere (``.git`` is a file naming it)."""
    subprocess.run(
        [
            "git",
            "init",
            "-q",
            "-b",
            "main",
            f"--separate-git-dir={tmp_path / 'elsewhere.git'}",
            str(project_dir),
        ],
        check=True,
    )
    drivers.install(project_dir)
    init_repository(project_dir, "Start the study")
    assert (project_dir / ".git").is_file()
    stop(project_dir, "rebase", tmp_path)
    refused = add_coding(project_dir, "presence")
    assert refused.returncode == 1 and "a rebase is in progress" in refused.stderr


@pilot_test
async def test_the_app_keeps_its_session_on_disk_during_a_rebase(project: Path, tmp_path: Path) -> None:
    stop(project, "rebase", tmp_path)
    head = git(project, "rev-parse", "HEAD")
    app = MarginApp(Project.load(project))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_sessions(app, pilot)
        start, end = (int(x) for x in span(project, WORDS))
        app.coder.run(ops.apply_codes, "qual1/int-07", start, end, ["presence"], documents=("qual1/int-07",))
        await pilot.press("q")
        await wait_for_sessions(app, pilot)
        await pilot.pause()
        kept = [n for n in app._notifications if n.title == "Session kept on disk"]
        assert kept and "a rebase is in progress" in kept[0].message
        assert app.return_code == 0  # quitting is not held up: the work stays on disk
    assert git(project, "rev-parse", "HEAD") == head
    text = (project / "documents" / "qual1" / "int-07.txt").read_text(encoding="utf-8")
    assert "{more attentive to language}[language, presence]" in text
