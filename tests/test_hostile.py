"""A project pushed by a teammate can neither leak nor hang Margin.

Each test pushes one hostile change to a shared repository as a teammate would (a link out of the
project, a YAML alias bomb, a device, huge nesting, a line-ending attribute, terminal escapes) and runs
`margin clone`, `check`, `sync`, `show`, `segments`, `diff` and the app's start against it. Every command
is a real process with a time limit (``timeout=``) and a memory limit (RLIMIT_AS), so a regression fails
the test instead of hanging the suite or the machine.
"""

from __future__ import annotations

import os
import pty
import random
import resource
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CODEBOOK, INT07, PARTICIPANTS
from margin.cli import main
from margin.core.lock import ProjectLock
from margin.vcs import drivers
from test_drivers import DOC, git

SECONDS = 90
"""No command here may take longer (they take a second or two when all is well; the machine is shared)."""
MEMORY = 1 << 30
"""Nor use more address space than this (a Margin command needs about 150 MB)."""
SECRET = "the participants' real names"
PAYLOAD = "\x1b]0;pwned\x07"
"""An escape sequence a terminal would act on (it sets the window title)."""
QUIT = (b"\x11",)
"""ctrl+q: the app quits (from any screen)."""


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def _limits(memory: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return limit


def margin(cwd: Path, *args: str, memory: int = MEMORY, env: dict[str, str] | None = None) -> Run:
    """`margin ARGS` in ``cwd``, as a process of its own, bounded in time and memory."""
    done = subprocess.run(
        [sys.executable, "-m", "margin", *args],
        cwd=cwd,
        capture_output=True,
        timeout=SECONDS,
        preexec_fn=_limits(memory),
        env={**os.environ, **(env or {})},
        check=False,
    )
    run = Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in run.text, run.text
    assert "MemoryError" not in run.text, run.text
    return run


def in_terminal(
    cwd: Path, *args: str, keys: tuple[bytes, ...] = (), settle: float = 3.0
) -> tuple[int, bytes]:
    """`margin ARGS` on a pseudo-terminal (so the app starts, and colours are on), bounded in time and
    memory: returns its exit status and everything it wrote to the terminal. Each of ``keys`` is typed
    once the program has written nothing for ``settle`` seconds (or has kept writing, a cursor blinking,
    for three times that since it started writing or the last key)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "margin", *args],
        cwd=cwd,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        preexec_fn=_limits(MEMORY),
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"},
        start_new_session=True,
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + SECONDS
    last = typed = 0.0
    pending = list(keys)
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                last = time.monotonic()
                typed = typed or last
            elif proc.poll() is not None:
                break
            now = time.monotonic()
            if pending and typed and (now - last > settle or now - typed > 3 * settle):
                os.write(leader, pending.pop(0))
                typed = now
        else:
            raise AssertionError(f"margin {' '.join(args)} did not end within {SECONDS} s")
        return proc.wait(timeout=SECONDS), seen
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(leader)


# --- a shared repository, and a teammate who pushes to it ------------------------------------------------
@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A bare shared repository holding a small project made by `margin init`."""
    origin = tmp_path / "origin"
    assert main(["init", str(origin)]) == 0
    (origin / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (origin / "participants.yaml").write_text(PARTICIPANTS, encoding="utf-8")
    (origin / "documents" / "qual1").mkdir()
    (origin / DOC).write_text(INT07, encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "A transcript")
    git(tmp_path, "clone", "-q", "--bare", str(origin), "shared.git")
    return tmp_path / "shared.git"


def push(shared: Path, change: Callable[[Path], None], message: str = "A teammate's change") -> None:
    """A teammate clones with plain git, makes ``change`` in the files and pushes it."""
    teammate = shared.parent / "teammate"
    if not teammate.exists():
        git(shared.parent, "clone", "-q", str(shared), "teammate")
    git(teammate, "pull", "-q")
    change(teammate)
    git(teammate, "add", "-A")
    git(teammate, "commit", "-qm", message)
    git(teammate, "push", "-q")


def clone(shared: Path, name: str) -> tuple[Run, Path]:
    """`margin clone` of the shared repository into ``name`` beside it."""
    return margin(shared.parent, "clone", str(shared), name), shared.parent / name


def link(root: Path, name: str, target: str) -> None:
    """Put a symbolic link to ``target`` where ``name`` (a file or a folder) was."""
    path = root / name
    if path.is_dir() and not path.is_symlink():
        git(root, "rm", "-rq", name)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def in_history(shared: Path, words: str) -> bool:
    """Whether any object of the shared repository holds ``words``."""
    objects = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"], cwd=shared, capture_output=True, check=True
    )
    return words.encode() in objects.stdout


# --- links ------------------------------------------------------------------------------------------------
def test_a_linked_codebook_is_refused_and_never_read_into_a_commit(shared: Path) -> None:
    outside = shared.parent / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"codes:\n  secret:\n    label: {SECRET}\n", encoding="utf-8")
    _, rosa = clone(shared, "rosa")
    push(shared, lambda root: link(root, "codebook.yaml", "../outside/secret.yaml"))
    margin(rosa, "sync")
    assert (rosa / "codebook.yaml").is_symlink()
    for args in (
        ["check"],
        ["codes"],
        ["show", "int-07"],
        ["segments", "presence"],
        ["coding", "add", "int-07", "--start", "0", "--end", "3", "presence"],
        ["code", "add", "New code"],
    ):
        run = margin(rosa, *args)
        assert run.code == 1, (args, run.text)
        assert "codebook.yaml: this is a symbolic link (to ../outside/secret.yaml)" in run.text, (
            args,
            run.text,
        )
        assert SECRET not in run.text
    assert SECRET not in margin(rosa, "sync").text
    run, fresh = clone(shared, "fresh")
    assert "codebook.yaml: this is a symbolic link" in run.text
    assert SECRET not in run.text
    assert (rosa / "codebook.yaml").is_symlink() and (fresh / "codebook.yaml").is_symlink()
    assert not in_history(shared, SECRET)
    assert in_terminal(rosa, "open")[0] == 1


