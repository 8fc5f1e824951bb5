"""Property tests: the fast parser agrees with the pyparsing specification, and the format is canonical.

Random documents are written with ``serialise_body`` and read back by both parsers; mutated and random
bodies must be accepted or rejected alike (same result, or an error at the same line and column), and
every accepted body must be exactly what the serialiser writes for its contents. ``body_problems``, which
goes on after a problem, must find none where the parsers accept and the parsers' first one where they
refuse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from margin.core.coding import Coding
from margin.core.errors import FormatError
from margin.core.grammar import parse_body_spec
from margin.core.markup import body_problems, escape_text, format_code_list, parse_body, serialise_body

SETTINGS = settings(max_examples=300, deadline=None)

SPECIAL = ["{", "}", "[", "]", "@", "|", "\\", ",", " ", "\n"]
OTHER = ["a", "b", "n", "z", "-", "_", "1", "😀", "\u2028", "\x85", "\t", "\r", ":", "é"]
characters = st.sampled_from(SPECIAL) | st.sampled_from(OTHER)
plain_text = st.text(characters, max_size=40)
slugs = st.from_regex(r"[a-z0-9]{1,3}(?:[-_][a-z0-9]{1,2}){0,2}", fullmatch=True)
code_lists = st.lists(slugs, min_size=1, max_size=3, unique=True).map(tuple)
memo_pieces = st.sampled_from(["]", "\\", "\n", "|", " | ", "[", "n", "\\n", "x", "😀", "\u2028"])
memos = st.none() | st.lists(memo_pieces, min_size=1, max_size=6).map("".join)
# Pieces of markup, to build random bodies that are often nearly valid.
PIECES = [
    *SPECIAL,
    *OTHER,
    *["{@a ", "{@b ", "}@a", "}@b", "}[a]", "}@a[b]", "}@b[a | m]", "[a]", "[b, a]", ", a", " | ", "|x]"],
    *["\\@", "\\\\", "\\{", "\\}", "\\n", "\\]"],
]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[Coding]]:
    """Plain text and valid codings: nested, identical, crossing, adjacent and over paragraphs."""
    text = draw(plain_text)
    if not text:
        return text, []
    # Few distinct boundaries, so that spans often share a start or an end, or meet.
    points = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=5, unique=True)))
    spans = st.tuples(st.integers(0, len(points) - 2), st.integers(1, len(points) - 1)).filter(
        lambda ij: ij[0] < ij[1]
    )
    labels = iter(["a", "1", "x7", "2"])
    codings = []
    for i, j in draw(st.lists(spans, max_size=6)):
        label = next(labels, None) if draw(st.integers(0, 4)) == 0 else None
        codings.append(Coding(points[i], points[j], draw(code_lists), draw(memos), label))
    return text, codings


def segment(coding: Coding) -> tuple[int, int, tuple[str, ...], str | None]:
    return coding.start, coding.end, coding.codes, coding.memo


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A serialised body with a few edits: characters (mostly markup) or pieces of markup inserted,
    deleted or replaced, or a short stretch moved elsewhere (which breaks the canonical order)."""
    body = serialise_body(*draw(documents()))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(body)))
        j = draw(st.integers(i, min(i + 6, len(body))))
        piece = draw(st.sampled_from(SPECIAL) if draw(st.booleans()) else st.sampled_from(PIECES))
        op = draw(st.sampled_from(["insert", "delete", "replace", "move"]))
        if op == "insert":
            body = body[:i] + piece + body[i:]
        elif op == "delete":
            body = body[:i] + body[j:]
        elif op == "replace":
            body = body[:i] + piece + body[i + 1 :]
        else:
            rest = body[:i] + body[j:]
            k = draw(st.integers(0, len(rest)))
            body = rest[:k] + body[i:j] + rest[k:]
    return body


