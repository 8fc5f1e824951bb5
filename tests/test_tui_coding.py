"""Coding in the transcript, driven through Pilot on real projects: every check is on the model and on the
bytes of the files written."""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from conftest import commit_project
from margin.core import operations
from margin.core.codebook import Codebook
from margin.core.coding import Coding
from margin.core.document import Document, serialise_document
from margin.core.errors import OperationError
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.coding_view import CodingView
from margin.tui.documents import DocumentList
from margin.tui.edit_text import EditTextScreen, OneLineArea
from margin.tui.memo import MemoScreen
from margin.tui.picker import CodePicker
from margin.tui.questions import Choose, Confirm
from margin.tui.status import StatusBar
from margin.tui.writer import AppProject
from pilot import pilot_test

SIZE = (100, 30)
INT07 = "documents/qual1/int-07.txt"
FG01 = "documents/qual2/fg-01.txt"


def body(root: Path, path: str) -> list[str]:
    """The lines of a document's body (after its front matter) as they are on disk."""
    text = (root / path).read_bytes().decode("utf-8")
    if text.startswith("---\n"):
        text = text[text.index("\n---\n", 3) + 5 :]
    return text.splitlines()


async def open_document(app: MarginApp, pilot: Pilot[None], doc_id: str) -> CodingView:
    app.query_one(DocumentList).select_document(doc_id)
    await pilot.pause()
    view = app.query_one(CodingView)
    assert view.document is not None and view.document.id == doc_id
    return view


async def settle(app: MarginApp, pilot: Pilot[None]) -> None:
    """Let the keys pressed reach their screens and the coding worker finish."""
    await pilot.pause()
    await pilot.pause()
    if not app.screen.is_modal:
        await app.workers.wait_for_complete()
    await pilot.pause()


def at(view: CodingView, text: str, occurrence: int = 0) -> int:
    """The offset of ``text`` in the open document (its n-th occurrence)."""
    assert view.document is not None
    offset = -1
    for _ in range(occurrence + 1):
        offset = view.document.text.index(text, offset + 1)
    return offset


def span(view: CodingView, text: str) -> tuple[int, int]:
    start = at(view, text)
    return start, start + len(text)


def notes(app: MarginApp, title: str | None = None) -> list[str]:
    """The messages the app showed (only those with ``title``, if given)."""
    return [n.message for n in app._notifications if title is None or n.title == title]


def write_doc(project_dir: Path, name: str, text: str) -> None:
    path = project_dir / "documents" / "qual2" / f"{name}.txt"
    path.write_text(text, "utf-8")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


# --- selecting ------------------------------------------------------------------------------------------
@pilot_test
async def test_keys_select_words_sentences_turns_and_paragraphs(project_dir: Path) -> None:
    write_doc(
        project_dir, "talk", "P07: It was hard. We learned a lot, didn't we? Yes.\nP07: Then it changed.\n"
    )
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual2/talk")
        text = view.document.text
        view.go_to(at(view, "learned") + 2)
        await pilot.press("w")
        assert view.selection == span(view, "learned")
        await pilot.press("w", "w")  # pressed again: the next words join
        assert view.selection == span(view, "learned a lot")
        await pilot.press("escape")
        assert view.selection is None and app.focused is view
        await pilot.press("s")
        assert view.selection == span(view, "We learned a lot, didn't we?")
        await pilot.press("s")
        assert view.selection == span(view, "We learned a lot, didn't we? Yes.")
        await pilot.press("t")
        assert view.selection == span(view, "It was hard. We learned a lot, didn't we? Yes.")
        await pilot.press("t")  # the next turn, without its speaker
        assert view.selection == (at(view, "It was"), len(text))
        view.go_to(3)
        await pilot.press("p")
        assert view.selection == (0, text.index("\n"))
        await pilot.press("p")
        assert view.selection == (0, len(text))
        await pilot.press("left")  # collapses to the start
        assert view.selection is None and view.cursor_offset == 0
        await pilot.press("right", "shift+right", "shift+right", "shift+right")
        assert view.selection == (1, 4)
        assert app.query_one(StatusBar).selection == 3
        await pilot.press("shift+left")
        assert view.selection == (1, 3)
        await pilot.press("down")
        assert view.selection is None and view.cursor_paragraph == 1
        await pilot.press("shift+up")  # from column 3 of the second paragraph to column 3 of the first
        assert view.selection == (3, view.document.paragraph_starts[1] + 3)
        await pilot.press("escape", "escape")  # the second escape leaves the transcript
        assert isinstance(app.focused, DocumentList)


