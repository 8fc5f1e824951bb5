"""Retrieved segments and search in the app, under Pilot, on real projects: what the lists show, where Enter
jumps, and what coding a search hit writes to the file."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select, Static

from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.documents import DocumentList
from margin.tui.highlights import HIGHLIGHT
from margin.tui.search import FindBar, SearchScreen
from margin.tui.segments_screen import SegmentsScreen
from margin.tui.transcript import TranscriptView
from pilot import pilot_test, screen_lines

SIZE = (100, 30)
INT07 = "documents/qual1/int-07.txt"


@pytest.fixture
def project(project_dir: Path) -> Project:
    return Project.load(project_dir)


@pytest.fixture
def committed(project_dir: Path) -> Project:
    """The project as a git repository with one commit (as `margin init` makes them)."""
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=project_dir, check=True, capture_output=True)
    return Project.load(project_dir)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers (counting, retrieving, searching) finish and their results arrive."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_document(pilot: Pilot[None], doc_id: str) -> TranscriptView:
    pilot.app.query_one(DocumentList).select_document(doc_id)
    await pilot.pause()
    return pilot.app.query_one(TranscriptView)


async def segments_of(pilot: Pilot[None], slug: str) -> SegmentsScreen:
    """Put the codebook's cursor on ``slug`` and press r there."""
    panel = pilot.app.query_one(CodebookPanel)
    panel.display = True
    panel.select(slug)
    panel.code_tree.focus()
    await pilot.pause()
    await pilot.press("r")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SegmentsScreen)
    return screen


def listed(screen: SegmentsScreen) -> list[tuple[str, int, int]]:
    assert screen.result is not None
    return [(s.document, s.start, s.end) for s in screen.result.segments]


