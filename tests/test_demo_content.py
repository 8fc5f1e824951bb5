"""The demo study holds what its issue asks for: two phases of transcripts of realistic length, coded with
nesting, crossing spans and memos, memos on the project and on codes, and quotes cited as the paper does."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from margin.cli import main
from margin.core.project import Project

STUDY = Path(__file__).resolve().parents[1] / "projects" / "peer-support"


@pytest.fixture(scope="module")
def study() -> Project:
    return Project.load(STUDY)


def speakers_heard(project: Project, doc_id: str) -> Counter[str]:
    doc = project.document(doc_id)
    return Counter(s for s in (doc.turn(i).speaker for i in range(doc.paragraph_count)) if s is not None)


def test_qual1_interviews_each_led_by_two_interviewers(study: Project) -> None:
    interviews = [d for d in study.document_ids() if d.startswith("qual1/")]
    assert len(interviews) >= 10
    roles = Counter()
    for doc_id in interviews:
        doc = study.document(doc_id)
        assert (doc.meta["phase"], doc.meta["method"], doc.meta["interviewers"]) == (
            "QUAL1",
            "interview",
            ["I1", "I2"],
        )
        heard = speakers_heard(study, doc_id)
        assert heard["I1"] and heard["I2"], f"{doc_id}: both interviewers speak"
        (participant,) = [p for p in doc.speakers.values() if p is not None]
        roles[study.participants.people[participant]["role"]] += 1
    assert set(roles) == {"PSW", "MHW", "service user"}


def test_qual2_three_interviews_and_a_focus_group_of_five(study: Project) -> None:
    qual2 = {d: study.document(d) for d in study.document_ids() if d.startswith("qual2/")}
    methods = Counter(doc.meta["method"] for doc in qual2.values())
    assert methods == {"interview": 3, "focus group": 1}
    (group,) = [d for d, doc in qual2.items() if doc.meta["method"] == "focus group"]
    people = {label for label, pid in qual2[group].speakers.items() if pid is not None}
    assert len(people) == 5 and people <= set(speakers_heard(study, group))
    assert all(study.participants.people[qual2[group].speakers[p]]["role"] == "MHW" for p in people)


def test_every_transcript_is_of_realistic_length_and_richly_coded(study: Project) -> None:
    nested = crossing = memos = 0
    for doc_id in study.document_ids():
        doc = study.document(doc_id)
        assert 800 <= len(doc.text.split()) <= 2500, doc_id
        assert 10 <= len(doc.codings) <= 40, doc_id
        spans = [(c.start, c.end) for c in doc.codings]
        nested += any(a[0] <= b[0] and b[1] <= a[1] and a != b for a in spans for b in spans)
        crossing += any(a[0] < b[0] < a[1] < b[1] for a in spans for b in spans)
        memos += any(c.memo for c in doc.codings)
    documents = len(study.document_ids())
    assert (nested, crossing, memos) == (documents, documents, documents)


def test_memos_on_the_project_and_on_several_codes(study: Project) -> None:
    assert (STUDY / "memos" / "project.md").read_text(encoding="utf-8").startswith("# Project memo")
    code_memos = sorted(p.stem for p in (STUDY / "memos" / "codes").glob("*.md"))
    assert len(code_memos) >= 3 and set(code_memos) <= set(study.codebook.codes)


def test_a_focus_group_quote_is_cited_as_the_paper_does(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["-C", str(STUDY), "segments", "circle-instead-of-tribunal", "--doc", "fg-01", "--format", "csv"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(MHW, focus group, QUAL 2)" in out and "QUAL2)" not in out
    assert main(["-C", str(STUDY), "segments", "presence-in-meetings", "--group", "qual1"]) == 0
    assert "(PSW, interview, QUAL 1)" in capsys.readouterr().out
