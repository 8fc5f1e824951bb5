"""The three-way merge of codebook.yaml, code by code, on hand-made cases built with the codebook's edits."""

from __future__ import annotations

from collections.abc import Callable

from conftest import CODEBOOK
from margin.core.codebook import Codebook
from margin.core.conflict_blocks import parse_conflicts
from margin.vcs.merge_codebook import merge_codebook

Edit = Callable[[Codebook], object]
BASE = CODEBOOK.replace(
    "sets: {}\n", "sets:\n  theme:\n    label: A theme\n    codes: [language, presence]\n"
)


def edited(*edits: Edit, text: str = BASE) -> str:
    cb = Codebook.parse(text)
    for edit in edits:
        edit(cb)
    return cb.dump()


def merge(ours: list[Edit], theirs: list[Edit]) -> tuple[str, list[str]]:
    result = merge_codebook(BASE, edited(*ours), edited(*theirs))
    return result.text, result.conflicts


def tree(text: str) -> dict[str, tuple[str | None, str]]:
    cb = Codebook.parse(text)
    assert cb.problems() == []
    return {slug: (code.parent, code.label) for slug, code in cb.codes.items()}


def test_a_relabel_and_a_move_both_survive() -> None:
    text, conflicts = merge(
        [lambda cb: cb.update("presence", label="Being present")],
        [lambda cb: cb.move("presence", "attitude", 0)],
    )
    assert conflicts == []
    assert tree(text)["presence"] == ("attitude", "Being present")
    assert Codebook.parse(text).children("attitude") == ["presence", "language", "seriousness"]


def test_changes_to_different_codes_and_fields_are_all_taken_and_ours_formatting_kept() -> None:
    ours_text = edited(lambda cb: cb.update("language", definition="How staff speak.")).replace(
        "  how:\n", "  # the second part of the tree\n  how:\n"
    )
    theirs_text = edited(
        lambda cb: cb.update("language", color="#000000"), lambda cb: cb.update("how", label="How")
    )
    result = merge_codebook(BASE, ours_text, theirs_text)
    assert result.clean
    code = Codebook.parse(result.text).code("language")
    assert (code.definition, code.color) == ("How staff speak.", "#000000")
    assert "  # the second part of the tree\n  how:\n    label: How\n" in result.text
    assert result.text.startswith("# Codes for the small test project\n")


def test_the_same_field_changed_differently_is_a_conflict_of_that_line() -> None:
    text, conflicts = merge(
        [lambda cb: cb.update("presence", label="Being present"), lambda cb: cb.update("how", label="How")],
        [lambda cb: cb.update("presence", label="Being there")],
    )
    assert conflicts == [
        "code presence: label changed differently on both sides ('Being present' here, 'Being there' there)"
    ]
    conflicted = parse_conflicts(text)
    [block] = conflicted.blocks
    assert (block.ours, block.base, block.theirs) == (
        ("        label: Being present",),
        ("        label: Presence",),
        ("        label: Being there",),
    )
    assert tree(conflicted.view("ours"))["presence"][1] == "Being present"
    assert tree(conflicted.view("theirs"))["presence"][1] == "Being there"
    assert tree(conflicted.view("theirs"))["how"][1] == "How"  # what did not conflict is merged in every view


def test_the_same_slug_created_differently_is_a_conflict_shown_as_such() -> None:
    text, conflicts = merge(
        [lambda cb: cb.add("humour", "Humour", parent="how")],
        [lambda cb: cb.add("humour", "Joking", parent="how", color="#111111")],
    )
    assert conflicts == ["code humour: created differently on both sides"]
    [block] = parse_conflicts(text).blocks
    assert block.base == ()
    assert block.ours == ("      humour:", "        label: Humour")
    assert block.theirs == ("      humour:", "        label: Joking", '        color: "#111111"')
    same, conflicts = merge(
        [lambda cb: cb.add("humour", "Humour", parent="how")],
        [lambda cb: cb.add("humour", "Humour", parent="how")],
    )
    assert conflicts == [] and tree(same)["humour"] == ("how", "Humour")


