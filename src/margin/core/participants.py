"""Participants (cases) and their typed attributes, from participants.yaml, edited in place."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from margin.core.codebook import (
    Problems,
    RoundTripFile,
    did_you_mean,
    edit_list,
    insert_entry,
    is_map,
    kind,
    load_yaml,
    new_list,
    new_map,
    position,
    scalar,
    set_field,
    slugify,
)
from margin.core.coding import is_slug
from margin.core.errors import FormatError, OperationError
from margin.core.usertext import Kind, check_text

Value = str | int | float | bool | date
TYPES = ("category", "text", "number", "date", "boolean")
DEF_FIELDS = ("type", "values")
SECTIONS = ("attributes", "participants")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEADER = "# Participants (cases) and their attributes; 'attributes' declares each attribute's type.\n"


@dataclass(frozen=True, slots=True)
class AttributeDef:
    """A declared attribute: its type and, for a category, the allowed values (as text)."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)

    def error(self, value: Any) -> str | None:
        """What is wrong with ``value`` (not None) for this attribute, or None."""
        if self.type == "category":
            if _is_scalar(value) and str(value) in self.values:
                return None
            listed = f" — its values: {', '.join(self.values)} (declare new values under 'attributes')"
            hint = did_you_mean(str(value), self.values, listed)
            return f"{kind(value)} is not a value of '{self.name}'{hint}"
        if _plain(self.type, value) is None:
            return f"'{self.name}' is {_TYPE_WORDS[self.type]}, not {kind(value)}"
        return None

    def plain(self, value: Any) -> Value:
        """``value`` (valid) as a plain Python value: text for categories, a date for dates."""
        if self.type == "category":
            return str(value)
        found = _plain(self.type, value)
        assert found is not None
        return found


_TYPE_WORDS = {
    "text": "text (put it in quotes)",
    "number": "a number",
    "date": "a date written YYYY-MM-DD",
    "boolean": "true or false",
}


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _plain(type_: str, value: Any) -> Value | None:
    """The plain value of a text, number, date or boolean, or None if ``value`` has another type."""
    if type_ == "text" and isinstance(value, str):
        return str(value)
    if type_ == "number" and _is_scalar(value) and not isinstance(value, str):
        return value  # type: ignore[no-any-return]
    if type_ == "boolean" and isinstance(value, bool):
        return value
    if type_ == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
    return None


