"""Operations that change a project. Every interface (CLI, app, merge) goes through these.

Each operation validates first, then changes the in-memory project, writes the files atomically and
returns a ``Change``: the states before and after of what it touched, from which undo (``revert``), redo
(``replay``) and session summaries are made.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from margin.core.coding import Coding
from margin.core.document import Document
from margin.core.errors import CodedWordsLost, OperationError
from margin.core.markup import MAX_OVERLAP, TOO_MANY_CODINGS, overlap
from margin.core.project import DOCUMENTS, Project
from margin.core.textfile import read_bytes
from margin.core.textmap import kept_ranges, offset_map
from margin.core.usertext import Kind, check_text

_WORD = re.compile(r"\w")
"""A letter or digit: a coding that keeps none of them has lost its words."""
_CONTENT = (_WORD, re.compile(r"\S"), re.compile(r".", re.DOTALL))
"""What a coding must keep not to lose its words: a word, else (it codes punctuation) a character other
than a space, else (it codes spaces) any character."""


@dataclass(frozen=True, slots=True)
class DocState:
    """A document's content at one moment (front matter, plain text, codings)."""

    text: str
    codings: tuple[Coding, ...]
    front_matter: str | None

    @classmethod
    def of(cls, doc: Document) -> DocState:
        return cls(doc.text, tuple(doc.codings), doc.front_matter)


@dataclass(frozen=True)
class Change:
    """What one operation did: a summary, and the before/after states of every file it touched."""

    action: str
    summary: str
    documents: dict[str, tuple[DocState, DocState]] = field(default_factory=dict)
    codebook: tuple[str, str] | None = None
    participants: tuple[str, str] | None = None

    def inverse(self) -> Change:
        return Change(
            self.action,
            "undo: " + self.summary,
            {k: (after, before) for k, (before, after) in self.documents.items()},
            (self.codebook[1], self.codebook[0]) if self.codebook else None,
            (self.participants[1], self.participants[0]) if self.participants else None,
        )


def replay(project: Project, change: Change) -> None:
    """Bring the project to the 'after' side of ``change`` (used for redo, and for undo via ``inverse``)."""
    from margin.core.codebook import Codebook
    from margin.core.participants import Participants

    if change.codebook is not None:
        project.codebook = Codebook.parse(change.codebook[1])
    if change.participants is not None:
        project.participants = Participants.parse(change.participants[1])
    documents = []
    for doc_id, (_, after) in change.documents.items():
        doc = project.document(doc_id)
        doc.set_text(after.text)
        doc.set_front_matter(after.front_matter)
        doc.codings = list(after.codings)
        documents.append(doc)
    project.save(
        codebook=change.codebook is not None,
        participants=change.participants is not None,
        documents=documents,
    )


def revert(project: Project, change: Change) -> Change:
    inverse = change.inverse()
    replay(project, inverse)
    return inverse


class History:
    """Undo and redo stacks of changes, across documents and the codebook.

    ``listeners`` are called with every change that reaches the project through the history — recorded,
    undone (with the inverse change) or redone — so views can follow what changed.
    """

    def __init__(self) -> None:
        self.done: list[Change] = []
        self.undone: list[Change] = []
        self.listeners: list[Callable[[Change], None]] = []

    def _tell(self, change: Change) -> None:
        for listener in list(self.listeners):
            listener(change)

    def record(self, change: Change) -> Change:
        self.done.append(change)
        self.undone.clear()
        self._tell(change)
        return change

    def undo(self, project: Project) -> Change | None:
        if not self.done:
            return None
        change = self.done.pop()
        inverse = revert(project, change)
        self.undone.append(change)
        self._tell(inverse)
        return change

    def redo(self, project: Project) -> Change | None:
        if not self.undone:
            return None
        change = self.undone.pop()
        replay(project, change)
        self.done.append(change)
        self._tell(change)
        return change


# --- helpers ------------------------------------------------------------------------------------------
def snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """The words of ``text[start:end]`` on one line, cut to ``width`` characters with '…'. Only the first
    few times ``width`` characters are read, so a long span costs no more than a short one."""
    stop = min(end, start + 4 * width)
    words = " ".join(text[start:stop].split())
    return words if len(words) <= width and stop == end else words[: width - 1] + "…"


def where(doc: Document, start: int) -> str:
    return f"{doc.id} ¶{doc.paragraph_of(start) + 1}"


