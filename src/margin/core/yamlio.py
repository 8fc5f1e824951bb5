"""YAML in and out: safe reading with located errors, round-trip editing that keeps comments and order.

Every YAML text Margin reads goes through here, and is refused before anything is built from it when it
is longer than MAX_YAML characters or MAX_VALUES values, nests deeper than MAX_DEPTH, or uses an anchor
or an alias: an alias is a reference, and a few lines of them ("billion laughs") make a tree that nothing
can walk in time.
"""

from __future__ import annotations

import functools
import io
from typing import Any, NoReturn

from margin.core.conflict_blocks import conflict_error
from margin.core.errors import FormatError

MAX_YAML = 1_000_000
"""The longest YAML text Margin reads, in characters (docs/format.md, "Limits")."""
MAX_DEPTH = 100
"""The deepest nesting of mappings and lists (and the values in them) Margin reads."""
MAX_VALUES = 100_000
"""The most values (keys, scalars, mappings and lists) in one YAML text Margin reads: reading YAML costs
by the value, and a file of short values can hold many in a few characters."""


@functools.cache
def _guarded() -> tuple[type[Any], type[Exception]]:
    """A ruamel YAML class that refuses, before it builds anything, what MAX_YAML, MAX_VALUES, MAX_DEPTH and
    the ban on anchors and aliases refuse; and the error it raises then (a YAMLError, so that whoever
    catches those catches it)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.events import AliasEvent

    class Refused(MarkedYAMLError):
        """YAML that Margin does not read; ``problem`` says why and what to do."""

    def refuse(problem: str, event: Any = None) -> NoReturn:
        raise Refused(problem=problem, problem_mark=getattr(event, "start_mark", None))

    class GuardedComposer(Composer):
        nesting = 0
        values = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or event.anchor is not None:
                alias = isinstance(event, AliasEvent)
                what = f"an alias ('*{event.anchor}')" if alias else f"an anchor ('&{event.anchor}')"
                refuse(
                    f"{what}: Margin does not allow YAML anchors and aliases in its files — write the "
                    "value out in full",
                    event,
                )
            self.values += 1
            if self.values > MAX_VALUES:
                refuse(
                    f"the YAML holds more than {MAX_VALUES:,} values by here, more than Margin reads — no "
                    "codebook, participant list or front matter needs that many",
                    event,
                )
            if self.nesting >= MAX_DEPTH:
                refuse(
                    f"the YAML nests more than {MAX_DEPTH} levels deep here, deeper than Margin reads — "
                    "flatten it",
                    event,
                )
            self.nesting += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.nesting -= 1

    class GuardedYAML(YAML):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.Composer = GuardedComposer

        def load(self, stream: Any) -> Any:
            if not isinstance(stream, str):
                raise TypeError("Margin reads YAML from text only")
            if len(stream) > MAX_YAML:
                refuse(
                    f"this YAML has {len(stream):,} characters, more than the {MAX_YAML:,} Margin reads — "
                    "no codebook, participant list or front matter needs that many"
                )
            return super().load(stream)

    return GuardedYAML, Refused


def _error(exc: Exception, where: str, first_line: int) -> FormatError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = mark.line + first_line if mark is not None else first_line
    column = mark.column + 1 if mark is not None else 1
    if isinstance(exc, _guarded()[1]):
        return FormatError(problem, path=where, line=line, column=column)
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
    from ruamel.yaml.error import YAMLError

    _refuse_conflicts(text, where, first_line)
    yaml = _guarded()[0](typ="safe", pure=True)
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
    """A ruamel YAML instance that keeps comments, key order and quoting (and loads as ``load_safe``
    does: no aliases, limited size and depth)."""
    yaml = _guarded()[0](typ="rt")
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
