"""Documents: front matter, plain text in paragraphs, speakers, timestamps and codings."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from margin.core.coding import Coding
from margin.core.conflict_blocks import conflict_error
from margin.core.errors import FormatError
from margin.core.markup import body_problems, parse_body, serialise_body
from margin.core.textfile import check_line_lengths, decode, long_lines

TIMESTAMP_RE = re.compile(r"\[(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d{1,3})?)\] ")
SPEAKER_RE = re.compile(r"([A-Z0-9][\w.'’()-]*(?: [\w.'’()-]+){0,3}): ")
_FENCE = "---\n"
MAX_FRONT_MATTER = 20_000
"""The longest front matter Margin reads, in characters (docs/format.md, "Limits"); a document's front
matter is read for every segment and quote of it."""


@dataclass(frozen=True, slots=True)
class Turn:
    """What a paragraph's prefix says: timestamp and speaker, and where the spoken text starts."""

    timestamp: str | None
    speaker: str | None
    text_start: int  # offset of the spoken text within the paragraph


@dataclass(eq=False)
class Document:
    """One transcript. ``id`` is ``group/name``; offsets are code points into ``text``."""

    id: str
    text: str
    codings: list[Coding] = field(default_factory=list)
    front_matter: str | None = None  # the raw YAML between the '---' lines, kept byte for byte
    final_newline: bool = True
    _starts: list[int] | None = field(default=None, repr=False)
    _meta: dict[str, Any] | None = field(default=None, repr=False)

    # --- identity -----------------------------------------------------------------------------------
    @property
    def group(self) -> str:
        return self.id.rpartition("/")[0]

    @property
    def name(self) -> str:
        return self.id.rpartition("/")[2]

    # --- paragraphs ---------------------------------------------------------------------------------
    @property
    def paragraph_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            text = self.text
            find = text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._starts = starts
        return self._starts

    def __len__(self) -> int:
        return len(self.text)

    @property
    def paragraph_count(self) -> int:
        return len(self.paragraph_starts)

    def paragraph_of(self, offset: int) -> int:
        """Index of the paragraph holding ``offset`` (a paragraph's closing '\\n' belongs to it)."""
        return bisect.bisect_right(self.paragraph_starts, offset) - 1

    def paragraph_span(self, index: int) -> tuple[int, int]:
        starts = self.paragraph_starts
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)
        return starts[index], end

    def paragraph(self, index: int) -> str:
        start, end = self.paragraph_span(index)
        return self.text[start:end]

    def turn(self, index: int) -> Turn:
        """Timestamp and speaker at the start of paragraph ``index``."""
        line = self.paragraph(index)
        pos = 0
        stamp = None
        m = TIMESTAMP_RE.match(line)
        if m:
            stamp = m.group(1)
            pos = m.end()
        speaker = None
        sm = SPEAKER_RE.match(line, pos)
        if sm:
            allowed = self.speakers
            if not allowed or sm.group(1) in allowed:
                speaker = sm.group(1)
                pos = sm.end()
        return Turn(stamp, speaker, pos)

    # --- front matter -------------------------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """Document variables from the front matter (read safely: YAML tags construct nothing)."""
        if self._meta is None:
            self._meta = load_front_matter(self.front_matter or "", f"documents/{self.id}.txt")
        return self._meta

    @property
    def speakers(self) -> dict[str, str | None]:
        """Speaker labels mapped to participant IDs (``None`` for interviewers and others who are not
        participants), from the front matter's ``speakers``."""
        value = self.meta.get("speakers") or {}
        if not isinstance(value, dict):
            return {}
        return {str(k): (None if v is None else str(v)) for k, v in value.items()}

    # --- changes ------------------------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        self.text = text
        self._starts = None

    def set_front_matter(self, raw: str | None) -> None:
        self.front_matter = raw
        self._meta = None

    def sort_codings(self) -> None:
        self.codings.sort(key=Coding.sort_key)

    def codings_at(self, offset: int) -> list[Coding]:
        return [c for c in self.codings if c.start <= offset < c.end]

    def codings_in(self, start: int, end: int) -> list[Coding]:
        """Codings that overlap ``[start, end)``."""
        return [c for c in self.codings if c.start < end and start < c.end]