def _resolve_codes(project: Project, codes: Iterable[str]) -> tuple[str, ...]:
    resolved: list[str] = []
    for name in codes:
        slug = project.codebook.resolve(name)
        if slug is None:
            from rapidfuzz import process

            guess = process.extractOne(name, list(project.codebook.codes))
            hint = f" (did you mean '{guess[0]}'?)" if guess and guess[1] >= 70 else ""
            raise OperationError(f"unknown code '{name}'{hint} — add it first with `margin code add {name}`")
        code = project.codebook.get(slug)
        if code is not None and not code.codable:
            raise OperationError(
                f"'{slug}' is a grouping code and cannot be applied — apply one of its subcodes"
            )
        if slug not in resolved:
            resolved.append(slug)
    if not resolved:
        raise OperationError("name at least one code")
    return tuple(resolved)


def _check_span(doc: Document, start: int, end: int) -> None:
    if not 0 <= start < end <= len(doc.text):
        raise OperationError(
            f"the span {start}–{end} is not within {doc.id} (0–{len(doc.text)}) or is empty — "
            "offsets are code points into the plain text (see `margin coding list`)"
        )


def _find(doc: Document, start: int, end: int) -> int:
    for i, c in enumerate(doc.codings):
        if c.start == start and c.end == end:
            return i
        if c.start > start:
            break
    return -1


def _insert(doc: Document, coding: Coding) -> None:
    bisect.insort_right(doc.codings, coding, key=Coding.sort_key)


def _doc_change(project: Project, action: str, summary: str, doc: Document, before: DocState) -> Change:
    project.save_document(doc)
    return Change(action, summary, {doc.id: (before, DocState.of(doc))})


# --- codings ------------------------------------------------------------------------------------------
def apply_codes(
    project: Project, doc_id: str, start: int, end: int, codes: Sequence[str], memo: str | None = None
) -> Change:
    """Apply codes to ``[start, end)``: added to a coding of exactly that span, or a new coding."""
    doc = project.document(doc_id)
    _check_span(doc, start, end)
    slugs = _resolve_codes(project, codes)
    memo = memo or None
    if memo is not None:
        check_text(memo, Kind.LINES, "the memo")
    before = DocState.of(doc)
    i = _find(doc, start, end)
    if i >= 0:
        old = doc.codings[i]
        merged = old.codes + tuple(s for s in slugs if s not in old.codes)
        new_memo = memo if memo is not None else old.memo
        if merged == old.codes and new_memo == old.memo:
            raise OperationError(f"those words already carry {', '.join(slugs)}")
        doc.codings[i] = Coding(start, end, merged, new_memo, old.label)
    else:
        if overlap(doc.codings, start, end) >= MAX_OVERLAP:
            raise OperationError(TOO_MANY_CODINGS)
        _insert(doc, Coding(start, end, slugs, memo))
    summary = f"+ {', '.join(slugs)} on '{snippet(doc.text, start, end)}' ({where(doc, start)})"
    return _doc_change(project, "coding.apply", summary, doc, before)


def remove_coding(
    project: Project, doc_id: str, start: int, end: int, codes: Sequence[str] | None = None
) -> Change:
    """Remove the coding of exactly ``[start, end)``, or only some of its codes."""
    doc = project.document(doc_id)
    i = _find(doc, start, end)
    if i < 0:
        raise OperationError(
            f"no coding spans exactly {start}–{end} in {doc_id} — `margin coding list {doc_id}` shows them"
        )
    before = DocState.of(doc)
    old = doc.codings[i]
    if codes:
        names = {project.codebook.resolve(c) or c for c in codes}
        missing = names - set(old.codes)
        if missing:
            raise OperationError(
                f"that coding has no code {', '.join(sorted(missing))} (it has {', '.join(old.codes)})"
            )
        keep = tuple(c for c in old.codes if c not in names)
    else:
        keep = ()
    removed = [c for c in old.codes if c not in keep]
    if keep:
        doc.codings[i] = Coding(old.start, old.end, keep, old.memo, old.label)
    else:
        del doc.codings[i]
    summary = f"- {', '.join(removed)} on '{snippet(doc.text, start, end)}' ({where(doc, start)})"
    return _doc_change(project, "coding.remove", summary, doc, before)


_KEEP = object()


