"""Semantic diff: the decisions between two states of a project file, not the lines.

Pure functions over two states — a document's text and codings, or the texts of codebook.yaml or
participants.yaml — with no git in them, so sessions, history, blame, merge and the app can share them.
Codings are matched by their span after mapping the old offsets through the text changes (the same word
by word mapping a text edit uses), so an edit elsewhere in a document does not read as codings removed
and added.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from margin.core.coding import Coding
from margin.core.errors import FormatError
from margin.core.operations import snippet
from margin.core.textmap import TOKEN, matcher, offset_map, opcodes, positions

DOCUMENTS = "documents/"
CODEBOOK = "codebook.yaml"
PARTICIPANTS = "participants.yaml"
CODEBOOK_FIELDS = ("description", "definition", "include", "exclude", "example", "color", "codable", "memo")


class DocLike(Protocol):
    """What a diff needs of a document state (``Document`` and ``DocState`` both fit)."""

    @property
    def text(self) -> str: ...
    @property
    def codings(self) -> Sequence[Coding]: ...
    @property
    def front_matter(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision: a coding added, removed or changed, a text edit, a code created, … .

    ``line`` is the readable form (``+ presence on 'it was about us' (qual1/int-07 ¶3)``); the other
    fields let scripts and the history filter: ``codes`` holds every code the decision involves,
    ``start``/``end`` the coding's span (in the new state; in the old one for a removal).
    """

    kind: str
    path: str
    line: str
    document: str | None = None
    paragraph: int | None = None
    codes: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None
    before: str | None = None
    after: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": self.path, "text": self.line}
        for name in ("document", "paragraph", "start", "end", "before", "after"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.codes:
            out["codes"] = list(self.codes)
        return out


# --- counting --------------------------------------------------------------------------------------------
@dataclass
class Counts:
    """How many decisions of each kind; the trailers of a session commit hold the first five."""

    codings_added: int = 0
    codings_removed: int = 0
    codings_changed: int = 0
    codes_changed: int = 0
    text_edits: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, decisions: Iterable[Decision]) -> Counts:
        counts = cls()
        for d in decisions:
            counts.by_kind[d.kind] = counts.by_kind.get(d.kind, 0) + 1
            if d.kind == "coding-added":
                counts.codings_added += 1
            elif d.kind == "coding-removed":
                counts.codings_removed += 1
            elif d.kind == "coding-changed":
                counts.codings_changed += 1
            elif d.kind.startswith(("code-", "set-")) or d.kind == "codebook-unreadable":
                counts.codes_changed += 1
            elif d.kind == "text-edited":
                counts.text_edits += 1
        return counts


# --- text: word diffs and the offset mapping ---------------------------------------------------------------


def _shorten(text: str, width: int = 60) -> str:
    text = text.replace("\n", " ¶ ")
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return text[:half] + "…" + text[-half:]


def _context(tokens: Sequence[str], words: int, head: bool, tail: bool) -> str:
    """Unchanged tokens as a word diff shows them: the first ``words`` words after a change (``head``)
    and the last ones before the next change (``tail``), the rest as '…'."""
    if not head and not tail:
        return ""
    at = [k for k, t in enumerate(tokens) if not t.isspace()]
    if len(at) <= words * (head + tail):
        return "".join(tokens)
    first = "".join(tokens[: at[words - 1] + 1]).rstrip() + " " if head else ""
    last = " " + "".join(tokens[at[-words] :]).lstrip() if tail else ""
    return f"{first}…{last}"


