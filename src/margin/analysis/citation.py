"""Citations for quotes, rendered from margin.yaml's ``citation:`` template (e.g. ``({role}, {method}, {phase})``)."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from margin.core.errors import FormatError

DEFAULT_TEMPLATE = "({document}, ¶{paragraph})"
MISSING = "?"


def plain_value(value: object) -> str | None:
    """A field value as citation text: lists joined by commas, dates in ISO form; None when empty."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        parts = [plain_value(v) for v in value]
        return ", ".join(p for p in parts if p is not None) or None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class CitationTemplate:
    """A parsed template: literal text and the names of the fields between ``{}`` (``{{``/``}}`` escape)."""

    source: str
    parts: tuple[tuple[str, str | None], ...]  # (literal text, field name or None)

    @classmethod
    def parse(cls, source: str) -> CitationTemplate:
        """Parse ``source``; a malformed template is a FormatError in margin.yaml."""
        try:
            parsed = list(string.Formatter().parse(source))
        except ValueError as exc:
            raise FormatError(
                f"the citation template {source!r} cannot be read ({exc}) — write fields as {{name}}, "
                "and a literal brace as {{ or }}",
                path="margin.yaml",
            ) from None
        parts: list[tuple[str, str | None]] = []
        for literal, name, spec, conversion in parsed:
            if name is not None and (not name.strip() or spec or conversion):
                raise FormatError(
                    f"the citation template {source!r} has a field {{{name}{'!' + conversion if conversion else ''}"
                    f"{':' + spec if spec else ''}}} that is not a plain name — write fields as {{role}}, "
                    "{method}, {phase}",
                    path="margin.yaml",
                )
            parts.append((literal, name.strip() if name is not None else None))
        return cls(source, tuple(parts))

    @property
    def fields(self) -> tuple[str, ...]:
        """The field names, each once, in order."""
        return tuple(dict.fromkeys(name for _, name in self.parts if name is not None))

    def render(self, lookup: Callable[[str], object]) -> tuple[str, tuple[str, ...]]:
        """The citation, and the fields that had no value (rendered as '?')."""
        out: list[str] = []
        missing: list[str] = []
        for literal, name in self.parts:
            out.append(literal)
            if name is None:
                continue
            value = plain_value(lookup(name))
            if value is None:
                missing.append(name)
                value = MISSING
            out.append(value)
        return "".join(out), tuple(missing)


def project_template(settings: dict[str, object], root: Path | None = None) -> CitationTemplate:
    """The project's citation template (margin.yaml ``citation:``), or the default one."""
    source = settings.get("citation")
    if source is None:
        return CitationTemplate.parse(DEFAULT_TEMPLATE)
    try:
        if not isinstance(source, str):
            raise FormatError(
                "'citation' must be text, e.g. \"({role}, {method}, {phase})\" (in quotes)",
                path="margin.yaml",
            )
        return CitationTemplate.parse(source)
    except FormatError as exc:
        line = _setting_line(root / "margin.yaml", "citation") if root is not None else 0
        raise FormatError(exc.message, path="margin.yaml", line=line) from None


def _setting_line(path: Path, key: str) -> int:
    """The line of a top-level ``key:`` in a YAML file (0 if it cannot be found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    pattern = re.compile(rf"{re.escape(key)}\s*:")
    return next((i for i, text in enumerate(lines, 1) if pattern.match(text)), 0)
