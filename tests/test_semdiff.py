"""The semantic diff as pure functions: codings matched across text edits, word diffs, code operations in
codebook.yaml, participants, and a property: text edits made through the operations are only text edits."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from margin.core import operations as ops
from margin.core.codebook import Codebook
from margin.core.document import parse_document
from margin.core.errors import OperationError
from margin.core.project import Project
from margin.vcs.semdiff import Counts, diff_codebook, diff_document, diff_file, diff_participants, word_diff
from test_codebook import SAMPLE
from test_codebook import apply as apply_to_codebook
from test_codebook import operation as codebook_operation

DOC = """\
I1: How did peer support change your team?
P07: I have become {more attentive to language}[language] at work.
P07: {It was clear that {it was about us}[seriousness] being the one}[presence | first mention]
"""


def lines(old: str, new: str) -> list[str]:
    return [d.line for d in diff_document("qual1/int-07", parse_document(old, "x"), parse_document(new, "x"))]


def test_codings_added_removed_and_changed() -> None:
    new = DOC.replace(
        "{more attentive to language}[language]", "more attentive to {language}[language, presence]"
    )
    new = new.replace("I1: How did peer support", "I1: How did {peer support}[presence]")
    new = new.replace("[presence | first mention]", "[presence]")
    assert lines(DOC, new) == [
        "+ presence on 'peer support' (qual1/int-07 ¶1)",
        "~ codes language → language, presence; boundaries 'more attentive to language' → 'language' "
        "(qual1/int-07 ¶2)",
        "~ memo 'first mention' → none on 'It was clear that it was about us being…' (qual1/int-07 ¶3)",
    ]
    gone = DOC.replace("{it was about us}[seriousness]", "it was about us")
    assert lines(DOC, gone) == ["- seriousness on 'it was about us' (qual1/int-07 ¶3)"]
    assert lines(DOC, DOC) == []


def test_edits_elsewhere_and_inside_codings_keep_the_codings() -> None:
    new = DOC.replace("How did", "So how did").replace("it was about us", "it was about all of us")
    new = "I1: First a new question.\n" + new
    assert lines(DOC, new) == [
        "~ text (qual1/int-07 ¶1): {+I1: First a new question.+}",
        "~ text (qual1/int-07 ¶2): I1: [-How-]{+So how+} did peer support change …",
        "~ text (qual1/int-07 ¶4): … that it was about {+all of+} us being the one",
    ]
    deleted = DOC.replace("I1: How did peer support change your team?\n", "")
    assert lines(DOC, deleted) == ["~ text (qual1/int-07 ¶1): [-I1: How did peer support change your team?-]"]


def test_documents_added_deleted_and_front_matter() -> None:
    doc = parse_document(DOC, "qual1/int-07")
    assert [d.line for d in diff_document("qual1/int-07", None, doc)] == [
        "+ document qual1/int-07 (3 paragraphs, 3 codings)"
    ]
    assert diff_document("qual1/int-07", doc, None)[0].kind == "document-deleted"
    before = "---\ntitle: Interview 7\nphase: QUAL1\n---\n" + DOC
    after = "---\ntitle: Interview 7\nphase: QUAL2\nsite: north\n---\n" + DOC
    assert lines(before, after) == ["~ front matter of qual1/int-07: phase 'QUAL1' → 'QUAL2'; site = 'north'"]


def test_word_diff() -> None:
    assert (
        word_diff("I had psycosis twice", "I had psychosis twice") == "I had [-psycosis-]{+psychosis+} twice"
    )
    long = " ".join(f"w{i}" for i in range(30))
    assert word_diff(long, long.replace("w15", "x15")) == "… w11 w12 w13 w14 [-w15-]{+x15+} w16 w17 w18 w19 …"
    assert word_diff("a b", "a  b") == "a[-·b-]{+··b+}"


CODEBOOK = """\
codes:
  attitude:
    label: Attitude change
    codable: false
    children:
      language:
        label: Appreciative language
      seriousness:
        label: Experience taken seriously
  how:
    label: How change happens
    children:
      presence:
        label: Presence
      role-models:
        label: Role models
      peers:
        label: Peers
sets:
  theme-1:
    label: Theme one
    codes: [language, presence]
