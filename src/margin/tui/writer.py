"""Writing documents back after small changes without serialising them whole.

Applying a code to a 1.3 MB focus group changes one line of its file, but ``serialise_document`` walks all
7,000 codings (tens of milliseconds, most of the coding key's budget). ``IncrementalWriter`` keeps the lines
it last wrote for each document and serialises again, with the core serialiser, only the lines that can
differ, so the bytes are those of a whole serialisation:

- the text, front matter and final line break must be those it last wrote (else it serialises whole);
- a line depends only on the codings with a marker in it and their labels; the labels are those the whole
  serialisation gives (``assign_labels`` over the whole document), so a coding whose chosen label changed
  counts as changed;
- the lines of the changed codings are widened until no coding has markers both inside and outside them,
  and serialised as one piece of text with the codings inside, carrying their labels.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from margin.core.coding import Coding
from margin.core.document import Document, serialise_document
from margin.core.markup import assign_labels, serialise_body
from margin.core.project import Project
from margin.tui.layout import coding_changes

if TYPE_CHECKING:
    from margin.core.codebook import Codebook
    from margin.core.disk import Files
    from margin.core.participants import Participants

WHOLE_ABOVE = 0.25
"""Serialise the whole document when the paragraphs to redo are more than this share of it."""


@dataclass(frozen=True, slots=True)
class _Written:
    """What was last written for a document: its model then, the labels chosen, and its body's lines."""

    text: str
    codings: tuple[Coding, ...]
    front_matter: str | None
    final_newline: bool
    chosen: dict[int, Coding]
    """The codings that got a label when serialised (by id of the coding in ``codings``), labelled."""
    lines: list[str]


def _chosen_labels(doc: Document) -> dict[int, Coding]:
    """The codings a whole serialisation gives a label they do not carry (by id), with that label."""
    labelled = assign_labels(doc.text, doc.codings)
    return {id(c): done for c, done in zip(doc.codings, labelled, strict=True) if done is not c}


class IncrementalWriter:
    """Serialises documents, reusing the lines of the last serialisation where nothing changed."""

    def __init__(self) -> None:
        self._written: dict[str, _Written] = {}

    def forget(self, doc_id: str) -> None:
        self._written.pop(doc_id, None)

    def serialise(self, doc: Document) -> str:
        """The document's file content: exactly ``serialise_document(doc)``."""
        chosen = _chosen_labels(doc)
        lines = self._changed_lines(doc, chosen)
        if lines is None:
            source = serialise_document(doc)
            body = source[len(doc.front_matter) + 8 :] if doc.front_matter is not None else source
            lines = (body[:-1] if doc.final_newline else body).split("\n")
            self._remember(doc, chosen, lines)
            return source
        self._remember(doc, chosen, lines)
        head = "---\n" + doc.front_matter + "---\n" if doc.front_matter is not None else ""
        return head + "\n".join(lines) + ("\n" if doc.final_newline else "")

    def _remember(self, doc: Document, chosen: dict[int, Coding], lines: list[str]) -> None:
        self._written[doc.id] = _Written(
            doc.text, tuple(doc.codings), doc.front_matter, doc.final_newline, chosen, lines
        )

    def _changed_lines(self, doc: Document, chosen: dict[int, Coding]) -> list[str] | None:
        """The body's lines with the changed ones serialised again, or None to serialise it whole."""
        last = self._written.get(doc.id)
        if (
            last is None
            or not (doc.text is last.text or doc.text == last.text)
            or doc.front_matter != last.front_matter
            or doc.final_newline != last.final_newline
        ):
            return None
        removed, added = coding_changes(last.codings, doc.codings)
        changed = [*removed, *added]
        for key in chosen.keys() | last.chosen.keys():  # a label chosen differently changes its lines
            now, before = chosen.get(key), last.chosen.get(key)
            if (now and now.label) != (before and before.label):
                coding = now if now is not None else before
                assert coding is not None
                changed.append(coding)
        if not changed:
            return list(last.lines)
        starts = doc.paragraph_starts
        first = min(bisect_right(starts, c.start) - 1 for c in changed)
        last_line = max(bisect_right(starts, c.end) - 1 for c in changed)
        inside, first, last_line = _closed_range(doc, first, last_line)
        if last_line - first + 1 > WHOLE_ABOVE * len(starts):
            return None
        lo, hi = starts[first], doc.paragraph_span(last_line)[1]
        shifted = [
            Coding(c.start - lo, c.end - lo, c.codes, c.memo, c.label)
            for c in (chosen.get(id(c), c) for c in inside)
        ]
        if any(a is not b for a, b in zip(assign_labels(doc.text[lo:hi], shifted), shifted, strict=True)):
            return None  # cannot happen with a closed range; never guess
        redone = serialise_body(doc.text[lo:hi], shifted).split("\n")
        if len(redone) != last_line - first + 1:
            return None
        lines = list(last.lines)
        lines[first : last_line + 1] = redone
        return lines


def _closed_range(doc: Document, first: int, last: int) -> tuple[list[Coding], int, int]:
    """The codings with markers in paragraphs ``first``–``last``, the range widened until none of them has
    a marker outside it (a marker at offset ``o`` is on the line of paragraph ``paragraph_of(o)``)."""
    starts = doc.paragraph_starts
    while True:
        lo = starts[first]
        hi = doc.paragraph_span(last)[1]
        inside = [c for c in doc.codings if c.start <= hi and c.end >= lo]
        wider_first = min((bisect_right(starts, c.start) - 1 for c in inside), default=first)
        wider_last = max((bisect_right(starts, c.end) - 1 for c in inside), default=last)
        if wider_first >= first and wider_last <= last:
            return inside, first, last
        first, last = min(first, wider_first), max(last, wider_last)


class AppProject(Project):
    """The project as the app holds it: a document is written back serialising only what changed.

    ``serialised`` gives the bytes ``serialise_document`` gives, through the writer, so ``save_document``
    writes only what changed.
    """

    def __init__(
        self,
        root: Path,
        settings: dict[str, Any],
        codebook: Codebook,
        participants: Participants | None = None,
        files: Files | None = None,
    ):
        super().__init__(root, settings, codebook, participants, files)
        self.writer = IncrementalWriter()

    def serialised(self, doc: Document) -> str:
        return self.writer.serialise(doc)

    def forget(self, doc_id: str) -> None:
        super().forget(doc_id)
        self.writer.forget(doc_id)
