"""Coding sessions on real git repositories: one commit per session, its message and trailers computed
from the files (HEAD against the disk), recovered sessions, the CLI's one commit per command, and the app
(under Pilot) beginning, offering, ending and committing sessions."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest

from margin.cli import main
from margin.core import operations as ops
from margin.core.document import load_document
from margin.core.project import Project
from margin.vcs.message import read_trailers
from margin.vcs.repo import GitError, init_repository
from margin.vcs.session import NoIdentity, Session, check_identity
from pilot import wait_for_sessions


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all", "--", "documents", "codebook.yaml")


@pytest.fixture
def repo(project_dir: Path) -> Path:
    init_repository(project_dir, "Start")
    return project_dir


class Coding:
    """A project, a history whose every change the session records — as the app wires them."""

    def __init__(self, root: Path) -> None:
        self.project = Project.load(root)
        self.session = Session(root)
        self.history = ops.History()
        self.history.listeners.append(self.session.record)

    def span(self, doc_id: str, words: str) -> tuple[int, int]:
        start = self.project.document(doc_id).text.index(words)
        return start, start + len(words)

    def do(self, operation: object, *args: object, **kwargs: object) -> None:
        self.history.record(operation(self.project, *args, **kwargs))  # type: ignore[operator]

    def code(self, doc_id: str, words: str, *codes: str) -> None:
        self.do(ops.apply_codes, doc_id, *self.span(doc_id, words), codes)


def scenario_five(c: Coding) -> None:
    """Three codings in fg-01, one new code, one typo fixed in int-07."""
    c.code("qual2/fg-01", "Nothing", "role-models")
    c.code("qual2/fg-01", "coded", "presence")
    c.do(ops.add_code, "a-tribunal", "A tribunal", parent="how")
    c.code("qual2/fg-01", "here", "a-tribunal")
    c.do(ops.edit_text, "qual1/int-07", 1, "P07: I have become more attentive to langauge at work.")


SCENARIO_MESSAGE = """\
Coding session: 3 codings added in fg-01, 1 code created, 1 text edit

codebook.yaml:
code created: a-tribunal 'A tribunal' under how

qual1/int-07:
~ text (qual1/int-07 ¶2): … become more attentive to [-language-]{+langauge+} at work.

qual2/fg-01:
+ role-models on 'Nothing' (qual2/fg-01 ¶2)
+ presence on 'coded' (qual2/fg-01 ¶2)
+ a-tribunal on 'here' (qual2/fg-01 ¶2)

