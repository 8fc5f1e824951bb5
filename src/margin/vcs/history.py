"""The project's history read back: sessions (log), decisions between revisions (diff), and who made each
coding (blame).

The log is one ``git log`` call whatever its length; the session counts come from the commits' trailers.
Blame walks a document's history with semdiff and caches what each commit's codings came from in
``.margin/cache/blame/`` (commits never change, so the cache never goes stale).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from margin.core.coding import Coding
from margin.core.errors import FormatError, MarginError
from margin.core.operations import snippet
from margin.core.paths import inside
from margin.core.project import STATE
from margin.core.textfile import read_bytes
from margin.vcs.changes import ProjectRepo, decisions
from margin.vcs.message import SessionInfo, read_trailers
from margin.vcs.semdiff import Decision, TextChange, match_codings

_FIELD, _RECORD = "\x1f", "\x1e"
_LOG_FORMAT = _FIELD.join(("%H", "%P", "%an", "%ae", "%aI", "%s", "%(trailers:only,unfold)")) + _RECORD
_CODE_PATHS = ("documents", "codebook.yaml")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One commit: who, when, what it says, and the session counts of its trailers (None if it has none)."""

    commit: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str
    subject: str
    session: SessionInfo | None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "commit": self.commit,
            "parents": list(self.parents),
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
            "session": None,
        }
        if self.session is not None:
            s = self.session
            out["session"] = {
                "id": s.session,
                "recovered": s.recovered,
                "codings_added": s.codings_added,
                "codings_removed": s.codings_removed,
                "codings_changed": s.codings_changed,
                "codes_changed": s.codes_changed,
                "text_edits": s.text_edits,
            }
        return out


def _entries(output: str) -> list[LogEntry]:
    out = []
    for record in output.split(_RECORD):
        fields = record.strip("\n").split(_FIELD)
        if len(fields) < 7:
            continue
        commit, parents, author, email, date, subject, trailers = fields[:7]
        out.append(
            LogEntry(commit, tuple(parents.split()), author, email, date, subject, read_trailers(trailers))
        )
    return out


def log(
    root: Path,
    *,
    limit: int | None = None,
    author: str | None = None,
    paths: Sequence[str] = (),
    codes: Sequence[str] = (),
) -> list[LogEntry]:
    """The commits that reach HEAD, newest first: by ``author`` (a part of the name or email), touching
    ``paths`` (project paths), or with a decision about one of ``codes`` (a code and its old slugs)."""
    with ProjectRepo(root) as repo:
        if repo.head() is None:
            return []
        args = [f"--format={_LOG_FORMAT}"]
        if author:
            args += [f"--author={author}", "--fixed-strings", "--regexp-ignore-case"]
        if limit is not None and not codes:
            args.append(f"-n{limit}")
        spec = list(paths) or ["."]
        if not codes:
            return _entries(repo.run("log", *args, "--", *spec))
        candidates: set[str] = set()
        for code in codes:  # commits whose diff touches a line naming the code; semdiff then decides
            output = repo.run("log", "--format=%H", f"-G{code}", "--", *spec)
            candidates.update(output.split())
        picked = []
        wanted = set(codes)
        for entry in _entries(repo.run("log", *args, "--", *spec)):
            if entry.commit in candidates and _involves(repo, entry, wanted, paths):
                picked.append(entry)
                if limit is not None and len(picked) >= limit:
                    break
        return picked


def _involves(repo: ProjectRepo, entry: LogEntry, codes: set[str], paths: Sequence[str]) -> bool:
    """Whether the commit made a decision about one of ``codes`` (compared with its first parent)."""
    parent = entry.parents[0] if entry.parents else None
    changed = repo.changed_between(parent, entry.commit) if parent else repo.files_at(entry.commit)
    if paths:
        changed = [p for p in changed if p in paths]
    changed = [p for p in changed if p.startswith(_CODE_PATHS)]
    found = decisions(repo.states(parent, entry.commit, changed))
    return any(codes.intersection(d.codes) for d in found)


