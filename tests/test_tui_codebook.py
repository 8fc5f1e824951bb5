"""The codebook panel under Pilot: every action by its keys, checked on the model and on the files."""

from __future__ import annotations

import asyncio
import difflib
import shutil
import subprocess
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, OptionList, SelectionList, Static, TextArea

from margin.analysis.counts import code_counts
from margin.core.codebook import PALETTE
from margin.core.errors import MarginError
from margin.core.index import build_index
from margin.core.operations import History, apply_codes, merge_codes, remove_coding
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.code_detail import CodeDetail
from margin.tui.code_filter import filter_codes, matches
from margin.tui.code_forms import CodeFieldsForm, ColourForm, SplitForm, TextPrompt
from margin.tui.code_sets import CodeSetsScreen
from margin.tui.code_tally import CodeTally
from margin.tui.code_tree import SWATCH
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.documents import DocumentList
from margin.tui.questions import Confirm
from margin.tui.status import StatusBar
from margin.tui.target_picker import TOP_LEVEL, TargetPicker
from margin.tui.transcript import TranscriptView
from pilot import pilot_test

DEMO = Path(__file__).resolve().parents[1] / "projects" / "peer-support"
WIDE = (130, 40)
SNAPSHOT = (100, 30)
TEST_CODES = ["attitude", "language", "seriousness", "how", "presence", "role-models"]


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "demo"))


def read(root: Path, name: str = "codebook.yaml") -> str:
    return (root / name).read_text(encoding="utf-8")


def hunks(before: str, after: str) -> list[list[str]]:
    """The changed lines of each hunk of a diff (no context lines)."""
    found: list[list[str]] = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("@@"):
            found.append([])
        elif found and line[:1] in "+-" and not line.startswith(("+++", "---")):
            found[-1].append(line)
    return found


async def start(pilot: Pilot[None]) -> CodebookPanel:
    """Wait for the counts, and put the focus on the codebook."""
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause()
    panel = app.query_one(CodebookPanel)
    if not panel.has_focus_within:
        await pilot.press("b")
    await pilot.pause()
    assert panel.display and panel.code_tree.has_focus
    return panel


async def go_to(pilot: Pilot[None], slug: str) -> CodebookPanel:
    panel = pilot.app.query_one(CodebookPanel)
    panel.select(slug)
    await pilot.pause()
    assert panel.current == slug
    return panel


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def modal(pilot: Pilot[None], kind: type) -> Any:
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, the screen is {type(screen).__name__}"
    return screen


def row(panel: CodebookPanel, slug: str) -> str:
    """A tree row's text as drawn (without guides)."""
    tree = panel.code_tree
    return tree.render_label(tree.nodes[slug], Style(), Style()).plain


def swatch(panel: CodebookPanel, slug: str) -> str | None:
    """The colour of a row's swatch."""
    tree = panel.code_tree
    label = tree.render_label(tree.nodes[slug], Style(), Style())
    for span in label.spans:
        if (
            label.plain[span.start : span.end] == SWATCH
            and isinstance(span.style, Style)
            and span.style.color
        ):
            triplet = span.style.color.triplet
            return triplet.hex if triplet else None
    return None


def drawn(view: TranscriptView) -> str:
    """The transcript's rows on screen."""
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


def shown(panel: CodebookPanel) -> list[str]:
    return list(panel.code_tree.nodes)


