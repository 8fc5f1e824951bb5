"""Remotes, clone and sync between coders, on real git: a bare remote on disk and a `git daemon` on
127.0.0.1. Every test checks the exact codings of every clone afterwards."""

from __future__ import annotations

import asyncio
import http.server
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from margin.cli import main
from margin.core import operations as ops
from margin.core.lock import GITIGNORE
from margin.core.project import Project
from margin.vcs import drivers
from margin.vcs.network import AuthFailed, RemoteTimeout, RemoteUnreachable
from margin.vcs.repo import GitError, init_repository
from margin.vcs.session import Session
from margin.vcs.sync import MergeConflicts, ahead_behind, clone, commit_pending, fetch, sync

Codings = dict[str, set[tuple[str, frozenset[str]]]]


def start_repository(root: Path) -> None:
    """A project's repository with Margin's drivers registered before the first commit (as `margin init`)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    drivers.install(root)
    (root / ".margin" / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    init_repository(root, "Start the study")


# --- remotes: a bare repository on disk, or served by `git daemon` ----------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`git daemon` serving a directory on a free port of 127.0.0.1, with push enabled."""
    base = tmp_path_factory.mktemp("served")
    port = free_port()
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            f"--base-path={base}",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            if proc.poll() is not None:
                pytest.fail(f"git daemon did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("git daemon does not accept connections")
        yield base, f"git://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(params=["bare", "daemon"])
def remote(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty shared repository."""
    if request.param == "bare":
        path = tmp_path / "shared.git"
        subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
        return str(path)
    base, url = request.getfixturevalue("daemon")
    name = f"{tmp_path.name}.git"
    subprocess.run(["git", "init", "-q", "--bare", str(base / name)], check=True)
    return f"{url}/{name}"


def cli(*argv: str) -> int:
    return main([*argv])


@pytest.fixture
def rosa(project_dir: Path, remote: str) -> Path:
    """Rosa's project, pushed to the shared repository."""
    root = project_dir
    start_repository(root)
    assert cli("-C", str(root), "remote", "add", "origin", remote) == 0
    assert cli("-C", str(root), "sync") == 0
    return root


def clone_for(tmp_path: Path, remote: str, name: str) -> Path:
    result = clone(remote, tmp_path / name)
    assert result.problems == []
    return result.path


# --- coding, and reading codings back ---------------------------------------------------------------
def code(root: Path, doc_id: str, words: str, *codes: str, occurrence: int = 0) -> None:
    """Apply ``codes`` to the ``occurrence``-th place of ``words`` in the document (as the app would)."""
    project = Project.load(root)
    text = project.document(doc_id).text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    ops.apply_codes(project, doc_id, start, start + len(words), codes)


def edit(root: Path, doc_id: str, paragraph: int, old: str, new: str) -> None:
    project = Project.load(root)
    doc = project.document(doc_id)
    start, end = doc.paragraph_span(paragraph)
    ops.edit_text(project, doc_id, paragraph, doc.text[start:end].replace(old, new))


def codings(root: Path) -> Codings:
    """Every coding of every document: (coded words, codes) — what a coder would check by eye."""
    project = Project.load(root)
    found: Codings = {}
    for doc_id in project.document_ids():
        doc = project.document(doc_id)
        found[doc_id] = {(doc.text[c.start : c.end], frozenset(c.codes)) for c in doc.codings}
    return found


def with_added(base: Codings, doc_id: str, *added: tuple[str, frozenset[str]]) -> Codings:
    """``base`` plus codings; a coding of the same words gains the codes (one coding per span)."""
    result = {d: set(s) for d, s in base.items()}
    for words, codes in added:
        same = {c for c in result[doc_id] if c[0] == words}
        merged = frozenset(codes.union(*(c[1] for c in same)))
        result[doc_id] = (result[doc_id] - same) | {(words, merged)}
    return result


def git_status(root: Path) -> str:
    """What git says is uncommitted, but for the cache's ignore file the app writes into a project that
    was not made by `margin init`."""
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":!.margin/.gitignore"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def clean(root: Path) -> bool:
    out = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    )
    return out.stdout == ""


# --- two and five coders ----------------------------------------------------------------------------
def test_two_coders_sync_back_and_forth(tmp_path: Path, remote: str, rosa: Path) -> None:
    malik = clone_for(tmp_path, remote, "malik")
    start = codings(rosa)
    assert codings(malik) == start

    code(rosa, "qual1/int-07", "peer support", "presence")  # same transcript, different places
    code(malik, "qual1/int-07", "change your team", "role-models")
    code(malik, "qual2/fg-01", "Nothing coded here", "seriousness")  # a different transcript
    sync(rosa)
    result = sync(malik)
    assert result.merged >= 1 and result.pushed >= 1
    sync(rosa)

    expected = with_added(start, "qual1/int-07", ("peer support", frozenset({"presence"})))
    expected = with_added(expected, "qual1/int-07", ("change your team", frozenset({"role-models"})))
    expected = with_added(expected, "qual2/fg-01", ("Nothing coded here", frozenset({"seriousness"})))
    assert codings(rosa) == expected
    assert codings(malik) == expected
    assert (rosa / "documents/qual1/int-07.txt").read_bytes() == (
        malik / "documents/qual1/int-07.txt"
    ).read_bytes()
    assert ahead_behind(rosa) == (0, 0) and ahead_behind(malik) == (0, 0)
    assert clean(rosa) and clean(malik)

    # and back again: a removal on one side reaches the other
    project = Project.load(malik)
    doc = project.document("qual1/int-07")
    coding = next(c for c in doc.codings if doc.text[c.start : c.end] == "peer support")
    ops.remove_coding(project, "qual1/int-07", coding.start, coding.end)
    sync(malik)
    sync(rosa)
    expected["qual1/int-07"].discard(("peer support", frozenset({"presence"})))
    assert codings(rosa) == expected == codings(malik)


def test_five_coders_same_and_different_transcripts(tmp_path: Path, remote: str, rosa: Path) -> None:
    coders = [rosa] + [clone_for(tmp_path, remote, f"coder{i}") for i in range(1, 5)]
    expected = codings(rosa)
    own_words = ["How", "peer", "support", "change", "team"]
    shared_codes = ["presence", "role-models", "language", "seriousness", "presence"]
    for i, root in enumerate(coders):
        code(root, "qual1/int-07", own_words[i], shared_codes[i])  # everyone in the same transcript
        expected = with_added(expected, "qual1/int-07", (own_words[i], frozenset({shared_codes[i]})))
        code(root, "qual1/int-07", "at work", shared_codes[i])  # everyone on the same words
        expected = with_added(expected, "qual1/int-07", ("at work", frozenset({shared_codes[i]})))
    code(coders[2], "qual2/fg-01", "Nothing", "role-models")  # one coder elsewhere
    expected = with_added(expected, "qual2/fg-01", ("Nothing", frozenset({"role-models"})))
    for _ in range(2):
        for root in coders:
            sync(root)
    for root in coders:
        assert codings(root) == expected, root.name
        assert ahead_behind(root) == (0, 0)
    assert len({(root / "documents/qual1/int-07.txt").read_bytes() for root in coders}) == 1


def test_scenario_6_two_coders_one_paragraph(
    tmp_path: Path, remote: str, rosa: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rosa and Malik code the same paragraph with different codes: both codings kept, no conflict."""
    malik = clone_for(tmp_path, remote, "malik")
    code(rosa, "qual2/fg-01", "Nothing coded here", "language")
    code(malik, "qual2/fg-01", "coded here", "presence")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Rosa")
    sync(rosa)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Malik")
    sync(malik)
    sync(rosa)
    for root in (rosa, malik):
        fg = codings(root)["qual2/fg-01"]
        assert ("Nothing coded here", frozenset({"language"})) in fg
        assert ("coded here", frozenset({"presence"})) in fg
        assert clean(root)
    from margin.vcs.history import blame

    who = {
        (line.text, origin.code): origin.author
        for line in blame(malik, "qual2/fg-01")
        for origin in line.origins
    }
    assert who[("Nothing coded here", "language")] == "Rosa"
    assert who[("coded here", "presence")] == "Malik"


def test_push_rejected_when_someone_pushed_meanwhile(tmp_path: Path, remote: str, rosa: Path) -> None:
    malik = clone_for(tmp_path, remote, "malik")
    code(rosa, "qual1/int-07", "peer support", "presence")
    code(malik, "qual1/int-07", "your team", "role-models")
    pushed_first: list[str] = []

    def malik_pushes_first(stage: str, fraction: float | None) -> None:
        if stage.startswith("pushing") and not pushed_first:
            pushed_first.append(stage)
            sync(malik)

    result = sync(rosa, progress=malik_pushes_first)
    assert result.attempts == 2
    sync(malik)
    for root in (rosa, malik):
        c = codings(root)["qual1/int-07"]
        assert ("peer support", frozenset({"presence"})) in c
        assert ("your team", frozenset({"role-models"})) in c
        assert ahead_behind(root) == (0, 0)


def test_conflict_stops_the_sync_with_the_paragraph(tmp_path: Path, remote: str, rosa: Path) -> None:
    """Scenario 7: both fix the same words differently; the sync stops on that paragraph only."""
    malik = clone_for(tmp_path, remote, "malik")
    edit(rosa, "qual1/int-07", 1, "at work", "at my work")
    edit(malik, "qual1/int-07", 1, "at work", "in work")
    sync(rosa)
    with pytest.raises(MergeConflicts) as caught:
        sync(malik)
    message = str(caught.value)
    assert "documents/qual1/int-07.txt:" in message and "¶2" in message
    assert "margin resolve" in message and "margin sync" in message
    assert len(caught.value.conflicts) == 1
    assert "'…to language in work.' here, '…to language at my work.' there" in message
    # nothing is pushed while the conflict stands, and a second sync says so again
    with pytest.raises(MergeConflicts, match="still has 1 conflict"):
        sync(malik)
    # Malik keeps Rosa's words; the next sync concludes the merge and sends it
    assert cli("-C", str(malik), "resolve", "int-07", "--theirs") == 0
    result = sync(malik)
    assert result.pushed == 2 and "concluded the merge whose conflicts were resolved" in result.notes
    sync(rosa)
    for root in (rosa, malik):
        assert "at my work" in Project.load(root).document("qual1/int-07").text
        assert clean(root) and ahead_behind(root) == (0, 0)


def test_work_done_while_a_merge_is_open_is_its_own_session_after_the_merge(
    tmp_path: Path, remote: str, rosa: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Coding while conflicts wait: the command is saved and says why it is not committed yet; the sync
    that concludes the merge commits the merge first, then that work as a session of its own."""
    malik = clone_for(tmp_path, remote, "malik")
    edit(rosa, "qual1/int-07", 1, "at work", "at my work")
    edit(malik, "qual1/int-07", 1, "at work", "in work")
    sync(rosa)
    with pytest.raises(MergeConflicts):
        sync(malik)
    assert Session(malik).begin() is None  # the merge's changes are not a recovered session
    text = Project.load(malik).document("qual2/fg-01").text
    start = text.index("Nothing")
    capsys.readouterr()
    args = ["-C", str(malik), "coding", "add", "qual2/fg-01", "--start", str(start), "--end", str(start + 7)]
    assert cli(*args, "presence") == 0
    err = capsys.readouterr().err
    assert "a merge is in progress" in err and "resolve the conflicts" in err
    assert cli("-C", str(malik), "resolve", "int-07", "--theirs") == 0
    result = sync(malik)
    assert result.committed is not None and result.pushed == 3
    log = subprocess.run(
        ["git", "log", "--format=%P|%s", "-3"], cwd=malik, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    (session_parents, session), (merge_parents, _), _ = (line.split("|", 1) for line in log)
    assert "1 coding added in fg-01" in session and len(session_parents.split()) == 1
    assert len(merge_parents.split()) == 2
    merged_fg = subprocess.run(
        ["git", "show", "HEAD~1:documents/qual2/fg-01.txt"], cwd=malik, capture_output=True, text=True
    ).stdout
    assert "{Nothing}" not in merged_fg  # the merge commit holds the merge only
    assert ("Nothing", frozenset({"presence"})) in codings(malik)["qual2/fg-01"]
    assert clean(malik)


def test_codebook_conflict_names_the_code(tmp_path: Path, remote: str, rosa: Path) -> None:
    malik = clone_for(tmp_path, remote, "malik")
    ops.update_code(Project.load(rosa), "presence", label="Being present")
    ops.update_code(Project.load(malik), "presence", label="Being there")
    code(malik, "qual2/fg-01", "Nothing", "presence")  # merged cleanly meanwhile
    sync(rosa)
    with pytest.raises(MergeConflicts) as caught:
        sync(malik)
    (line,) = caught.value.conflicts
    assert line.startswith("codebook.yaml:") and "presence" in line
    assert line.endswith("code presence ('label: Being there' here, 'label: Being present' there)")


def test_sync_commits_loose_changes_first(
    remote: str, rosa: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code(rosa, "qual1/int-07", "peer support", "presence")
    assert cli("-C", str(rosa), "sync") == 0
    out, err = capsys.readouterr()
    assert err == ""  # not a terminal: no progress line
    assert "Committed your work first: Coding session: 1 coding added in int-07" in out
    assert "Sent 1 commit(s) to origin/main" in out
    assert clean(rosa)
    log = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=rosa, capture_output=True, text=True).stdout
    assert "1 coding added" in log


def _many_documents(project_dir: Path, remote: str, n: int = 6) -> Path:
    """Rosa's project with ``n`` interviews more, pushed to the shared repository."""
    interview = (project_dir / "documents/qual1/int-07.txt").read_text(encoding="utf-8")
    for i in range(n):
        (project_dir / f"documents/qual1/int-1{i}.txt").write_text(interview, encoding="utf-8")
    start_repository(project_dir)
    assert cli("-C", str(project_dir), "remote", "add", "origin", remote) == 0
    assert cli("-C", str(project_dir), "sync") == 0
    return project_dir


@pytest.mark.parametrize("conflict", [False, True], ids=["clean", "one-conflict"])
def test_many_transcripts_merged_in_one_process_as_the_drivers_would(
    tmp_path: Path, project_dir: Path, conflict: bool
) -> None:
    shared = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    rosa = _many_documents(project_dir, str(shared))
    malik = clone_for(tmp_path, str(shared), "malik")
    docs = [d for d in Project.load(rosa).document_ids() if d.startswith("qual1/")]
    for doc_id in docs:
        code(rosa, doc_id, "peer support", "presence")
        code(malik, doc_id, "at work", "role-models")
    if conflict:
        edit(rosa, "qual1/int-12", 0, "your team", "the team")
        edit(malik, "qual1/int-12", 0, "your team", "our team")
    sync(malik)
    commit_pending(rosa)
    by_drivers = tmp_path / "by-drivers"
    shutil.copytree(rosa, by_drivers, symlinks=True)
    fetch(by_drivers, "origin")
    from margin.vcs import premerge
    from margin.vcs.gitcmd import opened

    with opened(by_drivers) as repo:
        prepared = premerge.prepare(repo, by_drivers, "HEAD", "origin/main")
    assert (prepared is None) == conflict  # a conflict anywhere: git and the drivers merge it all
    if prepared is not None:
        assert sorted(p.relative_to(prepared).as_posix() for p in prepared.rglob("*.txt")) == [
            f"documents/{d}.txt" for d in sorted(docs)
        ]
        premerge.discard(prepared)
    plain = subprocess.run(["git", "merge", "--no-edit", "origin/main"], cwd=by_drivers, capture_output=True)
    if conflict:
        assert plain.returncode == 1
        with pytest.raises(MergeConflicts) as caught:
            sync(rosa)
        assert [line.split(":")[0] for line in caught.value.conflicts] == ["documents/qual1/int-12.txt"]
    else:
        assert plain.returncode == 0
        sync(rosa)
    for doc_id in docs:
        path = f"documents/{doc_id}.txt"
        assert (rosa / path).read_bytes() == (by_drivers / path).read_bytes(), path
    if not conflict:
        assert codings(rosa) == codings(by_drivers)
        for found in (codings(rosa)[d] for d in docs):
            assert ("peer support", frozenset({"presence"})) in found
            assert ("at work", frozenset({"role-models"})) in found


@pytest.mark.parametrize("seed", [1, 2])
def test_random_sessions_in_random_order_lose_nothing(tmp_path: Path, project_dir: Path, seed: int) -> None:
    """Three coders add and remove codings (each with a code of their own) in random sessions and sync
    in random order: in the end every clone has every coding that nobody removed, exactly once."""
    import random

    shared = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    rosa = _many_documents(project_dir, str(shared), n=4)
    coders = [rosa, clone_for(tmp_path, str(shared), "malik"), clone_for(tmp_path, str(shared), "kim")]
    own_code = ["presence", "role-models", "seriousness"]
    rng = random.Random(seed)
    start_project = Project.load(rosa)
    texts = {d: start_project.document(d) for d in start_project.document_ids()}
    base = {(d, c.start, c.end, k) for d, doc in texts.items() for c in doc.codings for k in c.codes}
    added: list[set[tuple[str, int, int, str]]] = [set(), set(), set()]
    for _ in range(12):
        i = rng.randrange(3)
        project = Project.load(coders[i])
        for _ in range(rng.randint(1, 4)):
            if added[i] and rng.random() < 0.3:
                doc_id, start, end, slug = sorted(added[i])[rng.randrange(len(added[i]))]
                ops.remove_coding(project, doc_id, start, end, [slug])
                added[i].discard((doc_id, start, end, slug))
                continue
            doc_id = rng.choice(sorted(texts))
            doc = project.document(doc_id)
            starts = [0] + [n + 1 for n, ch in enumerate(doc.text) if ch in " \n"]
            a = rng.randrange(len(starts) - 3)
            start, end = starts[a], starts[a + rng.randint(1, 3)] - 1
            if (doc_id, start, end, own_code[i]) in added[i] | base:
                continue
            ops.apply_codes(project, doc_id, start, end, [own_code[i]])
            added[i].add((doc_id, start, end, own_code[i]))
        sync(coders[i])
    for _ in range(2):
        for root in coders:
            sync(root)
    expected = base | added[0] | added[1] | added[2]
    for root in coders:
        project = Project.load(root)
        found: list[tuple[str, int, int, str]] = []
        for doc_id in project.document_ids():
            spans = [(c.start, c.end) for c in project.document(doc_id).codings]
            assert len(spans) == len(set(spans)), (root.name, doc_id)  # one coding per span
            found += [(doc_id, c.start, c.end, k) for c in project.document(doc_id).codings for k in c.codes]
        assert len(found) == len(set(found)) and set(found) == expected, root.name
        assert ahead_behind(root) == (0, 0) and clean(root)


def test_sync_restores_driver_settings_that_plain_git_removed(
    tmp_path: Path, remote: str, rosa: Path
) -> None:
    malik = clone_for(tmp_path, remote, "malik")
    subprocess.run(["git", "rm", "-q", ".gitattributes"], cwd=rosa, check=True)  # a teammate without Margin
    subprocess.run(["git", "commit", "-qm", "tidy up"], cwd=rosa, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=rosa, check=True)
    result = sync(malik)
    assert "restored Margin's merge driver settings, which the merged work had changed" in result.notes
    assert drivers.check(malik) == [] and clean(malik)
    sync(rosa)
    assert (rosa / ".gitattributes").is_file() and drivers.check(rosa) == []


# --- ahead/behind -----------------------------------------------------------------------------------
def test_ahead_behind(tmp_path: Path, remote: str, rosa: Path) -> None:
    malik = clone_for(tmp_path, remote, "malik")
    assert ahead_behind(rosa) == (0, 0)
    code(rosa, "qual1/int-07", "peer support", "presence")
    code(malik, "qual2/fg-01", "Nothing", "presence")
    sync(malik)
    subprocess.run(["git", "commit", "-qam", "coding"], cwd=rosa, check=True)
    assert ahead_behind(rosa) == (1, 0)  # as of the last fetch: Malik's push is not known yet
    subprocess.run(["git", "fetch", "-q", "origin"], cwd=rosa, check=True)
    assert ahead_behind(rosa) == (1, 1)
    sync(rosa)
    assert ahead_behind(rosa) == (0, 0)


def test_ahead_behind_without_remote(project_dir: Path) -> None:
    start_repository(project_dir)
    assert ahead_behind(project_dir) is None
    assert ahead_behind(project_dir.parent) is None  # not a repository


# --- remote commands and clone ----------------------------------------------------------------------
def test_remote_add_list_remove(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start_repository(project_dir)
    d = str(project_dir)
    assert cli("-C", d, "remote", "list") == 0
    assert "no remotes" in capsys.readouterr().out
    assert cli("-C", d, "remote", "add", "origin", "https://example.org/team/study.git") == 0
    assert cli("-C", d, "remote", "add", "origin", "https://example.org/other.git") == 1
    assert "already" in capsys.readouterr().err
    assert cli("-C", d, "remote", "add", "evil", "ext::sh -c touch% /tmp/pwned") == 1
    assert "run a command" in capsys.readouterr().err
    assert cli("-C", d, "remote", "add", "dash", "--", "--upload-pack=touch") == 1
    assert cli("-C", d, "--json", "remote", "list") == 0
    assert '"url": "https://example.org/team/study.git"' in capsys.readouterr().out
    assert cli("-C", d, "remote", "remove", "nope") == 1
    assert "no remote 'nope'" in capsys.readouterr().err
    assert cli("-C", d, "remote", "remove", "origin") == 0
    assert cli("-C", d, "remote", "list") == 0
    assert "no remotes" in capsys.readouterr().out


def test_sync_without_remote_says_what_to_do(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start_repository(project_dir)
    assert cli("-C", str(project_dir), "sync") == 1
    assert "margin remote add origin URL" in capsys.readouterr().err


def test_clone_registers_drivers_and_checks(
    tmp_path: Path, remote: str, rosa: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "work" / "malik"
    assert cli("clone", remote, str(target)) == 0
    assert f"Cloned into {target}" in capsys.readouterr().out
    assert drivers.check(target) == []
    assert codings(target) == codings(rosa)
    assert cli("clone", remote, str(target)) == 1
    assert "not empty" in capsys.readouterr().err


def test_clone_of_a_repository_without_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("hello\n")
    init_repository(plain, "notes")
    assert cli("clone", str(plain), str(tmp_path / "copy")) == 1
    assert "no Margin project" in capsys.readouterr().err


# --- remotes that cannot be used: a clear error, never a prompt or a hang -----------------------------
class _Refuses(http.server.BaseHTTPRequestHandler):
    """An https-like git server that wants a password."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="study"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def password_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/team/study.git"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/study.git"
    sock.close()


def _pushed_project(root: Path, url: str) -> Path:
    start_repository(root)
    assert cli("-C", str(root), "remote", "add", "origin", url) == 0
    return root


@pytest.mark.parametrize(
    "make_url",
    [
        lambda tmp: str(tmp / "no-such-remote.git"),
        lambda tmp: f"file://{tmp}/no-such-remote.git",
        lambda tmp: f"https://127.0.0.1:{free_port()}/study.git",
        lambda tmp: f"git://127.0.0.1:{free_port()}/study.git",
        lambda tmp: f"ssh://git@127.0.0.1:{free_port()}/study.git",
    ],
    ids=["path", "file-url", "https-closed-port", "git-closed-port", "ssh-closed-port"],
)
def test_unreachable_remote(
    tmp_path: Path, project_dir: Path, make_url: Callable[[Path], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_url(tmp_path)
    root = _pushed_project(project_dir, url)
    with pytest.raises(RemoteUnreachable) as caught:
        sync(root, timeout=20)
    assert "cannot reach the remote 'origin'" in str(caught.value)
    assert cli("-C", str(root), "sync") == 1
    err = capsys.readouterr().err
    assert err.startswith("margin: cannot reach") and "Traceback" not in err
    with pytest.raises(RemoteUnreachable):
        clone(url, tmp_path / "copy", timeout=20)
    assert not (tmp_path / "copy").exists()


def test_auth_failure_is_reported_not_prompted(
    tmp_path: Path, project_dir: Path, password_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _pushed_project(project_dir, password_server)
    with pytest.raises(AuthFailed) as caught:
        sync(root, timeout=20)
    message = str(caught.value)
    assert "refused access" in message and "never asks for passwords" in message
    assert cli("clone", password_server, str(tmp_path / "copy")) == 1
    assert "refused access" in capsys.readouterr().err


def test_silent_remote_times_out(project_dir: Path, silent_server: str) -> None:
    root = _pushed_project(project_dir, silent_server)
    with pytest.raises(RemoteTimeout) as caught:
        sync(root, timeout=1)
    assert "did not answer for 1 s" in str(caught.value)


def test_sync_refuses_a_detached_head(remote: str, rosa: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=rosa, check=True)
    with pytest.raises(GitError, match="not on a branch"):
        sync(rosa)


# --- the app ----------------------------------------------------------------------------------------
def test_sync_in_the_app(tmp_path: Path, remote: str, rosa: Path) -> None:
    """ctrl+s commits the session, merges Malik's work, pushes, and the status bar shows ✓."""
    from margin.tui.app import MarginApp
    from margin.tui.status import StatusBar

    malik = clone_for(tmp_path, remote, "malik")
    code(malik, "qual2/fg-01", "Nothing coded here", "presence")
    sync(malik)
    seen: list[tuple[int, int] | None] = []

    async def run() -> None:
        app = MarginApp(Project.load(rosa))
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            status = app.query_one(StatusBar)
            seen.append(status.ahead_behind)
            span = app.project.document("qual1/int-07").text.index("peer support")
            app.history.record(ops.apply_codes(app.project, "qual1/int-07", span, span + 12, ["role-models"]))
            await pilot.press("ctrl+s")
            while app.syncer.running or app.workers:
                await app.workers.wait_for_complete()
                await pilot.pause()
            seen.append(status.ahead_behind)
            titles = [n.title for n in app._notifications]
            assert "Synced" in titles, titles
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(run())
    assert seen == [(0, 0), (0, 0)]
    sync(malik)
    for root in (rosa, malik):
        found = codings(root)
        assert ("Nothing coded here", frozenset({"presence"})) in found["qual2/fg-01"]
        assert ("peer support", frozenset({"role-models"})) in found["qual1/int-07"]
    log = subprocess.run(["git", "log", "--format=%s"], cwd=rosa, capture_output=True, text=True).stdout
    assert "Coding session: 1 coding added in int-07" in log


def test_sync_in_the_app_refreshes_the_document_list(tmp_path: Path, remote: str, rosa: Path) -> None:
    """A document Malik added appears in the list after ctrl+s, and the counts are the merged ones; a
    coding made in the app updates its document's count at once."""
    from margin.tui.app import MarginApp
    from margin.tui.documents import DocumentList

    malik = clone_for(tmp_path, remote, "malik")
    code(malik, "qual1/int-07", "attentive to language", "presence")
    added = malik / "documents" / "qual1" / "int-99.txt"
    added.write_text("I: {Hello}[presence] there.\nP: And {goodbye}[presence].\n", encoding="utf-8")
    subprocess.run(["git", "add", "--", "documents/qual1/int-99.txt"], cwd=malik, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "Add int-99"], cwd=malik, check=True)
    sync(malik)
    merged_count = len(Project.load(malik).document("qual1/int-07").codings)
    seen: dict[str, object] = {}

    async def run() -> None:
        app = MarginApp(Project.load(rosa))
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            documents = app.query_one(DocumentList)
            before = documents.counts["qual1/int-07"]
            span = app.project.document("qual1/int-07").text.index("peer support")
            app.coder.run(ops.apply_codes, "qual1/int-07", span, span + 12, ["role-models"])
            seen["after coding"] = documents.counts["qual1/int-07"] - before
            await pilot.press("ctrl+s")
            while app.syncer.running or app.workers:
                await app.workers.wait_for_complete()
                await pilot.pause()
            seen["listed"] = "qual1/int-99" in documents.counts
            seen["int-99"] = documents.counts.get("qual1/int-99")
            seen["int-07"] = documents.counts.get("qual1/int-07")
            seen["changed on disk"] = [n.title for n in app._notifications if n.title == "Changed on disk"]
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(run())
    assert seen == {
        "after coding": 1,
        "listed": True,
        "int-99": 2,
        "int-07": merged_count + 1,
        "changed on disk": [],
    }


def test_a_conflict_met_by_ctrl_s_is_resolved_in_the_app_and_the_next_sync_sends_it(
    tmp_path: Path, remote: str, rosa: Path
) -> None:
    """Scenario 7 in the app: the sync stops on the paragraph, the conflict screen opens by itself with
    both versions and the base, `t` takes Rosa's words, and ctrl+s concludes the merge and pushes it."""
    from margin.tui.app import MarginApp
    from margin.tui.conflicts_screen import ConflictsScreen

    malik = clone_for(tmp_path, remote, "malik")
    edit(rosa, "qual1/int-07", 1, "at work", "at my work")
    edit(malik, "qual1/int-07", 1, "at work", "in work")
    commit_pending(malik)
    sync(rosa)
    seen: dict[str, object] = {}

    async def settle(app: MarginApp, pilot: Any) -> None:
        while app.syncer.running or app.workers:
            await app.workers.wait_for_complete()
            await pilot.pause()

    async def run() -> None:
        app = MarginApp(Project.load(malik))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, ConflictsScreen), app.screen_stack
            seen["listed"] = [c.where for c in screen.found]
            seen["versions"] = [
                "in work" in str(screen.query_one("#ours").render()),
                "at work" in str(screen.query_one("#base").render()),
                "at my work" in str(screen.query_one("#theirs").render()),
            ]
            await pilot.press("t")
            await pilot.pause()
            seen["back"] = not isinstance(app.screen, ConflictsScreen)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            seen["titles"] = [str(n.title) for n in app._notifications]
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(run())
    assert seen["listed"] == ["¶2"] and seen["versions"] == [True, True, True] and seen["back"] is True
    titles = seen["titles"]
    assert isinstance(titles, list) and "Session kept on disk" not in titles
    assert titles.index("Sync stopped on conflicts") < titles.index("Resolved") < titles.index("Synced")
    sync(rosa)
    for root in (rosa, malik):
        assert "at my work" in Project.load(root).document("qual1/int-07").text
        assert git_status(root) == "" and ahead_behind(root) == (0, 0)
