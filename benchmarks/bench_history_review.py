"""The history screen's reads in a bench-1000 repository: one session's decisions with their document
states, the work not committed yet, where a decision's words are now, and the log it lists.

    python benchmarks/bench_history_review.py [--corpus bench-1000] [--runs 7]

Each session codes a few documents (as bench_session.py's do). A review is read cold (commits are cached
once read, so each run reads a commit not read before); the reference beside it is `git diff` of the same
commit against its parent (the text diff git itself prints), and beside the log `git log`. The figures
are in process: the screen reads them in thread workers. The corpus is copied to a temporary directory;
nothing in benchmarks/corpora is changed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parent / "corpora"
DOCUMENTS_PER_SESSION = 3
CODINGS_PER_DOCUMENT = 2


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def row(what: str, times: list[float], reference: float | None = None) -> None:
    med = statistics.median(times)
    line = f"  {what:<52} median {med * 1000:7.1f} ms  min {min(times) * 1000:7.1f} ms"
    if reference:
        line += f"  {med / reference:5.2f}x the reference"
    print(line)


def code_some(root: Path, rnd: random.Random) -> list[object]:
    """Apply codings to a few documents, as a coder would; returns the changes."""
    from margin.core import operations as ops
    from margin.core.project import Project

    project = Project.load(root)
    slugs = [s for s, c in project.codebook.codes.items() if c.codable]
    changes: list[object] = []
    for doc_id in rnd.sample(project.document_ids(), DOCUMENTS_PER_SESSION):
        doc = project.document(doc_id)
        for _ in range(CODINGS_PER_DOCUMENT):
            start = rnd.randrange(len(doc.text) - 40)
            changes.append(
                ops.apply_codes(project, doc_id, start, start + rnd.randint(5, 40), [rnd.choice(slugs)])
            )
    return changes


def git_processes() -> list[str]:
    """The git commands GitPython starts from now on (its batch reader counts once, when started)."""
    import git as gitpython

    started: list[str] = []
    execute = gitpython.cmd.Git.execute

    def counting(self: object, command: object, *args: object, **kwargs: object) -> object:
        started.append(" ".join(str(c) for c in command[1:2]) if isinstance(command, list) else str(command))
        return execute(self, command, *args, **kwargs)  # type: ignore[arg-type]

    gitpython.cmd.Git.execute = counting  # type: ignore[method-assign,assignment]
    return started


def bench(root: Path, runs: int) -> None:
    from margin.vcs.history import log
    from margin.vcs.review import locate, review, uncommitted
    from margin.vcs.session import Session

    rnd = random.Random(11)
    for _ in range(runs):
        session = Session(root)
        for change in code_some(root, rnd):
            session.record(change)  # type: ignore[arg-type]
        assert session.commit() is not None
    entries = log(root)
    print(
        f"{len(entries)} commits; each session coded {DOCUMENTS_PER_SESSION} documents "
        f"({DOCUMENTS_PER_SESSION * CODINGS_PER_DOCUMENT} codings) in a repository of "
        f"{git(root, 'ls-files').count(chr(10))} files"
    )
    plain, cold, again, located = [], [], [], []
    started = git_processes()
    calls = []
    for entry in entries[:runs]:
        t0 = time.perf_counter()
        git(root, "diff", entry.parents[0], entry.commit)
        plain.append(time.perf_counter() - t0)
        before = len(started)
        t0 = time.perf_counter()
        found = review(root, entry)
        cold.append(time.perf_counter() - t0)
        calls.append(len(started) - before)
        t0 = time.perf_counter()
        review(root, entry)
        again.append(time.perf_counter() - t0)
        coding = next(i for i in found.items if i.decision.kind == "coding-added")
        t0 = time.perf_counter()
        assert locate(root, coding) is not None
        located.append(time.perf_counter() - t0)
    reference = statistics.median(plain)
    print(f"git processes per review: {sorted(set(calls))} (for {DOCUMENTS_PER_SESSION} changed files)")
    row("git diff <parent> <commit> (reference)", plain)
    row("review(): a session's decisions, cold", cold, reference)
    row("review(): the same session again (cached)", again, reference)
    row("locate(): a coding's place now", located, reference)

    code_some(root, rnd)
    pending = []
    for _ in range(runs):
        t0 = time.perf_counter()
        assert uncommitted(root) is not None
        pending.append(time.perf_counter() - t0)
    row("uncommitted(): the work on disk, against HEAD", pending, reference)
    t0 = time.perf_counter()
    first = review(root, entries[-1])
    print(f"  review() of the root commit ({len(first.items)} decisions, every file added): ", end="")
    print(f"{(time.perf_counter() - t0) * 1000:.0f} ms, once")

    listed, plain_log = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        git(root, "log")
        plain_log.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        log(root)
        listed.append(time.perf_counter() - t0)
    row("git log (reference)", plain_log)
    row("log(): the sessions listed", listed, statistics.median(plain_log))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="bench-1000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    source = CORPORA / args.corpus
    if not (source / "margin.yaml").is_file():
        print(f"no corpus {source} — run `python benchmarks/gen_corpus.py {args.corpus}` first")
        return 1
    with tempfile.TemporaryDirectory(prefix="margin-bench-review-") as tmp:
        from margin.vcs.repo import init_repository

        root = Path(tmp) / args.corpus
        t0 = time.perf_counter()
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("cache", "lock", ".git"))
        init_repository(root, "Import the corpus")
        print(f"{args.corpus}: copied and committed in {time.perf_counter() - t0:.1f} s")
        bench(root, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
