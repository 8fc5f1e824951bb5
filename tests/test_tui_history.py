"""The history screen under Pilot, on a real repository with sessions by two coders: the sessions listed,
the filters, the decisions of a session, Enter opening a decision's words where they are now, and coming
back to the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import OptionList, Select, Static

from history_helpers import coder, git, session, span
from margin.core import operations as ops
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.history_screen import OLDER, UNCOMMITTED, HistoryScreen
from margin.tui.transcript import TranscriptView
from margin.vcs.repo import init_repository
from pilot import pilot_test

SIZE = (100, 30)
FG01, INT07 = "qual2/fg-01", "qual1/int-07"


@pytest.fixture
def sessions(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Start; Rosa codes fg-01; Malik uncodes and codes int-07 and fixes its first line; Rosa edits the text
    before the words she coded. Fixed dates, and session IDs in order, so the screen looks the same each run.
    Returns the commits by name (and the root as "root")."""
    root = project_dir
    ids = iter(f"20260302-09{n:02d}00-000{n}" for n in range(1, 10))
    monkeypatch.setattr("margin.vcs.session.new_session_id", lambda: next(ids))
    coder(monkeypatch, "Test Coder", "2026-03-02T09:00:00+00:00")
    start = init_repository(root, "Start")
    coder(monkeypatch, "Rosa Diaz", "2026-03-02T10:00:00+00:00")
    rosa = session(
        root,
        (ops.apply_codes, FG01, *span(root, FG01, "Nothing"), ["presence"], "laughter first"),
        (ops.apply_codes, FG01, *span(root, FG01, "changed"), ["role-models"]),
    )
    coder(monkeypatch, "Malik Osei", "2026-03-03T14:30:00+00:00")
    malik = session(
        root,
        (ops.remove_coding, INT07, *span(root, INT07, "more attentive to language")),
        (ops.apply_codes, INT07, *span(root, INT07, "peer support"), ["seriousness"]),
        (ops.edit_text, INT07, 0, "I1: How did peer support change the team?"),
    )
    coder(monkeypatch, "Rosa Diaz", "2026-03-04T11:15:00+00:00")
    edit = session(root, (ops.edit_text, FG01, 1, "M02: [laughs] Well. Nothing coded here."))
    return {"root": str(root), "start": start, "rosa": rosa, "malik": malik, "edit": edit}


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers (git reads) finish and their answers arrive."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_history(pilot: Pilot[None]) -> HistoryScreen:
    await settle(pilot)
    await pilot.press("H")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def listed(screen: HistoryScreen) -> list[str | None]:
    """The option IDs of the sessions listed (commits; UNCOMMITTED for the work on disk)."""
    options = screen.query_one("#history-sessions-list", OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


def decisions(screen: HistoryScreen) -> list[str]:
    return [item.decision.line for item in screen.items]


async def highlight(pilot: Pilot[None], screen: HistoryScreen, commit: str) -> None:
    screen.query_one("#history-sessions-list", OptionList).highlighted = listed(screen).index(commit)
    await settle(pilot)


async def choose(pilot: Pilot[None], screen: HistoryScreen, line_start: str) -> None:
    """Enter on the decision whose line starts with ``line_start``."""
    index = next(k for k, line in enumerate(decisions(screen)) if line.startswith(line_start))
    options = screen.query_one("#history-decisions", OptionList)
    options.focus()
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == str(index)
    )
    await pilot.press("enter")
    await settle(pilot)


@pilot_test
async def test_h_lists_the_sessions_newest_first_with_their_decisions(sessions: dict[str, str]) -> None:
    app = MarginApp(Project.load(sessions["root"]))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert listed(screen) == [sessions[k] for k in ("edit", "malik", "rosa", "start")]
        prompts = screen.query_one("#history-sessions-list", OptionList)
        malik = str(prompts.get_option_at_index(1).prompt)
        assert malik.startswith("2026-03-03 14:30  Malik Osei\nCoding session: 1 coding added")
        assert malik.endswith("+1 −1 ~0 · codes 0 · text edits 1")
        coders = screen.query_one("#history-coder", Select)
        assert [value for _, value in coders._options if isinstance(value, str)] == [
            "Malik Osei",
            "Rosa Diaz",
            "Test Coder",
        ]
        await highlight(pilot, screen, sessions["malik"])
        assert [item.decision.kind for item in screen.items] == [
            "text-edited",
            "coding-added",
            "coding-removed",
        ]
        texts = [str(o.prompt) for o in screen.query_one("#history-decisions", OptionList)._options]
        assert texts[0] == INT07 and "  Text edits" in texts
        assert "~ ¶1 … did peer support change your the team?" in texts  # the word diff, styled
        removed = next(t for t in texts if t.startswith("− ¶2"))
        assert removed.startswith("− ¶2 …") and removed.endswith(
            " become more attentive to language at work."
        )
        await pilot.press("b", "r", "slash")  # the main screen's keys wait while the history is up
        assert app.screen is screen