@pilot_test
async def test_mouse_drag_selects_and_double_click_selects_a_word(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        layout = view.text_layout
        assert layout is not None
        left = 1 + layout.geometry.gutter  # the border, then the paragraph numbers
        start = at(view, "I have")
        row = layout.row_of(start)
        column = start - layout.row_span(row)[0]
        await pilot.mouse_down(CodingView, offset=(left + column, 1 + row))
        await pilot.hover(CodingView, offset=(left + column + 13, 1 + row))
        await pilot.mouse_up(CodingView, offset=(left + column + 13, 1 + row))
        await pilot.pause()
        assert view.selection == span(view, "I have become")
        work = at(view, "work")
        await pilot.double_click(CodingView, offset=(left + work - layout.row_span(row)[0] + 1, 1 + row))
        await pilot.pause()
        assert view.selection == span(view, "work")


# --- coding ---------------------------------------------------------------------------------------------
@pilot_test
async def test_picker_applies_several_marked_codes_at_once(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "I have"))
        await pilot.press("w", "w", "w", "c")
        await settle(app, pilot)
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"pres", "tab")
        await pilot.press(*["backspace"] * 4, *"role", "tab")
        await pilot.press("enter")
        await settle(app, pilot)
        start, end = span(view, "I have become")
        assert Coding(start, end, ("presence", "role-models")) in view.document.codings
        assert body(project_dir, INT07)[1] == (
            "P07: {I have become}[presence, role-models] {more attentive to language}[language] at work."
        )
        assert view.selection is None
        assert app.coder.recent == ["presence", "role-models"] and app.coder.current_code == "presence"
        assert view.border_subtitle == "1 Presence · 2 Role models · n/N Presence"


@pilot_test
async def test_picker_ranks_as_you_type_and_space_marks_after_the_arrows(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, CodePicker)
        await pilot.press(*"taken", "space", "s")  # typing: space is a space
        assert picker.query_text == "taken s" and picker.marked == []
        options = picker.query_one("OptionList")
        assert options.get_option_at_index(0).id == "seriousness"  # "Experience taken seriously"
        await pilot.press(*["backspace"] * 7, "p", "r")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[:2] == ["presence", "language"]  # a label that starts with it, then one that holds it
        await pilot.press("down", "space")  # after the arrows, space marks
        assert picker.marked == ["language"] and picker.query_text == "pr"
        await pilot.press("up", "space", "enter")
        await settle(app, pilot)
        assert (
            body(project_dir, INT07)[0] == "I1: How did peer support change {your team}[language, presence]?"
        )


@pilot_test
async def test_picker_creates_a_code_under_the_parent_chosen(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "at work"))
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"Workplace", "enter")  # no code is called so: "Create code" comes first
        await settle(app, pilot)
        assert isinstance(app.screen, CodePicker) and app.screen.mode == "parent"
        await pilot.press(*"How change", "enter")
        await settle(app, pilot)
        codebook = Codebook.parse((project_dir / "codebook.yaml").read_text("utf-8"))
        code = codebook.get("workplace")
        assert code is not None and code.label == "Workplace" and code.parent == "how"
        assert (
            body(project_dir, INT07)[1]
            == "P07: I have become {more attentive to language}[language] {at work}[workplace]."
        )
        assert app.project.codebook.get("workplace") is not None