# --- the tree -----------------------------------------------------------------------------------------
@pilot_test
async def test_tree_shows_every_code_in_order_with_counts(demo_dir: Path) -> None:
    project = Project.load(demo_dir)
    expected = {r.slug: r for r in code_counts(project, build_index(project))}
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        assert shown(panel) == list(project.codebook.codes)
        group = row(panel, "what-changes")  # a grouping code: only the aggregate
        assert group.startswith("▼ ■ What changes") and group.endswith(
            f"Σ{expected['what-changes'].aggregate}"
        )
        parent = row(panel, "appreciative-language")
        assert parent.endswith(
            f"{expected['appreciative-language'].own} Σ{expected['appreciative-language'].aggregate}"
        )
        leaf = row(panel, "crisis-as-meaningful")
        assert leaf.startswith("  ■ Crisis") and leaf.split()[-1] == str(expected["crisis-as-meaningful"].own)
        assert "433 coded segments" in str(app.query_one("#codebook-status", Static).render())
        # the swatch has the code's colour; rows fit the panel (no sideways scrolling)
        assert swatch(panel, "crisis-as-meaningful") == "#5b8abd"
        assert swatch(panel, "life-contexts") == "#59a14f"
        tree = panel.code_tree
        assert tree.virtual_size.width <= tree.size.width
        # collapsible: the state survives a rebuild
        await go_to(pilot, "role-models")
        await pilot.press("space")
        assert not tree.nodes["role-models"].is_expanded
        panel.rebuild()
        await pilot.pause()
        assert not panel.code_tree.nodes["role-models"].is_expanded


def test_filter_matches_substrings_and_typos_keeping_ancestors(demo_dir: Path) -> None:
    codebook = Project.load(demo_dir).codebook
    assert matches("lang", "Appreciative language") and matches("sarcsm", "Sarcasm and gallows humour")
    assert not matches("tb", "Tokenism") and matches("", "anything")
    filtered = filter_codes(codebook, "sarcsm")
    assert filtered is not None and filtered.matched == {"sarcasm-misunderstood"}
    assert filtered.shown == {"sarcasm-misunderstood", "appreciative-language", "what-changes"}
    by_alias = filter_codes(codebook, "careful-language")
    assert by_alias is not None and "appreciative-language" in by_alias.matched
    assert filter_codes(codebook, "  ") is None


def test_tally_follows_changes_to_the_same_counts_as_a_recount(demo_dir: Path) -> None:
    project = Project.load(demo_dir)
    tally = CodeTally()
    history = History()
    history.listeners.append(lambda change: tally.follow(project, change))
    doc_id = "qual2/fg-01"
    text = project.document(doc_id).text
    history.record(apply_codes(project, doc_id, 0, 20, ["presence"]))  # before the index is loaded
    tally.load(build_index(project, use_cache=False))
    assert tally.counts(project)["presence"].own == 29

    def recount() -> dict[str, tuple[int, int, int]]:
        rows = code_counts(project, build_index(project, use_cache=False))
        return {r.slug: (r.own, r.aggregate, r.documents) for r in rows if r.own or r.aggregate}

    def tallied() -> dict[str, tuple[int, int, int]]:
        rows = tally.counts(project).values()
        return {r.slug: (r.own, r.aggregate, r.documents) for r in rows if r.own or r.aggregate}

    for change in (
        lambda: apply_codes(project, doc_id, 30, 60, ["tokenism", "presence"]),
        lambda: apply_codes(project, "qual1/int-su-02", 10, 25, ["role-ambiguity"]),
        lambda: remove_coding(project, doc_id, 0, 20),
        lambda: merge_codes(project, "tokenism", "role-ambiguity"),
        lambda: apply_codes(project, doc_id, text.index(" ", 100), text.index(" ", 140), ["presence"]),
    ):
        history.record(change())
        assert tallied() == recount()
    while history.undo(project):
        assert tallied() == recount()