def change_coding(
    project: Project,
    doc_id: str,
    start: int,
    end: int,
    *,
    codes: Sequence[str] | None = None,
    new_start: int | None = None,
    new_end: int | None = None,
    memo: str | object | None = _KEEP,
) -> Change:
    """Change a coding's codes, its boundaries (widen or narrow) or its memo."""
    doc = project.document(doc_id)
    i = _find(doc, start, end)
    if i < 0:
        raise OperationError(f"no coding spans exactly {start}–{end} in {doc_id}")
    before = DocState.of(doc)
    old = doc.codings[i]
    s = old.start if new_start is None else new_start
    e = old.end if new_end is None else new_end
    _check_span(doc, s, e)
    slugs = _resolve_codes(project, codes) if codes is not None else old.codes
    new_memo = old.memo if memo is _KEEP else (str(memo) if memo else None)
    if new_memo is not None:
        check_text(new_memo, Kind.LINES, "the memo")
    new = Coding(s, e, slugs, new_memo, old.label)
    if new == old:
        raise OperationError("nothing to change")
    if overlap((c for k, c in enumerate(doc.codings) if k != i), s, e) >= MAX_OVERLAP:
        raise OperationError(TOO_MANY_CODINGS)
    del doc.codings[i]
    j = _find(doc, s, e)
    if j >= 0:  # the new span is already coded: one segment, the union of codes
        other = doc.codings[j]
        union = other.codes + tuple(c for c in slugs if c not in other.codes)
        doc.codings[j] = Coding(s, e, union, _join_memos(other.memo, new_memo), other.label)
    else:
        _insert(doc, new)
    parts = []
    if slugs != old.codes:
        parts.append(f"{', '.join(old.codes)} → {', '.join(slugs)}")
    if (s, e) != (old.start, old.end):
        parts.append(f"'{snippet(doc.text, old.start, old.end)}' → '{snippet(doc.text, s, e)}'")
    if new_memo != old.memo:
        parts.append("memo")
    summary = f"~ {'; '.join(parts)} ({where(doc, s)})"
    return _doc_change(project, "coding.change", summary, doc, before)


def _join_memos(a: str | None, b: str | None) -> str | None:
    if a and b and a != b:
        return a + "\n" + b
    return a or b


# --- text ---------------------------------------------------------------------------------------------
def edit_text(
    project: Project, doc_id: str, paragraph: int, new_text: str, *, confirmed: bool = False
) -> Change:
    """Replace paragraph ``paragraph``'s text (e.g. to fix a transcription error); codings keep their words.

    A coding whose words are all deleted, or all replaced by other words, is not carried along silently:
    the edit raises CodedWordsLost naming them, and goes ahead only when ``confirmed`` — then the codings
    whose words were deleted are dropped and those whose words were replaced code the new words.
    """
    doc = project.document(doc_id)
    if not 0 <= paragraph < doc.paragraph_count:
        raise OperationError(f"{doc_id} has paragraphs 1–{doc.paragraph_count}, not {paragraph + 1}")
    _check_paragraph(doc, paragraph, new_text)
    ps, pe = doc.paragraph_span(paragraph)
    old_text = doc.text[ps:pe]
    if old_text == new_text:
        raise OperationError("the text is unchanged")
    mapping = offset_map(old_text, new_text)
    kept = kept_ranges(old_text, new_text)
    delta = len(new_text) - len(old_text)
    text = doc.text[:ps] + new_text + doc.text[pe:]

    def move(pos: int, is_start: bool) -> int:
        if pos < ps or (pos == ps and not is_start):
            return pos
        if pos > pe:
            return pos + delta
        return ps + mapping(pos - ps, is_start)

    def keeps(c: Coding, content: re.Pattern[str]) -> bool:
        """Whether the edit keeps some of ``c``'s content (its words: letters or digits)."""
        if content.search(doc.text, c.start, ps) or content.search(doc.text, pe, c.end):
            return True  # words outside the paragraph
        s, e = max(c.start, ps) - ps, min(c.end, pe) - ps
        return any(content.search(old_text, max(a, s), min(b, e)) for a, b in kept if a < e and s < b)

    moved: list[Coding] = []
    deleted: list[Coding] = []
    replaced: list[tuple[Coding, Coding]] = []
    for c in doc.codings:
        new = Coding(move(c.start, True), move(c.end, False), c.codes, c.memo, c.label)
        if c.end <= ps or c.start >= pe:  # not in this paragraph
            moved.append(new)
            continue
        content = next(p for p in _CONTENT if p.search(doc.text, c.start, c.end))  # its words, else …
        if new.start < new.end and keeps(c, content):
            moved.append(new)
        elif new.start < new.end and content.search(text, new.start, new.end):
            replaced.append((c, new))
            moved.append(new)
        else:  # nothing left of it, or only spaces and punctuation
            deleted.append(c)
    if (deleted or replaced) and not confirmed:
        raise CodedWordsLost(_lost_words(doc, text, deleted, replaced), deleted, replaced)
    before = DocState.of(doc)
    doc.set_text(text)
    moved.sort(key=Coding.sort_key)
    doc.codings = moved
    summary = f"text edit in {doc.id} ¶{paragraph + 1}: '{snippet(old_text, 0, len(old_text))}' → '{snippet(new_text, 0, len(new_text))}'"
    return _doc_change(project, "text.edit", summary, doc, before)


