"""The recent codes (keys 1–9) follow the codebook: merged and re-slugged codes become the code they are
now, deleted ones leave, and no code is listed twice."""

from __future__ import annotations

from pathlib import Path

from margin.core import operations
from margin.tui.app import MarginApp
from margin.tui.writer import AppProject
from pilot import pilot_test, until
from test_tui_coding import INT07, body, notes, open_document, settle, span

SIZE = (120, 40)


@pilot_test
async def test_recent_codes_follow_merges_reslugs_and_deletions(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        for words, label in (("your team", "presence"), ("peer support", "role models"), ("How", "apprec")):
            view.go_to(*span(view, words))
            await pilot.press("c")
            await settle(app, pilot)
            await pilot.press(*label, "enter")
            await until(pilot, lambda: not app.screen.is_modal, "the picker closing")
            await settle(app, pilot)
        assert app.coder.recent == ["language", "role-models", "presence"]

        app.coder.run(operations.merge_codes, "role-models", "presence")
        await settle(app, pilot)
        assert app.coder.recent == ["language", "presence"]  # merged into a recent code: listed once
        app.coder.run(operations.reslug_code, "language", "wording")
        await settle(app, pilot)
        assert app.coder.recent == ["wording", "presence"] and app.coder.current_code == "wording"
        assert view.border_subtitle == "1 Appreciative language · 2 Presence · n/N Appreciative language"
        view.go_to(*span(view, "at work"))
        await pilot.press("1")  # the re-slugged code, by its new slug
        await settle(app, pilot)
        assert "{at work}[wording]" in body(project_dir, INT07)[1]

        app.coder.run(operations.delete_code, "wording", force=True)
        await settle(app, pilot)
        assert app.coder.recent == ["presence"] and app.coder.current_code is None
        assert view.border_subtitle == "1 Presence"
        view.go_to(*span(view, "at work"))
        await pilot.press("2")
        assert "No recent code 2 yet" in notes(app)[-1]
        assert not any("unknown code" in n for n in notes(app))
