"""No write over a change made on disk: every operation's write compares the disk with what was read.

Each test reads a project, lets "another program" change a file the operation writes, runs the
operation and asserts that it is refused with ChangedOnDisk, that the other program's change is on disk
untouched, and that no other file of the operation was written either.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from margin.cli import main
from margin.core import operations as ops
from margin.core.disk import Files, read_stable
from margin.core.errors import ChangedOnDisk
from margin.core.operations import Change, History
from margin.core.project import Project

INT07 = "documents/qual1/int-07.txt"
FG01 = "documents/qual2/fg-01.txt"
EDITOR_LINE = "P07: A paragraph an editor added.\n"


def outside_edit(root: Path, name: str) -> str:
    """Change ``name`` as another program would (in place, as editors save); returns the new content."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    text += EDITOR_LINE if name.startswith("documents/") else "# a comment written in an editor\n"
    with open(path, "r+", encoding="utf-8") as handle:
        handle.truncate(0)
        handle.write(text)
    return text


def span(project: Project, words: str, doc_id: str = "qual1/int-07") -> tuple[int, int]:
    text = project.document(doc_id).text
    start = text.index(words)
    return start, start + len(words)


def coded(project: Project, words: str) -> tuple[int, int]:
    """The span of the coding whose words are ``words``."""
    doc = project.document("qual1/int-07")
    return next((c.start, c.end) for c in doc.codings if doc.text[c.start : c.end] == words)


Operation = Callable[[Project], Change]

OPERATIONS: dict[str, tuple[tuple[str, ...], Operation]] = {
    "apply codes": (
        (INT07,),
        lambda p: ops.apply_codes(p, "qual1/int-07", *span(p, "at work"), ["presence"]),
    ),
    "remove coding": (
        (INT07,),
        lambda p: ops.remove_coding(p, "qual1/int-07", *coded(p, "more attentive to language")),
    ),
    "change coding": (
        (INT07,),
        lambda p: ops.change_coding(p, "qual1/int-07", *coded(p, "more attentive to language"), memo="why"),
    ),
    "edit text": (
        (INT07,),
        lambda p: ops.edit_text(p, "qual1/int-07", 1, "P07: I have become careful at work.", confirmed=True),
    ),
    "document variable": ((INT07,), lambda p: ops.set_document_variable(p, "qual1/int-07", "site", "north")),
    "add code": (("codebook.yaml",), lambda p: ops.add_code(p, "pets", "Pets at home")),
    "relabel code": (("codebook.yaml",), lambda p: ops.update_code(p, "language", label="Careful words")),
    "move code": (("codebook.yaml",), lambda p: ops.move_code(p, "presence", "attitude")),
    "add set": (("codebook.yaml",), lambda p: ops.add_set(p, "feedback", "Feedback", ["presence"])),
    "add to set": (
        ("codebook.yaml",),
        lambda p: (ops.add_set(p, "feedback", "Feedback"), ops.add_to_set(p, "feedback", "presence"))[1],
    ),
    "set attribute": (("participants.yaml",), lambda p: ops.set_attribute(p, "p07", "role", "MHW")),
    "re-slug (codebook changed)": (
        ("codebook.yaml",),
        lambda p: ops.reslug_code(p, "presence", "being-there"),
    ),
    "re-slug (transcript changed)": ((INT07,), lambda p: ops.reslug_code(p, "presence", "being-there")),
    "merge (transcript changed)": ((FG01,), lambda p: ops.merge_codes(p, "presence", "seriousness")),
    "split (transcript changed)": (
        (INT07,),
        lambda p: ops.split_code(p, "presence", ["Near", "Far"], "Near"),
    ),
    "delete --force (transcript changed)": ((FG01,), lambda p: ops.delete_code(p, "presence", force=True)),
}


def snapshot(root: Path) -> dict[str, str]:
    files = ["codebook.yaml", "participants.yaml", INT07, FG01]
    return {name: (root / name).read_text(encoding="utf-8") for name in files}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_an_operation_never_writes_over_a_file_changed_since_it_was_read(
    project_dir: Path, name: str
) -> None:
    changed, operation = OPERATIONS[name]
    project = Project.load(project_dir)
    for doc_id in project.document_ids():
        project.document(doc_id)  # read, as the app has them at start-up
    project.participants  # noqa: B018 (read it too)
    for path in changed:
        outside_edit(project_dir, path)
    before = snapshot(project_dir)
    with pytest.raises(ChangedOnDisk) as refused:
        operation(project)
    assert snapshot(project_dir) == before  # the other program's change survives, nothing else was written
    assert set(refused.value.paths) == set(changed)
    assert "changed on disk" in str(refused.value) and "nothing was written" in str(refused.value)


