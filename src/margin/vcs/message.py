"""The commit message of a session: a subject that summarises the decisions, the decisions per file, and
trailers that the history reads back (docs/format.md, "Commit messages")."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from margin.vcs.semdiff import Counts, Decision, document_id

SESSION = "Margin-Session"
RECOVERED = "Margin-Recovered"
COUNT_TRAILERS = (
    ("Margin-Codings-Added", "codings_added"),
    ("Margin-Codings-Removed", "codings_removed"),
    ("Margin-Codings-Changed", "codings_changed"),
    ("Margin-Codes-Changed", "codes_changed"),
    ("Margin-Text-Edits", "text_edits"),
)
MAX_BODY_LINES = 200
MAX_SUBJECT = 100
_PHRASES = (  # decision kind → (singular, plural) of its part of the subject, in subject order
    ("document-added", "document added", "documents added"),
    ("document-deleted", "document deleted", "documents deleted"),
    ("coding-added", "coding added", "codings added"),
    ("coding-removed", "coding removed", "codings removed"),
    ("coding-changed", "coding changed", "codings changed"),
    ("code-created", "code created", "codes created"),
    ("code-relabelled", "code relabelled", "codes relabelled"),
    ("code-reslugged", "code re-slugged", "codes re-slugged"),
    ("code-moved", "code moved", "codes moved"),
    ("code-merged", "code merged", "codes merged"),
    ("code-edited", "code edited", "codes edited"),
    ("code-deleted", "code deleted", "codes deleted"),
    ("set-created", "code set created", "code sets created"),
    ("set-edited", "code set edited", "code sets edited"),
    ("set-deleted", "code set deleted", "code sets deleted"),
    ("text-edited", "text edit", "text edits"),
    ("front-matter-edited", "document variables edit", "document variables edits"),
)
_WITH_DOCUMENTS = {"coding-added", "coding-removed", "coding-changed"}


def new_session_id() -> str:
    """A session ID that sorts by time and is unique in practice: ``20261127-140212-9f3a``."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(2)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _documents(decisions: Sequence[Decision]) -> str:
    names = list(dict.fromkeys(d.document.rpartition("/")[2] for d in decisions if d.document))
    if not names:
        return ""
    return f" in {' and '.join(names)}" if len(names) <= 2 else f" in {len(names)} documents"


def summary(decisions: Sequence[Decision], with_documents: bool = True) -> str:
    """``3 codings added in fg-01, 1 code created, 1 text edit``."""
    parts = []
    for kind, one, many in _PHRASES:
        these = [d for d in decisions if d.kind == kind]
        if these:
            where = _documents(these) if with_documents and kind in _WITH_DOCUMENTS else ""
            parts.append(_plural(len(these), one, many) + where)
    if any(d.kind.startswith(("participant", "attribute")) for d in decisions):
        parts.append("participants edited")
    others = {d.path for d in decisions if d.kind.startswith("file-") or d.kind.endswith("-unreadable")}
    memos = {p for p in others if p.startswith("memos/")}
    if memos:
        parts.append(_plural(len(memos), "memo changed", "memos changed"))
    if "margin.yaml" in others:
        parts.append("settings changed")
    if others - memos - {"margin.yaml"}:
        parts.append(_plural(len(others - memos - {"margin.yaml"}), "file unreadable", "files unreadable"))
    return ", ".join(parts) or "files rewritten without a change in content"


def subject(decisions: Sequence[Decision], title: str = "Coding session") -> str:
    text = f"{title}: {summary(decisions)}"
    return text if len(text) <= MAX_SUBJECT else f"{title}: {summary(decisions, with_documents=False)}"


def _heading(path: str) -> str:
    return document_id(path) or path


def body(decisions: Sequence[Decision]) -> str:
    """The decisions grouped by file (a document, codebook.yaml, …), at most MAX_BODY_LINES of them."""
    groups: dict[str, list[str]] = {}
    for d in decisions:
        groups.setdefault(_heading(d.path), []).append(d.line)
    out: list[str] = []
    shown = 0
    for heading, lines in groups.items():
        if shown >= MAX_BODY_LINES:
            break
        take = lines[: MAX_BODY_LINES - shown]
        out += ["", f"{heading}:", *take]
        shown += len(take)
    if len(decisions) > shown:
        out += [
            "",
            f"… and {len(decisions) - shown} more decisions (`margin diff` on this commit shows them all)",
        ]
    return "\n".join(out).strip("\n")


def trailers(session: str, decisions: Sequence[Decision], recovered: bool = False) -> str:
    counts = Counts.of(decisions)
    lines = [f"{SESSION}: {session}"]
    lines += [f"{key}: {getattr(counts, name)}" for key, name in COUNT_TRAILERS]
    if recovered:
        lines.append(f"{RECOVERED}: yes")
    return "\n".join(lines)


def compose(
    session: str, decisions: Sequence[Decision], *, title: str | None = None, recovered: bool = False
) -> str:
    """The whole commit message; ``title`` replaces the summary subject (a CLI command's own summary)."""
    head = title or subject(decisions, "Recovered session" if recovered else "Coding session")
    text = body(decisions)
    return "\n\n".join(part for part in (head, text, trailers(session, decisions, recovered)) if part) + "\n"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What a commit's trailers say (None for a commit that is not a Margin session)."""

    session: str
    codings_added: int
    codings_removed: int
    codings_changed: int
    codes_changed: int
    text_edits: int
    recovered: bool


def read_trailers(text: str) -> SessionInfo | None:
    """The session trailers of a commit (``Key: value`` lines, as `git log --format=%(trailers)` gives)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            values.setdefault(key.strip(), value.strip())
    session = values.get(SESSION)
    if not session:
        return None

    def number(key: str) -> int:
        try:
            return max(0, int(values.get(key, "0")))
        except ValueError:
            return 0

    counts = {name: number(key) for key, name in COUNT_TRAILERS}
    return SessionInfo(session, recovered=values.get(RECOVERED, "").lower() == "yes", **counts)
