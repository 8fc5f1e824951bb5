"""Merges that stay valid and honest, on real git (a bare remote on disk, two coders' clones): a code deleted
by one coder and applied by the other, words deleted under the other's coding, a code merge racing a
removal and a boundary change, the check before every push, and Margin's own merge message."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from margin.core import operations as ops
from margin.core.project import Project
from margin.vcs.sync import MergeConflicts, sync
from test_sync import clean, cli, clone_for, code, codings, edit, start_repository

QUESTION = "Did you notice anything different about the staff, the second time? Apart from her?"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def team(tmp_path: Path, project_dir: Path) -> tuple[Path, Path, Path]:
    """Rosa's project pushed to a shared bare repository, and Malik's clone of it."""
    shared = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    start_repository(project_dir)
    assert cli("-C", str(project_dir), "remote", "add", "origin", str(shared)) == 0
    assert cli("-C", str(project_dir), "sync") == 0
    return project_dir, clone_for(tmp_path, str(shared), "malik"), shared


# --- item: a code deleted on one side and used on the other ------------------------------------------
@pytest.mark.parametrize("deleter_syncs_first", [True, False], ids=["deleted-first", "used-first"])
def test_a_code_deleted_on_one_side_and_applied_on_the_other_is_kept_and_said(
    team: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str], deleter_syncs_first: bool
) -> None:
    rosa, malik, _ = team
    assert cli("-C", str(rosa), "code", "delete", "presence", "--force") == 0  # off int-07's coding too
    code(malik, "qual2/fg-01", "Nothing coded here", "presence")
    first, second = (rosa, malik) if deleter_syncs_first else (malik, rosa)
    assert cli("-C", str(first), "sync") == 0
    capsys.readouterr()
    assert cli("-C", str(second), "sync") == 0
    out = capsys.readouterr().out
    who = "origin/main" if deleter_syncs_first else "you"
    said = (
        f"kept code presence 'Presence', which {who} deleted: 1 coding uses it (qual2/fg-01 ¶2 'Nothing coded "
        "here') — delete it again if they should go"
    )
    assert said in out
    assert f"The merge decided:\n- {said}\n" in git(second, "log", "-1", "--format=%B")
    sync(first)
    for root in (rosa, malik):
        assert cli("-C", str(root), "check") == 0
        found = codings(root)
        assert ("Nothing coded here", frozenset({"presence"})) in found["qual2/fg-01"]
        assert not any("being the one" in words for words, _ in found["qual1/int-07"])  # deleted with it
        assert Project.load(root).codebook.code("presence").parent == "how"
        assert clean(root)


def _push_unknown_code(rosa: Path) -> None:
    """A teammate's plain git commit that names a code nobody has (Margin would have refused it)."""
    path = rosa / "documents/qual2/fg-01.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Nothing coded", "{Nothing}[no-such-code] coded"),
        encoding="utf-8",
    )
    git(rosa, "commit", "-qam", "by hand")
    git(rosa, "push", "-q", "origin", "main")


