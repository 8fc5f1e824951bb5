"""Examples of the inline coding markup (docs/format.md): every valid construct and every error.

Each example runs against both the fast parser and the pyparsing specification.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from margin.core.coding import Coding
from margin.core.errors import FormatError
from margin.core.grammar import parse_body_spec
from margin.core.markup import parse_body, serialise_body

Parser = Callable[..., tuple[str, list[Coding]]]
parsers = pytest.mark.parametrize("parse", [parse_body, parse_body_spec], ids=["fast", "spec"])


def c(start: int, end: int, *codes: str, memo: str | None = None, label: str | None = None) -> Coding:
    return Coding(start, end, codes, memo, label)


VALID = [
    pytest.param(
        "P07: I have become {more attentive to language}[appreciative-language] at work.\n",
        "P07: I have become more attentive to language at work.\n",
        [c(19, 45, "appreciative-language")],
        id="span",
    ),
    pytest.param(
        "{It was clear that {it was about us}[them-and-us] being the one}[language-power, presence | memo text]",
        "It was clear that it was about us being the one",
        [c(0, 47, "language-power", "presence", memo="memo text"), c(18, 33, "them-and-us")],
        id="nested-several-codes-memo",
    ),
    pytest.param("{x}[b, a, c-d, e_f, 9]", "x", [c(0, 1, "b", "a", "c-d", "e_f", "9")], id="code-order-kept"),
    pytest.param(
        "{x}[a | back\\\\slash \\] and\\nnext | pipe [b]",
        "x",
        [c(0, 1, "a", memo="back\\slash ] and\nnext | pipe [b")],
        id="memo-escapes",
    ),
    pytest.param(
        "a {@a crossing span starts here and {another one}@a[code-x] ends here}[code-y]",
        "a crossing span starts here and another one ends here",
        [c(2, 43, "code-x", label="a"), c(32, 53, "code-y")],
        id="labelled-crossing",
    ),
    pytest.param(
        "I1: {@1 first turn\n\nP07: second}@1[presence] turn\n",
        "I1: first turn\n\nP07: second turn\n",
        [c(4, 27, "presence", label="1")],
        id="labelled-over-paragraphs",
    ),
    pytest.param(
        "{@q {a}[x]\nb}@q[y]", "a\nb", [c(0, 3, "y", label="q"), c(0, 1, "x")], id="plain-in-labelled"
    ),
    pytest.param("a{@1 \n}@1[c]b", "a\nb", [c(1, 2, "c", label="1")], id="span-of-a-line-break"),
    pytest.param("{\\@rosa said}[a]", "@rosa said", [c(0, 10, "a")], id="at-after-plain-open"),
    pytest.param("{@a @rosa}@a[b]", "@rosa", [c(0, 5, "b", label="a")], id="at-after-labelled-open"),
    pytest.param("{{\\@x}[a]}[b]", "@x", [c(0, 2, "b"), c(0, 2, "a")], id="at-after-inner-open"),
    pytest.param(
        "a \\\\ b \\{ c \\} d {\\{x\\}}[a]", "a \\ b { c } d {x}", [c(14, 17, "a")], id="text-escapes"
    ),
    pytest.param(
        "[00:00:05] I1: [laughs] [inaudible 00:12:31] mail a@b.c | x, y ] [ @",
        "[00:00:05] I1: [laughs] [inaudible 00:12:31] mail a@b.c | x, y ] [ @",
        [],
        id="transcript-notation",
    ),
    pytest.param(
        "{so}[a] [laughs] {x}[b][c]", "so [laughs] x[c]", [c(0, 2, "a"), c(12, 13, "b")], id="brackets-after"
    ),
    pytest.param("😀 {x}[a] 👍🏽", "😀 x 👍🏽", [c(2, 3, "a")], id="emoji"),
    pytest.param("a\u2028{b\u2028c}[a]", "a\u2028b\u2028c", [c(2, 5, "a")], id="u2028-is-text"),
    pytest.param("{{x}[a]}[b]", "x", [c(0, 1, "b"), c(0, 1, "a")], id="identical-plain"),
    pytest.param(
        "{@a {@b x}@b[c]}@a[d]",
        "x",
        [c(0, 1, "d", label="a"), c(0, 1, "c", label="b")],
        id="identical-labelled",
    ),
    pytest.param("{{x}[a] y}[b]", "x y", [c(0, 3, "b"), c(0, 1, "a")], id="longer-opens-first"),
    pytest.param(
        "{@a {x}[b] y}@a[c]", "x y", [c(0, 3, "c", label="a"), c(0, 1, "b")], id="labelled-longer-first"
    ),
    pytest.param("{x}[a]{y}[b]", "xy", [c(0, 1, "a"), c(1, 2, "b")], id="close-before-open"),
    pytest.param("{x {y}[a]}[b]", "x y", [c(0, 3, "b"), c(2, 3, "a")], id="closes-reverse-order"),
    pytest.param("\n\n{x}[a]", "\n\nx", [c(2, 3, "a")], id="empty-paragraphs-no-final-lf"),
    pytest.param("", "", [], id="empty"),
]


@parsers
@pytest.mark.parametrize(("body", "text", "codings"), VALID)
def test_valid_markup(parse: Parser, body: str, text: str, codings: list[Coding]) -> None:
    assert parse(body) == (text, codings)
    assert serialise_body(text, codings) == body


@parsers
def test_offsets_count_code_points(parse: Parser) -> None:
    body = "👍🏽 é {coded}[a]"  # an emoji with a skin-tone modifier is two code points
    text, [coding] = parse(body)
    assert (coding.start, coding.end) == (5, 10)
    assert text[coding.start : coding.end] == "coded"
    assert len(text[: coding.start].encode("utf-16-le")) // 2 == 7  # not UTF-16 units


@parsers
def test_serialiser_labels_crossing_spans(parse: Parser) -> None:
    text = "one two three"
    codings = [c(0, 7, "a"), c(4, 13, "b")]
    body = serialise_body(text, codings)
    assert body == "{one {@1 two}[a] three}@1[b]"
    assert parse(body) == (text, [codings[0], c(4, 13, "b", label="1")])


ERRORS = [
    pytest.param("a \\q", 1, 3, "write '\\\\' for a backslash", id="unknown-escape"),
    pytest.param("a\\", 1, 2, "write '\\\\' for a backslash", id="backslash-at-end"),
    pytest.param("mail a\\@b.c", 1, 7, "write a plain '@'", id="at-escape-not-after-open"),
    pytest.param("{@a \\@x}@a[b]", 1, 5, "write a plain '@'", id="at-escape-after-labelled-open"),
    pytest.param("{@ x}[a]", 1, 1, "write '{@label '", id="label-missing"),
    pytest.param("a {@A x}@A[b]", 1, 3, "write '{@label '", id="label-uppercase"),
    pytest.param("{@a x}@a[b] {@a y}@a[c]", 1, 13, "choose another", id="label-used-twice"),
    pytest.param("{x\ny}[a]", 1, 1, "close it with '}[code]'", id="plain-span-over-paragraph"),
    pytest.param("ok\nab {x {y}[a]", 2, 4, "close it with '}[code]'", id="plain-never-closed"),
    pytest.param("{@a x\ny", 1, 1, "close it with '}@a[code]'", id="labelled-never-closed"),
    pytest.param("x }[a]", 1, 3, "escape it as '\\}'", id="close-without-open"),
    pytest.param("{@a x}@b[c]}@a[d]", 1, 6, "open it with '{@b ' or remove it", id="label-not-open"),
    pytest.param("{x}", 1, 3, "add the codes, or escape it as '\\}'", id="no-code-list"),
    pytest.param("{x} [a]", 1, 3, "add the codes, or escape it as '\\}'", id="space-before-code-list"),
    pytest.param("{x}@[a]", 1, 3, "write '}@label[code]'", id="close-label-missing"),
    pytest.param("{x}[]", 1, 5, "name a code slug", id="no-code"),
    pytest.param("{x}[a, ]", 1, 8, "name a code slug", id="code-missing-after-comma"),
    pytest.param("{x}[Code]", 1, 5, "lowercase letters and digits joined by '-' or '_'", id="not-a-slug"),
    pytest.param(
        "{x}[a, b--c]", 1, 8, "lowercase letters and digits joined by '-' or '_'", id="double-hyphen"
    ),
    pytest.param("{x}[a,b]", 1, 6, "separate codes with ', '", id="comma-without-space"),
    pytest.param("{x}[a b]", 1, 6, "', ', ' | ' or ']'", id="space-between-codes"),
    pytest.param("{x}[a", 1, 4, "end it with ']'", id="code-list-never-closed"),
    pytest.param("{x}[a | ]", 1, 9, "write a memo or remove ' | '", id="empty-memo"),
    pytest.param("{x}[a | b\\c]", 1, 10, "write '\\\\' for a backslash", id="memo-escape"),
    pytest.param("{x}[a | memo\nnext]", 1, 12, "end it with ']'", id="memo-never-closed"),
    pytest.param("{x}[a, b, a]", 1, 4, "remove one", id="code-twice"),
    pytest.param("{}[a]", 1, 2, "put the coded words between", id="empty-span"),
    pytest.param("{@a x{}@a[b]y}[c]", 1, 7, "move this close before", id="close-after-open-at-one-place"),
    pytest.param(
        "{@a {@b x}@a[c]}@b[d]", 1, 16, "close this span before the one just closed", id="close-order"
    ),
    pytest.param("{{@a x}[b] y}@a[c]", 1, 2, "open this span before the one just before it", id="open-order"),
    pytest.param("a\u2028b \\q", 1, 5, "write '\\\\' for a backslash", id="u2028-no-new-line"),
    pytest.param("😀\t\\q", 1, 3, "write '\\\\' for a backslash", id="columns-count-code-points"),
    pytest.param("}[a] \\q", 1, 1, "escape it as '\\}'", id="first-problem-first"),
    pytest.param("{x\n\\q", 1, 1, "close it with '}[code]'", id="paragraph-end-before-next-line"),
    pytest.param("{x \\q", 1, 4, "write '\\\\' for a backslash", id="syntax-before-paragraph-end"),
    pytest.param("{@a x\n\\q", 2, 1, "write '\\\\' for a backslash", id="syntax-before-body-end"),
]


@parsers
@pytest.mark.parametrize(("body", "line", "column", "hint"), ERRORS)
def test_errors_name_the_place_and_what_to_do(
    parse: Parser, body: str, line: int, column: int, hint: str
) -> None:
    with pytest.raises(FormatError) as caught:
        parse(body)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert hint in caught.value.message


@parsers
def test_error_lines_count_from_first_line(parse: Parser) -> None:
    with pytest.raises(FormatError) as caught:
        parse("a\n{x}[Bad]", 7)
    assert (caught.value.line, caught.value.column) == (8, 5)
    assert str(caught.value.located("documents/qual1/int-07.txt")).startswith(
        "documents/qual1/int-07.txt:8:5: "
    )
