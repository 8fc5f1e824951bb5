"""A Margin project on disk: settings, codebook, participants and documents, read lazily."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from margin.core.conflict_blocks import conflict_error
from margin.core.disk import Files
from margin.core.document import Document, load_document, serialise_document
from margin.core.errors import FormatError, MarginError
from margin.core.paths import folder_files, inside
from margin.core.textfile import decode
from margin.core.yamlio import load_safe

if TYPE_CHECKING:
    from margin.core.codebook import Codebook
    from margin.core.participants import Participants

SETTINGS = "margin.yaml"
CODEBOOK = "codebook.yaml"
PARTICIPANTS = "participants.yaml"
DOCUMENTS = "documents"
MEMOS = "memos"
STATE = ".margin"


class NotAProject(MarginError):
    """No margin.yaml at or above the directory asked for."""


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds a margin.yaml."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / SETTINGS).is_file():
            return candidate
    raise NotAProject(
        f"{start} is not in a Margin project (no {SETTINGS} here or above) — "
        "run `margin init PATH` to make one, or name one with `-C PATH`"
    )


def state_dir(root: Path) -> Path:
    """The project's ``.margin`` folder (it holds the lock and the caches), refused if it is a link."""
    return inside(root, STATE, folder=True)


def _read(files: Files, path: Path, name: str) -> str | None:
    """A project YAML file's text (None when there is none); one a merge left with a conflict block is
    an error at the block."""
    data = files.read(path, name)
    if data is None:
        return None
    text = decode(data, name)
    conflict = conflict_error(text, name)
    if conflict is not None:
        raise conflict
    return text


class Project:
    """The files of one project. Documents are parsed on first use and kept.

    Every file is read and written through ``files`` (margin.core.disk), which remembers what was read:
    a save over a file another program changed since raises ChangedOnDisk and writes nothing. The
    in-memory project is then ahead of the disk; a long-lived caller (the app) reloads the files the
    error names as ``touched``.
    """

    def __init__(
        self,
        root: Path,
        settings: dict[str, Any],
        codebook: Codebook,
        participants: Participants | None = None,
        files: Files | None = None,
    ):
        self.root = root
        self.settings = settings
        self.codebook = codebook
        self._participants = participants
        self.files = files if files is not None else Files(root)
        self._documents: dict[str, Document] = {}
        self._ids: list[str] | None = None

    # --- loading ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str = ".") -> Project:
        """Load the project at ``path`` (or the one above it). Raises FormatError for unusable files."""
        from margin.core.codebook import Codebook, new_codebook

        root = find_root(Path(path))
        files = Files(root)
        settings = load_safe(_read(files, inside(root, SETTINGS), SETTINGS) or "", SETTINGS) or {}
        if not isinstance(settings, dict):
            raise FormatError("margin.yaml must be a YAML mapping (name: …)", path=SETTINGS, line=1, column=1)
        text = _read(files, inside(root, CODEBOOK), CODEBOOK)
        codebook = Codebook.parse(text, CODEBOOK) if text is not None else new_codebook()
        return cls(root, settings, codebook, files=files)

    @property
    def participants(self) -> Participants:
        """participants.yaml, read on first use (counting codes does not need it)."""
        if self._participants is None:
            from margin.core.participants import Participants, new_participants

            path = inside(self.root, PARTICIPANTS)
            text = _read(self.files, path, PARTICIPANTS)
            try:
                self._participants = (
                    Participants.parse(text, PARTICIPANTS) if text is not None else new_participants()
                )
            except MarginError:
                self.files.forget(path)
                raise
        return self._participants

    @participants.setter
    def participants(self, value: Participants) -> None:
        self._participants = value

    @property
    def name(self) -> str:
        return str(self.settings.get("name") or self.root.name)

    # --- documents ----------------------------------------------------------------------------------
    def document_ids(self) -> list[str]:
        """Every document's ID (``group/name``), sorted; documents outside the project are refused."""
        if self._ids is None:
            self._ids = sorted(self._scan())
        return list(self._ids)

    def _scan(self) -> Iterator[str]:
        return folder_files(self.root, DOCUMENTS, ".txt")

    def document_path(self, doc_id: str) -> Path:
        if not doc_id or doc_id.startswith("/") or any(p in ("", ".", "..") for p in doc_id.split("/")):
            raise MarginError(f"'{doc_id}' is not a document of this project (it points outside documents/)")
        return inside(self.root, f"{DOCUMENTS}/{doc_id}.txt")

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.resolve().relative_to(self.root.resolve()).as_posix()

    def resolve_document(self, name: str) -> str:
        """A document ID from what a user typed: an ID, a path, or a unique name."""
        ids = self.document_ids()
        candidate = name.removesuffix(".txt")
        if candidate.startswith(DOCUMENTS + "/"):
            candidate = candidate[len(DOCUMENTS) + 1 :]
        if candidate in ids:
            return candidate
        matches = [i for i in ids if i.rpartition("/")[2] == candidate]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise MarginError(f"'{name}' names several documents ({', '.join(matches)}) — give the group too")
        raise MarginError(f"no document '{name}' — `margin show` without a name lists the documents")

    def document(self, doc_id: str) -> Document:
        doc = self._documents.get(doc_id)
        if doc is None:
            path = self.document_path(doc_id)
            if not path.is_file():
                raise MarginError(f"no document '{doc_id}' in {self.root}")
            where = f"{DOCUMENTS}/{doc_id}.txt"
            data = self.files.read(path, where)
            if data is None:
                raise MarginError(f"no document '{doc_id}' in {self.root}")
            try:
                doc = load_document(data, doc_id, where)
            except MarginError:
                self.files.forget(path)  # nothing of it is held, so nothing may be written over it
                raise
            self._documents[doc_id] = doc
        return doc

    def loaded_documents(self) -> dict[str, Document]:
        return self._documents

    def forget(self, doc_id: str) -> None:
        """Drop a cached document (it changed on disk)."""
        self._documents.pop(doc_id, None)
        self._ids = None

    def rescan(self) -> None:
        """List the documents again on the next ``document_ids()`` (a merge may have added or removed some);
        documents no longer on disk are dropped from the cache."""
        self._ids = None
        present = set(self.document_ids())
        for doc_id in [d for d in self._documents if d not in present]:
            self.forget(doc_id)
        self._ids = sorted(present)

    # --- writing ------------------------------------------------------------------------------------
    def serialised(self, doc: Document) -> str:
        """The file text of ``doc`` as Margin writes it."""
        return serialise_document(doc)

    def save(
        self, *, codebook: bool = False, participants: bool = False, documents: Sequence[Document] = ()
    ) -> None:
        """Write what one operation changed: the codebook first (a slug changed in the documents must
        resolve), then participants, then the documents — each atomically, and none of them if one
        changed on disk since it was read (ChangedOnDisk)."""
        writes: list[tuple[Path, str]] = []
        if codebook:
            writes.append((inside(self.root, CODEBOOK), self.codebook.dump()))
        if participants:
            writes.append((inside(self.root, PARTICIPANTS), self.participants.dump()))
        writes += [(self.document_path(doc.id), self.serialised(doc)) for doc in documents]
        self.files.write(writes)
        for doc in documents:
            self._documents[doc.id] = doc
            if self._ids is not None and doc.id not in self._ids:
                self._ids = None

    def save_document(self, doc: Document) -> None:
        self.save(documents=[doc])

    def save_codebook(self) -> None:
        self.save(codebook=True)

    def save_participants(self) -> None:
        self.save(participants=True)

    @property
    def state_dir(self) -> Path:
        return state_dir(self.root)
