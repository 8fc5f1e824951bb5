"""Markup parse throughput: the fast parser and the serialiser beside reading the same bytes from disk.

    python benchmarks/bench_parse.py [--corpus bench-200] [--focus focus-group] [--runs 5] [--profile]

Budget (design/quality.md): parsing >= 20 MB/s on the standard corpora. MB are 10^6 bytes of transcript
files (front matter included); every figure is the best of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import io
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from margin.core.document import load_document, serialise_document, split_front_matter
from margin.core.markup import parse_body

CORPORA = Path(__file__).resolve().parent / "corpora"
BUDGET_MB_S = 20.0


def project_dir(name: str) -> Path:
    """A corpus name under benchmarks/corpora, or a path to a project."""
    path = Path(name)
    return path if path.is_dir() and not (CORPORA / name).is_dir() else CORPORA / name


def transcript_paths(root: Path) -> list[Path]:
    return sorted((root / "documents").glob("*/*.txt"))


def doc_id(root: Path, path: Path) -> str:
    return path.relative_to(root / "documents").with_suffix("").as_posix()


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The shortest wall time of ``runs`` calls of ``fn``."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _row(what: str, seconds: float, size: int, extra: str = "") -> None:
    print(f"  {what:<34} {seconds * 1000:9.1f} ms {size / 1e6 / seconds:9.1f} MB/s  {extra}".rstrip())


def measure(root: Path, runs: int) -> None:
    """Print raw read, parse and serialise figures for every transcript under ``root``."""
    paths = transcript_paths(root)
    blobs = [(doc_id(root, p), p.read_bytes(), str(p)) for p in paths]
    size = sum(len(b) for _, b, _ in blobs)
    docs = [load_document(data, i, where) for i, data, where in blobs]
    codings = sum(len(d.codings) for d in docs)
    lines = sum(d.paragraph_count for d in docs)
    print(
        f"{root.name}: {len(docs)} documents, {size / 1e6:.1f} MB, {lines:,} paragraphs, "
        f"{codings:,} codings (best of {runs})"
    )

    def raw() -> None:
        for p in paths:
            p.read_bytes().decode("utf-8")

    def parse() -> None:
        for i, data, where in blobs:
            load_document(data, i, where)

    def serialise() -> None:
        for d in docs:
            serialise_document(d)

    t_raw = best_of(runs, raw)
    t_parse = best_of(runs, parse)
    t_ser = best_of(runs, serialise)
    rate = size / 1e6 / t_parse
    verdict = "within budget" if rate >= BUDGET_MB_S else "OVER BUDGET"
    _row("raw read (read_bytes + decode)", t_raw, size)
    _row(
        "parse (load_document)",
        t_parse,
        size,
        f"{t_parse / t_raw:5.1f}x raw read time; budget >= {BUDGET_MB_S:.0f} MB/s: {verdict}",
    )
    _row("serialise (serialise_document)", t_ser, size, f"{t_ser / t_raw:5.1f}x raw read time")


def grammar_figure(root: Path, runs: int) -> None:
    """Throughput of the pyparsing grammar (the executable specification) on one document."""
    try:
        spec = importlib.import_module("margin.core.grammar").parse_body_spec
    except (ImportError, AttributeError) as exc:
        print(f"pyparsing grammar: skipped (margin.core.grammar.parse_body_spec not importable: {exc})")
        return
    path = transcript_paths(root)[0]
    _, body, first = split_front_matter(path.read_bytes().decode("utf-8"))
    body = body.removesuffix("\n")
    size = len(body.encode("utf-8"))
    t_fast = best_of(runs, lambda: parse_body(body, first))
    try:
        t0 = time.perf_counter()
        result = spec(body)
        t_spec = time.perf_counter() - t0
        if t_spec < 2.0:  # cheap enough to repeat
            t_spec = min(t_spec, best_of(min(runs, 3), lambda: spec(body)))
    except Exception as exc:  # a grammar under construction: report, do not fail the benchmark
        print(f"pyparsing grammar: failed on {doc_id(root, path)}: {type(exc).__name__}: {exc}")
        return
    same = result == parse_body(body)
    print(f"pyparsing grammar on {doc_id(root, path)} ({size / 1e3:.0f} KB body):")
    _row("parse_body_spec", t_spec, size, f"{t_spec / t_fast:5.0f}x the fast parser's time")
    _row("parse_body (fast parser)", t_fast, size, f"same result: {'yes' if same else 'NO'}")


def profile(root: Path) -> None:
    """Where the time goes: cProfile of one parse pass and one serialise pass, top functions by own time."""
    blobs = [(doc_id(root, p), p.read_bytes()) for p in transcript_paths(root)]
    docs = [load_document(data, i) for i, data in blobs]
    passes: list[tuple[str, Callable[[], object]]] = [
        ("parse", lambda: [load_document(data, i) for i, data in blobs]),
        ("serialise", lambda: [serialise_document(d) for d in docs]),
    ]
    for what, fn in passes:
        prof = cProfile.Profile()
        prof.runcall(fn)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(10)
        print(f"  profile of {what}, {root.name}:")
        print("\n".join("    " + line for line in out.getvalue().strip().splitlines()[3:]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default="bench-200", help="corpus name under benchmarks/corpora, or a path"
    )
    parser.add_argument("--focus", default="focus-group", help="the focus-group project (name or path)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="also profile the parser (cProfile)")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}; budget: parse >= {BUDGET_MB_S:.0f} MB/s")
    for name in (args.corpus, args.focus):
        root = project_dir(name)
        if not transcript_paths(root):
            print(f"{name}: no transcripts in {root} — generate with: python benchmarks/gen_corpus.py {name}")
            continue
        measure(root, args.runs)
        if args.profile:
            profile(root)
    root = project_dir(args.corpus)
    if transcript_paths(root):
        grammar_figure(root, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
