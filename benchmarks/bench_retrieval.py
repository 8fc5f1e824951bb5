"""Retrieval of all segments of a code incl. subcodes, in process, beside loading the project.

    python benchmarks/bench_retrieval.py [--corpus bench-1000] [--code SLUG] [--runs 7]

Budget (design/quality.md): retrieving every segment of a code and its subcodes on bench-1000 takes
<= 50 ms once the project is loaded. The script loads the project and parses every transcript (the
reference: what any reader of the corpus pays), then reads each document's front matter (YAML, read on
first use and kept), then retrieves once (which reads each paragraph's speaker once and keeps it beside
the document), then times ``margin.analysis.retrieval.retrieve`` — segments with speaker, participant,
attributes, context and citation — for the top-level code with the most segments (or ``--code``), with
and without a ``--where`` filter, median and best of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from margin.analysis.filters import Filters
from margin.analysis.retrieval import retrieve
from margin.core.project import Project

CORPORA = Path(__file__).resolve().parent / "corpora"
BUDGET_MS = 50.0


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def biggest_root(project: Project) -> str:
    """The top-level code whose subtree carries the most segments."""
    codebook = project.codebook
    counts = {root: 0 for root in codebook.roots()}
    top = {slug: root for root in counts for slug in (root, *codebook.descendants(root))}
    for doc_id in project.document_ids():
        for coding in project.document(doc_id).codings:
            for root in {top[c] for c in coding.codes if c in top}:
                counts[root] += 1
    return max(counts, key=lambda slug: counts[slug])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default="bench-1000", help="corpus name under benchmarks/corpora, or a path"
    )
    parser.add_argument("--code", help="the code to retrieve (default: the biggest top-level code)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    root = Path(args.corpus) if Path(args.corpus).is_dir() else CORPORA / args.corpus
    if not (root / "margin.yaml").exists():
        print(f"no project at {root} — generate it with: python benchmarks/gen_corpus.py {args.corpus}")
        return 0

    t0 = time.perf_counter()
    project = Project.load(root)
    ids = project.document_ids()
    for doc_id in ids:
        project.document(doc_id)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    for doc_id in ids:
        _ = project.document(doc_id).meta
    meta = time.perf_counter() - t0

    code = args.code or biggest_root(project)
    t0 = time.perf_counter()
    result = retrieve(project, [code], subcodes=True)
    first = time.perf_counter() - t0
    segments = len(result.segments)
    n_codes = len(project.codebook.descendants(code)) + 1 if code in project.codebook.codes else 1
    print(
        f"retrieval on {root.name}: {len(ids)} documents; code '{code}' with {n_codes - 1} subcodes: "
        f"{segments} segments in {result.document_count} documents"
    )
    print(f"  {'load project + parse every transcript':<44} {load * 1000:8.0f} ms   (reference)")
    print(f"  {'read every front matter (first use)':<44} {meta * 1000:8.0f} ms")
    print(f"  {'first retrieval (reads speakers once)':<44} {first * 1000:8.0f} ms")

    def row(what: str, times: list[float]) -> None:
        med = statistics.median(times)
        verdict = "within budget" if med * 1000 <= BUDGET_MS else "OVER BUDGET"
        print(
            f"  {what:<44} {med * 1000:8.1f} ms   best {min(times) * 1000:6.1f} ms   "
            f"{med / load * 100:5.2f}% of load   budget <= {BUDGET_MS:.0f} ms: {verdict}"
        )

    row(
        "retrieve incl. subcodes, citations, context",
        timed(lambda: retrieve(project, [code], subcodes=True), args.runs),
    )
    attribute = next(iter(project.participants.attributes), None)
    if attribute is not None:
        values = [v for p in project.participants.people.values() if (v := p.get(attribute)) is not None]
        where = f"{attribute}={statistics.mode(values)}"
        filters = Filters.of(where=[where])
        kept = len(retrieve(project, [code], subcodes=True, filters=filters).segments)
        row(
            f"the same --where {where} ({kept} kept)",
            timed(lambda: retrieve(project, [code], subcodes=True, filters=filters), args.runs),
        )
    row("one code without subcodes", timed(lambda: retrieve(project, [code], subcodes=False), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
