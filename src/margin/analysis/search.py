"""Text search in documents: literal or regular expression, case-insensitive unless asked, whole words.

Search runs over a document's plain text (the text without markup), so a hit's offsets are the offsets
codings use: a hit can be coded as it is.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from margin.analysis.context import Context
from margin.core.document import Document
from margin.core.errors import FormatError, MarginError
from margin.core.project import Project


@dataclass(frozen=True, slots=True)
class SearchOptions:
    regex: bool = False
    case_sensitive: bool = False
    whole_words: bool = False


def compile_query(query: str, options: SearchOptions = SearchOptions()) -> re.Pattern[str]:
    """The pattern for ``query``; a regular expression that cannot be read is a MarginError that says where."""
    if not query:
        raise MarginError("type something to search for")
    body = query if options.regex else re.escape(query)
    if options.whole_words:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    flags = 0 if options.case_sensitive else re.IGNORECASE
    try:
        return re.compile(body, flags)
    except re.error as exc:
        where = f" at character {exc.pos + 1}" if exc.pos is not None and not options.whole_words else ""
        raise MarginError(
            f"'{query}' is not a regular expression Python can read ({exc.msg}{where}) — "
            "fix it, or search for the literal text (turn regex off)"
        ) from None


def find_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Every non-empty match of ``pattern`` in ``text``, as ``(start, end)``."""
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: where it is (``paragraph`` counts from 1) and the line around it."""

    document: str
    start: int
    end: int
    paragraph: int
    speaker: str | None
    context: Context

    @property
    def text(self) -> str:
        return self.context.inside


def search_document(doc: Document, pattern: re.Pattern[str]) -> list[Hit]:
    """The hits in one document, in order of their place in the text."""
    hits = []
    starts = doc.paragraph_starts
    for start, end in find_spans(doc.text, pattern):
        index = bisect.bisect_right(starts, start) - 1
        hits.append(
            Hit(
                doc.id,
                start,
                end,
                index + 1,
                doc.turn(index).speaker,
                Context.within(doc.text, starts, start, end),
            )
        )
    return hits


def search_project(
    project: Project, pattern: re.Pattern[str], documents: Iterable[str] | None = None
) -> Iterator[tuple[str, list[Hit] | FormatError]]:
    """Per document (in document order): its hits, or the error that kept it from being read."""
    for doc_id in project.document_ids() if documents is None else documents:
        try:
            doc = project.document(doc_id)
        except FormatError as exc:
            yield doc_id, exc
            continue
        yield doc_id, search_document(doc, pattern)