def _lost_words(
    doc: Document, text: str, deleted: Sequence[Coding], replaced: Sequence[tuple[Coding, Coding]]
) -> str:
    parts = []
    if deleted:
        these = "; ".join(f"{', '.join(c.codes)} on '{snippet(doc.text, c.start, c.end)}'" for c in deleted)
        parts.append(f"deletes all the words of {len(deleted)} coding(s): {these}")
    if replaced:
        these = "; ".join(
            f"{', '.join(c.codes)} on '{snippet(doc.text, c.start, c.end)}' → '{snippet(text, n.start, n.end)}'"
            for c, n in replaced
        )
        parts.append(f"replaces all the words of {len(replaced)} coding(s): {these}")
    return "this edit " + " and ".join(parts) + " — keep some of their words, or remove those codings first"


def _check_paragraph(doc: Document, paragraph: int, text: str) -> None:
    """Refuse a paragraph text that would not read back as that paragraph: characters a line may not hold,
    a line longer than a file may have, a line that reads as a conflict marker or opens front matter."""
    from margin.core.conflict_blocks import first_conflict_line
    from margin.core.textfile import MAX_LINE

    check_text(text, Kind.LINE, "the new text")
    if len(text) > MAX_LINE:
        raise OperationError(
            f"the new text has {len(text):,} characters, more than a paragraph may have ({MAX_LINE:,}) — "
            "split it into paragraphs in an editor"
        )
    if first_conflict_line(text):
        raise OperationError(
            "a paragraph that starts with seven '<', '|', '=' or '>' reads as a merge conflict marker — "
            "write it otherwise (e.g. with a space first)"
        )
    if paragraph == 0 and doc.front_matter is None and text == "---":
        raise OperationError(
            "a first paragraph '---' would read as the start of the front matter — write it otherwise"
        )


# --- codes in the codebook ----------------------------------------------------------------------------
def _check_fields(fields: Mapping[str, object], whose: str) -> None:
    """Check the text of code or set fields: a label is one line, a description, definition, … may hold
    line breaks. (The codebook itself takes any text a file holds: a merge carries what teammates wrote.)"""
    for name, value in fields.items():
        if isinstance(value, str):
            check_text(value, Kind.LINE if name == "label" else Kind.LINES, f"{whose} {name}")


def _codebook_change(
    project: Project,
    action: str,
    summary: str,
    before: str,
    documents: dict[str, tuple[DocState, DocState]] | None = None,
) -> Change:
    return Change(action, summary, documents or {}, (before, project.codebook.dump()))


def _rewrite(
    project: Project, slugs: set[str], recode: Callable[[tuple[str, ...]], tuple[str, ...]]
) -> dict[str, tuple[DocState, DocState]]:
    """Recode every coding that names one of ``slugs``; codings left with no code vanish, and codings of
    the same span collapse into one. Returns the touched documents (not yet saved)."""
    changed: dict[str, tuple[DocState, DocState]] = {}
    needles = [s.encode() for s in slugs]
    for doc_id in project.document_ids():
        if doc_id not in project.loaded_documents():
            raw = read_bytes(project.document_path(doc_id), f"{DOCUMENTS}/{doc_id}.txt")
            if not any(n in raw for n in needles):
                continue
        doc = project.document(doc_id)
        if not any(slugs.intersection(c.codes) for c in doc.codings):
            continue
        before = DocState.of(doc)
        merged: dict[tuple[int, int], Coding] = {}
        order: list[tuple[int, int]] = []
        for c in doc.codings:
            codes = recode(c.codes) if slugs.intersection(c.codes) else c.codes
            codes = tuple(dict.fromkeys(codes))
            if not codes:
                continue
            key = (c.start, c.end)
            if key in merged:
                prev = merged[key]
                merged[key] = Coding(
                    c.start,
                    c.end,
                    prev.codes + tuple(x for x in codes if x not in prev.codes),
                    _join_memos(prev.memo, c.memo),
                    prev.label,
                )
            else:
                merged[key] = Coding(c.start, c.end, codes, c.memo, c.label)
                order.append(key)
        doc.codings = [merged[k] for k in order]
        changed[doc_id] = (before, DocState.of(doc))
    return changed