@pilot_test
async def test_filter_box_narrows_the_tree_and_escape_restores_it(demo_dir: Path) -> None:
    project = Project.load(demo_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        await pilot.press("slash")
        await type_text(pilot, "role")
        await pilot.pause()
        assert shown(panel) == [
            "how-change-happens",
            "role-models",
            "direct-feedback-and-critique",
            "bridging-role",
            "context",
            "resistance-and-barriers",
            "role-ambiguity",
        ]
        assert panel.current == "role-models"  # the first match
        await pilot.press("shift+up", "D")  # while typing in the filter, keys are not code actions
        assert project.codebook.children("how-change-happens")[1] == "role-models"
        assert app.query_one("#codebook-filter", Input).value == "roleD"
        await pilot.press("backspace")
        assert "3 of 39 codes match 'role'" in str(app.query_one("#codebook-status", Static).render())
        await pilot.press("enter")  # to the tree, the filter stays
        assert panel.code_tree.has_focus and len(shown(panel)) == 7
        await pilot.press("down", "down", "f", "escape")
        await pilot.pause()
        assert len(shown(panel)) == 39 and panel.current == "bridging-role"
        assert not panel.query_one("#codebook-filter").display


# --- adding and naming --------------------------------------------------------------------------------
@pilot_test
async def test_add_child_and_sibling_ask_the_label_and_show_the_slug(project_dir: Path) -> None:
    project = Project.load(project_dir)
    original = read(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "presence")
        await pilot.press("a")
        prompt = await modal(pilot, TextPrompt)
        await type_text(pilot, "A tribunal")
        await pilot.pause()
        assert str(prompt.query_one("#form-hint", Static).render()) == "slug: a-tribunal"
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.codes["a-tribunal"].parent == "presence"
        assert project.codebook.codes["a-tribunal"].label == "A tribunal"
        panel = app.query_one(CodebookPanel)
        assert panel.current == "a-tribunal"
        [hunk] = hunks(original, read(project_dir))
        assert hunk == ["+        children:", "+          a-tribunal:", "+            label: A tribunal"]

        await go_to(pilot, "language")
        await pilot.press("A")
        await modal(pilot, TextPrompt)
        await type_text(pilot, "Words matter")
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.children("attitude") == ["language", "words-matter", "seriousness"]
        assert Project.load(project_dir).codebook.children("attitude") == [
            "language",
            "words-matter",
            "seriousness",
        ]
        assert [c.action for c in app.history.done] == ["code.add", "code.add"]


@pilot_test
async def test_relabel_is_one_hunk_and_redraws_the_transcript_and_status(project_dir: Path) -> None:
    project = Project.load(project_dir)
    original = read(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        app.query_one(DocumentList).select_document("qual1/int-07")
        await pilot.pause()
        transcript = app.query_one(TranscriptView)
        transcript.go_to(transcript.document.text.index("more attentive"))
        await pilot.pause()
        assert ("Appreciative language", "#4e79a7") in app.query_one(StatusBar).codes
        assert "Appr" in drawn(transcript)  # the label beside the stripe, cut to the margin
        await pilot.press("b")  # to the codebook
        await go_to(pilot, "language")
        await pilot.press("l")
        await modal(pilot, TextPrompt)
        await type_text(pilot, "Careful words")  # the old label is selected: typing replaces it
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.label("language") == "Careful words"
        assert hunks(original, read(project_dir)) == [
            ["-        label: Appreciative language", "+        label: Careful words"]
        ]
        assert ("Careful words", "#4e79a7") in app.query_one(StatusBar).codes
        assert "Care" in drawn(transcript) and "Appr" not in drawn(transcript)
        assert (
            read(project_dir, "documents/qual1/int-07.txt")
            == (project_dir / "documents/qual1/int-07.txt").read_text()
        )


@pilot_test
async def test_reslug_shows_the_documents_it_rewrites_and_rewrites_them(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "presence")
        await pilot.press("L")
        prompt = await modal(pilot, TextPrompt)
        prompt.query_one("Input").value = "being-there"
        await pilot.pause()
        hint = str(prompt.query_one("#form-hint", Static).render())
        assert hint == "rewrites 2 coded segments in 2 documents; 'presence' stays as an alias"
        prompt.query_one("Input").value = "Not A Slug"
        await pilot.press("enter")
        await pilot.pause()
        assert "is not a slug" in str(prompt.query_one("#form-hint", Static).render())
        assert app.screen is prompt  # refused: the form stays open
        prompt.query_one("Input").value = "role-models"
        await pilot.press("enter")
        await pilot.pause()
        assert "already a code" in str(prompt.query_one("#form-hint", Static).render())
        prompt.query_one("Input").value = "being-there"
        await pilot.press("enter")
        confirm = await modal(pilot, Confirm)  # asked first, with what it rewrites
        question = str(confirm.query_one("#confirm-question", Static).render())
        assert "from 'presence' to 'being-there'" in question
        assert "rewrites 2 coded segments in 2 documents" in question
        await pilot.press("enter")  # the safe answer
        await pilot.pause()
        assert "presence" in project.codebook.codes and "being-there" not in project.codebook.codes
        assert [n.message for n in app._notifications][-1] == "Not re-slugged"
        await pilot.press("L")
        prompt = await modal(pilot, TextPrompt)
        prompt.query_one("Input").value = "being-there"
        await pilot.press("enter")
        await modal(pilot, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert app.query_one(CodebookPanel).current == "being-there"
    assert "being-there" in project.codebook.codes and project.codebook.aliases["presence"] == "being-there"
    assert "}[being-there | first mention]" in read(project_dir, "documents/qual1/int-07.txt")
    assert "@a[being-there]" in read(project_dir, "documents/qual2/fg-01.txt")


@pilot_test
async def test_edit_fields_in_a_form(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "language")
        await pilot.press("e")
        form = await modal(pilot, CodeFieldsForm)
        assert form.query_one("#field-definition", TextArea).text == "Staff reflect on the words they use."
        form.query_one("#field-definition", TextArea).text = ""  # emptied: removed from the file
        form.query_one("#field-include", TextArea).load_text("Choosing words with care")
        form.query_one("#field-memo", TextArea).focus()
        await type_text(pilot, "Check with Malik")
        await pilot.press("ctrl+s")
        await pilot.pause()
    code = Project.load(project_dir).codebook.codes["language"]
    assert (code.definition, code.include, code.memo) == (
        None,
        "Choosing words with care",
        "Check with Malik",
    )
    assert app.history.done[-1].summary == "code edited: language (definition, include, memo)"


@pilot_test
async def test_colour_from_the_palette_or_typed(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "role-models")  # no colour of its own: shows its root's
        await pilot.press("k")
        form = await modal(pilot, ColourForm)
        await pilot.press("home", "down", "down", "enter")
        await pilot.pause()
        assert project.codebook.codes["role-models"].color == PALETTE[2]
        await pilot.press("number_sign")
        form = await modal(pilot, ColourForm)
        form.query_one("#colour-input").focus()
        await type_text(pilot, "#12ab")
        await pilot.press("enter")
        await pilot.pause()
        assert "not a colour" in str(form.query_one("#form-hint", Static).render())
        await type_text(pilot, "EF")
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.codes["role-models"].color == "#12abef"
        assert 'color: "#12abef"' in read(project_dir)
        assert swatch(app.query_one(CodebookPanel), "role-models") == "#12abef"
        assert swatch(app.query_one(CodebookPanel), "how") != "#12abef"
        await pilot.press("k")
        await modal(pilot, ColourForm)
        await pilot.press("end", "enter")  # no colour of its own
        await pilot.pause()
    assert Project.load(project_dir).codebook.codes["role-models"].color is None


# --- moving -------------------------------------------------------------------------------------------
@pilot_test
async def test_move_among_siblings_and_in_and_out_of_levels(project_dir: Path) -> None:
    project = Project.load(project_dir)
    original = read(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        cb = lambda: project.codebook  # noqa: E731 - the codebook object is replaced by undo
        await go_to(pilot, "role-models")
        await pilot.press("shift+up")
        assert cb().children("how") == ["role-models", "presence"]
        await pilot.press("J")
        assert cb().children("how") == ["presence", "role-models"]
        await pilot.press("K")
        assert cb().children("how") == ["role-models", "presence"]
        await pilot.press("less_than_sign")  # out: after its old parent
        assert cb().roots() == ["attitude", "how", "role-models"]
        await pilot.press("greater_than_sign")  # in: under the code above it
        assert cb().children("how") == ["presence", "role-models"]
        assert panel.current == "role-models"
        await pilot.press("m")
        await modal(pilot, TargetPicker)
        await type_text(pilot, "seriou")
        await pilot.press("enter")
        await pilot.pause()
        assert cb().codes["role-models"].parent == "seriousness"
        assert Project.load(project_dir).codebook.codes["role-models"].parent == "seriousness"
        await pilot.press("m")
        picker = await modal(pilot, TargetPicker)
        assert picker.query_one(OptionList).get_option_at_index(0).id == TOP_LEVEL
        await pilot.press("enter")  # the first choice: the top level
        await pilot.pause()
        assert cb().codes["role-models"].parent is None
        while app.history.undo(project):
            pass
        await pilot.pause()
        assert read(project_dir) == original
        assert shown(app.query_one(CodebookPanel)) == TEST_CODES


@pilot_test
async def test_drag_a_code_onto_another_moves_it_below_that_code(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        tree = panel.code_tree
        y_of = {slug: node.line for slug, node in tree.nodes.items()}
        await pilot.mouse_down(tree, offset=(8, y_of["role-models"]))
        await pilot.mouse_up(tree, offset=(8, y_of["language"]))
        await pilot.pause()
        assert project.codebook.children("attitude") == ["language", "role-models", "seriousness"]
        assert project.codebook.children("how") == ["presence"]
        assert panel.current == "role-models"
        await pilot.click(tree, offset=(4, tree.nodes["presence"].line))  # a click on a label selects
        assert panel.current == "presence" and tree.nodes["how"].is_expanded
        await pilot.click(tree, offset=(0, tree.nodes["how"].line))  # one on the icon collapses
        assert not tree.nodes["how"].is_expanded


# --- merging, splitting, deleting ---------------------------------------------------------------------
@pilot_test
async def test_merge_confirms_with_the_count_and_collapses_duplicates(project_dir: Path) -> None:
    project = Project.load(project_dir)
    text = project.document("qual1/int-07").text
    start_, end = text.index("it was about us"), text.index("it was about us") + len("it was about us")
    apply_codes(
        project, "qual1/int-07", start_, end, ["presence"]
    )  # now the span carries seriousness and presence
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "seriousness")
        await pilot.press("M")
        await modal(pilot, TargetPicker)
        await type_text(pilot, "presence")
        await pilot.press("enter")
        confirm = await modal(pilot, Confirm)
        message = str(confirm.query_one("#confirm-question", Static).render())
        assert "has 1 coded segment in 1 document" in message and "Presence" in message
        assert confirm.query_one("#no").has_focus  # the safe answer
        await pilot.press("y")
        await pilot.pause()
        assert "seriousness" not in project.codebook.codes
        assert project.codebook.aliases["seriousness"] == "presence"
        assert app.query_one(CodebookPanel).current == "presence"
    line = read(project_dir, "documents/qual1/int-07.txt").splitlines()[-1]
    assert (
        line == "P07: {It was clear that {it was about us}[presence] being the one}[presence | first mention]"
    )


@pilot_test
async def test_split_into_new_subcodes_moving_the_segments(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "seriousness")
        await pilot.press("x")
        form = await modal(pilot, SplitForm)
        form.query_one(TextArea).load_text("Being believed\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "at least two" in str(form.query_one("#form-hint", Static).render())
        form.query_one(TextArea).load_text("Being believed\nBeing asked\n")
        form.query_one(Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert project.codebook.children("seriousness") == ["being-believed", "being-asked"]
    assert "{it was about us}[being-believed]" in read(project_dir, "documents/qual1/int-07.txt")


@pilot_test
async def test_delete_refuses_while_in_use_unless_confirmed(project_dir: Path) -> None:
    project = Project.load(project_dir)
    before = {p: read(project_dir, p) for p in ("codebook.yaml", "documents/qual1/int-07.txt")}
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "presence")
        await pilot.press("D")
        confirm = await modal(pilot, Confirm)
        message = str(confirm.query_one("#confirm-question", Static).render())
        assert "used by 2 coded segments in 2 documents" in message and "not deleted" in message
        assert str(confirm.query_one("#yes", Button).label) == "Delete and uncode 2 segments (y)"
        assert str(confirm.query_one("#no", Button).label) == "Cancel (n)"
        assert "Enter answers Cancel (the safe answer)" in str(
            confirm.query_one("#confirm-default", Static).render()
        )
        await pilot.press("enter")  # the focus is on Cancel
        await pilot.pause()
        assert {p: read(project_dir, p) for p in before} == before and "presence" in project.codebook.codes
        assert [n.message for n in app._notifications][-1] == "Not deleted"
        await pilot.press("delete")
        await modal(pilot, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "presence" not in project.codebook.codes
        last = read(project_dir, "documents/qual1/int-07.txt").splitlines()[-1]
        assert (
            last == "P07: It was clear that {it was about us}[seriousness] being the one"
        )  # uncoded, memo too
        assert "[language]." in read(project_dir, "documents/qual2/fg-01.txt")
        await go_to(pilot, "role-models")  # unused: a plain confirmation
        await pilot.press("D")
        confirm = await modal(pilot, Confirm)
        assert "No coded segment uses it" in str(confirm.query_one("#confirm-question", Static).render())
        await pilot.press("y")
        await pilot.pause()
        assert "role-models" not in project.codebook.codes
        assert shown(app.query_one(CodebookPanel)) == ["attitude", "language", "seriousness", "how"]


# --- sets and details ---------------------------------------------------------------------------------
@pilot_test
async def test_code_sets_list_toggle_and_create(demo_dir: Path) -> None:
    project = Project.load(demo_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "presence")
        await pilot.press("s")
        screen = await modal(pilot, CodeSetsScreen)
        sets = screen.query_one(SelectionList)
        assert sets.selected == ["theme-change-by-being-there"]
        assert sets.option_count == 5
        await pilot.press("space")  # the first set: taking experience seriously
        await pilot.pause()
        assert "presence" in project.codebook.sets["theme-taking-experience-seriously"].codes
        assert (
            "presence]" in read(demo_dir).split("theme-taking-experience-seriously:")[1].split("\n  theme")[0]
        )
        await pilot.press("space")
        await pilot.pause()
        assert "presence" not in project.codebook.sets["theme-taking-experience-seriously"].codes
        await pilot.press("n")
        await modal(pilot, TextPrompt)
        await type_text(pilot, "Being there")
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.sets["being-there"].codes == ("presence",)
        assert app.screen is screen and "being-there" in screen.query_one(SelectionList).selected
        await pilot.press("escape")
    assert Project.load(demo_dir).codebook.sets["being-there"].label == "Being there"
    assert [c.action for c in app.history.done] == ["set.add-code", "set.remove-code", "set.add"]


@pilot_test
async def test_detail_view_shows_definition_criteria_aliases_and_usage(demo_dir: Path) -> None:
    app = MarginApp(Project.load(demo_dir))
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await go_to(pilot, "appreciative-language")
        await pilot.press("i")
        detail = await modal(pilot, CodeDetail)
        facts = dict(detail.facts)
        assert facts["old slugs"].startswith("careful-language") and facts["slug"] == "appreciative-language"
        assert facts["used"] == "31 coded segments in 17 documents"
        assert facts["with subcodes"] == "65 coded segments in 17 documents"
        assert facts["code sets"] == "Candidate theme: words and categories"
        assert (
            facts["subcodes"] == "Noticing 'them and us' talk, Sarcasm and gallows humour heard differently"
        )
        heading = str(detail.query_one("#detail-heading", Static).render())
        assert heading == "■ Appreciative language\n  in What changes in staff attitudes"
        text = str(detail.query_one("#detail-text", Static).render())
        assert "Definition\nStaff reflect on and change the words" in text
        assert "Choosing words more carefully" in text and "General politeness" in text
        assert "Memo\n—" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CodeDetail)


# --- following the rest of the app -------------------------------------------------------------------
@pilot_test
async def test_counts_follow_coding_and_undo(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        assert row(panel, "role-models").split()[-1] == "0" and row(panel, "how").endswith("Σ2")
        text = project.document("qual1/int-07").text
        start_ = text.index("How did")
        app.history.record(apply_codes(project, "qual1/int-07", start_, start_ + 7, ["role-models"]))
        await pilot.pause()
        assert row(panel, "role-models").split()[-1] == "1" and row(panel, "how").endswith("Σ3")
        app.history.undo(project)
        await pilot.pause()
        assert row(panel, "role-models").split()[-1] == "0" and row(panel, "how").endswith("Σ2")


@pilot_test
async def test_coding_in_the_transcript_updates_the_tree(project_dir: Path) -> None:
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        app.query_one(DocumentList).select_document("qual1/int-07")
        await pilot.pause()
        transcript = app.query_one(TranscriptView)
        transcript.go_to(transcript.document.text.index("How did"))
        await pilot.press("w", "w", "c")  # select two words, open the code picker
        await pilot.pause()
        await type_text(pilot, "role")
        await pilot.press("enter")
        await pilot.pause()
        assert row(panel, "role-models").split()[-1] == "1" and row(panel, "how").endswith("Σ3")
        await pilot.press("w", "c")  # a new code made in the picker appears in the tree
        await pilot.pause()
        await type_text(pilot, "Team talk")
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "How change")
        await pilot.press("enter")
        await pilot.pause()
        assert shown(panel)[-1] == "team-talk" and row(panel, "team-talk").split()[-1] == "1"
        assert row(panel, "how").endswith("Σ4")


@pilot_test
async def test_a_document_that_cannot_be_read_is_left_out_of_the_counts_and_said(project_dir: Path) -> None:
    (project_dir / "documents" / "qual2" / "broken.txt").write_text("M02: {never closed[presence]\n", "utf-8")
    problems: list[MarginError] = []
    project = Project.load(project_dir)
    assert set(build_index(project, problems=problems)) == {"qual1/int-07", "qual2/fg-01"}
    assert len(problems) == 1 and "documents/qual2/broken.txt:1:" in str(problems[0])
    with pytest.raises(MarginError, match="never closed"):
        build_index(project, use_cache=False)
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        assert row(panel, "presence").split()[-1] == "2"
        status = str(app.query_one("#codebook-status", Static).render())
        assert status == "6 codes · 5 coded segments · 1 unreadable, not counted"


@pilot_test
async def test_undo_of_a_codebook_action_restores_the_files(project_dir: Path) -> None:
    project = Project.load(project_dir)
    files = ("codebook.yaml", "documents/qual1/int-07.txt", "documents/qual2/fg-01.txt")
    before = {p: (project_dir / p).read_bytes() for p in files}
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        panel = await start(pilot)
        await go_to(pilot, "seriousness")
        await pilot.press("M")
        await modal(pilot, TargetPicker)
        await type_text(pilot, "language")
        await pilot.press("enter")
        await modal(pilot, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert (project_dir / "documents/qual1/int-07.txt").read_bytes() != before[
            "documents/qual1/int-07.txt"
        ]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert {p: (project_dir / p).read_bytes() for p in files} == before
        assert "seriousness" in shown(panel) and not app.history.done
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "seriousness" not in shown(panel) and len(app.history.done) == 1


@pilot_test
async def test_selecting_a_code_announces_it(project_dir: Path) -> None:
    messages: list[CodebookPanel.CodeSelected] = []

    def hook(message: Message) -> None:
        # a message is seen at each widget it bubbles through: keep it once
        if isinstance(message, CodebookPanel.CodeSelected) and all(m is not message for m in messages):
            messages.append(message)

    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=WIDE, message_hook=hook) as pilot:
        await start(pilot)
        await go_to(pilot, "attitude")
        await pilot.press("down", "down")
        await pilot.pause()
    assert [m.slug for m in messages][-3:] == ["attitude", "language", "seriousness"]


@pilot_test
async def test_small_terminal_starts_without_the_panel_and_b_toggles_it(project_dir: Path) -> None:
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one(CodebookPanel)
        assert not panel.display
        documents = app.query_one(DocumentList)
        await pilot.press("b")
        await pilot.pause()
        assert panel.display and panel.code_tree.has_focus
        assert not documents.display  # the panel takes the document list's room
        transcript = app.query_one(TranscriptView)
        assert transcript.size.width >= 40 and panel.size.width >= 30
        assert row(panel, "seriousness").rstrip().endswith("1")  # counts still fit
        await pilot.press("b")
        await pilot.pause()
        assert not panel.display and documents.display and transcript.has_focus
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("escape")  # the documents: they come back in place of the panel
        await pilot.pause()
        assert documents.display and documents.has_focus and not panel.display


@pilot_test
async def test_the_panel_follows_the_terminal_width_until_b_decides(project_dir: Path) -> None:
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=WIDE) as pilot:
        await app.workers.wait_for_complete()
        panel, documents = app.query_one(CodebookPanel), app.query_one(DocumentList)
        assert panel.display and documents.display
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert not panel.display and documents.display  # narrow: the transcript keeps its room
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert panel.display
        await pilot.press("b", "b")  # focus it, then hide it: from now on the user decides
        await pilot.pause()
        assert not panel.display
        await pilot.resize_terminal(150, 40)
        await pilot.pause()
        assert not panel.display
        await pilot.resize_terminal(90, 30)
        await pilot.press("b")
        await pilot.pause()
        assert panel.display and not documents.display
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert panel.display and documents.display


def test_every_binding_has_an_id_and_a_description() -> None:
    from margin.tui.code_tree import CodeTree
    from margin.tui.codebook_panel import CodeFilter

    classes = [
        CodebookPanel,
        CodeTree,
        CodeFilter,
        TextPrompt,
        CodeFieldsForm,
        ColourForm,
        SplitForm,
    ]
    classes += [TargetPicker, CodeDetail, CodeSetsScreen]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert binding.id and binding.id.startswith("codebook."), (cls.__name__, binding)
            assert binding.description, (cls.__name__, binding)


# --- snapshots ----------------------------------------------------------------------------------------
def _snapshot(keys: tuple[str, ...]) -> Callable[[Pilot[None]], Coroutine[Any, Any, None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await start(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.fixture
def demo_repo(demo_dir: Path) -> Path:
    """The demo as a git repository, as `margin demo` makes it (the app's sessions need one)."""
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Demo study"]):
        subprocess.run(["git", *args], cwd=demo_dir, check=True)
    return demo_dir


def test_snapshot_tree(demo_repo: Path, snap_compare: Callable[..., bool]) -> None:
    app = MarginApp(Project.load(demo_repo))
    assert snap_compare(app, terminal_size=SNAPSHOT, run_before=_snapshot(("down", "down")))


def test_snapshot_filter(demo_repo: Path, snap_compare: Callable[..., bool]) -> None:
    app = MarginApp(Project.load(demo_repo))
    assert snap_compare(app, terminal_size=SNAPSHOT, run_before=_snapshot(("slash", "l", "a", "n", "g")))


def test_snapshot_detail(demo_repo: Path, snap_compare: Callable[..., bool]) -> None:
    app = MarginApp(Project.load(demo_repo))
    assert snap_compare(app, terminal_size=SNAPSHOT, run_before=_snapshot(("down", "down", "i")))


def test_snapshot_add_form(demo_repo: Path, snap_compare: Callable[..., bool]) -> None:
    app = MarginApp(Project.load(demo_repo))
    keys = ("down", "a", "A", "space", "t", "r", "i", "b", "u", "n", "a", "l")
    assert snap_compare(app, terminal_size=SNAPSHOT, run_before=_snapshot(keys))


def test_no_current_code_until_the_user_turns_to_the_codebook(demo_repo: Path) -> None:
    """The tree's first code (a grouping code at start) is not made the code n/N jump through; looking at
    the codebook, or moving in it, makes the code under the cursor the current one."""

    async def run() -> list[str | None]:
        app = MarginApp(Project.load(demo_repo))
        seen: list[str | None] = []
        async with app.run_test(size=(160, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            seen.append(app.coder.current_code)
            await pilot.press("b")
            await pilot.pause()
            seen.append(app.coder.current_code)
            await pilot.press("down")
            await pilot.pause()
            seen.append(app.coder.current_code)
        return seen

    before, looked, moved = asyncio.run(run())
    order = list(Project.load(demo_repo).codebook.codes)  # the tree in pre-order, every code unfolded
    assert (before, looked, moved) == (None, order[0], order[1])
