"""Retrieved segments: every coded segment of the codes asked for, with its source and a citation.

Each segment carries its document, offsets, text, codes, memo, paragraph, speaker, the participant behind
the speaker (front matter ``speakers:``) with their attributes, the document variables, a line of context
and a citation rendered from margin.yaml's template. A segment's *fields* — what citations and filters
read — are looked up in the participant's attributes, then the document variables, then the built-in
fields ``document``, ``speaker``, ``participant``, ``paragraph`` and ``group``.

Speed: what a document says about its paragraphs (speaker, participant) is read once and kept beside the
document until its text or front matter changes, and a segment computes its text, context and record
only when asked; so retrieving tens of thousands of segments costs little more than finding them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from margin.analysis.citation import CitationTemplate, plain_value, project_template
from margin.analysis.context import Context
from margin.analysis.filters import Equals, Filters
from margin.core.codebook import did_you_mean
from margin.core.coding import Coding
from margin.core.document import Document
from margin.core.errors import FormatError, MarginError
from margin.core.project import Project

BUILTIN_FIELDS = ("document", "speaker", "participant", "paragraph", "group")
_EMPTY: Mapping[str, Any] = {}


class _Source:
    """A snapshot of what a document says about its segments: text, paragraph starts, variables,
    speakers, and (filled on demand) each paragraph's speaker and participant."""

    __slots__ = ("doc_id", "front_matter", "speakers", "starts", "text", "turns", "variables")

    def __init__(self, doc: Document) -> None:
        meta = doc.meta  # first, so that a front matter error leaves nothing half made
        self.doc_id = doc.id
        self.text = doc.text
        self.front_matter = doc.front_matter
        self.starts = doc.paragraph_starts
        self.variables: Mapping[str, Any] = {k: v for k, v in meta.items() if k != "speakers"}
        self.speakers = doc.speakers
        self.turns: dict[int, tuple[str | None, str | None]] = {}

    def fresh(self, doc: Document) -> bool:
        return doc.text is self.text and doc.front_matter is self.front_matter and doc.id == self.doc_id

    def turn(self, doc: Document, index: int) -> tuple[str | None, str | None]:
        """Speaker and participant of paragraph ``index`` (0-based)."""
        found = self.turns.get(index)
        if found is None:
            speaker = doc.turn(index).speaker
            found = self.turns[index] = (speaker, self.speakers.get(speaker) if speaker else None)
        return found


_SOURCES: WeakKeyDictionary[Document, _Source] = WeakKeyDictionary()


def _source(doc: Document) -> _Source:
    source = _SOURCES.get(doc)
    if source is None or not source.fresh(doc):
        source = _SOURCES[doc] = _Source(doc)
    return source


class Fields:
    """A segment's fields by name: participant attribute, else document variable, else built-in."""

    __slots__ = ("attributes", "document", "paragraph", "participant", "speaker", "variables")

    def __init__(
        self,
        attributes: Mapping[str, Any],
        variables: Mapping[str, Any],
        document: str,
        paragraph: int,
        speaker: str | None,
        participant: str | None,
    ) -> None:
        self.attributes = attributes
        self.variables = variables
        self.document = document
        self.paragraph = paragraph
        self.speaker = speaker
        self.participant = participant

    def __call__(self, name: str) -> Any:
        if name in self.attributes:
            return self.attributes[name]
        if name in self.variables:
            return self.variables[name]
        if name == "document":
            return self.document
        if name == "speaker":
            return self.speaker
        if name == "participant":
            return self.participant
        if name == "paragraph":
            return self.paragraph
        if name == "group":
            return self.document.rpartition("/")[0]
        return None


class Segment:
    """One retrieved segment: the coding as it was when retrieved, and its source.

    ``paragraph`` counts from 1; ``start``/``end`` are code points into the document's plain text.
    """

    __slots__ = ("_people", "_source", "citation", "coding", "paragraph", "participant", "speaker")

    def __init__(
        self,
        source: _Source,
        coding: Coding,
        paragraph: int,
        speaker: str | None,
        participant: str | None,
        people: Mapping[str, Mapping[str, Any]],
        citation: str,
    ) -> None:
        self._source = source
        self._people = people
        self.coding = coding
        self.paragraph = paragraph
        self.speaker = speaker
        self.participant = participant
        self.citation = citation

    def __repr__(self) -> str:
        return f"Segment({self.document} {self.start}-{self.end} {','.join(self.codes)})"

    @property
    def document(self) -> str:
        return self._source.doc_id

    @property
    def group(self) -> str:
        return self._source.doc_id.rpartition("/")[0]

    @property
    def start(self) -> int:
        return self.coding.start

    @property
    def end(self) -> int:
        return self.coding.end

    @property
    def codes(self) -> tuple[str, ...]:
        return self.coding.codes

    @property
    def memo(self) -> str | None:
        return self.coding.memo

    @property
    def text(self) -> str:
        return self._source.text[self.coding.start : self.coding.end]

    @property
    def attributes(self) -> Mapping[str, Any]:
        """The participant's attributes (empty when the speaker is not a participant)."""
        return self._people.get(self.participant, _EMPTY) if self.participant else _EMPTY

    @property
    def variables(self) -> Mapping[str, Any]:
        """The document variables (front matter without ``speakers``)."""
        return self._source.variables

    @property
    def context(self) -> Context:
        return Context.within(self._source.text, self._source.starts, self.coding.start, self.coding.end)

    @property
    def fields(self) -> Fields:
        return Fields(
            self.attributes, self.variables, self.document, self.paragraph, self.speaker, self.participant
        )

    def field(self, name: str) -> Any:
        """A field's value: participant attribute, else document variable, else built-in (or None)."""
        return self.fields(name)

    def record(self) -> dict[str, Any]:
        """The segment as plain data (JSON-ready: dates and other values as text)."""
        return {
            "document": self.document,
            "group": self.group,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "speaker": self.speaker,
            "participant": self.participant,
            "codes": list(self.codes),
            "memo": self.memo,
            "text": self.text,
            "citation": self.citation,
            "context": self.context.marked(),
            "attributes": {k: _json(v) for k, v in self.attributes.items()},
            "variables": {k: _json(v) for k, v in self.variables.items()},
        }


