"""Merging another code tree in the app: every code of OTHER with Margin's proposal and the action now.

The user changes actions with single keys (map to a code here, add under one, skip, back to the
proposal); every edit is checked at once, and a problem shows on its row and above the keys. The actions
can be written as a mapping file for the command line, or applied: the session is committed, then the
merge runs in a thread worker and makes one commit, and the app reloads what it changed.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import WorkerFailed

from margin.core.codebook import slugify
from margin.core.config import display_path
from margin.core.errors import MarginError
from margin.core.plural import counted
from margin.core.project import Project
from margin.core.textfile import atomic_write
from margin.tui.code_forms import TextPrompt
from margin.tui.footer import KeyFooter
from margin.tui.questions import Confirm
from margin.tui.target_picker import TOP_LEVEL, TargetPicker
from margin.tui.tree_merge_mapping import MappingEdits
from margin.tui.tree_merge_other import Other, OtherPrompt
from margin.vcs.codebook_merge import ADD_UNDER, MAP_TO, SKIP, Action, mapping_text, merge_code_tree, propose

if TYPE_CHECKING:
    from margin.tui.app import MarginApp

SHOWN_LINES = 12
"""Lines of the merge's report shown in its notification (the rest are counted; the commit has all)."""
CODE_WIDTH = 30
"""Columns the code column gets at least (labels longer than the room it has are cut with …)."""
ACTION_WIDTH = 40
"""Columns the action column gets at least (the rest of the screen when it is wider)."""
FIXED_COLUMNS = 12
"""The mark column, the cells' padding and the scroll bar."""


def merge_another_tree(app: App[None], project: Project) -> None:
    """Ask which code tree to merge, then show its mapping."""

    def chosen(other: Other | None) -> None:
        if other is not None:
            app.push_screen(TreeMergeScreen(project, other))

    app.push_screen(OtherPrompt(project.root), chosen)


