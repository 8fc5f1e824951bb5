"""Keys in a burst (fast typing, a paste without bracketed paste): every key reaches the picker, the find
bar and the codebook filter before the first is handled, and each must still act on what was typed before
it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from margin.core.codebook import Codebook
from margin.core.coding import Coding
from margin.tui.app import MarginApp
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.picker import CodePicker
from margin.tui.search import FindBar
from margin.tui.writer import AppProject
from pilot import burst, pilot_test, until
from test_tui_coding import INT07, body, open_document, settle, span

SIZE = (120, 40)


@pilot_test
async def test_a_burst_in_the_picker_applies_the_code_typed(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, CodePicker)
        burst(app, *"role models")  # the space is a space while typing, never a mark
        await until(pilot, lambda: picker.query_text == "role models", "the burst")
        assert picker.query_text == "role models" and picker.marked == []
        burst(app, "backspace", "backspace", "left", "x")
        await until(pilot, lambda: picker.query_text == "role modxe", "the burst in order")
        assert picker.query_text == "role modxe"  # each key where it came: backspace, ←, x, in order
        burst(app, *["backspace"] * 10, *"role mod", "enter")
        await until(pilot, lambda: not app.screen.is_modal, "the picker closing")
        await settle(app, pilot)
        start, end = span(view, "your team")
        assert Coding(start, end, ("role-models",)) in view.document.codings
        assert body(project_dir, INT07)[0] == "I1: How did peer support change {your team}[role-models]?"


@pilot_test
async def test_a_burst_names_a_new_code_with_its_spaces(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "at work"))
        await pilot.press("c")
        await settle(app, pilot)
        burst(app, *"Pets at home", "enter")
        await until(pilot, lambda: getattr(app.screen, "mode", None) == "parent", "the parent picker")
        assert isinstance(app.screen, CodePicker) and app.screen.mode == "parent"
        await pilot.press("enter")  # the top level
        await until(pilot, lambda: not app.screen.is_modal, "the picker closing")
        await settle(app, pilot)
        codebook = Codebook.parse((project_dir / "codebook.yaml").read_text("utf-8"))
        assert codebook.label("pets-at-home") == "Pets at home"
        assert "{at work}[pets-at-home]" in body(project_dir, INT07)[1]


@pilot_test
async def test_a_burst_marks_after_the_arrows_and_only_then(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, CodePicker)
        burst(app, *"pr", "down", "space", "up", "space", "enter")  # "Presence", then "Appreciative language"
        await until(pilot, lambda: not app.screen.is_modal, "the picker closing")
        await settle(app, pilot)
        assert (
            body(project_dir, INT07)[0] == "I1: How did peer support change {your team}[language, presence]?"
        )


@pilot_test
async def test_a_burst_in_the_find_bar_steps_from_the_hit_typed(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        await pilot.press("slash")
        await pilot.pause()
        burst(app, *"wass", "backspace", "down")  # "was" twice in the text: the second one
        bar = app.query_one(FindBar)
        await until(pilot, lambda: bar.query_text == "was" and bar.current == 1, "the burst")
        assert bar.query_text == "was" and len(bar.hits) == 2
        assert view.selection == bar.hits[1]
        burst(app, *"xyz", "backspace", "backspace", "backspace", "enter", "escape")
        await until(pilot, lambda: not bar.display, "the burst, to its Escape")
        assert view.selection == bar.hits[1]  # "was" again selects the first hit, Enter the next


@pilot_test
async def test_a_burst_in_the_codebook_filter(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        panel = app.query_one(CodebookPanel)
        panel.code_tree.focus()
        await pilot.press("slash")
        await pilot.pause()
        burst(app, *"prx", "backspace", *"es", "enter")
        await until(pilot, lambda: panel.code_tree.has_focus, "the filter's Enter")
        assert app.query_one("#codebook-filter", Input).value == "pres"
        assert panel.filter_text == "pres" and panel.code_tree.has_focus
        assert panel.current == "presence"


@pilot_test
async def test_a_word_typed_at_once_after_slash_is_found_and_escape_c_codes_it(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        burst(app, "slash", *"peer")  # p, e, r are transcript keys: here they are the word to find
        await until(
            pilot, lambda: bool(app.query(FindBar)) and app.query_one(FindBar).query_text == "peer", "/peer"
        )
        bar = app.query_one(FindBar)
        assert bar.query_text == "peer" and app.screen is app.screen_stack[0]
        assert view.selection == span(view, "peer")
        burst(app, "escape", "c")  # c as soon as the bar closes: the hit's code picker
        await until(pilot, lambda: isinstance(app.screen, CodePicker), "the code picker")
        assert isinstance(app.screen, CodePicker) and bar.query_text == "peer"
        assert app.screen.title_text == "Code 'peer'"
