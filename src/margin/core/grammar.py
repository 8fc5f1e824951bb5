"""The pyparsing grammar of the inline coding markup: the executable specification of docs/format.md.

``parse_body_spec`` reads a body in two steps that follow the spec's own split: the grammar ("Grammar")
cuts the body into tokens, and one pass over the tokens applies the structure rules. It is slow and
declarative on purpose; the fast parser ``margin.core.markup.parse_body`` must agree with it on every
input (same plain text and codings, or a ``FormatError`` at the same place), which the property tests
check.

Errors are reported in reading order: the first token that breaks a structure rule, or else the first
place where no token of the grammar starts. What can only be judged at a paragraph's end (a plain span
left open) is reported there, and what can only be judged at the body's end (a labelled span left open,
spans opening at one place shortest first) after everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import pyparsing as pp

from margin.core.coding import Coding
from margin.core.errors import FormatError

# -- Tokens -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text (escapes resolved) read at body offset ``loc``."""

    loc: int
    text: str


@dataclass(frozen=True, slots=True)
class Break:
    """The line feed between two paragraphs."""

    loc: int


@dataclass(frozen=True, slots=True)
class Open:
    """``{`` (``label`` None) or ``{@label ``."""

    loc: int
    label: str | None


@dataclass(frozen=True, slots=True)
class Close:
    """``}`` or ``}@label`` with its code list, which starts at ``list_loc``."""

    loc: int
    label: str | None
    codes: tuple[str, ...]
    memo: str | None
    list_loc: int


Token = Text | Break | Open | Close


def _make_close(loc: int, tokens: pp.ParseResults) -> Close:
    label = str(tokens["label"]) if "label" in tokens else None
    memo = str(tokens["memo"]) if "memo" in tokens else None
    codes = tuple(str(code) for code in tokens["codes"])
    return Close(loc, label, codes, memo, loc + 1 + (len(label) + 1 if label else 0))


# -- The grammar (docs/format.md, "Grammar") -------------------------------------------------------------