def _save_with_codebook(project: Project, documents: dict[str, tuple[DocState, DocState]]) -> None:
    """Write the codebook and the documents an operation recoded, or nothing (margin.core.disk)."""
    project.save(codebook=True, documents=[project.document(doc_id) for doc_id in documents])


def add_code(
    project: Project,
    slug: str,
    label: str | None = None,
    parent: str | None = None,
    index: int | None = None,
    **fields: object,
) -> Change:
    _check_fields({"label": label, **fields}, "the")
    label = label if label and label.strip() else None  # no label: the code shows its slug
    before = project.codebook.dump()
    project.codebook.add(slug, label or slug, parent=parent, index=index, **fields)
    project.save_codebook()
    where_ = f" under {parent}" if parent else ""
    return _codebook_change(project, "code.add", f"code created: {slug} '{label or slug}'{where_}", before)


def update_code(project: Project, slug: str, **fields: object) -> Change:
    _check_fields(fields, "the")
    _check_label(fields.get("label"), "code")
    before = project.codebook.dump()
    old_label = project.codebook.label(slug)
    project.codebook.update(slug, **fields)
    if project.codebook.dump() == before:
        raise OperationError(f"'{slug}' has {_listed(fields)} already — nothing to change")
    project.save_codebook()
    if set(fields) == {"label"}:
        summary = f"code relabelled: {slug} '{old_label}' → '{fields['label']}'"
    else:
        summary = f"code edited: {slug} ({', '.join(sorted(fields))})"
    return _codebook_change(project, "code.update", summary, before)


def _check_label(label: object, what: str) -> None:
    """Refuse a label that is empty or only spaces: it would show as nothing."""
    if isinstance(label, str) and not label.strip():
        raise OperationError(f"a {what}'s label cannot be empty — give it a label")


def _listed(fields: dict[str, object]) -> str:
    return ", ".join(
        f"{name} {value!r}" if value is not None else f"no {name}" for name, value in fields.items()
    )


def reslug_code(project: Project, old: str, new: str) -> Change:
    """Change a code's slug; every reference is rewritten and the old slug stays as an alias."""
    old = project.codebook.code(old).slug  # named by an alias: the code it names
    if new == old:
        raise OperationError(f"'{old}' is the code's slug already — nothing to change")
    before = project.codebook.dump()
    project.codebook.reslug(old, new)  # written first: until the documents are, the old slug is an alias
    docs = _rewrite(project, {old}, lambda codes: tuple(new if c == old else c for c in codes))
    _save_with_codebook(project, docs)
    return _codebook_change(project, "code.reslug", f"code re-slugged: {old} → {new}", before, docs)


def move_code(project: Project, slug: str, parent: str | None, index: int | None = None) -> Change:
    before = project.codebook.dump()
    code = project.codebook.get(slug)
    old_parent = code.parent if code is not None else None
    project.codebook.move(slug, parent, index)
    project.save_codebook()
    return _codebook_change(
        project,
        "code.move",
        f"code moved: {slug} from {old_parent or 'top level'} to {parent or 'top level'}",
        before,
    )


def merge_codes(project: Project, source: str, target: str) -> Change:
    """Merge ``source`` into ``target``: its codings become target's, duplicates collapse, its children
    move under target, and its slug becomes an alias of target."""
    cb = project.codebook
    for s in (source, target):
        if cb.get(s) is None:
            raise OperationError(f"unknown code '{s}'")
    source, target = cb.code(source).slug, cb.code(target).slug  # an alias names its code
    if source == target:
        raise OperationError("a code cannot be merged into itself")
    if target in cb.descendants(source):
        raise OperationError(f"'{target}' is inside '{source}' — move it out first, or merge the other way")
    before = cb.dump()
    for child in list(cb.children(source)):
        cb.move(child, target)
    for set_slug, code_set in list(cb.sets.items()):
        if source in code_set.codes:
            members = [target if c == source else c for c in code_set.codes]
            cb.set_members(set_slug, list(dict.fromkeys(members)))
    aliases = [source, *cb.get(source).aliases]  # type: ignore[union-attr]
    cb.remove(source)
    for alias in aliases:
        cb.add_alias(target, alias)
    docs = _rewrite(project, {source}, lambda codes: tuple(target if c == source else c for c in codes))
    _save_with_codebook(project, docs)
    return _codebook_change(project, "code.merge", f"code merged: {source} into {target}", before, docs)


