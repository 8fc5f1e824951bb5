"""What one session did, read back from real repositories: the decisions of a session commit, the root
commit, a merge and the work not committed yet, each with the document state it refers to; and where a
decision's words are now, after later sessions edited the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from history_helpers import coder, git, session, span
from margin.analysis.context import Context
from margin.core import operations as ops
from margin.core.project import Project
from margin.vcs.history import LogEntry, log
from margin.vcs.repo import init_repository
from margin.vcs.review import Place, Reviewed, SessionReview, locate, review, uncommitted

FG01, INT07 = "qual2/fg-01", "qual1/int-07"


def text_now(root: Path, doc_id: str) -> str:
    return Project.load(root).document(doc_id).text


def entry(root: Path, commit: str) -> LogEntry:
    return next(e for e in log(root) if e.commit == commit)


def kinds(found: SessionReview) -> list[str]:
    return [item.decision.kind for item in found.items]


def item(found: SessionReview, kind: str, n: int = 0) -> Reviewed:
    return [i for i in found.items if i.decision.kind == kind][n]


def marked(it: Reviewed) -> str:
    """The item's paragraph with its span between « and »."""
    d, doc = it.decision, it.state
    assert doc is not None and d.start is not None and d.end is not None
    return Context.within(doc.text, doc.paragraph_starts, d.start, d.end).marked()


