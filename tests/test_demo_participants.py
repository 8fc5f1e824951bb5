"""The demo project's participants reproduce Tables 1 and 2 of the study it is modelled on."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "projects" / "peer-support"
SEED = Path(__file__).resolve().parent / "data" / "seed-tables"
NOT_REPORTED = "not reported"
SLUG = re.compile(r"[a-z0-9]+([-_][a-z0-9]+)*")


@pytest.fixture(scope="module")
def data() -> dict:
    return YAML(typ="safe", pure=True).load((PROJECT / "participants.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def participants(data: dict) -> dict[str, dict]:
    return data["participants"]


def read_csv(name: str) -> list[dict[str, str]]:
    with (SEED / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


TABLE = read_csv("participant-tables.csv")
TOTALS = {(r["phase"], r["role"]): int(r["participants"]) for r in read_csv("group-totals.csv")}
GROUPS = sorted({(r["phase"], r["attribute"], r["role"]) for r in TABLE})


def counts(participants: dict[str, dict]) -> Counter[tuple[str, str, str, str]]:
    """Participants per (phase, attribute, value, role)."""
    result: Counter[tuple[str, str, str, str]] = Counter()
    for attrs in participants.values():
        for name, value in attrs.items():
            if name not in ("phase", "role"):
                result[attrs["phase"], name, str(value), attrs["role"]] += 1
    return result


def test_group_totals(participants: dict[str, dict]) -> None:
    per_group = Counter((p["phase"], p["role"]) for p in participants.values())
    assert dict(per_group) == TOTALS
    assert len(participants) == sum(TOTALS.values()) == 65


@pytest.mark.parametrize(
    "row", TABLE, ids=lambda r: f"{r['phase']}-{r['attribute']}-{r['value']}-{r['role']}"
)
def test_printed_count(participants: dict[str, dict], row: dict[str, str]) -> None:
    got = counts(participants)[row["phase"], row["attribute"], row["value"], row["role"]]
    assert got == int(row["count"])


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: "-".join(g))
def test_column_adds_up_with_not_reported(participants: dict[str, dict], group: tuple[str, str, str]) -> None:
    """Every member of a tabulated group has the attribute; values the table lacks are only 'not reported'."""
    phase, attribute, role = group
    printed = {r["value"]: int(r["count"]) for r in TABLE if (r["phase"], r["attribute"], r["role"]) == group}
    members = [p for p in participants.values() if p["phase"] == phase and p["role"] == role]
    values = Counter(str(p.get(attribute)) for p in members)
    extra = {v: n for v, n in values.items() if v not in printed}
    assert set(extra) <= {NOT_REPORTED}, f"values not in the table: {extra}"
    assert extra.get(NOT_REPORTED, 0) == TOTALS[phase, role] - sum(printed.values())


def test_values_are_declared(data: dict, participants: dict[str, dict]) -> None:
    declared = data["attributes"]
    for pid, attrs in participants.items():
        assert SLUG.fullmatch(pid), pid
        for name, value in attrs.items():
            assert name in declared, f"{pid}: undeclared attribute {name}"
            spec = declared[name]
            if spec["type"] == "category":
                assert value in spec["values"], f"{pid}: {name}={value!r}"
            elif spec["type"] == "boolean":
                assert isinstance(value, bool), f"{pid}: {name}={value!r}"
            elif spec["type"] == "text":
                assert isinstance(value, str), f"{pid}: {name}={value!r}"


def test_people_in_both_phases(participants: dict[str, dict]) -> None:
    """Four QUAL2 MHWs are QUAL1 MHWs: 61 people in 65 records, the same person's stable facts agree."""
    returning = {pid: p for pid, p in participants.items() if "same_person_as" in p}
    assert len(returning) == 4
    for pid, p in returning.items():
        first = participants[p["same_person_as"]]
        assert (p["phase"], first["phase"]) == ("QUAL2", "QUAL1")
        assert p["role"] == first["role"] == "MHW"
        assert p["gender"] == first["gender"] and p["region"] == first["region"], pid
        assert p.get("both_phases") is True and first.get("both_phases") is True
    assert sum(1 for p in participants.values() if p.get("both_phases")) == 8
    assert len(participants) - len(returning) == 61
