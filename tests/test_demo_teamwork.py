"""Two coders in two clones of the demo project code the same and different transcripts and sync back and
forth through a shared repository: afterwards both clones hold every coding anybody made and nobody
removed, each exactly once, on its words — through the command line and through the app's ctrl+s."""

from __future__ import annotations

import asyncio
import random
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from margin.cli import main
from margin.core import operations as ops
from margin.core.project import Project

Key = tuple[str, int, int]
"""A coding's place: document, start, end (the rounds edit no text, so places do not move)."""
State = dict[Key, frozenset[str]]
WORD = re.compile(r"\w+(?:['’]\w+)*")


def cli(*argv: str) -> None:
    assert main([*argv]) == 0, argv


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def state(root: Path) -> State:
    """Every coding of every document by its place; a place coded twice fails the test."""
    project = Project.load(root)
    found: State = {}
    for doc_id in project.document_ids():
        for c in project.document(doc_id).codings:
            key = (doc_id, c.start, c.end)
            assert key not in found, f"{key} is coded twice in {root.name}"
            found[key] = frozenset(c.codes)
    return found


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Rosa unpacks the demo and pushes it to a bare repository; Malik clones it. Each clone commits under
    its coder's name (from its git config, as on two coders' machines)."""
    for kind in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{kind}_{what}")
    shared = tmp_path / "study.git"
    subprocess.run(["git", "init", "-q", "--bare", str(shared)], check=True)
    rosa, malik = tmp_path / "rosa", tmp_path / "malik"
    cli("demo", str(rosa), "--no-open")
    cli("-C", str(rosa), "remote", "add", "origin", str(shared))
    cli("-C", str(rosa), "sync")
    cli("clone", str(shared), str(malik))
    for root, name in ((rosa, "Rosa Lindqvist"), (malik, "Malik Okafor")):
        git(root, "config", "user.name", name)
        git(root, "config", "user.email", f"{name.split()[0].lower()}@example.org")
    return rosa, malik


class Coder:
    """One coder's random decisions, made with `margin coding add/remove` (one command, one commit)."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        project = Project.load(root)
        self.codes = sorted(s for s, c in project.codebook.codes.items() if c.codable)

    def free_span(self, doc_id: str, taken: set[Key]) -> tuple[int, int]:
        """One to four words of one paragraph that nobody has coded or chosen."""
        text = Project.load(self.root).document(doc_id).text
        words = list(WORD.finditer(text))
        while True:
            i = self.rng.randrange(len(words) - 4)
            j = i + self.rng.randrange(4)
            start, end = words[i].start(), words[j].end()
            if "\n" not in text[start:end] and (doc_id, start, end) not in taken:
                return start, end

    def add(self, doc_id: str, taken: set[Key], expected: State) -> None:
        start, end = self.free_span(doc_id, taken)
        codes = self.rng.sample(self.codes, self.rng.choice((1, 1, 2)))
        cli("-C", str(self.root), "coding", "add", doc_id, "--start", str(start), "--end", str(end), *codes)
        taken.add((doc_id, start, end))
        expected[(doc_id, start, end)] = frozenset(codes)

    def remove(self, doc_id: str, expected: State) -> None:
        places = sorted(k for k in expected if k[0] == doc_id)
        doc, start, end = self.rng.choice(places)
        cli("-C", str(self.root), "coding", "remove", doc, "--start", str(start), "--end", str(end))
        del expected[(doc, start, end)]


def test_two_coders_in_clones_of_the_demo_lose_no_coding(team: tuple[Path, Path]) -> None:
    rosa_root, malik_root = team
    rng = random.Random(20211104)
    rosa, malik = Coder(rosa_root, rng), Coder(malik_root, rng)
    expected = state(rosa_root)
    assert expected == state(malik_root) and len(expected) == 433
    documents = Project.load(rosa_root).document_ids()
    for _ in range(4):
        shared, own_rosa, own_malik = rng.sample(documents, 3)
        taken = set(expected)
        for _ in range(3):  # the same transcript, different words
            rosa.add(shared, taken, expected)
            malik.add(shared, taken, expected)
        for _ in range(2):  # transcripts of one's own
            rosa.add(own_rosa, taken, expected)
            malik.add(own_malik, taken, expected)
        rosa.remove(own_rosa, expected)
        malik.remove(own_malik, expected)
        for root in (rosa_root, malik_root, rosa_root):  # the second sync brings the first coder's work
            cli("-C", str(root), "sync")
        assert state(rosa_root) == expected
        assert state(malik_root) == expected
    sessions = git(malik_root, "log", "--no-merges", "--since=2024-01-01", "--format=%an", "origin/main")
    assert Counter(sessions.splitlines()) == Counter({"Rosa Lindqvist": 4 * 6, "Malik Okafor": 4 * 6})
    assert git(rosa_root, "status", "--porcelain") == "" and git(malik_root, "status", "--porcelain") == ""


def test_a_text_edit_and_codings_in_the_same_paragraph_both_survive(team: tuple[Path, Path]) -> None:
    """Rosa fixes a typo in a paragraph in the app and syncs with ctrl+s; Malik codes other words of that
    paragraph and syncs: both have the fixed words and every coding, on the same words as before."""
    from margin.tui.app import MarginApp

    rosa_root, malik_root = team
    doc_id = "qual1/int-psw-07"
    project = Project.load(malik_root)
    doc = project.document(doc_id)
    paragraph = max(range(doc.paragraph_count), key=lambda p: len(doc.text[slice(*doc.paragraph_span(p))]))
    p_start, p_end = doc.paragraph_span(paragraph)
    words = list(WORD.finditer(doc.text, p_start, p_end))
    first = next(w for w in words[2:] if w.group().islower() and len(w.group()) > 3)
    last = words[-3]
    before = Counter((doc.text[c.start : c.end], frozenset(c.codes)) for c in doc.codings)
    cli(
        "-C",
        str(malik_root),
        "coding",
        "add",
        doc_id,
        "--start",
        str(last.start()),
        "--end",
        str(last.end()),
        "presence",
    )

    async def rosa_in_the_app() -> list[str]:
        app = MarginApp(Project.load(rosa_root))
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = app.project.document(doc_id).text
            new = text[p_start : first.start()] + first.group().upper() + text[first.end() : p_end]
            app.coder.run(ops.edit_text, doc_id, paragraph, new, documents=(doc_id,))
            await pilot.press("ctrl+s")
            while app.syncer.running or app.workers:
                await app.workers.wait_for_complete()
                await pilot.pause()
            titles = [str(n.title) for n in app._notifications]
            await pilot.press("q")
            await pilot.pause()
        return titles

    assert "Synced" in asyncio.run(rosa_in_the_app())
    cli("-C", str(malik_root), "sync")
    cli("-C", str(rosa_root), "sync")
    expected = before + Counter({(last.group(), frozenset({"presence"})): 1})
    for root in (rosa_root, malik_root):
        merged = Project.load(root).document(doc_id)
        assert first.group().upper() in merged.text[slice(*merged.paragraph_span(paragraph))]
        got = Counter((merged.text[c.start : c.end], frozenset(c.codes)) for c in merged.codings)
        assert {(w.lower(), c): n for (w, c), n in got.items()} == {
            (w.lower(), c): n for (w, c), n in expected.items()
        }
    assert git(malik_root, "rev-parse", "HEAD") == git(rosa_root, "rev-parse", "HEAD")
