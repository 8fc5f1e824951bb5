"""Which code tree to merge: a branch of this project (offered in a list), or the path of a codebook.yaml,
a project folder or a REFI-QDA .qdc file. Problems are shown in the dialog with what to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from margin.core.codebook import Codebook
from margin.core.config import display_path
from margin.core.errors import FormatError, MarginError
from margin.io.codebook_file import REFI_SUFFIXES, read_codebook_file
from margin.vcs.codebook_merge import branches, codebook_at


@dataclass(frozen=True)
class Other:
    """The code tree to merge, as the user named it."""

    codebook: Codebook
    name: str
    """As typed (or chosen): a branch, or a path."""
    revision: str | None
    """The branch or revision it comes from; None for a file."""

    @property
    def source(self) -> str:
        """How the commit names it: the branch, or the file's name."""
        return self.revision if self.revision is not None else Path(self.name).name


def resolve_other(root: Path, name: str) -> Other:
    """The code tree ``name`` names (a file first, then a revision of the project at ``root``);
    MarginError saying what to do when it names nothing usable."""
    try:
        codebook = read_codebook_file(name)
    except FormatError as exc:
        if Path(name).suffix.lower() in REFI_SUFFIXES:
            raise MarginError(
                f"{exc}\nIs it a REFI-QDA codebook? Export the codebook again from MAXQDA, NVivo or "
                "ATLAS.ti, or choose another file."
            ) from None
        raise
    revision = None if codebook is not None else name
    if codebook is None:
        codebook = codebook_at(root, name)
    if codebook is None:
        raise MarginError(
            f"'{name}' is neither a branch of this project nor a file — choose a branch from the list, or "
            "give the path of a codebook.yaml, a project folder or a .qdc file"
        )
    if not codebook.codes:
        raise MarginError(f"'{name}' has no codes: there is nothing to merge — choose another code tree")
    return Other(codebook, name, revision)


class OtherPrompt(ModalScreen[Other | None]):
    """Ask for OTHER; returns it read, or None when cancelled."""

    DEFAULT_CSS = """
    OtherPrompt { align: center middle; }
    OtherPrompt #other-branches { height: auto; max-height: 10; }
    OtherPrompt #other-error { color: $text-error; text-style: bold; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="tree-merge.other.cancel"),
        Binding("down", "move(1)", "Next branch", show=False, id="tree-merge.other.next"),
        Binding("up", "move(-1)", "Previous branch", show=False, id="tree-merge.other.previous"),
    ]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.branches: list[str] = []
        """The project's branches but the current one (read with git when the dialog opens)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form") as frame:
            frame.border_title = "Merge another code tree"
            frame.border_subtitle = "↓ chooses a branch · enter: read it · escape: cancel"
            yield Label("A branch of this project, or a path:")
            yield Input(placeholder="a branch, or a path", id="other-input")
            branches = OptionList(id="other-branches")
            branches.display = False
            yield branches
            cwd = display_path(Path.cwd())
            yield Static(
                Text(
                    f"A path to a codebook.yaml, a project folder or a REFI-QDA .qdc file works too "
                    f"(a relative one from {cwd}).",
                    "dim",
                ),
                id="other-hint",
            )
            yield Static("", id="other-error")

    def on_mount(self) -> None:
        self._load_branches()

    @work(thread=True, group="tree-merge-branches")
    def _load_branches(self) -> None:
        found = branches(self.root)
        self.app.call_from_thread(self._show_branches, found)

    def _show_branches(self, found: list[str]) -> None:
        self.branches = found
        options = self.query_one(OptionList)
        options.add_options(self._options(self.query_one(Input).value.strip()))
        options.display = bool(found)

    def _options(self, query: str) -> list[Option]:
        return [Option(Text(b), id=b) for b in self.branches if query.casefold() in b.casefold()]

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(event.value.strip()))
        options.highlighted = None  # enter reads what was typed until ↓ chooses a branch
        self._show_error("")

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1 if step > 0 else 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._read(str(options.get_option_at_index(options.highlighted).id))
        elif event.value.strip():
            self._read(event.value.strip())
        else:
            self._show_error("Write the name of a branch or a path, or choose a branch with ↓.")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._read(str(event.option.id))

    def _show_error(self, message: str) -> None:
        self.query_one("#other-error", Static).update(Text(message))

    @work(thread=True, exclusive=True, group="tree-merge-other")
    def _read(self, name: str) -> None:
        """Read OTHER in a thread (a branch is read with git); show the problem, or answer with it."""
        self.app.call_from_thread(self._show_error, "")
        try:
            other = resolve_other(self.root, name)
        except MarginError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self.dismiss, other)

    def action_cancel(self) -> None:
        self.dismiss(None)
