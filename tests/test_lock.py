"""The project lock, with real processes: the app holds it while open (commands that write are refused,
commands that read are not, the app's own sync is not), taking over a dead process's lock is atomic,
and taking it removes the temporary files of writers that died."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from history_helpers import git
from margin.core import operations as ops
from margin.core.errors import ProjectLocked
from margin.core.lock import ProjectLock
from margin.core.project import Project
from margin.tui.app import MarginApp
from pilot import pilot_test
from test_sync import start_repository

SIZE = (120, 30)
WORDS = "more attentive to language"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `margin` command in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "margin", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def in_a_terminal(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`margin` with a terminal (a pseudo-terminal) as standard input and output, as a person runs the app
    (without one, `margin open` refuses at once)."""
    import pty

    leader, follower = pty.openpty()
    try:
        return subprocess.run(
            [sys.executable, "-m", "margin", "-C", str(root), *args],
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(leader)
        os.close(follower)


def span(root: Path, words: str, doc_id: str = "qual1/int-07") -> tuple[str, str]:
    start = Project.load(root).document(doc_id).text.index(words)
    return str(start), str(start + len(words))


def add_coding(root: Path, code: str, words: str = WORDS) -> subprocess.CompletedProcess[str]:
    start, end = span(root, words)
    return cli(root, "coding", "add", "qual1/int-07", "--start", start, "--end", end, code)


def dead_pid() -> int:
    """The ID of a process that has ended."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def leave_a_stale_lock(root: Path, what: str = "margin coding add") -> int:
    """``.margin/lock`` as a killed Margin leaves it: naming a process that is gone."""
    pid = dead_pid()
    holder = {"pid": pid, "host": socket.gethostname(), "since": time.time() - 60, "what": what}
    (root / ".margin").mkdir(exist_ok=True)
    (root / ".margin" / "lock").write_text(json.dumps(holder), encoding="utf-8")
    return pid


@pytest.fixture
def committed(project_dir: Path) -> Path:
    """The test project, committed as `margin init` commits a project."""
    start_repository(project_dir)
    return project_dir


# --- the app holds the lock -------------------------------------------------------------------------
@pilot_test
async def test_the_open_app_refuses_a_command_that_writes_and_lets_those_that_read(committed: Path) -> None:
    document = committed / "documents" / "qual1" / "int-07.txt"
    before, head = document.read_bytes(), git(committed, "rev-parse", "HEAD")
    app = MarginApp(Project.load(committed))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        refused = add_coding(committed, "presence")
        assert refused.returncode == 1, refused.stderr
        assert f"in use by another Margin (the Margin app, process {os.getpid()} on " in refused.stderr
        assert "quit that app" in refused.stderr and "Traceback" not in refused.stderr
        assert document.read_bytes() == before and git(committed, "rev-parse", "HEAD") == head
        second = in_a_terminal(committed, "open")  # another app: refused before its screen would open
        assert second.returncode == 1 and "in use by another Margin (the Margin app" in second.stderr
        with pytest.raises(ProjectLocked):
            MarginApp(Project.load(committed))
        for reading in (
            ["show", "qual1/int-07"],
            ["show"],
            ["codes"],
            ["segments", "presence"],
            ["coding", "list"],
            ["log"],
            ["diff"],
            ["blame", "qual1/int-07"],
            ["check"],
        ):
            done = cli(committed, *reading)
            assert done.returncode == 0, (reading, done.stderr)
        await pilot.press("q")
        await pilot.pause()
    assert not app.lock.held
    done = add_coding(committed, "presence")  # released when the app quit
    assert done.returncode == 0, done.stderr
    assert "{more attentive to language}[language, presence]" in document.read_text(encoding="utf-8")


@pilot_test
async def test_margin_sync_is_refused_while_the_app_is_open(committed: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    assert cli(committed, "remote", "add", "origin", str(shared)).returncode == 0
    assert cli(committed, "sync").returncode == 0
    assert add_coding(committed, "presence").returncode == 0  # a commit to send
    sent = git(shared, "rev-parse", "main")
    app = MarginApp(Project.load(committed))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        refused = cli(committed, "sync")
        assert refused.returncode == 1 and "in use by another Margin (the Margin app" in refused.stderr
        assert git(shared, "rev-parse", "main") == sent  # nothing was pushed
        await pilot.press("q")
        await pilot.pause()
    assert cli(committed, "sync").returncode == 0
    assert git(shared, "rev-parse", "main") == git(committed, "rev-parse", "HEAD")


@pilot_test
async def test_the_apps_own_sync_runs_under_its_lock(committed: Path, tmp_path: Path) -> None:
    """ctrl+s while the app holds the lock: the session is committed, merged with the drivers and pushed."""
    shared = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    assert cli(committed, "remote", "add", "origin", str(shared)).returncode == 0
    assert cli(committed, "sync").returncode == 0
    other = tmp_path / "other"
    assert subprocess.run([sys.executable, "-m", "margin", "clone", str(shared), str(other)]).returncode == 0
    assert add_coding(other, "presence", "I have become").returncode == 0  # the same document, other words
    assert cli(other, "sync").returncode == 0
    app = MarginApp(Project.load(committed))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        start, end = (int(x) for x in span(committed, WORDS))
        app.coder.run(
            ops.apply_codes, "qual1/int-07", start, end, ["seriousness"], documents=("qual1/int-07",)
        )
        await pilot.press("ctrl+s")
        while app.syncer.running or app.workers:
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert "Synced" in [n.title for n in app._notifications], [n.message for n in app._notifications]
        assert app.lock.held
        await pilot.press("q")
        await pilot.pause()
    text = (committed / "documents" / "qual1" / "int-07.txt").read_text(encoding="utf-8")
    assert (
        "{I have become}[presence]" in text and "{more attentive to language}[language, seriousness]" in text
    )
    assert git(shared, "rev-parse", "main") == git(committed, "rev-parse", "HEAD")


def test_a_failing_start_of_the_app_releases_the_lock(committed: Path) -> None:
    from margin.tui.app import run_app

    def broken(root: Path) -> None:
        raise RuntimeError("stopped before the screen opened")

    with pytest.raises(RuntimeError):
        run_app(Project.load(committed), prepare=broken)
    with ProjectLock(committed / ".margin", "margin test"):
        pass


# --- taking over a dead process's lock ----------------------------------------------------------------
RACER = """
import os, sys
from pathlib import Path
from margin.core.errors import ProjectLocked
from margin.core.lock import ProjectLock

go, hold, state = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
lock = ProjectLock(state, "racer")
print("ready", flush=True)
os.read(go, 1)
try:
    lock.acquire()
except ProjectLocked as exc:
    print("refused", exc, flush=True)
    sys.exit(1)
print("held", flush=True)
os.read(hold, 1)  # until the test has both answers
lock.release()
"""


def start_racers(
    script: str, argvs: list[list[str]], cwd: Path, fds: tuple[int, ...] = ()
) -> tuple[list[subprocess.Popen[str]], int]:
    """A process running ``script`` for each of ``argvs``, each printing "ready" and then waiting on one
    pipe (its descriptor is their first argument); returns them, once all are ready, and the pipe's end
    that lets them go at once (a byte each)."""
    go_read, go_write = os.pipe()
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go_read), *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=(go_read, *fds),
        )
        for argv in argvs
    ]
    os.close(go_read)
    for racer in racers:
        assert racer.stdout is not None and racer.stdout.readline() == "ready\n", racer.communicate()
    return racers, go_write


@pytest.fixture
def watchdog() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes to kill if a test is still waiting for them after a minute (never hang the suite)."""
    started: list[subprocess.Popen[str]] = []
    timer = threading.Timer(60, lambda: [p.kill() for p in started])
    timer.start()
    yield started
    timer.cancel()
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()


LONG = "margin coding add " + "x" * 20_000_000
"""What a dead holder was doing, at a length that takes a while to read."""


def test_two_processes_taking_over_a_dead_processes_lock_at_once_one_gets_it(
    committed: Path, watchdog: list[subprocess.Popen[str]]
) -> None:
    """The dead holder's lock file is long, so that reading it takes a while: a lock that is read, judged
    stale and then replaced lets both racers in nearly every round (as a loaded machine does now and then)."""
    state = committed / ".margin"
    for _ in range(8):
        dead = leave_a_stale_lock(committed, LONG)
        hold_read, hold_write = os.pipe()
        racers, go = start_racers(RACER, [[str(hold_read), str(state)]] * 2, committed, (hold_read,))
        watchdog.extend(racers)
        os.close(hold_read)
        os.write(go, b"xx")
        answers = [r.stdout.readline() for r in racers if r.stdout is not None]
        os.close(hold_write)  # the holder lets go
        for r in racers:
            r.wait(timeout=60)
        os.close(go)
        assert sorted(a.split(" ", 1)[0].strip() for a in answers) == ["held", "refused"], answers
        refusal = next(a for a in answers if a.startswith("refused"))
        assert "the project is in use by another Margin" in refusal and f"process {dead} " not in refusal
        assert sorted(r.returncode for r in racers) == [0, 1]


CODER = """
import os, sys
import margin.cli, margin.core.operations, margin.core.project, margin.vcs.session  # loaded before the race

print("ready", flush=True)
os.read(int(sys.argv[1]), 1)
sys.exit(margin.cli.main(sys.argv[2:]))
"""


def test_two_codings_racing_on_a_stale_lock_one_is_made_and_committed_the_other_refused(
    project_dir: Path, watchdog: list[subprocess.Popen[str]]
) -> None:
    """The issue's scenario: two `margin coding add` at once on a project whose lock a killed Margin left.
    The document is long, so that each command holds the lock long enough for the other to meet it; the
    lock file is long, as in the test above."""
    document = project_dir / "documents" / "qual1" / "int-07.txt"
    talk = "".join(f"P07: Paragraph {n} about the staff, the ward and the team.\n" for n in range(30_000))
    document.write_text(document.read_text(encoding="utf-8") + talk, encoding="utf-8")
    start_repository(project_dir)
    root = project_dir
    head = git(root, "rev-parse", "HEAD").strip()
    leave_a_stale_lock(root, LONG)
    wants = {"presence": "Paragraph 10 about", "role-models": "Paragraph 20000 about"}
    argvs = []
    for code, words in wants.items():
        start, end = span(root, words)
        argvs.append(["coding", "add", "qual1/int-07", "--start", start, "--end", end, code])
    racers, go = start_racers(CODER, argvs, root)
    watchdog.extend(racers)
    os.write(go, b"xx")
    results = {code: racer.communicate(timeout=120) for code, racer in zip(wants, racers, strict=True)}
    os.close(go)
    codes = {code: racer.returncode for code, racer in zip(wants, racers, strict=True)}
    assert sorted(codes.values()) == [0, 1], results
    made = next(c for c, rc in codes.items() if rc == 0)
    refused = next(c for c, rc in codes.items() if rc == 1)
    assert "the project is in use by another Margin" in results[refused][1], results[refused]
    text = document.read_text(encoding="utf-8")
    assert f"{{{wants[made]}}}[{made}]" in text and f"[{refused}]" not in text
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "1"  # one commit: the one made
    committed_text = git(root, "show", "HEAD:documents/qual1/int-07.txt")
    assert committed_text == text
    assert git(root, "status", "--porcelain", "--", "documents") == ""


# --- leftovers of writers that died -------------------------------------------------------------------
STOPPED_WRITER = """
import os, sys, time
from margin.cli import main

def stop(source, target):  # the temporary file is written and synced: stop before renaming it
    open(sys.argv[1], "w").close()
    time.sleep(120)

os.replace = stop
sys.exit(main(sys.argv[2:]))
"""


def test_a_writer_killed_before_its_rename_leaves_a_file_the_next_writer_removes(
    committed: Path, tmp_path: Path, watchdog: list[subprocess.Popen[str]]
) -> None:
    document = committed / "documents" / "qual1" / "int-07.txt"
    before = document.read_bytes()
    ready = tmp_path / "ready"
    start, end = span(committed, WORDS)
    command = [
        "-C",
        str(committed),
        "coding",
        "add",
        "qual1/int-07",
        "--start",
        start,
        "--end",
        end,
        "presence",
    ]
    writer = subprocess.Popen(
        [sys.executable, "-c", STOPPED_WRITER, str(ready), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog.append(writer)
    while not ready.exists():
        assert writer.poll() is None, writer.communicate()
        time.sleep(0.02)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    left = list(document.parent.glob(".int-07.txt.*.tmp"))
    assert len(left) == 1 and document.read_bytes() == before  # the old file, and the new one beside it
    shown = cli(committed, "--json", "show")
    assert [d["document"] for d in json.loads(shown.stdout)] == ["qual1/int-07", "qual2/fg-01"]
    done = add_coding(committed, "seriousness")  # the next writer, under the lock
    assert done.returncode == 0, done.stderr
    assert not left[0].exists()
    assert git(committed, "show", "--name-only", "--format=", "HEAD").split() == [
        "documents/qual1/int-07.txt"
    ]
    assert git(committed, "status", "--porcelain", "--untracked-files=all") == ""


@pilot_test
async def test_opening_the_app_removes_dead_writers_leftovers_and_nothing_else(committed: Path) -> None:
    leftovers = [
        committed / ".codebook.yaml.k2x_9a0q.tmp",
        committed / ".participants.yaml.abcdefgh.tmp",
        committed / "documents" / "qual2" / ".fg-01.txt.0123abcd.tmp",
        committed / "documents" / "qual2" / "new" / ".fg-02.txt.zz99zz99.tmp",
        committed / "memos" / ".idea.md.q1w2e3r4.tmp",
    ]
    others = [
        committed / ".notes.md.abcdefgh.tmp",  # not a file Margin writes there
        committed / ".margin" / "cache" / ".index.json.abcdefgh.tmp",  # commands that read write the cache
        committed / "documents" / "qual2" / "fg-01.txt.tmp",
    ]
    for path in (*leftovers, *others):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half written", encoding="utf-8")
    app = MarginApp(Project.load(committed))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [p for p in leftovers if p.exists()] == []
        assert all(p.exists() for p in others)
        live = committed / "documents" / "qual1" / ".int-07.txt.live0000.tmp"  # as if the app were writing
        live.write_text("being written", encoding="utf-8")
        assert add_coding(committed, "presence").returncode == 1  # refused: it removes nothing
        assert live.exists()
        await pilot.press("q")
        await pilot.pause()
    assert add_coding(committed, "presence").returncode == 0
    assert not live.exists()
