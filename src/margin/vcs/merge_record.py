"""What Margin learns of a merge while it is under way, and the merge commit's message made from it.

A sync's merge may stop on conflicts and be concluded by a later process (`margin sync` after `margin
resolve`), so what the first one learnt — what it merged, what the merge decided, the conflicts — is kept
in the git directory (``MARGIN_MERGE``, JSON) with each resolution added as it is made. Every change also
rewrites git's ``MERGE_MSG`` with the message, so a merge concluded by a plain `git commit` gets Margin's
message too, never git's ``# Conflicts:`` lines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from margin.vcs.repo import run_git

RECORD = "MARGIN_MERGE"


@dataclass
class MergeRecord:
    """One merge: the commit merged in (MERGE_HEAD), what it came from, and what happened."""

    head: str
    subject: str  # "Sync with origin/main"
    source: str = ""  # "origin/main"
    merged: str = ""  # "2 commits from origin/main (Rosa, Malik)"
    decisions: list[str] = field(default_factory=list)  # codings dropped, codes kept
    conflicts: list[str] = field(default_factory=list)  # as the merge found them, one line each
    resolved: list[str] = field(default_factory=list)  # "documents/qual1/int-07.txt ¶2: theirs"

    def message(self) -> str:
        """The merge commit's message."""
        parts = [self.subject]
        if self.merged:
            parts.append(f"Merged {self.merged}.")
        if self.decisions:
            parts.append("\n".join(["The merge decided:", *(f"- {line}" for line in self.decisions)]))
        if self.conflicts:
            lines = [f"Conflicts ({len(self.conflicts)}):", *(f"- {line}" for line in self.conflicts)]
            lines += ["Resolved:", *(f"- {line}" for line in self.resolved)] if self.resolved else []
            rest = len(self.conflicts) - len(self.resolved)
            if rest > 0:
                lines.append(
                    f"- {rest} resolved by editing the files"
                    if self.resolved
                    else "Resolved by editing the files."
                )
            parts.append("\n".join(lines))
        return "\n\n".join(parts) + "\n"


def _git_path(root: Path, name: str) -> Path:
    _, out, _ = run_git(root, "rev-parse", "--git-path", name)
    path = Path(out.strip())
    return path if path.is_absolute() else root / path


def merge_head(root: Path) -> str | None:
    status, out, _ = run_git(root, "rev-parse", "--verify", "--quiet", "MERGE_HEAD")
    return out.strip() if status == 0 else None


def load(root: Path) -> MergeRecord | None:
    """The record of the merge under way; one made from git's own message when Margin did not start it
    (a plain `git merge`); None outside a merge."""
    head = merge_head(root)
    if head is None:
        return None
    try:
        data = json.loads(_git_path(root, RECORD).read_text(encoding="utf-8"))
        record = MergeRecord(**data)
        if record.head == head:
            return record
    except (OSError, ValueError, TypeError):
        pass
    try:
        git_message = _git_path(root, "MERGE_MSG").read_text(encoding="utf-8")
    except OSError:
        git_message = ""
    subject = next((line for line in git_message.splitlines() if line and not line.startswith("#")), "")
    return MergeRecord(head, subject or f"Merge {head[:12]}")


def save(root: Path, record: MergeRecord) -> Path:
    """Keep the record and write its message as git's MERGE_MSG; returns the message file."""
    from margin.core.textfile import atomic_write

    atomic_write(_git_path(root, RECORD), json.dumps(asdict(record), ensure_ascii=False, indent=1) + "\n")
    message = _git_path(root, "MERGE_MSG")
    atomic_write(message, record.message())
    return message


def note_resolutions(root: Path, lines: list[str]) -> None:
    """Add how conflicts were resolved (each 'FILE WHERE: HOW') to the merge under way, if any."""
    record = load(root)
    if record is not None:
        record.resolved += lines
        save(root, record)


def discard(root: Path) -> None:
    """Forget the record (the merge is committed)."""
    _git_path(root, RECORD).unlink(missing_ok=True)
