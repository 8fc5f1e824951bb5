"""Registering the merge drivers with git: on init, in plain clones, and against hostile configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CODEBOOK, INT07
from margin.cli import main
from margin.vcs import drivers

DOC = "documents/qual1/int-07.txt"


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stdout}{result.stderr}")
    return result


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare remote holding a project made by `margin init`, with one transcript."""
    origin = tmp_path / "origin"
    assert main(["init", str(origin)]) == 0
    (origin / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (origin / "documents" / "qual1").mkdir()
    (origin / DOC).write_text(INT07, encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "A transcript")
    git(tmp_path, "clone", "-q", "--bare", str(origin), "remote.git")
    return tmp_path / "remote.git"


def clone(remote: Path, name: str) -> Path:
    """A clone made with plain git: no Margin configuration."""
    git(remote.parent, "clone", "-q", str(remote), name)
    return remote.parent / name


def two_coders(remote: Path, register: bool) -> tuple[Path, Path]:
    """Rosa and Malik code the same paragraph differently; Rosa pushes first."""
    rosa, malik = clone(remote, "rosa"), clone(remote, "malik")
    if register:
        drivers.install(rosa)
        drivers.install(malik)
    for who, old, new in (
        (rosa, "at work.", "at {work}[presence]."),
        (malik, "I have become", "{I have become}[role-models]"),
    ):
        path = who / DOC
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        git(who, "commit", "-qam", f"coding by {who.name}")
    git(rosa, "push", "-q")
    git(malik, "fetch", "-q")
    return rosa, malik


def test_init_registers_the_drivers_before_the_first_commit(tmp_path: Path) -> None:
    root = tmp_path / "study"
    assert main(["init", str(root)]) == 0
    assert drivers.check(root) == []
    committed = git(root, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert ".gitattributes" in committed and ".margin/gitconfig" in committed
    assert (root / ".margin" / "gitconfig").read_text(encoding="utf-8") == drivers.gitconfig_text()
    driver = git(root, "config", "--local", "merge.margin-doc.driver").stdout.strip()
    assert driver == f"{sys.executable} -m margin merge-file doc %O %A %B %P"
    assert "margin merge-file" not in (root / ".gitattributes").read_text(encoding="utf-8")
    assert git(root, "config", "--local", "--get-all", "include.path", check=False).stdout == ""
    attrs = git(root, "check-attr", "merge", "diff", "--", "documents/g/a.txt").stdout
    assert "merge: margin-doc" in attrs and "diff: margin" in attrs


def test_demo_registers_the_drivers(tmp_path: Path) -> None:
    assert main(["demo", str(tmp_path / "demo"), "--no-open"]) == 0
    assert drivers.check(tmp_path / "demo") == []


def test_a_plain_git_clone_merges_as_text_until_repaired(remote: Path) -> None:
    _, malik = two_coders(remote, register=False)
    problems = drivers.check(malik)
    assert problems[0].startswith(
        "git does not know Margin's drivers (merge.margin-doc, merge.margin-codebook"
    )
    assert any(".git/info/attributes" in p for p in problems)
    # without the drivers, git's text merge stops on a paragraph both only coded
    merge = git(malik, "merge", "--no-edit", "origin/main", check=False)
    assert merge.returncode != 0 and "CONFLICT (content)" in merge.stdout
    assert "<<<<<<<" in (malik / DOC).read_text(encoding="utf-8")
    git(malik, "merge", "--abort")
    # repair says what was wrong and registers them; the same merge is then clean with both codings
    assert drivers.repair(malik) == problems
    assert drivers.check(malik) == []
    git(malik, "merge", "--no-edit", "origin/main")
    text = (malik / DOC).read_text(encoding="utf-8")
    assert "{I have become}[role-models] {more attentive to language}[language] at {work}[presence]." in text


def test_repair_on_open_is_reported(remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    malik = clone(remote, "malik")
    from margin.cli.project_cmd import repair_drivers

    repair_drivers(malik)
    assert "git does not know Margin's drivers" in capsys.readouterr().err
    assert drivers.check(malik) == []


def test_an_altered_gitconfig_is_never_included_nor_run(remote: Path) -> None:
    _, malik = two_coders(remote, register=True)
    # a teammate commits a .margin/gitconfig whose driver runs another command, and someone
    # had told git to include it
    pwned = remote.parent / "PWNED"
    hostile = drivers.gitconfig_text().replace(
        "margin merge-file doc", f"touch {pwned}; margin merge-file doc"
    )
    (malik / ".margin" / "gitconfig").write_text(hostile, encoding="utf-8")
    git(malik, "config", "--local", "--add", "include.path", "../.margin/gitconfig")
    problems = drivers.check(malik)
    assert any("includes '../.margin/gitconfig', a file inside the project" in p for p in problems)
    assert any(
        p.startswith("merge.margin-doc.driver in .git/../.margin/gitconfig runs `touch") for p in problems
    )
    assert any(".margin/gitconfig differs from what Margin writes (line 6:" in p for p in problems)
    drivers.repair(malik)
    assert drivers.check(malik) == []
    assert git(malik, "config", "--local", "--get-all", "include.path", check=False).stdout == ""
    assert (malik / ".margin" / "gitconfig").read_text(encoding="utf-8") == drivers.gitconfig_text()
    git(malik, "merge", "--no-edit", "origin/main")
    assert not pwned.exists()


def test_a_driver_changed_in_local_config_is_found_and_replaced(remote: Path) -> None:
    malik = clone(remote, "malik")
    drivers.install(malik)
    git(malik, "config", "--local", "merge.margin-doc.driver", "sh -c 'echo hi' %A")
    [problem] = drivers.check(malik)
    assert problem.startswith("merge.margin-doc.driver in .git/config runs `sh -c 'echo hi' %A` instead of")
    drivers.repair(malik)
    assert drivers.check(malik) == []


def test_an_interpreter_that_is_gone_is_found(remote: Path) -> None:
    malik = clone(remote, "malik")
    drivers.install(malik)
    git(
        malik,
        "config",
        "--local",
        "merge.margin-doc.driver",
        "/no/such/python -m margin merge-file doc %O %A %B %P",
    )
    [problem] = drivers.check(malik)
    assert "runs `/no/such/python -m margin merge-file doc" in problem


def test_attributes_rerouting_transcripts_are_found_and_overridden(remote: Path) -> None:
    _, malik = two_coders(remote, register=False)
    # a teammate's .gitattributes sends transcripts to git's union merge, which would silently mix lines
    for where in (malik / ".gitattributes", malik / "documents" / "qual1" / ".gitattributes"):
        with where.open("a", encoding="utf-8") as handle:
            handle.write("*.txt merge=union\n")
    problems = drivers.check(malik)
    assert any(
        "git's attributes give documents/group/document.txt, documents/qual1/int-07.txt 'merge=union'" in p
        for p in problems
    )
    assert any(".gitattributes does not end with Margin's lines" in p for p in problems)
    drivers.repair(malik)
    assert drivers.check(malik) == []  # .git/info/attributes takes precedence over every committed file
    lines = (malik / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert (
        lines[-len(drivers.attributes_block()) :] == drivers.attributes_block()
    )  # Margin's lines last, so they win for plain git too
    git(malik, "merge", "--no-edit", "origin/main")
    assert "<<<<<<<" not in (malik / DOC).read_text(encoding="utf-8")


def test_the_driver_falls_back_to_a_text_merge_and_says_why(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(INT07, encoding="utf-8")
    ours.write_bytes(b"\xef\xbb\xbf" + INT07.replace("at work", "at home").encode())  # a BOM: not readable
    theirs.write_text(INT07.replace("at work", "at the office"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "margin", "merge-file", "doc", str(base), str(ours), str(theirs), DOC],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"could not merge {DOC} by paragraphs and codings" in result.stderr
    assert "byte order mark" in result.stderr
    merged = ours.read_text(encoding="utf-8")
    assert "<<<<<<< ours" in merged and "||||||| base" in merged and ">>>>>>> theirs" in merged


def test_the_driver_reports_conflicts_and_exits_1(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(INT07, encoding="utf-8")
    ours.write_text(INT07.replace("at work", "at home"), encoding="utf-8")
    theirs.write_text(INT07.replace("at work", "at the office"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "margin", "merge-file", "doc", str(base), str(ours), str(theirs), DOC],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == f"margin: {DOC}: conflict in ¶2 — run `margin resolve`\n"


def test_a_global_setting_that_local_config_overrides_is_no_problem(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    malik = clone(remote, "malik")
    drivers.install(malik)
    global_config = tmp_path / "gitconfig"
    global_config.write_text(
        '[merge "margin-doc"]\n\tdriver = margin merge-file doc %O %A %B %P\n', encoding="utf-8"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))
    assert drivers.check(malik) == []