class TreeMergeScreen(Screen[None]):
    """The mapping of OTHER's codes onto this project's tree: edit, write, apply."""

    DEFAULT_CSS = """
    TreeMergeScreen #tree-merge-title { height: auto; padding: 0 1; }
    TreeMergeScreen DataTable { height: 1fr; }
    TreeMergeScreen #tree-merge-status { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m,enter", "map", "Map to…", id="tree-merge.map"),
        Binding("a", "add_under", "Add under…", id="tree-merge.add-under"),
        Binding("s", "skip", "Skip", id="tree-merge.skip"),
        Binding("p", "proposal", "As proposed", id="tree-merge.proposal"),
        Binding("w", "write", "Write mapping…", id="tree-merge.write"),
        Binding("ctrl+s,A", "apply", "Apply", id="tree-merge.apply"),
        Binding("escape", "close", "Close", id="tree-merge.close"),
    ]

    def __init__(self, project: Project, other: Other) -> None:
        super().__init__()
        self.project = project
        self.other = other
        ours = project.codebook
        self.edits = MappingEdits(propose(ours, other.codebook), ours, other.codebook)
        self.applying = False

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                (f"Merge the code tree of {self.other.source} into {self.project.name}", "bold"),
                (f"  ·  {counted(len(self.edits.proposals), 'code')}", "dim"),
            ),
            id="tree-merge-title",
        )
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="tree-merge-table")
        yield table
        yield Static(id="tree-merge-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(Text(" "), key="mark", width=1)
        other = self.other.codebook
        codes = {
            slug: Text.assemble(
                "  " * len(other.ancestors(slug)),
                other.label(slug),
                (f"  {slug}", "dim"),
                overflow="ellipsis",
            )
            for slug in self.edits.proposals
        }
        proposals = {slug: Text(self.edits.proposal_text(slug)) for slug in codes}
        width = self.app.size.width
        code_width = min(
            max(t.cell_len for t in codes.values()), max(CODE_WIDTH, (width - FIXED_COLUMNS) // 2)
        )
        proposal_width = max(len("proposal"), *(t.cell_len for t in proposals.values()))
        # fixed widths: measuring a column again after each edit costs a pass over every row
        action_width = max(
            ACTION_WIDTH,
            *(len(self.edits.action_text(slug)) for slug in codes),
            width - code_width - proposal_width - FIXED_COLUMNS,
        )
        table.add_column(Text(f"code of {self.other.source}"), key="code", width=code_width)
        table.add_column(Text("proposal"), key="proposal", width=proposal_width)
        table.add_column(Text("action"), key="action", width=action_width)
        for slug, code in codes.items():
            table.add_row(Text(), code, proposals[slug], Text(), key=slug)
        self._show()
        table.focus()

    # --- showing ------------------------------------------------------------------------------------
    def _show(self) -> None:
        """Each row's mark and action as they are now, and the line above the keys."""
        table = self.query_one(DataTable)
        problem = self.edits.problem
        for slug in self.edits.proposals:
            wrong = problem is not None and problem[0] == slug
            mark = (
                Text("!", "bold red") if wrong else Text("*", "bold") if self.edits.edited(slug) else Text()
            )
            action = Text(self.edits.action_text(slug), "bold red" if wrong else "", overflow="ellipsis")
            table.update_cell(slug, "mark", mark)
            table.update_cell(slug, "action", action)
        self._status(problem[1] if problem else None)

    def _status(self, problem: str | None, doing: str = "") -> None:
        status = self.query_one("#tree-merge-status", Static)
        if problem:
            status.update(Text(f"⚠ {problem}", "bold red"))
            return
        if doing:
            status.update(Text(doing, "italic"))
            return
        added, merged, skipped, here = self.edits.counts()
        edited = sum(1 for slug in self.edits.proposals if self.edits.edited(slug))
        status.update(
            Text(
                f"{added} to add · {merged} to merge into codes here · {skipped} skipped · {here} here "
                f"already · {edited} edited (*) — ctrl+s applies in one commit",
                "dim",
            )
        )

    @property
    def current(self) -> str:
        """The code of OTHER under the cursor."""
        table = self.query_one(DataTable)
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        assert key is not None
        return key

    # --- editing ------------------------------------------------------------------------------------
    def _edit(self, action: Action) -> None:
        self.edits.set(action)
        self._show()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_map()

    @work(exclusive=True, group="tree-merge-edit")
    async def action_map(self) -> None:
        """Map the code to a code of this project (its codings become that code's)."""
        slug = self.current
        label = self.other.codebook.label(slug)
        target = await self.app.push_screen_wait(
            TargetPicker(f"Map '{label}' ({slug}) to…", self.project.codebook)
        )
        if target is not None and target != TOP_LEVEL:
            self._edit(Action(slug, MAP_TO, target))

    @work(exclusive=True, group="tree-merge-edit")
    async def action_add_under(self) -> None:
        """Add the code as a new code, under a code of this project or at the top level."""
        slug = self.current
        label = self.other.codebook.label(slug)
        target = await self.app.push_screen_wait(
            TargetPicker(f"Add '{label}' ({slug}) under…", self.project.codebook, top_level=True)
        )
        if target is not None:
            self._edit(Action(slug, ADD_UNDER, None if target == TOP_LEVEL else target))

    def action_skip(self) -> None:
        """Leave the code out (refused on applying for a code that the branch's transcripts use)."""
        self._edit(Action(self.current, SKIP))

    def action_proposal(self) -> None:
        """Back to what Margin proposed for the code."""
        self.edits.reset(self.current)
        self._show()

    # --- writing the mapping ------------------------------------------------------------------------
    @work(exclusive=True, group="tree-merge-edit")
    async def action_write(self) -> None:
        """Write the actions as a mapping file, to review or to apply with `margin codebook merge`."""
        cwd = display_path(Path.cwd())
        answer = await self.app.push_screen_wait(
            TextPrompt(
                "Write the mapping",
                f"File (YAML; a relative path is from {cwd}):",
                f"{slugify(self.other.source)}-mapping.yaml",
                check=lambda text: None if text else "write a file name",
            )
        )
        if not answer:
            return
        path = Path(answer).expanduser().resolve()
        if path.exists() and not await self.app.push_screen_wait(
            Confirm(
                "Replace the file?",
                f"[b]{escape(display_path(path))}[/b] exists.",
                "Replace",
                "Cancel",
                cancelled="Not written: the file is as it was",
            )
        ):
            return
        other = self.other
        name = other.name if other.revision is not None else display_path(Path(other.name).resolve())
        text = mapping_text(list(self.edits.proposals.values()), self.edits.ours, name, self.edits.ordered())
        try:
            atomic_write(path, text)
        except OSError as exc:
            self.notify(
                f"{display_path(path)}: {exc.strerror}", title="Not written", severity="error", markup=False
            )
            return
        self.notify(
            f"Apply it from the project with `margin codebook merge {name} --mapping {display_path(path)} "
            "--apply`, or here with ctrl+s.",
            title=f"Mapping written to {display_path(path)}",
            timeout=15,
            markup=False,
        )

    # --- applying -----------------------------------------------------------------------------------
    def _question(self) -> str:
        added, merged, skipped, here = self.edits.counts()
        source = escape(self.other.source)
        lines = [
            f"Merge the code tree of [b]{source}[/b] in one commit: [b]{added}[/b] {'code' if added == 1 else 'codes'} added, "
            f"[b]{merged}[/b] merged into codes here (their codings recoded), [b]{skipped}[/b] skipped; "
            f"{here} here already."
        ]
        if self.other.revision is not None:
            lines.append(
                f"The branch [b]{source}[/b] is merged by that commit: its transcripts arrive recoded to this "
                "tree."
            )
        if cast("MarginApp", self.app).sessions.session.paths:
            lines.append("[dim]Your coding session is committed first.[/dim]")
        return "\n".join(lines)

    @work(exclusive=True, group="tree-merge-apply")
    async def action_apply(self) -> None:
        """Apply the actions in one commit (after committing the session)."""
        problem = self.edits.problem
        if problem is not None:
            self.notify(
                problem[1], title="Not applied: change this action first", severity="error", markup=False
            )
            return
        if self.applying:
            return
        if await self.app.push_screen_wait(
            Confirm("Merge the code tree", self._question(), "Apply", "Cancel", cancelled="Not merged")
        ):
            self.applying = True
            try:
                await self._apply()
            finally:
                self.applying = False
                if self.is_attached:
                    self._show()

    async def _apply(self) -> None:
        app = cast("MarginApp", self.app)
        sessions = app.sessions
        if sessions.session.paths:
            self._status(None, "Committing your session…")
            await sessions.end()
            if sessions.session.paths:  # not committed: the notification says why
                return
        self._status(None, f"Merging the code tree of {self.other.source}…")
        other = self.other
        worker = app.run_worker(
            partial(
                merge_code_tree,
                self.project.root,
                other.codebook,
                self.edits.ordered(),
                source=other.source,
                revision=other.revision,
            ),
            thread=True,
            exit_on_error=False,
            group="tree-merge",
            name="merge code tree",
        )
        try:
            outcome = await worker.wait()
        except WorkerFailed as exc:
            if not isinstance(exc.error, MarginError):
                raise exc.error from None
            self.notify(
                str(exc.error),
                title="The code tree was not merged",
                severity="error",
                timeout=30,
                markup=False,
            )
            return
        self.dismiss()
        app.reload_from_disk()
        app.refresh_git_status()
        if outcome.commit is None:
            app.notify("Nothing to change: every code is in this tree already.", title="Code tree merged")
            return
        lines = outcome.lines[:SHOWN_LINES]
        if len(outcome.lines) > SHOWN_LINES:
            lines.append(f"… and {len(outcome.lines) - SHOWN_LINES} more (in the commit's message)")
        app.notify(
            "\n".join(lines) or "The branch is merged.",
            title=f"Code tree of {other.source} merged: {outcome.commit[:7]}",
            timeout=30,
            markup=False,
        )

    # --- leaving ------------------------------------------------------------------------------------
    @work(exclusive=True, group="tree-merge-edit")
    async def action_close(self) -> None:
        """Leave without merging (edits are lost unless written with w)."""
        edited = sum(1 for slug in self.edits.proposals if self.edits.edited(slug))
        if edited and not await self.app.push_screen_wait(
            Confirm(
                "Leave the merge",
                f"{counted(edited, 'edited action')} {'is' if edited == 1 else 'are'} lost — w writes "
                f"{'it' if edited == 1 else 'them'} to a mapping file first.",
                "Leave",
                "Stay",
            )
        ):
            return
        self.dismiss()
