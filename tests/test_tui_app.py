"""The app's frame, driven through Pilot on real projects: help and keys, the user's settings file,
the command palette, the status bar, the layout at 80x24, and long work (progress while a big project
is read, a loading state for a huge document)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from margin.core import operations
from margin.core.config import user_config_path
from margin.core.project import Project
from margin.tui.app import LARGE_DOCUMENT, MarginApp
from margin.tui.documents import DocumentList
from margin.tui.help import HelpScreen
from margin.tui.keymap import Context, binding_ids, class_bindings, margin_classes
from margin.tui.palette import available_actions
from margin.tui.status import NO_IDENTITY, StatusBar
from margin.tui.transcript import TranscriptView
from pilot import pilot_test

REPO = Path(__file__).resolve().parents[1]
GEN_CORPUS = REPO / "benchmarks" / "gen_corpus.py"
SIZE = (100, 30)
SMALL = (80, 24)


@pytest.fixture
def project(project_dir: Path) -> Project:
    return Project.load(project_dir)


def write_settings(text: str) -> Path:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def notifications(messages: list[Message]) -> list[str]:
    """The notifications about the settings file among the messages the app handled."""
    notes = [m.notification for m in messages if isinstance(m, Notify)]
    return [n.message for n in notes if n.title == "Some settings were not applied"]


def rows(context: Context) -> dict[str | None, tuple[str, ...]]:
    """Binding ID -> keys shown for it."""
    return {row.binding_id: row.keys for row in context.rows}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


async def settle(app: MarginApp, pilot: Pilot[None]) -> None:
    """Wait until the document list has counted every document."""
    await app.workers.wait_for_complete()
    await pilot.pause()


# --- every binding has an ID and a description --------------------------------------------------------
TEXTUAL_OWN = ("App", "Screen", "Input", "TextArea")
"""Textual classes whose keys stay as Textual made them: quitting, the palette, focus cycling, copying,
and text editing inside input fields."""


def test_every_binding_has_an_id_and_a_description() -> None:
    from textual.app import App
    from textual.screen import Screen

    own = {(key, binding) for base in (App, Screen, Input, TextArea) for key, binding in class_bindings(base)}
    missing = [
        f"{owner.__module__}.{owner.__name__}: {key} -> {binding.action}"
        for owner in margin_classes()
        for key, binding in class_bindings(owner)
        if (key, binding) not in own and not (binding.id and binding.description)
    ]
    assert not missing, "bindings without an id or a description:\n" + "\n".join(missing)
    assert {"app.quit", "app.help", "documents.open", "transcript.cursor-down", "help.close"} <= set(
        binding_ids()
    )


def test_binding_ids_name_their_context() -> None:
    """IDs read as `context.action` in lower case, so the settings file and the docs stay legible."""
    bad = [i for i in binding_ids() if not all(part and part == part.lower() for part in i.split("."))]
    assert not bad and all("." in i for i in binding_ids())


def test_the_guide_lists_every_binding_id() -> None:
    guide = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    missing = sorted(i for i in binding_ids() if f"`{i}`" not in guide)
    assert not missing, "binding IDs missing from docs/guide.md, 'Every binding ID': " + ", ".join(missing)


# --- help ---------------------------------------------------------------------------------------------
@pilot_test
async def test_help_lists_the_keys_of_every_context_from_the_live_bindings(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        by_title = {c.title: c for c in help_screen.contexts}
        assert {"Everywhere", "Documents", "Transcript", "Codebook"} <= set(by_title)
        assert rows(by_title["Everywhere"])["app.help"] == ("?",)
        assert rows(by_title["Everywhere"])["app.quit"] == ("q",)
        assert rows(by_title["Documents"])["documents.open"] == ("⏎",)
        assert rows(by_title["Transcript"])["transcript.cursor-down"] == ("↓",)
        # the contexts where the focus is come first and are marked
        assert [c.title for c in help_screen.here] == ["Everywhere", "Documents"]
        assert help_screen.contexts[: len(help_screen.here)] == help_screen.here
        # every binding of every Margin class is there, with its description
        shown = {row.binding_id for c in help_screen.contexts for row in c.rows}
        assert set(binding_ids()) <= shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)


@pilot_test
async def test_help_marks_the_transcript_when_it_has_focus(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document("qual1/int-07")
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert [c.title for c in app.screen.here] == ["Everywhere", "Transcript"]


# --- the settings file: keys and theme ----------------------------------------------------------------
@pilot_test
async def test_a_settings_file_rebinds_keys_and_help_shows_the_new_keys(project: Project) -> None:
    write_settings("keys:\n  app.help: f1\n  transcript.cursor-down: [down, j]\n")
    messages: list[Message] = []
    app = MarginApp(project)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(app, pilot)
        assert not notifications(messages)
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)  # ? no longer opens help
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        by_title = {c.title: c for c in app.screen.contexts}
        assert rows(by_title["Everywhere"])["app.help"] == ("f1",)
        assert rows(by_title["Transcript"])["transcript.cursor-down"] == ("↓", "j")
        await pilot.press("escape")
        app.open_document("qual1/int-07")
        await pilot.pause()
        view = app.query_one(TranscriptView)
        before = view.cursor_paragraph
        await pilot.press("j")
        assert view.cursor_paragraph == before + 1


@pilot_test
async def test_bad_settings_are_reported_with_file_and_line_and_the_rest_applies(project: Project) -> None:
    path = write_settings(
        "# my keys\n"
        "keys:\n"
        "  no.such-binding: x\n"
        "  app.help: ctrl+shft+h\n"
        "  app.quit: ctrl+q\n"
        "theme: no-such-theme\n"
        "colours: loud\n"
    )
    messages: list[Message] = []
    app = MarginApp(project)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(app, pilot)
        [note] = notifications(messages)
        assert f"{path}:3:20: no binding has the ID 'no.such-binding'" in note
        assert f"{path}:4:13: 'ctrl+shft+h' is not a key" in note
        assert f"{path}:6:8: no theme 'no-such-theme'" in note
        assert f"{path}:7:1: unknown setting 'colours'" in note
        await pilot.press("question_mark")  # app.help kept its key
        assert isinstance(app.screen, HelpScreen)
        assert rows(app.screen.contexts[0])["app.quit"] == ("ctrl+q",)
        await pilot.press("escape")
    assert app.is_running is False


@pilot_test
async def test_broken_yaml_in_the_settings_is_reported_not_a_crash(project: Project) -> None:
    path = write_settings("keys:\n  app.help: [f1\n")
    messages: list[Message] = []
    app = MarginApp(project)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(app, pilot)
        [note] = notifications(messages)
        assert f"{path}:3:1: invalid YAML" in note
        await pilot.press("question_mark")  # defaults apply
        assert isinstance(app.screen, HelpScreen)


@pilot_test
async def test_a_key_taken_from_another_binding_is_reported(project: Project) -> None:
    path = write_settings("keys:\n  transcript.select-word: up\n")
    messages: list[Message] = []
    app = MarginApp(project)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(app, pilot)
        [note] = notifications(messages)
        assert f"{path}:2:27: ↑ now does transcript.select-word in the transcript" in note
        assert "(transcript.cursor-up) has no key there" in note


@pilot_test
async def test_the_theme_is_saved_in_the_settings_and_used_next_time(project: Project) -> None:
    path = write_settings("# keep this comment\nkeys:\n  app.help: f1\n")
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.theme = "textual-light"
        await pilot.pause()
    assert (
        path.read_text(encoding="utf-8")
        == "# keep this comment\nkeys:\n  app.help: f1\ntheme: textual-light\n"
    )
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"


# --- the command palette ------------------------------------------------------------------------------
async def palette_hits(app: MarginApp, pilot: Pilot[None], query: str) -> list[str]:
    """Open the palette with ctrl+p, type ``query``, and return the hits as shown."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    options = app.screen.query_one(CommandList)
    for _ in range(100):
        await pilot.pause(0.02)
        if options.option_count:
            break
    return [str(options.get_option_at_index(i).prompt).splitlines()[0] for i in range(options.option_count)]


