"""Merging another code tree into a project's: proposals, the mapping file, applying it in one commit,
and reading REFI-QDA .qdc codebooks safely."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from margin.cli import main
from margin.core import operations as ops
from margin.core.check import check_project
from margin.core.codebook import Codebook
from margin.core.errors import FormatError, OperationError
from margin.core.lock import GITIGNORE
from margin.core.project import Project
from margin.io import qdc
from margin.io.qdc import parse_qdc, qdc_codebook, read_qdc
from margin.vcs import drivers
from margin.vcs.codebook_merge import (
    ADD_UNDER,
    MAP_TO,
    NEW,
    SAME,
    SAME_LABEL,
    SIMILAR_KIND,
    SKIP,
    Action,
    mapping_text,
    propose,
    read_mapping,
)
from margin.vcs.repo import init_repository

DATA = Path(__file__).parent / "data" / "qdc"
ATLAS = DATA / "atlasti-23.4-codebook.qdc"

QUAL2_INTERVIEW = """\
---
title: QUAL2 interview 1
phase: QUAL2
---
I1: What did the peer support workers bring?
M02: She was a role model for all of us on the ward.
M02: Sarcasm on the ward was misunderstood by the patients.
M02: We sat in a circle instead of a tribunal.
"""


def start_repository(root: Path) -> None:
    """A project's repository with Margin's drivers registered before the first commit (as `margin init`)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    drivers.install(root)
    (root / ".margin" / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    init_repository(root, "Start the study")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def code(project: Project, doc_id: str, words: str, *codes: str) -> None:
    text = project.document(doc_id).text
    start = text.index(words)
    ops.apply_codes(project, doc_id, start, start + len(words), codes)


def commit(root: Path, message: str) -> None:
    git(root, "add", "--all", "--", ".")
    git(root, "commit", "-q", "-m", message)


def slugs_used(project: Project) -> set[str]:
    return {s for d in project.document_ids() for c in project.document(d).codings for s in c.codes}


@pytest.fixture
def study(project_dir: Path) -> Path:
    """Scenario 8's study: QUAL1's tree on main; a qual2 branch whose inductive coding made its own codes."""
    root = project_dir
    project = Project.load(root)
    ops.add_code(project, "direct-feedback", "Direct feedback", parent="how")
    start_repository(root)
    git(root, "switch", "-q", "-c", "qual2")
    project = Project.load(root)
    ops.add_code(project, "sarcasm-misunderstood", "Sarcasm misunderstood", parent="direct-feedback")
    ops.add_code(
        project, "circle-instead-of-tribunal", "Circle instead of tribunal", parent="direct-feedback"
    )
    ops.add_code(project, "role-model", "Role model", parent="how", definition="Someone to look up to.")
    (root / "documents" / "qual2" / "int-01.txt").write_text(QUAL2_INTERVIEW, encoding="utf-8")
    project = Project.load(root)
    code(project, "qual2/int-01", "a role model for all of us", "role-model")
    code(project, "qual2/int-01", "Sarcasm on the ward was misunderstood", "sarcasm-misunderstood")
    code(
        project, "qual2/int-01", "in a circle instead of a tribunal", "circle-instead-of-tribunal", "presence"
    )
    code(project, "qual2/fg-01", "Nothing coded here", "role-model")
    commit(root, "QUAL2 coding with inductive codes")
    git(root, "switch", "-q", "main")
    project = Project.load(root)
    code(project, "qual1/int-07", "peer support", "role-models")  # QUAL1 goes on meanwhile
    ops.add_code(project, "tokenism", "Tokenism", parent="attitude")
    commit(root, "QUAL1 coding")
    return root


# --- scenario 8, end to end -------------------------------------------------------------------------
def test_scenario_8_merging_the_second_phase_tree(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = git(study, "rev-parse", "HEAD").strip()
    assert main(["-C", str(study), "codebook", "merge", "qual2"]) == 0
    table = capsys.readouterr().out
    rows = {line.split("  ")[0]: line for line in table.splitlines()}
    assert "new, under 'Direct feedback'" in rows["Sarcasm misunderstood (sarcasm-misunderstood)"]
    assert "new, under 'Direct feedback'" in rows["Circle instead of tribunal (circle-instead-of-tribunal)"]
    assert "similar" in rows["Role model (role-model)"] and "'Role models'" in rows["Role model (role-model)"]
    assert "same slug" in rows["Presence (presence)"]
    assert git(study, "rev-parse", "HEAD").strip() == before  # proposing changes nothing

    assert main(["-C", str(study), "codebook", "merge", "qual2", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "role-model 'Role model': merged into role-models (2 coding(s) in 2 document(s) recoded)" in out

    # one commit: the merge of qual2, with the mapping in its message
    assert git(study, "rev-list", "--count", f"{before}..HEAD").strip() == "2"  # qual2's commit + the merge
    parents = git(study, "log", "-1", "--format=%P").split()
    assert parents[0] == before and len(parents) == 2
    message = git(study, "log", "-1", "--format=%B")
    assert message.startswith("Merge the code tree of qual2")
    assert "role-model 'Role model': merged into role-models" in message
    assert "sarcasm-misunderstood 'Sarcasm misunderstood': added under direct-feedback" in message  # came
    assert "circle-instead-of-tribunal 'Circle instead of tribunal': added under direct-feedback" in message
    assert "presence 'Presence'" not in message  # here before: nothing to say
    assert git(study, "status", "--porcelain") == ""

    project = Project.load(study)
    cb = project.codebook
    assert cb.code("sarcasm-misunderstood").parent == "direct-feedback"
    assert cb.code("circle-instead-of-tribunal").parent == "direct-feedback"
    assert "role-model" not in cb.codes and cb.resolve("role-model") == "role-models"
    assert cb.code("tokenism").parent == "attitude"  # made on main meanwhile: kept
    assert check_project(project) == []
    for doc_id in project.document_ids():
        for coding in project.document(doc_id).codings:
            assert all(slug in cb.codes for slug in coding.codes), (doc_id, coding)
    interview = project.document("qual2/int-01")
    coded = {interview.text[c.start : c.end]: set(c.codes) for c in interview.codings}
    assert coded == {
        "a role model for all of us": {"role-models"},
        "Sarcasm on the ward was misunderstood": {"sarcasm-misunderstood"},
        "in a circle instead of a tribunal": {"circle-instead-of-tribunal", "presence"},
    }
    fg = project.document("qual2/fg-01")
    assert ("Nothing coded here", ("role-models",)) in {
        (fg.text[c.start : c.end], c.codes) for c in fg.codings
    }
    int07 = project.document("qual1/int-07")
    assert ("peer support", ("role-models",)) in {
        (int07.text[c.start : c.end], c.codes) for c in int07.codings
    }


def test_branch_merge_with_an_edited_mapping(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.yaml"
    assert main(["-C", str(study), "codebook", "merge", "qual2", "--mapping", str(mapping)]) == 0
    assert "Wrote the proposed mapping" in capsys.readouterr().out
    text = mapping.read_text()
    assert "  role-model:  # 'Role model': similar (" in text and "    map-to: role-models\n" in text
    assert "  sarcasm-misunderstood:" in text and "    add-under: direct-feedback\n" in text
    # the team decides: Role model stays a code of its own, under Presence; the circle goes to the top
    text = _set_action(text, "role-model", "add-under: presence")
    mapping.write_text(_set_action(text, "circle-instead-of-tribunal", "add-under: null"))
    assert main(["-C", str(study), "codebook", "merge", "qual2", "--mapping", str(mapping), "--apply"]) == 0
    project = Project.load(study)
    assert project.codebook.code("role-model").parent == "presence"
    assert project.codebook.code("circle-instead-of-tribunal").parent is None
    assert "role-model" in slugs_used(project)
    assert check_project(project) == []


def _set_action(text: str, slug: str, action: str) -> str:
    """The mapping file with ``slug``'s action replaced."""
    lines = text.splitlines()
    out: list[str] = []
    skip_next = False
    for line in lines:
        if skip_next and line.startswith("    "):
            skip_next = False
            continue
        skip_next = False
        if line.startswith("  #"):
            continue
        out.append(line)
        if line.startswith(f"  {slug}:"):
            out.append(f"    {action}")
            skip_next = True
    return "\n".join(out) + "\n"


def test_skipping_a_used_code_is_refused_and_nothing_changes(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.yaml"
    main(["-C", str(study), "codebook", "merge", "qual2", "--mapping", str(mapping)])
    mapping.write_text(_set_action(mapping.read_text(), "role-model", "skip"))
    head = git(study, "rev-parse", "HEAD")
    capsys.readouterr()
    assert main(["-C", str(study), "codebook", "merge", "qual2", "--mapping", str(mapping), "--apply"]) == 1
    assert "'role-model' is used by 2 coding(s)" in capsys.readouterr().err
    assert git(study, "rev-parse", "HEAD") == head
    assert git(study, "status", "--porcelain") == ""
    assert not (study / ".git" / "MERGE_HEAD").exists()


def test_apply_needs_committed_work(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = Project.load(study)
    code(project, "qual1/int-07", "your team", "presence")
    assert main(["-C", str(study), "codebook", "merge", "qual2", "--apply"]) == 1
    assert "not yet committed" in capsys.readouterr().err


def test_branch_that_conflicts_is_not_merged(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(study, "switch", "-q", "qual2")
    (study / "documents/qual1/int-07.txt").write_text(
        (study / "documents/qual1/int-07.txt").read_text().replace("How did", "How has"), encoding="utf-8"
    )
    commit(study, "typo fix on qual2")
    git(study, "switch", "-q", "main")
    (study / "documents/qual1/int-07.txt").write_text(
        (study / "documents/qual1/int-07.txt").read_text().replace("How did", "In what way did"),
        encoding="utf-8",
    )
    commit(study, "another fix on main")
    head = git(study, "rev-parse", "HEAD")
    assert main(["-C", str(study), "codebook", "merge", "qual2", "--apply"]) == 1
    err = capsys.readouterr().err
    assert "merging qual2 conflicts in documents/qual1/int-07.txt" in err and "margin resolve" in err
    assert git(study, "rev-parse", "HEAD") == head and git(study, "status", "--porcelain") == ""


# --- proposals and the mapping file -----------------------------------------------------------------
OURS = """\
codes:
  how:
    label: How change happens
    children:
      role-models:
        label: Role models
      presence:
        label: Presence of PSWs
        aliases: [being-there]
sets: {}
"""

OTHER = """\
codes:
  change:
    label: How change happens
    children:
      role-model:
        label: Role model
      being-there:
        label: Being there
      feedback:
        label: Feedback
        children:
          sarcasm:
            label: Sarcasm misunderstood
  weather:
    label: The weather
sets: {}
"""


def test_proposals_of_every_kind() -> None:
    ours, other = Codebook.parse(OURS), Codebook.parse(OTHER)
    found = {p.slug: p for p in propose(ours, other)}
    assert list(found) == ["change", "role-model", "being-there", "feedback", "sarcasm", "weather"]
    assert (found["change"].kind, found["change"].target) == (SAME_LABEL, "how")
    assert (found["role-model"].kind, found["role-model"].target) == (SIMILAR_KIND, "role-models")
    assert found["role-model"].score is not None and 85 <= found["role-model"].score < 100
    assert (found["being-there"].kind, found["being-there"].target) == (SAME, "presence")  # an alias here
    assert (found["feedback"].kind, found["feedback"].target) == (NEW, "how")  # under its parent's match
    assert (found["sarcasm"].kind, found["sarcasm"].target) == (NEW, "feedback")  # under its new parent
    assert (found["weather"].kind, found["weather"].target) == (NEW, None)
    strict = {p.slug: p.kind for p in propose(ours, other, threshold=99)}
    assert strict["role-model"] == NEW


def test_mapping_file_round_trip_and_errors(tmp_path: Path) -> None:
    ours, other = Codebook.parse(OURS), Codebook.parse(OTHER)
    text = mapping_text(propose(ours, other), ours, "phase two")
    actions = read_mapping(text, "m.yaml", ours, other)
    assert [(a.slug, a.action, a.target) for a in actions] == [
        ("change", MAP_TO, "how"),
        ("role-model", MAP_TO, "role-models"),
        ("being-there", MAP_TO, "presence"),
        ("feedback", ADD_UNDER, "how"),
        ("sarcasm", ADD_UNDER, "feedback"),
        ("weather", ADD_UNDER, None),
    ]
    edited = text.replace("    add-under: null", "    skip")
    assert read_mapping(edited, "m.yaml", ours, other)[-1] == Action("weather", SKIP)

    def error(changed: str) -> FormatError:
        with pytest.raises(FormatError) as caught:
            read_mapping(changed, "m.yaml", ours, other)
        return caught.value

    e = error(text.replace("map-to: role-models", "map-to: role-modles"))
    assert e.path == "m.yaml" and e.line == text.splitlines().index("    map-to: role-models") + 1
    assert "did you mean 'role-models'" in e.message
    e = error(text.replace("map-to: role-models", "merge: role-models"))
    assert "write one action" in e.message and e.line > 0
    e = error(text.replace("  weather:", "  wether:"))
    assert "not a code of the other tree" in e.message
    e = error(text.replace("    add-under: feedback", "    add-under: sarcasm"))
    assert "inside itself" in e.message
    e = error(text.replace("    add-under: how", "    skip"))
    assert "is skipped" in e.message
    e = error(text.replace("map-to: presence", "map-to: role-model"))
    assert "map it to 'role-models', where 'role-model' goes" in e.message
    under_mapped = read_mapping(
        text.replace("add-under: feedback", "add-under: role-model"), "m.yaml", ours, other
    )
    assert under_mapped[4] == Action("sarcasm", ADD_UNDER, "role-model")  # lands under role-models
    e = error(text.replace("codes:", "kodes:"))
    assert e.line == 1
    e = error(text + "  # trailing\n  : [\n")
    assert "invalid YAML" in e.message


# --- REFI-QDA codebooks -----------------------------------------------------------------------------
def test_atlas_ti_qdc_is_read() -> None:
    book = read_qdc(ATLAS)
    assert book.origin == "ATLAS.ti Win 23.4.0"
    (only,) = book.codes
    assert (only.name, only.color, only.description, only.codable) == (
        "code1",
        "#46aa00",
        "description",
        True,
    )
    (group,) = book.sets
    assert (group.name, group.description, group.members) == ("code group 1", "kategorie 1", (only.guid,))
    codebook = qdc_codebook(ATLAS)
    assert codebook.code("code1").description == "description"
    assert codebook.sets["code-group-1"].codes == ("code1",)


NESTED = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Test">
  <Codes>
    <Code guid="00000000-0000-0000-0000-000000000001" name="How change happens" isCodable="false">
      <Code guid="00000000-0000-0000-0000-000000000002" name="Role model" isCodable="true" color="#F0A">
        <Description>Someone to look up to.</Description>
      </Code>
      <Code guid="00000000-0000-0000-0000-000000000003" name="Circle instead of tribunal" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
"""


def test_qdc_merge_into_a_project(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start_repository(project_dir)
    (project_dir.parent / "phase2.qdc").write_bytes(NESTED)
    head = git(project_dir, "rev-parse", "HEAD")
    assert main(["-C", str(project_dir), "--json", "codebook", "merge", "../phase2.qdc"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    kinds = {p["slug"]: (p["kind"], p["target"]) for p in report["proposals"]}
    assert kinds == {
        "how-change-happens": ("same-label", "how"),
        "role-model": ("similar", "role-models"),
        "circle-instead-of-tribunal": ("new", "how"),
    }
    assert main(["-C", str(project_dir), "codebook", "merge", "../phase2.qdc", "--apply"]) == 0
    assert "Committed" in capsys.readouterr().out
    assert git(project_dir, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"
    assert git(project_dir, "log", "-1", "--format=%s").strip() == "Merge the code tree of phase2.qdc"
    cb = Project.load(project_dir).codebook
    assert cb.code("circle-instead-of-tribunal").parent == "how"
    assert "role-model" not in cb.codes  # mapped to Role models; nothing here used it
    # merging the same tree again changes nothing
    assert main(["-C", str(project_dir), "codebook", "merge", "../phase2.qdc", "--apply"]) == 0
    assert "Nothing to change" in capsys.readouterr().out


def test_another_projects_codebook(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start_repository(project_dir)
    other = tmp_path / "other"
    other.mkdir()
    (other / "codebook.yaml").write_text(OTHER)
    (other / "margin.yaml").write_text("name: Other\n")
    assert main(["-C", str(project_dir), "codebook", "merge", str(other), "--apply"]) == 0
    cb = Project.load(project_dir).codebook
    assert cb.code("sarcasm").parent == "feedback" and cb.code("feedback").parent == "how"
    assert cb.code("weather").parent is None


def test_unknown_other(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start_repository(project_dir)
    assert main(["-C", str(project_dir), "codebook", "merge", "qual9"]) == 1
    assert "neither a codebook file" in capsys.readouterr().err
    assert main(["-C", str(project_dir), "codebook", "merge", "--", "--upload-pack=x"]) == 1


def _located(data: bytes) -> FormatError:
    with pytest.raises(FormatError) as caught:
        parse_qdc(data, "bad.qdc")
    assert caught.value.path == "bad.qdc"
    return caught.value


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="00000000-0000-0000-0000-000000000001" name="&d;" isCodable="true"/>
</Codes></CodeBook>
"""


def test_qdc_entity_bomb_is_refused() -> None:
    error = _located(BOMB)
    assert (error.line, error.column) == (2, 1) and "DOCTYPE or entities" in error.message


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"secret")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_qdc_external_entities_are_never_fetched(recorder: str, tmp_path: Path, encoding: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    for system in (f"{recorder}/steal", secret.as_uri()):
        data = (
            f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "{system}">]>\n'
            '<CodeBook><Codes><Code guid="00000000-0000-0000-0000-000000000001" name="&x;"/></Codes></CodeBook>'
        ).encode(encoding)
        error = _located(data)
        assert error.line == 2 and "password" not in str(error)
    assert _Recorder.requests == []
    no_dtd = (
        b'<CodeBook xmlns:xi="http://www.w3.org/2001/XInclude"><Codes>'
        b'<Code guid="00000000-0000-0000-0000-000000000001" name="a">'
        b'<xi:include href="' + secret.as_uri().encode() + b'" parse="text"/></Code></Codes></CodeBook>'
    )
    assert parse_qdc(no_dtd).codes[0].description is None  # XInclude is never processed


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (
            b"<CodeBook>\n<Codes>\n<Code name='x' guid='00000000-0000-0000-0000-000000000001'>\n</Codes>",
            4,
            "not well-formed",
        ),
        (
            b"<CodeBook><Codes>\n<Code guid='00000000-0000-0000-0000-000000000001'/></Codes></CodeBook>",
            2,
            "has no name",
        ),
        (b"<CodeBook><Codes>\n\n<Code name='a' guid='nope'/></Codes></CodeBook>", 3, "malformed guid"),
        (
            b"<CodeBook><Codes><Code name='a' guid='00000000-0000-0000-0000-000000000001'/>\n<Code name='b' guid='00000000-0000-0000-0000-000000000001'/></Codes></CodeBook>",
            2,
            "second code",
        ),
        (
            b"<CodeBook><Codes>\n<Code name='a' guid='00000000-0000-0000-0000-000000000001' isCodable='maybe'/></Codes></CodeBook>",
            2,
            "isCodable",
        ),
        (
            b"<CodeBook><Codes>\n<Code name='a' guid='00000000-0000-0000-0000-000000000001' color='red'/></Codes></CodeBook>",
            2,
            "#rrggbb",
        ),
        (
            b"<CodeBook><Codes><Code name='a' guid='00000000-0000-0000-0000-000000000001'/></Codes><Sets>\n<Set name='s' guid='00000000-0000-0000-0000-000000000009'><MemberCode guid='00000000-0000-0000-0000-000000000002'/></Set></Sets></CodeBook>",
            2,
            "does not have",
        ),
        (b"<Project>\n<Users/></Project>", 1, "no <CodeBook>"),
        (b"<Whatever/>", 1, "not a REFI-QDA codebook"),
        (b"\xff\xfe<\x00", 1, "not well-formed"),
        (b"", 1, "not well-formed"),
    ],
)
def test_qdc_bad_input_is_located(data: bytes, line: int, words: str) -> None:
    error = _located(data)
    assert words in error.message and error.line == line


def test_qdc_size_and_depth_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qdc, "MAX_BYTES", 100)
    big = tmp_path / "big.qdc"
    big.write_bytes(NESTED)
    with pytest.raises(FormatError, match=r"larger than|codebook is at most"):
        read_qdc(big)
    monkeypatch.setattr(qdc, "MAX_BYTES", 10**6)
    monkeypatch.setattr(qdc, "MAX_DEPTH", 1)
    with pytest.raises(FormatError, match="nested more than 1"):
        parse_qdc(NESTED)
    monkeypatch.setattr(qdc, "MAX_DEPTH", 64)
    monkeypatch.setattr(qdc, "MAX_CODES", 2)
    with pytest.raises(FormatError, match="more than 2 codes"):
        parse_qdc(NESTED)
    with pytest.raises(FormatError, match="cannot read"):
        read_qdc(tmp_path / "missing.qdc")


def test_mapping_to_unknown_code_is_an_operation_error() -> None:
    from margin.vcs.codebook_merge import check_actions

    ours, other = Codebook.parse(OURS), Codebook.parse(OTHER)
    with pytest.raises(OperationError, match="neither a code of this project"):
        check_actions([Action("weather", MAP_TO, "sky")], ours, other)