def _json(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return plain_value(value)


@dataclass
class Retrieval:
    """The answer to a retrieval: the segments in document order, and what the user should know."""

    codes: tuple[str, ...]
    """The codes asked for (current slugs)."""
    searched: frozenset[str]
    """Every slug a segment may carry to be retrieved: the codes, their subcodes if asked, their aliases."""
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[FormatError] = field(default_factory=list)
    """Documents that could not be read (their segments are missing)."""

    @property
    def document_count(self) -> int:
        return len({s.document for s in self.segments})


def resolve_codes(project: Project, names: Sequence[str], subcodes: bool) -> tuple[tuple[str, ...], set[str]]:
    """The asked codes as current slugs, and every slug that retrieves them (subcodes, aliases).

    A name the codebook does not know is kept as it is (documents may use codes missing from the
    codebook); ``retrieve`` refuses it when no segment carries it either.
    """
    codebook = project.codebook
    if not names:
        raise MarginError("name at least one code — `margin codes` lists them")
    asked: list[str] = []
    for name in names:
        slug = codebook.resolve(name) or name
        if slug not in asked:
            asked.append(slug)
    wanted = set(asked)
    if subcodes:
        for slug in asked:
            if slug in codebook.codes:
                wanted.update(codebook.descendants(slug))
    wanted.update(alias for alias, slug in codebook.aliases.items() if slug in wanted)
    return tuple(asked), wanted


class _Citations:
    """Citations from the template: rendered once per (document, speaker) — per paragraph too if the
    template uses it — and the fields that had no value, for one warning per field."""

    def __init__(self, template: CitationTemplate, people: Mapping[str, Mapping[str, Any]]) -> None:
        self.template = template
        self.people = people
        self.by_paragraph = "paragraph" in template.fields
        self.lacking: dict[tuple[str, str | None, int], tuple[str, ...]] = {}

    def render(self, source: _Source, paragraph: int, speaker: str | None, pid: str | None) -> str:
        attributes = self.people.get(pid, _EMPTY) if pid else _EMPTY
        fields = Fields(attributes, source.variables, source.doc_id, paragraph, speaker, pid)
        text, missing = self.template.render(fields)
        if missing:
            self.lacking[(source.doc_id, speaker, paragraph if self.by_paragraph else 0)] = missing
        return text

    def warnings(self, segments: list[Segment]) -> list[str]:
        if not self.lacking:
            return []
        missing: dict[str, tuple[int, str]] = {}  # field -> (segments, first place)
        for s in segments:
            key = (s.document, s.speaker, s.paragraph if self.by_paragraph else 0)
            for name in self.lacking.get(key, ()):
                count, first = missing.get(name, (0, ""))
                first = first or f"{s.document} ¶{s.paragraph}" + (
                    f", speaker {s.speaker}" if s.speaker else ""
                )
                missing[name] = (count + 1, first)
        return [
            f"citation field '{name}' has no value for {count} segment{'s' if count != 1 else ''} "
            f"(first: {first}); it is shown as '?' — give it a value as a participant attribute "
            "(participants.yaml) or a document variable (front matter), or change `citation:` in margin.yaml"
            for name, (count, first) in missing.items()
        ]


def known_fields(project: Project, documents: Iterable[Document]) -> dict[str, set[str]]:
    """Every field a filter may name, with the values it takes (as text) in the project."""
    fields: dict[str, set[str]] = {name: set() for name in BUILTIN_FIELDS}
    for name, definition in project.participants.attributes.items():
        fields.setdefault(name, set()).update(definition.values)
    for attributes in project.participants.people.values():
        for name, value in attributes.items():
            fields.setdefault(name, set()).update(_texts(value))
    for doc in documents:
        try:
            meta = doc.meta
        except FormatError:
            continue  # retrieval reports the document if it has segments
        for name, value in meta.items():
            if name != "speakers":
                fields.setdefault(name, set()).update(_texts(value))
        fields["group"].add(doc.group)
        fields["document"].add(doc.id)
        fields["speaker"].update(doc.speakers)
        fields["participant"].update(p for p in doc.speakers.values() if p)
    return fields


def _texts(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        return []
    text = plain_value(value)
    return [text.lower() if isinstance(value, bool) else text] if text is not None else []


def _check_conditions(project: Project, filters: Filters, documents: list[Document]) -> list[str]:
    """Unknown fields are an error (a typo); values no segment can have are a warning."""
    if not filters.conditions:
        return []
    fields = known_fields(project, documents)
    for key in filters.fields():
        if key not in fields:
            otherwise = (
                " — fields are participant attributes, document variables, and document, speaker, "
                "participant, paragraph, group"
            )
            raise MarginError(f"no field '{key}' in this project{did_you_mean(key, fields, otherwise)}")
    warnings = []
    for condition in filters.conditions:
        if not isinstance(condition, Equals) or condition.key == "paragraph":
            continue
        values = fields[condition.key]
        if values and condition.value not in values:
            listed = f" (its values: {', '.join(sorted(values)[:12])})"
            warnings.append(
                f"no document or participant has {condition}{did_you_mean(condition.value, values, listed)}"
            )
    return warnings


def retrieve(
    project: Project,
    codes: Sequence[str],
    *,
    subcodes: bool = False,
    filters: Filters | None = None,
    template: CitationTemplate | None = None,
) -> Retrieval:
    """Every coded segment carrying one of ``codes`` (with ``subcodes``: or a code below one), in
    document order, that passes ``filters``. Documents that cannot be read are skipped and listed."""
    filters = filters or Filters()
    asked, wanted = resolve_codes(project, codes, subcodes)
    template = template or project_template(project.settings, project.root)
    result = Retrieval(asked, frozenset(wanted))
    documents: list[Document] = []
    for doc_id in project.document_ids():
        if filters.admits_document(doc_id):
            try:
                documents.append(project.document(doc_id))
            except FormatError as exc:
                result.skipped.append(exc)
    result.warnings.extend(_check_conditions(project, filters, documents))
    people = project.participants.people
    citations = _Citations(template, people)
    by_paragraph = citations.by_paragraph
    conditions = filters.conditions
    per_paragraph = "paragraph" in filters.fields()
    isdisjoint = wanted.isdisjoint
    append = result.segments.append
    for doc in documents:
        source: _Source | None = None
        cited: dict[object, str] = {}  # speaker (and paragraph) -> citation, in this document
        admitted: dict[object, bool] = {}  # speaker (and paragraph) -> passes the conditions
        first = last = 0  # the current paragraph's span: most segments share their paragraph
        for coding in doc.codings:
            if isdisjoint(coding.codes):
                continue
            if source is None:
                try:
                    source = _source(doc)
                except FormatError as exc:
                    result.skipped.append(exc)
                    break
                starts, turns, bound = source.starts, source.turns, len(source.text) + 1
            start = coding.start
            if not first <= start < last:
                index = bisect.bisect_right(starts, start) - 1
                first = starts[index]
                last = starts[index + 1] if index + 1 < len(starts) else bound
                speaker, pid = turns.get(index) or source.turn(doc, index)
            segment = Segment(source, coding, index + 1, speaker, pid, people, "")
            if conditions:
                key: object = (speaker, index) if per_paragraph else speaker
                passes = admitted.get(key)
                if passes is None:
                    passes = admitted[key] = filters.admits(segment.fields)
                if not passes:
                    continue
            key = (speaker, index) if by_paragraph else speaker
            citation = cited.get(key)
            if citation is None:
                citation = cited[key] = citations.render(source, index + 1, speaker, pid)
            segment.citation = citation
            append(segment)
    _check_unknown(project, result)
    if not result.segments and not subcodes:
        result.warnings.extend(
            f"'{slug}' has no segments of its own; ask with its subcodes to see theirs"
            for slug in asked
            if slug in project.codebook.codes and project.codebook.code(slug).children
        )
    result.warnings.extend(citations.warnings(result.segments))
    result.warnings.extend(
        f"{exc} — its segments are not included (`margin check` lists every problem)"
        for exc in result.skipped
    )
    return result


def _check_unknown(project: Project, result: Retrieval) -> None:
    """A code that is neither in the codebook nor on any retrieved segment is most likely a typo."""
    codebook = project.codebook
    for slug in result.codes:
        if slug in codebook.codes or any(slug in s.codes for s in result.segments):
            continue
        hint = did_you_mean(slug, [*codebook.codes, *codebook.aliases], " — `margin codes` lists the codes")
        raise MarginError(f"unknown code '{slug}'{hint}")