class _Reader:
    """Builds the model of participants.yaml, collecting problems."""

    def __init__(self, data: Any, path: str) -> None:
        self.problems = Problems(path)
        self.attributes: dict[str, AttributeDef] = {}
        self.people: dict[str, dict[str, Value]] = {}
        for key in data:
            if key not in SECTIONS:
                hint = did_you_mean(
                    str(key), SECTIONS, " — participants.yaml has 'attributes:' and 'participants:'"
                )
                self.problems.add(f"unknown section '{key}'{hint}", data, key)
        for name, node in (data.get("attributes") or {}).items():
            self._read_def(data["attributes"], name, node)
        for pid, node in (data.get("participants") or {}).items():
            self._read_person(data["participants"], pid, node)

    def _read_def(self, attributes: Any, name: Any, node: Any) -> None:
        if not (isinstance(name, str) and is_slug(name)):
            hint = f"e.g. '{slugify(str(name))}'"
            self.problems.add(
                f"attribute name {kind(name)} is not a slug — use lowercase letters and digits joined by "
                f"'-' or '_' ({hint})",
                attributes,
                name,
            )
            return
        if not is_map(node):
            self.problems.add(
                f"attribute '{name}' must be a mapping like {{type: category, values: [a, b]}}, "
                f"not {kind(node)}",
                attributes,
                name,
                True,
            )
            return
        for key in node:
            if key not in DEF_FIELDS:
                hint = did_you_mean(
                    str(key), DEF_FIELDS, " — an attribute has 'type' and, for categories, 'values'"
                )
                self.problems.add(f"unknown field '{key}' in attribute '{name}'{hint}", node, key)
        type_ = self._read_type(name, node)
        values = self._read_values(name, node, type_) if type_ is not None else ()
        self.attributes[name] = AttributeDef(name, type_ or "text", values, position(attributes, name)[0])

    def _read_type(self, name: str, node: Any) -> str | None:
        type_ = node.get("type")
        if type_ in TYPES:
            return str(type_)
        where = ("type", True) if "type" in node else (None, False)
        hint = did_you_mean(str(type_), TYPES, f" — use one of {', '.join(TYPES)}")
        self.problems.add(f"attribute '{name}' has type {kind(type_)}{hint}", node, *where)
        return None

    def _read_values(self, name: str, node: Any, type_: str) -> tuple[str, ...]:
        values = node.get("values")
        if type_ != "category":
            if values is not None:
                self.problems.add(
                    f"only a category has 'values' — remove them, or make '{name}' type: category",
                    node,
                    "values",
                )
            return ()
        if not isinstance(values, list) or not values:
            self.problems.add(
                f"category '{name}' needs its values: values: [a, b, …]",
                node,
                "values" if "values" in node else None,
                "values" in node,
            )
            return ()
        found: list[str] = []
        for n, value in enumerate(values):
            if not _is_scalar(value):
                self.problems.add(f"a value of '{name}' must be text, not {kind(value)}", values, n)
            elif str(value) in found:
                self.problems.add(
                    f"'{value}' is listed twice in the values of '{name}' — remove one", values, n
                )
            else:
                found.append(str(value))
        return tuple(found)

    def _read_person(self, participants: Any, pid: Any, node: Any) -> None:
        if not (isinstance(pid, str) and is_slug(pid)):
            self.problems.add(
                f"participant ID {kind(pid)} is not a slug — use lowercase letters and digits joined by "
                f"'-' or '_' (e.g. '{slugify(str(pid))}')",
                participants,
                pid,
            )
            return
        if node is not None and not is_map(node):
            self.problems.add(
                f"participant '{pid}' must be a mapping of attributes (name: value), not {kind(node)}",
                participants,
                pid,
                True,
            )
            return
        self.people[pid] = {}
        for name, value in (node or {}).items():
            self._read_value(pid, node, name, value)

    def _read_value(self, pid: str, node: Any, name: Any, value: Any) -> None:
        attribute = self.attributes.get(name)
        if attribute is None:
            hint = did_you_mean(str(name), self.attributes, " — declare it under 'attributes'")
            self.problems.add(f"participant '{pid}' has unknown attribute '{name}'{hint}", node, name)
        elif value is not None:
            error = attribute.error(value)
            if error is None:
                self.people[pid][name] = attribute.plain(value)
            else:
                self.problems.add(f"participant '{pid}': {error}", node, name, True)