"""


def test_codebook_operations_per_slug() -> None:
    new = (
        CODEBOOK.replace("label: Presence", "label: Being present\n        definition: There, with them.")
        .replace("      role-models:\n        label: Role models\n", "")
        .replace("      seriousness:\n        label: Experience taken seriously\n", "")
        .replace(
            "      language:\n        label: Appreciative language\n",
            "      language:\n        label: Appreciative language\n        aliases: [seriousness]\n"
            "      role-model:\n        label: Role models\n        aliases: [role-models]\n",
        )
        .replace("codes: [language, presence]", "codes: [language]")
        .replace("sets:\n", "sets:\n  theme-2:\n    label: Theme two\n    codes: [peers]\n")
    )
    new = new.replace("  how:\n", "  new-code:\n    label: New code\n  how:\n")
    assert [d.line for d in diff_codebook(CODEBOOK, new)] == [
        "code merged: seriousness into language",
        "code re-slugged: role-models → role-model",
        "code created: new-code 'New code'",
        "code moved: role-model under attitude",
        "code relabelled: presence 'Presence' → 'Being present'",
        "code edited: presence (definition)",
        "code set created: theme-2 'Theme two'",
        "code set edited: theme-1 (-presence)",
    ]
    assert "code deleted: peers 'Peers'" in [
        d.line for d in diff_codebook(CODEBOOK, CODEBOOK.replace("      peers:\n        label: Peers\n", ""))
    ]
    reordered = CODEBOOK.replace("      peers:\n        label: Peers\n", "").replace(
        "      presence:\n", "      peers:\n        label: Peers\n      presence:\n"
    )
    assert [d.line for d in diff_codebook(CODEBOOK, reordered)] == [
        "code moved: peers to position 1 under how"
    ]
    broken = diff_codebook(CODEBOOK, "codes: [\n")
    assert broken[0].kind == "codebook-unreadable" and "codebook.yaml" in broken[0].line


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(codebook_operation, min_size=1, max_size=6))
def test_every_codebook_change_is_a_decision_and_counted(steps: list[tuple[object, ...]]) -> None:
    cb = Codebook.parse(SAMPLE)
    for step in steps:
        with contextlib.suppress(OperationError):
            apply_to_codebook(cb, step)
    old, new = Codebook.parse(SAMPLE), Codebook.parse(cb.dump())
    found = diff_codebook(SAMPLE, cb.dump())
    named = {slug for d in found for slug in d.codes}
    renamed = {
        slug: heir
        for slug in old.codes
        if slug not in new.codes
        for heir, code in new.codes.items()
        if slug in code.aliases and heir not in old.codes
    }

    def fields(code: object, rename: dict[str, str]) -> object:
        if code is None:
            return None
        parent = code.parent  # type: ignore[attr-defined]
        return dataclasses.replace(code, children=(), parent=rename.get(parent, parent))  # type: ignore[type-var]

    for slug in {*old.codes, *new.codes}:
        before, after = fields(old.codes.get(slug), renamed), fields(new.codes.get(slug), {})
        if before != after:
            assert slug in named, (slug, before, after, [d.line for d in found])
    for slug in {*old.sets, *new.sets}:
        if old.sets.get(slug) != new.sets.get(slug):
            assert slug in named, (slug, [d.line for d in found])
    if [renamed.get(s, s) for s in old.codes] != list(new.codes) or list(old.sets) != list(new.sets):
        assert found  # a change of order is a decision too
    assert Counts.of(found).codes_changed == len(found)


def test_participants_and_other_files() -> None:
    old = "attributes:\n  role:\n    type: category\n    values: [PSW, MHW]\nparticipants:\n  p07:\n    role: PSW\n"
    new = old.replace("role: PSW", "role: MHW") + "  p09:\n    role: PSW\n"
    assert [d.line for d in diff_participants(old, new)] == [
        "participant edited: p07 (role 'PSW' → 'MHW')",
        "participant added: p09",
    ]
    assert [d.line for d in diff_file("memos/project.md", None, b"# Memo\n")] == ["+ memos/project.md"]
    assert [d.line for d in diff_file("margin.yaml", b"name: a\n", b"name: b\n")] == ["~ margin.yaml"]
    bad = diff_file("documents/qual1/int-07.txt", DOC.encode(), b"P07: {unclosed\n")
    assert bad[0].kind == "file-unreadable" and "int-07.txt:1:6" in bad[0].line


def test_counts() -> None:
    new = DOC.replace("How did", "So how did").replace(
        "I1: So how did peer", "I1: So how did {peer}[presence]"
    )
    found = diff_document("qual1/int-07", parse_document(DOC, "x"), parse_document(new, "x"))
    counts = Counts.of(found)
    assert (counts.codings_added, counts.text_edits, counts.codings_changed) == (1, 1, 0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_text_edits_through_the_operations_are_only_text_edits(tmp_path_factory: object, seed: int) -> None:
    """Whatever words of a paragraph are edited, inserted or deleted, codings that keep some of their words
    are matched: the diff maps offsets as the edit did. (Several edits of the same words can move a coding
    in a way no diff of the two end states can tell from a coder's change.)"""
    rnd = random.Random(seed)
    root = Path(tmp_path_factory.mktemp("semdiff"))  # type: ignore[attr-defined]
    (root / "documents" / "q").mkdir(parents=True)
    (root / "margin.yaml").write_text("name: t\n", encoding="utf-8")
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "documents" / "q" / "d.txt").write_text(DOC, encoding="utf-8")
    project = Project.load(root)
    before = ops.DocState.of(project.document("q/d"))
    words = ["we", "talked", "about", "how", "the", "team", "changed", "peer", "{odd}", ",", "."]
    for p in rnd.sample(range(3), rnd.randint(1, 3)):  # each paragraph edited once, as a coder fixes it
        doc = project.document("q/d")
        tokens = doc.paragraph(p).split(" ")
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(tokens) + 1)
            action = rnd.choice(("insert", "delete", "replace"))
            if action == "insert" or not tokens:
                tokens.insert(i, rnd.choice(words))
            elif action == "delete" and len(tokens) > 1:
                del tokens[min(i, len(tokens) - 1)]
            else:
                tokens[min(i, len(tokens) - 1)] = rnd.choice(words)
        try:
            ops.edit_text(project, "q/d", p, " ".join(tokens))
        except OperationError:
            continue  # unchanged, or it would delete every word of a coding: refused
    after = ops.DocState.of(project.document("q/d"))
    kinds = {d.kind for d in diff_document("q/d", before, after)}
    assert kinds <= {"text-edited"}
