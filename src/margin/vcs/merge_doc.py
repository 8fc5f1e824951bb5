"""Three-way merge of a transcript: paragraphs by diff3 on the plain text, codings as sets on the result.

``merge_document(base, ours, theirs)`` takes the three versions of a document file and returns the merged
file, written canonically:

- Paragraphs are merged three-way on their plain text (markup aside). A paragraph whose text only one side
  changed takes that change; only a paragraph whose text both sides changed differently is a conflict, and
  it becomes a conflict block holding each side's full paragraph with its codings (widened only where a
  coding of some side runs from it into a neighbouring paragraph, so no coding is cut).
- Codings are sets of (start, end, code) mapped into the merged text: both sides' additions are kept,
  removals are honoured, and a coding one side changed (codes, boundaries, memo) keeps the change. Where one
  side edited a paragraph's text, the other side's codings there follow that edit word by word
  (``margin.core.textmap``). A memo both sides changed differently keeps both texts.
- A code re-slugged or merged into another is the same code under its new slug (the codebooks keep the old
  slug as an alias): a coding one side removed and the other recoded that way is removed, and one whose
  boundaries one side changed while the other's code merge recoded it is one coding with both changes.
- A coding whose words the other side deleted — nothing left of it, or only punctuation and spaces — is
  dropped and reported (``DocMerge.dropped``), never left on what remains.
- Front matter is merged per top-level key; a key both sides changed differently is a conflict block.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from margin.core.coding import Coding
from margin.core.conflict_blocks import Block, render_block
from margin.core.document import Document, parse_document
from margin.core.markup import assign_labels, serialise_body
from margin.core.textmap import offset_map
from margin.vcs.diff3 import chunks, three

_SIDES = ("o", "a", "b")

Aliases = Callable[[], Collection[tuple[str, str]]]
"""Gives, when the merge first needs it, (old slug, the code's slug) for every alias the codebooks keep."""


@dataclass
class DocMerge:
    """The merged file, where it conflicts, and codings that lost all their words to the other side's edit
    (one readable line each: codes, words, paragraph and memo)."""

    text: str
    conflicts: list[str] = field(default_factory=list)  # "¶12", "front matter: title"
    dropped: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge_document(
    base: str, ours: str, theirs: str, path: str = "", aliases: Aliases | None = None
) -> DocMerge:
    """Merge three versions of a document file (base, ours, theirs); FormatError if one is not valid.

    ``aliases`` gives the codebooks' old slugs (base, ours and theirs together), so that a code re-slugged
    or merged on one side is known as the same code; without it a recoding is a removal and a new coding.
    """
    if ours == theirs or base == theirs:
        return DocMerge(ours)
    if base == ours:
        return DocMerge(theirs)
    docs = {k: parse_document(src, "", path) for k, src in zip(_SIDES, (base, ours, theirs), strict=True)}
    conflicts: list[str] = []
    front = _merge_front_matter(
        docs["o"].front_matter, docs["a"].front_matter, docs["b"].front_matter, conflicts
    )
    body, dropped = _BodyMerge(docs, conflicts, aliases).run()
    out = [] if front is None else ["---\n", front, "---\n"]
    return DocMerge("".join([*out, body]), conflicts, dropped)


# --- the body ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Triple:
    """One code of one coding of one side, in the merged text's offsets."""

    start: int
    end: int
    code: str
    coding: int  # index of the coding in its side's document
    rank: int  # the code's place in that coding's code list


class _Side:
    """One version of the document: its paragraphs and where each chunk lies in its text."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.pars = doc.text.split("\n")
        self.starts = doc.paragraph_starts

    def pstart(self, k: int) -> int:
        return self.starts[k] if k < len(self.starts) else len(self.doc.text) + 1

    def body(self, k1: int, k2: int) -> str:
        return "\n".join(self.pars[k1:k2])


class _BodyMerge:
    """The merge of the three bodies: chunks of paragraphs, conflict blocks, codings on the merged text."""

    def __init__(self, docs: dict[str, Document], conflicts: list[str], aliases: Aliases | None) -> None:
        self.sides = {k: _Side(d) for k, d in docs.items()}
        self.conflicts = conflicts
        self.aliases = aliases
        self.final_newline = _pick(*(docs[k].final_newline for k in _SIDES))
        self.chunks = chunks(*(self.sides[k].pars for k in _SIDES))
        self._maps: dict[tuple[str, int], Callable[[int, bool], int]] = {}
        self._same: dict[tuple[str, int], bool] = {}

    def run(self) -> tuple[str, list[str]]:
        ends = {k: self._endpoint_chunks(k) for k in _SIDES}
        self._widen(ends)
        self._build_merged()
        triples = {k: self._triples(k, ends[k]) for k in _SIDES}
        codings, dropped = self._merge_codings(triples)
        return self._render(codings, ends), dropped

    # chunks of coding endpoints -----------------------------------------------------------------------
    def _endpoint_chunks(self, k: str) -> list[tuple[int, int]]:
        """For each coding of side ``k``: the chunks holding its first and its last character."""
        side = self.sides[k]
        firsts: list[int] = []
        index: list[int] = []
        for n, c in enumerate(self.chunks):
            x1, x2 = c.rng(k)
            if x1 < x2:
                firsts.append(side.pstart(x1))
                index.append(n)

        def chunk_of(char: int) -> int:
            return index[bisect.bisect_right(firsts, char) - 1]

        return [(chunk_of(c.start), chunk_of(c.end - 1)) for c in side.doc.codings]

    def _widen(self, ends: dict[str, list[tuple[int, int]]]) -> None:
        """Make conflict blocks of conflicting chunks, widened so that no coding runs into or out of one."""
        chunks = self.chunks
        for n, c in enumerate(chunks):
            if c.take == "conflict":
                c.group = n
        spans = {(k1, k2) for pairs in ends.values() for k1, k2 in pairs if k1 != k2}
        changed = True
        while changed:
            changed = False
            for k1, k2 in spans:
                g1, g2 = chunks[k1].group, chunks[k2].group
                if g1 == g2:  # both outside blocks, or both in the same block
                    continue
                lo = min(k1, g1 if g1 >= 0 else k1)
                hi = k2
                while hi + 1 < len(chunks) and g2 >= 0 and chunks[hi + 1].group == g2:
                    hi += 1
                for n in range(lo, hi + 1):
                    chunks[n].take, chunks[n].group = "conflict", lo
                changed = True

    # the merged text ----------------------------------------------------------------------------------
    def _build_merged(self) -> None:
        pars: list[str] = []
        self.m_range: list[tuple[int, int]] = []
        for c in self.chunks:
            start = len(pars)
            if c.take != "conflict":
                side = self.sides[c.take]
                pars.extend(side.pars[slice(*c.rng(c.take))])
            self.m_range.append((start, len(pars)))
        self.m_pars = pars
        self.m_text = "\n".join(pars)
        starts = [0]
        for p in pars[:-1]:
            starts.append(starts[-1] + len(p) + 1)
        self.m_starts = starts

    def _m_start(self, k: int) -> int:
        return self.m_starts[k] if k < len(self.m_starts) else len(self.m_text) + 1

    def _same_as_merged(self, k: str, n: int) -> bool:
        """Whether side ``k``'s text of chunk ``n`` is the merged text."""
        same = self._same.get((k, n))
        if same is None:
            c = self.chunks[n]
            m1, m2 = self.m_range[n]
            same = self._same[k, n] = (k == c.take) or self.sides[k].pars[slice(*c.rng(k))] == self.m_pars[
                m1:m2
            ]
        return same

    def _map(self, k: str, n: int, pos: int, is_start: bool) -> int:
        """Offset ``pos`` of side ``k`` (whose character lies in chunk ``n``) in the merged text."""
        c = self.chunks[n]
        side = self.sides[k]
        x1, x2 = c.rng(k)
        xs = side.pstart(x1)
        m1, m2 = self.m_range[n]
        ms = self._m_start(m1)
        local = pos - xs
        if self._same_as_merged(k, n):
            return ms + local
        old = side.body(x1, x2)
        new = "\n".join(self.m_pars[m1:m2])
        if local > len(old):  # after the chunk's closing line feed
            return ms + len(new) + 1
        if local == len(old) and is_start:  # at the closing line feed
            return ms + len(new)
        mapping = self._maps.get((k, n))
        if mapping is None:
            mapping = self._maps[k, n] = offset_map(old, new)
        return ms + mapping(local, is_start)

    def _triples(self, k: str, ends: list[tuple[int, int]]) -> list[_Triple]:
        out: list[_Triple] = []
        size = len(self.m_text)
        for i, (coding, (n1, n2)) in enumerate(zip(self.sides[k].doc.codings, ends, strict=True)):
            if self.chunks[n1].take == "conflict":
                continue  # the whole coding is inside a block (widening saw to that)
            s = min(self._map(k, n1, coding.start, True), size)
            e = min(self._map(k, n2, coding.end, False), size)
            s, e = _trim(self.m_text, s, e, self.sides[k].doc.text[coding.start : coding.end])
            out.extend(_Triple(s, e, code, i, r) for r, code in enumerate(coding.codes))
        return out

    # codings as sets ----------------------------------------------------------------------------------
    def _merge_codings(self, triples: dict[str, list[_Triple]]) -> tuple[list[Coding], list[str]]:
        o, a, b = triples["o"], triples["a"], triples["b"]
        in_a, in_b = _match(o, a), _match(o, b)
        twins_a: dict[int, list[int]] = {}
        twins_b: dict[int, list[int]] = {}
        if self.aliases is not None and (_unsure(o, a, in_a) or _unsure(o, b, in_b)):
            same = _same_code(self.aliases())  # read only when a coding may have been recoded by a rename
            if same:
                in_a, in_b = _match(o, a, same), _match(o, b, same)
                twins_a, twins_b = _twins(a, in_a, same), _twins(b, in_b, same)
        renamed_a, renamed_b = _renames(o, a, in_a), _renames(o, b, in_b)
        used_a: set[int] = set()
        used_b: set[int] = set()
        # result triples: (start, end, code, {side: coding index}, rank key)
        result: dict[tuple[int, int, str], tuple[dict[str, int], tuple[int, int, int]]] = {}

        def keep(s: int, e: int, code: str, origin: dict[str, int], rank: tuple[int, int, int]) -> None:
            key = (s, e, code)
            if key in result:
                result[key][0].update({k: v for k, v in origin.items() if k not in result[key][0]})
            else:
                result[key] = (origin, rank)

        for i, t in enumerate(o):
            ja, jb = in_a.get(i), in_b.get(i)
            # another code on the same words on both sides: both renamed it (re-slugged, merged into
            # another). On one side only, it is read as a removal and a new coding: a rename cannot be
            # told from a recoding, and this way nothing either side made is lost
            if ja is None and jb is None and i in renamed_a and i in renamed_b:
                ja, jb = renamed_a[i], renamed_b[i]
            # another slug of the same code on the same coding (both sides renamed it, and a merge kept
            # both names) is that code too: it goes, or stays, with it
            used_a.update(twins_a.get(ja, ()) if ja is not None else ())
            used_b.update(twins_b.get(jb, ()) if jb is not None else ())
            if ja is None or jb is None:
                continue  # removed by one side
            used_a.add(ja)
            used_b.add(jb)
            ta, tb = a[ja], b[jb]
            s, e = self._position(t, ta, tb)
            origin = {"o": t.coding, "a": ta.coding, "b": tb.coding}
            # renamed differently on both sides (or one side's new code there): both codes are kept, as
            # either may be a new decision; two slugs of one re-slugged code then name it twice
            pick = three(t.code, ta.code, tb.code)
            if pick in ("a", "conflict"):
                keep(s, e, ta.code, origin, (0, ta.coding, ta.rank))
            if pick in ("b", "conflict"):
                keep(s, e, tb.code, origin, (0, ta.coding, ta.rank))
            for side, twins, j in ((a, twins_a, ja), (b, twins_b, jb)):
                for k in twins.get(j, ()):
                    keep(s, e, side[k].code, origin, (0, ta.coding, side[k].rank))
        used_a.update(in_a.values())
        used_b.update(in_b.values())
        for j, t in enumerate(a):
            if j not in used_a:
                keep(t.start, t.end, t.code, {"a": t.coding}, (0, t.coding, t.rank))
        for j, t in enumerate(b):
            if j not in used_b:
                keep(t.start, t.end, t.code, {"b": t.coding}, (1, t.coding, t.rank))
        return self._codings(result)

    def _position(self, o: _Triple, a: _Triple, b: _Triple) -> tuple[int, int]:
        pa, pb, po = (a.start, a.end), (b.start, b.end), (o.start, o.end)
        if pa == pb or pb == po:
            return pa
        if pa == po:
            return pb
        # both moved it: prefer the side that did not edit the text there (its move was deliberate)
        n = self._chunk_at_merged(o.start)
        edited_a = n is not None and not self._same_as_merged("o", n) and self.chunks[n].take == "a"
        return pb if edited_a else pa

    def _chunk_at_merged(self, pos: int) -> int | None:
        para = bisect.bisect_right(self.m_starts, pos) - 1
        for n, (m1, m2) in enumerate(self.m_range):
            if m1 <= para < m2:
                return n
        return None

    def _codings(
        self, result: dict[tuple[int, int, str], tuple[dict[str, int], tuple[int, int, int]]]
    ) -> tuple[list[Coding], list[str]]:
        segments: dict[tuple[int, int], list[tuple[tuple[int, int, int], str, dict[str, int]]]] = {}
        lost: dict[tuple[str, int], list[str]] = {}
        for (s, e, code), (origin, rank) in result.items():
            k = next(k for k in ("b", "a", "o") if k in origin)
            side = self.sides[k]
            c = side.doc.codings[origin[k]]
            if s >= e or (not _has_words(self.m_text[s:e]) and _has_words(side.doc.text[c.start : c.end])):
                lost.setdefault((k, origin[k]), []).append(code)  # its words are gone: nothing to sit on
                continue
            segments.setdefault((s, e), []).append((rank, code, origin))
        dropped = [self._lost(k, i, codes) for (k, i), codes in lost.items()]
        codings: list[Coding] = []
        for (s, e), items in segments.items():
            items.sort(key=lambda item: item[0])
            codes = tuple(dict.fromkeys(code for _, code, _ in items))
            memos = {k: self._memo(k, {origin[k] for _, _, origin in items if k in origin}) for k in _SIDES}
            choice = three(memos["o"], memos["a"], memos["b"])
            memo = memos[choice] if choice != "conflict" else _join(memos["a"], memos["b"])
            label = next(
                (
                    self.sides[k].doc.codings[origin[k]].label
                    for k in ("a", "b", "o")
                    for _, _, origin in items
                    if k in origin and self.sides[k].doc.codings[origin[k]].label
                ),
                None,
            )
            codings.append(Coding(s, e, codes, memo, label))
        return _unique_labels(codings), dropped

    def _lost(self, k: str, index: int, codes: list[str]) -> str:
        """A coding whose words are gone, as a line to read: codes, words, paragraph and its memo in full."""
        doc = self.sides[k].doc
        c = doc.codings[index]
        memo = " ✎ " + " ⏎ ".join(c.memo.split("\n")) if c.memo else ""
        words = _snip(doc.text[c.start : c.end])
        return f"{', '.join(codes)} on '{words}' (¶{doc.paragraph_of(c.start) + 1}){memo}"

    def _memo(self, k: str, indices: set[int]) -> str | None:
        memos = [m for i in sorted(indices) if (m := self.sides[k].doc.codings[i].memo)]
        return "\n".join(dict.fromkeys(memos)) or None

    # writing ------------------------------------------------------------------------------------------
    def _render(self, codings: list[Coding], ends: dict[str, list[tuple[int, int]]]) -> str:
        lines = serialise_body(self.m_text, codings).split("\n") if self.m_pars else []
        used = {c.label for c in assign_labels(self.m_text, codings) if c.label}
        inserted = ours_lines = 0
        n = 0
        while n < len(self.chunks):
            c = self.chunks[n]
            if c.take != "conflict":
                n += 1
                continue
            last = n
            while last + 1 < len(self.chunks) and self.chunks[last + 1].group == c.group:
                last += 1
            block = self._block(n, last, ends, used)
            at = self.m_range[n][0] + inserted
            lines[at:at] = render_block(block)
            inserted += len(render_block(block))
            self.conflicts.append(f"¶{self.m_range[n][0] + ours_lines + 1}")
            ours_lines += len(block.ours)
            n = last + 1
        body = "\n".join(lines)
        return body + "\n" if self.final_newline and (lines or body) else body

    def _block(self, first: int, last: int, ends: dict[str, list[tuple[int, int]]], used: set[str]) -> Block:
        sections: dict[str, tuple[str, ...]] = {}
        for k in _SIDES:
            side = self.sides[k]
            x1, x2 = self.chunks[first].rng(k)[0], self.chunks[last].rng(k)[1]
            if x1 == x2:
                sections[k] = ()
                continue
            offset, text = side.pstart(x1), side.body(x1, x2)
            inside = [
                Coding(c.start - offset, min(c.end - offset, len(text)), c.codes, c.memo, c.label)
                for c, (n1, _) in zip(side.doc.codings, ends[k], strict=True)
                if first <= n1 <= last
            ]
            sections[k] = tuple(serialise_body(text, _fresh_labels(text, inside, used)).split("\n"))
        return Block(0, 0, sections["a"], sections["o"], sections["b"])


# --- helpers -------------------------------------------------------------------------------------------
def _unsure(base: list[_Triple], side: list[_Triple], matched: dict[int, int]) -> bool:
    """Whether the side lacks a base triple and has one of another code on some of its words, which may be
    it under a new slug."""
    if len(matched) == len(base) or len(matched) == len(side):
        return False
    taken = set(matched.values())
    loose = [u for j, u in enumerate(side) if j not in taken]
    return any(
        u.code != t.code and min(t.end, u.end) > max(t.start, u.start)
        for i, t in enumerate(base)
        if i not in matched
        for u in loose
    )


def _same_code(aliases: Collection[tuple[str, str]]) -> dict[str, str]:
    """Each slug that is, or was, the same code as another → one name for all of them (old slugs an alias
    chain or both sides' renames join)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for alias, slug in aliases:
        a, b = root(alias), root(slug)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {x: root(x) for x in parent}


def _match(base: list[_Triple], side: list[_Triple], same: Mapping[str, str] | None = None) -> dict[int, int]:
    """Which of the side's triples is each base triple: the same place and code; else the same code on
    overlapping words (its boundaries changed, or a text edit moved them). With ``same``, a code is also
    the same as its old and new slugs."""
    same = same or {}
    found: dict[int, int] = {}
    used: set[int] = set()
    exact: dict[tuple[int, int, str], int] = {}
    for j, t in enumerate(side):
        exact.setdefault((t.start, t.end, t.code), j)
    rest: list[int] = []
    for i, t in enumerate(base):
        hit = exact.get((t.start, t.end, t.code))
        if hit is not None and hit not in used:
            found[i] = hit
            used.add(hit)
        else:
            rest.append(i)
    if not rest:
        return found
    order = sorted(range(len(side)), key=lambda j: side[j].start)
    starts = [side[j].start for j in order]
    longest = max((u.end - u.start for u in side), default=0)
    for i in rest:
        t = base[i]
        code = same.get(t.code, t.code)
        best, best_overlap = -1, (0, False)
        for j in order[bisect.bisect_left(starts, t.start - longest) : bisect.bisect_left(starts, t.end)]:
            u = side[j]
            overlap = (min(t.end, u.end) - max(t.start, u.start), u.code == t.code)
            if (
                j not in used
                and overlap[0] > 0
                and overlap > best_overlap
                and same.get(u.code, u.code) == code
            ):
                best, best_overlap = j, overlap
        if best >= 0:
            found[i] = best
            used.add(best)
    return found


def _twins(side: list[_Triple], matched: dict[int, int], same: Mapping[str, str]) -> dict[int, list[int]]:
    """For each triple of the side matched to the base: the side's unmatched triples of the same coding
    whose code is another slug of the same code."""
    taken = set(matched.values())
    loose: dict[tuple[int, int, str], list[int]] = {}
    for j, u in enumerate(side):
        if j not in taken:
            loose.setdefault((u.start, u.end, same.get(u.code, u.code)), []).append(j)
    found: dict[int, list[int]] = {}
    for j in taken:
        u = side[j]
        twins = loose.pop((u.start, u.end, same.get(u.code, u.code)), None)
        if twins:
            found[j] = twins
    return found


def _renames(base: list[_Triple], side: list[_Triple], matched: dict[int, int]) -> dict[int, int]:
    """For base triples the side does not have: a triple of the side on the same words with a code they
    did not carry in the base (the code renamed, or the coding recoded)."""
    here: dict[tuple[int, int], set[str]] = {}
    for t in base:
        here.setdefault((t.start, t.end), set()).add(t.code)
    taken = set(matched.values())
    free: dict[tuple[int, int], list[int]] = {}
    for j, u in enumerate(side):
        if j not in taken and u.code not in here.get((u.start, u.end), ()):
            free.setdefault((u.start, u.end), []).append(j)
    found: dict[int, int] = {}
    for i, t in enumerate(base):
        candidates = free.get((t.start, t.end))
        if i not in matched and candidates:
            found[i] = candidates.pop(0)
    return found


def _unique_labels(codings: list[Coding]) -> list[Coding]:
    """Two sides may have chosen the same label for different spans: the later span gives its label up."""
    seen: set[str] = set()
    out: list[Coding] = []
    for c in sorted(codings, key=Coding.sort_key):
        if c.label is not None and c.label in seen:
            c = Coding(c.start, c.end, c.codes, c.memo, None)
        if c.label is not None:
            seen.add(c.label)
        out.append(c)
    return out


def _fresh_labels(text: str, codings: list[Coding], used: set[str]) -> list[Coding]:
    """Labels for a block's section that no other part of the file uses (so any choice stays valid)."""
    out: list[Coding] = []
    n = 1
    for c in assign_labels(text, codings):
        if c.label is not None and c.label in used:
            while str(n) in used:
                n += 1
            c = Coding(c.start, c.end, c.codes, c.memo, str(n))
        if c.label is not None:
            used.add(c.label)
        out.append(c)
    return out


def _trim(text: str, start: int, end: int, was: str) -> tuple[int, int]:
    """Keep a mapped span off the spaces around it, unless it began or ended with spaces before."""
    if was[:1].isspace() or was[-1:].isspace():
        return start, end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _pick(o: bool, a: bool, b: bool) -> bool:
    return b if a == o else a


def _join(a: str | None, b: str | None) -> str | None:
    if a and b and a != b:
        return a + "\n" + b
    return a or b


def _snip(text: str, width: int = 40) -> str:
    words = " ".join(text.split())
    return words if len(words) <= width else words[: width - 1] + "…"


# --- front matter --------------------------------------------------------------------------------------
def _entries(raw: str) -> dict[str, list[str]]:
    """Top-level entries of front matter YAML by key, each with its lines (comments above an entry and
    blank lines after it belong to it)."""
    entries: dict[str, list[str]] = {}
    pending: list[str] = []
    current: list[str] | None = None
    for line in raw.removesuffix("\n").split("\n") if raw else []:
        top = line[:1] not in ("", " ", "\t", "#", "-")
        if top:
            key = line.split(":", 1)[0].strip()
            while key in entries:  # not valid YAML, but keep every line
                key += " "
            current = entries[key] = [*pending, line]
            pending = []
        elif line.startswith("#") or current is None:
            pending.append(line)
        else:
            current.append(line)
    if pending:
        (current if current is not None else entries.setdefault("", [])).extend(pending)
    return entries


def _merge_front_matter(o: str | None, a: str | None, b: str | None, conflicts: list[str]) -> str | None:
    """Front matter merged per top-level key; a key both sides changed differently becomes a block."""
    choice = three(o, a, b)
    if choice != "conflict":
        return a if choice == "a" else b
    eo, ea, eb = (_entries(x or "") for x in (o, a, b))
    keys = list(ea)
    for n, key in enumerate(eb):
        if key not in ea and key not in eo:
            before = next((k for k in reversed(list(eb)[:n]) if k in keys), None)
            keys.insert(keys.index(before) + 1 if before is not None else 0, key)
    lines: list[str] = []
    for key in keys + [k for k in eo if k not in keys]:
        vo, va, vb = eo.get(key), ea.get(key), eb.get(key)
        pick = three(vo, va, vb)
        if pick == "conflict":
            conflicts.append(f"front matter: {key.strip() or 'comments'}")
            lines += render_block(Block(0, 0, tuple(va or ()), tuple(vo or ()), tuple(vb or ())))
        else:
            lines += (va if pick == "a" else vb) or []
    return "".join(line + "\n" for line in lines)
