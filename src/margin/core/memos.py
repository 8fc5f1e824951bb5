"""Document and project memos: Markdown files under ``memos/`` (``memos/project.md``,
``memos/documents/<group>/<name>.md``), read and written whole, never over a change made on disk since."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from margin.core.errors import MarginError
from margin.core.project import MEMOS
from margin.core.textfile import atomic_write, decode

PROJECT_MEMO = f"{MEMOS}/project.md"


def document_memo(doc_id: str) -> str:
    """The project-relative path of a document's memo (``memos/documents/qual1/int-07.md``)."""
    return f"{MEMOS}/documents/{doc_id}.md"


@dataclass(frozen=True)
class Memo:
    """A memo as read: its project-relative path and text ("" for a memo not written yet)."""

    path: str
    text: str

    @property
    def first_line(self) -> str:
        """The first line with words, without Markdown's heading marks ("" for an empty memo)."""
        for line in self.text.splitlines():
            words = line.strip().lstrip("#").strip()
            if words:
                return words
        return ""


def read_memo(root: Path, path: str) -> Memo:
    """The memo at ``path`` (project-relative); a missing file is an empty memo."""
    try:
        data = (root / path).read_bytes()
    except FileNotFoundError:
        return Memo(path, "")
    except OSError as exc:
        raise MarginError(f"{path} cannot be read ({exc.strerror})") from None
    return Memo(path, decode(data, path))


def save_memo(root: Path, memo: Memo, text: str) -> Memo:
    """Write ``text`` as the memo read as ``memo`` (atomically; an empty text removes the file). Refused,
    with nothing written, if the file changed on disk since it was read."""
    now = read_memo(root, memo.path)
    if now.text != memo.text:
        raise MarginError(
            f"{memo.path} changed on disk since it was opened (another program wrote it), so your text was "
            "not saved — open the memo again to see it, then add your words"
        )
    target = root / memo.path
    if text.strip():
        text = text.rstrip("\n") + "\n"
        atomic_write(target, text)
    else:
        text = ""
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    return Memo(memo.path, text)
