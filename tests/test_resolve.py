"""`margin resolve` on real merges that stopped on conflicts: listing, choosing per paragraph or code,
editing, and staging so the merge can be committed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import CODEBOOK, INT07
from margin.cli import main
from margin.core.codebook import Codebook
from margin.core.errors import MarginError
from margin.core.project import Project
from test_drivers import DOC, git


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def conflicted(tmp_path: Path) -> Path:
    return make_conflicted(tmp_path)


def make_conflicted(tmp_path: Path) -> Path:
    """Malik's clone in the middle of a merge with Rosa's work: both fixed the same two paragraphs
    differently and relabelled the same code differently; other changes merged cleanly."""
    origin = tmp_path / "origin"
    assert main(["init", str(origin)]) == 0
    (origin / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (origin / "documents" / "qual1").mkdir()
    (origin / DOC).write_text(INT07, encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "A transcript")
    git(tmp_path, "clone", "-q", "--bare", str(origin), "remote.git")
    for name in ("rosa", "malik"):
        git(tmp_path, "clone", "-q", "remote.git", name)
        assert main(["-C", str(tmp_path / name), "check"]) == 0
        from margin.vcs import drivers

        drivers.install(tmp_path / name)
    rosa, malik = tmp_path / "rosa", tmp_path / "malik"
    replace(rosa / DOC, "I have become", "I've become")
    replace(rosa / DOC, "being the one}", "being the ones}")
    replace(rosa / DOC, "your team?", "{your team}[presence]?")
    replace(rosa / "codebook.yaml", "label: Presence", "label: Being present")
    replace(malik / DOC, "I have become", "I had become")
    replace(malik / DOC, "being the one}", "being {the only one}[role-models]}")
    replace(malik / "codebook.yaml", "label: Presence", "label: Being there")
    replace(malik / "codebook.yaml", "label: Role models", "label: Models")
    for who in (rosa, malik):
        git(who, "commit", "-qam", f"work of {who.name}")
    git(rosa, "push", "-q")
    merge = git(malik, "pull", "--no-rebase", "--no-edit", check=False)
    assert merge.returncode != 0
    return malik


def resolve(root: Path, *args: str) -> int:
    return main(["-C", str(root), "resolve", *args])


def test_resolve_lists_each_conflict_by_paragraph_and_code(
    conflicted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert resolve(conflicted) == 0
    out = capsys.readouterr().out
    assert "codebook.yaml:18  code presence" in out
    assert f"{DOC}:7  ¶2" in out and f"{DOC}:14  ¶3" in out
    assert "ours    P07: I had become" in out and "theirs  P07: I've become" in out
    assert main(["-C", str(conflicted), "--json", "resolve"]) == 0
    listing = json.loads(capsys.readouterr().out)["conflicts"]
    assert [(c["path"], c["where"], c["paragraph"], c["codes"]) for c in listing] == [
        ("codebook.yaml", "code presence", None, ["presence"]),
        (DOC, "¶2", 2, []),
        (DOC, "¶3", 3, []),
    ]
    # everything that did not conflict is merged already
    text = (conflicted / DOC).read_text(encoding="utf-8")
    assert "How did peer support change {your team}[presence]?" in text
    assert "label: Models" in (conflicted / "codebook.yaml").read_text(encoding="utf-8")


def test_resolving_every_conflict_stages_the_files_so_the_merge_can_be_committed(
    conflicted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert resolve(conflicted, "int-07", "--theirs", "--paragraph", "2") == 0
    assert git(conflicted, "diff", "--name-only", "--diff-filter=U").stdout.split() == ["codebook.yaml", DOC]
    assert resolve(conflicted, "qual1/int-07", "--both", "--paragraph", "3") == 0
    assert resolve(conflicted, "codebook.yaml", "--code", "presence", "--ours") == 0
    out = capsys.readouterr().out
    assert f"{DOC}: 1 conflict(s) resolved with both — staged" in out
    assert out.endswith(
        "All conflicts resolved — `margin sync` commits the merge and pushes it (or `git commit`)\n"
    )
    assert git(conflicted, "diff", "--name-only", "--diff-filter=U").stdout == ""
    git(conflicted, "commit", "--no-edit", "-q")
    doc = Project.load(conflicted).document("qual1/int-07")
    assert "P07: I've become more attentive" in doc.text
    # both: ours, then theirs, each with its codings
    assert "being the only one\nP07: It was clear that it was about us being the ones" in doc.text
    assert any(
        c.codes == ("role-models",) and doc.text[c.start : c.end] == "the only one" for c in doc.codings
    )
    assert (
        Codebook.parse((conflicted / "codebook.yaml").read_text(encoding="utf-8")).label("presence")
        == "Being there"
    )
    assert main(["-C", str(conflicted), "check"]) == 0


def test_a_document_choice_applies_to_all_its_conflicts(conflicted: Path) -> None:
    assert resolve(conflicted, "int-07", "--base") == 0
    text = (conflicted / DOC).read_text(encoding="utf-8")
    assert "I have become" in text and "being the one}" in text and "<<<<<<<" not in text
    assert git(conflicted, "diff", "--name-only", "--diff-filter=U").stdout.split() == ["codebook.yaml"]


def test_edit_opens_the_editor_on_one_conflict(
    conflicted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'w').write('P07: I have {truly}[presence] become more attentive.\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert resolve(conflicted, "int-07", "--edit", "--paragraph", "2") == 0
    text = (conflicted / DOC).read_text(encoding="utf-8")
    assert "P07: I have {truly}[presence] become more attentive.\n" in text
    assert text.count("<<<<<<<") == 1  # the other conflict is still there


def test_an_edit_that_keeps_markers_or_breaks_the_markup_is_refused(
    conflicted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (conflicted / DOC).read_text(encoding="utf-8")
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\n", encoding="utf-8")  # leaves the block as it was
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    assert resolve(conflicted, "int-07", "--edit", "--paragraph", "2") == 1
    assert "still holds conflict markers" in capsys.readouterr().err
    assert resolve(conflicted, "int-07", "--theirs", "--paragraph", "2") == 0
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('P07: {broken\\n')\n", encoding="utf-8")
    assert resolve(conflicted, "int-07", "--edit") == 1
    assert "'{' is never closed" in capsys.readouterr().err
    assert (conflicted / DOC).read_text(encoding="utf-8") != before
    assert (conflicted / DOC).read_text(encoding="utf-8").count("<<<<<<<") == 1


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("P07: {broken\n", "documents/qual1/int-07.txt:7:6: '{' is never closed"),
        ("P07: I had {become}[no code here]\n", "documents/qual1/int-07.txt:7:"),
    ],
    ids=["unclosed", "bad-codes"],
)
def test_an_edit_with_unreadable_markup_is_refused_while_another_conflict_waits(
    conflicted: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    written: str,
    said: str,
) -> None:
    """Not only when it is the file's last conflict: accepted, it would leave a file no choice of the other
    conflict could make readable, and the merge could not be finished."""
    before = (conflicted / DOC).read_text(encoding="utf-8")
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys\nopen(sys.argv[1], 'w').write({written!r})\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert resolve(conflicted, "int-07", "--edit", "--paragraph", "2") == 1
    assert said in capsys.readouterr().err
    assert (conflicted / DOC).read_text(encoding="utf-8") == before  # both conflicts still there
    for paragraph in ("2", "3"):
        assert resolve(conflicted, "int-07", "--theirs", "--paragraph", paragraph) == 0
    assert resolve(conflicted, "codebook.yaml", "--ours") == 0
    git(conflicted, "commit", "-q", "--no-edit")  # the merge can be finished
    assert main(["-C", str(conflicted), "check"]) == 0


def test_wrong_requests_are_explained(conflicted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert resolve(conflicted, "codebook.yaml", "--both") == 1
    assert "cannot be kept in both versions" in capsys.readouterr().err
    assert resolve(conflicted, "int-07", "--ours", "--paragraph", "9") == 1
    assert "has no conflict at paragraph 9 — its conflicts: ¶2, ¶3" in capsys.readouterr().err
    assert resolve(conflicted, "fg-01", "--ours") == 1
    assert "'fg-01' has no conflicts — conflicted files: codebook.yaml, documents/qual1/int-07.txt" in (
        capsys.readouterr().err
    )


def test_a_conflicted_project_says_what_to_do(conflicted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(conflicted), "check"]) == 1
    assert (
        "codebook.yaml:18:1: an unresolved git merge conflict — run `margin resolve`"
        in capsys.readouterr().out  # with the other problems: the documents are checked too
    )
    assert resolve(conflicted, "codebook", "--theirs") == 0
    capsys.readouterr()
    assert main(["-C", str(conflicted), "check"]) == 1
    out = capsys.readouterr().out
    assert f"{DOC}:7:1: an unresolved git merge conflict" in out and f"{DOC}:14:1:" in out


def test_a_document_deleted_on_one_side_and_changed_on_the_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_conflicted(tmp_path)
    git(root, "merge", "--abort")
    git(root, "rm", "-q", DOC)
    git(root, "commit", "-qm", "the transcript goes")
    assert git(root, "merge", "--no-edit", "origin/main", check=False).returncode != 0
    assert resolve(root) == 0
    assert f"{DOC}  the whole file" in capsys.readouterr().out
    assert resolve(root, "int-07", "--both") == 1
    assert "no conflict block to combine — choose --ours or --theirs" in capsys.readouterr().err
    assert resolve(root, "int-07", "--ours") == 0  # ours deleted it
    assert not (root / DOC).exists()
    assert DOC not in git(root, "diff", "--name-only", "--diff-filter=U").stdout


def test_a_conflict_chosen_from_a_listing_is_found_again_after_an_editor_resolved_another(
    conflicted: Path,
) -> None:
    """The conflict screen lists two conflicts of a transcript; meanwhile the user resolves the first in
    an editor. Taking theirs for the second (listed as block 1, now block 0) resolves that one, keeps the
    editor's resolution, and a listing that no longer exists is refused without writing."""
    from margin.core.conflict_blocks import parse_conflicts
    from margin.vcs import conflicts

    listed = conflicts.conflicts_in(conflicted, DOC)
    assert [c.where for c in listed] == ["¶2", "¶3"]
    path = conflicted / DOC
    text = path.read_text(encoding="utf-8")
    first = parse_conflicts(text, DOC).resolve(
        0, ["P07: I have become {more attentive to language}[language] at work."]
    )
    path.write_text(first.render(), encoding="utf-8")  # the editor's resolution of ¶2
    edited = path.read_text(encoding="utf-8")
    with pytest.raises(MarginError, match="changed since its conflicts were listed"):
        conflicts.resolve(conflicted, DOC, "ours", conflict=listed[0])  # no longer there
    assert path.read_text(encoding="utf-8") == edited
    done = conflicts.resolve(conflicted, DOC, "theirs", conflict=listed[1])
    assert done.remaining == 0
    text = path.read_text(encoding="utf-8")
    assert "P07: I have become {more attentive" in text and "being the ones}" in text
