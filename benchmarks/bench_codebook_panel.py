"""The codebook panel's counts and tree: opening, following a coding, redrawing after a codebook change.

    python benchmarks/bench_codebook_panel.py [--corpus bench-1000] [--changes 50]

The panel's counts must be right after every change, and they are updated inside the key press that
makes the change (the history tells the panel synchronously), so their cost adds to "apply a code". The
script works on a copy of the corpus and prints, each beside its reference measured in the same run:

- first counts when the app opens: ``build_index`` with its cache warm (what the panel's worker does),
  beside ``build_index`` without the cache (every transcript parsed);
- following one coding: ``CodeTally.follow`` + ``counts`` (median and worst of ``--changes`` codings in
  random documents), beside counting everything again (``code_counts`` over the index) and beside the
  naive way, ``build_index`` from the files after each change;
- a codebook change: the full recount plus the tree rebuilt and its visible rows drawn (in a headless app).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App, ComposeResult

from margin.analysis.counts import code_counts
from margin.core.index import build_index
from margin.core.operations import Change, History, apply_codes
from margin.core.project import Project
from margin.tui.code_tally import CodeTally
from margin.tui.code_tree import CodeTree

CORPORA = Path(__file__).resolve().parent / "corpora"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def tree_rebuild(project: Project, tally: CodeTally, runs: int) -> list[float]:
    """Rebuild the code tree and draw its visible rows in a headless 120x40 app, ``runs`` times."""
    times: list[float] = []

    class TreeApp(App[None]):
        def compose(self) -> ComposeResult:
            yield CodeTree()

    async def run() -> None:
        app = TreeApp()
        async with app.run_test(size=(120, 40)) as pilot:
            tree = app.query_one(CodeTree)
            await pilot.pause()
            for _ in range(runs):
                t0 = time.perf_counter()
                tree.show(project.codebook, tally.counts(project), None, None)
                for y in range(tree.size.height):
                    tree.render_line(y)
                times.append(time.perf_counter() - t0)

    asyncio.run(run())
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default="bench-1000", help="corpus name under benchmarks/corpora, or a path"
    )
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args(argv)
    source = Path(args.corpus) if Path(args.corpus).is_dir() else CORPORA / args.corpus
    if not (source / "margin.yaml").is_file():
        print(f"no corpus at {source} — run: python benchmarks/gen_corpus.py {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(shutil.copytree(source, Path(tmp) / source.name))
        project = Project.load(root)
        cold = timed(lambda: build_index(project, use_cache=False))
        build_index(project)
        warm = timed(lambda: build_index(project))
        tally = CodeTally()
        tally.load(build_index(project))
        tally.counts(project)  # as the panel does when the index arrives
        recount = min(timed(lambda: code_counts(project, tally.index or {})) for _ in range(5))
        docs = len(project.document_ids())
        print(f"{source.name}: {docs} documents, {len(project.codebook.codes)} codes")
        print(f"open: counts from the index cache {ms(warm)}   (reference: index without cache {ms(cold)})")

        history = History()
        follow_times: list[float] = []

        def follow(change: Change) -> None:
            t0 = time.perf_counter()
            tally.follow(project, change)
            tally.counts(project)
            follow_times.append(time.perf_counter() - t0)

        history.listeners.append(follow)
        rnd = random.Random(7)
        codable = [slug for slug, code in project.codebook.codes.items() if code.codable]
        ids = project.document_ids()
        for doc_id in rnd.sample(ids, min(args.changes, len(ids))):
            text = project.document(doc_id).text
            start = rnd.randrange(len(text) - 40)
            history.record(apply_codes(project, doc_id, start, start + 30, [rnd.choice(codable)]))
        naive = timed(lambda: build_index(project))
        truth = {
            r.slug: (r.own, r.aggregate) for r in code_counts(project, build_index(project, use_cache=False))
        }
        kept = {r.slug: (r.own, r.aggregate) for r in tally.counts(project).values() if r.slug in truth}
        assert kept == {s: v for s, v in truth.items() if s in kept}, (
            "the followed counts differ from a recount"
        )
        print(
            f"follow a coding: median {ms(statistics.median(follow_times))}, worst {ms(max(follow_times))}"
            f"   (reference: count everything again {ms(recount)}; index from the files {ms(naive)})"
        )
        rebuild = tree_rebuild(project, tally, 7)
        print(
            f"codebook change: recount {ms(recount)} + tree rebuilt and drawn median "
            f"{ms(statistics.median(rebuild))}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
