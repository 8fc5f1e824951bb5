"""Participants and their typed attributes: parsing, located problems, and edits that keep diffs small."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin.core.errors import FormatError, OperationError
from margin.core.participants import AttributeDef, Participants, new_participants
from margin.core.usertext import Kind, text_problem
from margin.core.yamlio import dump_round_trip

SAMPLE = """\
# Participants of a small study.
attributes:
  role: {type: category, values: [PSW, MHW, service user]}
  gender: {type: category, values: [w, m, other, not reported]}
  age: {type: number}
  joined: {type: date}
  trained: {type: boolean}   # peer training done
  note: {type: text}
  band:
    type: category
    values:
      - "<20"
      - 20-40
      - ">40"
participants:
  # QUAL1
  p01: {role: PSW, gender: w, age: 34, joined: 2021-03-04, band: 20-40}
  p02: {role: MHW, gender: not reported, trained: false}
  p03:
    role: service user
    note: "Speaks for a self-help group."

  # QUAL2
  p04:
    role: MHW
    band: ">40"
"""


def hunks(before: str, after: str) -> int:
    diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=3)
    return sum(1 for line in diff if line.startswith("@@"))


def reparsed(people: Participants) -> Participants:
    again = Participants.parse(people.dump())
    assert again.attributes == people.attributes
    assert again.people == people.people
    assert again.problems() == []
    return again


def problems(text: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.message) for p in Participants.parse(text).problems()]


WITH_ATTRIBUTES = SAMPLE.split("participants:")[0] + "participants:\n"


def person_problems(entry: str) -> list[tuple[int, int, str]]:
    """Problems of participants written after the sample's attributes (from line 16)."""
    return problems(WITH_ATTRIBUTES + entry)


# --- reading ----------------------------------------------------------------------------------------------
def test_parse_reads_declarations_and_plain_values() -> None:
    people = Participants.parse(SAMPLE)
    assert people.problems() == []
    assert people.attributes["role"] == AttributeDef("role", "category", ("PSW", "MHW", "service user"))
    assert people.attributes["band"].values == ("<20", "20-40", ">40")
    assert people.attributes["age"] == AttributeDef("age", "number")
    assert list(people.people) == ["p01", "p02", "p03", "p04"]
    assert people.get("p01") == {
        "role": "PSW",
        "gender": "w",
        "age": 34,
        "joined": date(2021, 3, 4),
        "band": "20-40",
    }
    assert people.get("p02") == {"role": "MHW", "gender": "not reported", "trained": False}
    assert people.get("p03") == {"role": "service user", "note": "Speaks for a self-help group."}
    assert people.get("nobody") is None


def test_missing_values_are_absent_and_not_reported_is_an_ordinary_value() -> None:
    people = Participants.parse(SAMPLE + "  p05:\n  p06: {gender: ~, role: PSW}\n")
    assert people.problems() == []
    assert people.get("p05") == {}
    assert people.get("p06") == {"role": "PSW"}
    assert people.people["p02"]["gender"] == "not reported"


def test_a_date_may_be_written_in_quotes() -> None:
    people = Participants.parse(WITH_ATTRIBUTES + '  p01: {joined: "2021-03-04"}\n')
    assert people.problems() == [] and people.people["p01"] == {"joined": date(2021, 3, 4)}


def test_dump_of_an_unchanged_file_is_byte_identical() -> None:
    people = Participants.parse(SAMPLE)
    assert people.dump() == SAMPLE
    assert dump_round_trip(people._data) == SAMPLE


def test_get_returns_a_copy() -> None:
    people = Participants.parse(SAMPLE)
    found = people.get("p01")
    assert found is not None
    found["role"] = "MHW"
    assert people.people["p01"]["role"] == "PSW"


# --- edits --------------------------------------------------------------------------------------------------
ROLES = ["PSW", "MHW", "service user"]
BANDS = ["<20", "20-40", ">40"]
ONE_HUNK_EDITS = {
    "change a value in a flow entry": lambda p: p.set_attribute("p01", "gender", "m"),
    "remove a value in a flow entry": lambda p: p.set_attribute("p01", "age", None),
    "add a value to a flow entry": lambda p: p.set_attribute("p02", "age", 51.5),
    "change a value in a block entry": lambda p: p.set_attribute("p03", "role", "PSW"),
    "add a value to a block entry": lambda p: p.set_attribute("p03", "joined", "2022-01-31"),
    "add a value to the last entry": lambda p: p.set_attribute("p04", "trained", True),
    "remove the last value of an entry": lambda p: p.set_attribute("p03", "note", None),
    "add a participant": lambda p: p.add_participant("p05", role="PSW", age=40),
    "declare an attribute": lambda p: p.define_attribute("region", "category", ["north", "south"]),
    "add a value to a category": lambda p: p.define_attribute("band", "category", [*BANDS, "unknown"]),
    "add a value to a flow category": lambda p: p.define_attribute("role", "category", [*ROLES, "other"]),
}  # fmt: skip


