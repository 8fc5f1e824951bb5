"""A rebuildable summary of every document, cached in ``.margin/cache`` and keyed by content hash."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from margin.core.document import load_document
from margin.core.errors import MarginError
from margin.core.paths import inside
from margin.core.project import DOCUMENTS, STATE, Project
from margin.core.textfile import atomic_write, read_bytes

CACHE_FILE = "index-v1.json"


@dataclass(frozen=True, slots=True)
class DocSummary:
    """Counts for one document: codings by their code list, words, paragraphs."""

    digest: str
    code_lists: dict[str, int]  # "code-a,code-b" -> how many codings carry exactly that list
    codings: int
    words: int
    paragraphs: int

    def code_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for key, n in self.code_lists.items():
            for slug in key.split(","):
                counts[slug] += n
        return counts


def _summarise(data: bytes, doc_id: str, digest: str) -> DocSummary:
    doc = load_document(data, doc_id, f"{DOCUMENTS}/{doc_id}.txt")
    lists = Counter(",".join(c.codes) for c in doc.codings)
    return DocSummary(digest, dict(lists), len(doc.codings), len(doc.text.split()), doc.paragraph_count)


def build_index(
    project: Project, *, use_cache: bool = True, problems: list[MarginError] | None = None
) -> dict[str, DocSummary]:
    """Summaries of all documents; unchanged documents come from the cache, the rest are parsed.

    A document that cannot be read raises its error — or, when ``problems`` is given, is left out and its
    error appended there (a view can then count the rest and say what is missing).
    """
    cache_path = inside(project.root, f"{STATE}/cache/{CACHE_FILE}")
    cached: dict[str, object] = {}
    if use_cache:
        try:
            cached = json.loads(read_bytes(cache_path))
        except (OSError, ValueError, RecursionError, MarginError):
            cached = {}
        cached = cached if isinstance(cached, dict) else {}
    result: dict[str, DocSummary] = {}
    dirty = False
    for doc_id in project.document_ids():
        try:
            data = read_bytes(project.document_path(doc_id), f"{DOCUMENTS}/{doc_id}.txt")
            digest = hashlib.blake2b(data, digest_size=16).hexdigest()
            summary = _cached(cached.get(doc_id), digest)
            if summary is not None:
                result[doc_id] = summary
                continue
            result[doc_id] = _summarise(data, doc_id, digest)
        except MarginError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        dirty = True
    if dirty or set(cached) != set(result):
        _write_cache(project.root, result)
    return result


def _cached(entry: object, digest: str) -> DocSummary | None:
    """The cached summary of a document with this digest, if the cache file has one in the shape Margin
    writes (the file may hold anything)."""
    if not isinstance(entry, dict) or entry.get("digest") != digest:
        return None
    try:
        summary = DocSummary(**entry)
    except TypeError:
        return None
    numbers = (summary.codings, summary.words, summary.paragraphs, *summary.code_lists.values())
    if (
        isinstance(summary.code_lists, dict)
        and all(isinstance(k, str) for k in summary.code_lists)
        and all(type(n) is int for n in numbers)
    ):
        return summary
    return None


def _write_cache(root: Path, index: dict[str, DocSummary]) -> None:
    data = {
        k: {
            "digest": v.digest,
            "code_lists": v.code_lists,
            "codings": v.codings,
            "words": v.words,
            "paragraphs": v.paragraphs,
        }
        for k, v in index.items()
    }
    try:
        path = inside(root, f"{STATE}/cache/{CACHE_FILE}")
        path.parent.mkdir(parents=True, exist_ok=True)
        gitignore = inside(root, f"{STATE}/.gitignore")
        if not gitignore.exists():
            atomic_write(gitignore, "cache/\nlock\n")
        atomic_write(path, json.dumps(data, separators=(",", ":")))
    except OSError:
        pass  # a read-only project still answers; the cache only saves time
