"""The three-way merge of a transcript, on hand-made cases built with the real operations."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from margin.core import operations as ops
from margin.core.check import check_project
from margin.core.codebook import Codebook
from margin.core.conflict_blocks import parse_conflicts
from margin.core.document import Document, parse_document
from margin.core.project import Project
from margin.vcs.merge_doc import DocMerge, merge_document

DOC = "qual1/int-07"
PATH = Path("documents/qual1/int-07.txt")

Edit = Callable[[Project], object]


def version(project_dir: Path, name: str, *edits: Edit) -> str:
    """The document after ``edits`` applied with the operations to a copy of the project."""
    copy = project_dir.parent / name
    shutil.copytree(project_dir, copy)
    project = Project.load(copy)
    for edit in edits:
        edit(project)
    return (copy / PATH).read_text(encoding="utf-8")


def merged(project_dir: Path, ours: list[Edit], theirs: list[Edit]) -> tuple[str, Document, list[str]]:
    base = (project_dir / PATH).read_text(encoding="utf-8")
    result = merge_document(
        base, version(project_dir, "ours", *ours), version(project_dir, "theirs", *theirs), str(PATH)
    )
    doc = parse_document(result.text, DOC) if result.clean else Document(DOC, "")
    return result.text, doc, result.conflicts


def codings(doc: Document) -> set[tuple[str, tuple[str, ...], str | None]]:
    return {(doc.text[c.start : c.end], c.codes, c.memo) for c in doc.codings}


def span(project: Project, words: str, paragraph: int | None = None) -> tuple[int, int]:
    text = project.document(DOC).text
    start = text.index(words, project.document(DOC).paragraph_span(paragraph)[0] if paragraph else 0)
    return start, start + len(words)


def apply(words: str, *codes: str, memo: str | None = None) -> Edit:
    return lambda p: ops.apply_codes(p, DOC, *span(p, words), codes, memo)


def remove(words: str) -> Edit:
    return lambda p: ops.remove_coding(p, DOC, *span(p, words))


def edit(paragraph: int, old: str, new: str) -> Edit:
    def run(p: Project) -> object:
        text = p.document(DOC).paragraph(paragraph)
        return ops.edit_text(p, DOC, paragraph, text.replace(old, new), confirmed=True)

    return run


def test_codings_added_on_both_sides_to_one_paragraph_are_all_kept(project_dir: Path) -> None:
    text, doc, conflicts = merged(
        project_dir, [apply("peer support", "presence")], [apply("change your team", "role-models")]
    )
    assert conflicts == []
    assert ("peer support", ("presence",), None) in codings(doc)
    assert ("change your team", ("role-models",), None) in codings(doc)
    assert ("more attentive to language", ("language",), None) in codings(doc)
    assert "How did {peer support}[presence] {change your team}[role-models]?" in text


def test_a_removal_is_honoured_and_the_other_sides_addition_kept(project_dir: Path) -> None:
    _, doc, conflicts = merged(
        project_dir, [remove("more attentive to language")], [apply("at work", "presence")]
    )
    assert conflicts == []
    assert codings(doc) >= {("at work", ("presence",), None)}
    assert not any(words == "more attentive to language" for words, _, _ in codings(doc))


def test_a_coding_changed_on_one_side_keeps_the_change(project_dir: Path) -> None:
    def recode(p: Project) -> object:
        return ops.change_coding(p, DOC, *span(p, "more attentive to language"), codes=["presence"])

    def narrow(p: Project) -> object:
        start, end = span(p, "it was about us")
        return ops.change_coding(p, DOC, start, end, new_end=end - 3)

    _, doc, conflicts = merged(project_dir, [recode], [narrow, apply("I have become", "role-models")])
    assert conflicts == []
    found = codings(doc)
    assert ("more attentive to language", ("presence",), None) in found
    assert ("it was about", ("seriousness",), None) in found
    assert ("I have become", ("role-models",), None) in found
    assert not any(codes == ("language",) for _, codes, _ in found)


def test_codings_follow_the_other_sides_text_edit_word_by_word(project_dir: Path) -> None:
    _, doc, conflicts = merged(
        project_dir,
        [edit(1, "I have become more attentive", "I have grown much more attentive")],
        [apply("at work", "presence"), apply("I have become", "role-models")],
    )
    assert conflicts == []
    assert "I have grown much more attentive to language at work." in doc.text
    found = codings(doc)
    assert ("at work", ("presence",), None) in found
    assert ("I have grown much", ("role-models",), None) in found  # the replaced word maps to its replacement
    assert ("much more attentive to language", ("language",), None) not in found
    assert ("more attentive to language", ("language",), None) in found


def test_only_the_paragraph_both_sides_edited_conflicts(project_dir: Path) -> None:
    ours = [edit(1, "become", "became"), apply("at work", "presence"), edit(0, "your team", "the team")]
    theirs = [edit(1, "become", "come to be"), apply("I have", "role-models"), edit(2, "the one", "the ones")]
    text, _, conflicts = merged(project_dir, ours, theirs)
    assert conflicts == ["¶2"]
    conflicted = parse_conflicts(text)
    [block] = conflicted.blocks
    assert block.ours == ("P07: I have became {more attentive to language}[language] {at work}[presence].",)
    assert block.theirs == (
        "P07: {I have}[role-models] come to be {more attentive to language}[language] at work.",
    )
    assert block.base == ("P07: I have become {more attentive to language}[language] at work.",)
    for side in ("ours", "theirs", "base"):
        doc = parse_document(conflicted.view(side), DOC)  # every choice is a valid document
        assert "How did peer support change the team?" in doc.text  # ours' edit of another paragraph
        assert "being the ones" in doc.text  # theirs' edit of another paragraph


def test_a_conflict_is_explained_by_check_and_refused_by_the_project(project_dir: Path) -> None:
    text, _, _ = merged(project_dir, [edit(1, "become", "became")], [edit(1, "become", "come to be")])
    (project_dir / PATH).write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_project(Project.load(project_dir))]
    assert problems == [
        f"{PATH}:7:1: an unresolved git merge conflict — run `margin resolve` to choose between the "
        "versions, or edit the file to keep one (lines 7–13 hold both versions)"
    ]
    with pytest.raises(Exception, match=r"int-07.txt:7:1: an unresolved git merge conflict"):
        Project.load(project_dir).document(DOC)


def test_memos_changed_differently_keep_both_texts(project_dir: Path) -> None:
    def set_memo(text: str) -> Edit:
        def run(p: Project) -> object:
            c = next(c for c in p.document(DOC).codings if c.memo == "first mention")
            return ops.change_coding(p, DOC, c.start, c.end, memo=text)

        return run

    _, doc, conflicts = merged(project_dir, [set_memo("first mention, said twice")], [set_memo("key quote")])
    assert conflicts == []
    [coding] = [c for c in doc.codings if c.memo and "key quote" in c.memo]
    assert coding.memo == "first mention, said twice\nkey quote"


def test_labels_both_sides_chose_are_made_unique(project_dir: Path) -> None:
    # each side makes a span that crosses an existing one, so each needs a label: both choose '1'
    ours = [apply("have become more", "presence")]
    theirs = [apply("language at work", "role-models")]
    _, doc, conflicts = merged(project_dir, ours, theirs)
    assert conflicts == []
    assert ("have become more", ("presence",), None) in codings(doc)
    assert ("language at work", ("role-models",), None) in codings(doc)
    labels = [c.label for c in doc.codings if c.label]
    assert len(labels) == len(set(labels))


def test_front_matter_is_merged_per_key(project_dir: Path) -> None:
    def variable(name: str, value: str) -> Edit:
        return lambda p: ops.set_document_variable(p, DOC, name, value)

    _, doc, conflicts = merged(project_dir, [variable("phase", "QUAL2")], [variable("title", "Int 7")])
    assert conflicts == []
    assert doc.meta["phase"] == "QUAL2" and doc.meta["title"] == "Int 7"


def test_the_same_front_matter_key_changed_differently_is_a_conflict(project_dir: Path) -> None:
    def variable(value: str) -> Edit:
        return lambda p: ops.set_document_variable(p, DOC, "phase", value)

    text, _, conflicts = merged(project_dir, [variable("one")], [variable("two")])
    assert conflicts == ["front matter: phase"]
    conflicted = parse_conflicts(text)
    assert conflicted.blocks[0].ours == ("phase: one",) and conflicted.blocks[0].theirs == ("phase: two",)
    assert parse_document(conflicted.view("theirs"), DOC).meta["phase"] == "two"


def test_a_conflict_widens_to_whole_spans_so_no_coding_is_cut(project_dir: Path) -> None:
    fg = Path("documents/qual2/fg-01.txt")
    base = (project_dir / fg).read_text(encoding="utf-8")
    body = base.split("---\n", 2)[2]
    # a labelled span from the first paragraph into the second; both sides edit the first paragraph
    base = base.replace(
        body,
        body.replace("We {@a started", "{@z We {@a started").replace(
            "Nothing coded here.", "Nothing}@z[language] coded here."
        ),
    )
    ours = base.replace("We {@a started", "So we {@a started")
    theirs = base.replace("We {@a started", "Then we {@a started")
    result = merge_document(base, ours, theirs, str(fg))
    conflicted = parse_conflicts(result.text)
    [block] = conflicted.blocks
    assert len(block.ours) == len(block.theirs) == 2  # both paragraphs: the span runs over them
    for side in ("ours", "theirs", "base"):
        doc = parse_document(conflicted.view(side), "qual2/fg-01")
        assert any(c.codes == ("language",) and "Nothing" in doc.text[c.start : c.end] for c in doc.codings)


def test_a_coding_whose_words_the_other_side_deleted_is_reported(project_dir: Path) -> None:
    base = (project_dir / PATH).read_text(encoding="utf-8")
    ours = base.replace("at work.", "at {work}[presence].")
    theirs = base.replace(" at work.", ".")
    result = merge_document(base, ours, theirs, str(PATH))
    assert result.clean and result.dropped == ["presence on 'work' (¶2)"]
    assert "language}[language]." in result.text


def test_unchanged_sides_are_taken_whole(project_dir: Path) -> None:
    base = (project_dir / PATH).read_text(encoding="utf-8")
    changed = base.replace("at work", "at {work}[presence]")
    assert merge_document(base, base, changed).text == changed
    assert merge_document(base, changed, base).text == changed
    assert merge_document(base, changed, changed).text == changed


def _merge(project_dir: Path, ours: list[Edit], theirs: list[Edit], aliases: bool = False) -> DocMerge:
    """The merge of the two versions (told, with ``aliases``, the old slugs both codebooks keep)."""
    base = (project_dir / PATH).read_text(encoding="utf-8")
    texts = [version(project_dir, name, *edits) for name, edits in (("ours", ours), ("theirs", theirs))]
    pairs = {
        pair
        for name in ("ours", "theirs")
        for pair in Codebook.parse((project_dir.parent / name / "codebook.yaml").read_text()).aliases.items()
    }
    for name in ("ours", "theirs"):
        shutil.rmtree(project_dir.parent / name)
    return merge_document(base, *texts, str(PATH), aliases=(lambda: pairs) if aliases else None)


def test_a_coding_left_on_punctuation_only_is_dropped_and_reported_with_its_memo(project_dir: Path) -> None:
    """The other side's edit keeps nothing of the coded words but a question mark: the coding goes with
    its words, and the merge says so, memo included — it is never left on the '?'."""
    path = project_dir / PATH
    question = "Did you notice anything different about the staff, the second time? Apart from her?"
    path.write_text(
        path.read_text(encoding="utf-8").replace("How did peer support change your team?", question),
        encoding="utf-8",
    )
    shorten = edit(0, ", the second time? Apart from her?", "?")
    code = apply("the second time? Apart from her?", "presence", memo="B's memo")
    for ours, theirs in (([shorten], [code]), ([code], [shorten])):
        result = _merge(project_dir, ours, theirs)
        assert result.clean
        assert result.dropped == ["presence on 'the second time? Apart from her?' (¶1) ✎ B's memo"]
        assert "I1: Did you notice anything different about the staff?\n" in result.text


def merge_into(source: str, target: str) -> Edit:
    return lambda p: ops.merge_codes(p, source, target)


def reslug(old: str, new: str) -> Edit:
    return lambda p: ops.reslug_code(p, old, new)


@pytest.mark.parametrize(
    "rename",
    [merge_into("language", "seriousness"), reslug("language", "careful-words")],
    ids=["merge", "reslug"],
)
def test_a_removal_and_a_code_merge_or_reslug_of_the_coding_reconcile_to_removed(
    project_dir: Path, rename: Edit
) -> None:
    """The renamed code's old slug is an alias of the new one: the recoded coding is the same coding, so
    the other side's removal of it stands (either way round)."""
    gone = remove("more attentive to language")
    for ours, theirs in (([gone], [rename]), ([rename], [gone])):
        result = _merge(project_dir, ours, theirs, aliases=True)
        doc = parse_document(result.text, DOC)
        assert result.clean and not any(words == "more attentive to language" for words, _, _ in codings(doc))


