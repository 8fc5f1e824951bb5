"""Bad invocations through the real entry point: one clear line, exit status 1 or 2, never a traceback;
JSON with --json; and messages that name only commands that exist."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, commit_project, write_project
from margin.cli import UsageError, build_parser, main


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed project (``study``), one whose codebook.yaml is a folder (``broken``), one with a
    document that links to a file that is gone (``dangling``), and a group folder named ``-x``."""
    base = tmp_path_factory.mktemp("places")
    study = commit_project(write_project(base / "study"))
    (study / "documents" / "-x").mkdir()
    (study / "documents" / "-x" / "int-01.txt").write_text("P07: words\n", encoding="utf-8")
    broken = write_project(base / "broken")
    (broken / "codebook.yaml").unlink()
    (broken / "codebook.yaml").mkdir()
    dangling = write_project(base / "dangling")
    (dangling / "documents" / "qual1" / "gone.txt").symlink_to(dangling / "documents" / "nothing.txt")
    return base


def margin(
    args: list[str], cwd: Path, *, gone: Path | None = None, json_out: bool = False
) -> subprocess.CompletedProcess[str]:
    """``margin ARGS`` as a user runs it, with no terminal; ``gone``: a folder the process starts in and
    that is deleted before margin runs."""

    def start_in_a_deleted_folder() -> None:
        assert gone is not None
        os.chdir(gone)
        os.rmdir(gone)

    if gone is not None:
        gone.mkdir()
    return subprocess.run(
        [sys.executable, "-m", "margin", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,  # `margin open` without a terminal used to wait for ever
        check=False,
        preexec_fn=start_in_a_deleted_folder if gone is not None else None,
    )


BAD = [
    # projects and folders
    "init margin.yaml",
    "init margin.yaml/inside",
    "demo margin.yaml --no-open",
    "open",
    "",
    "open no-such-folder",
    "-C no-such-folder codes",
    "-C margin.yaml codes",
    # wrong types, unknown commands and options
    "bogus",
    "codes --bogus",
    "coding add int-07 --start abc --end 3 presence",
    "log -n many",
    "segments presence --format xml",
    "codebook merge codebook.yaml --threshold 1000",
    "codebook merge codebook.yaml --threshold -5",
    "show -x/int-01",
    # missing files, folders instead of files
    "show no-such-doc",
    "textconv no-such-file.txt",
    "textconv documents",
    "codebook merge no-such-codebook.yaml",
    "codebook merge margin.yaml",
    "codebook merge codebook.yaml --mapping documents",
    "codebook merge codebook.yaml --mapping no-such-mapping.yaml --apply",
    "-C ../broken codes",
    "-C ../broken check",
    "-C ../dangling codes",
    "-C ../dangling check",
    # empty and meaningless names
    "code add ''",
    "set create ''",
    "code relabel presence ''",
    "code reslug presence presence",
    "code move presence --top --index 99",
    "coding add int-07 --start 0 --end 99999 presence",
]


@pytest.mark.parametrize("command", BAD)
def test_a_bad_invocation_gets_one_clear_line(
    places: Path, command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = shlex.split(command)
    done = margin(args, places / "study")
    assert done.returncode in (1, 2), (command, done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("margin: "), (command, done.stderr)
    # the same with --json (in this process: the same entry point, quicker): one JSON object on
    # standard output, nothing else
    monkeypatch.chdir(places / "study")
    assert main(["--json", *args]) == done.returncode
    captured = capsys.readouterr()
    assert captured.err == "" and "error" in json.loads(captured.out), captured
    assert "\n" not in captured.out.strip()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_gets_one_clear_line(places: Path) -> None:
    settings = places / "study" / "participants.yaml"
    settings.chmod(0)
    try:
        done = margin(["check"], places / "study")
    finally:
        settings.chmod(0o644)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "participants.yaml" in done.stdout + done.stderr and "permission denied" in done.stderr.lower()


def test_commands_from_a_deleted_folder(places: Path, tmp_path: Path) -> None:
    done = margin(["codes"], places / "study", gone=tmp_path / "gone")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == (
        "margin: the current folder no longer exists — `cd` into a project, or name one with `-C PATH`\n"
    )
    done = margin(["-C", str(places / "study"), "--json", "codes"], places, gone=tmp_path / "gone2")
    assert done.returncode == 0, done.stderr
    assert {row["slug"] for row in json.loads(done.stdout)} >= {"presence", "language"}


def test_open_without_a_terminal_refuses_at_once(places: Path) -> None:
    done = margin(["open"], places / "study")
    assert done.returncode == 1
    assert "the app needs a terminal" in done.stderr and "`margin open` in a terminal" in done.stderr


def test_a_group_folder_starting_with_a_dash(places: Path) -> None:
    study = places / "study"
    done = margin(["show", "-x/int-01"], study)
    assert done.returncode == 2
    assert "`margin show -- -x/int-01`" in done.stderr and "documents/-x/int-01.txt" in done.stderr
    assert margin(["show", "--", "-x/int-01"], study).stdout.startswith("-x/int-01\n")
    assert margin(["show", "documents/-x/int-01.txt"], study).stdout.startswith("-x/int-01\n")
    assert margin(["show", "--", "-x/int-01"], study).returncode == 0


# --- messages name only commands that exist ---------------------------------------------------------
def message_commands() -> Iterator[tuple[str, str]]:
    """(place, command) for every backquoted `margin …` in a string of src/ that is not a docstring;
    an f-string's replacement fields read as the word `x`."""
    for path in sorted((REPO / "src" / "margin").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
            elif (
                isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            ):
                text = node.value
            else:
                continue
            for found in re.finditer(r"`(margin(?: [^`]*)?)`", text):
                yield f"{path.relative_to(REPO)}:{node.lineno}", found.group(1)


def test_messages_name_only_commands_that_exist() -> None:
    found = list(message_commands())
    assert len(found) > 50  # the scan sees the messages
    wrong = []
    for place, command in found:
        try:
            build_parser().parse_args(shlex.split(command)[1:])
        except UsageError as exc:
            wrong.append(f"{place}: `{command}`: {exc}")
        except SystemExit as exc:  # `margin … --help`
            if exc.code != 0:
                wrong.append(f"{place}: `{command}`")
    assert wrong == []