@pilot_test
async def test_in_vivo_makes_a_code_of_the_selected_words(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual2/fg-01")
        view.go_to(at(view, "Nothing"))
        await pilot.press("w", "w", "v")
        await settle(app, pilot)
        assert isinstance(app.screen, CodePicker) and app.screen.mode == "parent"
        await pilot.press("enter")  # "Top level" comes first
        await settle(app, pilot)
        codebook = Codebook.parse((project_dir / "codebook.yaml").read_text("utf-8"))
        code = codebook.get("nothing-coded")
        assert code is not None and code.label == "Nothing coded" and code.parent is None
        assert body(project_dir, FG01)[1] == "M02: [laughs] {Nothing coded}[nothing-coded] here."
        assert app.coder.recent[0] == "nothing-coded"


@pilot_test
async def test_number_keys_apply_the_recent_codes(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        await pilot.press("w", "1")
        assert "No recent code 1 yet" in notes(app)[-1]
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"presence", "enter")
        await settle(app, pilot)
        view.go_to(*span(view, "peer support"))
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"role models", "enter")
        await settle(app, pilot)
        assert app.coder.recent == ["role-models", "presence"]
        view.go_to(*span(view, "How did"))
        await pilot.press("2")
        assert body(project_dir, INT07)[0] == (
            "I1: {How did}[presence] {peer support}[role-models] change {your team}[presence]?"
        )
        assert app.coder.recent == ["presence", "role-models"]  # the most recent first
        await pilot.press("right", "1")  # nothing selected: adds to the coding at the cursor ('peer')
        assert body(project_dir, INT07)[0] == (
            "I1: {How did}[presence] {peer support}[role-models, presence] change {your team}[presence]?"
        )


@pilot_test
async def test_uncode_asks_which_coding_when_several_cover_the_cursor(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "attentive"))
        await pilot.press("u")  # one coding, one code: removed at once
        assert body(project_dir, INT07)[1] == "P07: I have become more attentive to language at work."
        view.go_to(at(view, "about us"))
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, Choose)
        await pilot.press("down", "enter")  # the innermost comes first: choose the outer one
        await settle(app, pilot)
        assert (
            body(project_dir, INT07)[2]
            == "P07: It was clear that {it was about us}[seriousness] being the one"
        )
        assert [c.codes for c in view.document.codings] == [("seriousness",)]
        view.go_to(at(view, "clear"))
        await pilot.press("u")
        assert notes(app)[-1] == "No coding at the cursor"


@pilot_test
async def test_boundary_keys_widen_and_narrow_a_coding_by_a_word(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "attentive"))
        steps = [
            ("greater_than_sign", "P07: I have become {more attentive to language at}[language] work."),
            ("greater_than_sign", "P07: I have become {more attentive to language at work}[language]."),
            ("less_than_sign", "P07: I have become {more attentive to language at}[language] work."),
            ("comma", "P07: I have {become more attentive to language at}[language] work."),
            ("full_stop", "P07: I have become {more attentive to language at}[language] work."),
            ("full_stop", "P07: I have become more {attentive to language at}[language] work."),
        ]
        for key, line in steps:
            await pilot.press(key)
            assert body(project_dir, INT07)[1] == line, key
        for _ in range(3):
            await pilot.press("full_stop")
        assert (
            body(project_dir, INT07)[1]
            == "P07: I have become more attentive to language {at}[language] work."
        )
        await pilot.press("full_stop")  # the last word stays
        assert notes(app)[-1] == "The coding keeps at least one word"
        assert view.document.codings[0] == Coding(at(view, "at work"), at(view, "at work") + 2, ("language",))


@pilot_test
async def test_memo_on_the_coding_at_the_cursor(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "attentive"))
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, MemoScreen)
        await pilot.press(*"a turning point", "ctrl+s")
        await settle(app, pilot)
        assert body(project_dir, INT07)[1] == (
            "P07: I have become {more attentive to language}[language | a turning point] at work."
        )
        view.go_to(at(view, "about us"))  # two codings: which one?
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        memo = app.screen
        assert isinstance(memo, MemoScreen) and memo.memo == "first mention"
        memo.query_one("TextArea").load_text("")  # an empty memo removes it
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert (
            body(project_dir, INT07)[2]
            == "P07: {It was clear that {it was about us}[seriousness] being the one}[presence]"
        )