def count_text(screen: SegmentsScreen | SearchScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


# --- retrieved segments -----------------------------------------------------------------------------------
@pilot_test
async def test_r_in_the_codebook_lists_the_code_s_segments_with_citations(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await segments_of(pilot, "presence")
        assert screen.codes == ("presence",)
        assert listed(screen) == [("qual1/int-07", 103, 150), ("qual2/fg-01", 19, 48)]
        assert count_text(screen, "#segments-count") == "2 segments in 2 documents"
        await pilot.press("b", "slash", "ctrl+z", "n")  # the main screen's keys wait while the list is up
        assert app.screen is screen
        options = screen.query_one(OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith("(qual1/int-07, ¶3)  qual1/int-07 ¶3 P07")
        assert "It was clear that it was about us being the one" in first and "✎ first mention" in first


@pilot_test
async def test_subcodes_toggle_and_filters(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await segments_of(pilot, "attitude")
        assert (
            listed(screen) == []
            and count_text(screen, "#segments-count") == "0 segments in 0 documents · 1 warning"
        )
        await pilot.press("s")
        await settle(pilot)
        assert screen.subcodes
        assert listed(screen) == [
            ("qual1/int-07", 62, 88),
            ("qual1/int-07", 121, 136),
            ("qual2/fg-01", 41, 56),
        ]
        screen.query_one("#segments-group", Select).value = "qual2"
        await settle(pilot)
        assert listed(screen) == [("qual2/fg-01", 41, 56)]
        screen.query_one("#segments-group", Select).clear()
        await settle(pilot)
        field = screen.query_one("#segments-field", Select)
        field.value = "role"
        await settle(pilot)
        values = screen.query_one("#segments-value", Select)
        assert not values.disabled
        values.value = "PSW"
        await settle(pilot)
        assert listed(screen) == [("qual1/int-07", 62, 88), ("qual1/int-07", 121, 136)]
        assert all(s.attributes["role"] == "PSW" for s in screen.result.segments)  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(pilot)
        assert len(listed(screen)) == 3


@pilot_test
async def test_enter_opens_the_segment_selected_and_r_comes_back_to_the_list(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await segments_of(pilot, "presence")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is not screen
        transcript = app.query_one(TranscriptView)
        assert transcript.document is not None and transcript.document.id == "qual2/fg-01"
        assert transcript.selection == (19, 48)
        assert transcript.has_focus
        await pilot.press("r")  # the selection is the presence coding: its segments again, as left
        await settle(pilot)
        assert app.screen is screen and screen.codes == ("presence",)
        assert screen.query_one(OptionList).highlighted == 1


@pilot_test
async def test_r_without_a_code_asks_for_one(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        transcript = await open_document(pilot, "qual1/int-07")
        transcript.go_to(0)  # no coding here, no current code, and no list yet
        app.coder.current_code = None
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "TargetPicker"
        await pilot.press(*"seriousness", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        assert listed(app.screen) == [("qual1/int-07", 121, 136)]


# --- find in the document ---------------------------------------------------------------------------------
@pilot_test
async def test_find_highlights_every_hit_and_steps_through_them(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        transcript = await open_document(pilot, "qual1/int-07")
        await pilot.press("slash", *"WAS")
        await pilot.pause()
        bar = app.query_one(FindBar)
        assert bar.hits == [(106, 109), (124, 127)]  # "It was clear that it was about us": case-folded
        assert transcript.selection == bar.hits[0]
        assert count_text(app.screen, "#find-count") == "1/2"  # type: ignore[arg-type]
        await pilot.press("enter")
        assert transcript.selection == bar.hits[1]
        assert count_text(app.screen, "#find-count") == "2/2"  # type: ignore[arg-type]
        await pilot.press("f3")
        assert transcript.selection == bar.hits[0]  # wrapped
        await pilot.press("shift+f3")
        assert transcript.selection == bar.hits[1]  # wrapped back
        await pilot.press("up")
        assert transcript.selection == bar.hits[0]
        await pilot.press("escape")
        await pilot.pause()
        assert not bar.display and transcript.has_focus
        assert transcript.selection == bar.hits[0]
        await pilot.press("f3")  # the bar closed, the last find goes on
        assert transcript.selection == bar.hits[1]


@pilot_test
async def test_find_draws_the_hits_over_the_text(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        transcript = await open_document(pilot, "qual1/int-07")
        await pilot.press("slash", *"peer")
        await pilot.pause()
        row = transcript.render_line(0)
        marked = "".join(s.text for s in row if s.style is not None and s.style.bgcolor == HIGHLIGHT.bgcolor)
        assert marked == "peer"
        await pilot.press("escape")
        await pilot.pause()
        row = transcript.render_line(0)
        assert not any(s.style is not None and s.style.bgcolor == HIGHLIGHT.bgcolor for s in row)
        await pilot.press("slash", *"the")  # hits in int-07; then fg-01 is opened: they stay with int-07
        await pilot.pause()
        assert app.query_one(FindBar).hits == [(143, 146)]
        await open_document(pilot, "qual2/fg-01")
        row = transcript.render_line(0)
        assert "We started" in "".join(s.text for s in row)
        assert not any(s.style is not None and s.style.bgcolor == HIGHLIGHT.bgcolor for s in row)
        await pilot.press("f3")  # the find goes on in the document now open
        assert transcript.selection == (41, 44)


@pilot_test
async def test_find_options_words_regex_and_a_bad_regex(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        transcript = await open_document(pilot, "qual1/int-07")
        await pilot.press("slash", *"at")
        await pilot.pause()
        bar = app.query_one(FindBar)
        text = transcript.document.text  # type: ignore[union-attr]
        every = [(i, i + 2) for i in range(len(text)) if text[i : i + 2].lower() == "at"]
        assert bar.hits == every and len(every) > 1
        bar.query_one("#search-words", Checkbox).value = True
        await pilot.pause()
        assert [text[a - 9 : b] for a, b in bar.hits] == ["language at"]
        bar.query_one("#search-regex", Checkbox).value = True
        bar.query_one(Input).value = "(it|we wa"
        await pilot.pause()
        assert "regular expression" in count_text(app.screen, "#find-count")  # type: ignore[arg-type]
        assert bar.hits == []
        bar.query_one(Input).value = "it (was|is)"
        await pilot.pause()
        assert [text[a:b] for a, b in bar.hits] == ["It was", "it was"]


# --- search the project -----------------------------------------------------------------------------------
@pilot_test
async def test_search_lists_hits_in_every_document_and_enter_opens_one(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"the", "down")
        await settle(pilot)
        hits = [(h.document, h.paragraph) for h in screen.hits]
        assert hits == [("qual1/int-07", 3), ("qual2/fg-01", 1)]
        assert {d for d, _ in hits} == {"qual1/int-07", "qual2/fg-01"}
        assert count_text(screen, "#search-count") == "2 hits in 2 documents"
        target = next(i for i, h in enumerate(screen.hits) if h.document == "qual2/fg-01")
        screen.query_one(OptionList).highlighted = target
        await pilot.press("enter")
        await pilot.pause()
        transcript = app.query_one(TranscriptView)
        hit = screen.hits[target]
        assert transcript.document is not None and transcript.document.id == "qual2/fg-01"
        assert transcript.selection == (hit.start, hit.end)
        assert transcript.document.text[hit.start - 14 : hit.end] == "listening and the"


@pilot_test
async def test_coding_a_hit_writes_the_markup_and_can_be_undone(project: Project, project_dir: Path) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"attentive", "down")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen) and len(screen.hits) == 1
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"presence", "enter")
        await settle(pilot)
        line = (project_dir / INT07).read_text(encoding="utf-8").splitlines()[6]
        assert line == "P07: I have become {more {attentive}[presence] to language}[language] at work."
        assert "✓ Presence" in str(screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert app.history.done[-1].action == "coding.apply"
        assert app.coder.recent[0] == "presence"
        await pilot.press("ctrl+z")
        await pilot.pause()
        line = (project_dir / INT07).read_text(encoding="utf-8").splitlines()[6]
        assert line == "P07: I have become {more attentive to language}[language] at work."
        assert "✓" not in str(screen.query_one(OptionList).get_option_at_index(0).prompt)
        await pilot.press("ctrl+y")
        await pilot.pause()
        line = (project_dir / INT07).read_text(encoding="utf-8").splitlines()[6]
        assert line == "P07: I have become {more {attentive}[presence] to language}[language] at work."


@pilot_test
async def test_coding_a_hit_with_a_new_code(project: Project, project_dir: Path) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F", *"the one", "down")
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"xylophone moment", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "CodePicker"  # the parent, now
        await pilot.press("enter")  # top level
        await settle(pilot)
        assert project.codebook.get("xylophone-moment") is not None
        assert "xylophone-moment:" in (project_dir / "codebook.yaml").read_text(encoding="utf-8")
        text = (project_dir / INT07).read_text(encoding="utf-8")
        assert "being {the one}[xylophone-moment]}[presence | first mention]" in text


@pilot_test
async def test_a_hit_whose_text_changed_is_not_coded(project: Project, project_dir: Path) -> None:
    from margin.core.operations import edit_text

    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F", *"attentive", "down")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        edit_text(project, "qual1/int-07", 1, "P07: I have become more careful about language at work.")
        before = (project_dir / INT07).read_bytes()
        screen._apply(0, screen.hits[0], ["presence"])
        await pilot.pause()
        assert (project_dir / INT07).read_bytes() == before


# --- snapshots --------------------------------------------------------------------------------------------
def test_snapshot_segments(committed: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await segments_of(pilot, "presence")
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(MarginApp(committed), terminal_size=SIZE, run_before=run_before)


def test_snapshot_find_in_document(committed: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await open_document(pilot, "qual1/int-07")
        await pilot.press("slash", *"was")
        await pilot.pause()

    assert snap_compare(MarginApp(committed), terminal_size=SIZE, run_before=run_before)


def test_snapshot_search_hits(committed: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("F", *"the", "down")
        await settle(pilot)

    assert snap_compare(MarginApp(committed), terminal_size=SIZE, run_before=run_before)


# --- whole quotes -----------------------------------------------------------------------------------------
LONG_QUOTE = (
    "It took me a long time to see that the words we used in the team meeting were doing something to the "
    "people we talked about, and that they could hear it in the way we looked at them afterwards"
)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pilot_test
async def test_segments_show_whole_quotes_wrapped_with_their_citations(
    project_dir: Path, size: tuple[int, int]
) -> None:
    (project_dir / "margin.yaml").write_text('name: Test study\ncitation: "({role}, {document})"\n', "utf-8")
    (project_dir / "documents" / "qual2" / "fg-02.txt").write_text(
        f"---\nspeakers: {{M02: m02}}\n---\nM02: Well. {{{LONG_QUOTE}}}[presence]. Then we stopped.\n",
        encoding="utf-8",
    )
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await segments_of(pilot, "presence")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.pause()
        drawn = " ".join(" ".join(line.replace("│", " ").split()) for line in screen_lines(app))
        assert "(MHW, qual2/fg-02)" in drawn and "(MHW, qual2/fg-01)" in drawn  # a citation on each
        assert " ".join(LONG_QUOTE.split()) in drawn  # the whole quote, on as many lines as it needs
        assert "M02: Well. It took" in drawn and "afterwards. Then we" in drawn  # a little context
