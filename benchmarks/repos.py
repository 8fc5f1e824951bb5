"""Shared by the merge and sync benchmarks: git, and a generated corpus in a repository of its own with
Margin's merge drivers registered (as `margin init` does), not yet committed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The environment for git and the driver processes it starts: bytecode caching on, as an installed
Margin has it."""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=ENV)
    return done.stdout


def corpus_repository(work: Path, docs: int, words: int) -> Path:
    """``docs`` transcripts of about ``words`` words (gen_corpus.py) in ``work/gen/bench-200``, a new
    repository on branch main with Margin's drivers registered."""
    from margin.vcs import drivers

    subprocess.run(
        [
            sys.executable,
            str(BENCH / "gen_corpus.py"),
            "bench-200",
            "--docs",
            str(docs),
            "--words",
            str(words),
            "--out",
            str(work / "gen"),
        ],
        check=True,
        capture_output=True,
    )
    repo = work / "gen" / "bench-200"
    git(work, "init", "-q", "-b", "main", str(repo))
    drivers.install(repo)
    return repo
