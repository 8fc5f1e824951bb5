"""The layout at 80×24 and 120×40: the transcript keeps room to read beside both panes, z gives it the whole
width, margin labels show every code, and no text is cut — the placeholder, the footer, counts in words —
nor covered by a notification."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from conftest import commit_project
from margin.core.operations import apply_codes
from margin.core.plural import counted
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.documents import DocumentList
from margin.tui.status import StatusBar
from margin.tui.transcript import PLACEHOLDER, TranscriptView
from margin.tui.writer import AppProject
from pilot import pilot_test, screen_lines
from test_tui_coding import open_document, settle

SIZES = [(80, 24), (120, 40)]


def drawn(app: MarginApp) -> str:
    """The screen's text with the lines joined and borders and runs of spaces as one space."""
    return " ".join(" ".join(line.replace("│", " ").split()) for line in screen_lines(app))


@pilot_test
async def test_beside_both_panes_the_transcript_keeps_room_and_z_gives_it_all(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        panel = app.query_one(CodebookPanel)
        assert panel.display and app.query_one(DocumentList).display
        assert view.text_layout is not None and view.text_layout.geometry.text >= 42
        await pilot.press("z")
        await pilot.pause()
        assert not panel.display and not app.query_one(DocumentList).display
        assert view.has_focus and view.text_layout.geometry.text >= 80
        await pilot.press("z")
        await pilot.pause()
        assert panel.display and app.query_one(DocumentList).display


@pilot_test
async def test_z_gives_back_the_panes_as_the_width_has_them(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_document(app, pilot, "qual1/int-07")
        await pilot.press("z")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert app.query_one(DocumentList).display  # at 80 columns the codebook waits for b
        assert not app.query_one(CodebookPanel).display


@pilot_test
async def test_a_coding_with_two_codes_shows_both_in_the_margin(project_dir: Path) -> None:
    project = AppProject.load(project_dir)
    doc = project.document("qual1/int-07")
    start = doc.text.index("How did")
    apply_codes(project, "qual1/int-07", start, start + 7, ["seriousness", "role-models"])
    app = MarginApp(project)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        layout = view.text_layout
        assert layout is not None
        row = "".join(segment.text for segment in view.render_line(layout.row_of(start)))
        assert "Experie… +1" in row  # the first label, cut to leave room for the count of the others


@pytest.mark.parametrize("size", SIZES)
@pilot_test
async def test_the_placeholder_is_never_cut(project_dir: Path, size: tuple[int, int]) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        view = app.query_one(TranscriptView)
        assert view.document is None
        lines = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
        assert PLACEHOLDER in " ".join(" ".join(line.split()) for line in lines)


@pytest.mark.parametrize("size", SIZES)
@pilot_test
async def test_the_footer_shows_whole_keys_only(project_dir: Path, size: tuple[int, int]) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=size) as pilot:
        await open_document(app, pilot, "qual1/int-07")
        await settle(app, pilot)
        footer = screen_lines(app)[-1]
        assert footer.rstrip().endswith("^p Find an action")  # nothing after it
        keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
        assert len(keys) >= 4
        for key in keys:
            assert f"{key.key_display} {key.description}" in footer  # whole, never "S End se"


@pilot_test
async def test_notifications_leave_the_status_bar_and_footer_visible(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(commit_project(project_dir)))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        app.notify("A message long enough to reach across the whole of the right-hand side of the screen")
        await pilot.pause()
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        status = app.query_one(StatusBar).region
        assert toasts and all(t.region.bottom <= status.y for t in toasts)
        assert "main" in screen_lines(app)[-2]  # the branch stays in view


@pilot_test
async def test_counts_are_in_words_of_the_right_number(tmp_path: Path) -> None:
    root = tmp_path / "one"
    (root / "documents" / "g").mkdir(parents=True)
    (root / "margin.yaml").write_text("name: One\n", encoding="utf-8")
    (root / "codebook.yaml").write_text("codes:\n  only:\n    label: Only\n", encoding="utf-8")
    (root / "documents" / "g" / "d.txt").write_text("A {word}[only] here.\n", encoding="utf-8")
    app = MarginApp(Project.load(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        text = drawn(app)
        assert "g 1 document" in text and "1 documents" not in text
        assert "1 code · 1 coded segment" in text and "segments" not in text
        app.query_one(CodebookPanel).code_tree.focus()
        await pilot.press("slash", *"only")
        await pilot.pause()
        assert "1 of 1 code matches 'only'" in drawn(app)
    assert [counted(n, "hit") for n in (0, 1, 2)] == ["0 hits", "1 hit", "2 hits"]
    assert counted(1, "memo changed", "memos changed") == "1 memo changed"
