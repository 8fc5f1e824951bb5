"""The conflict screen under Pilot, on a real merge that stopped on conflicts: the app opens it by itself,
each key takes a version, resolved files are staged, and a project whose codebook conflicts is opened on
that screen alone."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from margin.core.project import Project
from margin.tui.app import MarginApp
from margin.tui.conflicts_screen import ConflictsApp, ConflictsScreen
from margin.vcs import conflicts
from test_resolve import DOC, make_conflicted

SIZE = (120, 40)


def unmerged(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=U"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def shown(screen: ConflictsScreen, name: str) -> str:
    return str(screen.query_one(f"#{name}", Static).render())


def test_a_project_whose_codebook_conflicts_is_resolved_on_the_screen_alone(tmp_path: Path) -> None:
    root = make_conflicted(tmp_path)

    async def run() -> bool | None:
        app = ConflictsApp(root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ConflictsScreen)
            assert screen.query_one(OptionList).option_count == 3
            assert "label: Being there" in shown(screen, "ours")
            assert "label: Presence" in shown(screen, "base")
            assert "label: Being present" in shown(screen, "theirs")
            await pilot.press("t")  # the codebook: theirs
            await pilot.pause()
            assert unmerged(root) == [DOC]
            assert "I had become" in shown(screen, "ours") and "I've become" in shown(screen, "theirs")
            await pilot.press("B")  # ¶2: both paragraphs
            await pilot.press("g")  # ¶3: as it was
            await pilot.pause()
        return app.return_value

    assert asyncio.run(run()) is True
    assert unmerged(root) == []
    assert "label: Being present" in (root / "codebook.yaml").read_text(encoding="utf-8")
    doc = Project.load(root).document("qual1/int-07")
    assert "P07: I had become" in doc.text and "P07: I've become" in doc.text and "being the one" in doc.text


def test_the_app_opens_the_conflict_screen_when_a_merge_left_conflicts(tmp_path: Path) -> None:
    root = make_conflicted(tmp_path)
    conflicts.resolve(root, "codebook.yaml", "ours")  # the project can be loaded now

    async def run() -> None:
        app = MarginApp(Project.load(root))
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screens = [s for s in app.screen_stack if isinstance(s, ConflictsScreen)]
            assert len(screens) == 1
            assert isinstance(app.screen, ConflictsScreen)  # the merge is no recovered session to ask about
            await pilot.press("o")
            await pilot.press("o")
            await pilot.pause()
            assert not isinstance(app.screen, ConflictsScreen)
            await pilot.press("C")  # nothing left: the screen says so
            await pilot.pause()
            assert isinstance(app.screen, ConflictsScreen)
            assert app.screen.query_one(OptionList).option_count == 0
            await pilot.press("escape")

    asyncio.run(run())
    assert unmerged(root) == []
    assert "<<<<<<<" not in (root / DOC).read_text(encoding="utf-8")


def test_a_paragraph_conflict_reads_as_text_with_each_sides_changes_marked(tmp_path: Path) -> None:
    """No markup on the screen: the coded words in their code's colour, the words a side changed from the
    base underlined, and each coding listed with its codes' labels."""
    from margin.tui.conflict_view import CHANGED, codebook_for_colours, paragraphs

    root = make_conflicted(tmp_path)
    found = {c.where: c for c in conflicts.list_conflicts(root)}
    paragraph = found["¶2"]
    codebook = codebook_for_colours(root)  # the codebook conflicts too: the last commit's is used
    ours = paragraphs(paragraph.ours, paragraph.base, codebook)
    theirs = paragraphs(paragraph.theirs, paragraph.base, codebook)
    base = paragraphs(paragraph.base or (), None, codebook)
    for version in (ours, theirs, base):
        assert "{" not in version.plain and "}[" not in version.plain

    def marked(text: object) -> list[str]:
        assert hasattr(text, "spans") and hasattr(text, "plain")
        return [text.plain[s.start : s.end] for s in text.spans if s.style == CHANGED]

    assert marked(ours) == ["had"] and marked(theirs) == ["I've"] and marked(base) == []
    assert ours.plain.startswith("P07: I had become more attentive to language at work.")
    assert "▸  Appreciative language  “more attentive to language”" in ours.plain  # labels, not slugs
    nested = found["¶3"]
    assert "  Models  “the only one”" in paragraphs(nested.ours, nested.base, codebook).plain  # our label


def test_snapshot_a_paragraph_conflict(tmp_path: Path, snap_compare: Callable[..., bool]) -> None:
    root = make_conflicted(tmp_path)

    async def run_before(pilot: Pilot[bool]) -> None:
        await pilot.pause()
        await pilot.press("down")  # ¶2 of the transcript, below the codebook's conflict
        await pilot.pause()

    assert snap_compare(ConflictsApp(root), terminal_size=(110, 34), run_before=run_before)
