"""Which segments to keep: by document group, by document, and by conditions on a segment's fields.

A condition is a predicate over a segment's fields (participant attributes, document variables,
``document``, ``speaker``, ``participant``, ``paragraph``, ``group``). Today there is one kind, ``key=value``,
and conditions combine with *and*; a boolean query language adds kinds (or, not, code predicates) that
satisfy the same ``Condition`` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from margin.core.errors import MarginError

Lookup = Callable[[str], object]
"""A segment's field by name (None when it has none)."""


class Condition(Protocol):
    """A test on a segment's fields."""

    def test(self, lookup: Lookup) -> bool: ...

    def fields(self) -> tuple[str, ...]:
        """The fields the condition reads (checked against the fields that exist)."""
        ...


def same_value(found: object, wanted: str) -> bool:
    """Does a field's value equal ``wanted`` (as written by a user)? A list matches if one item does."""
    if found is None:
        return False
    if isinstance(found, (list, tuple)):
        return any(same_value(item, wanted) for item in found)
    if isinstance(found, bool):
        return wanted.lower() == str(found).lower()
    if isinstance(found, date):
        return found.isoformat() == wanted
    return str(found) == wanted


@dataclass(frozen=True, slots=True)
class Equals:
    """``key=value``: the segment's field ``key`` has the value ``value``."""

    key: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Equals:
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise MarginError(f"'{text}' is not a condition — write KEY=VALUE, e.g. role=MHW or phase=QUAL2")
        return cls(key, value)

    def test(self, lookup: Lookup) -> bool:
        return same_value(lookup(self.key), self.value)

    def fields(self) -> tuple[str, ...]:
        return (self.key,)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


@dataclass(frozen=True, slots=True)
class Filters:
    """Document groups (any of), documents (any of) and conditions (all of); empty means no limit."""

    groups: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    conditions: tuple[Condition, ...] = ()

    @classmethod
    def of(
        cls, groups: Iterable[str] = (), documents: Iterable[str] = (), where: Sequence[str] = ()
    ) -> Filters:
        """Filters from what a user wrote: group names, document IDs and ``key=value`` conditions."""
        return cls(frozenset(groups), frozenset(documents), tuple(Equals.parse(w) for w in where))

    def admits_document(self, doc_id: str) -> bool:
        group = doc_id.rpartition("/")[0]
        return (not self.groups or group in self.groups) and (not self.documents or doc_id in self.documents)

    def admits(self, lookup: Lookup) -> bool:
        return all(condition.test(lookup) for condition in self.conditions)

    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(key for c in self.conditions for key in c.fields()))

    def __bool__(self) -> bool:
        return bool(self.groups or self.documents or self.conditions)