def test_a_linked_documents_folder_is_never_written(shared: Path) -> None:
    docs = shared.parent / "outside" / "docs" / "qual1"
    docs.mkdir(parents=True)
    (docs / "int-07.txt").write_text(INT07, encoding="utf-8")
    before = (docs / "int-07.txt").read_bytes()
    _, rosa = clone(shared, "rosa")
    push(shared, lambda root: link(root, "documents", "../outside/docs"))
    margin(rosa, "sync")
    for args in (
        ["coding", "add", "int-07", "--start", "0", "--end", "3", "presence"],
        ["check"],
        ["show", "int-07"],
        ["segments", "presence"],
    ):
        run = margin(rosa, *args)
        assert run.code == 1 and "documents: this is a symbolic link (to ../outside/docs)" in run.text, (
            run.text
        )
    assert (docs / "int-07.txt").read_bytes() == before
    assert sorted(p.name for p in docs.iterdir()) == ["int-07.txt"]


def test_a_linked_transcript_is_refused(shared: Path) -> None:
    outside = shared.parent / "outside.txt"
    outside.write_text(f"P07: {SECRET}\n", encoding="utf-8")
    push(shared, lambda root: link(root, "documents/qual1/leak.txt", "../../../outside.txt"))
    run, rosa = clone(shared, "rosa")
    assert "documents/qual1/leak.txt: this is a symbolic link" in run.text
    for args in (["check"], ["show", "leak"], ["segments", "presence"], ["diff", "HEAD~1..HEAD"]):
        run = margin(rosa, *args)
        assert SECRET not in run.text, (args, run.text)
    assert "documents/qual1/leak.txt: this is a symbolic link" in margin(rosa, "check").text


def test_a_linked_state_folder_is_never_written_through(shared: Path) -> None:
    victim = shared.parent / "victim"
    victim.mkdir()
    (victim / "gitconfig").write_text("[user]\n\tname = Victim\n", encoding="utf-8")
    (victim / "lock").write_text("not Margin's", encoding="utf-8")
    _, rosa = clone(shared, "rosa")
    push(shared, lambda root: link(root, ".margin", str(victim)))
    run, _ = clone(shared, "fresh")
    assert run.code == 1 and ".margin: this is a symbolic link" in run.text, run.text
    margin(rosa, "sync")  # holds .margin/lock while git puts the link in the folder's place
    assert (rosa / ".margin").is_symlink()
    for args in (["coding", "add", "int-07", "--start", "0", "--end", "3", "presence"], ["codes"], ["sync"]):
        run = margin(rosa, *args)
        assert run.code == 1 and ".margin: this is a symbolic link" in run.text, (args, run.text)
    assert sorted(p.name for p in victim.iterdir()) == ["gitconfig", "lock"]
    assert (victim / "gitconfig").read_text(encoding="utf-8") == "[user]\n\tname = Victim\n"