def split_code(
    project: Project, slug: str, into: Sequence[str], move_codings_to: str | None = None
) -> Change:
    """Split a code into new subcodes (slugs or labels); optionally move all its codings to one of them."""
    from margin.core.codebook import slugify

    cb = project.codebook
    if cb.get(slug) is None:
        raise OperationError(f"unknown code '{slug}'")
    slug = cb.code(slug).slug  # an alias names its code
    if len(into) < 2:
        raise OperationError("split into at least two new codes")
    for name in into:
        _check_fields({"label": name}, "the")
    before = cb.dump()
    made = []
    for name in into:
        new = slugify(name, set(cb.codes) | {a for c in cb.codes.values() for a in c.aliases})
        cb.add(new, name, parent=slug)
        made.append(new)
    target = None
    if move_codings_to is not None:
        target = cb.resolve(move_codings_to) if cb.resolve(move_codings_to) in made else None
        if target is None:
            target = next((m for m, n in zip(made, into, strict=True) if move_codings_to in (m, n)), None)
        if target is None:
            raise OperationError(f"'{move_codings_to}' is not one of the new codes ({', '.join(made)})")
    docs: dict[str, tuple[DocState, DocState]] = {}
    if target is not None:
        moved_to = target
        docs = _rewrite(project, {slug}, lambda codes: tuple(moved_to if c == slug else c for c in codes))
    _save_with_codebook(project, docs)
    return _codebook_change(project, "code.split", f"code split: {slug} into {', '.join(made)}", before, docs)


def code_usage(project: Project, slug: str) -> tuple[int, int]:
    """How many codings, in how many documents, carry ``slug``."""
    codings = documents = 0
    needle = slug.encode()
    for doc_id in project.document_ids():
        if doc_id not in project.loaded_documents() and needle not in read_bytes(
            project.document_path(doc_id), f"{DOCUMENTS}/{doc_id}.txt"
        ):
            continue
        n = sum(1 for c in project.document(doc_id).codings if slug in c.codes)
        codings += n
        documents += n > 0
    return codings, documents


def delete_code(project: Project, slug: str, *, force: bool = False) -> Change:
    """Delete a code; refused while codings use it unless ``force`` (which removes it from those codings).
    Its subcodes move up to its parent."""
    cb = project.codebook
    if cb.get(slug) is None:
        raise OperationError(f"unknown code '{slug}'")
    slug = cb.code(slug).slug  # an alias names its code
    codings, documents = code_usage(project, slug)
    if codings and not force:
        raise OperationError(
            f"'{slug}' is used by {codings} coding(s) in {documents} document(s) — merge it into another code "
            f"(`margin code merge {slug} TARGET`), or delete it with --force to remove it from those codings"
        )
    before = cb.dump()
    for set_slug, code_set in list(cb.sets.items()):
        if slug in code_set.codes:
            cb.set_members(set_slug, [c for c in code_set.codes if c != slug])
    cb.remove(slug, reparent_children=True)
    docs = _rewrite(project, {slug}, lambda codes: tuple(c for c in codes if c != slug)) if codings else {}
    _save_with_codebook(project, docs)
    extra = f", removed from {codings} coding(s)" if codings else ""
    return _codebook_change(project, "code.delete", f"code deleted: {slug}{extra}", before, docs)


# --- code sets (candidate themes) ---------------------------------------------------------------------
def add_set(
    project: Project, slug: str, label: str, codes: Sequence[str] = (), description: str | None = None
) -> Change:
    """Create a code set, optionally with its first codes."""
    _check_fields({"label": label, "description": description}, "the set's")
    _check_label(label, "set")
    before = project.codebook.dump()
    made = project.codebook.add_set(slug, label, codes, description)
    project.save_codebook()
    members = f" with {', '.join(made.codes)}" if made.codes else ""
    return _codebook_change(project, "set.add", f"code set created: {slug} '{label}'{members}", before)


