"""Merging another code tree in the app, under Pilot on real git repositories: T in the codebook asks for
OTHER, the mapping screen's keys edit the actions, and applying makes one commit the app then shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from margin.core import operations as ops
from margin.core.check import check_project
from margin.core.codebook import Codebook
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.code_forms import TextPrompt
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.questions import Confirm
from margin.tui.target_picker import TargetPicker
from margin.tui.tree_merge_other import OtherPrompt
from margin.tui.tree_merge_screen import TreeMergeScreen
from margin.vcs.codebook_merge import ADD_UNDER, MAP_TO, SKIP, branches, read_mapping
from test_codebook_merge import ATLAS, QUAL2_INTERVIEW, code, commit, git, start_repository

SIZE = (130, 40)


@pytest.fixture
def study(project_dir: Path) -> Path:
    """QUAL1's tree on main; a qual2 branch with new codes (one used by no transcript), a relabelled code
    and a code whose label is close to one of main's; main went on meanwhile."""
    root = project_dir
    ops.add_code(Project.load(root), "direct-feedback", "Direct feedback", parent="how")
    start_repository(root)
    git(root, "switch", "-q", "-c", "qual2")
    project = Project.load(root)
    ops.add_code(project, "sarcasm-misunderstood", "Sarcasm misunderstood", parent="direct-feedback")
    ops.add_code(
        project, "circle-instead-of-tribunal", "Circle instead of tribunal", parent="direct-feedback"
    )
    ops.add_code(project, "role-model", "Role model", parent="how")
    ops.add_code(project, "small-talk", "Small talk")
    ops.update_code(project, "presence", label="Being present")
    (root / "documents" / "qual2" / "int-01.txt").write_text(QUAL2_INTERVIEW, encoding="utf-8")
    project = Project.load(root)
    code(project, "qual2/int-01", "a role model for all of us", "role-model")
    code(project, "qual2/int-01", "Sarcasm on the ward was misunderstood", "sarcasm-misunderstood")
    code(project, "qual2/int-01", "in a circle instead of a tribunal", "circle-instead-of-tribunal")
    code(project, "qual2/fg-01", "Nothing coded here", "role-model")
    commit(root, "QUAL2 coding with inductive codes")
    git(root, "switch", "-q", "main")
    ops.add_code(Project.load(root), "tokenism", "Tokenism", parent="attitude")
    commit(root, "QUAL1 coding")
    return root


def run(test: Callable[[MarginApp, Pilot[None]], Coroutine[Any, Any, None]], root: Path) -> MarginApp:
    """Open the project in the app, wait until it has settled, and run ``test`` under Pilot."""

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await test(app, pilot)

    app = MarginApp(Project.load(root))
    asyncio.run(main())
    return app


WAITING = frozenset({"tree-merge-edit", "tree-merge-apply", "codebook-form"})
"""Groups of workers that wait for a dialog's answer."""


async def settle(pilot: Pilot[None], *, group: str | None = None) -> None:
    """Let the workers finish: those of ``group``, or all but those waiting for a dialog."""
    workers = [w for w in pilot.app.workers if (w.group == group if group else w.group not in WAITING)]
    if workers:  # (an empty list waits for every worker)
        await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def open_prompt(pilot: Pilot[None]) -> OtherPrompt:
    """T in the codebook panel."""
    panel = pilot.app.query_one(CodebookPanel)
    if not panel.has_focus_within:
        await pilot.press("b")
    await pilot.press("T")
    await settle(pilot)
    prompt = pilot.app.screen
    assert isinstance(prompt, OtherPrompt)
    return prompt


async def open_mapping(pilot: Pilot[None], other: str) -> TreeMergeScreen:
    await open_prompt(pilot)
    await type_text(pilot, other)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TreeMergeScreen), type(screen).__name__
    return screen


def rows(screen: TreeMergeScreen) -> dict[str, tuple[str, ...]]:
    """Each row as drawn: mark, code, proposal, action (by the slug of OTHER's code)."""
    table = screen.query_one(DataTable)
    return {str(key.value): tuple(str(cell) for cell in table.get_row(key)) for key in table.rows}


