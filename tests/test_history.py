"""The history read back on real repositories: `margin log`, `margin diff`, `margin blame` (text and JSON),
the textconv diff driver through a real `git diff`, and scenario 5 end to end in the app."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

import pytest

from history_helpers import coder, git, session, span
from margin.cli import main
from margin.cli.history_cmd import textconv
from margin.core import operations as ops
from margin.core.project import Project
from margin.vcs.history import blame
from margin.vcs.repo import init_repository
from pilot import wait_for_sessions


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def history(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Start (plain commit), Rosa's session, Malik's session, a plain commit by hand."""
    root = project_dir
    init_repository(root, "Start")
    coder(monkeypatch, "Rosa Diaz")
    session(
        root,
        (ops.add_code, "a-tribunal", "A tribunal", "how"),
        (ops.apply_codes, "qual2/fg-01", *span(root, "qual2/fg-01", "Nothing"), ["a-tribunal"]),
        (ops.apply_codes, "qual2/fg-01", *span(root, "qual2/fg-01", "coded"), ["presence"]),
    )
    coder(monkeypatch, "Malik Osei")
    session(
        root,
        (ops.remove_coding, "qual1/int-07", *span(root, "qual1/int-07", "more attentive to language")),
        (ops.edit_text, "qual1/int-07", 0, "I1: How did peer support change the team?"),
        (ops.apply_codes, "qual2/fg-01", *span(root, "qual2/fg-01", "here"), ["language"]),
    )
    coder(monkeypatch, "Test Coder")
    (root / "margin.yaml").write_text("name: Peer study\n", encoding="utf-8")
    git(root, "commit", "-q", "-m", "Rename the study", "--", "margin.yaml")
    return root


def test_log_lists_sessions_with_counts_and_plain_commits(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(history), "log")
    assert code == 0
    lines = out.splitlines()
    assert re.fullmatch(r"[0-9a-f]{7}  \d{4}-\d\d-\d\d \d\d:\d\d  Test Coder", lines[0])
    assert lines[1] == "    Rename the study"
    assert lines[2].endswith("  Malik Osei")
    assert lines[3] == "    Coding session: 1 coding added in fg-01, 1 coding removed in int-07, 1 text edit"
    assert re.fullmatch(
        r"    codings \+1 -1 ~0 · codes 0 · text edits 1 · session \d{8}-\d{6}-[0-9a-f]{4}", lines[4]
    )
    assert lines[5].endswith("  Rosa Diaz")
    assert lines[6] == "    Coding session: 2 codings added in fg-01, 1 code created"
    assert lines[7].startswith("    codings +2 -0 ~0 · codes 1 · text edits 0 · session ")
    assert lines[8].endswith("  Test Coder") and lines[9] == "    Start" and len(lines) == 10

    code, out, _ = run(capsys, "-C", str(history), "log", "--json")
    entries = json.loads(out)
    assert [e["subject"] for e in entries][1:] == [
        "Coding session: 1 coding added in fg-01, 1 coding removed in int-07, 1 text edit",
        "Coding session: 2 codings added in fg-01, 1 code created",
        "Start",
    ]
    assert entries[0]["session"] is None
    assert entries[1]["author"] == "Malik Osei" and entries[1]["email"] == "malik@example.org"
    assert entries[1]["session"] == {
        "id": entries[1]["session"]["id"],
        "recovered": False,
        "codings_added": 1,
        "codings_removed": 1,
        "codings_changed": 0,
        "codes_changed": 0,
        "text_edits": 1,
    }
    assert entries[2]["commit"] == git(history, "rev-parse", "HEAD~2").strip()