def update_set(project: Project, slug: str, **fields: str | None) -> Change:
    """Change a set's label or description (None removes the description)."""
    _check_fields(fields, "the set's")
    _check_label(fields.get("label"), "set")
    before = project.codebook.dump()
    project.codebook.update_set(slug, **fields)
    project.save_codebook()
    return _codebook_change(
        project, "set.update", f"code set edited: {slug} ({', '.join(sorted(fields))})", before
    )


def delete_set(project: Project, slug: str) -> Change:
    """Delete a code set; its codes stay in the codebook."""
    before = project.codebook.dump()
    project.codebook.remove_set(slug)
    project.save_codebook()
    return _codebook_change(project, "set.delete", f"code set deleted: {slug}", before)


def add_to_set(project: Project, set_slug: str, code: str) -> Change:
    """Add a code (slug or alias) to a set, at its end."""
    cb = project.codebook
    slug = cb.code(code).slug
    members = _set_members(project, set_slug)
    if slug in members:
        raise OperationError(f"'{slug}' is already in the set '{set_slug}'")
    before = cb.dump()
    cb.set_members(set_slug, [*members, slug])
    project.save_codebook()
    return _codebook_change(project, "set.add-code", f"code set {set_slug}: + {slug}", before)


def remove_from_set(project: Project, set_slug: str, code: str) -> Change:
    """Take a code (slug or alias) out of a set; the code itself stays."""
    cb = project.codebook
    slug = cb.code(code).slug
    members = _set_members(project, set_slug)
    if slug not in members:
        raise OperationError(
            f"'{slug}' is not in the set '{set_slug}' (it holds {', '.join(members) or 'no codes'})"
        )
    before = cb.dump()
    cb.set_members(set_slug, [m for m in members if m != slug])
    project.save_codebook()
    return _codebook_change(project, "set.remove-code", f"code set {set_slug}: - {slug}", before)


def _set_members(project: Project, set_slug: str) -> list[str]:
    cb = project.codebook
    code_set = cb.sets.get(set_slug)
    if code_set is None:
        from margin.core.codebook import did_you_mean

        raise OperationError(
            f"unknown code set '{set_slug}'{did_you_mean(set_slug, cb.sets, ' (create it first)')}"
        )
    return [cb.resolve(c) or c for c in code_set.codes]


# --- attributes ---------------------------------------------------------------------------------------
def set_attribute(project: Project, participant: str, name: str, value: object) -> Change:
    before = project.participants.dump()
    project.participants.set_attribute(participant, name, value)
    project.save_participants()
    return Change(
        "attribute.set",
        f"attribute: {participant}.{name} = {value}",
        {},
        None,
        (before, project.participants.dump()),
    )


def set_document_variable(project: Project, doc_id: str, name: str, value: object) -> Change:
    """Set a document variable in the front matter (keeps the rest of the front matter as it is)."""
    from margin.core.codebook import new_map
    from margin.core.conflict_blocks import first_conflict_line
    from margin.core.document import load_front_matter
    from margin.core.yamlio import dump_round_trip, load_round_trip

    check_text(name, Kind.LINE, "the variable's name")
    _check_values(value, f"the value of '{name}'")
    doc = project.document(doc_id)
    before = DocState.of(doc)
    data = load_round_trip(doc.front_matter or "", doc.id) or new_map()
    if not hasattr(data, "insert"):
        raise OperationError(f"the front matter of {doc_id} is not a mapping")
    if value is None:
        data.pop(name, None)
    else:
        data[name] = value
    raw = dump_round_trip(data) if data else ""
    if first_conflict_line(raw) or "---" in raw.split("\n") or load_front_matter(raw).get(name) != value:
        raise OperationError(
            f"the front matter of {doc_id} would not read back with the variable '{name}' = {value!r} "
            "(it would read as a conflict marker or the end of the front matter) — choose another name or value"
        )
    doc.set_front_matter(raw)
    return _doc_change(project, "document.variable", f"variable: {doc_id} {name} = {value}", doc, before)


def _check_values(value: object, what: str) -> None:
    """Check every text in a YAML value (a list or mapping of them too) as one-line text."""
    if isinstance(value, str):
        check_text(value, Kind.LINE, what)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, what)
            _check_values(item, what)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_values(item, what)