@pilot_test
async def test_the_palette_offers_actions_with_their_keys(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hits = await palette_hits(app, pilot, "quit")
        assert any(h.startswith("Quit") and h.split()[-2:] == ["q", "ctrl+q"] for h in hits), hits
        await pilot.press("escape")
        hits = await palette_hits(app, pilot, "undo")
        assert any(h.startswith("Undo") and "ctrl+z" in h for h in hits), hits
        await pilot.press("escape")
        # an action without a key is offered too, and runs from the palette
        hits = await palette_hits(app, pilot, "help")
        assert any(h.split()[:2] == ["Help", "?"] for h in hits), hits
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@pilot_test
async def test_palette_actions_follow_focus_and_include_keyless_ones(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = {a.title: a.keys for a in available_actions(app.focused, app.screen)}
        assert titles["Open the document (or fold the group)"] == ("⏎",)
        assert titles["Read the settings file again (keys and theme)"] == ()
        app.open_document("qual1/int-07")
        await pilot.pause()
        titles = {a.title: a.keys for a in available_actions(app.focused, app.screen)}
        assert "Open the document (or fold the group)" not in titles
        assert titles["Next line"] == ("↓",)


# --- the status bar -----------------------------------------------------------------------------------
@pilot_test
async def test_status_bar_shows_project_coder_branch_document_codes_and_changes(project_dir: Path) -> None:
    git(project_dir, "init", "-q", "-b", "analysis")
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "-m", "start")
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(app, pilot)
        status = app.query_one(StatusBar)
        line = status.text(140).plain
        assert line.startswith(" Test study")
        assert "no changes yet" in line and "⎇ analysis" in line and line.rstrip().endswith("Test Coder")
        app.open_document("qual1/int-07")
        await pilot.pause()
        await move_onto_a_coding(app, pilot)
        line = status.text(140).plain
        assert "qual1/int-07 ¶ 3/3" in line and "Presence" in line
        app.history.record(operations.apply_codes(project, "qual1/int-07", 0, 3, ["presence"]))
        await pilot.pause()
        assert "1 change this session" in status.text(140).plain
        app.history.undo(project)
        await pilot.pause()
        assert "no changes yet" in status.text(140).plain
        # narrow: shorter forms, the codes cut last, nothing past the width
        narrow = status.text(60).plain
        assert len(narrow) == 60 and "int-07 ¶ 3/3" in narrow and "Test Coder" in narrow
        status.show_selection(12)
        assert "12 characters selected" in status.text(140).plain
        narrow = status.text(80).plain
        assert len(narrow) == 80 and "12 selected" in narrow and "Presence" in narrow


async def move_onto_a_coding(app: MarginApp, pilot: Pilot[None]) -> None:
    """Move the cursor of int-07 along its last paragraph into "It was clear that…" (presence)."""
    status = app.query_one(StatusBar)
    for _ in range(60):
        await pilot.press("right" if "¶ 3/3" in status.text().plain else "down")
        if status.codes:
            return


def no_identity(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A coder without a git identity, on any machine (git must not guess one from the host name)."""
    for kind in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{kind}_{what}", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")


@pilot_test
async def test_status_bar_warns_when_git_has_no_identity(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_identity(monkeypatch, tmp_path / "home")
    app = MarginApp(project)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(app, pilot)
        status = app.query_one(StatusBar)
        assert status.coder is None
        assert NO_IDENTITY in status.text(140).plain
        assert "no git identity" in status.text(80).plain
        assert "not a git repository" in status.text(140).plain


# --- long work ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpora")
    command = [
        sys.executable,
        str(GEN_CORPUS),
        "bench-200",
        "--docs",
        "60",
        "--words",
        "400",
        "--out",
        str(out),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return out / "bench-200"


@pilot_test
async def test_a_big_project_lists_at_once_and_shows_progress_while_counting(big_project: Path) -> None:
    app = MarginApp(Project.load(big_project))
    lock = app._documents_lock  # the reader takes it for every document: holding it is a slow disk
    lock.acquire()
    safety = threading.Timer(60, lambda: lock.locked() and lock.release())  # never hang the suite
    safety.start()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            documents = app.query_one(DocumentList)
            assert sum(len(group.children) for group in documents.root.children) == 60  # listed at once
            assert documents.border_subtitle == "▱▱▱▱▱▱▱▱ 0/60"
            await pilot.press("down", "down")  # input works while documents are read
            assert documents.cursor_line == 3
            lock.release()
            await settle(app, pilot)
            assert documents.read == 60 and len(documents.counts) == 60
            assert documents.border_subtitle == "60 documents"
    finally:
        safety.cancel()
        if lock.locked():
            lock.release()


@pilot_test
async def test_a_huge_document_shows_a_loading_state_while_it_is_read(project_dir: Path) -> None:
    line = "P07: we {talked about how}[language] the team changed after the peer workers came, really.\n"
    huge = "---\ntitle: Huge\n---\n" + line * (LARGE_DOCUMENT // len(line) + 10)
    (project_dir / "documents" / "qual2" / "huge.txt").write_text(huge, encoding="utf-8")
    project = Project.load(project_dir)
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        project.forget("qual2/huge")  # as if it had not been read yet
        app.open_document("qual2/huge")
        view = app.query_one(TranscriptView)
        assert view.loading and view.document is None  # the worker reads it meanwhile
        await settle(app, pilot)
        assert not view.loading
        assert view.document is not None and view.document.id == "qual2/huge"
        assert app.focused is view
        # a place chosen in a list (a segment, a hit, a history decision) is selected once it is read
        far = len(view.document.text) - 200
        project.forget("qual2/huge")
        app.open_document("qual2/huge", (far, far + 12))
        assert view.loading
        await settle(app, pilot)
        assert view.selection == (far, far + 12)


# --- layout ------------------------------------------------------------------------------------------
@pilot_test
async def test_d_hides_the_document_list_and_escape_brings_it_back(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        documents = app.query_one(DocumentList)
        view = app.query_one(TranscriptView)
        assert documents.outer_size.width == 24  # narrower in a narrow terminal
        width = view.outer_size.width
        await pilot.press("d")
        assert not documents.display and app.focused is view
        assert view.outer_size.width > width
        await pilot.press("escape")
        assert documents.display and app.focused is documents


# --- snapshots ----------------------------------------------------------------------------------------
@pytest.fixture
def repository(project_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The test project as its own git repository, and a home whose settings path reads the same in
    every run (the help names it)."""
    git(project_dir, "init", "-q", "-b", "main")
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "-m", "start")
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return project_dir


async def ready(pilot: Pilot[None]) -> MarginApp:
    """The app with every document counted and no notification left on screen."""
    app = pilot.app
    assert isinstance(app, MarginApp)
    await settle(app, pilot)
    app.clear_notifications()
    await pilot.pause()
    return app


def test_snapshot_80x24(repository: Path, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        app = await ready(pilot)
        app.open_document("qual1/int-07")
        await pilot.pause()
        await move_onto_a_coding(app, pilot)

    assert snap_compare(MarginApp(Project.load(repository)), terminal_size=SMALL, run_before=run_before)


def test_snapshot_help_80x24(repository: Path, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("question_mark")

    assert snap_compare(MarginApp(Project.load(repository)), terminal_size=SMALL, run_before=run_before)


def test_snapshot_no_colour_no_identity(
    repository: Path, snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """NO_COLOR: the warning about the missing git identity still stands out (bold, and says it)."""
    monkeypatch.setenv("NO_COLOR", "1")
    no_identity(monkeypatch, tmp_path / "home")

    async def run_before(pilot: Pilot[None]) -> None:
        app = await ready(pilot)
        assert app.no_color
        app.open_document("qual2/fg-01")
        await pilot.pause()

    assert snap_compare(MarginApp(Project.load(repository)), terminal_size=SIZE, run_before=run_before)
