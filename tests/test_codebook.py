"""The codebook model: parsing, validation with located errors, queries, and edits that keep diffs small."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from margin.core.codebook import PALETTE, Codebook, keep_formatting, new_codebook, slugify
from margin.core.coding import is_slug
from margin.core.errors import FormatError, OperationError
from margin.core.yamlio import dump_round_trip

DEMO = Path(__file__).resolve().parents[1] / "projects" / "peer-support"

SAMPLE = """\
# Codebook of a small study.
codes:
  # Phase 1 codes
  attitude-change:
    label: What changes in staff attitudes
    description: Changes in how staff think about and treat service users.
    color: "#4e79a7"   # blue
    codable: false
    children:
      appreciative-language:
        label: Appreciative language
        definition: Staff reflect on and change the words they use about service users.
        include: Reports of choosing words more carefully.
        exclude: General politeness not linked to peer support.
        example: "I have become more attentive to language at work."
        aliases: [careful-language]
      them-and-us: {label: 'Them and us', color: '#e15759'}
      power:
        label: Language and power

  # Phase 2 codes
  presence:
    label: Presence
    memo: |
      First seen in int-07.
      Keep an eye on it.
    children:
      being-there:
        label: Being there
      being-reachable:
  role-models:
    label: Role models

sets:
  theme-seriousness:
    label: "Candidate theme: taking experience seriously"
    codes:
      - appreciative-language
      - presence
  theme-words: {label: Words, codes: [careful-language, power]}
