"""The status bar: where you are (project, document, position, codes at the cursor) on the left; who you
are and what this session did (changes, branch, coder) on the right. Narrow terminals get shorter forms
of each part, least important first, so nothing is cut in the middle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from margin.tui.transcript import code_style

SEPARATOR = " │ "
MIN_CODES = 14
SHORT_NAME = 20
"""Cells of a project's or coder's name in its shortened form."""
MIN_GAP = 3
"""Cells between the left-hand and the right-hand parts, at least."""
"""Cells the codes at the cursor keep before other parts are shortened."""
NO_IDENTITY = "no git identity — set one with git config user.name"


class StatusBar(Widget):
    """One line of status. The app calls ``show`` (cursor), ``show_selection``, ``show_changes``,
    ``show_git`` (coder and branch, from ``margin.vcs.info``) and ``show_ahead_behind`` (sync)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"status--project", "status--dim", "status--warning"}

    def __init__(self, project_name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.project_name = project_name
        self.document_id: str | None = None
        self.position = ""
        self.codes: tuple[tuple[str, str], ...] = ()
        """(label, colour) of each code at the cursor."""
        self.selection = 0
        """Characters selected in the transcript (0: no selection)."""
        self.changes = 0
        """Changes made in this session (undone ones do not count)."""
        self.git_known = False
        """False until the repository was asked; coder and branch are only shown then."""
        self.coder: str | None = None
        self.branch: str | None = None
        self.ahead_behind: tuple[int, int] | None = None
        """Commits this branch is ahead of and behind its remote, once a sync has compared them."""

    # --- what the app tells it ----------------------------------------------------------------------
    def show(self, document_id: str | None, position: str, codes: tuple[tuple[str, str], ...]) -> None:
        """The open document, the cursor's position in it and the codes there."""
        self.document_id = document_id
        self.position = position
        self.codes = codes
        self.refresh()

    def show_selection(self, characters: int) -> None:
        """How many characters are selected (0: none)."""
        self.selection = characters
        self.refresh()

    def show_changes(self, changes: int) -> None:
        self.changes = changes
        self.refresh()

    def show_git(self, coder: str | None, branch: str | None) -> None:
        """The coder's git identity (None: git has none) and the branch (None: not a repository)."""
        self.git_known = True
        self.coder = coder
        self.branch = branch
        self.refresh()

    def show_ahead_behind(self, ahead_behind: tuple[int, int] | None) -> None:
        """Commits ahead of / behind the remote branch (None: unknown, e.g. no remote)."""
        self.ahead_behind = ahead_behind
        self.refresh()

    # --- drawing ------------------------------------------------------------------------------------
    def render(self) -> Text:
        return self.text(self.size.width)

    def text(self, width: int | None = None) -> Text:
        """The status line, fitted to ``width`` cells (None: every part in full)."""
        dim = self._style("status--dim")
        left = list(self._left_parts(dim))
        right = list(self._right_parts(dim))
        parts = left + right
        chosen = [0] * len(parts)
        has_codes = self.document_id is not None

        def shown(group: list[list[Text]], offset: int) -> list[Text]:
            return [forms[chosen[offset + i]] for i, forms in enumerate(group) if forms[chosen[offset + i]]]

        def fixed() -> int:
            """Cells taken by everything but the codes: parts, separators, the edges and the gap."""
            cells = 2 + MIN_GAP
            for texts, extra in ((shown(left, 0), has_codes), (shown(right, len(left)), 0)):
                count = len(texts) + extra
                cells += sum(t.cell_len for t in texts) + len(SEPARATOR) * max(count - 1, 0)
            return cells

        if width is not None:
            codes = self._codes(None, dim).cell_len if has_codes else 0
            steps = []
            for index in self._degrade_order(len(left), len(right)):
                if fixed() + min(codes, MIN_CODES) <= width:
                    break
                if chosen[index] + 1 < len(parts[index]):
                    chosen[index] += 1
                    steps.append(index)
            for index in reversed(steps):  # room the codes do not need goes back, most important first
                chosen[index] -= 1
                if fixed() + codes > width:
                    chosen[index] += 1
        items = shown(left, 0)
        if has_codes:
            room = None if width is None else max(width - fixed(), 1)
            items.insert(len(shown(left[:2], 0)), self._codes(room, dim))
        line = Text(" ") + Text(SEPARATOR).join(items)
        tail = Text(SEPARATOR).join(shown(right, len(left))) + Text(" ")
        gap = MIN_GAP if width is None else max(width - line.cell_len - tail.cell_len, MIN_GAP)
        line.append(" " * gap)
        line.append_text(tail)
        if width is not None:
            line.truncate(width)
        return line

    def _left_parts(self, dim: Style) -> Iterator[list[Text]]:
        """Project, document with position, selection: each as its forms, widest first."""
        style = self._style("status--project")
        name = self.project_name
        short = name if cell_len(name) <= SHORT_NAME else set_cell_size(name, SHORT_NAME - 1) + "…"
        yield [Text(name, style), Text(short, style), Text()]
        if self.document_id is not None:
            group, _, name = self.document_id.rpartition("/")
            position = Text(f" {self.position}", dim)
            yield (
                [Text(self.document_id) + position, Text(name) + position]
                if group
                else [Text(self.document_id) + position]
            )
        if self.selection:
            n = self.selection
            yield [Text(f"{n:,} character{'s' if n != 1 else ''} selected"), Text(f"{n:,} selected"), Text()]

    def _right_parts(self, dim: Style) -> Iterator[list[Text]]:
        changes = self.changes
        if changes:
            word = "change" if changes == 1 else "changes"
            yield [Text(f"{changes} {word} this session"), Text(f"{changes} {word}")]
        else:
            yield [Text("no changes yet", dim), Text("0 changes", dim), Text()]
        if not self.git_known:
            return
        if self.branch is not None:
            sync = ""
            if self.ahead_behind is not None:
                ahead, behind = self.ahead_behind
                sync = f" ↑{ahead} ↓{behind}" if ahead or behind else " ✓"
            yield [Text(f"⎇ {self.branch}{sync}"), Text(f"{self.branch}{sync}"), Text()]
        else:
            yield [Text("not a git repository", dim), Text("no git", dim), Text()]
        if self.coder is None:
            warning = self._style("status--warning")
            yield [
                Text(f" {NO_IDENTITY} ", warning),
                Text(" no git identity (git config user.name) ", warning),
                Text(" no git identity ", warning),
            ]
        else:
            coder = self.coder
            short = coder if cell_len(coder) <= SHORT_NAME else set_cell_size(coder, SHORT_NAME - 1) + "…"
            yield [Text(coder), Text(short)]

    @staticmethod
    def _degrade_order(left: int, right: int) -> list[int]:
        """Which part to shorten next, one form shorter per step: changes, branch, project name, coder,
        selection and the document's group; then the project name, changes, branch, selection, coder."""
        project, document, selection = 0, 1, 2
        changes, branch, coder = left, left + 1, left + 2
        first = [changes, branch, project, coder, selection, document]
        then = [project, changes, branch, selection, coder]
        if left <= selection:  # no selection shown: index 2 is not the selection
            first.remove(selection)
            then.remove(selection)
        order = first + then
        return [i for i in order if i < left + right]

    def _codes(self, room: int | None, dim: Style) -> Text:
        """The codes at the cursor as chips in their colours; what does not fit in ``room`` is counted."""
        if not self.codes:
            return Text("no codes here", dim)
        text = Text()
        for i, (label, color) in enumerate(self.codes):
            chip = Text(f" {label} ", code_style(color))
            rest = len(self.codes) - i - 1
            more = f" +{rest}" if rest else ""
            if room is not None and text.cell_len + bool(i) + chip.cell_len + len(more) > room:
                if not i:
                    fit = max(room - 3 - len(more), 1)
                    text.append(f" {set_cell_size(label, fit)}… ", code_style(color))
                text.append(f" +{len(self.codes) - i}" if i else more, dim)
                break
            if i:
                text.append(" ")
            text.append_text(chip)
        return text

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True) if self.is_mounted else Style()
