"""`margin init` never leaves a repository without its first commit: git itself decides whether it knows
who commits (not GitPython's reading of the config files), and an init that failed anyway is finished by
the next one. Real git, the real command in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from history_helpers import git


def margin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "margin", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def own_config(tmp_path: Path) -> dict[str, str]:
    """An environment without a git identity of its own: a home with a ~/.gitconfig, and the global config
    file git reads set apart (GIT_CONFIG_GLOBAL, which git honours and GitPython does not)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_"))}
    env.pop("EMAIL", None)
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(tmp_path / "git-global"),
        GIT_CONFIG_NOSYSTEM="1",
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
    )
    return env


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("home_config", "git_config", "author"),
    [
        # GitPython reads ~/.gitconfig and sees Ada; git reads only GIT_CONFIG_GLOBAL and knows no one
        (
            "[user]\n\tname = Ada\n\temail = ada@example.org\n",
            "[user]\n\tuseConfigOnly = true\n",
            "Margin <margin@localhost>",
        ),
        # the other way round: git knows Grace, GitPython sees no one
        ("", "[user]\n\tname = Grace\n\temail = grace@example.org\n", "Grace <grace@example.org>"),
        # a name but no email, and git told not to guess one
        ("", "[user]\n\tname = Lin\n\tuseConfigOnly = true\n", "Margin <margin@localhost>"),
    ],
)
def test_init_commits_as_git_decides_who_commits(
    tmp_path: Path, own_config: dict[str, str], home_config: str, git_config: str, author: str
) -> None:
    write(Path(own_config["HOME"]) / ".gitconfig", home_config)
    write(Path(own_config["GIT_CONFIG_GLOBAL"]), git_config)
    root = tmp_path / "study"
    done = margin(own_config, "init", str(root))
    assert done.returncode == 0, done.stderr
    log = subprocess.run(
        ["git", "-C", str(root), "log", "--format=%an <%ae>|%s"],
        capture_output=True,
        text=True,
        env=own_config,
    )
    assert log.stdout.splitlines() == [f"{author}|Start the Margin project"]
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_second_init_finishes_a_project_left_without_its_first_commit(tmp_path: Path) -> None:
    root = tmp_path / "study"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    busy = root / ".git" / "index.lock"  # another git at work: the first init cannot commit
    busy.write_text("", encoding="utf-8")
    env = dict(os.environ)
    first = margin(env, "init", str(root))
    assert first.returncode == 1
    assert "the project's files are in place; once git works, `margin init` again makes the first commit" in (
        first.stderr
    )
    assert (root / "margin.yaml").is_file()
    assert subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "HEAD"], capture_output=True
    ).returncode
    busy.unlink()
    write(root / "margin.yaml", 'name: "Peer support"\n')  # edited meanwhile: kept
    write(root / ".codebook.yaml.abcd1234.tmp", "half written")  # left by an init that was killed
    second = margin(env, "init", str(root))
    assert second.returncode == 0, second.stderr
    assert git(root, "log", "--format=%s").splitlines() == ["Start the Margin project"]
    committed = git(root, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert {
        "margin.yaml",
        "codebook.yaml",
        "participants.yaml",
        ".gitattributes",
        ".margin/.gitignore",
    } <= set(committed)
    assert not any(name.endswith(".tmp") for name in committed)
    assert not (root / ".codebook.yaml.abcd1234.tmp").exists()
    assert git(root, "show", "HEAD:margin.yaml") == 'name: "Peer support"\n'
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert margin(env, "-C", str(root), "check").returncode == 0
    again = margin(env, "init", str(root))
    assert again.returncode == 1 and "is a Margin project already" in again.stderr