# --- YAML alias bombs, devices, sizes -----------------------------------------------------------------
BOMB = "".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n',
        *(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)
"""Nine levels of nine aliases: 387,420,489 strings for whoever walks it."""


def _bomb_in(name: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        if name == "front matter":
            path = root / DOC
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("---\n", "---\nbomb:\n" + _indent(BOMB), 1), encoding="utf-8")
        else:
            path = root / name
            path.write_text(path.read_text(encoding="utf-8") + "bomb:\n" + _indent(BOMB), encoding="utf-8")

    return change


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "path", "line"),
    [
        ("codebook.yaml", "codebook.yaml", 24),
        ("participants.yaml", "participants.yaml", 11),
        ("front matter", DOC, 3),
    ],
)
def test_an_alias_bomb_is_refused_before_anything_walks_it(
    shared: Path, tmp_path: Path, where: str, path: str, line: int
) -> None:
    _, rosa = clone(shared, "rosa")
    push(shared, _bomb_in(where), "lol")
    refusal = f"{path}:{line}:6: an anchor ('&a'): Margin does not allow YAML anchors and aliases"
    run, fresh = clone(shared, "fresh")
    assert refusal in run.text, run.text
    run = margin(fresh, "check")
    assert run.code == 1 and refusal in run.text, run.text
    for args in (["show", "int-07"], ["segments", "presence"], ["diff", "HEAD~1..HEAD"], ["log"]):
        margin(fresh, *args)
    # Rosa changed the same file: git's merge runs Margin's driver on the bomb
    if where == "front matter":
        assert (
            main(["-C", str(rosa), "coding", "add", "int-07", "--start", "0", "--end", "2", "presence"]) == 0
        )
    else:
        _bomb_free_change(rosa / path)
    temp = tmp_path / "temp"
    temp.mkdir()
    run = margin(rosa, "sync", env={"TMPDIR": str(temp)})
    assert run.code == 1, run.text  # a conflict, or (front matter merges as lines) the check before pushing
    assert refusal in run.text or "conflict" in run.text, run.text
    with ProjectLock(rosa / ".margin"):  # not left held
        pass
    assert list(temp.iterdir()) == []
    leftovers = git(rosa, "status", "--porcelain", "--ignored").stdout
    assert ".tmp" not in leftovers, leftovers
    assert in_terminal(fresh, "open", keys=QUIT)[0] in (0, 1)


def _bomb_free_change(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace("PSW", "PSW, peer") + "\n", encoding="utf-8")


def test_a_device_or_a_huge_file_is_refused_without_reading_it(shared: Path) -> None:
    push(shared, lambda root: link(root, "participants.yaml", "/dev/zero"))
    run, rosa = clone(shared, "rosa")
    assert "participants.yaml: this is a symbolic link (to /dev/zero)" in run.text, run.text
    assert "participants.yaml: this is a symbolic link" in margin(rosa, "segments", "presence").text
    (rosa / "participants.yaml").unlink()
    with open(rosa / "participants.yaml", "wb") as handle:
        handle.truncate(8 << 30)  # sparse: costs no disk, and no memory unless read
    for args in (["check"], ["segments", "presence"]):
        run = margin(rosa, *args, memory=512 << 20)
        assert run.code == 1, run.text
        assert "participants.yaml: this file has 8,589,934,592 bytes, more than the 32,000,000" in run.text
    (rosa / "participants.yaml").write_text(PARTICIPANTS, encoding="utf-8")
    (rosa / DOC).unlink()
    with open(rosa / DOC, "wb") as handle:
        handle.truncate(8 << 30)
    for args in (["check"], ["show", "int-07"], ["codes"]):
        run = margin(rosa, *args, memory=512 << 20)
        assert run.code == 1 and f"{DOC}: this file has 8,589,934,592 bytes" in run.text, run.text


# --- huge nesting -------------------------------------------------------------------------------------
NESTED = "P07: " + "{w " * 30_000 + "x" + " w}[presence]" * 30_000
"""30,000 codings, each inside the one before: every coding's words are a whole paragraph."""
MANY = "P07: " + " ".join("{word}[presence]" for _ in range(30_000))
"""30,000 codings side by side in one paragraph (valid: no limit on how many, only on how deep)."""


