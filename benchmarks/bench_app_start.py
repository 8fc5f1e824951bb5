"""Start-up and memory of the app: `margin open` to first paint (whole process, under a pseudo-terminal),
and resident memory with bench-1000 open and its largest document shown.

    python benchmarks/bench_app_start.py [--corpus bench-1000] [--runs 5] [--profile]

Budgets: first paint <= 0.8 s on the demo, <= 1.5 s on bench-1000; <= 600 MB RSS with bench-1000 open.
The reference measured beside them is `python -c "import textual"`, whole process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS, ROWS = 120, 40


def margin_command() -> list[str]:
    exe = shutil.which("margin")
    return [exe] if exe else [sys.executable, "-m", "margin"]


def time_process(command: list[str], runs: int) -> list[float]:
    """Wall time of a whole process, ``runs`` times."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def first_paint(command: list[str], marker: bytes, env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from spawning ``command`` under a pseudo-terminal until ``marker`` is on screen; then the
    app is asked to quit (q) and, failing that, ended."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on a terminal of COLUMNS x ROWS
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        os.execvpe(command[0], command, env)
    seen = b""
    painted = None
    try:
        while painted is None and time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 1 << 16)
                except OSError:
                    break
                if marker in seen:
                    painted = time.perf_counter() - start
        os.write(fd, b"q")
        _drain_and_wait(fd, pid)
    finally:
        os.close(fd)
    if painted is None:
        raise SystemExit(f"no first paint within {timeout:.0f} s: {' '.join(command)}")
    return painted


def _drain_and_wait(fd: int, pid: int, grace: float = 10.0) -> None:
    deadline = time.perf_counter() + grace
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            with contextlib.suppress(OSError):
                os.read(fd, 1 << 16)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def rss_with_largest_open(root: Path) -> tuple[float, float, str, float]:
    """(RSS MB, peak RSS MB, largest document, seconds until every document was counted) of this
    process running the app on ``root``, every document counted and the largest one shown."""
    from margin.core.project import Project
    from margin.tui.app import MarginApp
    from margin.tui.documents import DocumentList
    from margin.tui.transcript import TranscriptView

    project = Project.load(root)
    largest = max(project.document_ids(), key=lambda d: project.document_path(d).stat().st_size)
    app = MarginApp(project)
    result: dict[str, float] = {}

    async def run() -> None:
        async with app.run_test(size=(COLUMNS, ROWS)) as pilot:
            start = time.perf_counter()
            documents = app.query_one(DocumentList)
            while documents.read < len(project.document_ids()):
                await pilot.pause(0.05)
            result["counted"] = time.perf_counter() - start
            app.open_document(largest)
            while app.query_one(TranscriptView).document is None:
                await pilot.pause(0.05)
            await pilot.pause()
            result["rss"], result["peak"] = _memory()
            await app.action_quit()

    asyncio.run(run())
    return result["rss"], result["peak"], largest, result["counted"]


def _memory() -> tuple[float, float]:
    """Resident and peak resident memory of this process, in MB (from /proc)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def profile_start(root: Path) -> None:
    """cProfile of one in-process start to first paint (top functions by cumulative time)."""
    import cProfile
    import pstats

    from margin.core.project import Project
    from margin.tui.app import MarginApp

    async def run() -> None:
        app = MarginApp(Project.load(root))
        async with app.run_test(size=(COLUMNS, ROWS)) as pilot:
            await pilot.pause()
            await app.action_quit()

    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run())
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s, min {min(times):.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default="bench-1000", help="a corpus under benchmarks/corpora, or a path")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="add a cProfile listing of one start")
    args = parser.parse_args()

    corpus = Path(args.corpus) if "/" in args.corpus else HERE / "corpora" / args.corpus
    if not (corpus / "margin.yaml").is_file():
        print(f"{corpus} is missing — run: python benchmarks/gen_corpus.py {args.corpus}")
        return 0
    margin = margin_command()
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "XDG_CONFIG_HOME": str(Path(scratch) / "config"), "TERM": "xterm-256color"}
        demo = Path(scratch) / "demo"
        subprocess.run([*margin, "demo", str(demo), "--no-open"], check=True, capture_output=True, env=env)

        reference = time_process([sys.executable, "-c", "import textual"], args.runs)
        print(f'reference  python -c "import textual"          {summary(reference)}')
        for name, root, budget in (("demo", demo, 0.8), (corpus.name, corpus, 1.5)):
            marker = b"documents"  # the document list's groups, in the first frame
            times = [first_paint([*margin, "open", str(root)], marker, env) for _ in range(args.runs)]
            ratio = statistics.median(times) / statistics.median(reference)
            print(
                f"first paint  margin open {name:<14} {summary(times)}  "
                f"({ratio:.1f}x the reference; budget {budget} s)"
            )

        rss, peak, largest, counted = rss_with_largest_open(corpus)
        size = (corpus / "documents" / f"{largest}.txt").stat().st_size / 1e6
        print(
            f"memory     {corpus.name} open, every document counted ({counted:.2f} s), {largest} "
            f"({size:.1f} MB) shown: RSS {rss:.0f} MB, peak {peak:.0f} MB (budget 600 MB)"
        )
        if args.profile:
            profile_start(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