@pilot_test
async def test_n_and_shift_n_jump_through_the_current_codes_segments(project_dir: Path) -> None:
    write_doc(
        project_dir, "jumps", "P07: {one}[presence] two {three}[language] {four}[presence, language] five\n"
    )
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual2/jumps")
        app.set_current_code(None)
        await pilot.press("n")
        assert "No current code" in notes(app)[-1]
        app.set_current_code("presence")
        assert view.border_subtitle == "n/N Presence"
        await pilot.press("n")
        assert view.cursor_offset == at(view, "one")
        await pilot.press("n")
        assert view.cursor_offset == at(view, "four")
        await pilot.press("n")  # from the other end
        assert view.cursor_offset == at(view, "one") and "from the other end" in notes(app)[-1]
        await pilot.press("N")
        assert view.cursor_offset == at(view, "four")
        app.set_current_code("language")
        await pilot.press("N")
        assert view.cursor_offset == at(view, "three")


@pilot_test
async def test_c_with_nothing_selected_picks_the_code_to_jump_through(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"seriousness", "enter")
        await settle(app, pilot)
        assert app.coder.current_code == "seriousness"
        assert view.cursor_offset == at(view, "it was about us")


# --- fixing the text --------------------------------------------------------------------------------------
@pilot_test
async def test_edit_text_keeps_codings_on_their_words(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "clear"))
        await pilot.press("e")
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, EditTextScreen) and editor.text == view.document.paragraph(2)
        area = editor.query_one(OneLineArea)
        area.load_text("P07: It was\nobvious that it was about us being the one")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is editor  # refused: two lines
        assert "is a line break" in str(editor.query_one("#edit-text-problem").render())
        area.load_text("P07: It was obvious that it was all about us being the one")
        await pilot.press("enter")
        await settle(app, pilot)
        assert body(project_dir, INT07)[2] == (
            "P07: {It was obvious that {it was all about us}[seriousness] being the one}[presence | first mention]"
        )
        assert view.document.paragraph(2) == "P07: It was obvious that it was all about us being the one"


@pilot_test
async def test_an_edit_that_deletes_a_codings_words_asks_and_no_goes_back_to_the_typed_text(
    project_dir: Path,
) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "attentive"))
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one(OneLineArea).load_text("P07: I have now become at work, said P07.")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        assert "deletes all the words of 1 coding(s): language on 'more attentive to language'" in (
            app.screen.question
        )
        await pilot.press("n")
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, EditTextScreen)  # back to the text, as typed: nothing lost, nothing saved
        assert editor.query_one(OneLineArea).text == "P07: I have now become at work, said P07."
        assert (
            body(project_dir, INT07)[1]
            == "P07: I have become {more attentive to language}[language] at work."
        )
        editor.query_one(OneLineArea).load_text("P07: I have now become more attentive at work, said P07.")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, (Confirm, EditTextScreen))  # a coded word kept: saved unasked
        assert (
            body(project_dir, INT07)[1]
            == "P07: I have now become {more attentive}[language] at work, said P07."
        )


@pilot_test
async def test_an_edit_that_replaces_a_codings_words_asks_and_yes_moves_it_onto_them(
    project_dir: Path,
) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(at(view, "attentive"))
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one(OneLineArea).load_text("P07: I have become really careful with words at work.")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        assert "replaces all the words of 1 coding(s): language on 'more attentive to language' → " in (
            app.screen.question
        )
        assert (
            body(project_dir, INT07)[1]
            == "P07: I have become {more attentive to language}[language] at work."
        )
        await pilot.press("y")
        await settle(app, pilot)
        assert (
            body(project_dir, INT07)[1] == "P07: I have become {really careful with words}[language] at work."
        )
        assert not isinstance(app.screen, (Confirm, EditTextScreen))


