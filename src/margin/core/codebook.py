"""The codebook: the code tree and code sets of codebook.yaml, edited in place so diffs stay small.

The YAML is kept as ruamel round-trip data (comments, key order, quoting); ``Code`` and ``CodeSet`` are
snapshots of it, rebuilt after every change. Errors in the file are collected by ``problems()``; only a
file that cannot be used at all makes ``parse`` raise.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from margin.core.coding import is_slug
from margin.core.errors import FormatError, OperationError
from margin.core.yamlcomments import Comments
from margin.core.yamlio import dump_round_trip, load_round_trip, round_trip

FIELDS = (  # in the order Margin writes them; aliases sit by the label, so a re-slug is one hunk
    "label",
    "aliases",
    "description",
    "definition",
    "include",
    "exclude",
    "example",
    "color",
    "codable",
    "memo",
    "children",
)
TEXT_FIELDS = ("label", "description", "definition", "include", "exclude", "example", "memo")
EDITABLE_FIELDS = (*TEXT_FIELDS, "color", "codable")
SET_FIELDS = ("label", "description", "codes")
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
MAX_SLUG = 48
_HEADER = "# The codebook: codes (a tree keyed by slug) and code sets (candidate themes).\n"
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ](?=\w)")
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l"})


# --- slugs and suggestions -----------------------------------------------------------------------------
def slugify(label: str, taken: Collection[str] = ()) -> str:
    """A free slug made from ``label``: ASCII, lowercase, words joined by '-', at most 48 characters.

    Used for in-vivo codes (made from the selected words); "-2", "-3" … are added until the slug is free.
    """
    label = _APOSTROPHE.sub("", label)  # "It's" is one word, as "It’s" is
    text = unicodedata.normalize("NFKD", label.translate(_FOLD)).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(base) > MAX_SLUG:
        cut = base[: MAX_SLUG + 1]
        base = cut.rsplit("-", 1)[0] if "-" in cut else cut[:MAX_SLUG]
    base = base or "code"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice that ``word`` most likely misspells, if any."""
    import difflib

    options = list(choices)
    folded = {c.casefold(): c for c in options}
    if word.casefold() in folded:
        return folded[word.casefold()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str], otherwise: str = "") -> str:
    """' — did you mean 'x'?' (or ``otherwise``) for an error message."""
    match = closest(word, choices)
    return f" — did you mean '{match}'?" if match else otherwise


def kind(value: Any) -> str:
    """How a YAML value reads, for error messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(str(value))


# --- positions and problems ----------------------------------------------------------------------------
def position(node: Any, key: Any = None, value: bool = False) -> tuple[int, int]:
    """1-based (line, column) of ``key`` (or its value) in ``node``; (0, 0) for data added since parsing."""
    lc = getattr(node, "lc", None)
    if key is not None:
        pos = (getattr(lc, "data", None) or {}).get(key)
        if pos is None:
            return 0, 0
        offset = 2 if value and isinstance(node, dict) else 0
        return pos[offset] + 1, pos[offset + 1] + 1
    line = getattr(lc, "line", None)
    return (line + 1, (getattr(lc, "col", 0) or 0) + 1) if line is not None else (0, 0)


class Problems:
    """Located problems of one file, collected in any order and reported by position."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[FormatError] = []

    def add(self, message: str, node: Any, key: Any = None, value: bool = False) -> None:
        line, column = position(node, key, value)
        self.items.append(FormatError(message, path=self.path, line=line, column=column))

    def sorted(self) -> list[FormatError]:
        return sorted(self.items, key=lambda e: (e.line, e.column))


# --- loading, and writing back with the original formatting --------------------------------------------
def load_yaml(text: str, path: str) -> Any:
    """Round-trip data of a YAML file; a key written twice in one mapping names both lines."""
    try:
        return load_round_trip(text, path)
    except FormatError:
        _raise_duplicate(text, path)
        raise


def _raise_duplicate(text: str, path: str) -> None:
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import YAMLError

    try:
        round_trip().load(text)
    except DuplicateKeyError as exc:
        first, second = exc.context_mark, exc.problem_mark
        key = re.search(r'duplicate key "(.*?)"', str(exc.problem))
        name = f"'{key.group(1)}'" if key else "this key"
        raise FormatError(
            f"{name} is written twice in the same mapping (lines {first.line + 1} and {second.line + 1}) — "
            "merge the two entries into one",
            path=path,
            line=second.line + 1,
            column=second.column + 1,
        ) from None
    except YAMLError:
        return


