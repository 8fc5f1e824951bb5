"""Apply a code in the app: key → model → repaint of the visible lines → file on disk, on the focus group.

    python benchmarks/bench_apply_code.py [--focus focus-group] [--runs 50] [--width 120] [--height 50]

Budget (design/quality.md): <= 30 ms on the 1.3 MB / 20,000-line transcript. The transcript's project is
copied to a temporary folder (every application writes the file) and opened in a headless app holding the
coding view alone, ``width`` x ``height`` cells. Each run selects a span at another place of the document
(spread over it), scrolls there, then times the action bound to the key ``1`` (apply the most recent
code) called directly — no key events, no Pilot — and a repaint of every visible line (``render_lines``,
rows of untouched paragraphs come from the strip cache). Between two applications the app does what it
does between keys (it collects the garbage of the last one, see ``CodingView._settle_heap``). Printed: median and worst over the runs of the
whole and of its parts — the operation (``apply_codes``: model, serialisation of the lines that changed by
the app's writer, atomic write with fsync), the view's update (``document_changed``) and the repaint — and
beside them ``serialise_document`` of the same document alone: what the operation would spend serialising
the whole file (the writer's reference).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App, ComposeResult
from textual.geometry import Region

import margin.tui
from margin.core.document import Document, serialise_document
from margin.core.operations import History
from margin.core.project import Project
from margin.tui.coder import Coder
from margin.tui.coding_view import CodingView
from margin.tui.writer import AppProject

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpora"
BUDGET_MS = 30.0


class BenchApp(App[None]):
    CSS_PATH = Path(margin.tui.__file__).parent / "margin.tcss"

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.coder = Coder(project, History())

    def compose(self) -> ComposeResult:
        yield CodingView(self.coder)


def copy_focus_group(name: str, into: Path) -> Path:
    """The focus-group project copied into ``into`` (generated there if the corpus is missing)."""
    source = CORPORA / name
    if (source / "margin.yaml").is_file():
        return Path(shutil.copytree(source, into / name))
    sys.path.insert(0, str(HERE))
    from gen_corpus import generate_focus_group

    print(f"{name} is not in {CORPORA}: generating it")
    return generate_focus_group(into, name).path


def spoken_text(document: Document, paragraph: int) -> tuple[int, int]:
    """The span of the first turn from ``paragraph`` on that has some words after its speaker."""
    while True:
        start, end = document.paragraph_span(paragraph)
        turn = start + document.turn(paragraph).text_start
        if end - turn >= 10:
            return turn, end
        paragraph = (paragraph + 1) % document.paragraph_count


def show(what: str, figures: str) -> None:
    print(f"{what:<30} {figures}")


def ms(seconds: Sequence[float]) -> str:
    return f"median {statistics.median(seconds) * 1000:6.2f} ms   worst {max(seconds) * 1000:6.2f} ms"


async def measure(root: Path, runs: int, width: int, height: int) -> None:
    project = AppProject.load(root)
    doc_id = project.document_ids()[0]
    document = project.document(doc_id)
    slug = next(s for s, code in project.codebook.codes.items() if code.codable)
    size = project.document_path(doc_id).stat().st_size
    show(
        "transcript",
        f"{doc_id}: {size / 1e6:.2f} MB, {document.paragraph_count} lines, {len(document.codings)} codings",
    )
    app = BenchApp(project)
    async with app.run_test(size=(width, height)) as pilot:
        view = app.query_one(CodingView)
        view.show_document(document, project.codebook)
        await pilot.pause()
        app.coder.recent[:] = [slug]
        view_times: list[float] = []
        original: Callable[[], None] = view.document_changed

        def timed_update() -> None:
            start = time.perf_counter()
            original()
            view_times.append(time.perf_counter() - start)

        view.document_changed = timed_update  # type: ignore[method-assign]
        crop = Region(0, 0, view.size.width, view.size.height)
        totals, operations, updates, repaints, serialise = [], [], [], [], []
        gc.collect()
        for run in range(runs):
            turn, end = spoken_text(document, (run * 7919 + 101) % document.paragraph_count)
            view.go_to(turn, min(end, turn + 30))
            view.render_lines(crop)
            await pilot.pause()
            before = len(view_times)
            t0 = time.perf_counter()
            view.action_apply_recent(1)
            t1 = time.perf_counter()
            view._styles_cache.clear()  # textual's line cache: make it ask for every visible line
            view.render_lines(crop)
            t2 = time.perf_counter()
            if len(view_times) != before + 1:
                raise SystemExit(f"run {run}: the code was not applied")
            update = view_times[-1]
            totals.append(t2 - t0)
            operations.append(t1 - t0 - update)
            updates.append(update)
            repaints.append(t2 - t1)
        for _ in range(runs):  # the reference, after the applications so as not to disturb them
            s0 = time.perf_counter()
            serialise_document(document)
            serialise.append(time.perf_counter() - s0)
    show("applications", f"{runs}, each at another place, {width} x {height} cells")
    show("key → file on disk → repaint", ms(totals))
    show("  operation (+ serialise, fsync)", ms(operations))
    show("  view update", ms(updates))
    show("  repaint of the visible lines", ms(repaints))
    show("serialise_document alone", ms(serialise))
    median, worst = statistics.median(totals) * 1000, max(totals) * 1000
    verdict = (
        "within" if worst <= BUDGET_MS else "median within, worst OVER" if median <= BUDGET_MS else "OVER"
    )
    show("budget", f"{BUDGET_MS:.0f} ms: {verdict} (median {median:.2f} ms, worst {worst:.2f} ms)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", default="focus-group", help="corpus under benchmarks/corpora")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=50)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as out:
        root = copy_focus_group(args.focus, Path(out))
        asyncio.run(measure(root, args.runs, args.width, args.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