def _transcript(body: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / "documents" / "qual1" / "huge.txt").write_text(f"---\ntitle: Huge\n---\n{body}\n", "utf-8")

    return change


@pytest.mark.slow
def test_codings_nested_thirty_thousand_deep_are_refused_at_their_place(shared: Path) -> None:
    push(shared, _transcript(NESTED))
    refusal = "documents/qual1/huge.txt:4:306: more than 100 codings cover these words"
    run, rosa = clone(shared, "rosa")
    assert refusal in run.text, run.text
    run = margin(rosa, "check")
    assert run.code == 1 and refusal in run.text
    for args in (["show", "huge"], ["segments", "presence", "--format", "json"], ["diff", "HEAD~1..HEAD"]):
        run = margin(rosa, *args)
        assert refusal in run.text or args[0] == "diff", (args, run.text[-500:])
    textconv = margin(rosa, "textconv", "documents/qual1/huge.txt")
    assert textconv.out.startswith("---\ntitle: Huge\n---\nP07: {w {w")  # unreadable: passed through as it is
    assert in_terminal(rosa, "open", keys=QUIT)[0] == 0


@pytest.mark.slow
def test_thirty_thousand_codings_in_one_paragraph_are_read_in_linear_time(shared: Path) -> None:
    push(shared, _transcript(MANY))
    run, rosa = clone(shared, "rosa")
    assert run.code == 0 and "problem" not in run.text, run.text
    assert margin(rosa, "check").code == 0
    show = margin(rosa, "show", "huge")
    assert show.code == 0 and show.out.count("▸ presence") == 30_000
    segments = margin(rosa, "segments", "presence", "--format", "json")
    assert segments.code == 0 and '"count": 30001' in segments.out
    assert max(len(line) for line in segments.out.splitlines()) < 1_300  # a line of context, not a paragraph
    textconv = margin(rosa, "textconv", "documents/qual1/huge.txt")
    assert textconv.out.count("▸ presence") == 30_000
    diff = margin(rosa, "diff", "HEAD~1..HEAD")
    assert diff.code == 0 and "+ document qual1/huge" in diff.out, diff.text[-500:]
    assert in_terminal(rosa, "open", keys=QUIT)[0] == 0


@pytest.mark.slow
def test_a_long_paragraph_rewritten_by_a_teammate_merges_and_diffs_in_bounded_time(shared: Path) -> None:
    chance = random.Random(7)
    words = [chance.choice(["we", "the", "staff", "listened", "and", "a"]) for _ in range(100_000)]
    push(shared, _transcript("P07: " + " ".join(words)))
    _, rosa = clone(shared, "rosa")
    push(shared, _transcript("P07: " + " ".join(chance.sample(words, len(words)))))
    assert main(["-C", str(rosa), "coding", "add", "huge", "--start", "5", "--end", "20", "presence"]) == 0
    run = margin(rosa, "sync")  # git runs Margin's merge driver: Rosa's coding follows the teammate's words
    assert run.code in (0, 1), run.text
    diff = margin(rosa, "diff", "HEAD~2..HEAD")
    assert diff.code == 0 and "~ text (qual1/huge ¶1)" in diff.out, diff.text[-800:]


def test_a_transcript_broken_on_every_line_is_checked_in_bounded_time(shared: Path) -> None:
    push(shared, _transcript("\n".join(["P07: a stray } here"] * 50_000)))
    _, rosa = clone(shared, "rosa")
    check = margin(rosa, "check")  # each problem listed cost a read of the rest of the document
    assert check.code == 1
    assert "documents/qual1/huge.txt:104:1: more than 100 markup problems in this document" in check.out
    assert check.out.count("documents/qual1/huge.txt:") == 101


def test_front_matter_nested_deep_is_refused(shared: Path) -> None:
    deep = "x: " + "[" * 5_000 + "]" * 5_000
    document = f"---\n{deep}\n---\nP: {{hi}}[presence]\n"
    push(shared, lambda root: (root / "documents/qual1/deep.txt").write_text(document, "utf-8"))
    refusal = "documents/qual1/deep.txt:2:103: the YAML nests more than 100 levels deep"
    run, rosa = clone(shared, "rosa")
    assert refusal in run.text, run.text
    assert refusal in margin(rosa, "segments", "presence").text