Margin-Session: SESSION
Margin-Codings-Added: 3
Margin-Codings-Removed: 0
Margin-Codings-Changed: 0
Margin-Codes-Changed: 1
Margin-Text-Edits: 1
"""


def test_session_is_one_commit_with_the_decisions_and_trailers(repo: Path) -> None:
    c = Coding(repo)
    assert c.session.begin() is None
    scenario_five(c)
    done = c.session.commit()
    assert done is not None
    message = git(repo, "log", "-1", "--format=%B")
    assert message.strip() == SCENARIO_MESSAGE.replace("SESSION", _session_id(message)).strip()
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "Test Coder <coder@example.org>"
    assert commits(repo) == 2 and status(repo) == ""
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["codebook.yaml", "documents/qual1/int-07.txt", "documents/qual2/fg-01.txt"]
    info = read_trailers(git(repo, "log", "-1", "--format=%(trailers:only,unfold)"))
    assert info is not None and (info.codings_added, info.codes_changed, info.text_edits) == (3, 1, 1)
    assert done.sha == git(repo, "rev-parse", "HEAD").strip()


def _session_id(message: str) -> str:
    found = re.search(r"^Margin-Session: (\S+)$", message, re.M)
    assert found, message
    return found.group(1)


def test_removed_changed_codings_and_code_operations(repo: Path) -> None:
    c = Coding(repo)
    c.do(ops.remove_coding, "qual1/int-07", *c.span("qual1/int-07", "more attentive to language"))
    c.do(
        ops.change_coding,
        "qual2/fg-01",
        *c.span("qual2/fg-01", "then we changed"),
        codes=["language", "presence"],
    )
    start, end = c.span("qual1/int-07", "It was clear that it was about us being the one")
    c.do(ops.change_coding, "qual1/int-07", start, end, new_end=end - 4, memo="first and only")
    c.do(ops.update_code, "presence", label="Being there")
    c.do(ops.reslug_code, "role-models", "role-model")
    c.do(ops.move_code, "role-model", "attitude")
    c.do(ops.merge_codes, "seriousness", "language")
    c.do(ops.update_code, "how", definition="How it changed.")
    c.do(ops.add_code, "spare", "Spare")
    c.do(ops.delete_code, "spare")
    c.do(ops.add_code, "kept", "Kept", parent="how")
    c.session.commit()
    message = git(repo, "log", "-1", "--format=%B")
    body = message.split("\n\n")
    assert body[0] == (  # too long with the documents named: counts only
        "Coding session: 1 coding removed, 3 codings changed, 1 code created, 1 code relabelled, "
        "1 code re-slugged, 1 code moved, 1 code merged, 1 code edited"
    )
    lines = message.splitlines()
    for expected in (
        "code merged: seriousness into language",
        "code re-slugged: role-models → role-model",
        "code moved: role-model under attitude",
        "code edited: how (definition)",
        "code relabelled: presence 'Presence' → 'Being there'",
        "code created: kept 'Kept' under how",
        "- language on 'more attentive to language' (qual1/int-07 ¶2)",
        "~ codes seriousness → language on 'it was about us' (qual1/int-07 ¶3)",
        "~ boundaries 'It was clear that it was about us being…' → 'It was clear that it was about us being…'; "
        "memo 'first mention' → 'first and only' (qual1/int-07 ¶3)",
        "~ codes language → language, presence on 'then we changed' (qual2/fg-01 ¶1)",
    ):
        assert expected in lines, (expected, message)
    assert not any("spare" in line for line in lines)  # created and deleted in the session: no decision
    info = read_trailers(message)
    assert info is not None
    assert (info.codings_added, info.codings_removed, info.codings_changed, info.codes_changed) == (
        0,
        1,
        3,
        6,
    )


def test_a_write_while_the_commit_is_made_stays_on_disk_for_the_next_session(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import margin.vcs.session as session_module

    c = Coding(repo)
    c.code("qual2/fg-01", "Nothing", "role-models")
    path = repo / "documents" / "qual2" / "fg-01.txt"
    summarised = path.read_text(encoding="utf-8")
    compose = session_module.compose

    def compose_while_another_coding_is_written(*args: object, **kwargs: object) -> str:
        message = compose(*args, **kwargs)  # type: ignore[arg-type]
        Coding(repo).code("qual2/fg-01", "coded", "presence")  # written after the summary was made
        return message

    monkeypatch.setattr(session_module, "compose", compose_while_another_coding_is_written)
    done = c.session.commit()
    monkeypatch.undo()
    assert done is not None
    assert git(repo, "show", "HEAD:documents/qual2/fg-01.txt") == summarised  # the tree summarised
    message = git(repo, "log", "-1", "--format=%B")
    assert "+ role-models on 'Nothing' (qual2/fg-01 ¶2)" in message.splitlines()
    assert "presence" not in message and "Margin-Codings-Added: 1" in message
    assert "{coded}[presence]" in path.read_text(encoding="utf-8")  # the later write is still on disk,
    assert status(repo) == " M documents/qual2/fg-01.txt\n"  # uncommitted and not staged

    later = Session(repo)
    recovered = later.begin()
    assert recovered is not None
    assert [d.line for d in recovered.decisions] == ["+ presence on 'coded' (qual2/fg-01 ¶2)"]
    later.commit_recovered(recovered)
    assert git(repo, "show", "HEAD:documents/qual2/fg-01.txt") == path.read_text(encoding="utf-8")
    assert status(repo) == ""


def test_every_codebook_change_is_a_counted_decision(repo: Path) -> None:
    c = Coding(repo)
    c.do(ops.add_code, "spare", "Spare", parent="how")
    c.do(ops.merge_codes, "spare", "presence")  # a code of this session merged: presence gains an alias
    c.do(ops.add_set, "theme", "Theme", ["presence", "language"])
    c.session.commit()
    first = Coding(repo)
    first.do(ops.remove_from_set, "theme", "presence")
    first.do(ops.add_to_set, "theme", "presence")  # the same members, in another order
    first.session.commit()
    messages = git(repo, "log", "-2", "--format=%B%x00").split("\0")
    assert "code edited: presence (aliases +spare)" in messages[1].splitlines()
    assert "Margin-Codes-Changed: 2" in messages[1]  # the alias and the new set
    assert "code set edited: theme (codes reordered)" in messages[0].splitlines()
    assert "Margin-Codes-Changed: 1" in messages[0]


def test_undone_changes_are_not_reported_and_an_empty_session_makes_no_commit(repo: Path) -> None:
    c = Coding(repo)
    c.code("qual2/fg-01", "Nothing", "role-models")
    c.history.undo(c.project)
    assert c.session.commit() is None and commits(repo) == 1
    c.code("qual2/fg-01", "Nothing", "role-models")
    c.code("qual2/fg-01", "coded", "presence")
    c.history.undo(c.project)
    c.session.commit()
    assert git(repo, "log", "-1", "--format=%s").strip() == "Coding session: 1 coding added in fg-01"
    assert "presence on 'coded'" not in git(repo, "log", "-1", "--format=%B")
    assert Session(repo).commit() is None  # nothing recorded: nothing to commit
    assert commits(repo) == 2


def test_a_text_edit_elsewhere_is_only_a_text_edit(repo: Path) -> None:
    c = Coding(repo)
    c.do(ops.edit_text, "qual1/int-07", 0, "I1: So how did peer support change your team, would you say?")
    c.do(ops.edit_text, "qual1/int-07", 2, "P07: It was clear that it was about us being the only one")
    c.session.commit()
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Coding session: 2 text edits\n")
    assert (
        "~ text (qual1/int-07 ¶1): I1: [-How-]{+So how+} did peer support change your team{+, would you say+}?"
        in message
    )
    assert "~ text (qual1/int-07 ¶3): … about us being the {+only+} one" in message
    assert not re.search(r"^[+-] ", message, re.M)  # no coding reported as removed or added


def test_new_document_and_only_the_session_files_are_committed(repo: Path) -> None:
    (repo / "notes.txt").write_text("my own notes\n", encoding="utf-8")
    (repo / "scratch.md").write_text("staged by hand\n", encoding="utf-8")
    git(repo, "add", "scratch.md")
    c = Coding(repo)
    new = load_document(b"P07: A new interview.\n", "qual1/int-09")
    c.project.save_document(new)
    c.history.record(
        ops.Change("import", "import", {"qual1/int-09": (ops.DocState("", (), None), ops.DocState.of(new))})
    )
    c.code("qual1/int-09", "new interview", "presence")
    c.session.commit()
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["documents/qual1/int-09.txt"]
    assert git(repo, "log", "-1", "--format=%s").strip() == "Coding session: 1 document added"
    assert "+ document qual1/int-09 (1 paragraph, 1 coding)" in git(repo, "log", "-1", "--format=%B")
    porcelain = git(repo, "status", "--porcelain")
    assert "A  scratch.md" in porcelain and "?? notes.txt" in porcelain  # the user's own work untouched


def test_first_commit_of_a_repository_without_commits(project_dir: Path) -> None:
    git(project_dir, "init", "-q")
    c = Coding(project_dir)
    recovered = c.session.begin()
    assert recovered is not None and {d.kind for d in recovered.decisions} >= {
        "document-added",
        "code-created",
    }
    c.session.keep(recovered)
    c.code("qual2/fg-01", "Nothing", "role-models")
    c.session.commit()
    assert commits(project_dir) == 1
    assert "codebook.yaml" in git(project_dir, "show", "--name-only", "--format=", "HEAD").split()
    (project_dir / "memos").mkdir(exist_ok=True)
    (project_dir / "memos" / "project.md").write_text("# Why peer support\n", encoding="utf-8")
    (project_dir / "margin.yaml").write_text("name: Peer study\n", encoding="utf-8")
    (project_dir / "documents" / "qual2" / "fg-01.txt").unlink()
    later = Session(project_dir)
    recovered = later.begin()
    assert recovered is not None
    later.commit_recovered(recovered)
    assert git(project_dir, "log", "-1", "--format=%s").strip() == (
        "Recovered session: 1 document deleted, 1 memo changed, settings changed"
    )


def test_recovered_session_is_offered_then_committed_or_kept(repo: Path) -> None:
    crashed = Coding(repo)  # a run that never committed
    crashed.code("qual2/fg-01", "Nothing", "role-models")
    crashed.do(ops.add_code, "a-tribunal", "A tribunal", parent="how")
    (repo / "documents" / "qual2" / ".fg-01.txt.x1y2.tmp").write_text("half a fi", encoding="utf-8")
    (repo / "notes.txt").write_text("not a project file\n", encoding="utf-8")

    session = Session(repo)
    recovered = session.begin()
    assert recovered is not None
    assert recovered.paths == ("codebook.yaml", "documents/qual2/fg-01.txt")
    assert [d.line for d in recovered.decisions] == [
        "code created: a-tribunal 'A tribunal' under how",
        "+ role-models on 'Nothing' (qual2/fg-01 ¶2)",
    ]
    assert Session(repo).begin() == recovered  # asking again changes nothing: nothing is discarded
    done = session.commit_recovered(recovered)
    assert done is not None
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Recovered session: 1 coding added in fg-01, 1 code created\n")
    assert "Margin-Recovered: yes" in message
    assert Session(repo).begin() is None

    again = Coding(repo)
    again.code("qual1/int-07", "How did", "presence")
    kept = Coding(repo)
    recovered = kept.session.begin()
    assert recovered is not None
    kept.session.keep(recovered)
    kept.code("qual2/fg-01", "coded", "presence")
    kept.session.commit()
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Coding session: 2 codings added in int-07 and fg-01\n")
    assert status(repo) == "?? documents/qual2/.fg-01.txt.x1y2.tmp\n"  # never a project file


def test_a_lock_left_by_a_killed_git_is_named_and_nothing_is_staged(repo: Path) -> None:
    c = Coding(repo)
    c.code("qual2/fg-01", "Nothing", "role-models")
    lock = repo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    with pytest.raises(GitError) as caught:
        c.session.commit()
    assert str(caught.value).startswith(f"{lock} exists: another git program is working here, or one was")
    assert "if no git program is running, delete that file and try again" in str(caught.value)
    lock.unlink()
    recovered = Session(repo).begin()
    assert recovered is not None and recovered.paths == ("documents/qual2/fg-01.txt",)
    assert Session(repo).commit_recovered(recovered) is not None


def test_without_a_git_identity_the_message_says_what_to_run(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{kind}_{what}", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-such-gitconfig"))
    with pytest.raises(NoIdentity) as caught:
        check_identity(repo)
    assert 'git config --global user.name "Your Name"' in str(caught.value)
    assert 'git config --global user.email "you@example.org"' in str(caught.value)

    c = Coding(repo)
    c.code("qual2/fg-01", "Nothing", "role-models")
    with pytest.raises(NoIdentity):
        c.session.commit()
    assert commits(repo) == 1  # nothing half-done in git; the change is still on disk
    assert status(repo) == " M documents/qual2/fg-01.txt\n"  # and nothing staged

    before = (repo / "documents/qual1/int-07.txt").read_bytes()
    code = main(["-C", str(repo), "coding", "add", "int-07", "--start", "0", "--end", "3", "presence"])
    err = capsys.readouterr().err
    assert code == 1 and "git config --global user.name" in err and "Traceback" not in err
    assert (repo / "documents/qual1/int-07.txt").read_bytes() == before  # refused before changing anything

    git(repo, "config", "user.name", "Rosa Local")
    git(repo, "config", "user.email", "rosa@example.org")
    assert c.session.commit() is not None
    assert git(repo, "log", "-1", "--format=%an").strip() == "Rosa Local"


def test_each_cli_command_is_one_commit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = Project.load(repo).document("qual2/fg-01").text.index("Nothing")
    args = ["coding", "add", "fg-01", "--start", str(start), "--end", str(start + 7), "role-models"]
    assert main(["-C", str(repo), *args]) == 0
    assert main(["-C", str(repo), "code", "add", "A tribunal", "--parent", "how"]) == 0
    assert main(["-C", str(repo), "code", "reslug", "role-models", "role-model"]) == 0
    capsys.readouterr()
    assert commits(repo) == 4 and status(repo) == ""
    log = git(repo, "log", "--format=%s", "-3").splitlines()
    assert log == [
        "code re-slugged: role-models → role-model",
        "code created: a-tribunal 'A tribunal' under how",
        "+ role-models on 'Nothing' (qual2/fg-01 ¶2)",
    ]
    message = git(repo, "log", "-1", "--format=%B")
    assert "~ codes role-models → role-model on 'Nothing' (qual2/fg-01 ¶2)" in message
    assert "Margin-Codes-Changed: 1" in message and "Margin-Codings-Changed: 1" in message
    assert main(["-C", str(repo), "--json", "code", "relabel", "presence", "Being there"]) == 0
    import json

    result = json.loads(capsys.readouterr().out)
    assert result["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_cli_in_a_project_without_git_changes_and_warns(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(project_dir), "code", "add", "new-one"]) == 0
    err = capsys.readouterr().err
    assert "not be committed" in err and "git init" in err
    assert "new-one" in (project_dir / "codebook.yaml").read_text(encoding="utf-8")


# --- the app ---------------------------------------------------------------------------------------------
def test_app_offers_a_recovered_session_and_commits_at_quit(repo: Path) -> None:
    from margin.tui.app import MarginApp
    from margin.tui.session_ui import RecoveredScreen

    crashed = Coding(repo)
    crashed.code("qual2/fg-01", "Nothing", "role-models")

    async def run() -> None:
        app = MarginApp(Project.load(repo))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for_sessions(app, pilot)
            await pilot.pause()
            assert isinstance(app.screen, RecoveredScreen)
            await pilot.press("c")
            await wait_for_sessions(app, pilot)
            await pilot.pause()
            assert git(repo, "log", "-1", "--format=%s").startswith(
                "Recovered session: 1 coding added in fg-01"
            )
            span = app.project.document("qual1/int-07").text.index("How did")
            app.history.record(ops.apply_codes(app.project, "qual1/int-07", span, span + 7, ["presence"]))
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    asyncio.run(run())
    assert commits(repo) == 3 and status(repo) == ""
    assert (
        git(repo, "log", "-1", "--format=%an|%s").strip()
        == "Test Coder|Coding session: 1 coding added in int-07"
    )


def test_app_keeps_a_recovered_session_and_end_session_starts_a_new_one(repo: Path) -> None:
    from margin.tui.app import MarginApp
    from margin.tui.palette import available_actions
    from margin.tui.session_ui import RecoveredScreen

    crashed = Coding(repo)
    crashed.code("qual2/fg-01", "Nothing", "role-models")

    async def run() -> None:
        app = MarginApp(Project.load(repo))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for_sessions(app, pilot)
            await pilot.pause()
            assert isinstance(app.screen, RecoveredScreen)
            await pilot.press("k")
            offered = {a.action: a for a in available_actions(app.focused, app.screen)}
            assert offered["end_session"].title == "End session" and offered["end_session"].keys
            span = app.project.document("qual1/int-07").text.index("How did")
            app.history.record(ops.apply_codes(app.project, "qual1/int-07", span, span + 7, ["presence"]))
            await pilot.press("S")
            await wait_for_sessions(app, pilot)
            await pilot.pause()
            assert commits(repo) == 2
            assert git(repo, "log", "-1", "--format=%s").strip() == (
                "Coding session: 2 codings added in int-07 and fg-01"
            )
            app.history.record(ops.apply_codes(app.project, "qual1/int-07", span, span + 3, ["language"]))
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(run())
    assert commits(repo) == 3
    assert git(repo, "log", "-1", "--format=%s").strip() == "Coding session: 1 coding added in int-07"


def test_app_quit_without_changes_commits_nothing(repo: Path) -> None:
    from margin.tui.app import MarginApp

    async def run() -> None:
        app = MarginApp(Project.load(repo))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for_sessions(app, pilot)
            await pilot.press("question_mark")
            await pilot.press("escape")
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(run())
    assert commits(repo) == 1 and status(repo) == ""


# --- crash recovery: a real process coding, killed at random points ---------------------------------------
DRIVER = """
import random, sys
from margin.core import operations as ops
from margin.core.errors import OperationError
from margin.core.project import Project
from margin.vcs.session import Session

root, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
project = Project.load(root)
session = Session(root)
slugs = [s for s, c in project.codebook.codes.items() if c.codable]
n = 0
while True:
    doc_id = rnd.choice(project.document_ids())
    doc = project.document(doc_id)
    try:
        roll = rnd.random()
        if roll < 0.65 or not doc.codings:
            start = rnd.randrange(len(doc.text) - 3)
            change = ops.apply_codes(project, doc_id, start, start + rnd.randint(1, 12), [rnd.choice(slugs)])
        elif roll < 0.85:
            c = rnd.choice(doc.codings)
            change = ops.remove_coding(project, doc_id, c.start, c.end)
        else:
            p = rnd.randrange(doc.paragraph_count)
            change = ops.edit_text(project, doc_id, p, doc.paragraph(p) + " ok", confirmed=True)
    except OperationError:
        continue
    session.record(change)
    n += 1
    print(n, flush=True)
    if n % 5 == 0:
        session.commit()
"""


def _codings(data: bytes | None, doc_id: str) -> set[tuple[int, int, tuple[str, ...]]]:
    if data is None:
        return set()
    return {(c.start, c.end, c.codes) for c in load_document(data, doc_id).codings}


@pytest.mark.slow
def test_killed_while_coding_nothing_is_half_written_and_every_change_is_offered(
    repo: Path, tmp_path: Path
) -> None:
    import os
    import random
    import signal
    import sys
    import time

    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    rnd = random.Random(2026)
    offered = 0
    for round_ in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(driver), str(repo), str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: git children die with it
        )
        assert proc.stdout is not None
        for _ in range(rnd.randint(1, 40)):  # some changes, some commits, then a kill at a random point
            if not proc.stdout.readline():
                pytest.fail(proc.stderr.read().decode() if proc.stderr else "the driver stopped")
        time.sleep(rnd.random() * 0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()

        locks = sorted((repo / ".git").rglob("*.lock"))  # left by a git killed half-way through a commit
        project = Project.load(repo)  # every file still parses: never half written
        for doc_id in project.document_ids():
            project.document(doc_id)
        head = git(repo, "rev-parse", "HEAD").strip()
        changed = {
            p
            for p in ("codebook.yaml", *(f"documents/{d}.txt" for d in project.document_ids()))
            if (repo / p).read_bytes()
            != subprocess.run(
                ["git", "-C", str(repo), "show", f"{head}:{p}"], capture_output=True, check=False
            ).stdout
        }
        recovered = Session(repo).begin()  # git status works with the locks there
        if locks and recovered is not None:  # committing is refused: the message names the lock
            with pytest.raises(GitError, match="if no git program is running, delete that file") as caught:
                Session(repo).commit_recovered(recovered)
            assert any(str(lock) in str(caught.value) for lock in locks)
            assert Session(repo).begin() == recovered  # and nothing was lost or half done
        for lock in locks:  # as the message says
            lock.unlink()
        if not changed:
            assert recovered is None
            continue
        assert recovered is not None and set(recovered.paths) == changed
        for path in changed:
            doc_id = path.removeprefix("documents/").removesuffix(".txt")
            old = _codings(
                subprocess.run(
                    ["git", "-C", str(repo), "show", f"{head}:{path}"], capture_output=True, check=True
                ).stdout,
                doc_id,
            )
            new = _codings((repo / path).read_bytes(), doc_id)
            decisions = [d for d in recovered.decisions if d.path == path]
            assert decisions, path
            if not any(d.kind == "text-edited" for d in decisions):  # spans comparable as they are
                added = {(d.start, d.end) for d in decisions if d.kind == "coding-added"}
                assert added == {(s, e) for s, e, _ in new - old} - {(s, e) for s, e, _ in old}, path
        offered += len(recovered.decisions)
        assert Session(repo).commit_recovered(recovered) is not None
        assert Session(repo).begin() is None  # everything on disk is committed now
    assert offered > 0