def word_diff(old: str, new: str, context: int = 4) -> str:
    """``old`` → ``new`` as a word diff, ``… I had [-psycosis-]{+psychosis+} twice …``, with ``context``
    words kept around each change; line breaks show as ¶."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    ops = opcodes(a, b)
    out = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            out.append(_context(a[i1:i2], context, head=n > 0, tail=n < len(ops) - 1))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if removed.strip() == added.strip():  # only the spacing changed: show it
            removed, added = removed.replace(" ", "·"), added.replace(" ", "·")
        outer = added if added.strip() else removed  # spaces around a change stay outside its marks
        out.append(outer[: len(outer) - len(outer.lstrip())])
        if removed.strip():
            out.append(f"[-{_shorten(removed.strip())}-]")
        if added.strip():
            out.append(f"{{+{_shorten(added.strip())}+}}")
        out.append(outer[len(outer.rstrip()) :])
    return "".join(out).replace("\n", " ¶ ").strip()


@dataclass(frozen=True, slots=True)
class _Block:
    """``old[o1:o2]`` became ``new[n1:n2]``; ``tag`` as difflib's; ``inner`` maps offsets inside a
    replaced paragraph word by word."""

    o1: int
    o2: int
    n1: int
    n2: int
    tag: str
    inner: Callable[[int, bool], int] | None = None


def _starts(lines: Sequence[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line) + 1)
    return out


def _kept_words(old: str, new: str) -> list[tuple[int, int]]:
    """Ranges of ``new`` that are whole words (and spaces) of ``old`` unchanged."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    at = positions(b)
    return [(at[j1], at[j2]) for tag, _, _, j1, j2 in opcodes(a, b) if tag == "equal" and j1 < j2]


ALIGN_LIMIT = 400
"""Old × new paragraphs up to which an uneven block of changed paragraphs is aligned pair by pair."""


def _similar(a: str, b: str) -> float:
    found = matcher(a, b)
    return found.ratio() if found.quick_ratio() >= 0.5 else 0.0