@pytest.mark.parametrize(
    ("rename", "new"),
    [
        (merge_into("presence", "role-models"), "role-models"),
        (reslug("presence", "being-there"), "being-there"),
    ],
    ids=["merge", "reslug"],
)
def test_a_boundary_change_and_a_code_merge_or_reslug_give_one_coding(
    project_dir: Path, rename: Edit, new: str
) -> None:
    """One coding, with the new boundary, the new code and its memo once (not two, the memo doubled)."""

    def narrow(p: Project) -> object:
        start, end = span(p, "It was clear that it was about us being the one")
        return ops.change_coding(p, DOC, start, end, new_start=start + len("It was "))

    for ours, theirs in (([narrow], [rename]), ([rename], [narrow])):
        result = _merge(project_dir, ours, theirs, aliases=True)
        outer = [c for c in codings(parse_document(result.text, DOC)) if "being the one" in c[0]]
        assert result.clean and outer == [
            ("clear that it was about us being the one", (new,), "first mention")
        ]


def test_a_coding_named_by_two_slugs_of_one_code_goes_or_stays_as_one() -> None:
    """Both coders re-slugged a code differently, and a merge kept both names on its coding: to a later
    merge they are one code, so another coder's removal takes both, and a boundary change moves both."""
    base = "P: one two three four five.\n"
    theirs = "P: one {two three}[alpha, beta] four five.\n"
    aliases = {("old", "alpha"), ("old", "beta")}  # two re-slugs of 'old'
    before = "P: one {two three}[old] four five.\n"
    removed = merge_document(before, base, theirs, aliases=lambda: aliases)
    assert removed.clean and removed.text == base
    narrowed = merge_document(before, "P: one two {three}[old] four five.\n", theirs, aliases=lambda: aliases)
    assert narrowed.clean and narrowed.text == "P: one two {three}[alpha, beta] four five.\n"
