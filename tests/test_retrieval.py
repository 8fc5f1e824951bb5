"""Retrieved segments with citations, filters and search, on real projects (the test project and the demo),
through the analysis layer and the `margin segments` command."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from margin.analysis.citation import CitationTemplate
from margin.analysis.context import Context
from margin.analysis.filters import Filters
from margin.analysis.retrieval import retrieve
from margin.cli import main
from margin.core.errors import FormatError, MarginError
from margin.core.operations import apply_codes, edit_text
from margin.core.project import Project

DEMO = Path(__file__).resolve().parents[1] / "projects" / "peer-support"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def spans(result: object) -> list[tuple[str, int, int]]:
    return [(s.document, s.start, s.end) for s in result.segments]  # type: ignore[attr-defined]


def set_citation(root: Path, template: str) -> None:
    (root / "margin.yaml").write_text(
        f"name: Test study\ncitation: {json.dumps(template)}\n", encoding="utf-8"
    )


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "demo"))


# --- the analysis layer on the small test project ---------------------------------------------------------
def test_segments_of_a_code_in_document_order_with_their_source(project_dir: Path) -> None:
    result = retrieve(Project.load(project_dir), ["language"])
    assert spans(result) == [("qual1/int-07", 62, 88), ("qual2/fg-01", 41, 56)]
    first, second = result.segments
    assert first.text == "more attentive to language"
    assert (first.paragraph, first.speaker, first.participant) == (2, "P07", "p07")
    assert first.attributes == {"role": "PSW"}
    assert first.variables["phase"] == "QUAL1" and "speakers" not in first.variables
    assert first.context.marked() == "P07: I have become «more attentive to language» at work."
    assert (second.speaker, second.participant, second.attributes["role"]) == ("M02", "m02", "MHW")
    assert second.text == "then we changed" and second.group == "qual2"
    assert result.document_count == 2 and result.warnings == []


def test_subcodes_add_the_segments_of_every_code_below(project_dir: Path) -> None:
    project = Project.load(project_dir)
    alone = retrieve(project, ["attitude"])
    assert alone.segments == []  # a grouping code carries no segments itself
    assert alone.warnings == ["'attitude' has no segments of its own; ask with its subcodes to see theirs"]
    result = retrieve(project, ["attitude"], subcodes=True)
    assert spans(result) == [
        ("qual1/int-07", 62, 88),
        ("qual1/int-07", 121, 136),
        ("qual2/fg-01", 41, 56),
    ]
    assert [s.codes for s in result.segments] == [("language",), ("seriousness",), ("language",)]
    assert result.searched == {"attitude", "language", "seriousness"}


def test_several_codes_give_each_segment_once(project_dir: Path) -> None:
    project = Project.load(project_dir)
    project.document("qual1/int-07")
    apply_codes(project, "qual1/int-07", 62, 88, ["presence"])
    result = retrieve(project, ["language", "presence"])
    assert spans(result) == [
        ("qual1/int-07", 62, 88),
        ("qual1/int-07", 103, 150),
        ("qual2/fg-01", 19, 48),
        ("qual2/fg-01", 41, 56),
    ]
    assert result.segments[0].codes == ("language", "presence")
    assert result.segments[1].memo == "first mention"


def test_an_old_slug_retrieves_its_code_and_segments_written_with_it(project_dir: Path) -> None:
    codebook = (project_dir / "codebook.yaml").read_text(encoding="utf-8")
    codebook = codebook.replace(
        "        label: Appreciative language\n",
        "        label: Appreciative language\n        aliases: [lang]\n",
    )
    (project_dir / "codebook.yaml").write_text(codebook, encoding="utf-8")
    path = project_dir / "documents" / "qual2" / "fg-01.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("changed}[language]", "changed}[lang]"), encoding="utf-8"
    )
    result = retrieve(Project.load(project_dir), ["lang"])
    assert result.codes == ("language",)
    assert spans(result) == [("qual1/int-07", 62, 88), ("qual2/fg-01", 41, 56)]
    assert result.segments[1].codes == ("lang",)


def test_an_unknown_code_is_refused_with_a_suggestion(project_dir: Path) -> None:
    with pytest.raises(MarginError, match="unknown code 'presense' — did you mean 'presence'"):
        retrieve(Project.load(project_dir), ["presense"])


def test_a_code_missing_from_the_codebook_is_still_retrieved_where_documents_use_it(
    project_dir: Path,
) -> None:
    path = project_dir / "documents" / "qual1" / "int-07.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("[language]", "[stray-code]"), encoding="utf-8")
    result = retrieve(Project.load(project_dir), ["stray-code"])
    assert spans(result) == [("qual1/int-07", 62, 88)]


# --- filters ----------------------------------------------------------------------------------------------
def test_filters_by_group_document_attribute_and_variable(project_dir: Path) -> None:
    project = Project.load(project_dir)
    codes = ["language", "presence"]
    assert {s.document for s in retrieve(project, codes, filters=Filters.of(groups=["qual2"])).segments} == {
        "qual2/fg-01"
    }
    only = retrieve(project, codes, filters=Filters.of(documents=["qual1/int-07"]))
    assert spans(only) == [("qual1/int-07", 62, 88), ("qual1/int-07", 103, 150)]
    mhw = retrieve(project, codes, filters=Filters.of(where=["role=MHW"]))
    assert spans(mhw) == [("qual2/fg-01", 19, 48), ("qual2/fg-01", 41, 56)]
    qual1 = retrieve(project, codes, filters=Filters.of(where=["phase=QUAL1"]))
    assert {s.document for s in qual1.segments} == {"qual1/int-07"}
    both = retrieve(project, codes, filters=Filters.of(where=["role=PSW", "phase=QUAL1"]))
    assert len(both.segments) == 2
    none = retrieve(project, codes, filters=Filters.of(where=["role=MHW", "phase=QUAL1"]))
    assert none.segments == []
    speaker = retrieve(project, codes, filters=Filters.of(where=["speaker=M02"]))
    assert {s.speaker for s in speaker.segments} == {"M02"}


def test_bad_conditions_say_what_to_write(project_dir: Path) -> None:
    project = Project.load(project_dir)
    with pytest.raises(MarginError, match="write KEY=VALUE"):
        Filters.of(where=["role"])
    with pytest.raises(MarginError, match="no field 'rol' in this project — did you mean 'role'"):
        retrieve(project, ["language"], filters=Filters.of(where=["rol=MHW"]))
    result = retrieve(project, ["language"], filters=Filters.of(where=["role=MWH"]))
    assert result.segments == []
    assert result.warnings == ["no document or participant has role=MWH — did you mean 'MHW'?"]


# --- citations --------------------------------------------------------------------------------------------
def test_default_citation_names_document_and_paragraph(project_dir: Path) -> None:
    result = retrieve(Project.load(project_dir), ["language"])
    assert [s.citation for s in result.segments] == ["(qual1/int-07, ¶2)", "(qual2/fg-01, ¶1)"]


def test_citation_from_the_template_with_missing_fields_reported_once(project_dir: Path) -> None:
    set_citation(project_dir, "({role}, {phase}, {speaker})")
    result = retrieve(Project.load(project_dir), ["language", "presence"])
    assert [s.citation for s in result.segments] == [
        "(PSW, QUAL1, P07)",
        "(PSW, QUAL1, P07)",
        "(MHW, ?, M02)",
        "(MHW, ?, M02)",
    ]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(
        "citation field 'phase' has no value for 2 segments (first: qual2/fg-01 ¶1, speaker M02)"
    )


def test_participant_attributes_come_before_document_variables(project_dir: Path) -> None:
    (project_dir / "participants.yaml").write_text(
        "attributes:\n"
        "  role: {type: category, values: [PSW, MHW]}\n"
        "  phase: {type: category, values: [QUAL1, QUAL2]}\n"
        "participants:\n"
        "  p07: {role: PSW, phase: QUAL2}\n"
        "  m02: {role: MHW}\n",
        encoding="utf-8",
    )
    set_citation(project_dir, "{phase}/{group}/{participant}/{paragraph}/{document}")
    result = retrieve(Project.load(project_dir), ["language"])
    # int-07's front matter says QUAL1, but its speaker's own record says QUAL2; fg-01 has no phase at all
    assert [s.citation for s in result.segments] == [
        "QUAL2/qual1/p07/2/qual1/int-07",
        "?/qual2/m02/1/qual2/fg-01",
    ]


def test_interviewer_segments_have_no_participant(project_dir: Path) -> None:
    project = Project.load(project_dir)
    apply_codes(project, "qual1/int-07", 4, 42, ["presence"])
    set_citation(project_dir, "({role}, {speaker})")
    result = retrieve(Project.load(project_dir), ["presence"], filters=Filters.of(documents=["qual1/int-07"]))
    interviewer = result.segments[0]
    assert (interviewer.speaker, interviewer.participant, dict(interviewer.attributes)) == ("I1", None, {})
    assert interviewer.citation == "(?, I1)"
    assert "citation field 'role' has no value for 1 segment " in result.warnings[0]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("({role)", "cannot be read"),
        ("({role!r})", "not a plain name"),
        ("({})", "not a plain name"),
    ],
)
def test_a_malformed_citation_template_names_its_line(project_dir: Path, template: str, message: str) -> None:
    (project_dir / "margin.yaml").write_text(
        f"name: Test study\n# how quotes are cited\ncitation: {json.dumps(template)}\n", encoding="utf-8"
    )
    with pytest.raises(FormatError, match=message) as caught:
        retrieve(Project.load(project_dir), ["language"])
    assert (caught.value.path, caught.value.line) == ("margin.yaml", 3)


def test_template_fields_and_escaped_braces() -> None:
    template = CitationTemplate.parse("{{{role}}} {role}, {date}")
    assert template.fields == ("role", "date")
    import datetime

    values = {"role": "MHW", "date": datetime.date(2022, 11, 24)}
    assert template.render(values.get) == ("{MHW} MHW, 2022-11-24", ())


# --- documents that change, and documents that cannot be read ---------------------------------------------
def test_retrieval_follows_edits_of_the_text(project_dir: Path) -> None:
    project = Project.load(project_dir)
    before = retrieve(project, ["language"])
    edit_text(project, "qual1/int-07", 1, "P07: Honestly, I have become more attentive to language at work.")
    after = retrieve(project, ["language"])
    assert before.segments[0].text == after.segments[0].text == "more attentive to language"
    assert after.segments[0].start == before.segments[0].start + len("Honestly, ")
    assert after.segments[0].context.before == "P07: Honestly, I have become "


def test_a_document_that_cannot_be_read_is_skipped_and_named(project_dir: Path) -> None:
    bad = project_dir / "documents" / "qual2" / "fg-02.txt"
    bad.write_text("---\nspeakers: {M02: m02}\n---\nM02: an {unclosed brace\n", encoding="utf-8")
    broken_meta = project_dir / "documents" / "qual2" / "fg-03.txt"
    broken_meta.write_text("---\nspeakers: [oops\n---\nM02: {words}[language]\n", encoding="utf-8")
    result = retrieve(Project.load(project_dir), ["language"])
    assert spans(result) == [("qual1/int-07", 62, 88), ("qual2/fg-01", 41, 56)]
    assert [e.path for e in result.skipped] == ["documents/qual2/fg-02.txt", "documents/qual2/fg-03.txt"]
    assert all("its segments are not included" in w for w in result.warnings)


def test_context_of_a_segment_running_over_paragraphs_and_clipping() -> None:
    from margin.core.document import parse_document

    doc = parse_document("A: one {@a two\nB: three}@a[x] four\n", "g/d")
    coding = doc.codings[0]
    context = Context.of(doc, coding.start, coding.end)
    assert (context.before, context.inside, context.after) == ("A: one ", "two", "")
    long = Context("x" * 100, "y" * 10, "z" * 100)
    clipped = long.clip(40)
    assert clipped.inside == "y" * 10 and len(clipped.text) == 40
    assert clipped.before.startswith("…") and clipped.after.endswith("…")
    cut = Context("ab", "c" * 50, "de").clip(20)
    assert (cut.before, cut.inside, cut.after) == ("ab", "c" * 15 + "…", "de")
    assert Context("", "c" * 50, "").clip(20).inside == "c" * 19 + "…"


# --- the demo study ---------------------------------------------------------------------------------------
def test_demo_citations_from_the_template(demo: Path) -> None:
    project = Project.load(demo)
    result = retrieve(project, ["appreciative-language"], filters=Filters.of(documents=["qual2/fg-01"]))
    assert result.segments
    assert {s.citation for s in result.segments} == {"(MHW, focus group, QUAL 2)"}
    interviews = retrieve(project, ["appreciative-language"], filters=Filters.of(groups=["qual1"]))
    assert {s.citation for s in interviews.segments} <= {
        "(MHW, interview, QUAL 1)",
        "(PSW, interview, QUAL 1)",
        "(service user, interview, QUAL 1)",
    }
    assert interviews.warnings == []


def test_demo_subcodes_and_attribute_filters(demo: Path) -> None:
    project = Project.load(demo)
    own = retrieve(project, ["presence"])
    tree = retrieve(project, ["presence"], subcodes=True)
    below = set(project.codebook.descendants("presence"))
    assert below and set(spans(own)) < set(spans(tree))
    assert all(set(s.codes) & ({"presence"} | below) for s in tree.segments)
    assert any(not set(s.codes) & {"presence"} for s in tree.segments)
    mhw = retrieve(
        project, ["presence"], subcodes=True, filters=Filters.of(where=["role=MHW", "phase=QUAL2"])
    )
    assert mhw.segments and all(s.field("role") == "MHW" for s in mhw.segments)
    assert {s.document.split("/")[0] for s in mhw.segments} == {"qual2"}
    assert {s.citation.rsplit(", ", 1)[1] for s in mhw.segments} == {"QUAL 2)"}


# --- the command line -------------------------------------------------------------------------------------
def test_cli_text_output_is_readable_and_plain_off_a_terminal(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_citation(project_dir, "({role}, {phase})")
    code, out, err = run(capsys, "-C", str(project_dir), "segments", "attitude", "--subcodes")
    assert code == 0
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == "Attitude change (with subcodes)"
    assert "qual1/int-07 ¶2 P07  (PSW, QUAL1)  language" in lines
    assert "  “more attentive to language”" in lines
    assert lines[-1] == "3 segments in 2 documents"
    assert "citation field 'phase' has no value for 1 segment" in err


def test_cli_json_with_filters(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "-C", str(project_dir), "segments", "language", "presence", "--where", "role=MHW", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["codes"] == ["language", "presence"] and data["count"] == 2 and data["documents"] == 1
    assert data["filters"] == {"group": [], "doc": [], "where": ["role=MHW"]}
    first = data["segments"][0]
    assert first["document"] == "qual2/fg-01" and first["participant"] == "m02"
    assert first["attributes"] == {"role": "MHW"} and first["context"].startswith(
        "[00:00:05] M02: We «started"
    )
    code, out, _ = run(
        capsys, "-C", str(project_dir), "segments", "language", "--doc", "int-07", "--format", "json"
    )
    assert [s["start"] for s in json.loads(out)["segments"]] == [62]


def test_cli_csv_and_markdown(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "-C", str(demo), "segments", "appreciative-language", "--group", "qual2", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["group"] for r in rows} == {"qual2"}
    focus = [r for r in rows if r["document"] == "qual2/fg-01"]
    assert focus[0]["citation"] == "(MHW, focus group, QUAL 2)"
    assert focus[0]["participant.role"] == "MHW" and focus[0]["document.method"] == "focus group"
    assert "«" in focus[0]["context"] and focus[0]["text"] in focus[0]["context"]
    code, out, _ = run(
        capsys,
        "-C",
        str(demo),
        "segments",
        "appreciative-language",
        "--where",
        "phase=QUAL2",
        "--format",
        "md",
    )
    assert out.startswith("# Appreciative language\n\n")
    assert "” (MHW, focus group, QUAL 2)\n" in out
    assert "> <sub>qual2/fg-01, ¶" in out


def test_cli_errors_are_explained(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-C", str(project_dir), "segments", "langauge")
    assert code == 1 and out == ""
    assert err.startswith("margin: unknown code 'langauge' — did you mean 'language'?")
    code, _, err = run(capsys, "-C", str(project_dir), "segments", "language", "--group", "qual3")
    assert code == 1 and "no document group 'qual3' — did you mean 'qual2'?" in err
    code, _, err = run(capsys, "-C", str(project_dir), "segments", "language", "--group", "interviews")
    assert code == 1 and "(the groups: qual1, qual2)" in err
    code, _, err = run(capsys, "-C", str(project_dir), "segments", "language", "--where", "role")
    assert code == 1 and "write KEY=VALUE" in err
    code, out, _ = run(capsys, "-C", str(project_dir), "--json", "segments", "nope")
    assert code == 1 and json.loads(out)["error"].startswith("unknown code 'nope'")


def test_cli_exits_1_when_a_document_could_not_be_read(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_dir / "documents" / "qual2" / "bad.txt").write_text("M02: {open\n", encoding="utf-8")
    code, out, err = run(capsys, "-C", str(project_dir), "segments", "language")
    assert code == 1
    assert "2 segments in 2 documents" in out
    assert "documents/qual2/bad.txt:1:" in err and "its segments are not included" in err


# --- search -----------------------------------------------------------------------------------------------
def test_search_is_case_insensitive_literal_by_default_with_words_and_regex() -> None:
    from margin.analysis.search import SearchOptions, compile_query, find_spans

    text = "Peer work. peers, a peer-led group (peer?) PEER"
    assert find_spans(text, compile_query("peer")) == [(0, 4), (11, 15), (20, 24), (36, 40), (43, 47)]
    assert find_spans(text, compile_query("peer", SearchOptions(case_sensitive=True))) == [
        (11, 15),
        (20, 24),
        (36, 40),
    ]
    words = find_spans(text, compile_query("peer", SearchOptions(whole_words=True)))
    assert [text[a:b] for a, b in words] == ["Peer", "peer", "peer", "PEER"]
    assert find_spans(text, compile_query("(peer?)")) == [(35, 42)]  # literal: the brackets are text
    regex = compile_query(r"peers?\b", SearchOptions(regex=True))
    assert [text[a:b] for a, b in find_spans(text, regex)] == ["Peer", "peers", "peer", "peer", "PEER"]
    assert find_spans("abc", compile_query("x*", SearchOptions(regex=True))) == []  # no empty hits


def test_a_bad_regular_expression_says_where() -> None:
    from margin.analysis.search import SearchOptions, compile_query

    with pytest.raises(MarginError, match=r"'peer \(\[' is not a regular expression .* at character 7"):
        compile_query("peer ([", SearchOptions(regex=True))
    with pytest.raises(MarginError, match="type something"):
        compile_query("")


def test_search_a_project_reports_each_hit_and_each_unreadable_document(project_dir: Path) -> None:
    from margin.analysis.search import compile_query, search_project

    (project_dir / "documents" / "qual2" / "fg-02.txt").write_text("M02: an {open brace\n", encoding="utf-8")
    found = dict(search_project(Project.load(project_dir), compile_query("the")))
    assert isinstance(found["qual2/fg-02"], FormatError)
    first = found["qual1/int-07"]
    assert isinstance(first, list) and [(h.start, h.end, h.paragraph, h.speaker) for h in first] == [
        (143, 146, 3, "P07")
    ]
    assert first[0].context.marked() == "P07: It was clear that it was about us being «the» one"
    assert [h.text for h in found["qual2/fg-01"]] == ["the"]  # "then"
