"""The documentation runs: every command block of README.md and docs/*.md, in order, so that what the
docs say and what Margin does cannot part.

The convention (docs/contributing.md, "Documentation that runs", says it for writers):

- Each file is one session. Its fenced blocks run one after another, starting in a new empty folder;
  a block goes on in the folder and with the files the blocks before it left.
- A block without a mark holds commands only: lines that start with `margin`, `cd` or `git`, comments
  (`# …`) and blank lines. A line is split as a shell would split it (quotes, a `# comment` at the end)
  but runs without a shell: `margin …` through Margin's entry point, `git …` as git, `cd DIR` changes
  the folder of the lines after it, and `> FILE` at the end writes the output to FILE. Each line must
  succeed (exit status 0) — unless its comment starts with `fails`: then it must fail with a message
  (exit status 1).
- An HTML comment on the line just before the opening fence marks a block:
  - `<!-- illustration -->`: not run — output, file contents shown for reading, grammar, commands that
    need a server, a terminal or your own settings;
  - `<!-- file: PATH -->`: the block is the text of the file PATH (relative to the current folder),
    which is written there, so that later commands can use it;
  - `<!-- run: demo -->` (or `<!-- run: new -->`): this block, and the unmarked ones after it, run in a
    new copy of the demo study made by `margin demo DIR --no-open` (or in a new empty folder).
- README's "Quick start" block is not run here: it installs Margin, and CI and fresh-check run it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO
from margin.cli import build_parser, main

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
MARK = re.compile(r"<!--\s*(illustration|file:\s*(\S+)|run:\s*(demo|new))\s*-->")
COMMANDS = ("margin", "cd", "git")


@dataclass
class Block:
    """A fenced block: where it starts (the line after the fence), its mark and its lines."""

    path: Path
    line: int
    mark: str | None
    lines: list[str] = field(default_factory=list)

    def place(self, n: int = 0) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line + n}"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the mark on the line before its fence."""
    return blocks_of(path, path.read_text(encoding="utf-8"))