async def go_to_row(pilot: Pilot[None], screen: TreeMergeScreen, slug: str) -> None:
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(slug))
    await pilot.pause()
    assert screen.current == slug


def status(screen: TreeMergeScreen) -> str:
    return str(screen.query_one("#tree-merge-status", Static).render())


# --- a branch, end to end ---------------------------------------------------------------------------
def test_merging_a_branch_with_edited_actions(study: Path) -> None:
    before = git(study, "rev-parse", "HEAD").strip()
    qual2 = git(study, "rev-parse", "qual2").strip()

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        panel = app.query_one(CodebookPanel)
        panel.select("attitude")
        await pilot.press("b")
        await pilot.press("a")  # the session has work of its own: a new code
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "Humour")
        await pilot.press("enter")
        await settle(pilot)
        assert "humour" in app.project.codebook.codes

        prompt = await open_prompt(pilot)
        offered = prompt.query_one(OptionList)
        assert [str(offered.get_option_at_index(i).id) for i in range(offered.option_count)] == ["qual2"]
        await pilot.press("down", "enter")  # the branch, chosen from the list
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TreeMergeScreen)
        shown = rows(screen)
        assert list(shown) == list(Codebook.parse(git(study, "show", "qual2:codebook.yaml")).codes)
        assert shown["role-model"][2].startswith("similar ")
        assert shown["role-model"][3] == "→ 'Role models' (role-models) here"
        assert shown["presence"][1:] == ("  Being present  presence", "same", "→ 'Presence' here")
        assert shown["sarcasm-misunderstood"][1:] == (
            "    Sarcasm misunderstood  sarcasm-misunderstood",
            "new",
            "add under 'Direct feedback'",
        )
        assert shown["small-talk"][2:] == ("new", "add at the top level")
        assert all(mark == "" for mark, *_ in shown.values())

        # the team decides: the circle is Presence after all, and Small talk is not a code
        await go_to_row(pilot, screen, "circle-instead-of-tribunal")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, TargetPicker)
        await type_text(pilot, "presence")
        await pilot.press("enter")
        await settle(pilot)
        await go_to_row(pilot, screen, "small-talk")
        await pilot.press("s")
        await pilot.pause()
        shown = rows(screen)
        assert shown["circle-instead-of-tribunal"][0] == "*"
        assert shown["circle-instead-of-tribunal"][3] == "→ 'Presence' (presence) here"
        assert shown["small-talk"][::3] == ("*", "skip")
        assert status(screen).startswith("1 to add · 2 to merge into codes here · 1 skipped · 7 here")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "1 code added, 2 merged into codes here" in question
        assert "session is committed first" in question
        await pilot.press("y")
        await settle(pilot, group="tree-merge-apply")
        assert not isinstance(app.screen, TreeMergeScreen)
        # the app shows the merged tree
        assert "sarcasm-misunderstood" in app.project.codebook.codes
        assert "circle-instead-of-tribunal" not in app.project.codebook.codes
        assert "sarcasm-misunderstood" in panel.code_tree.nodes
        commit_id = git(study, "rev-parse", "--short", "HEAD").strip()
        (done,) = [n for n in app._notifications if "merged" in str(n.title)]
        assert commit_id in str(done.title)
        assert "small-talk 'Small talk': skipped" in done.message

    run(test, study)

    # the session first, as its own commit; then one commit that merges qual2
    session, merged = git(study, "log", "-1", "--format=%P").split()
    assert merged == qual2
    assert git(study, "log", "-1", "--format=%P", session).strip() == before
    assert "humour" in git(study, "show", f"{session}:codebook.yaml")
    message = git(study, "log", "-1", "--format=%B")
    assert message.startswith("Merge the code tree of qual2\n")
    assert "circle-instead-of-tribunal 'Circle instead of tribunal': merged into presence" in message
    assert "small-talk 'Small talk': skipped" in message
    assert git(study, "status", "--porcelain", "--untracked-files=no") == ""

    project = Project.load(study)
    cb = project.codebook
    assert cb.code("sarcasm-misunderstood").parent == "direct-feedback"
    assert cb.resolve("circle-instead-of-tribunal") == "presence"
    assert cb.resolve("role-model") == "role-models" and "role-model" not in cb.codes
    assert cb.label("presence") == "Being present"  # the relabel came with the branch
    assert "small-talk" not in cb.codes
    assert {"humour", "tokenism"} <= set(cb.codes)
    assert check_project(project) == []
    interview = project.document("qual2/int-01")
    assert {interview.text[c.start : c.end]: c.codes for c in interview.codings} == {
        "a role model for all of us": ("role-models",),
        "Sarcasm on the ward was misunderstood": ("sarcasm-misunderstood",),
        "in a circle instead of a tribunal": ("presence",),
    }
    fg = project.document("qual2/fg-01")
    assert ("Nothing coded here", ("role-models",)) in {
        (fg.text[c.start : c.end], c.codes) for c in fg.codings
    }