def keep_formatting(original: str, baseline: str, edited: str) -> str:
    """Apply the change ``baseline`` → ``edited`` to ``original``, line by line.

    ``baseline`` is ruamel's rendering of ``original``; it differs where ruamel cannot keep the layout (a
    flow list spread over several lines). Those lines stay as written unless the edit changes them.
    """
    if original == baseline:
        return edited
    from difflib import SequenceMatcher

    base, ours, theirs = (s.splitlines(keepends=True) for s in (baseline, original, edited))
    to_ours = _line_map(base, ours)
    out: list[str] = []
    done = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, theirs, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lo, hi, p, q = _window(to_ours, i1, i2, len(base), len(ours))
        if lo < done:
            return edited
        out += ours[done:lo] + base[p:i1] + theirs[j1:j2] + base[i2:q]
        done = hi
    return "".join(out + ours[done:])


def _line_map(a: list[str], b: list[str]) -> dict[int, int]:
    from difflib import SequenceMatcher

    pairs: dict[int, int] = {}
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        pairs.update((block.a + n, block.b + n) for n in range(block.size))
    return pairs


def _window(to_ours: dict[int, int], i1: int, i2: int, n: int, m: int) -> tuple[int, int, int, int]:
    """Lines ``ours[lo:hi]`` that stand for ``base[p:q]`` ⊇ ``base[i1:i2]``, widened only where the changed
    lines are not in ``ours`` as they are in ``base``."""
    if i1 == i2 and i1 - 1 in to_ours:
        at = to_ours[i1 - 1] + 1
        return at, at, i1, i1
    if i1 == i2 and (i1 in to_ours or i1 == n):
        at = to_ours.get(i1, m)
        return at, at, i1, i1
    if i1 < i2 and i1 in to_ours and i2 - 1 in to_ours:
        return to_ours[i1], to_ours[i2 - 1] + 1, i1, i2
    p, q = i1, i2
    while p > 0 and p - 1 not in to_ours:
        p -= 1
    while q < n and q not in to_ours:
        q += 1
    return (to_ours[p - 1] + 1 if p > 0 else 0), (to_ours[q] if q < n else m), p, q


class RoundTripFile:
    """A YAML file kept as round-trip data; ``dump()`` changes only the lines that edits changed.

    From the first edit on, the file's comment lines are kept apart from the data (margin.core.yamlcomments)
    and written back where they belong, wherever an edit moves the entries around them.
    """

    def __init__(self, text: str, data: Any, filename: str) -> None:
        self.filename = filename
        self._text = text
        self._data = data
        self._baseline: str | None = None
        self._comments = Comments()

    def dump(self) -> str:
        """The file's text: the bytes as read if nothing changed, else as read plus the edits."""
        if self._baseline is None:
            return self._text
        return keep_formatting(self._text, self._baseline, self._comments.render(self._data))

    def _begin_edit(self) -> None:
        """Call before changing the data (after validating the change)."""
        if self._baseline is None:
            self._comments = Comments.take(self._data, self._text)
            self._baseline = self._comments.render(self._data)
        else:
            self._comments.settle(self._data)


# --- editing round-trip data: entries keep their comments and the blank lines around them --------------
def new_map(items: Iterable[tuple[str, Any]] = (), flow: bool = False) -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap(items)
    if flow:
        node.fa.set_flow_style()
    return node


def new_list(items: Iterable[Any] = (), flow: bool = True) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    node = CommentedSeq(items)
    if flow:
        node.fa.set_flow_style()
    return node


def scalar(value: Any, like: Any = None, quoted: bool = False) -> Any:
    """``value`` for YAML: in its own style if it has one, as a literal block if it has line breaks, in the
    style of ``like`` (the value it replaces), double-quoted if ``quoted``, else plain — the first of these
    that reads back as ``value`` (double quotes always do)."""
    if not isinstance(value, str):
        return value
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, ScalarString

    styles: list[type[str]] = [LiteralScalarString] if "\n" in value else []
    if isinstance(value, ScalarString):
        styles.insert(0, type(value))
    if isinstance(like, ScalarString):
        styles.append(type(like))
    elif not quoted:
        styles.append(str)
    for style in styles:
        if (_block_ok(value) or not _is_block_scalar(style(value))) and _reads_back(style(value)):
            return style(value)
    return DoubleQuotedScalarString(value)


def _block_ok(value: str) -> bool:
    """Whether a block scalar can hold ``value``: one ending in blank lines ('|+') would take in the blank
    lines that follow it in the file."""
    return bool(value.strip()) and not value.endswith("\n\n")


def _reads_back(value: str) -> bool:
    """Whether ``value`` written in its style reads back unchanged, without a CR or NUL in the file."""
    text = dump_round_trip(new_map([("k", value)]))
    if "\r" in text or "\x00" in text:
        return False
    try:
        return bool(load_round_trip(text)["k"] == value)
    except FormatError:
        return False


def _is_block_scalar(value: Any) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, (LiteralScalarString, FoldedScalarString))


def is_map(node: Any) -> bool:
    """A YAML mapping (type checks through Any, without narrowing ruamel's classes to dict)."""
    return isinstance(node, dict)