# --- undo and redo ----------------------------------------------------------------------------------------
@pilot_test
async def test_undo_and_redo_span_documents_and_the_codebook(project_dir: Path) -> None:
    files = [INT07, FG01, "codebook.yaml"]
    original = {f: (project_dir / f).read_bytes() for f in files}
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"role models", "enter")
        await settle(app, pilot)
        view = await open_document(app, pilot, "qual2/fg-01")
        view.go_to(*span(view, "Nothing coded"))
        await pilot.press("v")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        after = {f: (project_dir / f).read_bytes() for f in files}
        assert all(after[f] != original[f] for f in files)
        assert len(app.history.done) == 3

        await pilot.press("ctrl+z")  # the coding in fg-01
        assert (project_dir / FG01).read_bytes() == original[FG01]
        assert not any("nothing-coded" in c.codes for c in view.document.codings)
        await pilot.press("ctrl+z")  # the new code
        assert (project_dir / "codebook.yaml").read_bytes() == original["codebook.yaml"]
        assert app.project.codebook.get("nothing-coded") is None
        await pilot.press("ctrl+z")  # the coding in int-07: the transcript shows it
        await pilot.pause()
        assert (project_dir / INT07).read_bytes() == original[INT07]
        assert view.document is not None and view.document.id == "qual1/int-07"
        assert not any("role-models" in c.codes for c in view.document.codings)
        await pilot.press("ctrl+z")
        assert notes(app)[-1] == "Nothing to undo"

        for _ in range(3):
            await pilot.press("ctrl+y")
            await pilot.pause()
        assert {f: (project_dir / f).read_bytes() for f in files} == after
        assert view.document.id == "qual2/fg-01"
        assert any("nothing-coded" in c.codes for c in view.document.codings)
        assert app.project.codebook.get("nothing-coded") is not None


# --- files changed outside Margin -------------------------------------------------------------------------
@pilot_test
async def test_a_document_changed_on_disk_is_reloaded_not_overwritten(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"presence", "enter")
        await settle(app, pilot)
        assert len(app.history.done) == 1
        path = project_dir / INT07
        outside = path.read_text("utf-8").replace("at work.", "at {home}[seriousness].")
        path.write_text(outside, "utf-8")
        view.go_to(*span(view, "How did"))
        await pilot.press("1")  # the document changed since it was read: reload, and do nothing else
        assert path.read_text("utf-8") == outside
        assert "changed on disk" in notes(app)[-1] and "nothing else was changed" in notes(app)[-1]
        assert view.document.paragraph(1) == "P07: I have become more attentive to language at home."
        assert app.history.done == []  # undoing the coding now would undo the other program's change
        view.go_to(*span(view, "How did"))
        await pilot.press("1")
        assert (
            body(project_dir, INT07)[0]
            == "I1: {How did}[presence] peer support change {your team}[presence]?"
        )
        assert (
            body(project_dir, INT07)[1]
            == "P07: I have become {more attentive to language}[language] at {home}[seriousness]."
        )


@pilot_test
async def test_the_poll_reloads_with_a_notice_and_ignores_a_touch(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        path = project_dir / INT07
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # same bytes, newer
        view.check_disk()
        await pilot.pause()
        assert notes(app, "Changed on disk") == []
        path.write_text(path.read_text("utf-8").replace("your team", "your ward"), "utf-8")
        view.check_disk()
        await pilot.pause()
        assert notes(app, "Changed on disk") == [
            f"{INT07} changed on disk (outside Margin) and was reloaded; nothing else was changed — look, then try again"
        ]
        assert "your ward" in view.document.text
        assert any("your ward" in view.render_line(y).text for y in range(3))
        codebook = project_dir / "codebook.yaml"
        codebook.write_text(
            codebook.read_text("utf-8").replace("label: Presence", "label: Being there"), "utf-8"
        )
        view.check_disk()
        await pilot.pause()
        assert app.project.codebook.label("presence") == "Being there"
        assert "codebook.yaml changed on disk" in notes(app)[-1]


@pilot_test
async def test_a_document_broken_on_disk_is_never_written_over(project_dir: Path) -> None:
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        path = project_dir / INT07
        broken = path.read_text("utf-8").replace("at work.", "at {work.")
        path.write_text(broken, "utf-8")
        view.check_disk()
        await pilot.pause()
        assert "cannot be read — fix it first" in notes(app)[-1] and f"{INT07}:7:" in notes(app)[-1]
        view.check_disk()  # said once, not every second
        await pilot.pause()
        assert len(notes(app, "Changed on disk")) == 1
        view.go_to(*span(view, "How did"))
        await pilot.press("u", "w", "c")
        await settle(app, pilot)
        assert not app.screen.is_modal or isinstance(app.screen, CodePicker)
        if isinstance(app.screen, CodePicker):
            await pilot.press(*"presence", "enter")
            await settle(app, pilot)
        assert path.read_text("utf-8") == broken
        path.write_text(broken.replace("at {work.", "at work."), "utf-8")  # fixed: read again
        view.check_disk()
        await pilot.pause()
        assert view.document is app.project.document("qual1/int-07")
        view.go_to(*span(view, "How did"))
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"presence", "enter")
        await settle(app, pilot)
        assert body(project_dir, INT07)[0] == "I1: {How did}[presence] peer support change your team?"