# --- diff ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Diff:
    """The decisions between two states: ``old`` and ``new`` are commits, ``new`` None is the disk."""

    old: str | None
    new: str | None
    decisions: list[Decision]


def parse_range(spec: str | None) -> tuple[str, str | None, bool]:
    """(old, new, from where they met) of ``None`` (HEAD and the disk), ``A`` (A and the disk), ``A..B``
    and ``A...B`` (B since it left A's history)."""
    if not spec:
        return "HEAD", None, False
    for sep in ("...", ".."):
        if sep in spec:
            old, _, new = spec.partition(sep)
            return old or "HEAD", new or "HEAD", sep == "..."
    return spec, None, False


def diff(root: Path, spec: str | None = None) -> Diff:
    """The decisions between two revisions, or a revision and the files on disk (default: HEAD)."""
    old_rev, new_rev, since_base = parse_range(spec)
    with ProjectRepo(root) as repo:
        new = repo.resolve(new_rev) if new_rev is not None else None
        old: str | None
        if since_base:
            old = repo.run("merge-base", repo.resolve(old_rev), new or "HEAD").strip()
        elif old_rev == "HEAD" and repo.head() is None:
            old = None  # no commit yet: everything on disk is new
        else:
            old = repo.resolve(old_rev)
        paths = repo.changed_on_disk() if old is None else repo.changed_between(old, new)
        return Diff(old, new, decisions(repo.states(old, new, paths)))


# --- blame ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Origin:
    """The commit that put a code on a coding's words (None: not committed yet)."""

    code: str
    commit: str | None
    author: str | None = None
    email: str | None = None
    date: str | None = None
    session: str | None = None
    subject: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "commit": self.commit,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "session": self.session,
            "subject": self.subject,
        }


@dataclass(frozen=True, slots=True)
class BlameLine:
    """A coding of the document as it is on disk, with the origin of each of its codes."""

    coding: Coding
    paragraph: int
    text: str
    origins: tuple[Origin, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.coding.start,
            "end": self.coding.end,
            "paragraph": self.paragraph,
            "text": self.text,
            "memo": self.coding.memo,
            "codes": [o.as_dict() for o in self.origins],
        }


Origins = list[dict[str, str | None]]  # per coding: code → commit (None: not committed)


def _carry(
    new: Sequence[Coding],
    commit: str | None,
    parents: Sequence[tuple[Any, Origins]],
    text: str,
    renamed: Callable[[], Mapping[str, str]],
) -> Origins:
    """The origin of every code of ``new`` (a document's codings at ``commit``), from its parents' states:
    a code on the same words in a parent keeps its origin there — also under a new slug (``renamed()``:
    old slug → slug, from the codebook at ``commit``) — and any other code is new in ``commit``."""
    out: Origins = [dict.fromkeys(c.codes, commit) for c in new]
    for doc, origins in reversed(parents):  # the first parent wins where parents disagree
        match = match_codings(doc.codings, new, TextChange(doc.text, text))
        for i, j in match.pairs:
            before = origins[i]
            for code in new[j].codes:
                if code in before:
                    out[j][code] = before[code]
            for old_code, origin in before.items():
                if old_code not in new[j].codes:
                    slug = renamed().get(old_code)
                    if slug is not None and slug in out[j] and slug not in before:
                        out[j][slug] = origin
    return out