def test_a_deletion_is_honoured_unless_the_other_side_changed_the_code() -> None:
    text, conflicts = merge(
        [lambda cb: cb.remove("role-models")], [lambda cb: cb.update("presence", label="P")]
    )
    assert conflicts == [] and "role-models" not in tree(text)
    text, conflicts = merge(
        [lambda cb: cb.remove("role-models")], [lambda cb: cb.update("role-models", label="Models")]
    )
    assert conflicts == ["code role-models: deleted here, changed there"]
    conflicted = parse_conflicts(text)
    assert "role-models" not in tree(conflicted.view("ours"))
    assert tree(conflicted.view("theirs"))["role-models"] == ("how", "Models")
    text, conflicts = merge(
        [lambda cb: cb.update("role-models", label="Models")], [lambda cb: cb.remove("role-models")]
    )
    assert conflicts == ["code role-models: changed here, deleted there"]
    conflicted = parse_conflicts(text)
    assert tree(conflicted.view("ours"))["role-models"] == ("how", "Models")
    assert "role-models" not in tree(conflicted.view("theirs"))


def test_a_code_deleted_on_one_side_and_moved_on_the_other_is_a_conflict_in_the_file() -> None:
    """The conflict is written as a block, wherever the versions differ: one that the merge reports but
    that the file lacks leaves git a conflicted file without a block, which cannot be resolved."""
    for ours, theirs, side in (
        ([lambda cb: cb.remove("seriousness")], [lambda cb: cb.move("seriousness", "how")], "theirs"),
        ([lambda cb: cb.move("seriousness", "how")], [lambda cb: cb.remove("seriousness")], "ours"),
    ):
        text, conflicts = merge(ours, theirs)
        assert len(conflicts) == 1 and "seriousness" in conflicts[0]
        conflicted = parse_conflicts(text)
        assert len(conflicted.blocks) == 1
        kept, gone = (side, "ours" if side == "theirs" else "theirs")
        assert tree(conflicted.view(kept))["seriousness"] == ("how", "Experience taken seriously")
        assert "seriousness" not in tree(conflicted.view(gone))
        tree(conflicted.view("base"))


def test_new_codes_go_under_their_parent_at_their_place() -> None:
    text, conflicts = merge(
        [lambda cb: cb.add("listening", "Listening", parent="how")],
        [
            lambda cb: cb.add("humour", "Humour", parent="attitude", index=1),
            lambda cb: cb.add("trust", "Trust"),
        ],
    )
    assert conflicts == []
    cb = Codebook.parse(text)
    assert cb.children("attitude") == ["language", "humour", "seriousness"]
    assert cb.children("how") == ["presence", "role-models", "listening"]
    assert cb.roots() == ["attitude", "how", "trust"]


def test_a_reslug_on_one_side_and_a_relabel_on_the_other() -> None:
    text, conflicts = merge(
        [lambda cb: cb.reslug("presence", "being-present")],
        [lambda cb: cb.update("presence", label="Being there")],
    )
    assert conflicts == []
    cb = Codebook.parse(text)
    assert cb.code("presence").slug == "being-present"  # the old slug stays an alias
    assert cb.code("being-present").label == "Being there"
    assert cb.sets["theme"].codes == ("language", "being-present")


def test_a_merge_of_codes_on_one_side_and_an_edit_of_the_target_on_the_other() -> None:
    def fold(cb: Codebook) -> None:  # what `margin code merge role-models presence` does to the codebook
        cb.remove("role-models")
        cb.add_alias("presence", "role-models")

    text, conflicts = merge([fold], [lambda cb: cb.update("presence", definition="Being with people.")])
    assert conflicts == []
    cb = Codebook.parse(text)
    assert cb.resolve("role-models") == "presence" and cb.code("presence").definition == "Being with people."


def test_set_members_merge_as_sets() -> None:
    text, conflicts = merge(
        [lambda cb: cb.set_members("theme", ["language", "presence", "seriousness"])],
        [lambda cb: cb.set_members("theme", ["presence", "role-models"])],
    )
    assert conflicts == []
    assert Codebook.parse(text).sets["theme"].codes == ("presence", "seriousness", "role-models")


def test_an_alias_moved_from_one_code_to_another_is_kept() -> None:
    base = edited(lambda cb: cb.add_alias("presence", "being-there"))

    def move(cb: Codebook) -> None:
        cb.remove_alias("presence", "being-there")
        cb.add_alias("language", "being-there")

    theirs = edited(move, text=base)
    ours = edited(lambda cb: cb.update("how", label="How"), text=base)
    result = merge_codebook(base, ours, theirs)
    assert result.clean
    assert Codebook.parse(result.text).resolve("being-there") == "language"
