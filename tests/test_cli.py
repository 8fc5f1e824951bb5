"""The command line through its real entry point, on real projects and git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from margin.cli import main
from margin.core.project import Project


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".margin" not in p.parts
    }


def test_version_in_a_fresh_process_without_textual(project_dir: Path) -> None:
    code = (
        "import sys; from margin.cli import main; rc = main(['--json', 'codes']);"
        "print('TEXTUAL' if 'textual' in sys.modules else 'LIGHT')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=project_dir, check=False
    )
    assert result.stdout.strip().endswith("LIGHT"), result.stdout + result.stderr
    version = subprocess.run(
        [sys.executable, "-m", "margin", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("margin ")


def test_init_makes_a_git_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "init", str(tmp_path / "new"))
    assert code == 0
    root = tmp_path / "new"
    assert (root / "margin.yaml").is_file() and (root / "codebook.yaml").is_file()
    log = subprocess.run(
        ["git", "-C", str(root), "log", "--format=%an %s"], capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Test Coder Start the Margin project"
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    assert run(capsys, "-C", str(root), "check")[0] == 0
    code, _, err = run(capsys, "init", str(root))
    assert code == 1 and "already" in err


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_init_makes_files_with_the_umask_mode(tmp_path: Path, umask: int, mode: int) -> None:
    """As any program would: not the 600 of a temporary file (the files are renamed temporary files)."""
    subprocess.run(
        [sys.executable, "-m", "margin", "init", str(tmp_path / "new")],
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(umask) and None,
    )
    made = {
        p.relative_to(tmp_path / "new").as_posix(): p.stat().st_mode & 0o777
        for p in (tmp_path / "new").rglob("*")
        if p.is_file() and ".git" not in p.parts
    }
    assert set(made) >= {"margin.yaml", "codebook.yaml", "participants.yaml", ".margin/.gitignore"}
    assert set(made.values()) == {mode}, made


def test_demo_no_open_creates_a_valid_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "demo", "--no-open")
    assert code == 0
    path = Path(out.strip())
    assert path == tmp_path / "margin-demo"
    assert run(capsys, "-C", str(path), "check")[0] == 0
    code, out, _ = run(capsys, "demo", "--no-open")
    assert Path(out.strip()) == tmp_path / "margin-demo-2"


def test_codes_counts_own_and_aggregate(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(project_dir), "--json", "codes")
    assert code == 0
    rows = {r["slug"]: r for r in json.loads(out)}
    assert rows["presence"]["own"] == 2 and rows["presence"]["documents"] == 2
    assert rows["language"]["own"] == 2
    assert rows["attitude"]["own"] == 0 and rows["attitude"]["aggregate"] == 3
    assert rows["how"]["aggregate"] == 2
    # the warm run (index cache) gives the same figures
    assert json.loads(run(capsys, "-C", str(project_dir), "--json", "codes")[1]) == list(rows.values())
    code, out, _ = run(capsys, "-C", str(project_dir), "codes")
    assert "Appreciative language" in out and "3 coded segments" not in out


def test_codes_by_document_counts_each_document_as_codes_counts_the_project(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(project_dir), "--json", "codes", "--by", "document")
    assert code == 0
    tables = {
        t["document"]: {r["slug"]: (r["own"], r["aggregate"]) for r in t["codes"]} for t in json.loads(out)
    }
    assert tables == {
        "qual1/int-07": {
            "attitude": (0, 2),
            "language": (1, 1),
            "seriousness": (1, 1),
            "how": (0, 1),
            "presence": (1, 1),
        },
        "qual2/fg-01": {"attitude": (0, 1), "language": (1, 1), "how": (0, 1), "presence": (1, 1)},
    }
    whole = {r["slug"]: r for r in json.loads(run(capsys, "-C", str(project_dir), "--json", "codes")[1])}
    for slug, row in whole.items():
        assert sum(t.get(slug, (0, 0))[0] for t in tables.values()) == row["own"]
        assert sum(slug in t for t in tables.values()) == row["documents"]
    code, out, _ = run(capsys, "-C", str(project_dir), "codes", "--by", "document")
    lines = out.splitlines()
    assert lines[1] == "qual1/int-07" and lines[-1] == "5 coded segments in 2 documents"
    assert any(line.split() == ["Presence", "presence", "1", "1"] for line in lines)


def test_coding_add_list_remove_round_trip(
    project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_dir)
    text = Project.load(".").document("qual2/fg-01").text
    start = text.index("Nothing coded")
    code, out, _ = run(
        capsys,
        "coding",
        "add",
        "fg-01",
        "--start",
        str(start),
        "--end",
        str(start + 7),
        "role-models",
        "--memo",
        "a memo | with ] chars",
    )
    assert code == 0 and "+ role-models on 'Nothing'" in out
    code, out, _ = run(capsys, "--json", "coding", "list", "fg-01")
    records = json.loads(out)
    added = next(r for r in records if r["codes"] == ["role-models"])
    assert added == {
        "document": "qual2/fg-01",
        "start": start,
        "end": start + 7,
        "text": "Nothing",
        "codes": ["role-models"],
        "memo": "a memo | with ] chars",
        "speaker": "M02",
        "paragraph": 2,
    }
    assert any(r["speaker"] == "M02" and r["codes"] == ["presence"] for r in records)
    assert run(capsys, "coding", "remove", "fg-01", "--start", str(start), "--end", str(start + 7))[0] == 0
    assert len(json.loads(run(capsys, "coding", "list", "fg-01", "--json")[1])) == 2


def test_failing_commands_change_nothing_and_say_why(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_bytes(project_dir)
    cases = [
        (["coding", "add", "int-07", "--start", "0", "--end", "5", "no-such-code"], "unknown code"),
        (["coding", "add", "int-07", "--start", "5", "--end", "5", "presence"], "empty"),
        (["coding", "add", "nope", "--start", "0", "--end", "5", "presence"], "no document 'nope'"),
        (["code", "delete", "presence"], "used by 2 coding"),
        (["code", "move", "attitude", "--to", "language"], "attitude"),
        (["code", "add", "presence"], "presence"),
        (["code", "reslug", "presence", "Bad Slug"], "slug"),
        (["code", "merge", "presence", "presence"], "itself"),
        (["code", "add", ""], "the name is empty"),
        (["code", "add", "   "], "the name is empty"),
        (["code", "add", "New code", "--label", ""], "the label is empty"),
        (["set", "create", ""], "the name is empty"),
        (["code", "relabel", "presence", ""], "label cannot be empty"),
        (["code", "relabel", "presence", "Presence"], "nothing to change"),
        (["code", "reslug", "presence", "presence"], "nothing to change"),
        (["code", "edit", "language", "--definition", "Staff reflect on the words they use."], "nothing"),
        (["codebook", "merge", "margin.yaml"], "not a code tree"),
        (["codebook", "merge", "participants.yaml"], "not a code tree"),
    ]
    for args, needle in cases:
        code, _, err = run(capsys, "-C", str(project_dir), *args)
        assert code == 1, args
        assert needle in err and "Traceback" not in err, (args, err)
    assert tree_bytes(project_dir) == before


def test_check_reports_file_line_column(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = project_dir / "documents/qual1/int-07.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "P07: an {unclosed brace here\n", encoding="utf-8")
    other = project_dir / "documents/qual2/fg-01.txt"
    other.write_text(other.read_text(encoding="utf-8").replace("[language]", "[langauge]"), encoding="utf-8")
    code, out, _ = run(capsys, "-C", str(project_dir), "check")
    assert code == 1
    assert "documents/qual1/int-07.txt:9:9: '{' is never closed" in out
    assert "documents/qual2/fg-01.txt:5:" in out and "did you mean 'language'" in out
    code, out, _ = run(capsys, "-C", str(project_dir), "--json", "check")
    problems = json.loads(out)["problems"]
    assert {(p["path"], p["line"]) for p in problems} == {
        ("documents/qual1/int-07.txt", 9),
        ("documents/qual2/fg-01.txt", 5),
    }


def test_show_renders_codings_without_colour(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(project_dir), "show", "int-07")
    assert code == 0
    assert "P07: I have become more attentive to language at work." in out
    assert "▸ language: “more attentive to language”" in out
    assert "\x1b[" not in out
    code, out, _ = run(capsys, "-C", str(project_dir), "show")
    assert "qual1/int-07" in out and "qual2/fg-01" in out


def test_not_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-C", str(tmp_path), "codes")
    assert code == 1 and "margin init" in err


def test_second_writer_is_refused(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from margin.core.lock import ProjectLock

    with ProjectLock(project_dir / ".margin", "margin open"):
        code, _, err = run(capsys, "-C", str(project_dir), "code", "add", "new-one")
    assert code == 1 and "in use by another Margin (margin open" in err
    assert run(capsys, "-C", str(project_dir), "code", "add", "new-one")[0] == 0


def test_help_lists_the_commands_people_run_and_not_the_git_drivers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out
    assert "resolve" in listed and "codebook" in listed
    assert "textconv" not in listed and "merge-file" not in listed and "SUPPRESS" not in listed