def test_undo_and_redo_never_write_over_a_change_on_disk(project_dir: Path) -> None:
    project = Project.load(project_dir)
    history = History()
    history.record(ops.update_code(project, "language", label="Careful words"))
    edited = outside_edit(project_dir, "codebook.yaml")
    with pytest.raises(ChangedOnDisk):
        history.undo(project)
    assert (project_dir / "codebook.yaml").read_text(encoding="utf-8") == edited


def test_a_file_touched_but_not_changed_is_written(project_dir: Path) -> None:
    project = Project.load(project_dir)
    path = project_dir / INT07
    os.utime(path, ns=(1, 1))  # same bytes, another time (a copy back, `touch`)
    ops.apply_codes(project, "qual1/int-07", *span(project, "at work"), ["presence"])
    assert "{at work}[presence]" in path.read_text(encoding="utf-8")


def test_a_file_that_appeared_since_it_was_looked_for_is_not_written_over(project_dir: Path) -> None:
    (project_dir / "codebook.yaml").unlink()
    project = Project.load(project_dir)  # no codebook yet: an empty one
    written = "codes:\n  made-elsewhere:\n    label: Made elsewhere\n"
    (project_dir / "codebook.yaml").write_text(written, encoding="utf-8")
    with pytest.raises(ChangedOnDisk):
        ops.add_code(project, "pets", "Pets at home")
    assert (project_dir / "codebook.yaml").read_text(encoding="utf-8") == written


def test_a_half_written_file_read_between_an_editors_writes_is_never_saved(project_dir: Path) -> None:
    """An editor saving in place: truncate, write half, (Margin reads), write the rest. What Margin read
    is not the file any more, so its save is refused and the whole transcript survives."""
    path = project_dir / INT07
    whole = path.read_text(encoding="utf-8")
    with open(path, "r+", encoding="utf-8") as editor:
        editor.truncate(0)
        editor.write(whole[: whole.index("P07: I have")])
        editor.flush()
        project = Project.load(project_dir)
        half = project.document("qual1/int-07")
        assert half.paragraph_count == 1
        editor.write(whole[whole.index("P07: I have") :])
    with pytest.raises(ChangedOnDisk):
        ops.apply_codes(project, "qual1/int-07", 0, 2, ["presence"])
    assert path.read_text(encoding="utf-8") == whole


def test_a_read_is_retried_while_the_file_changes_under_it(tmp_path: Path) -> None:
    """A writer appending while Margin reads: every read that returns is one whole state of the file."""
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 1_000_000)
    writer = subprocess.Popen(
        [
            "python3",
            "-c",
            "import sys, time\n"
            "with open(sys.argv[1], 'ab', buffering=0) as f:\n"
            "    for _ in range(400):\n"
            "        f.write(b'y' * 5000); time.sleep(0.002)\n",
            str(path),
        ]
    )
    try:
        sizes = set()
        while writer.poll() is None:
            found = read_stable(path)
            assert found is not None
            data, stamp = found
            assert len(data) == stamp[1]  # the bytes read are the size the file had before and after
            sizes.add(len(data))
    finally:
        writer.wait(timeout=60)
    assert len(sizes) > 1


def test_files_remember_what_was_written_so_margin_can_write_again(tmp_path: Path) -> None:
    files = Files(tmp_path)
    path = tmp_path / "a.txt"
    files.write([(path, "one\n")])
    files.write([(path, "two\n")])  # its own write is not a change on disk
    path.write_text("three\n", encoding="utf-8")
    with pytest.raises(ChangedOnDisk):
        files.write([(path, "four\n")])
    assert path.read_text(encoding="utf-8") == "three\n"


def test_the_cli_stops_when_a_transcript_changes_while_it_runs(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`margin coding add` with an editor saving the transcript right after Margin read it."""
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project_dir, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project_dir, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "start"], cwd=project_dir, check=True)
    real_read = Files.read
    edited: list[str] = []

    def read_then_an_editor_saves(self: Files, path: Path, display: str = "") -> bytes | None:
        data = real_read(self, path, display)
        if path.name == "int-07.txt" and not edited:
            edited.append(outside_edit(project_dir, INT07))
        return data

    monkeypatch.setattr(Files, "read", read_then_an_editor_saves)
    text = Project.load(project_dir).document("qual1/int-07").text
    edited.clear()
    start = text.index("at work")
    code = main(
        [
            "-C",
            str(project_dir),
            "coding",
            "add",
            "int-07",
            "--start",
            str(start),
            "--end",
            str(start + 7),
            "presence",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "documents/qual1/int-07.txt changed on disk" in err and "nothing was written" in err
    assert (project_dir / INT07).read_text(encoding="utf-8") == edited[0]
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=project_dir, capture_output=True, text=True, check=True
    )
    assert len(log.stdout.splitlines()) == 1  # nothing committed