# --- line endings -------------------------------------------------------------------------------------
def _crlf_attributes(root: Path) -> None:
    with open(root / ".gitattributes", "a", encoding="utf-8") as handle:
        handle.write("documents/**/*.txt text eol=crlf\n")
    (root / "documents" / ".gitattributes").write_text("*.txt text eol=crlf\n", encoding="utf-8")


def test_a_committed_eol_attribute_leaves_transcripts_as_committed_and_is_explained(shared: Path) -> None:
    push(shared, _crlf_attributes)
    run, rosa = clone(shared, "rosa")
    assert run.code == 0, run.text
    assert b"\r" not in (rosa / DOC).read_bytes()  # .git/info/attributes came before the checkout
    check = margin(rosa, "check")
    assert check.code == 0, check.text
    assert (
        "a .gitattributes line gives documents/group/document.txt, documents/qual1/int-07.txt 'eol=crlf'"
        in (check.err)
    )
    assert "git check-attr -a -- PATH" in check.err
    assert git(rosa, "status", "--porcelain", "--", "documents").stdout == ""
    # a clone made with git alone got CRLF: check says why, and Margin's settings fix the next checkout
    git(shared.parent, "clone", "-q", str(shared), "plain")
    plain = shared.parent / "plain"
    assert b"\r\n" in (plain / DOC).read_bytes()
    check = margin(plain, "check")
    assert check.code == 1 and f"{DOC}:1:4: a carriage return" in check.out
    assert "'eol=crlf'" in check.err
    drivers.repair(plain)  # as `margin open` and `margin sync` do
    git(plain, "checkout", "--", DOC)
    assert b"\r" not in (plain / DOC).read_bytes()


# --- terminal escapes ---------------------------------------------------------------------------------
def _escapes(root: Path) -> None:
    path = root / DOC
    text = path.read_text(encoding="utf-8").replace(
        "How did peer support change your team?",
        f"How {{did{PAYLOAD}}}[presence | a memo\\]0;memo\x07 here] it\x1b[2J change\x9b2J your team?",
    )
    path.write_text(text, encoding="utf-8")
    codebook = root / "codebook.yaml"  # YAML refuses control characters written out, not as escapes
    codebook.write_text(
        codebook.read_text(encoding="utf-8").replace("label: Presence", 'label: "Pres\\e]0;label\\aence"'),
        encoding="utf-8",
    )
    (root / "margin.yaml").write_text('name: "Study\\e]0;name\\a"\n', encoding="utf-8")
    (root / "documents" / "qual1" / "fg\x1b]0;file\x07.txt").write_text("P: {hi}[presence]\n", "utf-8")


@pytest.mark.slow
def test_terminal_escapes_in_the_files_and_commits_are_never_printed_raw(shared: Path) -> None:
    push(shared, _escapes, f"Session {PAYLOAD} with an escape")
    run, rosa = clone(shared, "rosa")
    assert run.code == 0, run.text
    for args in (
        ["show", "int-07"],
        ["segments", "presence"],
        ["segments", "presence", "--format", "md"],
        ["coding", "list"],
        ["codes"],
        ["code", "show", "presence"],
        ["log"],
        ["diff", "HEAD~1..HEAD"],
        ["blame", "int-07"],
        ["textconv", DOC],
    ):
        run = margin(rosa, *args)
        assert run.code == 0, (args, run.text)
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in run.text, (args, run.text)
        assert "\ufffd]0;" in run.text, (args, run.text)
    data = margin(rosa, "segments", "presence", "--format", "json").out
    assert "\\u001b]0;pwned\\u0007" in data and "\\u009b" in data and "\x1b" not in data
    # on a terminal, with colours: only the colour sequences Margin writes itself
    code, seen = in_terminal(rosa, "show", "int-07")
    assert code == 0 and b"\x1b[" in seen
    assert b"\x1b]" not in seen and b"\x1b[2J" not in seen and b"\x07" not in seen
    # the app: the project's name, the documents, the transcript; then the history screen (the commit
    # message, the coded words, the memo) and the codebook (the labels)
    code, seen = in_terminal(rosa, "open", keys=(b"H", b"\x1b", b"b", *QUIT))
    assert code == 0
    for payload in (b"pwned", b"memo", b"label", b"name", b"file"):
        assert b"\x1b]0;" + payload not in seen, payload
