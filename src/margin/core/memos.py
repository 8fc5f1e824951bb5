"""Document and project memos: Markdown files under ``memos/`` (``memos/project.md``,
``memos/documents/<group>/<name>.md``), read and written whole through the project's files, so a memo is
never written over a change another program made since Margin read it."""

from __future__ import annotations

from dataclasses import dataclass

from margin.core.errors import ChangedOnDisk, MarginError
from margin.core.paths import inside
from margin.core.project import MEMOS, Project
from margin.core.textfile import decode

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


def read_memo(project: Project, path: str) -> Memo:
    """The memo at ``path`` (project-relative); a missing file is an empty memo."""
    data = project.files.read(inside(project.root, path), path)
    return Memo(path, decode(data, path) if data is not None else "")


def save_memo(project: Project, path: str, text: str) -> None:
    """Write ``text`` as the memo at ``path`` (atomically; an empty text removes the file). Refused, with
    nothing written, if the file changed on disk since ``read_memo`` read it."""
    target = inside(project.root, path)
    try:
        if text.strip():
            project.files.write([(target, text.rstrip("\n") + "\n")])
            return
        project.files.check([target])
    except ChangedOnDisk:
        raise MarginError(
            f"{path} changed on disk since it was opened (another program wrote it), so your text was not "
            "saved — open the memo again to see it, then add your words"
        ) from None
    target.unlink(missing_ok=True)
    project.files.forget(target)