def load_front_matter(raw: str, where: str = "", first_line: int = 2) -> dict[str, Any]:
    """Parse front matter YAML safely; errors name the line and column."""
    if not raw.strip():
        return {}
    from margin.core.yamlio import load_safe

    data = load_safe(raw, where, first_line)
    if not isinstance(data, dict):
        raise FormatError(
            "the front matter must be a YAML mapping of document variables (key: value)",
            path=where,
            line=first_line,
            column=1,
        )
    return data


def split_front_matter(source: str, path: str = "") -> tuple[str | None, str, int]:
    """Split a document's source into raw front matter, body, and the body's first line number."""
    if not source.startswith(_FENCE):
        return None, source, 1
    if source.startswith("---\n---\n"):
        return "", source[8:], 3
    end = source.find("\n---\n", 3)
    if end < 0:
        raise FormatError(
            "the front matter opened with '---' is never closed — add a line '---' (and a line break) after it",
            path=path,
            line=1,
            column=1,
        )
    raw = source[4 : end + 1]
    body = source[end + 5 :]
    return raw, body, raw.count("\n") + 3


def _front_matter_too_long(raw: str | None, path: str) -> FormatError | None:
    if raw is None or len(raw) <= MAX_FRONT_MATTER:
        return None
    return FormatError(
        f"the front matter has {len(raw):,} characters, more than the {MAX_FRONT_MATTER:,} Margin reads — "
        "keep the document's variables short (long text belongs in the transcript or a memo)",
        path=path,
        line=2,
        column=1,
    )


def parse_document(source: str, doc_id: str, path: str = "") -> Document:
    """Parse a document's text (already decoded) into a Document; errors are located in ``path``."""
    conflict = conflict_error(source, path)
    if conflict is not None:  # a merge left this document with a conflict block to resolve first
        raise conflict
    raw, body, first = split_front_matter(source, path)
    too_long = _front_matter_too_long(raw, path)
    if too_long is not None:
        raise too_long
    final_newline = body.endswith("\n")
    if final_newline:
        body = body[:-1]
    check_line_lengths(body, path, first)
    try:
        text, codings = parse_body(body, first)
    except FormatError as exc:
        raise exc.located(path) from None
    return Document(doc_id, text, codings, raw, final_newline)


def document_problems(source: str, path: str = "") -> list[FormatError]:
    """Every problem of a document's text (already decoded), in file order, where ``parse_document``
    stops at the first: the front matter, paragraphs too long to be one, every markup problem."""
    conflict = conflict_error(source, path)
    if conflict is not None:
        return [conflict]
    try:
        raw, body, first = split_front_matter(source, path)
    except FormatError as exc:  # where the front matter ends, and so the text begins, is unknown
        return [exc]
    problems = []
    too_long = _front_matter_too_long(raw, path)
    if too_long is not None:
        problems.append(too_long)
    elif raw:
        try:
            load_front_matter(raw, path)
        except FormatError as exc:
            problems.append(exc)
    body = body.removesuffix("\n")
    long = long_lines(body, path, first)
    if long:  # left out of the markup check: one problem is enough for such a line
        lines = body.split("\n")
        for problem in long:
            lines[problem.line - first] = ""
        body = "\n".join(lines)
    problems.extend(long)
    problems.extend(p.located(path) for p in body_problems(body, first))
    return sorted(problems, key=lambda p: (p.line, p.column))


def load_document(data: bytes, doc_id: str, path: str = "") -> Document:
    return parse_document(decode(data, path), doc_id, path)


def serialise_document(doc: Document) -> str:
    parts = []
    if doc.front_matter is not None:
        parts.append(_FENCE + doc.front_matter + _FENCE)
    parts.append(serialise_body(doc.text, doc.codings))
    if doc.final_newline:
        parts.append("\n")
    return "".join(parts)
