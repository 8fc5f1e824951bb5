"""Document and project memos in the app: written in a text area, saved to memos/ (never over a change
made on disk meanwhile), shown beside the document, and committed with the session."""

from __future__ import annotations

import subprocess
from pathlib import Path

from textual.widgets import TextArea

from conftest import commit_project
from margin.tui.app import MarginApp
from margin.tui.memo import MemoScreen
from margin.tui.transcript import TranscriptView
from margin.tui.writer import AppProject
from pilot import pilot_test, wait_for_sessions
from test_tui_coding import notes, open_document, settle

SIZE = (120, 40)
DOC_MEMO = "memos/documents/qual1/int-07.md"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pilot_test
async def test_a_document_memo_is_written_shown_beside_it_and_committed(project_dir: Path) -> None:
    root = commit_project(project_dir)
    app = MarginApp(AppProject.load(root))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_sessions(app, pilot)
        await open_document(app, pilot, "qual1/int-07")
        transcript = app.query_one(TranscriptView)
        assert transcript.border_title is None  # no memo yet
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, MemoScreen)
        app.screen.query_one(TextArea).insert("# Tone of the interview\n\nP07 hesitates before 'us'.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert (root / DOC_MEMO).read_text(encoding="utf-8") == (
            "# Tone of the interview\n\nP07 hesitates before 'us'.\n"
        )
        assert transcript.border_title == "✎ Tone of the interview (M: the whole memo)"
        await pilot.press("M")  # the whole memo, to read or go on writing
        await settle(app, pilot)
        assert app.screen.query_one(TextArea).text.endswith("P07 hesitates before 'us'.\n")
        await pilot.press("escape")
        await pilot.press("S")
        await wait_for_sessions(app, pilot)
    assert DOC_MEMO in git(root, "show", "--name-only", "--format=", "HEAD").split()
    message = git(root, "log", "-1", "--format=%B")
    assert "1 memo changed" in message.splitlines()[0] and f"+ {DOC_MEMO}" in message
    assert git(root, "status", "--porcelain") == ""


@pilot_test
async def test_the_project_memo_is_not_saved_over_a_change_on_disk(project_dir: Path) -> None:
    memo = project_dir / "memos" / "project.md"
    memo.parent.mkdir()
    memo.write_text("# Project memo\n", encoding="utf-8")
    root = commit_project(project_dir)
    app = MarginApp(AppProject.load(root))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_sessions(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
        assert isinstance(app.screen, MemoScreen)
        assert app.screen.query_one(TextArea).text == "# Project memo\n"
        app.screen.query_one(TextArea).insert("Mine.\n")
        memo.write_text("# Project memo\n\nTheirs, written meanwhile.\n", encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert memo.read_text(encoding="utf-8") == "# Project memo\n\nTheirs, written meanwhile.\n"
        assert "memos/project.md changed on disk since it was opened" in notes(app, "Memo not saved")[-1]
        await pilot.press("P")
        await settle(app, pilot)
        app.screen.query_one(TextArea).insert("Mine, after reading theirs.\n")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Mine, after reading theirs." in memo.read_text(encoding="utf-8")
        assert "Theirs, written meanwhile." in memo.read_text(encoding="utf-8")
