"""Text a user gives an operation either is refused with a clear word or reaches its file so that the
project reads back the very same text: memos, code and set fields, attribute and document variable values,
a paragraph's new text."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import write_project
from margin.cli import main
from margin.core import operations as ops
from margin.core.errors import OperationError
from margin.core.project import Project
from margin.core.usertext import Kind, text_problem

INT07 = "qual1/int-07"


def test_which_characters_each_kind_of_text_may_hold() -> None:
    assert text_problem("P07: fine, with a\ttab, {braces} and ] | \\ @", Kind.LINE) is None
    assert text_problem("two\nlines\u2028and a separator", Kind.LINES) is None
    assert text_problem("one\ntwo", Kind.LINE) == (
        "character 4 is a line break (U+000A) — this text is one line: remove it"
    )
    assert "line break (U+2028)" in (text_problem("one\u2028two", Kind.LINE) or "")
    assert text_problem("a\rb", Kind.LINES) == (
        "character 2 is a carriage return (U+000D) — write a line break as a line feed (\\n)"
    )
    for char, what in (("\x00", "U+0000"), ("\x1b", "U+001B"), ("\x85", "U+0085"), ("\x7f", "U+007F")):
        assert f"control character ({what})" in (text_problem(f"x{char}", Kind.LINES) or "")
    assert "surrogate" in (text_problem("\ud800", Kind.LINES) or "")
    assert "byte order mark" in (text_problem("\ufeffx", Kind.LINE) or "")


def test_a_memo_with_a_carriage_return_is_refused_and_nothing_is_written(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project_dir)
    before = (project_dir / "documents" / "qual1" / "int-07.txt").read_bytes()
    assert main(["coding", "add", INT07, "--start", "0", "--end", "2", "presence", "--memo", "a\rb"]) == 1
    err = capsys.readouterr().err
    assert "the memo: character 2 is a carriage return (U+000D) — write a line break as a line feed" in err
    assert "Traceback" not in err
    assert (project_dir / "documents" / "qual1" / "int-07.txt").read_bytes() == before
    assert main(["coding", "add", INT07, "--start", "0", "--end", "2", "presence", "--memo", "a\nb"]) == 0
    assert Project.load(project_dir).document(INT07).codings[0].memo == "a\nb"  # written as a\nb, read back


def test_text_a_code_or_set_field_cannot_hold_is_refused(project_dir: Path) -> None:
    project = Project.load(project_dir)
    before = (project_dir / "codebook.yaml").read_bytes()
    for field, text, message in (
        ("label", "two\nlines", "the label: character 4 is a line break"),
        ("memo", "a\rb", "the memo: character 2 is a carriage return"),
        ("definition", "bell\x07", "the definition: character 5 is a control character"),
    ):
        with pytest.raises(OperationError, match=message):
            ops.update_code(project, "presence", **{field: text})
    with pytest.raises(OperationError, match="the set's label: character 1 is a line break"):
        ops.add_set(project, "theme", "\nTheme")
    with pytest.raises(OperationError, match="the label: character 3 is a control character"):
        ops.split_code(project, "presence", ["ok", "no\x1b"])
    assert (project_dir / "codebook.yaml").read_bytes() == before
    ops.update_code(project, "presence", description="Two\nlines")  # a description may run over lines
    assert Project.load(project_dir).codebook.codes["presence"].description == "Two\nlines"


# --- the property: refused, or read back as given --------------------------------------------------------
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.characters(),  # surrogates too
        st.sampled_from(list("\n\r\t\x00\x1b\x85\u2028\ufeff{}[]|\\@#:-'\"&*!%>? =<")),
    ),
    max_size=12,
) | st.sampled_from(["---", "=======", "<<<<<<< ours", "- item", "null", "yes", "#x", " a ", "a: b"])


def _reads_code(field: str) -> Callable[[Project], object]:
    return lambda p: getattr(p.codebook.codes["presence"], field)


CASES: dict[str, tuple[Callable[[Project, str], object], Callable[[Project], object]]] = {
    "coding memo": (
        lambda p, t: ops.apply_codes(p, INT07, 0, 2, ["presence"], memo=t),
        lambda p: p.document(INT07).codings[0].memo,
    ),
    "changed memo": (
        lambda p, t: ops.change_coding(p, "qual2/fg-01", *_span(p, "qual2/fg-01", "then we"), memo=t),
        lambda p: next(c.memo for c in p.document("qual2/fg-01").codings if "presence" in c.codes),
    ),
    "paragraph": (
        lambda p, t: ops.edit_text(p, INT07, 0, t),
        lambda p: p.document(INT07).paragraph(0),
    ),
    "first paragraph without front matter": (
        lambda p, t: ops.edit_text(p, "qual2/bare", 0, t),
        lambda p: p.document("qual2/bare").paragraph(0),
    ),
    "new code label": (
        lambda p, t: ops.add_code(p, "new-code", t),
        lambda p: p.codebook.codes["new-code"].label,
    ),
    "split label": (
        lambda p, t: ops.split_code(p, "presence", [t, "Other part"]),
        lambda p: p.codebook.codes[p.codebook.codes["presence"].children[0]].label,
    ),
    **{
        f"code {field}": (
            lambda p, t, field=field: ops.update_code(p, "presence", **{field: t}),
            _reads_code(field),
        )
        for field in ("label", "description", "definition", "include", "exclude", "example", "memo")
    },
    "set label": (lambda p, t: ops.add_set(p, "new-set", t), lambda p: p.codebook.sets["new-set"].label),
    "set description": (
        lambda p, t: ops.add_set(p, "new-set", "New set", description=t),
        lambda p: p.codebook.sets["new-set"].description,
    ),
    "set relabelled": (
        lambda p, t: ops.update_set(p, "theme", label=t),
        lambda p: p.codebook.sets["theme"].label,
    ),
    "text attribute": (
        lambda p, t: ops.set_attribute(p, "p07", "note", t),
        lambda p: p.participants.people["p07"].get("note"),
    ),
    "category value": (
        lambda p, t: (p.participants.define_attribute("site", "category", [t]), p.save_participants()),
        lambda p: p.participants.attributes["site"].values,
    ),
    "document variable": (
        lambda p, t: ops.set_document_variable(p, INT07, "site", t),
        lambda p: p.document(INT07).meta.get("site"),
    ),
    "document variable name": (
        lambda p, t: ops.set_document_variable(p, INT07, t, "x"),
        lambda p: next((k for k, v in p.document(INT07).meta.items() if v == "x"), None),
    ),
}
EXPECTED: dict[str, Callable[[str], object]] = {  # where the text is not read back as given, by design
    "new code label": lambda t: t or "new-code",  # no label: the slug
    "category value": lambda t: (t,),
    "coding memo": lambda t: t or None,
    "changed memo": lambda t: t or None,
}


def _span(project: Project, doc_id: str, words: str) -> tuple[int, int]:
    start = project.document(doc_id).text.index(words)
    return start, start + len(words)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_project(tmp_path_factory.mktemp("usertext") / "study")
    (root / "documents" / "qual2" / "bare.txt").write_text("First line.\nSecond line.\n", encoding="utf-8")
    project = Project.load(root)
    ops.add_set(project, "theme", "Theme")  # for the cases that change them
    project.participants.define_attribute("note", "text")
    project.save_participants()
    return root


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(CASES)), text=TEXT)
@example(case="coding memo", text="a\rb")
@example(case="paragraph", text="=======")
@example(case="first paragraph without front matter", text="---")
@example(case="document variable", text="a\n---\nb")
@example(case="code label", text="two\nlines")
def test_any_text_is_refused_or_read_back_exactly(template: Path, case: str, text: str) -> None:
    operation, read = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        shutil.copytree(template, root)
        project = Project.load(root)
        before = _files(root)
        try:
            operation(project, text)
        except OperationError as exc:
            assert str(exc) and _files(root) == before  # refused with a word, nothing written
            return
        again = Project.load(root)
        assert again.codebook.problems() == [] and again.participants.problems() == []
        for doc_id in again.document_ids():
            again.document(doc_id)  # every document reads
        assert read(again) == EXPECTED.get(case, lambda t: t)(text)