class Participants(RoundTripFile):
    """participants.yaml: declared attributes and each participant's values."""

    def __init__(self, text: str, data: Any, filename: str) -> None:
        super().__init__(text, data, filename)
        self._reindex()

    @classmethod
    def parse(cls, text: str, path: str = "participants.yaml") -> Participants:
        """Read participants; raises FormatError only when the file cannot be used at all."""
        data = load_yaml(text, path)
        if data is None:
            data = new_map()
        if not is_map(data):
            raise FormatError(
                "participants.yaml must be a mapping with 'attributes:' and 'participants:', "
                f"not {kind(data)}",
                path=path,
                line=1,
                column=1,
            )
        for section in SECTIONS:
            value = data.get(section)
            if value is not None and not is_map(value):
                line, column = position(data, section, value=True)
                raise FormatError(
                    f"'{section}' must be a mapping (name: …), not {kind(value)} — write one entry per line, "
                    "indented below it",
                    path=path,
                    line=line,
                    column=column,
                )
        return cls(text, data, path)

    def _reindex(self) -> None:
        reader = _Reader(self._data, self.filename)
        self._attributes, self._people = reader.attributes, reader.people
        self._problems = reader.problems.sorted()

    def problems(self) -> list[FormatError]:
        """Everything wrong with the file, by position (for ``margin check``)."""
        return list(self._problems)

    @property
    def attributes(self) -> Mapping[str, AttributeDef]:
        return self._attributes

    @property
    def people(self) -> Mapping[str, dict[str, Value]]:
        """Participant ID → attribute values (missing values are absent)."""
        return self._people

    def get(self, pid: str) -> dict[str, Value] | None:
        found = self._people.get(pid)
        return dict(found) if found is not None else None

    # --- changes ------------------------------------------------------------------------------------------
    def set_attribute(self, pid: str, name: str, value: Any) -> None:
        """Set one attribute of a participant (None removes it)."""
        self._person(pid)
        attribute = self._attribute(name)
        stored = self._stored(attribute, value) if value is not None else None
        self._begin_edit()
        node = self._person_map(pid)
        set_field(node, name, stored, list(self._attributes))
        self._reindex()

    def add_participant(self, pid: str, **attrs: Any) -> None:
        """Add a participant with attribute values (None values are left out), after the others."""
        if not is_slug(pid):
            raise OperationError(f"'{pid}' is not a slug — use e.g. '{slugify(pid, self._people)}'")
        if pid in self._people:
            raise OperationError(f"participant '{pid}' already exists — set its attributes instead")
        values = {n: self._stored(self._attribute(n), v) for n, v in attrs.items() if v is not None}
        self._begin_edit()
        people = self._section("participants")
        flow = bool(people) and _is_flow(people[list(people)[-1]])
        node = new_map(((n, values[n]) for n in self._attributes if n in values), flow=flow)
        insert_entry(people, len(people), pid, node)
        self._reindex()

    def define_attribute(self, name: str, type: str, values: Sequence[str] | None = None) -> AttributeDef:
        """Declare an attribute, or change a declaration if every participant's value stays valid."""
        new = self._checked_def(name, type, values)
        invalid = [pid for pid, attrs in self._people.items() if name in attrs and new.error(attrs[name])]
        if invalid:
            raise OperationError(
                f"{len(invalid)} participant(s) have values of '{name}' that the new declaration would not "
                f"allow ({', '.join(invalid[:5])}) — change their values first"
            )
        self._begin_edit()
        listed = new_list(new.values) if new.values else None
        attributes = self._section("attributes")
        node = attributes.get(name)
        if is_map(node):
            set_field(node, "type", type, DEF_FIELDS)
            if listed is not None and isinstance(node.get("values"), list):
                edit_list(node["values"], list(new.values))
            else:
                set_field(node, "values", listed, DEF_FIELDS)
        else:
            items = [("type", type)] + ([("values", listed)] if listed is not None else [])
            if name in attributes:
                attributes[name] = new_map(items, flow=True)
            else:
                insert_entry(attributes, len(attributes), name, new_map(items, True))
        self._reindex()
        return self._attributes[name]

    # --- helpers ------------------------------------------------------------------------------------------
    def _person(self, pid: str) -> dict[str, Value]:
        if pid not in self._people:
            hint = did_you_mean(pid, self._people, " — add the participant first")
            raise OperationError(f"unknown participant '{pid}'{hint}")
        return self._people[pid]

    def _attribute(self, name: str) -> AttributeDef:
        if name not in self._attributes:
            hint = did_you_mean(
                name, self._attributes, " — declare it first (its type, and values for a category)"
            )
            raise OperationError(f"unknown attribute '{name}'{hint}")
        return self._attributes[name]

    def _stored(self, attribute: AttributeDef, value: Any) -> Any:
        """``value`` as it is written in the file (a category value as declared), or OperationError."""
        error = attribute.error(value)
        if error is not None:
            raise OperationError(error)
        if attribute.type == "text":  # a note may run over lines
            check_text(value, Kind.LINES, f"the value of '{attribute.name}'")
        if attribute.type == "category":
            declared = self._data["attributes"][attribute.name]["values"]
            original = next(v for v in declared if str(v) == str(value))
            return scalar(str(original), original) if isinstance(original, str) else original
        return attribute.plain(value)

    def _checked_def(self, name: str, type_: str, values: Sequence[str] | None) -> AttributeDef:
        if not is_slug(name):
            raise OperationError(f"'{name}' is not a slug — use e.g. '{slugify(name, self._attributes)}'")
        if type_ not in TYPES:
            hint = did_you_mean(type_, TYPES, f" — use one of {', '.join(TYPES)}")
            raise OperationError(f"unknown type '{type_}'{hint}")
        if type_ != "category" and values is not None:
            raise OperationError(f"only a category has values — leave out the values of a {type_}")
        if type_ == "category" and (
            not values or not all(isinstance(v, str) for v in values) or len(set(values)) != len(values)
        ):
            raise OperationError("a category needs a list of distinct text values, e.g. ['w', 'm', 'other']")
        for value in values or ():
            check_text(value, Kind.LINE, f"the value '{value}' of '{name}'")
        return AttributeDef(name, type_, tuple(values or ()))

    def _section(self, section: str) -> Any:
        if not is_map(self._data.get(section)):
            index = min(SECTIONS.index(section), len(self._data))
            insert_entry(self._data, index, section, new_map())
        return self._data[section]

    def _person_map(self, pid: str) -> Any:
        people = self._data["participants"]
        if people[pid] is None:
            people[pid] = new_map()
        return people[pid]


def _is_flow(node: Any) -> bool:
    return is_map(node) and bool(node.fa.flow_style())


def new_participants() -> Participants:
    """An empty participants file, ready for attributes and participants."""
    return Participants.parse(_HEADER + "attributes: {}\nparticipants: {}\n")
