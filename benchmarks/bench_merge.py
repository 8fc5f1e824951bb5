"""Merging two branches that changed the same 100 transcripts (different paragraphs) with Margin's merge
drivers, beside a plain `git merge` of the same branches without them.

    python benchmarks/bench_merge.py [--docs 100] [--words 10000] [--runs 3]

Each side applied a code in one paragraph and fixed a word in another, in every transcript; the two
sides' paragraphs differ, so both merges are clean. Figures are medians of ``--runs`` runs from fresh
copies:

- `git merge` with the drivers: git starts `python -m margin merge-file` once per transcript;
- the reference, `git merge` of the same commits with git's own text merge (drivers unregistered);
- the merge functions alone, in one process, on the same 100 (base, ours, theirs) triples — what
  `margin sync` runs instead of 100 driver processes (see margin.vcs.premerge).

The budget (design/quality.md) is for the whole `margin sync`: <= 5 s; benchmarks/bench_sync.py measures
that. The driver processes run with bytecode caching on, as an installed Margin does.
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

from repos import ENV, corpus_repository, git

BUDGET = 5.0


def work_on(root: Path, code_paragraph: int, edit_paragraph: int, code_index: int) -> None:
    """In every transcript: a code on the first words of one paragraph, a word fixed in another."""
    from margin.core import operations as ops
    from margin.core.project import Project

    project = Project.load(root)
    codes = [s for s, c in project.codebook.codes.items() if c.codable]
    for doc_id in project.document_ids():
        doc = project.document(doc_id)
        start, end = doc.paragraph_span(code_paragraph)
        ops.apply_codes(
            project,
            doc_id,
            start,
            start + len(" ".join(doc.text[start:end].split(" ")[:6])),
            [codes[code_index % len(codes)]],
        )
        text = project.document(doc_id).paragraph(edit_paragraph)
        cut = text.rfind(" ")
        ops.edit_text(project, doc_id, edit_paragraph, text[:cut] + " indeed" + text[cut:])


def prepare(work: Path, docs: int, words: int) -> tuple[Path, Path, str]:
    """Two copies of a repository on 'ours' with 'theirs' to merge: one with the drivers, one without."""
    repo = corpus_repository(work, docs, words)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "corpus")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "-q", "-c", "theirs")
    work_on(repo, 8, 10, 1)
    git(repo, "commit", "-qam", "their session")
    git(repo, "switch", "-q", "main")
    work_on(repo, 2, 4, 0)
    git(repo, "commit", "-qam", "our session")
    driven, plain = work / "drivers", work / "plain"
    shutil.copytree(repo, driven, symlinks=True)
    shutil.copytree(repo, plain, symlinks=True)
    for section in ("merge.margin-doc", "merge.margin-codebook"):
        git(plain, "config", "--remove-section", section)
    (plain / ".git" / "info" / "attributes").write_text("", encoding="utf-8")
    return driven, plain, base


def in_process(repo: Path, base: str) -> tuple[float, int]:
    """The merge functions alone on every transcript both sides changed."""
    from margin.vcs.merge_doc import merge_document

    paths = sorted(
        set(git(repo, "diff", "--name-only", base, "main").split())
        & set(git(repo, "diff", "--name-only", base, "theirs").split())
    )
    versions = [[git(repo, "show", f"{rev}:{path}") for rev in (base, "main", "theirs")] for path in paths]
    t0 = time.perf_counter()
    clean = sum(merge_document(*v, path).clean for v, path in zip(versions, paths, strict=True))
    return time.perf_counter() - t0, clean


def one_run(docs: int, words: int) -> tuple[float, float, float, int]:
    work = Path(tempfile.mkdtemp(prefix="margin-bench-merge-"))
    try:
        driven, plain, base = prepare(work, docs, words)
        t0 = time.perf_counter()
        git(plain, "merge", "-q", "--no-edit", "theirs")
        plain_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        git(driven, "merge", "-q", "--no-edit", "theirs")
        driver_time = time.perf_counter() - t0
        alone, clean = in_process(driven, base)
        return driver_time, plain_time, alone, clean
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="transcripts changed on both sides")
    parser.add_argument("--words", type=int, default=10_000, help="words per transcript")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "margin", "--version"], env=ENV, check=True, capture_output=True)
    results = [one_run(args.docs, args.words) for _ in range(args.runs)]
    driver_time, plain_time, alone = (statistics.median(r[i] for r in results) for i in range(3))
    clean = results[-1][3]
    print(
        f"transcripts changed on both sides: {args.docs} (about {args.words} words each), {clean} merged clean"
    )
    print(
        f"git merge with Margin's drivers (one process per file): {driver_time:.2f} s  "
        f"({1000 * driver_time / args.docs:.0f} ms a file)"
    )
    print(
        f"reference: git merge, git's text merge, no drivers:    {plain_time:.2f} s  "
        f"(drivers = {driver_time / plain_time:.0f}x)"
    )
    print(
        f"the merge functions alone, in one process:             {alone:.2f} s  "
        f"({1000 * alone / args.docs:.1f} ms a file; what margin sync runs, budget {BUDGET:.0f} s for all of sync)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
