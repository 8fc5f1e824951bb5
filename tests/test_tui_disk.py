"""The app never writes over a file another program changed: the codebook panel, the code sets, a race
between the app's look and its write, and an editor saving a transcript in place while the app reads it."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from margin.core.disk import Files
from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.code_forms import TextPrompt
from margin.tui.code_sets import CodeSetsScreen
from margin.tui.codebook_panel import CodebookPanel
from margin.tui.coding_view import CodingView
from margin.tui.documents import DocumentList
from margin.tui.questions import Confirm
from margin.tui.target_picker import TargetPicker
from margin.tui.writer import AppProject
from pilot import pilot_test

SIZE = (130, 40)
INT07 = "documents/qual1/int-07.txt"
FG01 = "documents/qual2/fg-01.txt"
COMMENT = "# written in an editor\n"


def notes(app: MarginApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def settle(app: MarginApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def to_codebook(app: MarginApp, pilot: Pilot[None], slug: str) -> CodebookPanel:
    await settle(app, pilot)
    panel = app.query_one(CodebookPanel)
    if not panel.has_focus_within:
        await pilot.press("b")
    await pilot.pause()
    panel.select(slug)
    await pilot.pause()
    return panel


async def open_document(app: MarginApp, pilot: Pilot[None], doc_id: str) -> CodingView:
    app.query_one(DocumentList).select_document(doc_id)
    await pilot.pause()
    view = app.query_one(CodingView)
    assert view.document is not None and view.document.id == doc_id
    return view


@pilot_test
async def test_a_relabel_right_after_an_outside_edit_of_the_codebook_keeps_that_edit(
    project_dir: Path,
) -> None:
    """An editor saves codebook.yaml while the relabel form is open, and Enter comes within the second
    (before or after the app's poll looks): the editor's change is kept, the user is told, and what the
    app holds is what is on disk."""
    codebook = project_dir / "codebook.yaml"
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await to_codebook(app, pilot, "language")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one("Input").value = "Careful words"
        edited = codebook.read_text("utf-8").replace("label: Presence", "label: Being there") + COMMENT
        codebook.write_text(edited, "utf-8")
        await pilot.press("enter")
        await settle(app, pilot)
        on_disk = codebook.read_text("utf-8")
        assert "label: Being there" in on_disk and COMMENT in on_disk  # the editor's change survives
        assert on_disk in (edited, edited.replace("Appreciative language", "Careful words"))
        assert app.project.codebook.dump() == on_disk
        assert any("codebook.yaml changed on disk" in n for n in notes(app))


@pilot_test
async def test_a_code_merge_never_writes_a_transcript_from_the_copy_read_at_start(project_dir: Path) -> None:
    """A transcript the app read at start (to count it) is edited by another program; merging a code it
    uses reads it again first and is not applied over the edit; merging again recodes the new text."""
    path = project_dir / FG01
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "qual2/fg-01" in app.project.loaded_documents()
        edited = path.read_text("utf-8") + "M02: A {new paragraph}[presence] from the editor.\n"
        path.write_text(edited, "utf-8")
        for attempt in range(2):
            await to_codebook(app, pilot, "presence")
            await pilot.press("M")
            await pilot.pause()
            assert isinstance(app.screen, TargetPicker)
            await pilot.press(*"role-models", "enter")
            await pilot.pause()
            if isinstance(app.screen, Confirm):
                await pilot.press("y")
            await settle(app, pilot)
            if attempt == 0:
                assert path.read_text("utf-8") == edited  # refused: the file was read again instead
                assert "presence" in app.project.codebook.codes
                assert any(f"{FG01} changed on disk" in n for n in notes(app))
        text = path.read_text("utf-8")
        assert "{new paragraph}[role-models] from the editor." in text and "presence" not in text
        assert "[role-models | first mention]" in (project_dir / INT07).read_text("utf-8")


@pilot_test
async def test_a_change_between_the_apps_look_and_its_write_is_not_written_over(project_dir: Path) -> None:
    """The worst moment: another program writes the codebook after the app looked and before it wrote.
    The write itself refuses; the app reads the file again and says so; nothing of the step is kept."""
    codebook = project_dir / "codebook.yaml"
    app = MarginApp(AppProject.load(project_dir))
    real_write = Files.write
    edited: list[str] = []

    def another_program_writes_first(self: Files, writes: object) -> None:
        if not edited:
            edited.append(codebook.read_text("utf-8") + COMMENT)
            codebook.write_text(edited[0], "utf-8")
        real_write(self, writes)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await to_codebook(app, pilot, "language")
        Files.write = another_program_writes_first  # type: ignore[method-assign]
        try:
            await pilot.press("l")
            await pilot.pause()
            app.screen.query_one("Input").value = "Careful words"
            await pilot.press("enter")
            await settle(app, pilot)
        finally:
            Files.write = real_write  # type: ignore[method-assign]
        assert codebook.read_text("utf-8") == edited[0]
        assert app.project.codebook.label("language") == "Appreciative language"
        assert app.project.codebook.dump() == edited[0]  # what the app holds is the disk again
        assert app.history.done == []
        assert any("codebook.yaml changed on disk" in n and "reloaded" in n for n in notes(app))


@pilot_test
async def test_a_set_edit_after_an_outside_edit_of_the_codebook_keeps_that_edit(project_dir: Path) -> None:
    codebook = project_dir / "codebook.yaml"
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await to_codebook(app, pilot, "presence")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, CodeSetsScreen)
        edited = codebook.read_text("utf-8") + COMMENT
        codebook.write_text(edited, "utf-8")
        await pilot.press("n")  # a new set holding the code
        await pilot.pause()
        if isinstance(app.screen, TextPrompt):
            app.screen.query_one("Input").value = "Feedback"
            await pilot.press("enter")
        await settle(app, pilot)
        on_disk = codebook.read_text("utf-8")
        # the editor's change survives: the set was refused, or made on the codebook read again
        assert on_disk == edited or ("label: Feedback" in on_disk and on_disk.count(COMMENT) == 1)
        assert app.project.codebook.dump() == on_disk
        assert any("codebook.yaml changed on disk" in n for n in notes(app))


@pilot_test
async def test_an_editor_saving_in_place_while_the_app_reads_never_loses_paragraphs(
    project_dir: Path,
) -> None:
    """An editor truncates the transcript and writes it in two parts; the app opens the document between
    the two. The half it read is never saved: the coding made afterwards lands in the whole transcript."""
    path = project_dir / INT07
    whole = path.read_text("utf-8")
    cut = whole.index("P07: I have")
    app = MarginApp(AppProject.load(project_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with open(path, "r+", encoding="utf-8") as editor:
            editor.truncate(0)
            editor.write(whole[:cut])
            editor.flush()
            view = await open_document(app, pilot, "qual1/int-07")
            assert view.document is not None and view.document.paragraph_count == 1  # the half
            editor.write(whole[cut:])
        view.go_to(0, 2)  # "I1"
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"presence", "enter")
        await settle(app, pilot)
        if "{I1}" not in path.read_text("utf-8"):  # refused and reloaded: code again, on the whole text
            view.go_to(0, 2)
            await pilot.press("c")
            await pilot.pause()
            await pilot.press(*"presence", "enter")
            await settle(app, pilot)
    text = path.read_text("utf-8")
    assert text == whole.replace("I1: How", "{I1}[presence]: How")
    assert Project.load(project_dir).document("qual1/int-07").paragraph_count == 3
