"""Where the app puts the coder: a find with no match selects nothing, undo and redo show their change in
whichever document, a document opens where it was left, one Enter opens a search hit."""

from __future__ import annotations

from pathlib import Path

from margin.core.coding import Coding
from margin.tui.app import MarginApp
from margin.tui.places import PLACES, Places
from margin.tui.search import FindBar, SearchScreen
from margin.tui.writer import AppProject
from pilot import pilot_test
from test_tui_coding import at, open_document, settle, span

SIZE = (120, 40)


# --- find ----------------------------------------------------------------------------------------------
@pilot_test
async def test_a_find_with_no_match_selects_nothing(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        origin = at(view, "peer")
        view.go_to(origin)
        await pilot.press("slash", *"attentive")
        await pilot.pause()
        assert view.selection == span(view, "attentive")
        await pilot.press("x")  # "attentivex": no match
        await pilot.pause()
        assert app.query_one(FindBar).hits == []
        assert view.selection is None and view.cursor_offset == origin
        await pilot.press("escape", "c")
        await settle(app, pilot)
        assert app.screen.title_text == "Jump to the segments of (n/N)"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash", "end", "backspace")  # "attentive" again, then another document
        await pilot.pause()
        assert view.selection == span(view, "attentive")
        view = await open_document(app, pilot, "qual2/fg-01")
        await pilot.press("slash", *"zzz")
        await pilot.pause()
        assert view.document.id == "qual2/fg-01"
        assert view.selection is None and view.cursor_offset == 0


# --- undo and redo ---------------------------------------------------------------------------------------
@pilot_test
async def test_undo_and_redo_in_another_document_select_the_change(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        coded = span(view, "at work")
        view.go_to(*coded)
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"presence", "enter")
        await settle(app, pilot)
        assert Coding(*coded, ("presence",)) in view.document.codings
        view = await open_document(app, pilot, "qual2/fg-01")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert view.document.id == "qual1/int-07"
        assert view.selection == coded  # the coding undone, selected (not ¶1)
        assert view.cursor_paragraph == 1
        await open_document(app, pilot, "qual2/fg-01")
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert view.document.id == "qual1/int-07" and view.selection == coded
        assert Coding(*coded, ("presence",)) in view.document.codings


@pilot_test
async def test_undo_of_a_text_edit_selects_the_words_put_back(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "team") + 4)
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press(*["backspace"] * 4, *"crew", "ctrl+s")
        await settle(app, pilot)
        assert "your crew?" in view.document.text
        await open_document(app, pilot, "qual2/fg-01")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert view.document.id == "qual1/int-07"
        assert view.selection is not None
        assert view.document.text[slice(*view.selection)] == "team"


# --- where a document opens ------------------------------------------------------------------------------
@pilot_test
async def test_a_document_opens_where_it_was_left_in_this_session_and_the_next(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        left = at(view, "attentive")
        view.go_to(left)
        await open_document(app, pilot, "qual2/fg-01")
        assert view.cursor_offset == 0
        await open_document(app, pilot, "qual1/int-07")
        assert view.cursor_offset == left and view.cursor_paragraph == 1
        await pilot.press("q")
        await settle(app, pilot)
    assert Places(project_dir).offset("qual1/int-07") == left
    assert (project_dir / PLACES).is_file()
    again = MarginApp(AppProject.load(project_dir))
    async with again.run_test(size=SIZE) as pilot:
        view = await open_document(again, pilot, "qual1/int-07")
        assert view.cursor_offset == left


def test_places_that_cannot_be_read_are_none(project_dir: Path) -> None:
    path = project_dir / PLACES
    path.parent.mkdir(parents=True)
    path.write_text('{"qual1/int-07": -3, "qual2/fg-01": "x", "ok": 5', encoding="utf-8")
    assert Places(project_dir).offsets == {}
    path.write_text('{"qual1/int-07": -3, "qual2/fg-01": "x", "ok": 5}', encoding="utf-8")
    assert Places(project_dir).offsets == {"ok": 5}


# --- search all ------------------------------------------------------------------------------------------
@pilot_test
async def test_one_enter_opens_a_search_hit(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("F", *"listening", "enter")  # Enter before the hits are listed
        await settle(app, pilot)
        view = app.query_one("#transcript")
        assert not isinstance(app.screen, SearchScreen)
        assert view.document.id == "qual2/fg-01"
        assert view.document.text[slice(*view.selection)] == "listening"
        await pilot.press("F")
        await settle(app, pilot)
        await pilot.press(*"was", "wait:500")  # the hits listed as you type
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen) and len(app.screen.hits) == 2
        await pilot.press("down", "down", "enter")  # ↓ to the list, the second hit, Enter
        await settle(app, pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert view.document.id == "qual1/int-07"
        second = at(view, "was", 1)
        assert view.selection == (second, second + 3)
