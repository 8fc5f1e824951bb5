"""Reading a REFI-QDA codebook (.qdc, QDA-XML ``CodeBook``), safely.

The XML parser never loads a DTD, never expands an entity and never touches the network; a file that
declares a DOCTYPE or entities is refused outright (no codebook needs one, and that is where entity bombs
and external entities live). Sizes are capped. Errors name the file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from margin.core.errors import FormatError

if TYPE_CHECKING:
    from margin.core.codebook import Codebook

MAX_BYTES = 50 * 1024 * 1024
MAX_CODES = 100_000
MAX_DEPTH = 64
_GUID = re.compile(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?")
_COLOR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class QdcCode:
    guid: str
    name: str
    codable: bool
    color: str | None
    description: str | None
    children: tuple[QdcCode, ...]
    line: int


@dataclass(frozen=True)
class QdcSet:
    guid: str
    name: str
    description: str | None
    members: tuple[str, ...]
    """GUIDs of the member codes."""
    line: int


@dataclass(frozen=True)
class QdcCodebook:
    codes: tuple[QdcCode, ...]
    """The top-level codes (each with its subtree)."""
    sets: tuple[QdcSet, ...]
    origin: str | None


def read_qdc(path: Path) -> QdcCodebook:
    """Read a .qdc file; FormatError (with line and column) for anything unusable."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FormatError(
                f"the file is {size // (1024 * 1024)} MB; a codebook is at most {MAX_BYTES // (1024 * 1024)} MB "
                "— is this really a .qdc codebook?",
                path=name,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror}", path=name) from None
    return parse_qdc(data, name)


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_qdc(data: bytes, path: str = "codebook.qdc") -> QdcCodebook:
    """Parse the bytes of a .qdc file (see ``read_qdc``)."""
    from lxml import etree

    if len(data) > MAX_BYTES:
        raise FormatError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", path=path)
    head = (
        data.decode("utf-16", "replace").encode("utf-8") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data
    )
    found = _DECLARATION.search(head)
    if found:
        line = head.count(b"\n", 0, found.start()) + 1
        column = found.start() - (head.rfind(b"\n", 0, found.start()) + 1) + 1
        _refuse_declarations(path, line, column)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        message = re.sub(r", line \d+, column \d+$", "", str(exc.msg))
        raise FormatError(
            f"not well-formed XML: {message} — export the codebook again, or fix the file in a text editor",
            path=path,
            line=line or 0,
            column=column or 0,
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        _refuse_declarations(path, 1, 1)
    return _Reader(path).codebook(root)


def _refuse_declarations(path: str, line: int, column: int) -> None:
    raise FormatError(
        "the file declares a DOCTYPE or entities, which a REFI-QDA codebook never needs and which can make "
        "an XML reader expand or fetch data — Margin does not read such files; export the codebook again",
        path=path,
        line=line,
        column=column,
    )


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.guids: set[str] = set()
        self.count = 0

    def error(self, message: str, element: Any) -> FormatError:
        return FormatError(message, path=self.path, line=element.sourceline or 0, column=0)

    def codebook(self, root: Any) -> QdcCodebook:
        if _local(root) == "Project":  # a .qde project: its codebook is inside
            inner = [child for child in root if _local(child) == "CodeBook"]
            if not inner:
                raise self.error("this REFI-QDA project has no <CodeBook>", root)
            root = inner[0]
        if _local(root) != "CodeBook":
            raise self.error(
                f"this is not a REFI-QDA codebook: its root element is <{_local(root)}>, not <CodeBook>", root
            )
        codes: list[QdcCode] = []
        sets: list[QdcSet] = []
        for child in root:
            if _local(child) == "Codes":
                codes += [self.code(c, 1) for c in child if _local(c) == "Code"]
            elif _local(child) == "Sets":
                sets += [self.set(s) for s in child if _local(s) == "Set"]
        for code_set in sets:
            for guid in code_set.members:
                if guid not in self.guids:
                    raise FormatError(
                        f"the set '{code_set.name}' names a code {guid} that the codebook does not have",
                        path=self.path,
                        line=code_set.line,
                    )
        return QdcCodebook(tuple(codes), tuple(sets), root.get("origin"))

    def guid(self, element: Any) -> str:
        guid: str | None = element.get("guid")
        if guid is None or not _GUID.fullmatch(guid.strip()):
            what = "has no guid attribute" if guid is None else f"has a malformed guid '{guid}'"
            raise self.error(f"this <{_local(element)}> {what}", element)
        return guid.strip().strip("{}").upper()

    def name(self, element: Any) -> str:
        name = (element.get("name") or "").strip()
        if not name:
            raise self.error(f"this <{_local(element)}> has no name", element)
        return name

    def code(self, element: Any, depth: int) -> QdcCode:
        self.count += 1
        if self.count > MAX_CODES:
            raise self.error(f"more than {MAX_CODES} codes — is this really a codebook?", element)
        if depth > MAX_DEPTH:
            raise self.error(f"codes nested more than {MAX_DEPTH} levels deep", element)
        guid = self.guid(element)
        if guid in self.guids:
            raise self.error(f"a second code with the guid {guid} — each code needs its own", element)
        self.guids.add(guid)
        codable_text = (element.get("isCodable") or "true").strip().lower()
        if codable_text not in ("true", "false", "1", "0"):
            raise self.error(f"isCodable must be true or false, not '{codable_text}'", element)
        color = element.get("color")
        if color is not None:
            color = color.strip()
            if not _COLOR.fullmatch(color):
                raise self.error(f"color must be written #rrggbb, not '{color}'", element)
            if len(color) == 4:
                color = "#" + "".join(c * 2 for c in color[1:])
            color = color.lower()
        return QdcCode(
            guid=guid,
            name=self.name(element),
            codable=codable_text in ("true", "1"),
            color=color,
            description=_description(element),
            children=tuple(self.code(c, depth + 1) for c in element if _local(c) == "Code"),
            line=element.sourceline or 0,
        )

    def set(self, element: Any) -> QdcSet:
        members = tuple(self.guid(m) for m in element if _local(m) == "MemberCode")
        return QdcSet(
            guid=self.guid(element),
            name=self.name(element),
            description=_description(element),
            members=members,
            line=element.sourceline or 0,
        )


def _description(element: Any) -> str | None:
    for child in element:
        if _local(child) == "Description":
            text = (child.text or "").strip()
            return text or None
    return None


def qdc_codebook(path: Path) -> Codebook:
    """A .qdc file as a Margin codebook: slugs made from the names, labels, descriptions, colours, sets."""
    from margin.core.codebook import new_codebook, slugify

    qdc = read_qdc(path)
    codebook = new_codebook()
    slugs: dict[str, str] = {}

    def add(code: QdcCode, parent: str | None) -> None:
        slug = slugify(code.name, codebook.taken())
        slugs[code.guid] = slug
        fields: dict[str, Any] = {"description": code.description, "color": code.color}
        if not code.codable:
            fields["codable"] = False
        codebook.add(slug, code.name, parent=parent, **{k: v for k, v in fields.items() if v is not None})
        for child in code.children:
            add(child, slug)

    for code in qdc.codes:
        add(code, None)
    for code_set in qdc.sets:
        codebook.add_set(
            slugify(code_set.name, codebook.sets),
            code_set.name,
            [slugs[g] for g in code_set.members],
            code_set.description,
        )
    return codebook