@st.composite
def rewritten(draw: st.DrawFn) -> str:
    """Valid codings written freely: each span plain or labelled, the opens and closes at some places in
    another order than the canonical one, a code sometimes named twice, an '@' after '{' sometimes not
    escaped."""
    text, codings = draw(documents())
    twice = draw(st.integers(0, 9)) == 5  # name the first code of the first coding twice
    closes: dict[int, list[str]] = {}
    opens: dict[int, list[str]] = {}
    for n, c in enumerate(sorted(codings, key=Coding.sort_key)):
        label = c.label or (None if draw(st.booleans()) else f"s{n}")
        codes = c.codes + (c.codes[:1] if twice and n == 0 else ())
        opens.setdefault(c.start, []).append("{" if label is None else f"{{@{label} ")
        close = ("}" if label is None else f"}}@{label}") + format_code_list(codes, c.memo)
        closes.setdefault(c.end, []).insert(0, close)
    parts: list[str] = []
    prev = 0
    for place in sorted({*opens, *closes, len(text)}):
        chunk = escape_text(text[prev:place])
        if chunk.startswith("@") and parts and parts[-1] == "{" and draw(st.booleans()):
            chunk = "\\" + chunk
        parts.append(chunk)
        here = closes.get(place, []), opens.get(place, [])
        order = draw(st.sampled_from(["canonical", "opens", "closes", "any"]))
        if order == "any":
            parts.extend(draw(st.permutations(here[0] + here[1])))
        else:
            parts.extend(draw(st.permutations(here[0])) if order == "closes" else here[0])
            parts.extend(draw(st.permutations(here[1])) if order == "opens" else here[1])
        prev = place
    return "".join(parts)


def outcome(parse: Callable[[str, int], tuple[str, list[Coding]]], body: str, first_line: int) -> object:
    """The parse result, or ("error", line, column)."""
    try:
        return parse(body, first_line)
    except FormatError as error:
        assert error.line >= first_line and error.column >= 1
        return ("error", error.line, error.column)


def check_agreement(body: str, first_line: int = 1) -> None:
    fast = outcome(parse_body, body, first_line)
    assert fast == outcome(parse_body_spec, body, first_line)
    problems = [(p.line, p.column) for p in body_problems(body, first_line)]
    assert problems == sorted(set(problems))  # in file order, each place once
    if isinstance(fast, tuple) and fast[0] != "error":
        text, codings = fast
        assert serialise_body(text, codings) == body  # every accepted body is canonical
        assert problems == []
    else:
        assert fast[1:] in problems


@SETTINGS
@given(documents())
def test_both_parsers_read_back_what_the_serialiser_writes(document: tuple[str, list[Coding]]) -> None:
    text, codings = document
    body = serialise_body(text, codings)
    for parse in (parse_body, parse_body_spec):
        got_text, got = parse(body)
        assert got_text == text
        assert Counter(map(segment, got)) == Counter(map(segment, codings))
        assert {c.label for c in codings if c.label} <= {c.label for c in got}
    assert parse_body_spec(body) == parse_body(body)
    assert serialise_body(*parse_body(body)) == body


@SETTINGS
@given(mutated(), st.integers(1, 4))
def test_parsers_agree_on_mutated_bodies(body: str, first_line: int) -> None:
    check_agreement(body, first_line)


@SETTINGS
@given(st.text(st.sampled_from(SPECIAL) | st.sampled_from(["a", "b", "-", "😀", "\u2028"]), max_size=30))
def test_parsers_agree_on_random_strings(body: str) -> None:
    check_agreement(body)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_parsers_agree_on_random_markup(body: str) -> None:
    check_agreement(body)


@SETTINGS
@given(rewritten())
def test_codings_written_in_any_order_are_accepted_only_in_canonical_form(body: str) -> None:
    check_agreement(body)


@SETTINGS
@given(documents(), st.lists(st.integers(0, 10), min_size=1, max_size=4, unique=True))
def test_every_bad_paragraph_is_reported_once(document: tuple[str, list[Coding]], places: list[int]) -> None:
    """Stray braces put between the paragraphs of a valid body (inside spans that run over paragraphs
    too) are each reported at their line, and nothing else is."""
    lines = serialise_body(*document).split("\n")
    for place in sorted({min(p, len(lines)) for p in places}, reverse=True):
        lines.insert(place, "P1: a stray } here")
    wanted = [n + 1 for n, line in enumerate(lines) if line == "P1: a stray } here"]
    problems = body_problems("\n".join(lines))
    assert [(p.line, p.column) for p in problems] == [(n, 13) for n in wanted]
    assert all(p.message.startswith("'}' must be followed by a code list") for p in problems)