@pytest.mark.parametrize("edit", ONE_HUNK_EDITS.values(), ids=ONE_HUNK_EDITS.keys())
def test_an_edit_is_a_one_hunk_diff(edit) -> None:  # type: ignore[no-untyped-def]
    people = Participants.parse(SAMPLE)
    edit(people)
    assert hunks(SAMPLE, people.dump()) == 1
    reparsed(people)


def test_values_go_in_the_declared_order_and_keep_declared_quoting() -> None:
    people = Participants.parse(SAMPLE)
    people.set_attribute("p02", "age", 51)
    people.set_attribute("p02", "band", ">40")
    assert '  p02: {role: MHW, gender: not reported, age: 51, trained: false, band: ">40"}\n' in people.dump()


def test_a_new_block_value_goes_before_the_blank_line() -> None:
    people = Participants.parse(SAMPLE)
    people.set_attribute("p03", "age", 29)
    assert '    note: "Speaks for a self-help group."\n    age: 29\n\n  # QUAL2\n' not in people.dump()
    assert "    role: service user\n    age: 29\n    note:" in people.dump()
    people.set_attribute("p03", "band", "<20")
    assert '    note: "Speaks for a self-help group."\n    band: "<20"\n\n  # QUAL2\n' in people.dump()


def test_a_new_participant_is_written_like_the_one_before() -> None:
    people = Participants.parse(SAMPLE)
    people.add_participant("p05", gender="w", role="PSW", age=None)
    assert people.dump().endswith('    band: ">40"\n  p05:\n    role: PSW\n    gender: w\n')
    flow = Participants.parse(WITH_ATTRIBUTES + "  p01: {role: PSW}\n")
    flow.add_participant("p02", role="MHW")
    assert flow.dump().endswith("  p01: {role: PSW}\n  p02: {role: MHW}\n")


def test_date_values_are_written_as_dates() -> None:
    people = Participants.parse(SAMPLE)
    people.set_attribute("p04", "joined", date(2022, 5, 1))
    people.set_attribute("p02", "joined", "2020-12-31")
    assert "    joined: 2022-05-01\n" in people.dump()
    assert people.people["p02"]["joined"] == date(2020, 12, 31)
    reparsed(people)


def test_text_values_that_yaml_would_change_are_quoted() -> None:
    people = Participants.parse(SAMPLE)
    for text in ("yes", "123", "#hash", "two\nlines", "x\u2028y", "a: b", ""):
        people.set_attribute("p03", "note", text)
        assert reparsed(people).people["p03"]["note"] == text
    with pytest.raises(OperationError, match="the value of 'note': character 2 is a control character"):
        people.set_attribute("p03", "note", "x\x85y")


def test_redefining_an_attribute_keeps_valid_values() -> None:
    people = Participants.parse(SAMPLE)
    people.define_attribute("gender", "category", ["w", "m", "diverse", "other", "not reported"])
    assert "  gender: {type: category, values: [w, m, diverse, other, not reported]}\n" in people.dump()
    people.define_attribute("note", "category", ["Speaks for a self-help group."])
    assert people.attributes["note"].values == ("Speaks for a self-help group.",)
    reparsed(people)


def test_a_broken_declaration_is_replaced_in_place() -> None:
    people = Participants.parse("attributes:\n  role: PSW\n  age: {type: number}\nparticipants: {}\n")
    people.define_attribute("role", "category", ["PSW", "MHW"])
    assert people.dump() == (
        "attributes:\n  role: {type: category, values: [PSW, MHW]}\n  age: {type: number}\nparticipants: {}\n"
    )


def test_redefining_refuses_to_invalidate_values() -> None:
    people = Participants.parse(SAMPLE)
    with pytest.raises(OperationError, match=r"2 participant\(s\) have values of 'gender' .* \(p01, p02\)"):
        people.define_attribute("gender", "category", ["m", "other"])
    with pytest.raises(OperationError, match="'age'"):
        people.define_attribute("age", "date")
    assert people.dump() == SAMPLE


