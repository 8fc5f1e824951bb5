"""What the app says about work that did not come through it: the editor it opens for a conflict (chosen as
git chooses), a codebook a merge left with conflict blocks, and changes found uncommitted at start."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from conftest import commit_project
from margin.core.codebook import Codebook
from margin.core.errors import FormatError, MarginError
from margin.tui.app import MarginApp
from margin.tui.coding_view import CodingView
from margin.tui.conflicts_screen import ConflictsApp, ConflictsScreen
from margin.tui.session_ui import RecoveredScreen
from margin.tui.writer import AppProject
from margin.vcs.editor import choose_editor
from pilot import pilot_test, screen_lines, wait_for_sessions
from test_resolve import make_conflicted
from test_tui_coding import FG01, INT07, notes

SIZE = (120, 40)


# --- the editor ------------------------------------------------------------------------------------------
@pytest.fixture
def bare_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only git (and what a test puts there), and no editor settings."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    (bin_dir / "git").symlink_to(git)
    monkeypatch.setenv("PATH", str(bin_dir))
    for name in ("GIT_EDITOR", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    return bin_dir


def put_on_path(bin_dir: Path, name: str) -> None:
    tool = bin_dir / name
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)


def test_the_editor_is_chosen_as_git_chooses(
    project_dir: Path, bare_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = commit_project(project_dir)
    with pytest.raises(MarginError, match="no editor found: set one with"):
        choose_editor(root)
    put_on_path(bare_path, "vi")
    put_on_path(bare_path, "nano")
    assert choose_editor(root).command == ("nano",)  # nano before vi
    put_on_path(bare_path, "editor")
    found = choose_editor(root)
    assert found.command == ("editor",) and "the first editor found" in found.describe()
    monkeypatch.setenv("EDITOR", "emacs -nw")
    assert choose_editor(root).command == ("emacs", "-nw")
    monkeypatch.setenv("VISUAL", "code --wait")
    assert choose_editor(root).describe() == "code ($VISUAL)"
    subprocess.run(["git", "config", "core.editor", "micro"], cwd=root, check=True)
    assert choose_editor(root).describe() == "micro (git's core.editor)"
    monkeypatch.setenv("GIT_EDITOR", "hx")
    assert choose_editor(root).describe() == "hx ($GIT_EDITOR)"


def test_edit_says_which_editor_it_would_open_where_none_can_take_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_conflicted(tmp_path)
    monkeypatch.setenv("GIT_EDITOR", "nano")

    async def run() -> None:
        app = ConflictsApp(root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("down", "e")  # ¶2 of the transcript; Pilot's terminal cannot be suspended
            await pilot.pause()
            assert isinstance(app.screen, ConflictsScreen)
            said = [n.message for n in app._notifications][-1]
            assert "nano ($GIT_EDITOR)" in said and "margin resolve documents/qual1/int-07.txt --edit" in said

    asyncio.run(run())


# --- a codebook with conflict blocks ---------------------------------------------------------------------
CONFLICTED_CODEBOOK = """\
codes:
  presence:
<<<<<<< ours
    label: Being there
=======
    label: Being present
>>>>>>> theirs
"""


def test_a_codebook_with_a_conflict_block_is_named_a_merge_conflict() -> None:
    with pytest.raises(FormatError) as caught:
        Codebook.parse(CONFLICTED_CODEBOOK)
    assert str(caught.value).startswith("codebook.yaml:3:1: an unresolved git merge conflict")
    assert "margin resolve" in str(caught.value) and "invalid YAML" not in str(caught.value)


@pilot_test
async def test_the_app_reports_a_codebook_conflict_with_how_to_resolve_it(project_dir: Path) -> None:
    commit_project(project_dir)
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (project_dir / "codebook.yaml").write_text(CONFLICTED_CODEBOOK, encoding="utf-8")
        app.query_one(CodingView).check_disk()
        await pilot.pause()
        said = notes(app, "Changed on disk")[-1]
        assert "codebook.yaml:3:1: an unresolved git merge conflict" in said
        assert "margin resolve" in said and "C resolves it" in said and "invalid YAML" not in said


# --- changes found uncommitted ---------------------------------------------------------------------------
def edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pilot_test
async def test_changes_found_uncommitted_are_listed_file_by_file(project_dir: Path) -> None:
    root = commit_project(project_dir)
    edit_file(root / INT07, "{more attentive to language}[language] at work.", "more attentive at work.")
    edit_file(root / FG01, "[laughs] Nothing", "[laughs] {Nothing}[presence]")  # by another program
    app = MarginApp(AppProject.load(root))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_sessions(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, RecoveredScreen)
        drawn = "\n".join(screen_lines(app))
        assert "closed before the session ended" not in drawn
        assert "or by another program" in drawn
        assert f"{INT07}: 1 coding removed, 1 text edit" in drawn
        assert f"{FG01}: 1 coding added" in drawn
        assert "+ presence on 'Nothing' (qual2/fg-01 ¶2)" in drawn
