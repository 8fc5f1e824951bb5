"""The demo study's history: what `margin demo` unpacks, the story it tells, and the builder that makes it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from margin.cli import main
from margin.core.codebook import Codebook
from margin.core.document import parse_document
from margin.demo import story
from margin.demo.history import BRANCHES, EXTRA_FILES, build
from margin.vcs import drivers
from margin.vcs.bundle import heads

REPO = Path(__file__).resolve().parents[1]
STUDY = REPO / "projects" / "peer-support"
BUNDLE = REPO / "projects" / "peer-support.bundle"
REBUILD = "run `python -m margin.demo.history build` and commit projects/peer-support.bundle"


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    return (
        subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", older, newer]).returncode == 0
    )


def show(root: Path, revision: str, path: str) -> str:
    return git(root, "show", f"{revision}:{path}")


def codings(root: Path, revision: str, doc_id: str) -> set[tuple[int, int, tuple[str, ...]]]:
    doc = parse_document(show(root, revision, f"documents/{doc_id}.txt"), doc_id)
    return {(c.start, c.end, c.codes) for c in doc.codings}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "study"
    assert main(["demo", str(path), "--no-open"]) == 0
    return path


def test_demo_is_a_clean_repository_with_every_branch_and_no_remote(demo: Path) -> None:
    assert set(git(demo, "branch", "--format=%(refname:short)").split()) == set(BRANCHES)
    assert git(demo, "branch", "--show-current").strip() == "main"
    assert git(demo, "remote").strip() == ""
    assert git(demo, "status", "--porcelain").strip() == ""
    assert "bundle" not in "".join(p.name for p in (demo / ".git").iterdir())
    assert not (demo / ".git" / "FETCH_HEAD").exists()
    assert drivers.check(demo) == []
    assert main(["-C", str(demo), "check"]) == 0


def test_the_last_commit_holds_the_demo_study_byte_for_byte(demo: Path) -> None:
    tracked = set(git(demo, "ls-files").split())
    study = {p.relative_to(STUDY).as_posix() for p in STUDY.rglob("*") if p.is_file()}
    assert tracked == study | set(EXTRA_FILES)
    for path in sorted(study):
        assert (demo / path).read_bytes() == (STUDY / path).read_bytes(), f"{path} differs — {REBUILD}"


def test_the_import_comes_first_uncoded_with_the_first_codebook(demo: Path) -> None:
    first = git(demo, "rev-list", "--max-parents=0", "main").split()
    assert len(first) == 1
    root = first[0]
    assert git(demo, "log", "-1", "--format=%an|%s", root).strip() == (
        "Rosa Lindqvist|Import the QUAL1 transcripts, the first codebook and the participants"
    )
    files = git(demo, "ls-tree", "-r", "--name-only", root).split()
    documents = [f for f in files if f.startswith("documents/")]
    assert documents and all(f.startswith("documents/qual1/") for f in documents)
    assert all(not codings(demo, root, f[10:-4]) for f in documents)
    codebook = Codebook.parse(show(demo, root, "codebook.yaml")).codes
    assert (
        codebook["careful-language"].label == "Careful language" and "appreciative-language" not in codebook
    )
    assert not {*story.CREATED_IN_QUAL1, *story.QUAL2_CODES_IN_QUAL1} & set(codebook)
    assert all(not code.aliases for code in codebook.values())
    assert "pandemic-conditions" not in str(codebook["time-and-staffing"])
    assert "QUAL2" not in show(demo, root, "participants.yaml").split("participants:")[1]


def test_two_coders_code_in_sessions_that_margin_log_reads(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["-C", str(demo), "--json", "log"]) == 0
    entries = json.loads(capsys.readouterr().out)
    sessions = [e for e in entries if e["session"] is not None]
    by = {name: [e for e in sessions if e["author"] == name] for name in (story.ROSA.name, story.MALIK.name)}
    assert all(len(found) >= 8 for found in by.values())
    assert {e["email"] for e in entries} == {story.ROSA.email, story.MALIK.email}
    assert all("2021" <= e["date"][:4] <= "2023" for e in entries)
    assert len({e["session"]["id"] for e in sessions}) == len(sessions)
    added = sum(e["session"]["codings_added"] for e in sessions)
    assert added >= 433  # every coding of the study, plus the calibration round's
    typo = [e for e in sessions if e["session"]["text_edits"]]
    assert [e["subject"] for e in typo] == ["Coding session: 24 codings added in int-psw-07, 1 text edit"]
    assert typo[0]["author"] == story.MALIK.name
    assert main(["-C", str(demo), "--json", "log", "--author", "Malik"]) == 0
    assert {e["author"] for e in json.loads(capsys.readouterr().out)} == {story.MALIK.name}


def test_a_sync_merged_both_coders_sessions_on_one_transcript(demo: Path) -> None:
    merges = git(demo, "log", "--merges", "--format=%H %s", "main").splitlines()
    syncs = [line.split()[0] for line in merges if line.endswith("Sync with origin/main")]
    assert syncs
    doc = "qual1/int-mhw-01"

    def both_coded(merge: str) -> bool:
        base = git(demo, "merge-base", f"{merge}^1", f"{merge}^2").strip()
        authors = {git(demo, "log", "-1", "--format=%an", f"{merge}^{n}").strip() for n in (1, 2)}
        before = codings(demo, base, doc)
        return len(authors) == 2 and all(codings(demo, f"{merge}^{n}", doc) != before for n in (1, 2))

    both = [m for m in syncs if both_coded(m)]
    assert both, "no sync merged two coders' sessions on int-mhw-01"
    merged = both[-1]
    ours, theirs = codings(demo, f"{merged}^1", doc), codings(demo, f"{merged}^2", doc)
    assert ours | theirs == codings(demo, merged, doc)


def test_qual2_was_coded_on_its_own_branch_and_its_code_tree_merged(demo: Path) -> None:
    assert is_ancestor(demo, "qual2", "main")
    on_branch = show(demo, "qual2", "codebook.yaml")
    assert "role-model:\n" in on_branch and "label: Role model\n" in on_branch
    merge = git(
        demo, "log", "--merges", "--format=%H", "--grep=^Merge the code tree of qual2", "main"
    ).split()
    assert (
        len(merge) == 1
        and git(demo, "rev-parse", f"{merge[0]}^2").strip() == git(demo, "rev-parse", "qual2").strip()
    )
    on_qual2 = git(demo, "log", "--format=%an|%s", f"{merge[0]}^1..qual2").splitlines()
    assert on_qual2[-1] == f"{story.MALIK.name}|Import the QUAL2 transcripts and participants"
    assert {line.split("|")[0] for line in on_qual2} == {story.ROSA.name, story.MALIK.name}
    fg = codings(demo, "qual2", "qual2/fg-01")
    assert fg and all(set(codes) <= {c.slug for c in story.OPEN_CODES} for _, _, codes in fg)
    message = git(demo, "log", "-1", "--format=%B", merge[0])
    assert (
        "- role-model 'Role model': merged into role-models (6 coding(s) in 2 document(s) recoded)" in message
    )
    assert "- sarcasm-misunderstood 'Sarcasm misunderstood': added under appreciative-language" in message
    assert "- qual2-open-codes 'QUAL2 open codes': skipped" in message
    assert git(demo, "log", "-1", "--format=%an %ad", "--date=format:%Y-%m", merge[0]).strip() == (
        "Rosa Lindqvist 2023-01"
    )
    final = show(demo, "main", "codebook.yaml")
    assert "aliases: [role-model]" in final and "qual2-open-codes" not in final
    # every transcript was recoded with the merged tree afterwards: QUAL1 now holds the QUAL2 codes
    assert any("sarcasm-misunderstood" in codes for _, _, codes in codings(demo, "main", "qual1/int-mhw-09"))
    assert not any("sarcasm-misunderstood" in c for _, _, c in codings(demo, merge[0], "qual1/int-mhw-09"))


def test_the_calibration_round_is_two_blind_codings_of_the_same_transcripts(demo: Path) -> None:
    rosa, malik = story.ROUND_BRANCHES[story.ROSA], story.ROUND_BRANCHES[story.MALIK]
    base = git(demo, "merge-base", rosa, malik).strip()
    assert base == git(demo, "rev-list", "--max-parents=0", "main").strip()
    for branch, person in ((rosa, story.ROSA), (malik, story.MALIK)):
        assert git(demo, "log", "--format=%an", f"{base}..{branch}").split("\n")[:-1] == [person.name]
        changed = git(demo, "diff", "--name-only", base, branch).split()
        assert changed == [f"documents/{d}.txt" for d in story.CALIBRATION_DOCUMENTS]
        assert not is_ancestor(demo, branch, "main")
    for doc in story.CALIBRATION_DOCUMENTS:
        a, b, kept = codings(demo, rosa, doc), codings(demo, malik, doc), codings(demo, "main", doc)
        assert a != b and len(a & b) >= 5, "the coders should differ, and agree on some segments"
        assert kept not in (a, b)


def test_the_shipped_history_is_what_the_builder_makes_now(tmp_path: Path) -> None:
    """The builder is deterministic and the shipped bundle is current: building again from the study gives
    the same commits on every branch."""
    commits, written = build(STUDY, tmp_path / "again.bundle")
    assert written and set(commits) == set(BRANCHES)
    assert commits == heads(BUNDLE), f"the shipped bundle is out of date — {REBUILD}"
    assert build(STUDY, tmp_path / "again.bundle") == (commits, False)


def test_a_study_that_no_longer_fits_the_story_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from margin.demo.history import main as build_main

    study = Path(shutil.copytree(STUDY, tmp_path / "study"))
    path = study / "documents" / "qual1" / "int-psw-07.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("her son has psychosis", "her son is ill"), "utf-8"
    )
    assert build_main(["build", "--project", str(study), "--out", str(tmp_path / "x.bundle")]) == 1
    err = capsys.readouterr().err
    assert "documents/qual1/int-psw-07.txt should hold 'her son has psychosis'" in err
    assert "Traceback" not in err and not (tmp_path / "x.bundle").exists()


def test_demo_from_an_installed_package(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "src" / "margin", site / "margin", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(BUNDLE, site / "margin" / "demo_project.bundle")
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-m", "margin", "demo", "--no-open"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    made = Path(result.stdout.strip())
    assert made == tmp_path / "margin-demo"
    check = subprocess.run(
        [sys.executable, "-m", "margin", "check"],
        cwd=made,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and check.stdout.startswith("ok: 17 documents"), check.stdout + check.stderr
    assert git(made, "rev-parse", "main").strip() == heads(BUNDLE)["main"]


def test_demo_refuses_a_directory_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["demo", str(tmp_path / "taken"), "--no-open"]) == 1
    assert "exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_a_file_that_is_not_a_bundle_is_a_clear_error(tmp_path: Path) -> None:
    from margin.vcs.repo import GitError

    bad = tmp_path / "demo.bundle"
    bad.write_text("not a bundle", encoding="utf-8")
    with pytest.raises(GitError, match="not a readable git bundle"):
        heads(bad)
