"""Merging another code tree in the app, on bench-200: the mapping screen for a branch, and applying it.

    python benchmarks/bench_tree_merge.py [--corpus bench-200] [--new 30] [--docs 50]

The corpus is copied into a repository (Margin's drivers registered); a branch ``qual2`` adds ``--new``
codes, relabels ten and codes ``--docs`` transcripts with the new codes (ten codings each); main goes
on with a commit of its own. Printed, each beside its reference measured in the same run:

- the mapping screen: Enter in the dialog on "qual2" until the screen with every code's row is shown
  (git reads the branch's codebook, the proposals, the table), in a headless 120x40 app — beside
  ``margin codebook merge qual2`` (the proposal as a table) as a whole process;
- applying: "y" in the confirmation until the commit is made and the app has reloaded what changed —
  beside ``margin codebook merge qual2 --apply`` as a whole process on an identical copy of the repository.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from repos import BENCH, ENV, git

CORPORA = BENCH / "corpora"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def make_repository(source: Path, work: Path, new: int, docs: int) -> Path:
    """The corpus in a repository on main, and a branch qual2 with new, relabelled and used codes."""
    from margin.core import operations as ops
    from margin.core.project import Project
    from margin.vcs import drivers

    root = Path(shutil.copytree(source, work / "study", ignore=shutil.ignore_patterns(".margin", ".git")))
    git(work, "init", "-q", "-b", "main", str(root))
    drivers.install(root)
    git(root, "add", "--all")
    git(root, "commit", "-q", "-m", "start")
    git(root, "switch", "-q", "-c", "qual2")
    project = Project.load(root)
    rnd = random.Random(8)
    parents = [slug for slug, code in project.codebook.codes.items() if code.parent is None]
    added = []
    for i in range(new):
        slug = f"inductive-{i:02d}"
        ops.add_code(project, slug, f"Inductive idea {i:02d}", parent=rnd.choice(parents))
        added.append(slug)
    for slug in rnd.sample(sorted(project.codebook.codes), 10):
        ops.update_code(project, slug, label=project.codebook.label(slug) + " (QUAL2)")
    for doc_id in rnd.sample(project.document_ids(), docs):
        length = len(project.document(doc_id).text)
        for _ in range(10):
            start = rnd.randrange(length - 60)
            ops.apply_codes(project, doc_id, start, start + 40, [rnd.choice(added)])
    git(root, "add", "--all")
    git(root, "commit", "-q", "-m", "QUAL2 codes")
    git(root, "switch", "-q", "main")
    (root / "margin.yaml").write_text((root / "margin.yaml").read_text() + "# main goes on\n")
    git(root, "commit", "-q", "-am", "main goes on")
    return root


def cli(root: Path, *args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "margin", "-C", str(root), "codebook", "merge", "qual2", *args],
        check=True,
        capture_output=True,
        env=ENV,
    )
    return time.perf_counter() - t0


def in_the_app(root: Path) -> tuple[float, float, float, int]:
    """(mapping screen shown, merge applied and reloaded, of which the app's reload, rows) in a headless
    app."""
    from margin.core.project import Project
    from margin.tui.app import MarginApp
    from margin.tui.codebook_panel import CodebookPanel
    from margin.tui.tree_merge_other import OtherPrompt
    from margin.tui.tree_merge_screen import TreeMergeScreen

    figures: list[float] = []
    rows = 0
    reloading: list[float] = []
    reload = MarginApp.reload_from_disk

    def timed_reload(app: MarginApp) -> None:
        t0 = time.perf_counter()
        reload(app)
        reloading.append(time.perf_counter() - t0)

    async def run() -> None:
        nonlocal rows
        app = MarginApp(Project.load(root))
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.query_one(CodebookPanel).code_tree.focus()
            await pilot.press("T")
            await pilot.pause()
            assert isinstance(app.screen, OtherPrompt), app.screen
            await pilot.press(*"qual2")
            t0 = time.perf_counter()
            await pilot.press("enter")
            while not isinstance(app.screen, TreeMergeScreen):
                if time.perf_counter() - t0 > 60:
                    raise SystemExit("the mapping screen did not open")
                await asyncio.sleep(0.001)
            await pilot.pause()
            figures.append(time.perf_counter() - t0)
            rows = app.screen.query_one("DataTable").row_count  # type: ignore[attr-defined]
            await pilot.press("A")
            await pilot.pause()
            t0 = time.perf_counter()
            await pilot.press("y")
            await app.workers.wait_for_complete(
                [w for w in app.workers if w.group in ("tree-merge-apply", "tree-merge")]
            )
            await pilot.pause()
            figures.append(time.perf_counter() - t0)

    MarginApp.reload_from_disk = timed_reload  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        MarginApp.reload_from_disk = reload  # type: ignore[method-assign]
    return figures[0], figures[1], sum(reloading), rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default="bench-200", help="corpus name under benchmarks/corpora, or a path"
    )
    parser.add_argument("--new", type=int, default=30, help="new codes on the branch")
    parser.add_argument("--docs", type=int, default=50, help="transcripts the branch codes with them")
    args = parser.parse_args(argv)
    source = Path(args.corpus) if Path(args.corpus).is_dir() else CORPORA / args.corpus
    if not (source / "margin.yaml").is_file():
        print(f"no corpus at {source} — run: python benchmarks/gen_corpus.py {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = make_repository(source, Path(tmp), args.new, args.docs)
        twin = Path(shutil.copytree(root, Path(tmp) / "twin"))
        propose_cli = min(cli(twin) for _ in range(3))
        screen, apply, reloaded, rows = in_the_app(root)
        apply_cli = cli(twin, "--apply")
        same = git(root, "rev-parse", "HEAD^{tree}") == git(twin, "rev-parse", "HEAD^{tree}")
        print(
            f"{source.name}: a branch with {args.new} new codes, 10 relabelled, {args.docs} transcripts coded"
        )
        print(
            f"mapping screen, {rows} rows: {ms(screen)}   (reference: `margin codebook merge qual2` {ms(propose_cli)})"
        )
        print(
            f"apply in the app, reloaded: {ms(apply)}, of which the app's reload_from_disk {ms(reloaded)}   "
            f"(reference: `margin codebook merge qual2 --apply` {ms(apply_cli)}); same tree committed: {same}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