@pytest.fixture
def history(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """Start, Rosa's session (a code created and applied twice, one with a memo), Malik's session (a coding
    with a memo removed, a text edit, a coding added). Returns the root and the two sessions' commits."""
    root = project_dir
    init_repository(root, "Start")
    coder(monkeypatch, "Rosa Diaz")
    rosa = session(
        root,
        (ops.add_code, "a-tribunal", "A tribunal", "how"),
        (ops.apply_codes, FG01, *span(root, FG01, "Nothing"), ["a-tribunal"], "no tribunal here"),
        (ops.apply_codes, FG01, *span(root, FG01, "coded"), ["presence"]),
    )
    coder(monkeypatch, "Malik Osei")
    malik = session(
        root,
        (ops.remove_coding, INT07, *span(root, INT07, "It was clear that it was about us being the one")),
        (ops.edit_text, INT07, 0, "I1: How did peer support change the team?"),
        (ops.apply_codes, FG01, *span(root, FG01, "here"), ["language"]),
    )
    return root, rosa, malik


def test_a_session_s_decisions_refer_to_the_state_it_left(history: tuple[Path, str, str]) -> None:
    root, rosa, _ = history
    found = review(root, entry(root, rosa))
    assert found.commit == rosa and found.base == git(root, "rev-parse", f"{rosa}^").strip()
    assert kinds(found) == ["code-created", "coding-added", "coding-added"]
    created = found.items[0]
    assert created.state is None and created.decision.codes == ("a-tribunal",)
    nothing, coded = item(found, "coding-added"), item(found, "coding-added", 1)
    assert marked(nothing) == "M02: [laughs] «Nothing» coded here."
    assert nothing.memo == "no tribunal here" and coded.memo is None
    assert marked(coded) == "M02: [laughs] Nothing «coded» here."
    c = found.counts
    assert (c.codings_added, c.codes_changed) == (2, 1)
    assert review(root, entry(root, rosa)) is found  # commits never change: read once


def test_a_removed_coding_refers_to_the_state_before_it(history: tuple[Path, str, str]) -> None:
    root, _, malik = history
    found = review(root, entry(root, malik))
    assert kinds(found) == ["text-edited", "coding-removed", "coding-added"]
    removed = item(found, "coding-removed")
    assert marked(removed) == "P07: «It was clear that it was about us being the one»"
    assert removed.memo == "first mention" and removed.decision.codes == ("presence",)
    assert removed.state is not None and "{" not in removed.state.text
    edited = item(found, "text-edited")
    assert edited.decision.before == "I1: How did peer support change your team?"
    assert (
        edited.state is not None and edited.state.paragraph(0) == "I1: How did peer support change the team?"
    )
    assert marked(item(found, "coding-added")) == "M02: [laughs] Nothing coded «here»."


def test_the_root_commit_is_compared_with_nothing(history: tuple[Path, str, str]) -> None:
    root, _, _ = history
    first = log(root)[-1]
    found = review(root, first)
    assert found.commit == first.commit and found.base is None
    added = [i.decision for i in found.items if i.decision.kind == "document-added"]
    assert [d.document for d in added] == [INT07, FG01]
    assert "code-created" in kinds(found)
    assert all(i.state is None for i in found.items)


def test_a_merge_shows_what_it_brought_in(
    history: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _, malik = history
    git(root, "switch", "-q", "-c", "malik-branch")
    coder(monkeypatch, "Malik Osei")
    theirs = session(root, (ops.apply_codes, INT07, *span(root, INT07, "at work"), ["seriousness"]))
    git(root, "switch", "-q", "main")
    coder(monkeypatch, "Rosa Diaz")
    ours = session(root, (ops.apply_codes, FG01, *span(root, FG01, "listening"), ["presence"]))
    git(root, "merge", "-q", "--no-ff", "-m", "Sync with malik-branch", "malik-branch")
    merge = log(root)[0]
    assert merge.parents == (ours, theirs)
    found = review(root, merge)
    assert found.base == ours
    assert kinds(found) == ["coding-added"]
    assert marked(found.items[0]) == ("P07: I have become more attentive to language «at work».")
    assert review(root, entry(root, malik)).base is not None


def test_the_work_not_committed_yet(history: tuple[Path, str, str]) -> None:
    root, _, malik = history
    assert uncommitted(root) is None
    project = Project.load(root)
    ops.apply_codes(project, FG01, *span(root, FG01, "changed"), ["role-models"], "late")
    ops.edit_text(project, INT07, 0, "I1: How did peer work change the team?")
    found = uncommitted(root)
    assert found is not None and found.commit is None and found.base == malik
    assert kinds(found) == ["text-edited", "coding-added"]
    assert item(found, "coding-added").memo == "late"
    assert marked(item(found, "coding-added")).endswith("and then we «changed».")


def test_locate_follows_the_words_through_later_edits(history: tuple[Path, str, str]) -> None:
    root, rosa, malik = history
    session(
        root,
        (ops.edit_text, FG01, 1, "M02: [laughs] Well, honestly. Nothing coded here at all."),
        (ops.edit_text, INT07, 2, "P07: Looking back. It was clear that it was about us being the one, yes"),
        (ops.edit_text, INT07, 0, "I1: So. How did peer support change the team?"),
    )
    nothing = item(review(root, entry(root, rosa)), "coding-added")
    place = locate(root, nothing)
    fg = text_now(root, FG01)
    assert place is not None and place.document == FG01 and fg[place.start : place.end] == "Nothing"
    found = review(root, entry(root, malik))
    place = locate(root, item(found, "coding-removed"))  # a removed coding: where its words are now
    int07 = text_now(root, INT07)
    assert (
        place is not None
        and int07[place.start : place.end] == "It was clear that it was about us being the one"
    )
    place = locate(root, item(found, "text-edited"))  # a text edit: its paragraph
    assert (
        place is not None
        and int07[place.start : place.end] == "I1: So. How did peer support change the team?"
    )
    assert locate(root, item(found, "coding-added")) == Place(FG01, *span(root, FG01, "here"))


def test_locate_in_a_deleted_document_or_the_codebook_is_none(history: tuple[Path, str, str]) -> None:
    root, rosa, _ = history
    found = review(root, entry(root, rosa))
    assert locate(root, item(found, "code-created")) is None
    git(root, "rm", "-q", f"documents/{FG01}.txt")
    git(root, "commit", "-q", "-m", "Drop the focus group")
    assert locate(root, item(found, "coding-added")) is None
