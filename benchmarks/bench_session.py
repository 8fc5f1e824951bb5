"""Session commit in a bench-1000 repository, and `margin log` over 1,000 sessions, beside plain git.

    python benchmarks/bench_session.py [--corpus bench-1000] [--runs 7] [--sessions 1000]

Budgets (design/quality.md): a session commit that changed a few documents <= 150 ms, beside a hand
`git add <files> && git commit` of the same kind of change; `margin log` over 1,000 sessions <= 1 s (whole
process), beside `git log` of the same repository. The corpus is copied to a temporary directory and made
a repository as `margin init` does; nothing in benchmarks/corpora is changed.
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
BUDGET_COMMIT = 0.150
BUDGET_LOG = 1.0
DOCUMENTS_PER_SESSION = 3
CODINGS_PER_DOCUMENT = 2


def git(root: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], input=stdin, capture_output=True, text=True, check=True
    ).stdout


def row(what: str, times: list[float], reference: float | None = None, budget: float | None = None) -> None:
    med = statistics.median(times)
    line = f"  {what:<44} median {med * 1000:7.1f} ms  min {min(times) * 1000:7.1f} ms"
    if reference:
        line += f"  {med / reference:5.2f}x the reference"
    if budget is not None:
        line += f"  budget <= {budget * 1000:.0f} ms: {'within budget' if med <= budget else 'OVER BUDGET'}"
    print(line)


def code_some(root: Path, rnd: random.Random) -> tuple[object, list[str]]:
    """Apply codings to a few documents (as a coder would); returns the changes and the files."""
    from margin.core import operations as ops
    from margin.core.project import Project

    project = Project.load(root)
    ids = rnd.sample(project.document_ids(), DOCUMENTS_PER_SESSION)
    slugs = [s for s, c in project.codebook.codes.items() if c.codable]
    changes = []
    for doc_id in ids:
        doc = project.document(doc_id)
        for _ in range(CODINGS_PER_DOCUMENT):
            start = rnd.randrange(len(doc.text) - 40)
            changes.append(
                ops.apply_codes(project, doc_id, start, start + rnd.randint(5, 40), [rnd.choice(slugs)])
            )
    return changes, [f"documents/{d}.txt" for d in ids]


def bench_commit(root: Path, runs: int) -> None:
    from margin.vcs.session import Session

    rnd = random.Random(7)
    hand: list[float] = []
    ours: list[float] = []
    decisions = 0
    for _ in range(runs):
        _, files = code_some(root, rnd)
        t0 = time.perf_counter()
        git(root, "add", "--", *files)
        git(root, "commit", "-q", "-m", "coded by hand")
        hand.append(time.perf_counter() - t0)

        changes, _ = code_some(root, rnd)
        session = Session(root)
        for change in changes:  # type: ignore[attr-defined]
            session.record(change)
        t0 = time.perf_counter()
        done = session.commit()
        ours.append(time.perf_counter() - t0)
        assert done is not None
        decisions = len(done.decisions)
    print(
        f"session commit: {DOCUMENTS_PER_SESSION} documents, {decisions} decisions each time, "
        f"in a repository of {git(root, 'ls-files').count(chr(10))} files"
    )
    reference = statistics.median(hand)
    row("git add <files> && git commit (reference)", hand)
    row("Session.commit() (semantic diff + commit)", ours, reference, BUDGET_COMMIT)


def fast_import_sessions(root: Path, count: int) -> None:
    """``count`` real commits with session trailers, each changing one small document, in one fast-import."""
    from margin.vcs.message import new_session_id

    lines = []
    when = 1_700_000_000
    for i in range(count):
        doc = f"P{i % 7}: turn {i} of the {{coded words}}[code-{i % 13}] and more.\n"
        message = (
            f"Coding session: 1 coding added in int-{i % 50:03d}\n\nqual1/int-{i % 50:03d}:\n"
            f"+ code-{i % 13} on 'coded words' (qual1/int-{i % 50:03d} ¶1)\n\n"
            f"Margin-Session: {new_session_id()}\nMargin-Codings-Added: 1\nMargin-Codings-Removed: 0\n"
            "Margin-Codings-Changed: 0\nMargin-Codes-Changed: 0\nMargin-Text-Edits: 0\n"
        )
        data, body = message.encode(), doc.encode()
        lines.append(
            f"commit refs/heads/main\ncommitter Coder {i % 5} <coder{i % 5}@example.org> {when + i * 60} +0000\n"
            f"data {len(data)}\n{message}\n"
            f"M 100644 inline documents/qual1/int-{i % 50:03d}.txt\ndata {len(body)}\n{doc}\n"
        )
    git(root, "fast-import", "--quiet", stdin="".join(lines))
    git(root, "checkout", "-q", "main")


def timed(argv: list[str], cwd: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times


def bench_log(base: Path, sessions: int, runs: int) -> None:
    root = base / "log-study"
    root.mkdir()
    (root / "margin.yaml").write_text("name: log study\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    fast_import_sessions(root, sessions)
    margin = [sys.executable, "-m", "margin"]
    print(f"margin log: {git(root, 'rev-list', '--count', 'HEAD').strip()} session commits")
    reference = timed(["git", "log"], root, runs)
    row("git log (reference)", reference)
    row(
        "margin log (whole process)",
        timed([*margin, "log"], root, runs),
        statistics.median(reference),
        BUDGET_LOG,
    )
    row(
        "margin log --json (whole process)",
        timed([*margin, "log", "--json"], root, runs),
        statistics.median(reference),
        BUDGET_LOG,
    )
    row("python -c pass", timed([sys.executable, "-c", "pass"], root, runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="bench-1000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    source = CORPORA / args.corpus
    with tempfile.TemporaryDirectory(prefix="margin-bench-session-") as tmp:
        base = Path(tmp)
        if (source / "margin.yaml").is_file():
            from margin.vcs.repo import init_repository

            root = base / args.corpus
            t0 = time.perf_counter()
            shutil.copytree(source, root, ignore=shutil.ignore_patterns("cache", "lock", ".git"))
            init_repository(root, "Import the corpus")
            print(f"{args.corpus}: copied and committed in {time.perf_counter() - t0:.1f} s")
            bench_commit(root, args.runs)
        else:
            print(
                f"no corpus {source} — run `python benchmarks/gen_corpus.py {args.corpus}` first; skipping commits"
            )
        bench_log(base, args.sessions, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
