"""Whole-process time of `margin demo PATH --no-open` (unpacking the demo study with its history), beside
a plain `git clone` of the same bundle; with --replay, also the time to build the history instead.

    python benchmarks/bench_demo.py [--runs 7] [--replay]

Budget (the demo's issue): `margin demo` under 3 s. Figures are medians of ``--runs`` runs, each into a
new directory.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "projects" / "peer-support.bundle"
BUDGET = 3.0


def timed(argv: list[str], runs: int, cwd: Path) -> list[float]:
    """Wall times of ``runs`` runs of ``argv`` (the last argument gets a fresh target directory)."""
    times = []
    for n in range(runs):
        target = cwd / f"run-{len(argv)}-{n}"
        t0 = time.perf_counter()
        subprocess.run([*argv, str(target)], cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    return times


def row(what: str, times: list[float], reference: float) -> None:
    med = statistics.median(times)
    print(
        f"  {what:<44} median {med * 1000:7.0f} ms  min {min(times) * 1000:7.0f} ms  {med / reference:5.1f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--replay", action="store_true", help="also time building the history (slow)")
    args = parser.parse_args()
    margin = Path(sys.executable).parent / "margin"
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        cwd = Path(tmp)
        clone = timed(["git", "clone", "--quiet", str(BUNDLE)], args.runs, cwd)
        demo = timed([str(margin), "demo", "--no-open"], args.runs, cwd)
        reference = statistics.median(clone)
        print(f"demo study: {BUNDLE.stat().st_size / 1024:.0f} KB bundle ({args.runs} runs)")
        row("git clone of the bundle (reference)", clone, reference)
        row("margin demo --no-open", demo, reference)
        verdict = "within budget" if statistics.median(demo) <= BUDGET else "OVER BUDGET"
        print(f"  budget <= {BUDGET:.0f} s: {verdict}")
        if args.replay:
            replay = [sys.executable, "-m", "margin.demo.history", "build", "--out"]
            row("replaying the history instead (one run)", timed(replay, 1, cwd), reference)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
