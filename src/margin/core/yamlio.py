"""YAML in and out: safe reading with located errors, round-trip editing that keeps comments and order."""

from __future__ import annotations

import io
from typing import Any

from margin.core.conflict_blocks import conflict_error
from margin.core.errors import FormatError


def _error(exc: Exception, where: str, first_line: int) -> FormatError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = mark.line + first_line if mark is not None else first_line
    column = mark.column + 1 if mark is not None else 1
    return FormatError(
        f"invalid YAML: {problem} — fix the YAML syntax here", path=where, line=line, column=column
    )


def _refuse_conflicts(text: str, where: str, first_line: int) -> None:
    """A merge conflict block is named as one (and where), not read as broken YAML."""
    conflict = conflict_error(text, where)
    if conflict is not None:
        raise conflict.located(where, first_line - 1)


def load_safe(text: str, where: str = "", first_line: int = 1) -> Any:
    """Plain data from YAML; tags that would construct objects are refused with a located error, and so is
    a merge conflict block."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    _refuse_conflicts(text, where, first_line)
    yaml = YAML(typ="safe", pure=True)
    try:
        return yaml.load(text)
    except YAMLError as exc:
        if "could not determine a constructor" in str(exc):
            err = _error(exc, where, first_line)
            err.message = (
                "a YAML tag that Margin does not allow (it would construct objects) — remove the '!' tag"
            )
            raise err from None
        raise _error(exc, where, first_line) from None


def round_trip() -> Any:
    """A ruamel YAML instance that keeps comments, key order and quoting."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_round_trip(text: str, where: str = "", first_line: int = 1) -> Any:
    from ruamel.yaml.constructor import ConstructorError
    from ruamel.yaml.error import YAMLError

    _refuse_conflicts(text, where, first_line)
    try:
        data = round_trip().load(text)
    except ConstructorError as exc:
        err = _error(exc, where, first_line)
        err.message = "a YAML tag that Margin does not allow — remove the '!' tag"
        raise err from None
    except YAMLError as exc:
        raise _error(exc, where, first_line) from None
    _refuse_tags(data, where)
    return data


_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


def _refuse_tags(node: Any, where: str) -> None:
    """Round-trip loading keeps unknown tags on the values; Margin refuses them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        item, line = stack.pop()
        tag = getattr(getattr(item, "tag", None), "value", None)
        if tag is not None and tag not in _STANDARD_TAGS:
            raise FormatError(
                f"a YAML tag that Margin does not allow ({tag}) — remove the '!' tag",
                path=where,
                line=line,
                column=1,
            )
        if isinstance(item, CommentedMap):
            for key, value in item.items():
                pos = item.lc.data.get(key)
                stack.append((value, pos[0] + 1 if pos else line))
        elif isinstance(item, CommentedSeq):
            stack.extend((value, line) for value in item)


def dump_round_trip(data: Any) -> str:
    out = io.StringIO()
    round_trip().dump(data, out)
    return out.getvalue()
