"""Three-way merge of codebook.yaml, code by code, keeping our side's formatting.

Codes are matched across the three versions by slug, or — for a code one side re-slugged or merged into
another — by the old slug it keeps as an alias. Their changes are then applied to our file with the
codebook's own edits, so comments, order and quoting stay as we have them:

- a field one side changed takes the change (a relabel on one side and a move on the other both survive);
  the same field changed differently on both sides is a conflict;
- a code one side deleted is deleted, unless the other side changed it (a conflict);
- a code one side created is inserted under its parent at its place; the same slug created differently on
  both sides is a conflict;
- a code both sides moved to different places stays where we put it;
- code sets likewise: labels and descriptions per field, members as sets (additions kept, removals
  honoured).

Conflicts are written as conflict blocks between three complete versions of the merged file (ours, theirs
and base chosen in every conflict), so each choice gives a valid codebook.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from margin.core.codebook import EDITABLE_FIELDS, Codebook
from margin.core.errors import OperationError
from margin.vcs.diff3 import three, with_blocks

_SIDES = ("o", "a", "b")


@dataclass
class CodebookMerge:
    """The merged codebook.yaml, and what conflicts (one readable line each)."""

    text: str
    conflicts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class _Code:
    """A code as one side has it, its parent and previous sibling named by identity."""

    slug: str
    parent: str | None
    after: str | None
    fields: dict[str, Any]
    aliases: frozenset[str]

    def own(self) -> tuple[object, ...]:
        """What a side changes when it changes the code itself (not its place among new siblings)."""
        return (self.slug, self.parent, sorted(self.fields.items()), sorted(self.aliases))


@dataclass(frozen=True)
class _Set:
    label: str
    description: str | None
    members: tuple[str, ...]  # identities


@dataclass
class _Conflict:
    """One conflict and how the theirs and base versions of the merged file differ from ours there."""

    what: str
    kind: str  # field, deleted-by-us, deleted-by-them, created, set-field, set-created
    ident: str
    name: str = ""  # the field
    values: dict[str, Any] = field(default_factory=dict)  # side -> value or _Code / _Set


def merge_codebook(base: str, ours: str, theirs: str, path: str = "codebook.yaml") -> CodebookMerge:
    """Merge three versions of codebook.yaml; FormatError if one cannot be read at all."""
    if ours == theirs or base == theirs:
        return CodebookMerge(ours)
    if base == ours:
        return CodebookMerge(theirs)
    return _Merge(base, ours, theirs, path).run()


def _identities(cb: Codebook, base: Codebook) -> dict[str, str]:
    """Slug → identity: the base slug this code is (its own, or the old slug a re-slug kept as an alias),
    or '+slug' for a code new on this side."""
    out: dict[str, str] = {}
    for slug, code in cb.codes.items():
        if slug in base.codes:
            out[slug] = slug
        else:
            old = next((a for a in code.aliases if a in base.codes and a not in cb.codes), None)
            out[slug] = old if old is not None else "+" + slug
    return out


def _codes(cb: Codebook, ids: dict[str, str]) -> dict[str, _Code]:
    out: dict[str, _Code] = {}
    for slug, code in cb.codes.items():
        siblings = list(cb.codes[code.parent].children) if code.parent else cb.roots()
        i = siblings.index(slug)
        out[ids[slug]] = _Code(
            slug,
            ids[code.parent] if code.parent else None,
            ids[siblings[i - 1]] if i > 0 else None,
            {f: getattr(code, f) for f in EDITABLE_FIELDS},
            frozenset(code.aliases),
        )
    return out


def _sets(cb: Codebook, ids: dict[str, str]) -> dict[str, _Set]:
    return {
        slug: _Set(s.label, s.description, tuple(ids.get(c, "+" + c) for c in s.codes))
        for slug, s in cb.sets.items()
    }


class _Merge:
    def __init__(self, base: str, ours: str, theirs: str, path: str) -> None:
        self.path = path
        books = {
            "o": Codebook.parse(base, path),
            "a": Codebook.parse(ours, path),
            "b": Codebook.parse(theirs, path),
        }
        ids = {k: _identities(cb, books["o"]) for k, cb in books.items()}
        self.books, self.ids = books, ids
        self.codes = {k: _codes(books[k], ids[k]) for k in _SIDES}
        self.sets = {k: _sets(books[k], ids[k]) for k in _SIDES}
        self.ours = ours
        self.cb = Codebook.parse(ours, path)
        self.slug_of = {ident: slug for slug, ident in ids["a"].items()}  # identity → slug in the result
        self.conflicts: list[_Conflict] = []
        self.new_aliases: list[tuple[str, str]] = []
        """(identity of a code, alias) to add once every alias to remove is gone and every code is in."""

    def run(self) -> CodebookMerge:
        self._deletions()
        moves = self._changes()
        self._additions_and_moves(moves)
        self._add_aliases()
        self._sets()
        text = self.cb.dump()
        if not self.conflicts:
            return CodebookMerge(text)
        versions = {side: self._version(text, side) for side in ("base", "theirs")}
        lines = with_blocks(text.split("\n"), versions["base"].split("\n"), versions["theirs"].split("\n"))
        return CodebookMerge("\n".join(lines), [c.what for c in self.conflicts])

    # codes ------------------------------------------------------------------------------------------
    def _deletions(self) -> None:
        """Apply their deletions. A code one side merged into another (its slug now an alias there) stays
        merged: the other side's edits to it are moot, and its slugs become aliases of the code it went
        into."""
        o, a, b = self.codes["o"], self.codes["a"], self.codes["b"]
        aliases = self.new_aliases
        for ident, old in o.items():
            if ident in a and ident not in b:
                into = self._merged_into("b", old.slug)
                if into is not None and self._slug(into) in (None, self.slug_of[ident]):
                    continue  # merged into a code we merged into this one: it stays, holding both
                if into is not None or a[ident].own() == old.own():
                    self.cb.remove(self.slug_of.pop(ident), reparent_children=True)
                    if into is not None:
                        aliases += [(into, s) for s in sorted({a[ident].slug, *a[ident].aliases})]
                else:
                    self._conflict(
                        f"code {a[ident].slug}: changed here, deleted there", "deleted-by-them", ident
                    )
            elif ident in b and ident not in a:
                into = self._merged_into("a", old.slug)
                if into is not None:
                    aliases += [(into, s) for s in sorted({b[ident].slug, *b[ident].aliases})]
                elif b[ident].own() != old.own():
                    self._conflict(f"code {old.slug}: deleted here, changed there", "deleted-by-us", ident)

    def _merged_into(self, side: str, slug: str) -> str | None:
        """The identity of the code that ``slug`` was merged into on ``side`` (None: not merged)."""
        holder = self.books[side].resolve(slug)
        return self.ids[side][holder] if holder is not None and holder != slug else None

    def _add_aliases(self) -> None:
        for into, alias in self.new_aliases:
            target = self._slug(into)
            if target is not None and self.cb.resolve(alias) is None:
                self.cb.add_alias(target, alias)

    def _additions_and_moves(self, moves: set[str]) -> None:
        """Their new codes and their moves, in their tree's order, so each lands after the sibling it
        follows there (which is then in place already)."""
        o, a, b = self.codes["o"], self.codes["a"], self.codes["b"]
        for ident, new in b.items():
            if ident in moves:
                parent, index = self._place(new)
                if new.parent is None or parent is not None:
                    with suppress(OperationError):  # we moved its new parent under it: it stays as we have it
                        self.cb.move(self.slug_of[ident], parent, index)
                continue
            if ident in o:
                continue
            if ident in a:
                if a[ident].own() != new.own():
                    self._conflict(f"code {new.slug}: created differently on both sides", "created", ident)
                continue
            if self.cb.resolve(new.slug) is not None:
                self._conflict(f"code {new.slug}: created differently on both sides", "created", ident)
                continue
            parent, index = self._place(new)
            self.cb.add(new.slug, new.fields["label"], parent=parent, index=index, **_extra_fields(new))
            self.slug_of[ident] = new.slug
            for alias in sorted(new.aliases):
                if self.cb.resolve(alias) is None:
                    self.cb.add_alias(new.slug, alias)

    def _place(self, code: _Code) -> tuple[str | None, int | None]:
        """The parent (a slug here) and index where a code of another side goes: after the sibling it
        follows there, else first."""
        parent = self._slug(code.parent) if code.parent else None
        siblings = [s for s in (self.cb.children(parent) if parent else self.cb.roots()) if s != code.slug]
        if code.after is None:
            return parent, 0
        after = self.slug_of.get(code.after)
        return parent, (siblings.index(after) + 1 if after in siblings else None)

    def _slug(self, ident: str) -> str | None:
        """The slug here of the code with this identity, or of the code it was merged into."""
        found = self.slug_of.get(ident)
        if found is None and not ident.startswith("+"):
            found = self.cb.resolve(ident)
        return found

    def _changes(self) -> set[str]:
        """Apply their changes to codes both sides kept; returns the codes they moved."""
        o, a, b = self.codes["o"], self.codes["a"], self.codes["b"]
        moves: set[str] = set()
        for ident, old in o.items():
            if ident not in a or ident not in b:
                continue
            ours, theirs = a[ident], b[ident]
            if theirs.own() == old.own() and theirs.after == old.after:
                continue
            slug = self.slug_of[ident]
            if three(old.slug, ours.slug, theirs.slug) == "b":
                if self.cb.resolve(theirs.slug) not in (None, slug):
                    self._field_conflict(ident, "slug", old.slug, ours.slug, theirs.slug)
                else:
                    self.cb.reslug(slug, theirs.slug, keep_alias=False)
                    slug = self.slug_of[ident] = theirs.slug
            elif (
                three(old.slug, ours.slug, theirs.slug) == "conflict" and self.cb.resolve(theirs.slug) is None
            ):
                self.cb.add_alias(slug, theirs.slug)  # re-slugged differently: ours, theirs resolving to it
            for name in EDITABLE_FIELDS:
                vo, va, vb = old.fields[name], ours.fields[name], theirs.fields[name]
                pick = three(vo, va, vb)
                if pick == "b":
                    self.cb.update(slug, **{name: vb})
                elif pick == "conflict":
                    self._field_conflict(ident, name, vo, va, vb)
            self._merge_aliases(ident, slug, old.aliases, ours.aliases, theirs.aliases)
            if (
                three((old.parent, old.after), (ours.parent, ours.after), (theirs.parent, theirs.after))
                == "b"
            ):
                moves.add(ident)
        return moves

    def _merge_aliases(
        self, ident: str, slug: str, o: frozenset[str], a: frozenset[str], b: frozenset[str]
    ) -> None:
        """Aliases as sets: removals now, additions later (another code may give the alias up first)."""
        result = (a & b) | (a - o) | (b - o)
        for alias in sorted(a - result):
            self.cb.remove_alias(slug, alias)
        self.new_aliases += [(ident, alias) for alias in sorted(result - a)]

    # sets -------------------------------------------------------------------------------------------
    def _sets(self) -> None:
        o, a, b = self.sets["o"], self.sets["a"], self.sets["b"]
        for slug, theirs in b.items():
            old, ours = o.get(slug), a.get(slug)
            if old is None and ours is None:
                self.cb.add_set(slug, theirs.label, self._members(theirs.members), theirs.description)
            elif old is None and ours is not None and ours != theirs:
                self._conflict(f"set {slug}: created differently on both sides", "set-created", slug)
                self.conflicts[-1].values = {"base": None, "theirs": theirs}
            elif old is not None and ours is not None and theirs != old:
                self._merge_set(slug, old, ours, theirs)
        for slug, old in o.items():
            if slug in a and slug not in b and a[slug] == old:
                self.cb.remove_set(slug)

    def _merge_set(self, slug: str, old: _Set, ours: _Set, theirs: _Set) -> None:
        for name in ("label", "description"):
            vo, va, vb = getattr(old, name), getattr(ours, name), getattr(theirs, name)
            pick = three(vo, va, vb)
            if pick == "b":
                self.cb.update_set(slug, **{name: vb})
            elif pick == "conflict":
                self._conflict(
                    f"set {slug}: {name} changed differently on both sides", "set-field", slug, name
                )
                self.conflicts[-1].values = {"base": vo, "theirs": vb}
        kept = [m for m in ours.members if m in theirs.members or m not in old.members]
        kept += [m for m in theirs.members if m not in old.members and m not in kept]
        if kept != list(ours.members):
            self.cb.set_members(slug, self._members(kept))

    def _members(self, idents: tuple[str, ...] | list[str]) -> list[str]:
        slugs = [self.slug_of.get(i, i.removeprefix("+")) for i in idents]
        return [s for s in dict.fromkeys(slugs) if self.cb.resolve(s) is not None]

    # conflicts --------------------------------------------------------------------------------------
    def _conflict(self, what: str, kind: str, ident: str, name: str = "") -> None:
        self.conflicts.append(_Conflict(what, kind, ident, name))

    def _field_conflict(self, ident: str, name: str, vo: Any, va: Any, vb: Any) -> None:
        slug = self.codes["a"][ident].slug
        what = f"code {slug}: {name} changed differently on both sides ({_show(va)} here, {_show(vb)} there)"
        self._conflict(what, "field", ident, name)
        self.conflicts[-1].values = {"base": vo, "theirs": vb}

    def _version(self, text: str, side: str) -> str:
        """The merged file with ``side``'s version (theirs or base) chosen in every conflict."""
        cb = Codebook.parse(text, self.path)
        source = self.codes["b" if side == "theirs" else "o"]
        renames_last = sorted(self.conflicts, key=lambda c: c.name == "slug")  # other edits name our slugs
        for c in renames_last:
            if c.kind == "field":
                slug = self.slug_of[c.ident]
                if c.name == "slug":
                    if cb.resolve(c.values[side]) in (None, slug):  # free, or an old slug of this code
                        cb.reslug(slug, c.values[side], keep_alias=False)
                else:
                    cb.update(slug, **{c.name: c.values[side]})
            elif c.kind == "deleted-by-them" and side == "theirs":
                cb.remove(self.slug_of[c.ident], reparent_children=True)
            elif c.kind == "deleted-by-them":
                self._set_fields(cb, self.slug_of[c.ident], source[c.ident])
            elif c.kind == "deleted-by-us":
                code = source[c.ident]
                parent, index = self._place(self.codes["b"][c.ident])
                if cb.resolve(code.slug) is None:
                    cb.add(code.slug, code.fields["label"], parent=parent, index=index, **_extra_fields(code))
            elif c.kind == "created" and side == "theirs":
                self._set_fields(cb, self.slug_of.get(c.ident, c.ident.removeprefix("+")), source[c.ident])
            elif c.kind == "created":
                slug = self.slug_of.get(c.ident, c.ident.removeprefix("+"))
                if c.ident in source:
                    self._set_fields(cb, slug, source[c.ident])
                elif cb.resolve(slug) is not None:
                    cb.remove(slug, reparent_children=True)
            elif c.kind == "set-field":
                cb.update_set(c.ident, **{c.name: c.values[side]})
            elif c.kind == "set-created":
                theirs = c.values[side]
                if theirs is None:
                    cb.remove_set(c.ident)
                else:
                    cb.update_set(c.ident, label=theirs.label, description=theirs.description)
                    cb.set_members(c.ident, self._members(theirs.members))
        return cb.dump()

    @staticmethod
    def _set_fields(cb: Codebook, slug: str, code: _Code) -> None:
        """Give code ``slug`` the fields and aliases of ``code``, changing only what differs."""
        now = cb.code(slug)
        changed = {k: v for k, v in code.fields.items() if getattr(now, k) != v}
        if changed:
            cb.update(slug, **changed)
        current = set(cb.code(slug).aliases)
        for alias in sorted(current - code.aliases):
            cb.remove_alias(slug, alias)
        for alias in sorted(code.aliases - current):
            if cb.resolve(alias) is None:
                cb.add_alias(slug, alias)


def _extra_fields(code: _Code) -> dict[str, Any]:
    """The fields to give a code added from another side, besides its label (defaults left out)."""
    return {
        k: v for k, v in code.fields.items() if v is not None and k != "label" and (k, v) != ("codable", True)
    }


def _show(value: Any) -> str:
    if value is None:
        return "none"
    text = str(value)
    return repr(text if len(text) <= 30 else text[:29] + "…")