# --- writing back only what changed -----------------------------------------------------------------------
def random_study(root: Path, rnd: random.Random) -> str:
    """A project with one transcript of short turns, nested, crossing and multi-paragraph codings, escapes."""
    words = ["we", "talked", "{about}", "how", "the", "team", "changed", "@peer", "workers", "really\\"]
    lines = [f"P{i % 3}: " + " ".join(rnd.choices(words, k=rnd.randint(0, 12))) for i in range(120)]
    doc = Document("qual2/random", "\n".join(lines))
    codings = []
    for _ in range(80):
        a = rnd.randrange(len(doc.text))
        b = min(len(doc.text), a + rnd.randint(1, 120))
        memo = rnd.choice([None, None, "why] so\nthis"])
        codings.append(Coding(a, b, (rnd.choice(["presence", "language", "seriousness"]),), memo))
    doc.codings = sorted({(c.start, c.end): c for c in codings}.values(), key=Coding.sort_key)
    (root / "documents" / "qual2" / "random.txt").write_text(serialise_document(doc), "utf-8")
    return doc.id


@pytest.mark.parametrize("seed", range(12))
def test_the_app_writes_the_bytes_a_whole_serialisation_gives(project_dir: Path, seed: int) -> None:
    rnd = random.Random(seed)
    doc_id = random_study(project_dir, rnd)
    project = AppProject.load(project_dir)
    path = project.document_path(doc_id)
    doc = project.document(doc_id)
    for _ in range(60):
        codings = doc.codings
        what = rnd.random()
        try:
            if what < 0.45 or not codings:
                a = rnd.randrange(len(doc.text))
                b = min(len(doc.text), a + rnd.choice([3, 10, 40, 200]))
                operations.apply_codes(project, doc_id, a, b, [rnd.choice(["presence", "role-models"])])
            elif what < 0.6:
                c = rnd.choice(codings)
                operations.remove_coding(project, doc_id, c.start, c.end)
            elif what < 0.85:
                c = rnd.choice(codings)
                end = min(len(doc.text), max(c.start + 1, c.end + rnd.randint(-5, 5)))
                operations.change_coding(
                    project, doc_id, c.start, c.end, new_end=end, memo=rnd.choice([None, "m"])
                )
            else:
                p = rnd.randrange(doc.paragraph_count)
                operations.edit_text(project, doc_id, p, doc.paragraph(p) + " more", confirmed=True)
        except OperationError:
            continue
        assert path.read_text("utf-8") == serialise_document(doc)
    reread = Project.load(project_dir).document(doc_id)
    assert (reread.text, [(c.start, c.end, c.codes, c.memo) for c in reread.codings]) == (
        doc.text,
        [(c.start, c.end, c.codes, c.memo) for c in doc.codings],
    )