def _token(container: Any, key: Any) -> Any:
    """The end-of-line comment of an entry, if it has one."""
    entry = container.ca.items.get(key)
    return entry[2 if is_map(container) else 0] if entry is not None else None


def insert_entry(container: Any, index: int, key: Any, value: Any, record: Any = None) -> None:
    """Insert ``key: value`` at ``index``, with ``record`` (the comment record of an entry taken out with
    ``delete_entry``: the entry keeps its end-of-line comments). An empty mapping becomes a block, an empty
    list a flow list (``[a, b]``), however they were written."""
    if not container:
        (container.fa.set_block_style if is_map(container) else container.fa.set_flow_style)()
    if is_map(container):
        container.insert(index, key, value)
        if record is not None:
            container.ca.items[key] = record
    else:
        container.insert(index, value)


def delete_entry(container: Any, key: Any) -> Any:
    """Remove entry ``key`` and return its comment record; an emptied collection is written ``{}`` / ``[]``.
    (The comment lines around the entry are not in the data while it is edited: see RoundTripFile.)"""
    record = container.ca.items.pop(key, None) if is_map(container) else None
    del container[key]
    if not container:
        container.fa.set_flow_style()
    return record


def rename_key(container: Any, old: str, new: str) -> None:
    """Rename a mapping key in place: same position, same comments."""
    index = _index_of(container, old)
    record = container.ca.items.pop(old, None)
    positions = container.lc.data
    container.insert(index, new, container.pop(old))
    if record is not None:
        container.ca.items[new] = record
    if positions is not None and old in positions:
        positions[new] = positions.pop(old)


def _index_of(container: Any, key: Any) -> int:
    return list(container).index(key) if is_map(container) else int(key)


def field_index(mapping: Any, field: str, order: Sequence[str]) -> int:
    """Where a new ``field`` goes in ``mapping`` so that known fields stay in ``order``."""
    rank = order.index(field)
    for n, key in enumerate(mapping):
        if key in order and order.index(key) > rank:
            return n
    return len(mapping)


# --- the model -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Code:
    """One code of the tree (a snapshot; the codebook rebuilds its codes after each change)."""

    slug: str
    label: str
    parent: str | None = None
    children: tuple[str, ...] = ()
    description: str | None = None
    definition: str | None = None
    include: str | None = None
    exclude: str | None = None
    example: str | None = None
    color: str | None = None
    codable: bool = True
    aliases: tuple[str, ...] = ()
    memo: str | None = None
    line: int = dataclasses.field(default=0, compare=False)  # its line when parsed (0: added or moved since)


@dataclass(frozen=True, slots=True)
class CodeSet:
    """A code set (candidate theme): codes named by their current slugs."""

    slug: str
    label: str
    description: str | None = None
    codes: tuple[str, ...] = ()
    line: int = dataclasses.field(default=0, compare=False)


def field_error(field: str, value: Any) -> str | None:
    """What is wrong with ``value`` for a code field, or None."""
    if field in TEXT_FIELDS and not isinstance(value, str):
        return f"'{field}' must be text, not {kind(value)} — put it in quotes"
    if field == "color" and not (isinstance(value, str) and COLOR_RE.fullmatch(value)):
        return f'\'color\' must be a colour written "#rrggbb" (e.g. "#4e79a7"), not {kind(value)}'
    if field == "codable" and not isinstance(value, bool):
        return f"'codable' must be true or false, not {kind(value)}"
    return None