@pilot_test
async def test_filters_narrow_the_sessions_and_the_decisions(sessions: dict[str, str]) -> None:
    app = MarginApp(Project.load(sessions["root"]))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#history-coder", Select).value = "Rosa Diaz"
        await settle(pilot)
        assert listed(screen) == [sessions["edit"], sessions["rosa"]]
        await pilot.press("x")
        await settle(pilot)
        assert len(listed(screen)) == 4
        screen.query_one("#history-document", Select).value = INT07
        await settle(pilot)
        assert listed(screen) == [sessions["malik"], sessions["start"]]
        await pilot.press("x", "c")
        await pilot.pause()
        assert type(app.screen).__name__ == "TargetPicker"
        await pilot.press(*"role models", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.code == "role-models"
        assert listed(screen) == [sessions["rosa"], sessions["start"]]  # Start created the code
        await highlight(pilot, screen, sessions["rosa"])
        assert decisions(screen) == [f"+ role-models on 'changed' ({FG01} ¶1)"]
        assert "1 decision of 2 (filtered)" in str(screen.query_one("#history-heading", Static).render())


@pilot_test
async def test_a_code_s_old_slug_counts(sessions: dict[str, str]) -> None:
    root = Path(sessions["root"])
    session(root, (ops.reslug_code, "role-models", "models"))
    app = MarginApp(Project.load(root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("c", *"role models", "enter")
        await settle(pilot)
        assert screen.code == "models"
        assert listed(screen)[1:] == [sessions["rosa"], sessions["start"]]


@pilot_test
async def test_enter_opens_a_coding_where_its_words_are_now(sessions: dict[str, str]) -> None:
    root = Path(sessions["root"])
    app = MarginApp(Project.load(root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await highlight(pilot, screen, sessions["rosa"])
        await choose(pilot, screen, "+ presence on 'Nothing'")
        assert app.screen is not screen
        transcript = app.query_one(TranscriptView)
        assert transcript.document is not None and transcript.document.id == FG01
        assert transcript.selection == span(root, FG01, "Nothing")  # moved by the later text edit
        await pilot.press("H")
        await settle(pilot)
        assert app.screen is screen  # as it was left
        assert screen.query_one("#history-sessions-list", OptionList).highlighted == 2
        await highlight(pilot, screen, sessions["malik"])
        await choose(
            pilot, screen, "- language on 'more attentive to language'"
        )  # a removed coding: its words
        assert transcript.document is not None and transcript.document.id == INT07
        assert transcript.selection == span(root, INT07, "more attentive to language")


@pilot_test
async def test_escape_goes_back_and_coming_back_shows_new_work(sessions: dict[str, str]) -> None:
    root = Path(sessions["root"])
    app = MarginApp(Project.load(root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#history-coder", Select).value = "Rosa Diaz"  # the identity the app commits with
        await settle(pilot)
        assert listed(screen) == [sessions["edit"], sessions["rosa"]]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        app.coder.run(ops.apply_codes, FG01, *span(root, FG01, "listening"), ["presence"], documents=(FG01,))
        await pilot.press("H")
        await settle(pilot)
        assert listed(screen) == [UNCOMMITTED, sessions["edit"], sessions["rosa"]]  # the filter kept
        assert screen.query_one("#history-sessions-list", OptionList).highlighted == 1  # and the highlight
        await highlight(pilot, screen, UNCOMMITTED)
        assert [item.decision.kind for item in screen.items] == ["coding-added"]
        assert str(screen.query_one("#history-heading", Static).render()).startswith("not committed yet")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        head = git(root, "rev-parse", "HEAD").strip()
        assert head not in sessions.values()
        assert listed(screen) == [head, sessions["edit"], sessions["rosa"]]
        screen.query_one("#history-coder", Select).value = "Malik Osei"
        await settle(pilot)
        assert listed(screen) == [sessions["malik"]]  # not Rosa's work


@pilot_test
async def test_older_sessions_are_listed_on_enter(
    sessions: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("margin.tui.history_screen.LISTED", 2)
    app = MarginApp(Project.load(sessions["root"]))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert listed(screen) == [sessions["edit"], sessions["malik"], OLDER]
        screen.query_one("#history-sessions-list", OptionList).highlighted = 2
        await pilot.press("enter")
        await settle(pilot)
        assert listed(screen) == [sessions[k] for k in ("edit", "malik", "rosa", "start")]
        assert screen.query_one("#history-sessions-list", OptionList).highlighted == 2  # the first older one
        assert screen.shown is not None and screen.shown.commit == sessions["rosa"]


@pilot_test
async def test_a_document_deleted_since_is_a_notification(sessions: dict[str, str]) -> None:
    root = Path(sessions["root"])
    git(root, "rm", "-q", f"documents/{FG01}.txt")
    git(root, "commit", "-q", "-m", "Drop the focus group")
    app = MarginApp(Project.load(root))
    notes: list[str] = []
    async with app.run_test(
        size=SIZE,
        message_hook=lambda m: notes.append(m.notification.message) if isinstance(m, Notify) else None,
    ) as pilot:
        screen = await open_history(pilot)
        await highlight(pilot, screen, sessions["rosa"])
        await choose(pilot, screen, "+ presence on 'Nothing'")
        assert app.screen is screen
        assert f"{FG01} is no longer in the project." in notes


@pilot_test
async def test_a_project_without_git_says_so(project_dir: Path) -> None:
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert listed(screen) == []
        note = str(screen.query_one("#history-count", Static).render())
        assert "is not a git repository" in note and "git init" in note


# --- snapshot ---------------------------------------------------------------------------------------------
def test_snapshot_history(sessions: dict[str, str], snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_history(pilot)
        await highlight(pilot, screen, sessions["malik"])

    app = MarginApp(Project.load(sessions["root"]))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