LABEL = pp.Regex(r"[a-z0-9]+")
SLUG = pp.Regex(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")

TEXT = pp.Regex(r"[^\\{}\n]+").set_parse_action(lambda loc, t: Text(loc, t[0]))
ESCAPE = pp.Regex(r"\\[\\{}]").set_parse_action(lambda loc, t: Text(loc, t[0][1]))
BREAK = pp.Literal("\n").set_parse_action(lambda loc, t: Break(loc))

LABEL_OPEN = (pp.Suppress("{@") + LABEL + pp.Suppress(" ")).set_parse_action(lambda loc, t: Open(loc, t[0]))
# "{@" always starts a label; an "@" that begins a plain span's text is written "\@".
PLAIN_OPEN = (pp.Literal("{") + ~pp.Literal("@")).set_parse_action(lambda loc, t: Open(loc, None))
AT_ESCAPE = pp.Literal("\\@").set_parse_action(lambda loc, t: Text(loc, "@"))

MEMO = pp.Combine(
    pp.OneOrMore(
        pp.Regex(r"[^\\\]\n]+")
        | pp.Literal("\\\\").set_parse_action(pp.replace_with("\\"))
        | pp.Literal("\\]").set_parse_action(pp.replace_with("]"))
        | pp.Literal("\\n").set_parse_action(pp.replace_with("\n"))
    )
)
CODE_LIST = (
    pp.Suppress("[")
    + pp.Group(SLUG + pp.ZeroOrMore(pp.Suppress(", ") + SLUG))("codes")
    + pp.Opt(pp.Suppress(" | ") + MEMO("memo"))
    + pp.Suppress("]")
)
CLOSE = (pp.Suppress("}") + pp.Opt(pp.Suppress("@") + LABEL("label")) + CODE_LIST).set_parse_action(
    lambda loc, t: _make_close(loc, t)
)

TOKEN = TEXT | ESCAPE | BREAK | LABEL_OPEN | PLAIN_OPEN + pp.Opt(AT_ESCAPE) | CLOSE
# The tokens from the start of a body up to the first place where none starts (its end if valid).
TOKENS = pp.Located(pp.ZeroOrMore(TOKEN)).leave_whitespace().parse_with_tabs()

# A close read strictly ("-": no backtracking after it), to find where in a close the grammar fails.
# Here a slug must end at a separator or the line's end, so that a word like 'aBc' fails at its start.
_WORD_SLUG = pp.Regex(r"[a-z0-9]+(?:[-_][a-z0-9]+)*(?![^,\] |])")
_STRICT_CLOSE = (
    (
        pp.Literal("}")
        + pp.Opt("@" + LABEL)
        - "["
        - _WORD_SLUG
        - pp.ZeroOrMore(", " - _WORD_SLUG)
        - pp.Opt(" | " - MEMO)
        - "]"
    )
    .leave_whitespace()
    .parse_with_tabs()
)


# -- Reading a body -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Span:
    """A span that has opened: its order of opening, start offset, label, place, and coding once closed."""

    order: int
    start: int
    label: str | None
    loc: int
    coding: Coding | None = None


def parse_body_spec(body: str, first_line: int = 1) -> tuple[str, list[Coding]]:
    """Parse a body into plain text and codings, as ``margin.core.markup.parse_body`` must.

    Raises FormatError at the line (counted from ``first_line``) and column of the first problem.
    """

    def error(message: str, loc: int) -> FormatError:
        return FormatError(message, line=first_line - 1 + pp.lineno(loc, body), column=pp.col(loc, body))

    located = TOKENS.parse_string(body)
    tokens: list[Token] = list(located.value)
    text: list[str] = []
    pos = 0  # offset in the plain text
    spans: list[_Span] = []  # every span, in opening order
    plain: list[_Span] = []  # plain spans open in this paragraph, innermost last
    labelled: dict[str, _Span] = {}  # labelled spans open now, in opening order
    labels: set[str] = set()  # every label used so far
    last_close = (-1, -1)  # offset and opening order of the span closed last
    for token in tokens:
        if isinstance(token, Text):
            text.append(token.text)
            pos += len(token.text)
        elif isinstance(token, Break):
            if plain:
                raise error(_UNCLOSED_PLAIN, plain[-1].loc)
            text.append("\n")
            pos += 1
        elif isinstance(token, Open):
            span = _Span(len(spans), pos, token.label, token.loc)
            spans.append(span)
            if token.label is None:
                plain.append(span)
            elif token.label in labels:
                raise error(f"label '@{token.label}' is used twice — choose another", token.loc)
            else:
                labels.add(token.label)
                labelled[token.label] = span
        else:
            if token.label is None:
                found = plain.pop() if plain else None
            else:
                found = labelled.pop(token.label, None)
            if found is None:
                raise error(_no_open_span(token.label), token.loc)
            if found.start == pos:
                raise error("this span is empty — put the coded words between '{' and '}'", token.loc)
            if spans[-1].start == pos:
                raise error(
                    "a span that ends where another begins closes first — move this close before that '{'",
                    token.loc,
                )
            if last_close[0] == pos and last_close[1] < found.order:
                raise error(
                    "spans ending at one place close in reverse order of opening — close this span before "
                    "the one just closed",
                    token.loc,
                )
            if len(set(token.codes)) < len(token.codes):
                raise error("this code list names a code twice — remove one", token.list_loc)
            found.coding = Coding(found.start, pos, token.codes, token.memo, token.label)
            last_close = (pos, found.order)
    stop: int = located.locn_end
    if stop < len(body):
        message, loc = _syntax_error(body, stop)
        raise error(message, loc)
    if plain:
        raise error(_UNCLOSED_PLAIN, plain[-1].loc)
    if labelled:
        label, span = next(iter(labelled.items()))  # the first opened
        raise error(f"labelled span '@{label}' is never closed — close it with '}}@{label}[code]'", span.loc)
    codings = [span.coding for span in spans if span.coding is not None]
    for (a, coding_a), (b, coding_b) in pairwise(zip(spans, codings, strict=True)):
        if a.start == b.start and coding_a.end < coding_b.end:
            raise error(
                "spans opening at one place open longest first — open this span before the one just "
                "before it",
                b.loc,
            )
    return "".join(text), codings


_UNCLOSED_PLAIN = (
    "'{' is never closed in this paragraph — close it with '}[code]', escape it as '\\{', "
    "or use a labelled span '{@a …}@a[code]' to cross paragraphs"
)


def _no_open_span(label: str | None) -> str:
    if label is None:
        return "'}' closes no open '{' — open a span with '{' or escape it as '\\}'"
    return f"'}}@{label}' closes no open span — open it with '{{@{label} ' or remove it"


def _syntax_error(body: str, loc: int) -> tuple[str, int]:
    """Why no token starts at ``loc`` (a backslash, '{' or '}'), and the offset to report."""
    if body.startswith("\\@", loc):
        return "'\\@' is only needed directly after '{' — write a plain '@' here", loc
    if body[loc] == "\\":
        return "a backslash starts an escape ('\\\\', '\\{', '\\}') — write '\\\\' for a backslash", loc
    if body[loc] == "{":
        return (
            "'{@' opens a labelled span: write '{@label ' (lowercase letters and digits, then a space), "
            "or '{\\@' for a span whose text starts with '@'",
            loc,
        )
    end = body.find("\n", loc)
    line = body[loc:] if end < 0 else body[loc:end]
    try:
        _STRICT_CLOSE.parse_string(line)
    except pp.ParseSyntaxException as failure:
        message, at = _close_problem(line, failure.loc)
        return message, loc + at
    raise AssertionError("the token grammar rejected a valid close")  # pragma: no cover


def _close_problem(line: str, at: int) -> tuple[str, int]:
    """Explain why the close that starts ``line`` fails the strict grammar at ``line[at]``."""
    found = line[at : at + 1]
    if "[" not in line[:at]:
        if line.startswith("}@") and at == 1:
            return "'}@' closes a labelled span: write '}@label[code]'", 0
        return "'}' must be followed by a code list '[code]' — add the codes, or escape it as '\\}'", 0
    if " | " in line[:at]:
        if found == "]":
            return "the memo after ' | ' is empty — write a memo or remove ' | '", at
        if found == "\\":
            return "in a memo, a backslash starts '\\\\', '\\]' or '\\n' — write '\\\\' for a backslash", at
        # reported at the line's last character
        return "the memo is never closed — end it with ']' (write '\\]' for a ']' in it)", at - 1
    if line[at - 1] not in "[ ":  # just after a code
        if found == ",":
            return "separate codes with ', ' (a comma and one space)", at
        if not found:
            return "the code list is never closed — end it with ']'", line.index("[")
        return "expected ', ', ' | ' or ']' after a code", at
    word = re.split(r"[,\]|]", line[at:], maxsplit=1)[0].strip()
    if not word:
        return "a code is missing here — name a code slug", at
    return f"'{word}' is not a code slug — slugs are lowercase letters and digits joined by '-' or '_'", at