# --- the scenarios ----------------------------------------------------------------------------------------
@pilot_test
async def test_scenario_coding_a_sentence_is_one_line_of_diff_and_undoes(project_dir: Path) -> None:
    commit_project(project_dir)
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        await pilot.press("right", "right", "right", "right", "right", "s", "c")
        await settle(app, pilot)
        await pilot.press(*"lang")
        picker = app.screen
        assert isinstance(picker, CodePicker)
        highlighted = picker.query_one("OptionList").highlighted_option
        assert highlighted is not None and highlighted.id == "language"
        await pilot.press("enter")
        await settle(app, pilot)
        diff = git(project_dir, "diff", "-U0").splitlines()
        assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
            "-I1: How did peer support change your team?",
            "+I1: {How did peer support change your team?}[language]",
        ]
        assert git(project_dir, "status", "--porcelain") == f" M {INT07}\n"
        geometry = view.text_layout.geometry
        strip = view.render_line(0).crop(geometry.gutter, geometry.gutter + geometry.text)
        coloured = "".join(
            s.text for s in strip if s.style and s.style.bgcolor and s.style.bgcolor.name == "#4e79a7"
        )
        assert coloured == "How did peer support change your team?"
        await pilot.press("ctrl+z")
        assert git(project_dir, "diff") == ""
        await pilot.press("ctrl+y")
        assert "+I1: {How did peer support change your team?}[language]" in git(project_dir, "diff")


@pilot_test
async def test_scenario_an_in_vivo_code_in_her_own_words(project_dir: Path) -> None:
    write_doc(project_dir, "fg-02", "P07: It felt like a tribunal in the team meeting.\n")
    commit_project(project_dir)
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual2/fg-02")
        view.go_to(at(view, "a tribunal"))
        await pilot.press("w", "w", "v")
        await settle(app, pilot)
        await pilot.press(*"how change", "enter")
        await settle(app, pilot)
        assert body(project_dir, "documents/qual2/fg-02.txt") == [
            "P07: It felt like {a tribunal}[a-tribunal] in the team meeting."
        ]
        code = Codebook.parse((project_dir / "codebook.yaml").read_text("utf-8")).get("a-tribunal")
        assert code is not None and code.label == "a tribunal" and code.parent == "how"
        changed = git(project_dir, "diff", "--stat").splitlines()
        assert len(changed) == 3 and "codebook.yaml" in changed[0] and "fg-02.txt" in changed[1]


@pilot_test
async def test_scenario_a_typo_inside_a_coded_span(project_dir: Path) -> None:
    write_doc(
        project_dir,
        "fg-03",
        "P07: {The first psychossis was the worst}[seriousness] and {it passed}[presence].\n",
    )
    commit_project(project_dir)
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual2/fg-03")
        view.go_to(at(view, "psychossis"))
        await pilot.press("e")
        await settle(app, pilot)
        area = app.screen.query_one(OneLineArea)
        area.load_text(area.text.replace("psychossis", "psychosis"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert body(project_dir, "documents/qual2/fg-03.txt") == [
            "P07: {The first psychosis was the worst}[seriousness] and {it passed}[presence]."
        ]
        assert [(view.document.text[c.start : c.end], c.codes) for c in view.document.codings] == [
            ("The first psychosis was the worst", ("seriousness",)),
            ("it passed", ("presence",)),
        ]


# --- snapshots ----------------------------------------------------------------------------------------------
async def _opened(pilot: Pilot[None], doc_id: str = "qual1/int-07") -> CodingView:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return await open_document(pilot.app, pilot, doc_id)  # type: ignore[arg-type]


def test_snapshot_selection_over_coded_text(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        view = await _opened(pilot)
        view.go_to(at(view, "become"))
        await pilot.press("w", "w", "w", "w")

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_picker_with_a_filter(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        view = await _opened(pilot)
        view.go_to(*span(view, "your team"))
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"pres", "tab", "backspace", "backspace", "backspace", "backspace", "r", "o")
        await pilot.pause()

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_memo(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        view = await _opened(pilot)
        view.go_to(at(view, "clear"))
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*" — said with emphasis")
        await pilot.pause()

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_edit_text(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        view = await _opened(pilot)
        view.go_to(at(view, "clear"))
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one(OneLineArea).cursor_blink = False  # the cursor shown, not half the time
        await pilot.pause()

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_which_coding_to_remove(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        view = await _opened(pilot)
        view.go_to(at(view, "about us"))
        await pilot.press("u")
        await pilot.pause()

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def project(project_dir: Path) -> Project:
    """The small project as a git repository (so the app has sessions and says nothing about them)."""
    commit_project(project_dir)
    return AppProject.load(project_dir)