def test_a_sync_never_sends_a_project_that_fails_the_check(
    team: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rosa, malik, shared = team
    _push_unknown_code(rosa)
    code(malik, "qual1/int-07", "peer support", "presence")
    sent = git(shared, "rev-parse", "main")
    capsys.readouterr()
    assert cli("-C", str(malik), "sync") == 1
    out, err = capsys.readouterr()
    assert "Committed your work first" in out and "Merged 1 commit(s) from origin/main" in out
    assert "Sent" not in out
    assert "margin: the project fails `margin check`, so nothing was sent to origin:\n" in err
    assert "  documents/qual2/fg-01.txt:6:25: unknown code 'no-such-code'" in err
    assert "fix it (the merge of origin/main is committed here, and goes with your fix), then run " in err
    assert git(shared, "rev-parse", "main") == sent
    assert clean(malik) and len(git(malik, "log", "-1", "--format=%P").split()) == 2  # merged, committed
    # the same refusal again, until it is fixed; then the merge and the fix go out together
    assert cli("-C", str(malik), "sync") == 1
    assert git(shared, "rev-parse", "main") == sent
    assert cli("-C", str(malik), "code", "add", "no-such-code", "--parent", "how") == 0
    capsys.readouterr()
    assert cli("-C", str(malik), "sync") == 0
    assert "Sent 3 commit(s) to origin/main" in capsys.readouterr().out
    assert git(shared, "rev-parse", "main") == git(malik, "rev-parse", "HEAD")


def test_the_app_shows_a_sync_the_check_refused(team: tuple[Path, Path, Path]) -> None:
    """ctrl+s goes through the same sync: the refusal and its problems are on screen, the merged files are
    read again, and nothing is sent."""
    import asyncio

    from margin.tui.app import MarginApp

    rosa, malik, shared = team
    _push_unknown_code(rosa)
    sent = git(shared, "rev-parse", "main")
    seen: dict[str, object] = {}

    async def run() -> None:
        app = MarginApp(Project.load(malik))
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            span = app.project.document("qual1/int-07").text.index("peer support")
            app.coder.run(ops.apply_codes, "qual1/int-07", span, span + 12, ["role-models"])
            await pilot.press("ctrl+s")
            while app.syncer.running or app.workers:
                await app.workers.wait_for_complete()
                await pilot.pause()
            seen["notices"] = {str(n.title): n.message for n in app._notifications}
            seen["merged"] = [c.codes for c in app.project.document("qual2/fg-01").codings]
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(run())
    notices = seen["notices"]
    assert isinstance(notices, dict) and "Synced" not in notices
    refused = notices["Sync stopped: nothing sent"]
    assert "the project fails `margin check`, so nothing was sent to origin" in refused
    assert "documents/qual2/fg-01.txt:6:25: unknown code 'no-such-code'" in refused
    assert ("no-such-code",) in seen["merged"]  # what the merge brought is what the app shows
    assert git(shared, "rev-parse", "main") == sent


# --- item: a coding whose words the other side deleted -------------------------------------------------
def test_a_coding_whose_words_the_other_side_deleted_is_reported_not_left_on_punctuation(
    team: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rosa, malik, _ = team
    edit(rosa, "qual1/int-07", 0, "How did peer support change your team?", QUESTION)
    sync(rosa)
    sync(malik)
    edit(rosa, "qual1/int-07", 0, ", the second time? Apart from her?", "?")
    project = Project.load(malik)
    start = project.document("qual1/int-07").text.index("the second time?")
    ops.apply_codes(project, "qual1/int-07", start, start + 32, ["presence"], memo="the nurse, not the peer")
    sync(rosa)
    capsys.readouterr()
    assert cli("-C", str(malik), "sync") == 0
    out = capsys.readouterr().out
    said = (
        "documents/qual1/int-07.txt: presence on 'the second time? Apart from her?' (¶1) ✎ the nurse, not the "
        "peer — its words were deleted on the other side, so it was dropped"
    )
    assert said in out
    assert f"- {said}\n" in git(malik, "log", "-1", "--format=%B")
    text = (malik / "documents/qual1/int-07.txt").read_text(encoding="utf-8")
    assert "I1: Did you notice anything different about the staff?\n" in text and "{?}" not in text
    assert cli("-C", str(malik), "check") == 0


# --- item: a code merge racing other work --------------------------------------------------------------
@pytest.mark.parametrize("how", ["merge", "reslug"])
@pytest.mark.parametrize("documents", [1, 5], ids=["by-the-drivers", "in-one-process"])
def test_a_code_merge_racing_a_removal_and_a_boundary_change(
    team: tuple[Path, Path, Path], how: str, documents: int
) -> None:
    """Rosa removes a coding of 'language' and narrows the 'presence' coding (with its memo); meanwhile
    Malik merges (or re-slugs) both codes. The removal stands, and the narrowed coding is one coding with
    the new code and the memo once."""
    rosa, malik, _ = team
    docs = ["qual1/int-07"]
    if documents > 1:  # enough transcripts changed on both sides that sync merges them in one process
        source = (rosa / "documents/qual1/int-07.txt").read_text(encoding="utf-8")
        for n in range(1, documents):
            (rosa / f"documents/qual1/int-7{n}.txt").write_text(source, encoding="utf-8")
            docs.append(f"qual1/int-7{n}")
        sync(rosa)
        sync(malik)
    for doc_id in docs:
        project = Project.load(rosa)
        text = project.document(doc_id).text
        start = text.index("more attentive to language")
        ops.remove_coding(project, doc_id, start, start + 26)
        start = text.index("It was clear that")
        end = text.index("being the one") + len("being the one")
        ops.change_coding(project, doc_id, start, end, new_start=start + len("It was "))
    renames = {"merge": [("language", "seriousness"), ("presence", "role-models")]}.get(
        how, [("language", "careful-words"), ("presence", "being-there")]
    )
    for old, new in renames:
        assert cli("-C", str(malik), "code", how, old, new) == 0
    sync(rosa)
    sync(malik)
    sync(rosa)
    for root in (rosa, malik):
        for doc_id in docs:
            found = codings(root)[doc_id]
            assert not any(words == "more attentive to language" for words, _ in found)
            doc = Project.load(root).document(doc_id)
            outer = [c for c in doc.codings if doc.text[c.start : c.end].endswith("being the one")]
            assert [(doc.text[c.start : c.end], c.codes, c.memo) for c in outer] == [
                ("clear that it was about us being the one", (renames[1][1],), "first mention")
            ]
        assert cli("-C", str(root), "check") == 0


# --- item: Margin's merge message ---------------------------------------------------------------------
@pytest.mark.parametrize("conclude", ["margin sync", "git commit"])
def test_a_merge_commit_says_what_was_merged_decided_and_resolved(
    team: tuple[Path, Path, Path], conclude: str
) -> None:
    rosa, malik, _ = team
    edit(rosa, "qual1/int-07", 1, "at work", "at my work")
    edit(malik, "qual1/int-07", 1, "at work", "in work")
    code(rosa, "qual2/fg-01", "Nothing", "presence")
    sync(rosa)
    with pytest.raises(MergeConflicts):
        sync(malik)
    assert cli("-C", str(malik), "resolve", "int-07", "--theirs") == 0
    if conclude == "git commit":
        git(malik, "commit", "-q", "--no-edit")
    else:
        sync(malik)
    message = git(malik, "cat-file", "commit", "HEAD").split("\n\n", 1)[1]
    assert "#" not in message  # none of git's "# Conflicts:" lines
    assert message.startswith("Sync with origin/main\n\nMerged 1 commit from origin/main (Test Coder).\n\n")
    assert "\n\nConflicts (1):\n- documents/qual1/int-07.txt:" in message
    assert "¶2 ('…to language in work.' here, '…to language at my work.' there)\n" in message
    assert message.endswith("\nResolved:\n- documents/qual1/int-07.txt ¶2: theirs\n")
    assert len(git(malik, "log", "-1", "--format=%P").split()) == 2
