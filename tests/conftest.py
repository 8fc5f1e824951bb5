"""Shared fixtures: a git identity for every test, and small real projects on disk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "projects" / "peer-support"
SHARED = REPO.parent / "shared"

CODEBOOK = """\
# Codes for the small test project
codes:
  attitude:
    label: Attitude change
    codable: false
    children:
      language:
        label: Appreciative language
        definition: Staff reflect on the words they use.
        color: "#4e79a7"
      seriousness:
        label: Experience taken seriously
        color: "#f28e2b"
  how:
    label: How change happens
    children:
      presence:
        label: Presence
        color: "#59a14f"
      role-models:
        label: Role models
sets: {}
"""

PARTICIPANTS = """\
attributes:
  role:
    type: category
    values: [PSW, MHW]
participants:
  p07:
    role: PSW
  m02:
    role: MHW
"""

INT07 = """\
---
title: Interview 7
phase: QUAL1
speakers: {P07: p07, I1: null}
---
I1: How did peer support change your team?
P07: I have become {more attentive to language}[language] at work.
P07: {It was clear that {it was about us}[seriousness] being the one}[presence | first mention]
"""

FG01 = """\
---
title: Focus group
speakers: {M02: m02}
---
[00:00:05] M02: We {@a started listening and {then we}@a[presence] changed}[language].
M02: [laughs] Nothing coded here.
"""


def write_project(root: Path) -> Path:
    """A small valid project: two groups, nested, multi-code and crossing codings."""
    (root / "documents" / "qual1").mkdir(parents=True)
    (root / "documents" / "qual2").mkdir(parents=True)
    (root / "margin.yaml").write_text("name: Test study\n", encoding="utf-8")
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "participants.yaml").write_text(PARTICIPANTS, encoding="utf-8")
    (root / "documents" / "qual1" / "int-07.txt").write_text(INT07, encoding="utf-8")
    (root / "documents" / "qual2" / "fg-01.txt").write_text(FG01, encoding="utf-8")
    return root


def commit_project(root: Path) -> Path:
    """Make the project at ``root`` a git repository with everything committed (as `margin init` does),
    so the app keeps sessions and has nothing to warn about."""
    (root / ".gitignore").write_text(".margin/\n", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{kind}_NAME", "Test Coder")
        monkeypatch.setenv(f"GIT_{kind}_EMAIL", "coder@example.org")


@pytest.fixture(autouse=True)
def _own_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test reads and writes its own (empty) user settings, never the real ones."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(tmp_path / "study")