# --- a .qdc file --------------------------------------------------------------------------------------
def test_merging_a_qdc_file_adding_its_code_under_one_of_ours(project_dir: Path) -> None:
    start_repository(project_dir)
    before = git(project_dir, "rev-parse", "HEAD").strip()

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        screen = await open_mapping(pilot, str(ATLAS))
        assert rows(screen)["code1"][2:] == ("new", "add at the top level")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TargetPicker)
        await type_text(pilot, "happens")
        await pilot.press("enter")
        await settle(pilot)
        assert rows(screen)["code1"][::3] == ("*", "add under 'How change happens'")
        await pilot.press("A", "y")
        await settle(pilot, group="tree-merge-apply")
        assert app.project.codebook.code("code1").parent == "how"

    run(test, project_dir)
    assert git(project_dir, "log", "-1", "--format=%P").strip() == before
    assert (
        git(project_dir, "log", "-1", "--format=%s").strip()
        == "Merge the code tree of atlasti-23.4-codebook.qdc"
    )
    code1 = Project.load(project_dir).codebook.code("code1")
    assert (code1.parent, code1.description, code1.color) == ("how", "description", "#46aa00")


# --- OTHER that cannot be used ------------------------------------------------------------------------
def test_a_bad_other_is_explained_in_the_dialog(study: Path, tmp_path: Path) -> None:
    bad = tmp_path / "phase2.qdc"
    bad.write_bytes(
        b"<CodeBook>\n<Codes>\n<Code name='x' guid='00000000-0000-0000-0000-000000000001'>\n</Codes>"
    )

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        prompt = await open_prompt(pilot)
        error = prompt.query_one("#other-error", Static)
        await type_text(pilot, "qual9")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt
        assert "'qual9' is neither a branch of this project nor a file" in str(error.render())
        assert "choose a branch from the list" in str(error.render())
        empty = tmp_path / "empty-study"
        empty.mkdir()
        (empty / "codebook.yaml").write_text("codes: {}\nsets: {}\n", encoding="utf-8")
        prompt.query_one(Input).value = str(empty)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt and "has no codes: there is nothing to merge" in str(error.render())
        prompt.query_one(Input).value = str(bad)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt
        shown = str(error.render())
        assert f"{bad}:4" in shown and "not well-formed" in shown and "Export the codebook again" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]

    run(test, study)


# --- a merge git refuses -----------------------------------------------------------------------------
def test_a_branch_that_conflicts_is_not_merged_and_the_project_stays_as_it_was(study: Path) -> None:
    doc = study / "documents" / "qual1" / "int-07.txt"
    git(study, "switch", "-q", "qual2")
    doc.write_text(doc.read_text(encoding="utf-8").replace("How did", "How has"), encoding="utf-8")
    commit(study, "typo fix on qual2")
    git(study, "switch", "-q", "main")
    doc.write_text(doc.read_text(encoding="utf-8").replace("How did", "In what way did"), encoding="utf-8")
    commit(study, "another fix on main")
    head = git(study, "rev-parse", "HEAD")

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        screen = await open_mapping(pilot, "qual2")
        await pilot.press("A", "y")
        await settle(pilot, group="tree-merge-apply")
        assert app.screen is screen  # still there, to try again once the branch is merged
        (failed,) = [n for n in app._notifications if n.title == "The code tree was not merged"]
        assert "merging qual2 conflicts in documents/qual1/int-07.txt" in failed.message
        assert "margin resolve" in failed.message
        assert "sarcasm-misunderstood" not in app.project.codebook.codes
        assert status(screen).startswith("3 to add")  # no longer "Merging…"

    run(test, study)
    assert git(study, "rev-parse", "HEAD") == head
    assert git(study, "status", "--porcelain", "--untracked-files=no") == ""
    assert not (study / ".git" / "MERGE_HEAD").exists()