"""


def hunks(before: str, after: str) -> int:
    diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=3)
    return sum(1 for line in diff if line.startswith("@@"))


def reparsed(codebook: Codebook) -> Codebook:
    again = Codebook.parse(codebook.dump())
    assert again.codes == codebook.codes
    assert again.sets == codebook.sets
    assert again.problems() == []
    return again


def problems(text: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.message) for p in Codebook.parse(text).problems()]


def only_problem(text: str) -> tuple[int, int, str]:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# --- reading ----------------------------------------------------------------------------------------------
def test_parse_builds_the_tree_in_pre_order() -> None:
    cb = Codebook.parse(SAMPLE)
    assert cb.problems() == []
    assert list(cb.codes) == [
        "attitude-change",
        "appreciative-language",
        "them-and-us",
        "power",
        "presence",
        "being-there",
        "being-reachable",
        "role-models",
    ]
    code = cb.codes["appreciative-language"]
    assert code.parent == "attitude-change"
    assert code.definition == "Staff reflect on and change the words they use about service users."
    assert code.example == "I have become more attentive to language at work."
    assert code.aliases == ("careful-language",)
    assert code.line == 10
    assert cb.codes["attitude-change"].children == ("appreciative-language", "them-and-us", "power")
    assert cb.codes["attitude-change"].codable is False
    assert cb.codes["presence"].memo == "First seen in int-07.\nKeep an eye on it.\n"


def test_missing_fields_take_their_defaults() -> None:
    code = Codebook.parse(SAMPLE).codes["being-reachable"]
    assert (code.label, code.codable, code.color, code.aliases, code.children) == (
        "being-reachable",
        True,
        None,
        (),
        (),
    )


def test_sets_name_codes_by_their_current_slugs() -> None:
    cb = Codebook.parse(SAMPLE)
    assert cb.sets["theme-seriousness"].label == "Candidate theme: taking experience seriously"
    assert cb.sets["theme-seriousness"].codes == ("appreciative-language", "presence")
    assert cb.sets["theme-words"].codes == ("appreciative-language", "power")


def test_queries() -> None:
    cb = Codebook.parse(SAMPLE)
    assert cb.roots() == ["attitude-change", "presence", "role-models"]
    assert cb.children("presence") == ["being-there", "being-reachable"]
    assert cb.descendants("attitude-change") == ["appreciative-language", "them-and-us", "power"]
    assert cb.ancestors("being-there") == ["presence"]
    assert cb.path("appreciative-language") == ["What changes in staff attitudes", "Appreciative language"]
    assert cb.label("careful-language") == "Appreciative language"
    assert cb.resolve("careful-language") == "appreciative-language"
    assert cb.resolve("appreciative-language") == "appreciative-language"
    assert cb.resolve("nothing") is None
    assert cb.get("careful-language") is cb.codes["appreciative-language"]
    assert cb.get("nothing") is None
    assert "careful-language" in cb.taken() and "presence" in cb.taken()
    assert cb.free_slug("Presence") == "presence-2"


def test_unknown_code_in_a_query_suggests_the_closest() -> None:
    with pytest.raises(OperationError, match="unknown code 'presense' — did you mean 'presence'"):
        Codebook.parse(SAMPLE).children("presense")


def test_every_code_has_a_colour() -> None:
    cb = Codebook.parse(SAMPLE)
    assert cb.color("attitude-change") == "#4e79a7"
    assert cb.color("them-and-us") == "#e15759"
    assert cb.color("appreciative-language") == "#4e79a7"  # inherited from its parent
    assert cb.color("presence") == PALETTE[1]  # second root, no colour of its own
    assert cb.color("being-there") == PALETTE[1]
    assert cb.color("role-models") == PALETTE[2]
    assert cb.color("role-models") == Codebook.parse(SAMPLE).color("role-models")


# --- writing back -----------------------------------------------------------------------------------------
def test_dump_of_an_unchanged_file_is_byte_identical() -> None:
    cb = Codebook.parse(SAMPLE)
    assert cb.dump() == SAMPLE
    assert dump_round_trip(cb._data) == SAMPLE  # the sample itself survives ruamel's round trip


@pytest.mark.parametrize("name", ["codebook.yaml", "participants.yaml"])
def test_demo_files_read_clean_and_round_trip(name: str) -> None:
    from margin.core.participants import Participants

    path = DEMO / name
    if not path.exists():
        pytest.skip("no demo project")
    text = path.read_text(encoding="utf-8")
    model = Codebook.parse(text) if name == "codebook.yaml" else Participants.parse(text)
    assert model.problems() == []
    assert model.dump() == text


def test_edits_keep_lines_that_ruamel_would_reflow() -> None:
    text = SAMPLE.replace(
        "  theme-words: {label: Words, codes: [careful-language, power]}",
        "  theme-words: {label: Words, codes: [careful-language,\n      power]}",
    )
    cb = Codebook.parse(text)
    assert dump_round_trip(cb._data) != text  # ruamel alone would join the two lines
    cb.update("role-models", label="Peers as role models")
    out = cb.dump()
    assert "codes: [careful-language,\n      power]}" in out
    assert hunks(text, out) == 1
    reparsed(cb)


def test_keep_formatting_takes_the_edit_where_the_layout_differs() -> None:
    original = "a: [x,\n  y]\nb: 1\n"
    baseline = "a: [x, y]\nb: 1\n"
    assert keep_formatting(original, baseline, "a: [x, y]\nb: 2\n") == "a: [x,\n  y]\nb: 2\n"
    assert keep_formatting(original, baseline, "a: [x, y, z]\nb: 1\n") == "a: [x, y, z]\nb: 1\n"
    assert keep_formatting(original, baseline, "a: [x, y]\nb: 1\nc: 3\n") == original + "c: 3\n"


ONE_HUNK_EDITS = {
    "add a root code": lambda cb: cb.add("new-code", "New code"),
    "add a first child": lambda cb: cb.add("new-code", "New code", parent="attitude-change", index=0),
    "add a last child": lambda cb: cb.add("new-code", "New code", parent="attitude-change"),
    "add under a leaf": lambda cb: cb.add(
        "new-code", "New code", parent="role-models", description="Two\nlines"
    ),
    "add under a flow code": lambda cb: cb.add("new-code", "New code", parent="them-and-us"),
    "add under an empty code": lambda cb: cb.add("new-code", "New code", parent="being-reachable"),
    "relabel": lambda cb: cb.update("presence", label="Being present"),
    "add a colour": lambda cb: cb.update("presence", color="#112233"),
    "remove a colour": lambda cb: cb.update("attitude-change", color=None),
    "edit a memo": lambda cb: cb.update("presence", memo="Changed."),
    "edit a flow code": lambda cb: cb.update("them-and-us", description="Us and them talk."),
    "update an empty code": lambda cb: cb.update("being-reachable", label="Being reachable"),
    "reslug": lambda cb: cb.reslug("role-models", "models"),
    "reslug a code with many fields": lambda cb: cb.reslug("attitude-change", "attitudes"),
    "remove a leaf": lambda cb: cb.remove("role-models"),
    "remove an only-child-like leaf": lambda cb: cb.remove("being-reachable"),
    "move within its parent": lambda cb: cb.move("being-reachable", "presence", 0),
    "add an alias": lambda cb: cb.add_alias("presence", "old-presence"),
    "add a set": lambda cb: cb.add_set("theme-new", "New theme", ["presence", "power"]),
    "relabel a set": lambda cb: cb.update_set("theme-words", label="Words matter"),
    "describe a set": lambda cb: cb.update_set("theme-seriousness", description="From QUAL1."),
    "set members": lambda cb: cb.set_members("theme-seriousness", ["presence", "role-models"]),
    "remove a set": lambda cb: cb.remove_set("theme-words"),
}


@pytest.mark.parametrize("edit", ONE_HUNK_EDITS.values(), ids=ONE_HUNK_EDITS.keys())
def test_a_one_code_edit_is_a_one_hunk_diff(edit) -> None:  # type: ignore[no-untyped-def]
    cb = Codebook.parse(SAMPLE)
    edit(cb)
    assert hunks(SAMPLE, cb.dump()) == 1
    reparsed(cb)


def test_a_new_code_goes_under_its_parent_before_the_blank_line() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.add("warmth", "Warmth", parent="attitude-change", color="#aabbcc")
    assert (
        "      power:\n        label: Language and power\n"
        '      warmth:\n        label: Warmth\n        color: "#aabbcc"\n\n  # Phase 2 codes\n'
    ) in cb.dump()
    assert cb.codes["warmth"].parent == "attitude-change"


def test_new_fields_go_in_the_canonical_order() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.update("presence", definition="Being there.", color="#010203", codable=False)
    assert (
        '    label: Presence\n    definition: Being there.\n    color: "#010203"\n    codable: false\n'
        in cb.dump()
    )


def test_removing_the_last_code_keeps_the_blank_line_before_the_sets() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.remove("role-models")
    assert "      being-reachable:\n\nsets:\n" in cb.dump()


def test_removing_a_code_after_a_flow_code_keeps_the_comment_that_follows() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.remove("power")
    out = cb.dump()
    assert "      them-and-us: {label: 'Them and us', color: '#e15759'}\n\n  # Phase 2 codes\n" in out
    reparsed(cb)


def test_reslug_keeps_place_comments_and_the_old_slug() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.reslug("appreciative-language", "appreciation")
    out = cb.dump()
    assert "      appreciation:\n        label: Appreciative language\n" in out
    assert "aliases: [careful-language, appreciative-language]" in out
    assert "      - appreciation\n" in out
    assert cb.resolve("appreciative-language") == "appreciation"
    assert cb.codes["attitude-change"].children[0] == "appreciation"
    assert list(cb.codes)[1] == "appreciation"
    assert cb.sets["theme-words"].codes == ("appreciation", "power")
    reparsed(cb)


def test_reslug_back_without_the_alias_restores_the_file() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.reslug("presence", "being-present")
    assert "    aliases: [presence]\n" in cb.dump()
    cb.reslug("being-present", "presence", keep_alias=False)
    assert cb.dump() == SAMPLE


def test_move_to_another_parent() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.move("being-there", "attitude-change", 1)
    assert cb.children("attitude-change") == ["appreciative-language", "being-there", "them-and-us", "power"]
    assert cb.children("presence") == ["being-reachable"]
    cb.move("being-reachable", None)
    assert cb.roots() == ["attitude-change", "presence", "role-models", "being-reachable"]
    assert cb.codes["presence"].children == ()
    assert "children" not in cb.dump().split("  presence:")[1].split("  role-models:")[0]
    reparsed(cb)


def test_move_refuses_a_move_into_its_own_subtree() -> None:
    cb = Codebook.parse(SAMPLE)
    with pytest.raises(OperationError, match="inside itself"):
        cb.move("attitude-change", "power")
    with pytest.raises(OperationError, match="inside itself"):
        cb.move("presence", "presence")
    assert cb.dump() == SAMPLE


def test_remove_refuses_a_code_with_children_unless_they_move_up() -> None:
    cb = Codebook.parse(SAMPLE)
    with pytest.raises(OperationError, match=r"has child codes \(being-there, being-reachable\)"):
        cb.remove("presence")
    cb.remove("presence", reparent_children=True)
    assert cb.roots() == ["attitude-change", "being-there", "being-reachable", "role-models"]
    assert cb.sets["theme-seriousness"].codes == ("appreciative-language",)
    assert "# Phase 2 codes" in cb.dump()
    reparsed(cb)


def test_removing_an_alias_renames_it_in_sets() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.remove_alias("appreciative-language", "careful-language")
    assert "  theme-words: {label: Words, codes: [appreciative-language, power]}\n" in cb.dump()
    assert cb.resolve("careful-language") is None
    assert hunks(SAMPLE, cb.dump()) == 2
    reparsed(cb)


def test_text_that_yaml_would_change_is_double_quoted() -> None:
    cb = Codebook.parse(SAMPLE)
    for text in (
        "x\u2028y",
        " two\n lines \n",
        "tab\t",
        "#not a comment",
        "null",
        "yes",
        "- item",
        "\n",
        "a\n\n",
    ):
        cb.update("presence", memo=text)
        assert reparsed(cb).codes["presence"].memo == text
        if "\n" not in text and "\u2028" not in text:  # a label is one line
            cb.update("presence", label=text)
            assert reparsed(cb).codes["presence"].label == text


def test_removing_a_code_takes_it_out_of_sets_and_its_aliases_go_with_it() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.remove("appreciative-language")
    assert cb.sets["theme-words"].codes == ("power",)
    assert cb.resolve("careful-language") is None
    reparsed(cb)


def test_a_first_code_in_a_new_codebook_is_written_in_block_style() -> None:
    cb = new_codebook()
    assert cb.problems() == [] and cb.codes == {}
    assert cb.dump().startswith("# ")
    cb.add("presence", "Presence")
    cb.add("being-there", "Being there", parent="presence")
    cb.add_set("theme", "Theme", ["being-there"])
    assert cb.dump().endswith(
        "codes:\n  presence:\n    label: Presence\n"
        "    children:\n      being-there:\n        label: Being there\n"
        "sets:\n  theme:\n    label: Theme\n    codes: [being-there]\n"
    )
    reparsed(cb)


def test_an_empty_file_is_an_empty_codebook() -> None:
    cb = Codebook.parse("")
    assert cb.codes == {} and cb.problems() == [] and cb.dump() == ""
    cb.add("presence", "Presence")
    assert cb.dump() == "codes:\n  presence:\n    label: Presence\n"


def test_a_code_written_without_fields_can_be_edited() -> None:
    cb = Codebook.parse("codes:\n  presence:\n  other:\n")
    cb.update("presence", label="Presence")
    cb.add("child", "Child", parent="other")
    assert (
        cb.dump() == "codes:\n  presence:\n    label: Presence\n  other:\n"
        "    children:\n      child:\n        label: Child\n"
    )


# --- edits that are refused -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda cb: cb.add("presence", "X"), "'presence' is already a code .* e.g. 'presence-2'"),
        (lambda cb: cb.add("careful-language", "X"), "is an old slug \\(alias\\) of 'appreciative-language'"),
        (lambda cb: cb.add("Not A Slug", "X"), r"is not a slug .* \(e.g. 'not-a-slug'\)"),
        (lambda cb: cb.add("x", "X", parent="nowhere"), "unknown code 'nowhere'"),
        (
            lambda cb: cb.add("x", "X", parent="presence", index=5),
            "position 5 is out of range — choose 0 to 2",
        ),
        (
            lambda cb: cb.add("x", "X", colour="#aabbcc"),
            "cannot set 'colour' of a code — did you mean 'color'",
        ),
        (lambda cb: cb.update("presence", color="blue"), "'color' must be a colour written \"#rrggbb\""),
        (lambda cb: cb.update("presence", codable="no"), "'codable' must be true or false"),
        (lambda cb: cb.update("presence", label=3), "'label' must be text, not the number 3"),
        (lambda cb: cb.update("presence", aliases=["x"]), "use add_alias/remove_alias"),
        (lambda cb: cb.update("presence", children={}), "use add or move"),
        (lambda cb: cb.reslug("presence", "role-models"), "'role-models' is already a code"),
        (lambda cb: cb.reslug("presence", "Presence!"), "is not a slug"),
        (lambda cb: cb.add_alias("presence", "power"), "'power' is already a code"),
        (lambda cb: cb.add_alias("presence", "careful-language"), "is an old slug \\(alias\\)"),
        (
            lambda cb: cb.remove_alias("presence", "x"),
            "'x' is not an alias of 'presence' — its aliases: none",
        ),
        (lambda cb: cb.add_set("theme-words", "X"), "there is already a set 'theme-words'"),
        (lambda cb: cb.add_set("t", "T", ["nothing"]), "unknown code 'nothing'"),
        (lambda cb: cb.update_set("theme", label="x"), "unknown set 'theme' — did you mean 'theme-words'"),
        (lambda cb: cb.update_set("theme-words", codes=[]), "cannot set 'codes' of a set"),
        (lambda cb: cb.set_members("theme-words", ["presense"]), "did you mean 'presence'"),
    ],
)
def test_refused_edits_say_what_to_do_and_change_nothing(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    cb = Codebook.parse(SAMPLE)
    with pytest.raises(OperationError, match=message):
        edit(cb)
    assert cb.dump() == SAMPLE
    assert cb.codes == Codebook.parse(SAMPLE).codes


# --- problems, each with its line and column --------------------------------------------------------------
def test_unknown_section() -> None:
    assert only_problem("codes: {}\ncodez: {}\n") == (2, 1, "unknown section 'codez' — did you mean 'codes'?")


def test_key_that_is_not_a_slug() -> None:
    line, column, message = only_problem("codes:\n  Attitude Change:\n    label: x\n")
    assert (line, column) == (2, 3)
    assert "'Attitude Change' is not a slug" in message and "e.g. 'attitude-change'" in message


def test_key_read_as_a_number() -> None:
    line, column, message = only_problem("codes:\n  2019:\n    label: x\n")
    assert (line, column) == (2, 3) and "is read as the number 2019" in message and "('2019')" in message


def test_slug_defined_twice_in_the_tree_names_both_lines() -> None:
    text = "codes:\n  a:\n    children:\n      b:\n        label: B\n  b:\n    label: B again\n"
    assert only_problem(text) == (
        6,
        3,
        "code 'b' is defined twice (lines 4 and 6) — rename one of them: "
        "slugs are unique across the whole tree",
    )
    assert Codebook.parse(text).codes["b"].label == "B"


def test_key_written_twice_in_one_mapping_is_fatal_and_names_both_lines() -> None:
    with pytest.raises(FormatError) as caught:
        Codebook.parse("codes:\n  a:\n    label: A\n  b: {}\n  a:\n    label: again\n")
    assert (caught.value.line, caught.value.column) == (5, 3)
    assert "'a' is written twice in the same mapping (lines 2 and 5)" in caught.value.message


def test_code_that_is_not_a_mapping() -> None:
    line, column, message = only_problem("codes:\n  a: Appreciative language\n")
    assert (line, column) == (2, 6)
    assert "code 'a' must be a mapping of fields" in message


def test_unknown_field_suggests_the_closest() -> None:
    assert only_problem("codes:\n  a:\n    lable: A\n") == (
        3,
        5,
        "unknown field 'lable' in code 'a' — did you mean 'label'?",
    )
    assert "known fields: label, aliases, description" in only_problem("codes:\n  a:\n    zzz: A\n")[2]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("label", "2019", "'label' must be text, not the number 2019 — put it in quotes"),
        ("description", "[a, b]", "'description' must be text, not a list"),
        ("color", "red", "'color' must be a colour written \"#rrggbb\" (e.g. \"#4e79a7\"), not 'red'"),
        ("color", '"#12345"', "not '#12345'"),
        ("codable", "'no'", "'codable' must be true or false, not 'no'"),
        ("children", "[b, c]", "'children' of code 'a' must be a mapping of codes"),
        ("aliases", "old-a", "'aliases' of code 'a' must be a list of old slugs"),
    ],
)
def test_wrong_types(field: str, value: str, message: str) -> None:
    line, column, found = only_problem(f"codes:\n  a:\n    {field}: {value}\n")
    assert (line, column) == (3, 7 + len(field))
    assert message in found


def test_unquoted_colour_is_read_as_a_comment() -> None:
    line, column, message = only_problem("codes:\n  a:\n    color: #4e79a7\n")
    assert (line, column) == (3, 5)
    assert message == "the colour of code 'a' is read as a comment — put it in quotes: color: \"#4e79a7\""


def test_alias_problems() -> None:
    text = "codes:\n  a:\n    aliases: [b, Old A, x]\n  b:\n    aliases: [x]\n  c:\n    aliases:\n      - c\n"
    assert problems(text) == [
        (
            3,
            15,
            "alias 'b' of code 'a' is the slug of code 'b' (line 4) — remove the alias or rename the code",
        ),
        (3, 18, "alias 'Old A' of code 'a' is not a slug — write the old slug"),
        (5, 15, "alias 'x' is given to two codes, 'a' (line 3) and 'b' (line 5) — keep it on one"),
        (8, 9, "alias 'c' of code 'c' is the slug of itself — remove the alias or rename the code"),
    ]
    assert Codebook.parse(text).resolve("x") == "a"


def test_set_problems() -> None:
    text = (
        "codes:\n  presence: {}\n"
        "sets:\n"
        "  t1:\n    label: T\n    codes: [presense, presence, presence]\n    colour: x\n"
        "  t2:\n    codes: presence\n"
        "  T 3: {}\n"
        "  t4: [presence]\n"
    )
    assert problems(text) == [
        (6, 13, "set 't1' names unknown code 'presense' — did you mean 'presence'?"),
        (6, 33, "set 't1' names code 'presence' twice — remove one"),
        (7, 5, "unknown field 'colour' in set 't1' — a set has 'label', 'description' and 'codes'"),
        (9, 12, "'codes' of set 't2' must be a list of code slugs, e.g. codes: [a, b]"),
        (10, 3, "the set key 'T 3' is not a slug — e.g. 't-3'"),
        (11, 7, "set 't4' must be a mapping (label: …, codes: […]), not a list"),
    ]


def test_sets_that_are_not_a_mapping() -> None:
    assert only_problem("codes: {}\nsets: [a]\n") == (
        2,
        1,
        "'sets' must be a mapping of code sets (slug: fields), not a list",
    )


def test_anchors_are_refused() -> None:
    with pytest.raises(
        FormatError, match="an anchor \\('&base'\\): Margin does not allow YAML anchors"
    ) as info:
        Codebook.parse("codes:\n  a: &base\n    label: A\n  b: *base\n", "codebook.yaml")
    assert (info.value.line, info.value.column) == (2, 6)


def test_problems_are_reported_in_file_order() -> None:
    text = "codes:\n  b:\n    lable: x\n  a:\n    aliases: [b]\n"
    assert [p.line for p in Codebook.parse(text).problems()] == [3, 5]
    assert str(Codebook.parse(text, "study/codebook.yaml").problems()[0]).startswith(
        "study/codebook.yaml:3:5: "
    )


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("codes:\n  a: [\n", (3, 1), "invalid YAML"),
        ("codes:\n  - a\n  - b\n", (2, 3), "'codes' must be a mapping of code slugs, not a list"),
        ("- a\n", (1, 1), "codebook.yaml must be a mapping with 'codes:' and 'sets:', not a list"),
        ("codes: !!set {a, b}\n", (1, 8), "'codes' must be a mapping"),
    ],
)
def test_fatal_errors(text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(FormatError) as caught:
        Codebook.parse(text)
    assert (caught.value.line, caught.value.column) == where
    assert message in caught.value.message


def test_hostile_yaml_is_refused_and_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "owned"
    text = f'codes:\n  a:\n    label: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(FormatError) as caught:
        Codebook.parse(text)
    assert caught.value.line == 3 and "tag" in caught.value.message
    assert not marker.exists()
    with pytest.raises(FormatError, match="tag"):
        Codebook.parse("codes:\n  a: !!python/object:os.system {}\n")


# --- slugs --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "taken", "slug"),
    [
        ("Appreciative language", (), "appreciative-language"),
        ("  It was about US!  ", (), "it-was-about-us"),
        ("Ärger über die Straße", (), "arger-uber-die-strasse"),
        ("Café — naïve", (), "cafe-naive"),
        ("", (), "code"),
        ("!!!", (), "code"),
        ("日本語", (), "code"),
        ("presence", ("presence",), "presence-2"),
        ("presence", ("presence", "presence-2"), "presence-3"),
        ("under_score", (), "under-score"),
        ("It's not dirt", (), "its-not-dirt"),
        ("It’s not dirt", (), "its-not-dirt"),
        ("rock 'n' roll", (), "rock-n-roll"),
        ("'quoted'", (), "quoted"),
    ],
)
def test_slugify(label: str, taken: tuple[str, ...], slug: str) -> None:
    assert slugify(label, taken) == slug


def test_slugify_keeps_in_vivo_slugs_short_and_whole_words() -> None:
    slug = slugify("I have become more attentive to language at work, really, over the years")
    assert slug == "i-have-become-more-attentive-to-language-at-work"
    assert len(slug) <= 48


@given(st.text(max_size=80), st.sets(st.text(alphabet="abc-", min_size=1, max_size=6), max_size=5))
def test_slugify_always_gives_a_free_slug(label: str, taken: set[str]) -> None:
    slug = slugify(label, taken)
    assert is_slug(slug) and slug not in taken


# --- property: random edits keep the tree consistent and survive a round trip (comments: test_codebook_comments)
def check_consistent(cb: Codebook) -> None:
    order: list[str] = []

    def visit(slug: str, parent: str | None) -> None:
        code = cb.codes[slug]
        assert code.parent == parent
        order.append(slug)
        for child in code.children:
            visit(child, slug)

    for root in cb.roots():
        visit(root, None)
    assert order == list(cb.codes)
    for alias, slug in cb.aliases.items():
        assert slug in cb.codes and alias not in cb.codes and alias in cb.codes[slug].aliases
    for code_set in cb.sets.values():
        assert all(c in cb.codes for c in code_set.codes)


NAMES = ["attitude-change", "appreciative-language", "them-and-us", "power", "presence", "being-there",
         "being-reachable", "role-models", "new-a", "new-b", "new-c", "careful-language"]  # fmt: skip

operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.none() | st.sampled_from(NAMES), st.integers(0, 3)),
    st.tuples(st.just("move"), st.sampled_from(NAMES), st.none() | st.sampled_from(NAMES), st.integers(0, 3)),
    st.tuples(st.just("reslug"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans()),
    st.tuples(st.just("remove"), st.sampled_from(NAMES), st.booleans(), st.none()),
    st.tuples(st.just("update"), st.sampled_from(NAMES), st.text(max_size=12), st.booleans()),
    st.tuples(st.just("alias"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans()),
    st.tuples(
        st.just("members"),
        st.sampled_from(["theme-seriousness", "theme-words"]),
        st.lists(st.sampled_from(NAMES), max_size=4),
        st.none(),
    ),
)


def apply(cb: Codebook, op: tuple[object, ...]) -> None:
    kind, a, b, c = op
    if kind == "add":
        cb.add(str(a), f"Label of {a}", parent=b, index=c)  # type: ignore[arg-type]
    elif kind == "move":
        cb.move(str(a), b, c)  # type: ignore[arg-type]
    elif kind == "reslug":
        cb.reslug(str(a), str(b), keep_alias=bool(c))
    elif kind == "remove":
        cb.remove(str(a), reparent_children=bool(b))
    elif kind == "update":
        cb.update(str(a), label=b or None, memo=b or None, color="#123456" if c else None)
    elif kind == "alias":
        (cb.add_alias if c else cb.remove_alias)(str(a), str(b))
    else:
        cb.set_members(str(a), b)  # type: ignore[arg-type]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=12))
def test_random_edits_keep_the_tree_consistent_and_round_trip(ops: list[tuple[object, ...]]) -> None:
    cb = Codebook.parse(SAMPLE)
    for op in ops:
        before = cb.dump()
        try:
            apply(cb, op)
        except OperationError:
            assert cb.dump() == before
            continue
        check_consistent(cb)
        again = reparsed(cb)
        check_consistent(again)
