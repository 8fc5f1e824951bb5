"""Whole-process time of `margin codes` on bench-200, cold (no index cache) and warm, beside Python itself.

    python benchmarks/bench_cli_codes.py [--corpus bench-200] [--runs 7] [--command "codes"]

Budget (design/quality.md): <= 0.6 s cold, <= 0.3 s with the index cache. Figures are medians of
``--runs`` runs; "cold" deletes ``<project>/.margin/cache`` before each run (the OS file cache stays warm).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

CORPORA = Path(__file__).resolve().parent / "corpora"
BUDGET_COLD = 0.6
BUDGET_WARM = 0.3


def find_margin() -> str | None:
    """The `margin` entry point of this interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "margin"
    return str(beside) if beside.exists() else shutil.which("margin")


def timed_runs(
    argv: list[str], cwd: Path, runs: int, before: Callable[[], None] | None = None
) -> list[float]:
    """Wall times of ``runs`` runs of ``argv``; raises CalledProcessError if one fails."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, argv, stderr=proc.stderr)
    return times


def _row(what: str, times: list[float], reference: float, budget: float | None = None) -> None:
    med = statistics.median(times)
    line = (
        f"  {what:<36} median {med * 1000:7.0f} ms  min {min(times) * 1000:7.0f} ms  {med / reference:5.1f}x"
    )
    if budget is not None:
        line += f"  budget <= {budget:.1f} s: {'within budget' if med <= budget else 'OVER BUDGET'}"
    print(line)


def _tail(text: str, lines: int = 6) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def imports_textual(margin: str, args: list[str], cwd: Path) -> bool | None:
    """Whether the command imports textual (from ``-X importtime``); None if that cannot be told."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", margin, *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if "import time:" not in proc.stderr:
        return None
    return any(line.rsplit("|", 1)[-1].strip().startswith("textual") for line in proc.stderr.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default="bench-200", help="corpus name under benchmarks/corpora, or a path"
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--command", default="codes", help="the margin command and its arguments")
    args = parser.parse_args(argv)
    project = Path(args.corpus) if Path(args.corpus).is_dir() else CORPORA / args.corpus
    command = shlex.split(args.command)
    label = "margin " + " ".join(command)
    if not (project / "margin.yaml").exists():
        print(f"no project at {project} — generate it with: python benchmarks/gen_corpus.py {args.corpus}")
        return 0
    margin = find_margin()
    if margin is None:
        print("note: the `margin` command is not installed here (pip install -e .); nothing measured")
        return 0
    cache = project / ".margin" / "cache"

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    try:
        drop_cache()
        timed_runs([margin, *command], project, 1)
    except subprocess.CalledProcessError as exc:
        print(f"note: `{label}` fails on {project.name} (exit status {exc.returncode}); nothing measured.")
        print(_tail(exc.stderr or ""))
        return 0
    python = [sys.executable, "-c"]
    print(f"{label} on {project.name}, whole process, {args.runs} runs each (ratios to `python -c pass`)")
    base = timed_runs([*python, "pass"], project, args.runs)
    reference = statistics.median(base)
    _row("python -c pass", base, reference)
    try:
        _row(
            "python -c 'import margin.cli'",
            timed_runs([*python, "import margin.cli"], project, args.runs),
            reference,
        )
        _row(
            f"{label}, cold (no .margin/cache)",
            timed_runs([margin, *command], project, args.runs, drop_cache),
            reference,
            BUDGET_COLD,
        )
        timed_runs([margin, *command], project, 1)  # build the cache
        _row(
            f"{label}, warm (cache present)",
            timed_runs([margin, *command], project, args.runs),
            reference,
            BUDGET_WARM,
        )
    except subprocess.CalledProcessError as exc:
        print(f"note: a run failed (exit status {exc.returncode}):")
        print(_tail(exc.stderr or ""))
        return 0
    textual = imports_textual(margin, command, project)
    if textual is not None:
        print(f"  imports textual: {'YES (it should not)' if textual else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
