"""`margin sync` merging 100 transcripts changed on both sides, beside a plain `git merge` of the same
branches.

    python benchmarks/bench_sync.py [--docs 100] [--words 10000] [--runs 3] [--keep DIR]

Budget (design/quality.md): <= 5 s for the whole `margin sync` process (commit, fetch, merge with Margin's
drivers, check, push) when the team's and the coder's commits changed the same 100 transcripts (different
paragraphs, so nothing conflicts). The reference is `git merge` of the same two commits with git's own
text merge (Margin's drivers unregistered), measured in a copy of the same repository. Each run starts from
fresh copies; figures are medians of ``--runs`` runs.
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

from repos import corpus_repository, git

BUDGET = 5.0


def margin(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "margin", *args], check=True, capture_output=True, text=True)


def code_everywhere(root: Path, paragraph: int, code_index: int) -> None:
    """Apply one code to the first words of ``paragraph`` in every transcript (one commit's work)."""
    from margin.core import operations as ops
    from margin.core.project import Project

    project = Project.load(root)
    codes = [s for s, c in project.codebook.codes.items() if c.codable]
    code = codes[code_index % len(codes)]
    for doc_id in project.document_ids():
        doc = project.document(doc_id)
        start, end = doc.paragraph_span(min(paragraph, doc.paragraph_count - 1))
        words = doc.text[start:end].split(" ")
        span_end = start + len(" ".join(words[:6]))
        if any(c.start == start and c.end == span_end and code in c.codes for c in doc.codings):
            continue
        ops.apply_codes(project, doc_id, start, span_end, [code])


def prepare(work: Path, docs: int, words: int) -> tuple[Path, Path, Path]:
    """A shared repository where the team pushed codings in every transcript, and a coder's clone with
    its own codings in every transcript, not yet committed. Returns the coder's clone and two copies
    with the coder's work committed and the team's fetched: one with Margin's drivers, one without."""
    from margin.vcs.repo import init_repository

    base = corpus_repository(work, docs, words)
    init_repository(base, "Benchmark corpus")
    git(work, "init", "-q", "--bare", str(work / "shared.git"))
    git(base, "remote", "add", "origin", str(work / "shared.git"))
    git(base, "push", "-q", "-u", "origin", "main")
    team, coder = work / "team", work / "coder"
    margin("clone", str(work / "shared.git"), str(team))
    margin("clone", str(work / "shared.git"), str(coder))
    code_everywhere(team, 2, 0)
    git(team, "commit", "-qam", "The team's coding session")
    git(team, "push", "-q")
    code_everywhere(coder, 8, 1)
    driven, plain = work / "drivers", work / "plain"
    shutil.copytree(coder, driven, symlinks=True)
    git(driven, "commit", "-qam", "The coder's coding session")
    git(driven, "fetch", "-q", "origin")
    shutil.copytree(driven, plain, symlinks=True)
    for key in ("merge.margin-doc.driver", "merge.margin-codebook.driver"):
        git(plain, "config", "--unset-all", key)
    (plain / ".git" / "info" / "attributes").write_text("", encoding="utf-8")
    (plain / ".gitattributes").unlink()
    git(plain, "commit", "-qam", "no drivers")
    return coder, driven, plain


def one_run(docs: int, words: int, keep: Path | None) -> tuple[float, float, float, int]:
    work = Path(tempfile.mkdtemp(prefix="margin-bench-sync-"))
    try:
        coder, driven, plain = prepare(work, docs, words)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "margin", "-C", str(coder), "sync"],
            check=True,
            capture_output=True,
            text=True,
        )
        sync_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        git(plain, "merge", "-q", "--no-edit", "origin/main")
        plain_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        git(driven, "merge", "-q", "--no-edit", "origin/main")
        driver_time = time.perf_counter() - t0
        merged = git(coder, "diff", "--name-only", "HEAD~1", "HEAD").count("documents/")
        if keep is not None:
            shutil.copytree(work, keep, symlinks=True, dirs_exist_ok=True)
        return sync_time, plain_time, driver_time, merged
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="transcripts changed on both sides")
    parser.add_argument("--words", type=int, default=10_000, help="words per transcript")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="copy the last run's repositories here, to look at")
    args = parser.parse_args()
    results = [one_run(args.docs, args.words, args.keep) for _ in range(args.runs)]
    sync_time = statistics.median(r[0] for r in results)
    plain_time = statistics.median(r[1] for r in results)
    driver_time = statistics.median(r[2] for r in results)
    merged = results[-1][3]
    print(f"transcripts changed on both sides: {args.docs} (about {args.words} words each); merged: {merged}")
    verdict = "within" if sync_time <= BUDGET else "OVER"
    print(
        f"margin sync (commit, fetch, merge with drivers, check, push), whole process: {sync_time:.2f} s  "
        f"(budget {BUDGET:.0f} s: {verdict})"
    )
    print(
        f"reference: git merge of the same branches, git's text merge:       {plain_time:.2f} s  "
        f"(margin sync = {sync_time / plain_time:.1f}x)"
    )
    print(
        f"for comparison: git merge running Margin's driver once per file:    {driver_time:.2f} s  "
        "(sync merges those files in one process instead)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