def test_a_new_file() -> None:
    people = new_participants()
    assert people.problems() == [] and people.people == {} and people.dump().startswith("# ")
    people.define_attribute("role", "category", ["PSW", "MHW"])
    people.define_attribute("age", "number")
    people.add_participant("p01", role="PSW", age=34)
    assert people.dump().endswith(
        "attributes:\n  role: {type: category, values: [PSW, MHW]}\n  age: {type: number}\n"
        "participants:\n  p01:\n    role: PSW\n    age: 34\n"
    )
    reparsed(people)


def test_an_empty_file() -> None:
    people = Participants.parse("")
    assert people.dump() == "" and people.attributes == {}
    people.define_attribute("role", "text")
    people.add_participant("p01", role="x")
    assert people.dump() == "attributes:\n  role: {type: text}\nparticipants:\n  p01:\n    role: x\n"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda p: p.set_attribute("p01", "gender", "W"),
            "'W' is not a value of 'gender' — did you mean 'w'\\?$",
        ),
        (
            lambda p: p.set_attribute("p01", "gender", "x"),
            "— its values: w, m, other, not reported \\(declare new values under 'attributes'\\)",
        ),
        (
            lambda p: p.set_attribute("p01", "gendr", "w"),
            "unknown attribute 'gendr' — did you mean 'gender'\\?",
        ),
        (lambda p: p.set_attribute("p1", "gender", "w"), "unknown participant 'p1' — did you mean 'p01'\\?"),
        (lambda p: p.set_attribute("p01", "age", "34"), "'age' is a number, not '34'"),
        (lambda p: p.set_attribute("p01", "age", True), "'age' is a number, not true/false"),
        (lambda p: p.set_attribute("p01", "trained", "yes"), "'trained' is true or false, not 'yes'"),
        (lambda p: p.set_attribute("p01", "joined", "4.3.2021"), "'joined' is a date written YYYY-MM-DD"),
        (lambda p: p.set_attribute("p01", "joined", "2021-02-30"), "'joined' is a date written YYYY-MM-DD"),
        (
            lambda p: p.set_attribute("p01", "note", 5),
            "'note' is text \\(put it in quotes\\), not the number 5",
        ),
        (lambda p: p.add_participant("p01"), "participant 'p01' already exists"),
        (lambda p: p.add_participant("P 5"), "'P 5' is not a slug — use e.g. 'p-5'"),
        (lambda p: p.add_participant("p05", colour="x"), "unknown attribute 'colour'"),
        (lambda p: p.define_attribute("Region", "text"), "'Region' is not a slug — use e.g. 'region'"),
        (
            lambda p: p.define_attribute("region", "categroy"),
            "unknown type 'categroy' — did you mean 'category'\\?",
        ),
        (lambda p: p.define_attribute("region", "text", ["a"]), "only a category has values"),
        (
            lambda p: p.define_attribute("region", "category"),
            "a category needs a list of distinct text values",
        ),
        (lambda p: p.define_attribute("region", "category", ["a", "a"]), "distinct"),
    ],
)
def test_refused_edits_say_what_to_do_and_change_nothing(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    people = Participants.parse(SAMPLE)
    with pytest.raises(OperationError, match=message):
        edit(people)
    assert people.dump() == SAMPLE


# --- problems, each with its line and column --------------------------------------------------------------
def test_unknown_attribute_suggests_the_closest() -> None:
    assert person_problems("  p01: {role: PSW, gendr: w}\n") == [
        (
            16,
            20,
            "participant 'p01' has unknown attribute 'gendr' — did you mean 'gender'?",
        )
    ]


def test_undeclared_category_value_suggests_the_closest() -> None:
    assert person_problems("  p01:\n    role: psw\n") == [
        (
            17,
            11,
            "participant 'p01': 'psw' is not a value of 'role' — did you mean 'PSW'?",
        )
    ]
    assert "did you mean 'not reported'?" in person_problems("  p01: {gender: not reportd}\n")[0][2]


@pytest.mark.parametrize(
    ("entry", "column", "message"),
    [
        ("age: thirty", 14, "'age' is a number, not 'thirty'"),
        ("age: true", 14, "'age' is a number, not true/false"),
        ("joined: 4.3.2021", 17, "'joined' is a date written YYYY-MM-DD, not '4.3.2021'"),
        ("joined: 2021-03-04T10:00:00", 17, "'joined' is a date written YYYY-MM-DD"),
        ("trained: yes", 18, "'trained' is true or false, not 'yes'"),
        ("note: 42", 15, "'note' is text (put it in quotes), not the number 42"),
        ("role: [PSW, MHW]", 15, "is not a value of 'role'"),
    ],
)
def test_wrong_types(entry: str, column: int, message: str) -> None:
    ((line, col, found),) = person_problems(f"  p01: {{{entry}}}\n")
    assert (line, col) == (16, column)
    assert message in found


HOW = "use lowercase letters and digits joined by '-' or '_'"


def test_participant_ids() -> None:
    assert person_problems("  P07: {role: PSW}\n  7: {}\n  p08: [PSW]\n") == [
        (16, 3, f"participant ID 'P07' is not a slug — {HOW} (e.g. 'p07')"),
        (17, 3, f"participant ID the number 7 is not a slug — {HOW} (e.g. '7')"),
        (18, 8, "participant 'p08' must be a mapping of attributes (name: value), not a list"),
    ]  # fmt: skip


def test_duplicate_id_is_fatal_and_names_both_lines() -> None:
    with pytest.raises(FormatError) as caught:
        Participants.parse(SAMPLE + "  p01: {role: MHW}\n")
    assert (caught.value.line, caught.value.column) == (27, 3)
    assert (
        caught.value.message
        == "'p01' is written twice in the same mapping (lines 17 and 27) — merge the two entries into one"
    )


def test_declaration_problems() -> None:
    text = (
        "atributes: {}\n"
        "attributes:\n"
        "  Role: {type: text}\n"
        "  a: {type: categroy}\n"
        "  b: {values: [x]}\n"
        "  c: {type: text, values: [x]}\n"
        "  d: {type: category}\n"
        "  e: {type: category, values: [x, y, x, [z]]}\n"
        "  f: {type: text, default: x}\n"
        "  g: text\n"
        "participants: {}\n"
    )
    assert problems(text) == [
        (1, 1, "unknown section 'atributes' — did you mean 'attributes'?"),
        (3, 3, f"attribute name 'Role' is not a slug — {HOW} (e.g. 'role')"),
        (4, 13, "attribute 'a' has type 'categroy' — did you mean 'category'?"),
        (5, 6, "attribute 'b' has type empty — use one of category, text, number, date, boolean"),
        (6, 19, "only a category has 'values' — remove them, or make 'c' type: category"),
        (7, 6, "category 'd' needs its values: values: [a, b, …]"),
        (8, 38, "'x' is listed twice in the values of 'e' — remove one"),
        (8, 41, "a value of 'e' must be text, not a list"),
        (9, 19, "unknown field 'default' in attribute 'f' — an attribute has 'type' and, for categories, "
                "'values'"),
        (10, 6, "attribute 'g' must be a mapping like {type: category, values: [a, b]}, not 'text'"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("attributes: {\n", (2, 1), "invalid YAML"),
        ("- p01\n", (1, 1), "participants.yaml must be a mapping"),
        ("attributes: [role]\n", (1, 13), "'attributes' must be a mapping"),
        ("attributes: {}\nparticipants: [p01, p02]\n", (2, 15), "'participants' must be a mapping"),
    ],
)
def test_fatal_errors(text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(FormatError) as caught:
        Participants.parse(text)
    assert (caught.value.line, caught.value.column) == where
    assert message in caught.value.message


def test_hostile_yaml_is_refused_and_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "owned"
    text = WITH_ATTRIBUTES + f'  p01:\n    note: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(FormatError) as caught:
        Participants.parse(text)
    assert caught.value.line == 17 and "tag" in caught.value.message
    assert not marker.exists()


# --- property: any valid value set through the API reads back the same --------------------------------------
VALUES = {
    "role": st.sampled_from(["PSW", "MHW", "service user"]),
    "gender": st.sampled_from(["w", "m", "other", "not reported"]),
    "age": st.integers(-10, 200) | st.floats(allow_nan=False, allow_infinity=False, width=32),
    "joined": st.dates(),
    "trained": st.booleans(),
    "note": st.text(max_size=30),
    "band": st.sampled_from(["<20", "20-40", ">40"]),
}
assignment = st.tuples(
    st.sampled_from(["p01", "p02", "p03", "p04"]), st.sampled_from(sorted(VALUES))
).flatmap(lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), st.none() | VALUES[pair[1]]))


@settings(max_examples=100, deadline=None)
@given(st.lists(assignment, max_size=8))
def test_random_assignments_read_back(assignments: list[tuple[str, str, object]]) -> None:
    people = Participants.parse(SAMPLE)
    expected = {pid: dict(values) for pid, values in people.people.items()}
    for pid, name, value in assignments:
        if isinstance(value, str) and text_problem(value, Kind.LINES):
            with pytest.raises(OperationError):
                people.set_attribute(pid, name, value)
            continue
        people.set_attribute(pid, name, value)
        if value is None:
            expected[pid].pop(name, None)
        else:
            expected[pid][name] = value
    assert people.people == expected
    reparsed(people)
