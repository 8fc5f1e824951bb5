"""Bad input gets a clear error naming file, line and column — never a traceback, never silent loss."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from margin.cli import main


def check(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    code = main(["-C", str(root), *(args or ("check",))])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".margin" not in p.parts
    }


DOC = "documents/qual1/int-07.txt"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"\xef\xbb\xbf---\ntitle: x\n---\nP07: hello\n",
            f"{DOC}:1:1: the file starts with a byte order mark",
        ),
        (b"---\ntitle: x\n---\nP07: caf\xe9 au lait\n", f"{DOC}:4:9: invalid UTF-8 (byte 0xe9)"),
        (b"---\ntitle: x\n---\r\nP07: hello\r\n", f"{DOC}:3:4: a carriage return"),
        (b"---\ntitle: x\n---\nP07: hel\x00lo\n", f"{DOC}:4:9: a NUL byte"),
        (b"---\ntitle: x\n---\nP07: {open\n", f"{DOC}:4:6: '{{' is never closed"),
        (b"---\ntitle: x\n---\nP07: close} here\n", f"{DOC}:4:11: '}}' must be followed by a code list"),
        (b"---\ntitle: [x\n---\nP07: hi\n", f"{DOC}:3:1: invalid YAML"),
        (b"---\nrun: !!python/object/apply:os.system [echo hi]\n---\nP07: hi\n", f"{DOC}:2:6: a YAML tag"),
        (
            b"---\ntitle: x\nP07: never closed front matter\n",
            f"{DOC}:1:1: the front matter opened with '---'",
        ),
    ],
)
def test_bad_document_files(
    project_dir: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    (project_dir / DOC).write_bytes(content)
    before = snapshot(project_dir)
    code, text = check(capsys, project_dir)
    assert code == 1
    assert expected in text
    assert " — " in text  # every message says what to do
    code, text = check(capsys, project_dir, "show", "int-07")
    assert code == 1 and expected in text
    assert snapshot(project_dir) == before


def test_a_ten_megabyte_line_is_refused_quickly(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_dir / DOC).write_text("P07: " + "word " * 2_000_000 + "\n", encoding="utf-8")
    code, text = check(capsys, project_dir)
    assert code == 1
    assert f"{DOC}:1:1: this line has 10,000,005 characters" in text


def test_a_document_outside_the_project_is_refused(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("P07: not part of the study\n", encoding="utf-8")
    os.symlink(outside, project_dir / "documents" / "qual1" / "leak.txt")
    code, text = check(capsys, project_dir)
    assert code == 1
    assert "documents/qual1/leak.txt: this is a symbolic link (to " in text
    (project_dir / "documents" / "qual1" / "leak.txt").unlink()
    code, text = check(
        capsys, project_dir, "coding", "add", "../../../secret", "--start", "0", "--end", "3", "presence"
    )
    assert code == 1 and "no document '../../../secret'" in text
    from margin.core.errors import MarginError
    from margin.core.project import Project

    with pytest.raises(MarginError, match="not a document of this project"):
        Project.load(project_dir).document("../../secret")


def test_bad_codebook_and_settings(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    codebook = project_dir / "codebook.yaml"
    codebook.write_text(
        "codes:\n  a:\n    label: A\n  b:\n    children:\n      a: {label: again}\n", encoding="utf-8"
    )
    code, text = check(capsys, project_dir)
    assert code == 1 and "codebook.yaml:6:" in text and "'a'" in text
    codebook.write_text("codes: [unclosed\n", encoding="utf-8")
    code, text = check(capsys, project_dir, "codes")
    assert code == 1 and "codebook.yaml:2:1: invalid YAML" in text
    (project_dir / "margin.yaml").write_text("name: !!python/name:os.system\n", encoding="utf-8")
    code, text = check(capsys, project_dir, "codes")
    assert code == 1 and "margin.yaml:1:7: a YAML tag" in text


def test_unresolved_merge_conflict_is_explained(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project_dir / DOC
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[5:6] = ["<<<<<<< HEAD", lines[5], "=======", lines[5].replace("become", "became"), ">>>>>>> theirs"]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, text = check(capsys, project_dir)
    assert code == 1 and f"{DOC}:6:1: an unresolved git merge conflict" in text and "margin resolve" in text


def test_check_reports_every_problem_of_a_file_in_one_round(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BOM, CRLF line endings, a NUL, a stray brace, an unclosed one and an unknown code: all of them,
    in file order, and the labelled span that runs over a bad paragraph is not reported again."""
    (project_dir / DOC).write_bytes(
        b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nP07: a stray } here\r\nP07: {@a opened\r\n"
        b"P07: {never closed \x00 and\r\nP07: closed}@a[presence] {here}[presense]\r\n"
    )
    code, text = check(capsys, project_dir)
    assert code == 1
    found = [line.split(": ", 1)[0] for line in text.splitlines() if line.startswith(DOC)]
    assert found == [
        f"{DOC}:1:1",  # BOM
        f"{DOC}:1:4",  # CR
        f"{DOC}:2:9",
        f"{DOC}:3:4",
        f"{DOC}:4:14",  # the stray '}'
        f"{DOC}:4:20",
        f"{DOC}:5:16",
        f"{DOC}:6:6",  # the '{' never closed
        f"{DOC}:6:20",  # NUL
        f"{DOC}:6:25",
        f"{DOC}:7:33",  # unknown code 'presense' (the labelled span closes without a problem)
        f"{DOC}:7:42",
    ]
    assert "did you mean 'presence'" in text and "12 problems found" in text
    main(["-C", str(project_dir), "--json", "check"])
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [f"{p['path']}:{p['line']}:{p['column']}" for p in problems] == found


def test_check_goes_on_past_a_codebook_it_cannot_read(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_dir / "codebook.yaml").write_bytes(b"\xef\xbb\xbfcodes: [unclosed\r\n")
    (project_dir / "participants.yaml").write_bytes(b"participants: {p07: {role: PSW}, m02: {}}\r\n")
    (project_dir / DOC).write_text("P07: a stray } here\n", encoding="utf-8")
    code, text = check(capsys, project_dir)
    assert code == 1
    assert [line.split(": ", 1)[0] for line in text.splitlines()[:-1]] == [
        "codebook.yaml:1:1",  # BOM
        "codebook.yaml:1:17",  # CR
        "codebook.yaml:2:1",  # invalid YAML
        "participants.yaml:1:22",  # an undeclared attribute: the file is read on
        "participants.yaml:1:42",  # CR
        f"{DOC}:1:14",  # the document is still checked (its codes cannot be)
    ]


def test_check_without_a_codebook_file_takes_the_codebook_as_empty(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_dir / "codebook.yaml").unlink()
    code, text = check(capsys, project_dir)
    assert code == 1 and f"{DOC}:7:49: unknown code 'language'" in text