class _Blame:
    """A document's history walked commit by commit; the origins of each commit's codings are cached."""

    CACHE_VERSION = 2

    def __init__(self, repo: ProjectRepo, path: str, doc_id: str) -> None:
        self.repo, self.path, self.doc_id = repo, path, doc_id
        self.docs: dict[str | None, Any] = {}
        self.unreadable: set[str | None] = set()
        self.aliases: dict[str | None, Mapping[str, str]] = {}
        name = hashlib.sha1(path.encode()).hexdigest() + ".json"
        self.cache_file = inside(repo.root, f"{STATE}/cache/blame/{name}")
        self.cache: dict[str, Origins] = self._read_cache()
        self.dirty = False

    def _read_cache(self) -> dict[str, Origins]:
        try:
            data = json.loads(read_bytes(self.cache_file))
        except (OSError, ValueError, RecursionError, MarginError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("version") != self.CACHE_VERSION
            or data.get("path") != self.path
        ):
            return {}
        commits = data.get("commits")
        return commits if isinstance(commits, dict) else {}

    def write_cache(self) -> None:
        if not self.dirty:
            return
        from margin.core.textfile import atomic_write

        data = {"version": self.CACHE_VERSION, "path": self.path, "commits": self.cache}
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            atomic_write(self.cache_file, json.dumps(data))

    def doc(self, commit: str | None) -> Any:
        """The document at ``commit`` (None: on disk); None where it is absent or cannot be read."""
        if commit not in self.docs:
            from margin.core.document import load_document

            data = self.repo.read(commit, self.path)
            try:
                self.docs[commit] = load_document(data, self.doc_id, self.path) if data is not None else None
            except FormatError:
                self.docs[commit] = None
                self.unreadable.add(commit)
        return self.docs[commit]

    def renamed(self, commit: str | None) -> Mapping[str, str]:
        """Old slug → slug in the codebook at ``commit`` (None: on disk)."""
        if commit not in self.aliases:
            from margin.core.codebook import Codebook

            data = self.repo.read(commit, "codebook.yaml")
            try:
                self.aliases[commit] = Codebook.parse(data.decode("utf-8")).aliases if data else {}
            except (MarginError, UnicodeDecodeError):
                self.aliases[commit] = {}
        return self.aliases[commit]

    def origins(self, commit: str, parents: Sequence[str], known: dict[str, Origins]) -> Origins:
        if commit not in self.cache:
            self.cache[commit] = self._origins(commit, parents, known)
            self.dirty = True
        return self.cache[commit]

    def _origins(self, commit: str, parents: Sequence[str], known: dict[str, Origins]) -> Origins:
        states = [(self.doc(p), known[p]) for p in parents if p in known and self.doc(p) is not None]
        doc = self.doc(commit)
        if doc is not None:
            return _carry(doc.codings, commit, states, doc.text, lambda: self.renamed(commit))
        if commit in self.unreadable and states:  # a broken version: its first parent's codings go on
            self.docs[commit] = states[0][0]
            return states[0][1]
        return []  # deleted here


def blame(root: Path, doc_id: str) -> list[BlameLine]:
    """Who put each code of each coding of ``doc_id`` (as on disk) on its words: commit, author, date and
    session, found by walking the document's history with semdiff."""
    path = f"documents/{doc_id}.txt"
    with ProjectRepo(root) as repo:
        walker = _Blame(repo, path, doc_id)
        current = walker.doc(None)
        if current is None:
            raise MarginError(f"no readable document {path} on disk — `margin check` says what is wrong")
        entries: dict[str, LogEntry] = {}
        known: dict[str, Origins] = {}
        head = repo.head()
        if head is not None:
            output = repo.run(
                "log",
                "--topo-order",
                "--reverse",
                "--parents",
                f"--format={_LOG_FORMAT}",
                "--",
                path,
            )
            for entry in _entries(output):
                entries[entry.commit] = entry
                known[entry.commit] = walker.origins(entry.commit, entry.parents, known)
        walker.write_cache()
        tip = next(reversed(entries), None)
        parents = [(walker.doc(tip), known[tip])] if tip is not None and walker.doc(tip) is not None else []
        origins = _carry(current.codings, None, parents, current.text, lambda: walker.renamed(None))
    out = []
    for coding, codes in zip(current.codings, origins, strict=True):
        found = []
        for code, commit in codes.items():
            e = entries.get(commit) if commit else None
            if e is None:
                found.append(Origin(code, commit))
            else:
                session = e.session.session if e.session else None
                found.append(Origin(code, commit, e.author, e.email, e.date, session, e.subject))
        paragraph = current.paragraph_of(coding.start) + 1
        out.append(
            BlameLine(coding, paragraph, snippet(current.text, coding.start, coding.end), tuple(found))
        )
    return out
