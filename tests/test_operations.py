"""Operations change the model and the files, and every change can be undone exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from margin.core.coding import Coding
from margin.core.errors import CodedWordsLost, OperationError
from margin.core.operations import (
    History,
    add_code,
    apply_codes,
    change_coding,
    delete_code,
    edit_text,
    merge_codes,
    move_code,
    remove_coding,
    replay,
    reslug_code,
    revert,
    split_code,
    update_code,
)
from margin.core.project import Project
from margin.core.textmap import TOKEN as _TOKEN
from margin.core.textmap import common_ends as _common_ends
from margin.core.textmap import offset_map as _offset_map


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".margin" not in p.parts
    }


def span_of(project: Project, doc_id: str, words: str) -> tuple[int, int]:
    text = project.document(doc_id).text
    start = text.index(words)
    return start, start + len(words)


def test_apply_code_writes_only_the_new_markup(project_dir: Path) -> None:
    project = Project.load(project_dir)
    before = (project_dir / "documents/qual1/int-07.txt").read_text(encoding="utf-8")
    start, end = span_of(project, "qual1/int-07", "How did peer support")
    change = apply_codes(project, "qual1/int-07", start, end, ["role-models"])
    after = (project_dir / "documents/qual1/int-07.txt").read_text(encoding="utf-8")
    assert after == before.replace("How did peer support", "{How did peer support}[role-models]")
    assert "role-models" in change.summary and "qual1/int-07 ¶1" in change.summary
    assert (
        Project.load(project_dir).document("qual1/int-07").codings == project.document("qual1/int-07").codings
    )


def test_apply_to_an_existing_segment_adds_codes_to_it(project_dir: Path) -> None:
    project = Project.load(project_dir)
    start, end = span_of(project, "qual1/int-07", "more attentive to language")
    apply_codes(project, "qual1/int-07", start, end, ["presence"], memo="also presence")
    text = (project_dir / "documents/qual1/int-07.txt").read_text(encoding="utf-8")
    assert "{more attentive to language}[language, presence | also presence]" in text


def test_apply_resolves_aliases_and_refuses_unknown_and_grouping_codes(project_dir: Path) -> None:
    project = Project.load(project_dir)
    start, end = span_of(project, "qual1/int-07", "peer support")
    with pytest.raises(OperationError, match="did you mean 'presence'"):
        apply_codes(project, "qual1/int-07", start, end, ["presense"])
    with pytest.raises(OperationError, match="grouping code"):
        apply_codes(project, "qual1/int-07", start, end, ["attitude"])
    with pytest.raises(OperationError, match="not within"):
        apply_codes(project, "qual1/int-07", 10, 10_000, ["presence"])
    reslug_code(project, "presence", "being-there")
    change = apply_codes(project, "qual1/int-07", start, end, ["presence"])
    assert "being-there" in change.summary


def test_undo_and_redo_restore_the_bytes(project_dir: Path) -> None:
    project = Project.load(project_dir)
    original = files(project_dir)
    history = History()
    start, end = span_of(project, "qual1/int-07", "peer support")
    history.record(apply_codes(project, "qual1/int-07", start, end, ["presence"]))
    history.record(add_code(project, "new-code", "New code", parent="how"))
    history.record(merge_codes(project, "role-models", "presence"))
    after = files(project_dir)
    while history.undo(project):
        pass
    assert files(project_dir) == original
    while history.redo(project):
        pass
    assert files(project_dir) == after


def test_remove_and_change_a_coding(project_dir: Path) -> None:
    project = Project.load(project_dir)
    doc = project.document("qual1/int-07")
    outer = doc.codings[1]
    remove_coding(project, "qual1/int-07", outer.start, outer.end)
    assert all(c.codes != ("presence",) for c in Project.load(project_dir).document("qual1/int-07").codings)
    start, end = span_of(project, "qual1/int-07", "more attentive to language")
    change_coding(project, "qual1/int-07", start, end, new_start=start + 5, codes=["seriousness"])
    reread = Project.load(project_dir).document("qual1/int-07")
    assert Coding(start + 5, end, ("seriousness",)) in reread.codings
    with pytest.raises(OperationError, match="no coding spans exactly"):
        remove_coding(project, "qual1/int-07", 0, 3)


def test_edit_text_keeps_codings_on_their_words(project_dir: Path) -> None:
    project = Project.load(project_dir)
    doc = project.document("qual1/int-07")
    index = doc.paragraph_of(span_of(project, "qual1/int-07", "attentive")[0])
    old = doc.paragraph(index)
    new = old.replace("I have become", "Honestly, I became").replace("attentive", "atentive")
    edit_text(project, "qual1/int-07", index, new)
    doc = Project.load(project_dir).document("qual1/int-07")
    coded = [doc.text[c.start : c.end] for c in doc.codings]
    assert "more atentive to language" in coded  # a misspelt word replaced inside the coding
    assert "It was clear that it was about us being the one" in coded
    assert "it was about us" in coded


def test_edit_text_asks_before_it_deletes_every_word_of_a_coding(project_dir: Path) -> None:
    project = Project.load(project_dir)
    doc = project.document("qual1/int-07")
    start, end = span_of(project, "qual1/int-07", "more attentive to language")
    index = doc.paragraph_of(start)
    before = files(project_dir)
    with pytest.raises(CodedWordsLost, match="deletes all the words of 1 coding") as asked:
        edit_text(project, "qual1/int-07", index, "P07: I have become at work.")
    assert [(c.start, c.end, c.codes) for c in asked.value.deleted] == [(start, end, ("language",))]
    assert asked.value.replaced == ()
    with pytest.raises(CodedWordsLost) as asked:  # what is left is only punctuation: the words are gone
        edit_text(project, "qual1/int-07", index, "P07: I have become {…} at work.")
    assert len(asked.value.deleted) == 1
    assert files(project_dir) == before
    with pytest.raises(OperationError, match="this text is one line"):
        edit_text(project, "qual1/int-07", index, "two\nlines")
    edit_text(project, "qual1/int-07", index, "P07: I have become at work.", confirmed=True)
    assert len(Project.load(project_dir).document("qual1/int-07").codings) == 2


def test_edit_text_asks_before_it_replaces_every_word_of_a_coding(project_dir: Path) -> None:
    project = Project.load(project_dir)
    doc = project.document("qual1/int-07")
    start, end = span_of(project, "qual1/int-07", "more attentive to language")
    index = doc.paragraph_of(start)
    before = files(project_dir)
    replacement = "P07: I have become really careful with words at work."
    with pytest.raises(CodedWordsLost, match="replaces all the words of 1 coding") as asked:
        edit_text(project, "qual1/int-07", index, replacement)
    assert "language on 'more attentive to language' → 'really careful with words'" in str(asked.value)
    (old, new), *rest = asked.value.replaced
    assert not rest and asked.value.deleted == ()
    assert (old.start, old.end) == (start, end)
    assert files(project_dir) == before
    edit_text(project, "qual1/int-07", index, replacement, confirmed=True)

    def coded() -> list[str]:
        moved = Project.load(project_dir).document("qual1/int-07")
        return [moved.text[c.start : c.end] for c in moved.codings if c.codes == ("language",)]

    paragraph_start = doc.paragraph_span(index)[0]
    assert replacement[new.start - paragraph_start : new.end - paragraph_start] == "really careful with words"
    assert coded() == ["really careful with words"]  # what the question said it would be
    edit_text(project, "qual1/int-07", index, "P07: I have become so careful with words at work.")
    assert coded() == ["so careful with words"]  # words kept: the coding follows the edit, unasked


def test_an_edit_elsewhere_keeps_codings_of_punctuation_and_spaces_unasked(project_dir: Path) -> None:
    project = Project.load(project_dir)
    doc = project.document("qual1/int-07")
    start, _ = span_of(project, "qual1/int-07", "more attentive")
    index = doc.paragraph_of(start)
    ps, pe = doc.paragraph_span(index)
    apply_codes(project, "qual1/int-07", pe - 1, pe, ["presence"])  # the full stop
    apply_codes(project, "qual1/int-07", ps + 4, ps + 5, ["presence"])  # the space after 'P07:'
    edit_text(project, "qual1/int-07", index, doc.paragraph(index).replace("work", "home"))
    edited = Project.load(project_dir).document("qual1/int-07")
    assert sorted(edited.text[c.start : c.end] for c in edited.codings if c.codes == ("presence",)) == [
        " ",
        ".",
        "It was clear that it was about us being the one",
    ]


def test_reslug_rewrites_references_and_keeps_an_alias(project_dir: Path) -> None:
    project = Project.load(project_dir)
    change = reslug_code(project, "presence", "being-present")
    assert set(change.documents) == {"qual1/int-07", "qual2/fg-01"}
    text = (project_dir / "documents/qual2/fg-01.txt").read_text(encoding="utf-8")
    assert "}@a[being-present]" in text and "presence" not in text
    reloaded = Project.load(project_dir)
    assert reloaded.codebook.resolve("presence") == "being-present"


def test_merge_collapses_duplicates_and_keeps_memos(project_dir: Path) -> None:
    project = Project.load(project_dir)
    start, end = span_of(project, "qual1/int-07", "more attentive to language")
    apply_codes(project, "qual1/int-07", start, end, ["seriousness"])
    change_coding(project, "qual1/int-07", start, end, memo="kept memo")
    merge_codes(project, "seriousness", "language")
    doc = Project.load(project_dir).document("qual1/int-07")
    segment = next(c for c in doc.codings if c.start == start and c.end == end)
    assert segment.codes == ("language",) and segment.memo == "kept memo"
    assert any(
        c.codes == ("language",) and doc.text[c.start : c.end] == "it was about us" for c in doc.codings
    )
    assert Project.load(project_dir).codebook.resolve("seriousness") == "language"


def test_a_code_named_by_its_old_slug_is_that_code(project_dir: Path) -> None:
    project = Project.load(project_dir)
    merge_codes(project, "seriousness", "language")  # 'seriousness' is now an alias of language
    before = files(project_dir)
    with pytest.raises(OperationError, match="cannot be merged into itself"):
        merge_codes(project, "seriousness", "language")
    assert files(project_dir) == before and project.codebook.get("language") is not None
    with pytest.raises(OperationError, match="used by 3 coding"):
        delete_code(project, "seriousness")  # the codings of language, not of an old slug nobody uses
    reslug_code(project, "seriousness", "words")
    reloaded = Project.load(project_dir)
    assert reloaded.codebook.resolve("language") == "words"
    assert all("language" not in c.codes for c in reloaded.document("qual1/int-07").codings)


def test_delete_refuses_while_in_use(project_dir: Path) -> None:
    project = Project.load(project_dir)
    before = files(project_dir)
    with pytest.raises(OperationError, match="used by 2 coding"):
        delete_code(project, "presence")
    assert files(project_dir) == before
    delete_code(project, "presence", force=True)
    doc = Project.load(project_dir).document("qual2/fg-01")
    assert [c.codes for c in doc.codings] == [("language",)]
    delete_code(project, "role-models")
    assert Project.load(project_dir).codebook.get("role-models") is None


def test_split_and_move(project_dir: Path) -> None:
    project = Project.load(project_dir)
    split_code(project, "presence", ["Being there", "Being reachable"], move_codings_to="being-there")
    reloaded = Project.load(project_dir)
    assert reloaded.codebook.children("presence") == ["being-there", "being-reachable"]
    assert any("being-there" in c.codes for c in reloaded.document("qual2/fg-01").codings)
    move_code(project, "being-there", "attitude")
    update_code(project, "being-there", label="Being there for people")
    reloaded = Project.load(project_dir)
    assert reloaded.codebook.get("being-there").parent == "attitude"
    assert reloaded.codebook.label("being-there") == "Being there for people"


def test_revert_of_replay_is_identity(project_dir: Path) -> None:
    project = Project.load(project_dir)
    original = files(project_dir)
    change = reslug_code(project, "language", "words")
    revert(project, change)
    assert files(project_dir) == original
    replay(project, change)
    assert "words" in Project.load(project_dir).codebook.codes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text("ab c.", max_size=20), st.text("ab cd.", max_size=20), st.data())
def test_offset_map_is_monotonic_and_keeps_unchanged_words(old: str, new: str, data: st.DataObject) -> None:
    mapping = _offset_map(old, new)
    starts = [mapping(p, True) for p in range(len(old) + 1)]
    ends = [mapping(p, False) for p in range(len(old) + 1)]
    assert starts == sorted(starts) and ends == sorted(ends)
    assert all(0 <= x <= len(new) for x in starts + ends)
    # spans on the unchanged words at the start keep their place; those at the end move with the edit
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    head, tail = _common_ends(a, b)
    prefix = len("".join(a[:head]))
    suffix = len("".join(a[len(a) - tail :]))
    if prefix >= 1:
        s = data.draw(st.integers(0, prefix - 1))
        e = data.draw(st.integers(s + 1, prefix))
        assert (mapping(s, True), mapping(e, False)) == (s, e)
    if suffix >= 1:
        s = data.draw(st.integers(len(old) - suffix, len(old) - 1))
        e = data.draw(st.integers(s + 1, len(old)))
        delta = len(new) - len(old)
        assert (mapping(s, True), mapping(e, False)) == (s + delta, e + delta)
