"""The demo study's earlier states, derived from its final files with the facts of margin.demo.story: the
transcripts as imported, the first codebook, QUAL1's coding before the merge, QUAL2's open coding, and
each coder's blind coding in the calibration round."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from margin.core.codebook import Codebook
from margin.core.coding import Coding
from margin.core.document import Document, serialise_document
from margin.core.errors import MarginError
from margin.core.project import Project
from margin.demo import story


class StoryError(MarginError):
    """The final files no longer fit the story told about them."""


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _cut(text: str, marker: str, where: str) -> str:
    """``text`` up to the line that starts with ``marker``."""
    at = text.find("\n" + marker)
    if at < 0:
        raise StoryError(f"{where} has no line starting with {marker.strip()!r}, where the story cuts it")
    return text[: at + 1]


# --- the files as they were at the start --------------------------------------------------------------
def imported(doc: Document) -> str:
    """A transcript as it was imported: its front matter and text without codings, with its typos."""
    text = doc.text
    right, wrong = story.TYPOS.get(doc.id, ("", ""))
    if right:
        if text.count(right) != 1:
            raise StoryError(f"documents/{doc.id}.txt should hold {right!r} once (a typo fixed while coding)")
        text = text.replace(right, wrong)
    return serialise_document(Document(doc.id, text, [], doc.front_matter, doc.final_newline))


def typo_fix(doc: Document) -> tuple[int, str] | None:
    """The paragraph with the document's typo and its corrected text (None: no typo)."""
    right, wrong = story.TYPOS.get(doc.id, ("", ""))
    for index in range(doc.paragraph_count):
        paragraph = doc.paragraph(index)
        if wrong and wrong in paragraph:
            return index, paragraph.replace(wrong, right)
    return None


def first_codebook(final: str) -> str:
    """QUAL1's first codebook: the final tree without the codes made later, the aliases and the code sets,
    with the first slugs, labels and fields."""
    codebook = Codebook.parse(final)
    for slug in list(codebook.sets):
        codebook.remove_set(slug)
    for slug in (*story.QUAL2_CODES_IN_QUAL1, *story.CREATED_IN_QUAL1):
        codebook.remove(slug)
    for slug, code in list(codebook.codes.items()):
        for alias in code.aliases:
            codebook.remove_alias(slug, alias)
    for slug, fields in story.EARLY_FIELDS.items():
        if slug in codebook.codes:
            codebook.update(slug, **fields)
    for slug, (old, label) in story.RENAMED.items():
        codebook.reslug(slug, old, keep_alias=False)
        codebook.update(old, label=label)
    return codebook.dump()


def qual1_participants(final: str) -> str:
    """participants.yaml before QUAL2's participants were added (they come last)."""
    return _cut(final, "  # QUAL2", "participants.yaml")


def first_project_memo(final: str) -> str:
    """The project memo as written at the start: its question and QUAL1's design."""
    return _cut(final, "- **QUAL2", "memos/project.md")


# --- codings at each stage ----------------------------------------------------------------------------
def late_memo(doc_id: str, memo: str | None) -> bool:
    """Whether a segment memo was written after the merge of the code trees (it says so, or it names a code
    the merge brought into a QUAL1 transcript)."""
    if not memo:
        return False
    if "merge" in memo.lower():
        return True
    return doc_id.startswith("qual1/") and any(slug in memo for slug in story.QUAL2_CODES_IN_QUAL1)


def qual1_coding(doc_id: str, coding: Coding) -> Coding:
    """A QUAL1 coding as it was before all transcripts were recoded with the merged tree."""
    codes = _unique(story.QUAL2_CODES_IN_QUAL1.get(code, code) for code in coding.codes)
    memo = None if late_memo(doc_id, coding.memo) else coding.memo
    return Coding(coding.start, coding.end, codes, memo)


def open_coding(doc_id: str, coding: Coding) -> Coding | None:
    """A QUAL2 coding as it was coded inductively, with QUAL2's open codes (None: coded only later, with
    the merged tree)."""
    open_code = {
        code.target if code.action == "map-to" else code.slug: code.slug for code in story.OPEN_CODES
    }
    codes = _unique(open_code[code] for code in coding.codes if code in open_code)
    if not codes:
        return None
    memo = None if late_memo(doc_id, coding.memo) else coding.memo
    return Coding(coding.start, coding.end, codes, memo)


def blind_coding(doc: Document, codings: Sequence[Coding], codebook: Codebook, coder: str) -> list[Coding]:
    """One coder's blind coding of a transcript in the calibration round: the team's coding (in the
    codebook of the time) with that coder's own omissions, wider segments and neighbouring codes."""
    chance = random.Random(f"{coder}:{doc.id}")
    found: dict[tuple[int, int], tuple[str, ...]] = {}
    for coding in codings:
        codes = tuple(c for c in (_as_then(codebook, code) for code in coding.codes) if c is not None)
        roll = chance.random()
        if not codes or roll < 0.2:
            continue
        start, end = coding.start, coding.end
        if roll < 0.4:
            start, end = _whole_turn(doc, start, end)
        elif roll < 0.55:
            codes = (_neighbour(codebook, codes[0], chance), *codes[1:])
        found[(start, end)] = _unique((*found.get((start, end), ()), *codes))
    return sorted((Coding(s, e, codes) for (s, e), codes in found.items()), key=Coding.sort_key)


def _as_then(codebook: Codebook, slug: str) -> str | None:
    """A final slug as the codebook of the time names it (None: the code did not exist yet)."""
    if codebook.resolve(slug) is not None:
        return codebook.resolve(slug)
    old = story.RENAMED.get(slug)
    return codebook.resolve(old[0]) if old else None


def in_tree(codebook: Codebook, codes: Iterable[str]) -> tuple[str, ...]:
    """The codes (final slugs) that the codebook of the time has, as it names them."""
    return _unique(c for c in (_as_then(codebook, code) for code in codes) if c is not None)


def _whole_turn(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The whole speaker turn a segment lies in (the segment itself if it runs over several)."""
    index = doc.paragraph_of(start)
    if doc.paragraph_of(max(start, end - 1)) != index:
        return start, end
    first, last = doc.paragraph_span(index)
    return min(start, first + doc.turn(index).text_start), last


def _neighbour(codebook: Codebook, slug: str, chance: random.Random) -> str:
    """A codable sibling of a code (the code itself if it has none)."""
    parent = codebook.codes[slug].parent
    siblings = codebook.children(parent) if parent is not None else codebook.roots()
    choices = sorted(s for s in siblings if s != slug and codebook.codes[s].codable)
    return chance.choice(choices) if choices else slug


# --- the final files ----------------------------------------------------------------------------------
class Final:
    """The study's final files (projects/peer-support)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = Project.load(root)

    def text(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def files(self) -> list[str]:
        """Every file of the project, relative to it."""
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.root).parts)
        )

    def document(self, doc_id: str) -> Document:
        return self.project.document(doc_id)

    def codings(self, doc_id: str) -> list[Coding]:
        return list(self.document(doc_id).codings)

    def qual1(self, doc_id: str) -> list[Coding]:
        return [qual1_coding(doc_id, c) for c in self.codings(doc_id)]

    def open_coded(self, doc_id: str) -> list[Coding]:
        return [c for c in (open_coding(doc_id, c) for c in self.codings(doc_id)) if c is not None]