def blocks_of(path: Path, text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.split("\n")
    current: Block | None = None
    heading = ""
    for n, line in enumerate(lines, start=1):
        if current is None and line.startswith("#"):
            heading = line
        if not line.startswith("```"):
            if current is not None:
                current.lines.append(line)
            continue
        if current is not None:
            found.append(current)
            current = None
            continue
        before = lines[n - 2].strip() if n > 1 else ""
        mark = MARK.fullmatch(before)
        if path.name == "README.md" and "quick start" in heading.lower():
            mark_text = "quick start"
        else:
            mark_text = mark.group(1) if mark else None
        current = Block(path, n + 1, mark_text)
    assert current is None, f"{path}: a block is never closed"
    return found


def split_comment(line: str) -> tuple[str, str]:
    """A command line and its comment: a '#' that starts a word outside quotes."""
    quote = None
    word_start = True
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and word_start:
            return line[:i], line[i + 1 :].strip()
        word_start = char.isspace()
    return line, ""


@dataclass
class Session:
    """Runs a file's blocks: a current folder, and the commands' output."""

    base: Path
    capsys: pytest.CaptureFixture[str]
    cwd: Path = field(init=False)
    made: int = 0

    def __post_init__(self) -> None:
        self.cwd = self.fresh()

    def fresh(self) -> Path:
        self.made += 1
        folder = self.base / f"session-{self.made}"
        folder.mkdir()
        return folder

    def block(self, block: Block) -> None:
        if block.mark in ("illustration", "quick start"):
            return
        if block.mark is not None and block.mark.startswith("file:"):
            target = self.cwd / block.mark.removeprefix("file:").strip()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
            return
        if block.mark == "run: new":
            self.cwd = self.fresh()
        elif block.mark == "run: demo":
            demo = self.fresh() / "demo"
            assert main(["-C", str(demo.parent), "demo", str(demo), "--no-open"]) == 0
            self.capsys.readouterr()
            self.cwd = demo
        for n, line in enumerate(block.lines):
            command, comment = split_comment(line)
            if not command.strip():
                continue
            args = shlex.split(command)
            assert args[0] in COMMANDS, (
                f"{block.place(n)}: '{line}' is not a command (margin, cd, git) — mark the block "
                "<!-- illustration --> or <!-- file: PATH --> (see docs/contributing.md)"
            )
            self.line(block.place(n), args, comment.startswith("fails"))

    def line(self, where: str, args: list[str], fails: bool) -> None:
        output = None
        if len(args) > 2 and args[-2] == ">":
            output, args = self.cwd / args[-1], args[:-2]
        if args[0] == "cd":
            assert len(args) == 2, f"{where}: cd takes one folder"
            self.cwd = (self.cwd / args[1]).resolve()
            assert self.cwd.is_dir(), f"{where}: no folder {self.cwd}"
            return
        if args[0] == "git":
            done = subprocess.run(args, cwd=self.cwd, capture_output=True, text=True, check=False)
            code, out, err = done.returncode, done.stdout, done.stderr
        else:
            try:
                code = main(["-C", str(self.cwd), *args[1:]])
            except SystemExit as exc:  # --help, --version
                code = int(exc.code or 0)
            captured = self.capsys.readouterr()
            out, err = captured.out, captured.err
        shown = f"{where}: `{shlex.join(args)}` exited {code}:\n{out}{err}"
        assert "Traceback" not in out + err, shown
        if fails:
            assert code == 1 and (out + err).strip(), shown
        else:
            assert code == 0, shown
        if output is not None:
            output.write_text(out, encoding="utf-8")


@pytest.mark.parametrize("path", DOCS, ids=[p.relative_to(REPO).as_posix() for p in DOCS])
def test_every_command_block_runs(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = Session(tmp_path, capsys)
    for block in blocks(path):
        session.block(block)


def test_marks_are_known_and_readme_keeps_its_quick_start() -> None:
    for path in DOCS:
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if line.startswith("<!--"):
                assert MARK.fullmatch(line.strip()), f"{path.relative_to(REPO)}:{n}: unknown mark {line}"
    quick = [b for b in blocks(REPO / "README.md") if b.mark == "quick start"]
    assert len(quick) == 1 and len([line for line in quick[0].lines if line.strip()]) == 2


def test_the_docs_name_only_commands_that_exist() -> None:
    """Every `margin WORD …` in the docs (tables and prose too) names a command, and its subcommand."""
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[attr-defined]
    wrong = []
    for path in [*DOCS, REPO / "benchmarks" / "README.md"]:
        text = path.read_text(encoding="utf-8")
        for found in re.finditer(r"`margin ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", text):
            name, action = found.groups()
            sub = commands.get(name)
            if sub is None:
                wrong.append(f"{path.relative_to(REPO)}: `margin {name}`")
                continue
            actions = [a for a in sub._actions if a.dest == "action"]
            if actions and action is not None and action not in actions[0].choices:
                wrong.append(f"{path.relative_to(REPO)}: `margin {name} {action}`")
    assert wrong == []


def test_readme_links_every_page_of_the_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in readme, f"README.md does not link docs/{page.name}"


def test_the_runner_follows_the_marks_and_catches_a_wrong_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = REPO / "docs" / "example.md"  # a place for messages only: the file is written in tmp_path
    text = """\
# Example

```
margin init study   # a comment with an apostrophe: Margin's
cd study
```

<!-- file: documents/g/int-01.txt -->
```
P1: "#1" in {quotes}[x]
```

```
margin check                       # fails: the code 'x' is not in the codebook
margin code add x
margin check
margin --json show int-01 > shown.json
git log --format=%s -n 1
```

<!-- illustration -->
```
$ margin nonsense
```

<!-- run: new -->
```
margin codes                       # here: no project
```
"""
    found = blocks_of(page, text)
    assert [b.mark for b in found] == [None, "file: documents/g/int-01.txt", None, "illustration", "run: new"]
    session = Session(tmp_path, capsys)
    for block in found[:4]:
        session.block(block)
    assert session.cwd.name == "study" and (session.cwd / "shown.json").read_text().startswith("{")
    with pytest.raises(AssertionError, match=r"docs/example.md:28: `margin codes` exited 1"):
        session.block(found[4])
    with pytest.raises(AssertionError, match="is not a command"):
        session.block(Block(page, 1, None, ["pip install margin"]))
    with pytest.raises(AssertionError, match="exited 0"):
        session.block(Block(page, 1, "run: new", ["margin --version  # fails"]))