def _align(
    a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> list[tuple[str, int, int, int, int]]:
    """Split a block of changed paragraphs ``a[i1:i2]`` → ``b[j1:j2]`` into edited pairs (the most similar
    ones, in order), deleted and inserted paragraphs: one paragraph inserted before an edited one is then an
    insertion and an edit, not one edit of two paragraphs."""
    n, m = i2 - i1, j2 - j1
    if n * m > ALIGN_LIMIT:
        return [("replace", i1, i2, j1, j2)]
    sim = [[_similar(a[i1 + x], b[j1 + y]) for y in range(m)] for x in range(n)]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        for y in range(m - 1, -1, -1):
            pair = score[x + 1][y + 1] + sim[x][y] if sim[x][y] >= 0.5 else -1.0
            score[x][y] = max(score[x + 1][y], score[x][y + 1], pair)
    ops: list[tuple[str, int, int, int, int]] = []
    x = y = 0
    dx = dy = 0  # start of the current run of unpaired paragraphs
    while x < n and y < m:
        if sim[x][y] >= 0.5 and score[x][y] == score[x + 1][y + 1] + sim[x][y]:
            if dx < x:
                ops.append(("delete", i1 + dx, i1 + x, j1 + y, j1 + y))
            if dy < y:
                ops.append(("insert", i1 + x, i1 + x, j1 + dy, j1 + y))
            ops.append(("replace", i1 + x, i1 + x + 1, j1 + y, j1 + y + 1))
            x, y = x + 1, y + 1
            dx, dy = x, y
        elif score[x][y] == score[x + 1][y]:
            x += 1
        else:
            y += 1
    if dx < n or dy < m:
        tag = "replace" if dx < n and dy < m else "delete" if dx < n else "insert"
        ops.append((tag, i1 + dx, i2, j1 + dy, j2))
    return ops


class TextChange:
    """How ``old`` became ``new``: paragraphs kept, edited (compared word by word), inserted, deleted."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.old_lines, self.new_lines = old.split("\n"), new.split("\n")
        self.old_starts, self.new_starts = _starts(self.old_lines), _starts(self.new_lines)
        self.blocks: list[_Block] = []
        self.kept: list[tuple[int, int]] = []
        """Ranges of the new text that are old text unchanged (in order)."""
        self.ops: list[tuple[str, int, int, int, int]] = []
        if old == new:
            self.ops.append(("equal", 0, len(self.old_lines), 0, len(self.new_lines)))
        else:
            for tag, i1, i2, j1, j2 in opcodes(self.old_lines, self.new_lines):
                if tag == "replace" and i2 - i1 != j2 - j1:
                    self.ops += _align(self.old_lines, self.new_lines, i1, i2, j1, j2)
                elif tag == "replace":  # paragraphs edited in place: one by one
                    self.ops += [("replace", i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
                else:
                    self.ops.append((tag, i1, i2, j1, j2))
        for op in self.ops:
            self._add(*op)
        self._firsts = [b.o1 for b in self.blocks]
        self._kept_starts = [k[0] for k in self.kept]

    def _add(self, tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        o1, o2 = self.old_starts[i1], min(self.old_starts[i2], len(self.old) + 1)
        n1, n2 = self.new_starts[j1], min(self.new_starts[j2], len(self.new) + 1)
        if o1 == o2 and tag != "insert":
            return
        inner = None
        if tag == "equal":
            self.kept.append((n1, min(n2, len(self.new))))
        elif tag == "replace":
            a, b = self.old[o1:o2], self.new[n1:n2]
            inner = offset_map(a, b)
            self.kept += [(n1 + x, n1 + y) for x, y in _kept_words(a, b)]
        self.blocks.append(_Block(o1, o2, n1, n2, tag, inner))

    def map(self, pos: int, is_start: bool) -> int:
        """Where offset ``pos`` of the old text is in the new one: a start follows the character after
        it, an end the character before it; text inserted at a boundary stays outside."""
        char = pos if is_start else pos - 1
        if char < 0:
            return 0
        if char >= len(self.old):
            return len(self.new)
        i = bisect.bisect_right(self._firsts, char) - 1
        while i > 0 and self.blocks[i].o1 == self.blocks[i].o2:  # an insertion holds no old text
            i -= 1
        block = self.blocks[i]
        if block.tag == "equal":
            return block.n1 + (pos - block.o1)
        if block.tag == "delete" or block.inner is None:
            return block.n1 if is_start else min(block.n1, len(self.new))
        return block.n1 + block.inner(pos - block.o1, is_start)

    def explained(self, a: int, b: int) -> bool:
        """Whether the new text between offsets ``a`` and ``b`` is all new or edited (or spaces): a coding
        boundary that is there rather than where the mapping put it moved with an edit, not by a coder."""
        lo, hi = min(a, b), max(a, b)
        k = max(0, bisect.bisect_right(self._kept_starts, lo) - 1)
        while k < len(self.kept) and self.kept[k][0] < hi:
            s, e = max(lo, self.kept[k][0]), min(hi, self.kept[k][1])
            if s < e and self.new[s:e].strip():
                return False
            k += 1
        return True

    def edits(self) -> Iterable[tuple[int, int, str, str]]:
        """(new paragraph index, old paragraph index, old text, new text) of every paragraph edited,
        inserted or deleted; a run of inserted or deleted paragraphs is one change."""
        for tag, i1, i2, j1, j2 in self.ops:
            if tag != "equal":
                yield j1, i1, "\n".join(self.old_lines[i1:i2]), "\n".join(self.new_lines[j1:j2])


# --- documents ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CodingMatch:
    """Old and new codings paired: ``pairs`` of (old index, new index); the rest were removed or added."""

    pairs: list[tuple[int, int]]
    removed: list[int]
    added: list[int]


def match_codings(old: Sequence[Coding], new: Sequence[Coding], change: TextChange) -> CodingMatch:
    """Pair each old coding with the new coding on the same words: the same span after mapping, else
    (a widened or narrowed coding) the overlapping one with a code in common and the most overlap."""
    by_span: dict[tuple[int, int], list[int]] = {}
    for j, c in enumerate(new):
        by_span.setdefault((c.start, c.end), []).append(j)
    pairs: list[tuple[int, int]] = []
    unmatched: list[tuple[int, int, int]] = []
    used: set[int] = set()
    for i, c in enumerate(old):
        s, e = change.map(c.start, True), change.map(c.end, False)
        candidates = by_span.get((s, e))
        if candidates:
            j = candidates.pop(0)
            pairs.append((i, j))
            used.add(j)
        else:
            unmatched.append((i, s, e))
    removed: list[int] = []
    rest = [j for j in range(len(new)) if j not in used]
    starts = [new[j].start for j in rest]
    longest = max((new[j].end - new[j].start for j in rest), default=0)
    for i, s, e in unmatched:
        best, best_overlap = -1, 0
        for k in range(bisect.bisect_left(starts, s - longest), len(rest)):  # all that may overlap
            j = rest[k]
            c = new[j]
            if c.start >= e:
                break
            overlap = min(e, c.end) - max(s, c.start)
            if j not in used and overlap > best_overlap and set(c.codes) & set(old[i].codes):
                best, best_overlap = j, overlap
        if best >= 0:
            pairs.append((i, best))
            used.add(best)
        else:
            removed.append(i)
    pairs.sort(key=lambda p: p[1])
    return CodingMatch(pairs, removed, [j for j in range(len(new)) if j not in used])


def _where(doc_id: str, starts: Sequence[int], offset: int) -> tuple[int, str]:
    paragraph = bisect.bisect_right(starts, offset)
    return paragraph, f"({doc_id} ¶{paragraph})"


def _memo_text(memo: str | None) -> str:
    return f"'{snippet(memo, 0, len(memo))}'" if memo else "none"


def diff_document(doc_id: str, old: DocLike | None, new: DocLike | None) -> list[Decision]:
    """The decisions between two states of document ``doc_id`` (None: the document does not exist)."""
    path = f"{DOCUMENTS}{doc_id}.txt"
    if old is None and new is None:
        return []
    if old is None or new is None:
        state = new if old is None else old
        assert state is not None
        paragraphs = state.text.count("\n") + 1
        verb, sign = ("added", "+") if old is None else ("deleted", "-")
        codes = tuple(dict.fromkeys(c for coding in state.codings for c in coding.codes))
        return [
            Decision(
                f"document-{verb}",
                path,
                f"{sign} document {doc_id} ({paragraphs} paragraph{'s' * (paragraphs != 1)}, "
                f"{len(state.codings)} coding{'s' * (len(state.codings) != 1)})",
                doc_id,
                codes=codes,
            )
        ]
    out: list[Decision] = []
    if old.front_matter != new.front_matter:
        out.append(_front_matter(doc_id, path, old.front_matter, new.front_matter))
    change = TextChange(old.text, new.text)
    new_starts = change.new_starts
    for j, i, before, after in change.edits():
        paragraph = j + 1
        if not after and j >= len(change.new_lines) - 1 and i > 0:
            paragraph = j  # paragraphs deleted at the end: name the last one left
        out.append(
            Decision(
                "text-edited",
                path,
                f"~ text ({doc_id} ¶{paragraph}): {word_diff(before, after)}",
                doc_id,
                paragraph,
                before=before,
                after=after,
            )
        )
    old_codings, new_codings = list(old.codings), list(new.codings)
    match = match_codings(old_codings, new_codings, change)
    events: list[tuple[int, Decision]] = []
    for i, j in match.pairs:
        a, b = old_codings[i], new_codings[j]
        parts = []
        if set(a.codes) != set(b.codes):
            parts.append(f"codes {', '.join(a.codes)} → {', '.join(b.codes)}")
        start, end = change.map(a.start, True), change.map(a.end, False)
        if (start != b.start and not change.explained(start, b.start)) or (
            end != b.end and not change.explained(end, b.end)
        ):
            parts.append(
                f"boundaries '{snippet(old.text, a.start, a.end)}' → '{snippet(new.text, b.start, b.end)}'"
            )
        if (a.memo or None) != (b.memo or None):
            parts.append(f"memo {_memo_text(a.memo)} → {_memo_text(b.memo)}")
        if not parts:
            continue
        paragraph, where = _where(doc_id, new_starts, b.start)
        subject = (
            ""
            if any(p.startswith("boundaries") for p in parts)
            else f" on '{snippet(new.text, b.start, b.end)}'"
        )
        line = f"~ {'; '.join(parts)}{subject} {where}"
        codes = tuple(dict.fromkeys(a.codes + b.codes))
        decision = Decision(
            "coding-changed",
            path,
            line,
            doc_id,
            paragraph,
            codes,
            b.start,
            b.end,
            ", ".join(a.codes),
            ", ".join(b.codes),
        )
        events.append((b.start, decision))
    for j in match.added:
        c = new_codings[j]
        paragraph, where = _where(doc_id, new_starts, c.start)
        memo = f" ✎ {snippet(c.memo, 0, len(c.memo))}" if c.memo else ""
        line = f"+ {', '.join(c.codes)} on '{snippet(new.text, c.start, c.end)}' {where}{memo}"
        events.append(
            (c.start, Decision("coding-added", path, line, doc_id, paragraph, c.codes, c.start, c.end))
        )
    for i in match.removed:
        c = old_codings[i]
        paragraph, where = _where(doc_id, change.old_starts, c.start)
        line = f"- {', '.join(c.codes)} on '{snippet(old.text, c.start, c.end)}' {where}"
        at = change.map(c.start, True)
        events.append(
            (at, Decision("coding-removed", path, line, doc_id, paragraph, c.codes, c.start, c.end))
        )
    events.sort(key=lambda e: e[0])
    return out + [d for _, d in events]


def _front_matter(doc_id: str, path: str, old: str | None, new: str | None) -> Decision:
    from margin.core.document import load_front_matter

    try:
        a = load_front_matter(old or "", path)
        b = load_front_matter(new or "", path)
    except FormatError:
        return Decision("front-matter-edited", path, f"~ front matter of {doc_id}", doc_id)
    parts = []
    for key in dict.fromkeys([*a, *b]):
        if key not in b:
            parts.append(f"{key} removed")
        elif key not in a:
            parts.append(f"{key} = {_value(b[key])}")
        elif a[key] != b[key]:
            parts.append(f"{key} {_value(a[key])} → {_value(b[key])}")
    detail = ": " + "; ".join(parts) if parts else ""
    return Decision("front-matter-edited", path, f"~ front matter of {doc_id}{detail}", doc_id)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return f"'{snippet(value, 0, len(value))}'"
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= 40 else text[:39] + "…"


# --- the codebook ------------------------------------------------------------------------------------------
def _parse_codebook(text: str | None) -> Any:
    from margin.core.codebook import Codebook, new_codebook

    return Codebook.parse(text, CODEBOOK) if text is not None else new_codebook()


def diff_codebook(old_text: str | None, new_text: str | None) -> list[Decision]:
    """Code operations between two texts of codebook.yaml: created, relabelled, re-slugged, moved, merged,
    deleted, edited — per slug — and code sets created, edited, deleted."""
    if old_text == new_text:
        return []
    try:
        old, new = _parse_codebook(old_text), _parse_codebook(new_text)
    except FormatError as exc:
        return [
            Decision("codebook-unreadable", CODEBOOK, f"~ codebook.yaml edited (it cannot be read: {exc})")
        ]
    a, b = old.codes, new.codes
    out: list[Decision] = []

    def decision(kind: str, codes: tuple[str, ...], line: str, before: str | None, after: str | None) -> None:
        out.append(Decision(kind, CODEBOOK, line, codes=codes, before=before, after=after))

    renamed: dict[str, str] = {}  # new slug → old slug
    inherited: dict[str, set[str]] = {}  # slug → the aliases a merge or a re-slug gave it
    for slug in a:
        if slug in b:
            continue
        heir = next((s for s, code in b.items() if slug in code.aliases), None)
        if heir is None:
            decision("code-deleted", (slug,), f"code deleted: {slug} '{a[slug].label}'", slug, None)
            continue
        inherited.setdefault(heir, set()).update((slug, *a[slug].aliases))
        if heir in a:
            decision("code-merged", (slug, heir), f"code merged: {slug} into {heir}", slug, heir)
        else:
            renamed[heir] = slug
            decision("code-reslugged", (heir, slug), f"code re-slugged: {slug} → {heir}", slug, heir)
    for slug, code in b.items():
        if slug in a or slug in renamed:
            continue
        under = f" under {code.parent}" if code.parent else ""
        decision("code-created", (slug,), f"code created: {slug} '{code.label}'{under}", None, slug)
    forward = {o: n for n, o in renamed.items()}
    for slug, code in b.items():
        before = a.get(renamed.get(slug, slug))
        if before is None:
            continue
        if before.label != code.label:
            decision(
                "code-relabelled",
                (slug,),
                f"code relabelled: {slug} '{before.label}' → '{code.label}'",
                before.label,
                code.label,
            )
        if forward.get(before.parent or "", before.parent) != code.parent:
            where = f"under {code.parent}" if code.parent else "to the top level"
            decision("code-moved", (slug,), f"code moved: {slug} {where}", before.parent, code.parent)
        edited = [f for f in CODEBOOK_FIELDS if getattr(before, f) != getattr(code, f)]
        gained = [x for x in code.aliases if x not in before.aliases and x not in inherited.get(slug, ())]
        lost = [x for x in before.aliases if x not in code.aliases and x != slug]
        if gained or lost:
            edited.append("aliases " + ", ".join([*(f"+{x}" for x in gained), *(f"-{x}" for x in lost)]))
        if edited:
            decision("code-edited", (slug,), f"code edited: {slug} ({', '.join(edited)})", None, None)
    out += _moves_among_siblings(old, new, renamed, {d.codes[0] for d in out if d.kind == "code-moved"})
    out += _set_changes(old.sets, new.sets)
    return out


def _moves_among_siblings(old: Any, new: Any, renamed: dict[str, str], moved: set[str]) -> list[Decision]:
    """Codes that changed place among the same siblings (the fewest such moves that explain the order)."""
    out = []
    back = {o: n for n, o in renamed.items()}
    for parent in [None, *new.codes]:
        siblings = new.roots() if parent is None else list(new.children(parent))
        old_parent = renamed.get(parent, parent) if parent else None
        if old_parent is not None and old_parent not in old.codes:
            continue
        before = old.roots() if old_parent is None else list(old.children(old_parent))
        before = [back.get(s, s) for s in before]
        common = set(before) & set(siblings) - moved
        x, y = [s for s in before if s in common], [s for s in siblings if s in common]
        if x == y:
            continue
        kept = {x[block.a + k] for block in matcher(x, y).get_matching_blocks() for k in range(block.size)}
        for slug in y:
            if slug not in kept:
                where = f"under {parent}" if parent else "at the top level"
                out.append(
                    Decision(
                        "code-moved",
                        CODEBOOK,
                        f"code moved: {slug} to position {siblings.index(slug) + 1} {where}",
                        codes=(slug,),
                    )
                )
    return out


def _set_changes(a: Any, b: Any) -> list[Decision]:
    out = []
    common = [slug for slug in a if slug in b]
    order = [slug for slug in b if slug in a]
    kept = {
        common[block.a + k]
        for block in matcher(common, order).get_matching_blocks()
        for k in range(block.size)
    }
    for slug in a:
        if slug not in b:
            out.append(Decision("set-deleted", CODEBOOK, f"code set deleted: {slug}", codes=(slug,)))
    for slug, s in b.items():
        if slug not in a:
            out.append(
                Decision("set-created", CODEBOOK, f"code set created: {slug} '{s.label}'", codes=(slug,))
            )
            continue
        old = a[slug]
        parts = []
        if old.label != s.label:
            parts.append(f"label '{old.label}' → '{s.label}'")
        if old.description != s.description:
            parts.append("description")
        added = [c for c in s.codes if c not in old.codes]
        dropped = [c for c in old.codes if c not in s.codes]
        if added:
            parts.append("+" + ", +".join(added))
        if dropped:
            parts.append("-" + ", -".join(dropped))
        if not added and not dropped and old.codes != s.codes:
            parts.append("codes reordered")
        if slug not in kept:
            parts.append(f"moved to position {list(b).index(slug) + 1}")
        if parts:
            out.append(
                Decision(
                    "set-edited", CODEBOOK, f"code set edited: {slug} ({'; '.join(parts)})", codes=(slug,)
                )
            )
    return out


# --- participants ------------------------------------------------------------------------------------------
def diff_participants(old_text: str | None, new_text: str | None) -> list[Decision]:
    """Participants added, removed or with attribute values changed; attributes declared or changed."""
    from margin.core.participants import Participants, new_participants

    if old_text == new_text:
        return []
    try:
        old = Participants.parse(old_text, PARTICIPANTS) if old_text is not None else new_participants()
        new = Participants.parse(new_text, PARTICIPANTS) if new_text is not None else new_participants()
    except FormatError as exc:
        return [
            Decision(
                "participants-unreadable",
                PARTICIPANTS,
                f"~ participants.yaml edited (it cannot be read: {exc})",
            )
        ]
    out = []
    for name, definition in new.attributes.items():
        previous = old.attributes.get(name)
        if previous is None:
            out.append(
                Decision(
                    "attribute-declared", PARTICIPANTS, f"attribute declared: {name} ({definition.type})"
                )
            )
        elif previous != definition:
            out.append(Decision("attribute-changed", PARTICIPANTS, f"attribute changed: {name}"))
    for name in old.attributes:
        if name not in new.attributes:
            out.append(Decision("attribute-removed", PARTICIPANTS, f"attribute removed: {name}"))
    for pid, values in new.people.items():
        before = old.people.get(pid)
        if before is None:
            out.append(Decision("participant-added", PARTICIPANTS, f"participant added: {pid}"))
            continue
        parts = [
            f"{k} {_value(before.get(k)) if k in before else 'unset'} → {_value(values[k]) if k in values else 'unset'}"
            for k in dict.fromkeys([*before, *values])
            if before.get(k) != values.get(k)
        ]
        if parts:
            out.append(
                Decision(
                    "participant-edited", PARTICIPANTS, f"participant edited: {pid} ({'; '.join(parts)})"
                )
            )
    for pid in old.people:
        if pid not in new.people:
            out.append(Decision("participant-removed", PARTICIPANTS, f"participant removed: {pid}"))
    return out


# --- any project file ----------------------------------------------------------------------------------------
def document_id(path: str) -> str | None:
    """The document ID of a project path (``documents/qual1/int-07.txt`` → ``qual1/int-07``), or None."""
    if path.startswith(DOCUMENTS) and path.endswith(".txt"):
        name = path.rpartition("/")[2]
        if not name.startswith("."):
            return path[len(DOCUMENTS) : -4]
    return None


def diff_file(path: str, old: bytes | None, new: bytes | None) -> list[Decision]:
    """The decisions between two versions (None: absent) of the project file at ``path``."""
    from margin.core.document import load_document
    from margin.core.textfile import decode

    if old == new:
        return []
    doc_id = document_id(path)
    try:
        if doc_id is not None:
            a = load_document(old, doc_id, path) if old is not None else None
            b = load_document(new, doc_id, path) if new is not None else None
            return diff_document(doc_id, a, b)
        if path in (CODEBOOK, PARTICIPANTS):
            diff = diff_codebook if path == CODEBOOK else diff_participants
            return diff(
                decode(old, path) if old is not None else None, decode(new, path) if new is not None else None
            )
    except FormatError as exc:
        return [Decision("file-unreadable", path, f"~ {path} (it cannot be read: {exc})", doc_id)]
    if old is None:
        return [Decision("file-added", path, f"+ {path}")]
    if new is None:
        return [Decision("file-deleted", path, f"- {path}")]
    return [Decision("file-edited", path, f"~ {path}")]