@pytest.mark.parametrize(
    ("options", "subjects"),
    [
        (["-n", "2"], ["Rename the study", "Coding session: 1 coding added"]),
        (["--author", "rosa"], ["Coding session: 2 codings added"]),
        (["--document", "int-07"], ["Coding session: 1 coding added", "Start"]),
        (["--code", "a-tribunal"], ["Coding session: 2 codings added"]),
        (["--code", "language"], ["Coding session: 1 coding added", "Start"]),
        (["--code", "role-models"], ["Start"]),
        (["--author", "nobody"], []),
    ],
)
def test_log_filters(
    history: Path, capsys: pytest.CaptureFixture[str], options: list[str], subjects: list[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(history), "log", "--json", *options)
    assert code == 0
    found = [e["subject"] for e in json.loads(out)]
    assert len(found) == len(subjects) and all(f.startswith(s) for f, s in zip(found, subjects, strict=True))


def test_log_over_a_text_edit_of_a_coded_paragraph_does_not_count_as_the_code(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The line holding `presence` changes, but no decision is about presence."""
    session(
        history,
        (ops.edit_text, "qual1/int-07", 2, "P07: It was clear that it was about us being the only one"),
    )
    _, out, _ = run(capsys, "-C", str(history), "log", "--json", "--code", "presence")
    assert [e["subject"] for e in json.loads(out)] == [
        "Coding session: 2 codings added in fg-01, 1 code created",
        "Start",
    ]


def test_diff_shows_decisions_between_revisions_and_since_head(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(history), "diff", "HEAD~2..HEAD~1")
    assert code == 0
    assert out == (
        "qual1/int-07\n"
        "  ~ text (qual1/int-07 ¶1): … did peer support change [-your-]{+the+} team?\n"
        "  - language on 'more attentive to language' (qual1/int-07 ¶2)\n"
        "\n"
        "qual2/fg-01\n"
        "  + language on 'here' (qual2/fg-01 ¶2)\n"
        "\n"
        "1 coding added in fg-01, 1 coding removed in int-07, 1 text edit\n"
    )
    code, out, _ = run(capsys, "-C", str(history), "--json", "diff", "HEAD~3..HEAD~2")
    data = json.loads(out)
    assert data["from"] == git(history, "rev-parse", "HEAD~3").strip()
    assert data["to"] == git(history, "rev-parse", "HEAD~2").strip()
    assert data["counts"] == {
        "codings_added": 2,
        "codings_removed": 0,
        "codings_changed": 0,
        "codes_changed": 1,
        "text_edits": 0,
    }
    assert data["decisions"][0] == {
        "kind": "code-created",
        "path": "codebook.yaml",
        "text": "code created: a-tribunal 'A tribunal' under how",
        "after": "a-tribunal",
        "codes": ["a-tribunal"],
    }
    nothing = Project.load(history).document("qual2/fg-01").text.index("Nothing")
    assert data["decisions"][1] == {
        "kind": "coding-added",
        "path": "documents/qual2/fg-01.txt",
        "text": "+ a-tribunal on 'Nothing' (qual2/fg-01 ¶2)",
        "document": "qual2/fg-01",
        "paragraph": 2,
        "start": nothing,
        "end": nothing + 7,
        "codes": ["a-tribunal"],
    }

    assert run(capsys, "-C", str(history), "diff")[1] == "no changes\n"
    project = Project.load(history)
    ops.apply_codes(project, "qual1/int-07", *span(history, "qual1/int-07", "peer support"), ["presence"])
    code, out, _ = run(capsys, "-C", str(history), "diff")
    assert out.splitlines()[1] == "  + presence on 'peer support' (qual1/int-07 ¶1)"
    assert run(capsys, "-C", str(history), "diff", "HEAD~3")[1].count("\n  + ") == 4  # from Start to disk

    code, _, err = run(capsys, "-C", str(history), "diff", "no-such-rev..HEAD")
    assert code == 1 and "'no-such-rev' names no commit" in err and "Traceback" not in err


def test_blame_names_who_put_each_code_on_its_words(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = Project.load(history)
    ops.apply_codes(
        project, "qual2/fg-01", *span(history, "qual2/fg-01", "Nothing"), ["presence"]
    )  # not committed
    code, out, _ = run(capsys, "-C", str(history), "blame", "fg-01")
    assert code == 0
    rows = [
        re.sub(r"[0-9a-f]{7}  (.*?)  \d{4}-\d\d-\d\d \d\d:\d\d(  session \S+)?", r"\1", line)
        for line in out.splitlines()
    ]
    assert rows == [
        "qual2/fg-01",
        "¶1  'started listening and then we'",
        "    presence    Test Coder",
        "¶1  'then we changed'",
        "    language    Test Coder",
        "¶2  'Nothing'",
        "    a-tribunal  Rosa Diaz",
        "    presence    not committed yet",
        "¶2  'coded'",
        "    presence    Rosa Diaz",
        "¶2  'here'",
        "    language    Malik Osei",
    ]
    code, out, _ = run(capsys, "-C", str(history), "--json", "blame", "fg-01")
    data = json.loads(out)
    nothing = data["codings"][2]
    assert (nothing["start"], nothing["end"], nothing["paragraph"], nothing["text"]) == (
        project.document("qual2/fg-01").text.index("Nothing"),
        project.document("qual2/fg-01").text.index("Nothing") + 7,
        2,
        "Nothing",
    )
    rosa = git(history, "rev-parse", "HEAD~2").strip()
    assert nothing["codes"][0] | {"date": None} == {
        "code": "a-tribunal",
        "commit": rosa,
        "author": "Rosa Diaz",
        "email": "rosa@example.org",
        "date": None,
        "session": git(
            history, "log", "-1", "--format=%(trailers:key=Margin-Session,valueonly)", rosa
        ).strip(),
        "subject": "Coding session: 2 codings added in fg-01, 1 code created",
    }
    assert nothing["codes"][1]["commit"] is None
    assert any((history / ".margin" / "cache" / "blame").iterdir())


def test_blame_follows_text_edits_reslugs_and_merges_of_two_coders(
    project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_repository(project_dir, "Start")
    rosa, malik = tmp_path / "rosa", tmp_path / "malik"
    subprocess.run(["git", "clone", "-q", str(project_dir), str(rosa)], check=True)
    subprocess.run(["git", "clone", "-q", str(project_dir), str(malik)], check=True)
    coder(monkeypatch, "Rosa Diaz")
    session(
        rosa, (ops.apply_codes, "qual1/int-07", *span(rosa, "qual1/int-07", "peer support"), ["presence"])
    )
    coder(monkeypatch, "Malik Osei")
    session(
        malik,
        (ops.apply_codes, "qual1/int-07", *span(malik, "qual1/int-07", "it was about us"), ["language"]),
    )
    session(
        malik, (ops.edit_text, "qual1/int-07", 2, "P07: It was clear that it was about us being the only one")
    )
    coder(monkeypatch, "Rosa Diaz")
    git(rosa, "fetch", "-q", str(malik), "main")
    git(rosa, "merge", "-q", "--no-edit", "FETCH_HEAD")
    session(rosa, (ops.reslug_code, "seriousness", "taken-seriously"))

    def who(line: object) -> dict[str, str | None]:
        return {o.code: o.author for o in line.origins}  # type: ignore[attr-defined]

    lines = {b.text: who(b) for b in blame(rosa, "qual1/int-07")}
    assert lines == {
        "peer support": {"presence": "Rosa Diaz"},
        "more attentive to language": {"language": "Test Coder"},
        "It was clear that it was about us being…": {"presence": "Test Coder"},  # Malik's edit inside it
        "it was about us": {"taken-seriously": "Test Coder", "language": "Malik Osei"},
    }
    assert {b.text: who(b) for b in blame(rosa, "qual1/int-07")} == lines  # again, from the cache


# --- git's own diff, with the textconv driver, and word diffs on the raw markup ---------------------------
def test_textconv_renders_a_document_and_passes_anything_else_through() -> None:
    source = (
        b"---\ntitle: Interview 7\n---\n"
        b"I1: How did peer support change your team?\n"
        b"P07: I have become {more attentive to language}[language] at work.\n"
        b"P07: {It was clear that {it was about us}[seriousness] being the one}[presence | first mention]\n"
    )
    assert textconv(source, "/tmp/x_int-07.txt").decode() == (
        "---\n"
        "title: Interview 7\n"
        "---\n"
        "I1: How did peer support change your team?\n"
        "P07: I have become more attentive to language at work.\n"
        "    ▸ language: “more attentive to language”\n"
        "P07: It was clear that it was about us being the one\n"
        "    ▸ presence: “It was clear that it was about us being the one”  ✎ first mention\n"
        "    ▸ seriousness: “it was about us”\n"
    )
    broken = b"P07: an {unclosed brace\n<<<<<<< ours\n"
    assert textconv(broken, "int-07.txt") == broken
    assert textconv(b"codes: {}\n", "codebook.yaml") == b"codes: {}\n"


def test_git_diff_shows_decisions_through_the_textconv_driver(history: Path) -> None:
    from margin.vcs import drivers

    drivers.install(history)
    git(history, "add", ".gitattributes", ".margin/gitconfig")
    git(history, "commit", "-q", "-m", "Register Margin's drivers")
    project = Project.load(history)
    ops.apply_codes(project, "qual1/int-07", *span(history, "qual1/int-07", "peer support"), ["presence"])
    diff = git(history, "diff", "--", "documents")
    assert "+    ▸ presence: “peer support”\n" in diff
    assert "{peer support}" not in diff  # the rendering, not the markup
    patch = git(history, "log", "-p", "-1", "HEAD~1", "--", "documents/qual1/int-07.txt")
    assert "-    ▸ language: “more attentive to language”\n" in patch


def test_git_word_diff_reads_well_on_the_raw_markup(repo_with_coding: tuple[Path, str]) -> None:
    _, diff = repo_with_coding
    body = [line for line in diff.splitlines() if "Nothing" in line]
    assert body == ["M02: [laughs] [-Nothing-]{+{Nothing}[role-models]+} coded here."]


@pytest.fixture
def repo_with_coding(project_dir: Path) -> tuple[Path, str]:
    init_repository(project_dir, "Start")
    project = Project.load(project_dir)
    ops.apply_codes(project, "qual2/fg-01", *span(project_dir, "qual2/fg-01", "Nothing"), ["role-models"])
    return project_dir, git(project_dir, "diff", "--no-textconv", "--word-diff")


# --- scenario 5: code in the app, quit, read the history back ---------------------------------------------
def test_scenario_5_quitting_commits_the_session_and_the_history_shows_it(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from margin.tui.app import MarginApp
    from margin.tui.documents import DocumentList
    from margin.tui.transcript import TranscriptView

    init_repository(project_dir, "Start")
    coder(monkeypatch, "Rosa Diaz")
    text = Project.load(project_dir).document("qual2/fg-01").text

    async def scenario() -> None:
        app = MarginApp(Project.load(project_dir))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for_sessions(app, pilot)
            app.query_one(DocumentList).select_document("qual2/fg-01")
            await pilot.pause()
            view = app.query_one(TranscriptView)

            async def code_word(word: str, *keys: str) -> None:
                view.go_to(text.index(word))
                await pilot.press("w", *keys)
                await pilot.pause()
                await wait_for_sessions(app, pilot)
                await pilot.pause()

            await code_word("Nothing", "c", *"role", "enter")
            await code_word("coded", "c", *"presen", "enter")
            await code_word("here", "v")  # in vivo: a new code "here", placed under How change happens
            await pilot.press(*"how change", "enter")
            await pilot.pause()
            await wait_for_sessions(app, pilot)
            view.go_to(text.index("changed"))
            await pilot.press("e", "end", *" Yes.", "ctrl+s")
            await pilot.pause()
            await wait_for_sessions(app, pilot)
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(scenario())
    assert git(project_dir, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(project_dir, "log", "-1", "--format=%an|%s").strip() == (
        "Rosa Diaz|Coding session: 3 codings added in fg-01, 1 code created, 1 text edit"
    )
    _, out, _ = run(capsys, "-C", str(project_dir), "log", "-n", "1")
    assert "Coding session: 3 codings added in fg-01, 1 code created, 1 text edit" in out
    assert "codings +3 -0 ~0 · codes 1 · text edits 1" in out
    _, out, _ = run(capsys, "-C", str(project_dir), "diff", "HEAD~1..HEAD")
    assert out == (
        "codebook.yaml\n"
        "  code created: here 'here' under how\n"
        "\n"
        "qual2/fg-01\n"
        "  ~ text (qual2/fg-01 ¶1): … then we changed. {+Yes.+}\n"
        "  + role-models on 'Nothing' (qual2/fg-01 ¶2)\n"
        "  + presence on 'coded' (qual2/fg-01 ¶2)\n"
        "  + here on 'here' (qual2/fg-01 ¶2)\n"
        "\n"
        "3 codings added in fg-01, 1 code created, 1 text edit\n"
    )