class _Reader:
    """Builds the model of a codebook from its round-trip data, collecting problems."""

    def __init__(self, data: Any, path: str) -> None:
        self.problems = Problems(path)
        self.codes: dict[str, Code] = {}
        self.home: dict[str, Any] = {}  # slug -> the mapping that holds its key
        self.aliases: dict[str, str] = {}
        self.sets: dict[str, CodeSet] = {}
        self.set_homes: dict[str, Any] = {}
        self._order: list[str] = []
        self._fields: dict[str, dict[str, Any]] = {}
        self._parents: dict[str, str | None] = {}
        self._children: dict[str, tuple[str, ...]] = {}
        self._read(data)

    def _read(self, data: Any) -> None:
        for key in data:
            if key not in ("codes", "sets"):
                hint = did_you_mean(
                    str(key), ("codes", "sets"), " — codebook.yaml has only 'codes:' and 'sets:'"
                )
                self.problems.add(f"unknown section '{key}'{hint}", data, key)
        codes = data.get("codes")
        if isinstance(codes, dict):
            self._walk(codes, None)
        self._read_aliases()
        self.codes = {slug: self._code(slug) for slug in self._order}
        sets = data.get("sets")
        if isinstance(sets, dict):
            self._read_sets(sets)
        elif sets is not None:
            self.problems.add(
                f"'sets' must be a mapping of code sets (slug: fields), not {kind(sets)}", data, "sets"
            )

    # codes ------------------------------------------------------------------------------------------------
    def _walk(self, container: Any, parent: str | None) -> tuple[str, ...]:
        kids: list[str] = []
        for key, value in container.items():
            if not self._usable_code(container, key, value):
                continue
            kids.append(key)
            self.home[key] = container
            self._order.append(key)
            self._parents[key] = parent
            self._fields[key] = self._read_fields(key, value or {})
            children = (value or {}).get("children")
            self._children[key] = self._walk(children, key) if isinstance(children, dict) else ()
        return tuple(kids)

    def _usable_code(self, container: Any, key: Any, value: Any) -> bool:
        add = self.problems.add
        if not isinstance(key, str):
            add(
                f"the code key {key!r} is read as {kind(key)} — write a slug, quoted if need be ('{key}')",
                container,
                key,
            )
        elif not is_slug(key):
            add(
                f"'{key}' is not a slug — use lowercase letters and digits joined by '-' or '_' "
                f"(e.g. '{slugify(key)}')",
                container,
                key,
            )
        elif key in self.home:
            first = position(self.home[key], key)[0]
            add(
                f"code '{key}' is defined twice (lines {first} and {position(container, key)[0]}) — "
                "rename one of them: slugs are unique across the whole tree",
                container,
                key,
            )
        elif value is not None and not isinstance(value, dict):
            add(
                f"code '{key}' must be a mapping of fields (label: …), not {kind(value)}",
                container,
                key,
                True,
            )
        else:
            return True
        return False

    def _read_fields(self, slug: str, node: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for field, value in node.items():
            if field not in FIELDS:
                hint = did_you_mean(str(field), FIELDS, f" — known fields: {', '.join(FIELDS)}")
                self.problems.add(f"unknown field '{field}' in code '{slug}'{hint}", node, field)
            elif field == "children":
                if value is not None and not isinstance(value, dict):
                    self.problems.add(
                        f"'children' of code '{slug}' must be a mapping of codes (slug: fields), "
                        f"not {kind(value)}",
                        node,
                        field,
                        True,
                    )
            elif field == "aliases":
                fields[field] = self._read_alias_list(slug, node, value)
            elif value is None:
                self._empty_field(slug, node, field)
            elif (error := field_error(field, value)) is not None:
                self.problems.add(f"code '{slug}': {error}", node, field, True)
            else:
                fields[field] = str(value) if isinstance(value, str) else value
        return fields

    def _empty_field(self, slug: str, node: Any, field: str) -> None:
        token = _token(node, field)
        if field == "color" and token is not None and COLOR_RE.match(token.value.lstrip()):
            colour = token.value.split()[0]
            self.problems.add(
                f"the colour of code '{slug}' is read as a comment — put it in quotes: color: \"{colour}\"",
                node,
                field,
            )

    def _read_alias_list(self, slug: str, node: Any, value: Any) -> list[tuple[str, Any, int]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(
                f"'aliases' of code '{slug}' must be a list of old slugs, e.g. aliases: [old-slug]",
                node,
                "aliases",
                True,
            )
            return []
        found = []
        for n, alias in enumerate(value):
            if isinstance(alias, str) and is_slug(alias):
                found.append((str(alias), value, n))
            else:
                self.problems.add(
                    f"alias {kind(alias)} of code '{slug}' is not a slug — write the old slug", value, n
                )
        return found

    def _read_aliases(self) -> None:
        seen: dict[str, tuple[str, Any, int]] = {}
        for slug in self._order:
            for alias, seq, n in self._fields[slug].get("aliases", []):
                where = position(seq, n)[0]
                if alias in self.home:
                    other = (
                        "itself"
                        if alias == slug
                        else f"code '{alias}' (line {position(self.home[alias], alias)[0]})"
                    )
                    self.problems.add(
                        f"alias '{alias}' of code '{slug}' is the slug of {other} — "
                        "remove the alias or rename the code",
                        seq,
                        n,
                    )
                elif alias in seen:
                    owner, seq0, n0 = seen[alias]
                    self.problems.add(
                        f"alias '{alias}' is given to two codes, '{owner}' "
                        f"(line {position(seq0, n0)[0]}) and '{slug}' (line {where}) — keep it on one",
                        seq,
                        n,
                    )
                else:
                    seen[alias] = (slug, seq, n)
                    self.aliases[alias] = slug

    def _code(self, slug: str) -> Code:
        fields = dict(self._fields[slug])
        aliases = tuple(a for a, *_ in fields.pop("aliases", []) if self.aliases.get(a) == slug)
        fields.setdefault("label", slug)
        return Code(
            slug=slug,
            parent=self._parents[slug],
            children=self._children[slug],
            aliases=aliases,
            line=position(self.home[slug], slug)[0],
            **fields,
        )

    # sets -------------------------------------------------------------------------------------------------
    def _read_sets(self, sets: Any) -> None:
        for key, value in sets.items():
            if not (isinstance(key, str) and is_slug(key)):
                self.problems.add(
                    f"the set key {kind(key)} is not a slug — e.g. '{slugify(str(key))}'", sets, key
                )
            elif not isinstance(value, dict) and value is not None:
                self.problems.add(
                    f"set '{key}' must be a mapping (label: …, codes: […]), not {kind(value)}",
                    sets,
                    key,
                    True,
                )
            else:
                self.set_homes[key] = sets
                self.sets[key] = self._read_set(key, value or {}, position(sets, key)[0])

    def _read_set(self, slug: str, node: Any, line: int) -> CodeSet:
        texts: dict[str, str] = {}
        members: tuple[str, ...] = ()
        for field, value in node.items():
            if field not in SET_FIELDS:
                hint = did_you_mean(str(field), SET_FIELDS, " — a set has 'label', 'description' and 'codes'")
                self.problems.add(f"unknown field '{field}' in set '{slug}'{hint}", node, field)
            elif field == "codes":
                members = self._read_members(slug, node, value)
            elif value is not None and not isinstance(value, str):
                self.problems.add(
                    f"'{field}' of set '{slug}' must be text, not {kind(value)} — put it in quotes",
                    node,
                    field,
                    True,
                )
            elif value is not None:
                texts[field] = str(value)
        return CodeSet(slug, texts.get("label", slug), texts.get("description"), members, line)

    def _read_members(self, slug: str, node: Any, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problems.add(
                f"'codes' of set '{slug}' must be a list of code slugs, e.g. codes: [a, b]",
                node,
                "codes",
                True,
            )
            return ()
        members: list[str] = []
        for n, item in enumerate(value):
            code = self.resolve(item) if isinstance(item, str) else None
            if code is None:
                hint = did_you_mean(str(item), self.codes, " — add the code or remove it from the set")
                self.problems.add(f"set '{slug}' names unknown code {kind(item)}{hint}", value, n)
            elif code in members:
                self.problems.add(f"set '{slug}' names code '{code}' twice — remove one", value, n)
            else:
                members.append(code)
        return tuple(members)

    def resolve(self, name: str) -> str | None:
        return name if name in self.codes else self.aliases.get(name)


class Codebook(RoundTripFile):
    """codebook.yaml: the code tree and the code sets."""

    def __init__(self, text: str, data: Any, filename: str) -> None:
        super().__init__(text, data, filename)
        self._reindex()

    @classmethod
    def parse(cls, text: str, path: str = "codebook.yaml") -> Codebook:
        """Read a codebook; raises FormatError only when the file cannot be used at all."""
        data = load_yaml(text, path)
        if data is None:
            data = new_map()
        if not isinstance(data, dict):
            raise FormatError(
                f"codebook.yaml must be a mapping with 'codes:' and 'sets:', not {kind(data)}",
                path=path,
                line=1,
                column=1,
            )
        codes = data.get("codes")
        if codes is not None and not isinstance(codes, dict):
            line, column = position(data, "codes", value=True)
            raise FormatError(
                f"'codes' must be a mapping of code slugs, not {kind(codes)} — write each code as "
                "'slug:' with its fields indented below it",
                path=path,
                line=line,
                column=column,
            )
        return cls(text, data, path)

    def _reindex(self) -> None:
        reader = _Reader(self._data, self.filename)
        self._codes, self._sets, self._aliases = reader.codes, reader.sets, reader.aliases
        self._home, self._set_homes = reader.home, reader.set_homes
        self._roots = tuple(slug for slug, code in self._codes.items() if code.parent is None)
        self._problems = reader.problems.sorted()

    def problems(self) -> list[FormatError]:
        """Everything wrong with the file, by position (for ``margin check``)."""
        return list(self._problems)

    # --- queries ------------------------------------------------------------------------------------------
    @property
    def codes(self) -> Mapping[str, Code]:
        """Slug → code, in tree pre-order."""
        return self._codes

    @property
    def sets(self) -> Mapping[str, CodeSet]:
        return self._sets

    @property
    def aliases(self) -> Mapping[str, str]:
        """Old slug → current slug."""
        return self._aliases

    def roots(self) -> list[str]:
        """The top-level codes, in order."""
        return list(self._roots)

    def get(self, slug: str) -> Code | None:
        """The code with this slug or alias, or None."""
        found = self.resolve(slug)
        return self._codes[found] if found is not None else None

    def resolve(self, slug_or_alias: str) -> str | None:
        """The current slug of a code named by its slug or an old slug (alias)."""
        if slug_or_alias in self._codes:
            return slug_or_alias
        return self._aliases.get(slug_or_alias)

    def code(self, slug_or_alias: str) -> Code:
        """The code, or OperationError saying which codes exist."""
        found = self.resolve(slug_or_alias)
        if found is None:
            hint = did_you_mean(
                slug_or_alias, [*self._codes, *self._aliases], " (add it with `margin code add NAME`)"
            )
            raise OperationError(f"unknown code '{slug_or_alias}'{hint}")
        return self._codes[found]

    def children(self, slug: str) -> list[str]:
        return list(self.code(slug).children)

    def descendants(self, slug: str) -> list[str]:
        """All codes below ``slug``, in pre-order."""
        found: list[str] = []
        stack = list(reversed(self.code(slug).children))
        while stack:
            found.append(stack.pop())
            stack.extend(reversed(self._codes[found[-1]].children))
        return found

    def ancestors(self, slug: str) -> list[str]:
        """The codes above ``slug``, nearest first."""
        found: list[str] = []
        parent = self.code(slug).parent
        while parent is not None:
            found.append(parent)
            parent = self._codes[parent].parent
        return found

    def path(self, slug: str) -> list[str]:
        """Labels from the root to the code."""
        return [self._codes[s].label for s in reversed(self.ancestors(slug))] + [self.code(slug).label]

    def label(self, slug: str) -> str:
        return self.code(slug).label

    def color(self, slug: str) -> str:
        """The code's colour, else its nearest coloured ancestor's, else a palette colour by its root."""
        line = [self.code(slug).slug, *self.ancestors(slug)]
        for each in line:
            if self._codes[each].color:
                return str(self._codes[each].color)
        return PALETTE[self._roots.index(line[-1]) % len(PALETTE)]

    def taken(self) -> set[str]:
        """Slugs and aliases in use: a new code needs a slug outside these."""
        return {*self._codes, *self._aliases}

    def free_slug(self, label: str) -> str:
        """A free slug for a new code labelled ``label`` (in-vivo codes)."""
        return slugify(label, self.taken())

    # --- code mutations -----------------------------------------------------------------------------------
    def add(
        self, slug: str, label: str, parent: str | None = None, index: int | None = None, **fields: Any
    ) -> Code:
        """Add a code under ``parent`` (None: a root code) at ``index`` among its children (None: last)."""
        self._check_new_slug(slug)
        parent = self.code(parent).slug if parent is not None else None
        siblings = self.code(parent).children if parent is not None else self._roots
        index = _check_index(index, len(siblings))
        values = _checked_fields({"label": label, **fields}, allow_none=True)
        self._begin_edit()
        node = new_map(
            (f, scalar(values[f], quoted=f == "color")) for f in FIELDS if values.get(f) is not None
        )
        container = self._container(parent)
        insert_entry(container, self._raw_index(container, siblings, index), slug, node)
        self._reindex()
        return self._codes[slug]

    def update(self, slug: str, **fields: Any) -> Code:
        """Change fields of a code; a field given as None is removed (a missing label shows the slug)."""
        slug = self.code(slug).slug
        values = _checked_fields(fields, allow_none=True)
        self._begin_edit()
        node = self._code_map(slug)
        for field, value in values.items():
            set_field(node, field, value, FIELDS, quoted=field == "color")
        self._reindex()
        return self._codes[slug]

    def reslug(self, old: str, new: str, keep_alias: bool = True) -> Code:
        """Change a code's slug in place; the old slug stays as an alias (unless ``keep_alias`` is False)."""
        slug = self.code(old).slug
        if new == slug:
            return self._codes[slug]
        if self._aliases.get(new) != slug:
            self._check_new_slug(new)
        self._begin_edit()
        node, home = self._code_map(slug), self._home[slug]
        rename_key(home, slug, new)
        aliases = [a for a in self._codes[slug].aliases if a != new] + ([slug] if keep_alias else [])
        self._write_aliases(node, aliases)
        self._rename_members({slug, *self._codes[slug].aliases}, new)
        self._reindex()
        return self._codes[new]

    def move(self, slug: str, new_parent: str | None, index: int | None = None) -> Code:
        """Move a code (with its subtree) under ``new_parent`` (None: to the root) at ``index``."""
        code = self.code(slug)
        parent = self.code(new_parent).slug if new_parent is not None else None
        if parent is not None and (parent == code.slug or code.slug in self.ancestors(parent)):
            raise OperationError(
                f"cannot move '{code.slug}' under '{parent}': it would be inside itself — "
                f"choose a parent outside the subtree of '{code.slug}'"
            )
        siblings = [c for c in (self.code(parent).children if parent else self._roots) if c != code.slug]
        index = _check_index(index, len(siblings))
        old = self.code(code.parent).children if code.parent else self._roots
        if parent == code.parent and old.index(code.slug) == index:
            return code
        self._begin_edit()
        value, record = self._detach(code.slug)
        container = self._container(parent)
        moved = list(record) if record is not None else None  # a copy: the lines before it stay in place
        insert_entry(container, self._raw_index(container, siblings, index), code.slug, value, moved)
        self._reindex()
        return self._codes[code.slug]

    def remove(self, slug: str, reparent_children: bool = False) -> None:
        """Remove a code; its children move up to its place only if ``reparent_children`` is True."""
        code = self.code(slug)
        if code.children and not reparent_children:
            where = f"'{code.parent}'" if code.parent else "the root"
            raise OperationError(
                f"code '{code.slug}' has child codes ({', '.join(code.children)}) — move or remove them "
                f"first, or remove it with its children moved up to {where}"
            )
        self._begin_edit()
        for child in code.children:  # with their own records: the lines among them go with them
            value, record = self._detach(child)
            container = self._home[code.slug]
            insert_entry(container, _index_of(container, code.slug), child, value, record)
        for set_slug in self._sets:
            members = self._members_node(set_slug)
            for n in reversed(range(len(members))):
                if self.resolve(str(members[n])) == code.slug:
                    delete_entry(members, n)
        self._detach(code.slug)
        self._reindex()

    def add_alias(self, slug: str, alias: str) -> Code:
        """Let ``alias`` (an old slug) name the code too."""
        code = self.code(slug)
        if self._aliases.get(alias) == code.slug:
            return code
        self._check_new_slug(alias)
        self._begin_edit()
        self._write_aliases(self._code_map(code.slug), [*code.aliases, alias])
        self._reindex()
        return self._codes[code.slug]

    def remove_alias(self, slug: str, alias: str) -> Code:
        """Stop ``alias`` naming the code; sets that name the code by it name it by its slug."""
        code = self.code(slug)
        if alias not in code.aliases:
            raise OperationError(
                f"'{alias}' is not an alias of '{code.slug}' — "
                f"its aliases: {', '.join(code.aliases) or 'none'}"
            )
        self._begin_edit()
        aliases = [a for a in code.aliases if a != alias]
        self._write_aliases(self._code_map(code.slug), aliases)
        self._rename_members({alias}, code.slug)
        self._reindex()
        return self._codes[code.slug]

    # --- set mutations ------------------------------------------------------------------------------------
    def add_set(
        self, slug: str, label: str, codes: Sequence[str] = (), description: str | None = None
    ) -> CodeSet:
        if not is_slug(slug):
            raise OperationError(f"'{slug}' is not a slug — e.g. '{slugify(slug)}'")
        if slug in self._sets:
            raise OperationError(
                f"there is already a set '{slug}' — choose another slug, e.g. '{slugify(slug, self._sets)}'"
            )
        members = self._members(codes)
        values = _checked_set_fields({"label": label, "description": description})
        self._begin_edit()
        sets = self._data.get("sets")
        if not isinstance(sets, dict):
            sets = new_map()
            insert_entry(self._data, len(self._data), "sets", sets)
        items = [(f, scalar(values[f])) for f in ("label", "description") if values.get(f) is not None]
        insert_entry(sets, len(sets), slug, new_map([*items, ("codes", new_list(members))]))
        self._reindex()
        return self._sets[slug]

    def update_set(self, slug: str, **fields: Any) -> CodeSet:
        """Change a set's 'label' or 'description' (None removes the field)."""
        self._set(slug)
        values = _checked_set_fields(fields)
        self._begin_edit()
        for field, value in values.items():
            set_field(self._set_map(slug), field, value, SET_FIELDS)
        self._reindex()
        return self._sets[slug]

    def remove_set(self, slug: str) -> None:
        self._set(slug)
        self._begin_edit()
        delete_entry(self._set_homes[slug], slug)
        self._reindex()

    def set_members(self, slug: str, codes: Sequence[str]) -> CodeSet:
        """Make ``codes`` the set's members, changing only the list items that differ."""
        self._set(slug)
        members = self._members(codes)
        self._begin_edit()
        node = self._set_map(slug)
        if not isinstance(node.get("codes"), list):
            set_field(node, "codes", new_list(), SET_FIELDS)
        edit_list(node["codes"], members)
        self._reindex()
        return self._sets[slug]

    # --- helpers ------------------------------------------------------------------------------------------
    def _check_new_slug(self, slug: str) -> None:
        if not is_slug(slug):
            raise OperationError(
                f"'{slug}' is not a slug — use lowercase letters and digits joined by '-' or '_' "
                f"(e.g. '{slugify(slug, self.taken())}')"
            )
        if slug in self._codes:
            raise OperationError(
                f"'{slug}' is already a code ({self._codes[slug].label}) — choose another slug, "
                f"e.g. '{slugify(slug, self.taken())}'"
            )
        if slug in self._aliases:
            raise OperationError(
                f"'{slug}' is an old slug (alias) of '{self._aliases[slug]}' — choose another slug, "
                "or remove the alias first"
            )

    def _set(self, slug: str) -> CodeSet:
        if slug not in self._sets:
            raise OperationError(f"unknown set '{slug}'{did_you_mean(slug, self._sets)}")
        return self._sets[slug]

    def _members(self, codes: Sequence[str]) -> list[str]:
        members: list[str] = []
        for name in codes:
            slug = self.code(name).slug
            if slug not in members:
                members.append(slug)
        return members

    def _rename_members(self, names: Collection[str], new: str) -> None:
        """Let every set that names a code by one of ``names`` name it ``new``."""
        for set_slug in self._sets:
            members = self._members_node(set_slug)
            for n, item in enumerate(members):
                if item in names:
                    members[n] = new

    def _members_node(self, set_slug: str) -> Any:
        node = self._set_map(set_slug).get("codes")
        return node if isinstance(node, list) else []

    def _set_map(self, slug: str) -> Any:
        home = self._set_homes[slug]
        if home[slug] is None:
            home[slug] = new_map()
        return home[slug]

    def _code_map(self, slug: str) -> Any:
        """The code's field mapping, made a mapping if the file has only 'slug:'."""
        home = self._home[slug]
        if home[slug] is None:
            home[slug] = new_map()
        return home[slug]

    def _container(self, parent: str | None) -> Any:
        """The mapping that holds the children of ``parent`` (the root codes for None), made if missing."""
        if parent is None:
            if not isinstance(self._data.get("codes"), dict):
                insert_entry(self._data, 0, "codes", new_map())
            return self._data["codes"]
        node = self._code_map(parent)
        if node.fa.flow_style():
            node.fa.set_block_style()
        if not isinstance(node.get("children"), dict):
            set_field(node, "children", new_map(), FIELDS)
        return node["children"]

    def _raw_index(self, container: Any, siblings: Sequence[str], index: int) -> int:
        """The position in the YAML mapping of the model's ``index`` among valid codes."""
        return _index_of(container, siblings[index]) if index < len(siblings) else len(container)

    def _detach(self, slug: str) -> tuple[Any, Any]:
        """Take a code's entry out of its mapping; an emptied 'children' goes too."""
        container = self._home[slug]
        parent = self._codes[slug].parent
        value = container[slug]
        record = delete_entry(container, slug)
        if parent is not None and not container:
            delete_entry(self._code_map(parent), "children")
        return value, record

    def _write_aliases(self, node: Any, aliases: list[str]) -> None:
        current = node.get("aliases")
        if isinstance(current, list) and aliases:
            edit_list(current, aliases)
        else:
            set_field(node, "aliases", new_list(aliases) if aliases else None, FIELDS)


def set_field(node: Any, field: str, value: Any, order: Sequence[str], quoted: bool = False) -> None:
    """Set (or with None remove) one field of a mapping, in its place by ``order``, keeping comments."""
    if value is None:
        if field in node:
            delete_entry(node, field)
    elif field in node:
        node[field] = scalar(value, node[field], quoted)
    else:
        insert_entry(node, field_index(node, field, order), field, scalar(value, quoted=quoted))


def edit_list(seq: Any, items: list[Any]) -> None:
    """Make ``seq`` hold ``items``, changing only the items that differ (a replaced item keeps its place
    and the comments around it)."""
    from difflib import SequenceMatcher

    current = [str(x) for x in seq]
    for tag, i1, i2, j1, j2 in reversed(SequenceMatcher(None, current, items, autojunk=False).get_opcodes()):
        if tag == "equal":
            continue
        kept = min(i2 - i1, j2 - j1)
        for offset in range(kept):
            seq[i1 + offset] = items[j1 + offset]
        for n in reversed(range(i1 + kept, i2)):
            delete_entry(seq, n)
        for offset in range(kept, j2 - j1):
            insert_entry(seq, i1 + offset, i1 + offset, items[j1 + offset])


def _check_index(index: int | None, size: int) -> int:
    if index is None:
        return size
    if not 0 <= index <= size:
        raise OperationError(f"position {index} is out of range — choose 0 to {size}")
    return index


def _checked_fields(fields: Mapping[str, Any], allow_none: bool) -> dict[str, Any]:
    for field, value in fields.items():
        if field not in EDITABLE_FIELDS:
            how = {"aliases": "use add_alias/remove_alias", "children": "use add or move"}.get(field)
            hint = (
                f" — {how}"
                if how
                else did_you_mean(field, EDITABLE_FIELDS, f" — fields: {', '.join(EDITABLE_FIELDS)}")
            )
            raise OperationError(f"cannot set '{field}' of a code{hint}")
        if value is None and allow_none:
            continue
        error = field_error(field, value)
        if error is not None:
            raise OperationError(error)
    return dict(fields)


def _checked_set_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    for field, value in fields.items():
        if field not in ("label", "description"):
            raise OperationError(
                f"cannot set '{field}' of a set{did_you_mean(field, ('label', 'description'))}"
            )
        if value is not None and not isinstance(value, str):
            raise OperationError(f"'{field}' of a set must be text, not {kind(value)}")
    return dict(fields)


def new_codebook() -> Codebook:
    """An empty codebook file, ready for codes."""
    return Codebook.parse(_HEADER + "codes: {}\nsets: {}\n")