def test_changes_made_outside_the_app_stop_the_merge(study: Path) -> None:
    head = git(study, "rev-parse", "HEAD")
    margin_yaml = study / "margin.yaml"

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        screen = await open_mapping(pilot, "qual2")
        margin_yaml.write_text("name: Test study, edited by hand\n", encoding="utf-8")
        await pilot.press("A", "y")
        await settle(pilot, group="tree-merge-apply")
        assert app.screen is screen
        (failed,) = [n for n in app._notifications if n.title == "The code tree was not merged"]
        assert "changes not yet committed" in failed.message

    run(test, study)
    assert git(study, "rev-parse", "HEAD") == head
    assert margin_yaml.read_text(encoding="utf-8") == "name: Test study, edited by hand\n"


# --- an edit that cannot be applied, and the mapping file ----------------------------------------------
def test_an_invalid_edit_is_shown_and_refused(study: Path) -> None:
    head = git(study, "rev-parse", "HEAD")

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        screen = await open_mapping(pilot, "qual2")
        await go_to_row(pilot, screen, "direct-feedback")
        await pilot.press("s")  # its new subcodes would have nowhere to go
        await pilot.pause()
        shown = rows(screen)
        assert shown["sarcasm-misunderstood"][0] == "!" and shown["direct-feedback"][0] == "*"
        problem = "'sarcasm-misunderstood': 'direct-feedback' is skipped, so nothing can go there"
        assert problem in status(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # no question: refused
        assert any(n.message == problem for n in app._notifications)
        await pilot.press("p")  # back to the proposal
        await pilot.pause()
        assert rows(screen)["sarcasm-misunderstood"][0] == "" and "⚠" not in status(screen)

    run(test, study)
    assert git(study, "rev-parse", "HEAD") == head


def test_the_edited_mapping_is_written_for_the_command_line(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def test(app: MarginApp, pilot: Pilot[None]) -> None:
        screen = await open_mapping(pilot, "qual2")
        await go_to_row(pilot, screen, "small-talk")
        await pilot.press("s", "w")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # the file name offered
        await settle(pilot)
        assert app.screen is screen
        assert any(str(n.title).startswith("Mapping written to") for n in app._notifications)

    run(test, study)
    text = (tmp_path / "qual2-mapping.yaml").read_text(encoding="utf-8")
    assert "  small-talk:  # 'Small talk': new, at the top level\n    skip\n" in text
    ours = Project.load(study).codebook
    other = Codebook.parse(git(study, "show", "qual2:codebook.yaml"))
    actions = {a.slug: (a.action, a.target) for a in read_mapping(text, "m.yaml", ours, other)}
    assert actions["small-talk"] == (SKIP, None)
    assert actions["role-model"] == (MAP_TO, "role-models")
    assert actions["sarcasm-misunderstood"] == (ADD_UNDER, "direct-feedback")


def test_branches_offered_leave_out_the_current_one(study: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(study, "remote", "add", "origin", str(remote))
    git(study, "push", "-q", "origin", "main", "qual2")
    git(study, "remote", "set-head", "origin", "main")
    assert branches(study) == ["qual2", "origin/main", "origin/qual2"]


# --- snapshot -----------------------------------------------------------------------------------------
def test_snapshot_mapping(study: Path, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = await open_mapping(pilot, "qual2")
        await go_to_row(pilot, screen, "small-talk")
        await pilot.press("s")
        await go_to_row(pilot, screen, "direct-feedback")
        await pilot.press("s")
        await pilot.pause()

    app = MarginApp(Project.load(study))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
