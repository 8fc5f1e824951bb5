"""Transcript repaint: Margin's TranscriptView beside stock textual TextArea on the focus-group transcript.

    python benchmarks/bench_transcript.py [--focus focus-group] [--width 120] [--height 50] [--runs 20]

Budget (design/quality.md): repainting a screen of the 1.3 MB / 20,000-line transcript takes <= 10 ms.
Both widgets are mounted side by side in a headless app of ``width`` x ``height`` cells per widget; each
figure times ``render_lines`` over the whole widget called directly (no key presses, no screen updates),
at five places spread over the document. *Cold*: the widget's rendered lines are dropped before each
call, as after scrolling to text not seen before. *Warm*: they are kept, as when the screen is redrawn.
Figures are the median over places and runs (best in brackets). The transcript is read from
benchmarks/corpora/<focus> when it is there, else generated into a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import TextArea

import margin.tui
from margin.core.document import Document
from margin.core.project import Project
from margin.tui.transcript import CodeStyles, TranscriptView

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpora"
BUDGET_MS = 10.0
PLACES = (0.1, 0.3, 0.5, 0.7, 0.9)


class BenchApp(App[None]):
    CSS_PATH = Path(margin.tui.__file__).parent / "margin.tcss"
    CSS = "#bench > * { border: none; padding: 0; height: 1fr; width: 1fr; }"

    def compose(self) -> ComposeResult:
        with Horizontal(id="bench"):
            yield TranscriptView()
            yield TextArea(read_only=True, soft_wrap=True, show_line_numbers=True)


def load_focus_group(name: str) -> tuple[Document, CodeStyles, int]:
    """The transcript, its project's codebook and the size of its file."""
    root = CORPORA / name
    if (root / "margin.yaml").is_file():
        return read_transcript(root)
    sys.path.insert(0, str(HERE))
    from gen_corpus import generate_focus_group

    with tempfile.TemporaryDirectory(prefix="margin-bench-") as out:
        print(f"{name} is not in {CORPORA}: generating it")
        return read_transcript(generate_focus_group(Path(out), name).path)


def read_transcript(root: Path) -> tuple[Document, CodeStyles, int]:
    project = Project.load(root)
    doc_id = project.document_ids()[0]
    return project.document(doc_id), project.codebook, project.document_path(doc_id).stat().st_size


def show(what: str, figures: str) -> None:
    print(f"{what:<24} {figures}")


def ms(seconds: Sequence[float]) -> str:
    return f"{statistics.median(seconds) * 1000:7.2f} ms (best {min(seconds) * 1000:.2f})"


def time_repaints(widget: Widget, forget: Callable[[], None], runs: int, warm: bool) -> list[float]:
    """Seconds per repaint of the whole widget at each place in the document."""
    crop = Region(0, 0, widget.size.width, widget.size.height)
    times = []
    for place in PLACES:
        widget.scroll_to(y=round(widget.max_scroll_y * place), animate=False, immediate=True)
        forget()
        widget.render_lines(crop)
        for _ in range(runs):
            widget._styles_cache.clear()  # make textual call render_line for every row
            if not warm:
                forget()
            start = time.perf_counter()
            widget.render_lines(crop)
            times.append(time.perf_counter() - start)
    return times


async def measure(doc: Document, codebook: CodeStyles, width: int, height: int, runs: int) -> None:
    app = BenchApp()
    async with app.run_test(size=(2 * width, height)) as pilot:
        view = app.query_one(TranscriptView)
        area = app.query_one(TextArea)
        start = time.perf_counter()
        view.show_document(doc, codebook)
        open_view = time.perf_counter() - start
        start = time.perf_counter()
        area.load_text(doc.text)
        area.wrapped_document  # noqa: B018  (the wrap of the whole text, done on first use)
        open_area = time.perf_counter() - start
        await pilot.pause()
        assert view.text_layout is not None
        rows = view.text_layout.row_count
        show("widget size", f"{view.size.width} x {view.size.height} cells each")
        show("rows", f"TranscriptView {rows}, TextArea {area.virtual_size.height}")
        show(
            "open (sweep + layout)",
            f"TranscriptView {open_view * 1000:.1f} ms, TextArea {open_area * 1000:.1f} ms",
        )

        def forget_view() -> None:
            view._strips.clear()

        def forget_area() -> None:
            area._line_cache.clear()

        view_cold = time_repaints(view, forget_view, runs, warm=False)
        view_warm = time_repaints(view, forget_view, runs, warm=True)
        area_cold = time_repaints(area, forget_area, runs, warm=False)
        area_warm = time_repaints(area, forget_area, runs, warm=True)
    show("repaint, cold", f"TranscriptView {ms(view_cold)}   TextArea {ms(area_cold)}")
    show("repaint, warm", f"TranscriptView {ms(view_warm)}   TextArea {ms(area_warm)}")
    cold = statistics.median(view_cold) * 1000
    show(
        "ratio, cold",
        f"TextArea / TranscriptView = {statistics.median(area_cold) / statistics.median(view_cold):.1f}x",
    )
    verdict = "within" if cold <= BUDGET_MS else "OVER"
    show("budget", f"{BUDGET_MS:.0f} ms for a cold repaint: {verdict} ({cold:.2f} ms)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", default="focus-group", help="corpus under benchmarks/corpora")
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20, help="repaints per place in the document")
    args = parser.parse_args(argv)
    doc, codebook, size = load_focus_group(args.focus)
    text = len(doc.text.encode("utf-8"))
    lines = f"{doc.paragraph_count} lines, {len(doc.codings)} codings"
    show("transcript", f"{doc.id}: {size / 1e6:.2f} MB file, {text / 1e6:.2f} MB plain text, {lines}")
    asyncio.run(measure(doc, codebook, args.width, args.height, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
