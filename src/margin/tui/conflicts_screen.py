"""Conflicts a merge left, resolved in the app: each conflict's versions side by side — ours, the base, theirs
— and a key to take one, the other, both, the base, or to write the result in the editor.

The screen works on the files (``margin.vcs.conflicts``), as `margin resolve` does: a file with no
conflicts left is checked and staged, and once none are left the next sync commits the merge. The app
opens it by itself when git reports conflicts, and on ``C``; a project whose codebook conflicts, which
cannot be loaded, is opened with this screen alone first (``run_conflicts_app``).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from margin.core.errors import MarginError
from margin.tui.conflict_view import codebook_for_colours, common_indent, paragraphs, yaml_lines
from margin.tui.footer import KeyFooter
from margin.tui.terminal import replace_control_characters
from margin.tui.transcript import CodeStyles
from margin.vcs import conflicts as merge_conflicts
from margin.vcs.conflicts import Choice, Conflict
from margin.vcs.editor import choose_editor


class ConflictsScreen(Screen[bool]):
    """Every conflict, and the versions of the highlighted one; dismissed with True once none are left."""

    DEFAULT_CSS = """
    ConflictsScreen #conflict-list { width: 38; border: round $primary; }
    ConflictsScreen #versions { width: 1fr; }
    ConflictsScreen .version { height: 1fr; border: round $secondary; padding: 0 1; overflow-y: auto; }
    ConflictsScreen #base { border: round $panel; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="conflicts.close"),
        Binding("o", "take('ours')", "Take ours", id="conflicts.ours"),
        Binding("t", "take('theirs')", "Take theirs", id="conflicts.theirs"),
        Binding("B", "take('both')", "Keep both", id="conflicts.both"),
        Binding("g", "take('base')", "Take the base", id="conflicts.base"),
        Binding("e", "edit", "Edit…", id="conflicts.edit"),
    ]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.found: list[Conflict] = []
        self.codebook: CodeStyles = codebook_for_colours(root)
        """Where the codes' labels and colours come from (the codebook may have conflicts of its own)."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            listing = OptionList(id="conflict-list")
            listing.border_title = "Conflicts"
            yield listing
            with Vertical(id="versions"):
                for name, title in (
                    ("ours", "Ours (here)"),
                    ("base", "Base (before either)"),
                    ("theirs", "Theirs"),
                ):
                    version = Static(id=name, classes="version", markup=False)
                    version.border_title = title
                    yield version
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self, keep: int = 0) -> None:
        """List the conflicts again from the files."""
        self.codebook = codebook_for_colours(self.root)
        try:
            self.found = merge_conflicts.list_conflicts(self.root)
        except MarginError as exc:
            self.notify(str(exc), title="Cannot read the conflicts", severity="error", timeout=20)
            self.found = []
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(Option(_label(c)) for c in self.found)
        if self.found:
            listing.highlighted = min(keep, len(self.found) - 1)
        self._show(self.found[listing.highlighted or 0] if self.found else None)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self.found):
            self._show(self.found[event.option_index])

    def _show(self, conflict: Conflict | None) -> None:
        indent = 0 if conflict is None else common_indent(conflict.ours, conflict.base, conflict.theirs)
        for name in ("ours", "base", "theirs"):
            lines = None if conflict is None else getattr(conflict, name)
            if conflict is not None and conflict.index < 0:
                text = Text(
                    "Both sides changed this whole file: o keeps ours, t keeps theirs, e… after checking it."
                )
            elif conflict is None or lines is None:
                text = Text("(git wrote this conflict without the base version)" if conflict else "")
            elif not lines:
                text = Text("(nothing: deleted on this side)", "italic")
            elif conflict.path.startswith("documents/") and conflict.where != "front matter":
                base = None if name == "base" else conflict.base
                text = paragraphs(lines, base, self.codebook)
            else:
                text = yaml_lines(lines, indent)
            self.query_one(f"#{name}", Static).update(text)

    def _current(self) -> Conflict | None:
        index = self.query_one(OptionList).highlighted
        return self.found[index] if index is not None and 0 <= index < len(self.found) else None

    def action_take(self, choice: Choice) -> None:
        """Resolve the highlighted conflict with one version (or both)."""
        conflict = self._current()
        if conflict is None:
            return
        try:
            if conflict.index < 0:
                done = merge_conflicts.resolve(self.root, conflict.path, choice)
            else:
                done = merge_conflicts.resolve(self.root, conflict.path, choice, conflict=conflict)
        except MarginError as exc:
            self.notify(str(exc), title="Not resolved", severity="error", timeout=15)
            return
        self._resolved(conflict, done.staged)

    def action_edit(self) -> None:
        """Write the result yourself in the editor git would open (the app steps aside meanwhile)."""
        conflict = self._current()
        if conflict is None or conflict.index < 0:
            return
        try:
            editor = choose_editor(self.root)
            with self.app.suspend():
                done = merge_conflicts.edit(self.root, conflict, editor.command)
        except MarginError as exc:
            self.notify(str(exc), title="Not resolved", severity="error", timeout=15)
            return
        except SuspendNotSupported:
            self.notify(
                f"The editor, {editor.describe()}, cannot take over this terminal — resolve this conflict "
                f"with `margin resolve {conflict.path} --edit` in a shell",
                title="Not resolved",
                severity="error",
                timeout=15,
            )
            return
        self._resolved(conflict, done.staged, f" in {editor.describe()}")

    def _resolved(self, conflict: Conflict, staged: bool, how: str = "") -> None:
        index = self.query_one(OptionList).highlighted or 0
        self.reload(keep=index)
        note = f"{conflict.path}: {conflict.where} resolved{how}" + (
            " — the file is staged" if staged else ""
        )
        if not self.found:
            self.notify(note + ". No conflicts left: sync (ctrl+s) commits the merge.", title="Resolved")
            self.dismiss(True)
        else:
            self.notify(note, title="Resolved")

    def action_close(self) -> None:
        self.dismiss(not self.found)


def _label(conflict: Conflict) -> Text:
    name = conflict.path.removeprefix("documents/").removesuffix(".txt")
    return Text.assemble((name, "bold"), "  ", conflict.where)


class ConflictsApp(App[bool]):
    """The conflict screen alone, for a project that cannot be loaded until its conflicts are resolved."""

    TITLE = "Margin — conflicts"

    def __init__(self, root: Path) -> None:
        replace_control_characters()
        super().__init__()
        self.root = root

    def on_mount(self) -> None:
        self.push_screen(ConflictsScreen(self.root), self.exit)


def run_conflicts_app(root: Path) -> bool:
    """Show the conflicts of the project at ``root``; True once none are left."""
    return bool(ConflictsApp(root).run())
