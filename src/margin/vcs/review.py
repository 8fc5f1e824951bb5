"""What one session did, ready to show: its decisions, each with the document state it refers to, and
where a decision's words are in the document as it is now.

A commit is compared with its first parent (a merge then shows what it brought in; the root commit is
compared with nothing), and the work on disk with HEAD. Commits never change, so a commit's review is
cached; reading one costs a ``git diff`` for the list of changed files and a read of each changed file's
two versions (through git's batch reader).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from margin.core.document import Document, load_document
from margin.core.errors import FormatError
from margin.vcs.changes import ProjectRepo, decisions
from margin.vcs.history import LogEntry
from margin.vcs.semdiff import Counts, Decision, TextChange

CODING_KINDS = ("coding-added", "coding-removed", "coding-changed")
CACHED = 64
"""Commits whose reviews are kept (a review holds the texts of the documents its codings are in)."""


@dataclass(frozen=True, slots=True)
class Place:
    """A span of a document as it is now (``start == end``: a point)."""

    document: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One decision and what showing it needs: the document state its span or paragraph refers to (the new
    state; the old one for a removed coding) and the coding's memo there."""

    decision: Decision
    state: Document | None = None
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class SessionReview:
    """The decisions of one commit against ``base`` (None: against nothing), or with ``commit`` None those
    of the work on disk that is not committed yet."""

    commit: str | None
    base: str | None
    items: tuple[Reviewed, ...]

    @property
    def counts(self) -> Counts:
        return Counts.of(item.decision for item in self.items)


_cache: OrderedDict[tuple[Path, str], SessionReview] = OrderedDict()
_cache_lock = threading.Lock()


def review(root: Path, entry: LogEntry) -> SessionReview:
    """What the commit of ``entry`` decided, compared with its first parent."""
    key = (Path(root).resolve(), entry.commit)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    base = entry.parents[0] if entry.parents else None
    with ProjectRepo(root) as repo:
        paths = repo.changed_between(base, entry.commit) if base else repo.files_at(entry.commit)
        found = _review(repo.states(base, entry.commit, paths), entry.commit, base)
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return found


def head_and_authors(root: Path) -> tuple[str | None, list[str]]:
    """HEAD (None before the first commit), and the names of everyone who authored a commit reaching it."""
    with ProjectRepo(root) as repo:
        head = repo.head()
        names = repo.run("log", "--format=%an").splitlines() if head is not None else []
    return head, sorted(set(names))


def uncommitted(root: Path) -> SessionReview | None:
    """The decisions of the work on disk not committed yet (against HEAD), or None when there is none."""
    with ProjectRepo(root) as repo:
        head = repo.head()
        states = repo.states(head, None, repo.changed_on_disk())
    return _review(states, None, head) if states else None


def _review(
    states: Sequence[tuple[str, bytes | None, bytes | None]], commit: str | None, base: str | None
) -> SessionReview:
    found = decisions(states)
    versions = {path: (old, new) for path, old, new in states}
    parsed: dict[tuple[str, bool], Document | None] = {}

    def state(d: Decision, old: bool) -> Document | None:
        key = (d.path, old)
        if key not in parsed:
            data = versions[d.path][0 if old else 1]
            try:
                parsed[key] = load_document(data, d.document or "", d.path) if data is not None else None
            except FormatError:
                parsed[key] = None
        return parsed[key]

    items = []
    for d in found:
        if d.document is None or d.kind not in (*CODING_KINDS, "text-edited"):
            items.append(Reviewed(d))
            continue
        doc = state(d, old=d.kind == "coding-removed")
        items.append(Reviewed(d, doc, _memo(doc, d)))
    return SessionReview(commit, base, tuple(items))


def _memo(doc: Document | None, d: Decision) -> str | None:
    """The memo of the coding a decision is about, in ``doc``."""
    if doc is None or d.kind not in CODING_KINDS:
        return None
    for coding in doc.codings:
        if coding.start == d.start and coding.end == d.end and set(coding.codes) <= set(d.codes):
            return coding.memo or None
    return None


def locate(root: Path, item: Reviewed) -> Place | None:
    """Where ``item``'s words are in its document as it is on disk now: a coding's span (a removed one's
    words), a text edit's paragraph, the start of a document otherwise; None when the document is gone or
    the decision is about no document. A document that cannot be read raises its FormatError."""
    d = item.decision
    if d.document is None:
        return None
    from margin.core.paths import inside
    from margin.core.textfile import read_bytes

    try:
        data = read_bytes(inside(Path(root), d.path), d.path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    then = item.state
    if then is None:
        return Place(d.document, 0, 0)
    if d.kind == "text-edited" and d.paragraph is not None:
        start, end = then.paragraph_span(max(0, min(d.paragraph, then.paragraph_count) - 1))
    elif d.start is not None and d.end is not None:
        start, end = d.start, d.end
    else:
        return Place(d.document, 0, 0)
    now = load_document(data, d.document, d.path)
    change = TextChange(then.text, now.text)
    first, last = change.map(start, True), change.map(end, False)
    return Place(d.document, first, max(first, last))
