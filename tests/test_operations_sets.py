"""Code-set operations (and their commands) and the history's listeners: small diffs of codebook.yaml,
exact undo, one commit per command."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from margin.cli import main
from margin.core.errors import OperationError
from margin.core.operations import (
    Change,
    History,
    add_set,
    add_to_set,
    apply_codes,
    delete_set,
    remove_from_set,
    update_set,
)
from margin.core.project import Project

DEMO = Path(__file__).resolve().parents[1] / "projects" / "peer-support"


def hunks(before: str, after: str) -> list[list[str]]:
    """The changed lines of each hunk of a diff (without context)."""
    found: list[list[str]] = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("@@"):
            found.append([])
        elif found and line[:1] in "+-":
            found[-1].append(line)
    return found


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "demo"))


def test_add_and_remove_a_code_in_a_flow_list_touch_one_line(demo: Path) -> None:
    project = Project.load(demo)
    path = demo / "codebook.yaml"
    original = path.read_text(encoding="utf-8")
    change = add_to_set(project, "theme-conditions", "presence")
    added = path.read_text(encoding="utf-8")
    assert project.codebook.sets["theme-conditions"].codes[-1] == "presence"
    [hunk] = hunks(original, added)
    assert len(hunk) == 2 and hunk[1].endswith("employment-conditions, psw-strain, presence]")
    assert change.action == "set.add-code" and "theme-conditions" in change.summary

    remove_from_set(project, "theme-conditions", "presence")
    assert path.read_text(encoding="utf-8") == original


def test_set_operations_by_alias_and_refusals(demo: Path) -> None:
    project = Project.load(demo)
    add_to_set(project, "theme-conditions", "careful-language")  # an alias of appreciative-language
    assert "appreciative-language" in project.codebook.sets["theme-conditions"].codes
    with pytest.raises(OperationError, match="already in the set"):
        add_to_set(project, "theme-conditions", "appreciative-language")
    with pytest.raises(OperationError, match="is not in the set"):
        remove_from_set(project, "theme-conditions", "presence")
    with pytest.raises(
        OperationError, match=r"unknown code set 'theme-conditons'.*did you mean 'theme-conditions'"
    ):
        add_to_set(project, "theme-conditons", "presence")
    with pytest.raises(OperationError, match="unknown code"):
        add_to_set(project, "theme-conditions", "no-such-code")


def test_create_edit_and_delete_a_set_undo_to_the_same_bytes(project_dir: Path) -> None:
    project = Project.load(project_dir)
    path = project_dir / "codebook.yaml"
    original = path.read_bytes()
    history = History()
    history.record(add_set(project, "theme-voice", "Candidate theme: voice", ["language", "presence"]))
    assert project.codebook.sets["theme-voice"].codes == ("language", "presence")
    assert Project.load(project_dir).codebook.sets["theme-voice"].label == "Candidate theme: voice"
    history.record(update_set(project, "theme-voice", description="Being heard"))
    assert Project.load(project_dir).codebook.sets["theme-voice"].description == "Being heard"
    history.record(add_to_set(project, "theme-voice", "role-models"))
    history.record(delete_set(project, "theme-voice"))
    assert "theme-voice" not in Project.load(project_dir).codebook.sets
    while history.undo(project):
        pass
    assert path.read_bytes() == original
    add_set(project, "theme-voice", "Voice")
    with pytest.raises(OperationError, match="there is already a set"):
        add_set(project, "theme-voice", "Voice again")


def test_history_tells_its_listeners_what_reached_the_project(project_dir: Path) -> None:
    project = Project.load(project_dir)
    heard: list[Change] = []
    history = History()
    history.listeners.append(heard.append)
    start = project.document("qual1/int-07").text.index("How did")
    change = history.record(apply_codes(project, "qual1/int-07", start, start + 7, ["presence"]))
    history.undo(project)
    history.redo(project)
    assert [c.summary for c in heard] == [change.summary, "undo: " + change.summary, change.summary]
    before, after = heard[1].documents["qual1/int-07"]
    assert len(after.codings) == len(before.codings) - 1  # the undo's change goes from coded to uncoded


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_lists_and_changes_code_sets_one_commit_each(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Demo study"]):
        subprocess.run(["git", *args], cwd=demo, check=True)
    code, out, _ = run(capsys, demo, "--json", "sets")
    sets = {s["slug"]: s for s in json.loads(out)}
    assert code == 0 and len(sets) == 5
    assert "presence" in sets["theme-change-by-being-there"]["codes"]
    assert (
        run(capsys, demo, "set", "create", "Candidate theme: voice", "presence", "--description", "Heard")[0]
        == 0
    )
    assert run(capsys, demo, "set", "add", "candidate-theme-voice", "careful-language")[0] == 0
    assert run(capsys, demo, "set", "remove", "candidate-theme-voice", "presence")[0] == 0
    assert run(capsys, demo, "set", "edit", "candidate-theme-voice", "--label", "Voice")[0] == 0
    code_set = Project.load(demo).codebook.sets["candidate-theme-voice"]
    assert (code_set.label, code_set.description, code_set.codes) == (
        "Voice",
        "Heard",
        ("appreciative-language",),
    )
    code, out, _ = run(capsys, demo, "sets")
    assert "Voice  candidate-theme-voice\n  Heard\n  Appreciative language\n" in out
    code, _, err = run(capsys, demo, "set", "add", "candidate-theme-voice", "no-such-code")
    assert code == 1 and "unknown code 'no-such-code'" in err
    assert run(capsys, demo, "set", "delete", "candidate-theme-voice")[0] == 0
    assert "candidate-theme-voice" not in Project.load(demo).codebook.sets
    log = subprocess.run(["git", "log", "--format=%s"], cwd=demo, capture_output=True, text=True, check=True)
    assert log.stdout.splitlines()[:5] == [
        "code set deleted: candidate-theme-voice",
        "code set edited: candidate-theme-voice (label)",
        "code set candidate-theme-voice: - presence",
        "code set candidate-theme-voice: + appreciative-language",
        "code set created: candidate-theme-voice 'Candidate theme: voice' with presence",
    ]
