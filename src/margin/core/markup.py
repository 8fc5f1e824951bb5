"""The fast parser and the serialiser of Margin's inline coding markup (docs/format.md).

``parse_body`` turns a document body into its plain text and codings; ``serialise_body`` is its exact
inverse: every valid body is canonical, so ``serialise_body(*parse_body(b)) == b``. The pyparsing grammar
in ``margin.core.grammar`` is the executable specification this parser is tested against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from margin.core.coding import Coding
from margin.core.errors import FormatError

_SLUG = r"[a-z0-9]+(?:[-_][a-z0-9]+)*"
_SPECIAL = re.compile(r"[\\{}]")
_CODE_LIST = re.compile(rf"\[({_SLUG}(?:, {_SLUG})*)(?: \| ((?:[^\\\]\n]|\\[\\\]n])+))?\]")
_LABEL_OPEN = re.compile(r"([a-z0-9]+) ")
_LABEL = re.compile(r"[a-z0-9]+")
_SLUG_AT = re.compile(_SLUG)
_MEMO_ESCAPE = re.compile(r"\\(.)")
_MEMO_UNESCAPE = {"\\": "\\", "]": "]", "n": "\n"}
_MEMO_ESCAPES = str.maketrans({"\\": "\\\\", "]": "\\]", "\n": "\\n"})
MAX_OVERLAP = 100
"""At most this many codings may cover the same character (docs/format.md, "Limits"): beyond it every
reader of the document (a segment's words, the spans drawn over a paragraph) would grow with the square
of the codings."""
MAX_PROBLEMS = 100
"""At most this many markup problems of one document are listed (each found costs a read of the rest)."""
TOO_MANY_CODINGS = (
    f"more than {MAX_OVERLAP} codings cover these words — Margin reads at most {MAX_OVERLAP} on the same "
    "words; merge codings of the same words into one (a coding can carry several codes)"
)


class _Open:
    """A span seen opening, waiting for its close."""

    __slots__ = ("column", "label", "line", "start")

    def __init__(self, start: int, label: str | None, line: int, column: int) -> None:
        self.start = start
        self.label = label
        self.line = line
        self.column = column


class _AtEnd(FormatError):
    """A problem found only once the whole body was read (a labelled span never closed, spans that open
    at the same place in the wrong order)."""


def _error(message: str, line: int, column: int) -> FormatError:
    return FormatError(message, line=line, column=column)


def parse_body(body: str, first_line: int = 1) -> tuple[str, list[Coding]]:
    """Parse a document body (no front matter) into plain text and codings in canonical order.

    Raises FormatError with the line (counted from ``first_line``) and column of the first problem.
    """
    out: list[str] = []
    pos = 0
    opens: list[_Open] = []
    done: list[Coding | None] = []
    plain_stack: list[int] = []
    open_labels: dict[str, int] = {}
    seen_labels: set[str] = set()
    last_open_pos = -1
    last_close_pos = -1
    last_close_idx = -1
    search = _SPECIAL.search
    lines = body.split("\n")
    last = len(lines) - 1
    for n, line in enumerate(lines):
        lineno = first_line + n
        m = search(line)
        if m is None:
            out.append(line)
            pos += len(line)
        else:
            k = 0
            after_plain_open = -1
            while m is not None:
                j = m.start()
                if j > k:
                    out.append(line[k:j])
                    pos += j - k
                c = line[j]
                if c == "\\":
                    nxt = line[j + 1 : j + 2]
                    if nxt in ("\\", "{", "}") and nxt:
                        out.append(nxt)
                        pos += 1
                    elif nxt == "@" and j == after_plain_open:
                        out.append("@")
                        pos += 1
                    elif nxt == "@":
                        raise _error(
                            "'\\@' is only needed directly after '{' — write a plain '@' here", lineno, j + 1
                        )
                    else:
                        raise _error(
                            "a backslash starts an escape ('\\\\', '\\{', '\\}') — write '\\\\' for a backslash",
                            lineno,
                            j + 1,
                        )
                    k = j + 2
                elif c == "{":
                    if line.startswith("@", j + 1):
                        lm = _LABEL_OPEN.match(line, j + 2)
                        if lm is None:
                            raise _error(
                                "'{@' opens a labelled span: write '{@label ' (label: lowercase letters and "
                                "digits, then one space), or write '{\\@' for a span whose text starts with '@'",
                                lineno,
                                j + 1,
                            )
                        label = lm.group(1)
                        if label in seen_labels:
                            raise _error(
                                f"label '@{label}' is used twice in this document — choose another label",
                                lineno,
                                j + 1,
                            )
                        seen_labels.add(label)
                        open_labels[label] = len(opens)
                        opens.append(_Open(pos, label, lineno, j + 1))
                        k = lm.end()
                    else:
                        plain_stack.append(len(opens))
                        opens.append(_Open(pos, None, lineno, j + 1))
                        k = j + 1
                        after_plain_open = k
                    if len(plain_stack) + len(open_labels) > MAX_OVERLAP:
                        raise _error(TOO_MANY_CODINGS, lineno, j + 1)
                    done.append(None)
                    last_open_pos = pos
                else:  # "}"
                    q = j + 1
                    label = None
                    if line.startswith("@", q):
                        lm = _LABEL.match(line, q + 1)
                        if lm is None:
                            raise _error("'}@' closes a labelled span: write '}@label[code]'", lineno, j + 1)
                        label = lm.group()
                        q = lm.end()
                    cm = _CODE_LIST.match(line, q)
                    if cm is None:
                        raise _diagnose_code_list(line, q, lineno, j)
                    if label is not None:
                        idx = open_labels.pop(label, -1)
                        if idx < 0:
                            raise _error(
                                f"'}}@{label}' closes no open span — open it with '{{@{label} ' or remove it",
                                lineno,
                                j + 1,
                            )
                    elif plain_stack:
                        idx = plain_stack.pop()
                    else:
                        raise _error(
                            "'}' closes no open '{' — open a span with '{' or escape it as '\\}'",
                            lineno,
                            j + 1,
                        )
                    o = opens[idx]
                    if o.start == pos:
                        raise _error(
                            "this coded span is empty — put the coded words between '{' and '}'",
                            lineno,
                            j + 1,
                        )
                    if last_open_pos == pos:
                        raise _error(
                            "spans that end where others begin must close first — move this close before "
                            "the '{' just before it",
                            lineno,
                            j + 1,
                        )
                    if last_close_pos == pos and idx > last_close_idx:
                        raise _error(
                            "spans that end at the same place close in the reverse order of their opening — "
                            "close this span before the one just closed",
                            lineno,
                            j + 1,
                        )
                    codes = tuple(cm.group(1).split(", "))
                    if len(set(codes)) != len(codes):
                        raise _error("a code is named twice in this code list — remove one", lineno, q + 1)
                    memo = cm.group(2)
                    if memo is not None and "\\" in memo:
                        memo = _MEMO_ESCAPE.sub(lambda e: _MEMO_UNESCAPE[e.group(1)], memo)
                    done[idx] = Coding(o.start, pos, codes, memo, label)
                    last_close_pos = pos
                    last_close_idx = idx
                    k = cm.end()
                m = search(line, k)
            if k < len(line):
                out.append(line[k:])
                pos += len(line) - k
            if plain_stack:
                o = opens[plain_stack[-1]]
                raise _error(
                    "'{' is never closed in this paragraph — close it with '}[code]', escape it as '\\{', "
                    "or use a labelled span '{@a …}@a[code]' to cross paragraphs",
                    o.line,
                    o.column,
                )
        if n != last:
            out.append("\n")
            pos += 1
    if open_labels:
        o = opens[min(open_labels.values())]
        raise _AtEnd(_never_closed(str(o.label)), line=o.line, column=o.column)
    codings: list[Coding] = [c for c in done if c is not None]
    for i in range(1, len(codings)):
        a, b = codings[i - 1], codings[i]
        if a.start == b.start and a.end < b.end:
            o = opens[i]
            raise _AtEnd(
                "spans that open at the same place open longest first — open this span before the one "
                "just before it",
                line=o.line,
                column=o.column,
            )
    return "".join(out), codings


def _never_closed(label: str) -> str:
    return f"labelled span '@{label}' is never closed — close it with '}}@{label}[code]'"


_LABEL_EVENT = re.compile(r"\\.|\{@([a-z0-9]+) |\}@([a-z0-9]+)\[")


def body_problems(body: str, first_line: int = 1) -> list[FormatError]:
    """Every markup problem of a body, in file order, where ``parse_body`` stops at the first.

    After a problem the rest of its paragraph is skipped and reading goes on with the next one, taking
    the labelled spans that paragraph opens and closes as written (they may run over paragraphs), so
    that one mistake is reported once. Slower than ``parse_body``: for ``margin check``, not for loading.
    """
    problems: list[FormatError] = []
    lines = body.split("\n")
    pending: dict[str, tuple[int, int]] = {}  # labels open before ``start``: where each opened
    seen: set[str] = set()
    start = 0
    while True:
        # A first line stands for what came before: the labels used and closed, then those still open.
        head_line = first_line + start - 1
        head = "".join(f"{{@{label} x}}@{label}[x]" for label in sorted(seen - pending.keys()))
        opened_at: dict[int, str] = {}
        for label in pending:
            opened_at[len(head) + 1] = label
            head += f"{{@{label} x"
        try:
            parse_body("\n".join([head, *lines[start:]]), head_line)
            return problems
        except _AtEnd as exc:
            if exc.line == head_line and exc.column in opened_at:
                line, column = pending[opened_at[exc.column]]
                exc = _AtEnd(exc.message, line=line, column=column)
            problems.append(exc)
            _follow_labels(lines[start:], first_line + start, pending, seen)
            problems.extend(
                _AtEnd(_never_closed(label), line=line, column=column)
                for label, (line, column) in pending.items()
                if (line, column) != (exc.line, exc.column)
            )
            return sorted(problems, key=lambda p: (p.line, p.column))
        except FormatError as exc:
            problems.append(exc)
            bad = max(exc.line - first_line, start)
            if len(problems) >= MAX_PROBLEMS and bad + 1 < len(lines):  # each costs a read of the rest
                problems.append(
                    FormatError(
                        f"more than {MAX_PROBLEMS} markup problems in this document; those from here on are "
                        "not listed — fix the ones above, then run `margin check` again",
                        line=first_line + bad + 1,
                        column=1,
                    )
                )
                return problems
            _follow_labels(lines[start : bad + 1], first_line + start, pending, seen)
            start = bad + 1


def _follow_labels(
    lines: Sequence[str], first_line: int, pending: dict[str, tuple[int, int]], seen: set[str]
) -> None:
    """Open and close labelled spans as ``lines`` write them, leniently (a label opened twice, or closed
    while not open, is ignored: the parser has reported it)."""
    for n, line in enumerate(lines):
        if "@" not in line:
            continue
        for m in _LABEL_EVENT.finditer(line):
            opened, closed = m.group(1), m.group(2)
            if opened is not None and opened not in seen:
                seen.add(opened)
                pending[opened] = (first_line + n, m.start() + 1)
            elif closed is not None:
                pending.pop(closed, None)


def overlap(codings: Iterable[Coding], start: int, end: int) -> int:
    """The most codings that cover one character of ``[start, end)``."""
    events = sorted(
        (p, step)
        for c in codings
        if c.start < end and start < c.end
        for p, step in ((max(c.start, start), 1), (min(c.end, end), -1))
    )
    deepest = depth = 0
    for _, step in events:  # at one place, ends (-1) sort before starts
        depth += step
        deepest = max(deepest, depth)
    return deepest


def _diagnose_code_list(line: str, q: int, lineno: int, close_at: int) -> FormatError:
    """Explain why the code list starting at ``line[q]`` is invalid."""
    if not line.startswith("[", q):
        return _error(
            "'}' must be followed by a code list '[code]' — add the codes, or escape it as '\\}'",
            lineno,
            close_at + 1,
        )
    i = q + 1
    seen = 0
    while True:
        sm = _SLUG_AT.match(line, i)
        if sm is None or (sm.end() < len(line) and line[sm.end()] not in ",] |"):
            word = re.match(r"[^,\]|]*", line[i:])
            bad = word.group().strip() if word else ""
            if not bad:
                return _error("a code is missing here — name a code slug", lineno, i + 1)
            return _error(
                f"'{bad}' is not a code slug — slugs are lowercase letters and digits joined by '-' or '_'",
                lineno,
                i + 1,
            )
        seen += 1
        i = sm.end()
        if line.startswith(", ", i):
            i += 2
            continue
        if line.startswith(",", i):
            return _error("separate codes with ', ' (a comma and one space)", lineno, i + 1)
        if line.startswith("]", i):
            return _error("invalid code list", lineno, q + 1)  # pragma: no cover - the regex accepts this
        if line.startswith(" | ", i):
            return _diagnose_memo(line, i + 3, lineno)
        if i >= len(line):
            return _error("the code list is never closed — end it with ']'", lineno, q + 1)
        return _error("expected ', ', ' | ' or ']' after a code", lineno, i + 1)


def _diagnose_memo(line: str, i: int, lineno: int) -> FormatError:
    if line.startswith("]", i):
        return _error("the memo after ' | ' is empty — write a memo or remove ' | '", lineno, i + 1)
    while i < len(line):
        ch = line[i]
        if ch == "]":
            break
        if ch == "\\":
            if line[i + 1 : i + 2] not in ("\\", "]", "n") or i + 1 >= len(line):
                return _error(
                    "in a memo, a backslash starts '\\\\', '\\]' or '\\n' — write '\\\\' for a backslash",
                    lineno,
                    i + 1,
                )
            i += 2
            continue
        i += 1
    else:
        return _error("the memo is never closed — end it with ']' (write '\\]' for a ']' in it)", lineno, i)
    return _error("invalid memo", lineno, i + 1)  # pragma: no cover - the regex accepts this


def escape_text(text: str) -> str:
    """Escape plain text for the body (without the context-dependent '\\@')."""
    if _SPECIAL.search(text) is None:  # the common case, and much faster than translating
        return text
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")


def format_code_list(codes: Sequence[str], memo: str | None) -> str:
    inner = ", ".join(codes)
    if memo:
        inner += " | " + memo.translate(_MEMO_ESCAPES)
    return "[" + inner + "]"


def assign_labels(text: str, codings: Sequence[Coding]) -> list[Coding]:
    """Codings in canonical order, with a label on every span that must cross another or a paragraph.

    A span keeps its label; an unlabelled span gets one (the smallest free number) when it cannot nest
    with the unlabelled spans opened before it, or when it runs over a paragraph break.
    """
    ordered = sorted(codings, key=Coding.sort_key)
    used = {c.label for c in ordered if c.label is not None}
    stack: list[int] = []
    result: list[Coding] = []
    next_label = 1
    for c in ordered:
        if c.label is not None:
            result.append(c)
            continue
        while stack and stack[-1] <= c.start:
            stack.pop()
        if (not stack or c.end <= stack[-1]) and "\n" not in text[c.start : c.end]:
            stack.append(c.end)
            result.append(c)
            continue
        while str(next_label) in used:
            next_label += 1
        label = str(next_label)
        used.add(label)
        result.append(Coding(c.start, c.end, c.codes, c.memo, label))
    return result


def serialise_body(text: str, codings: Iterable[Coding]) -> str:
    """Write plain text and codings as a body in canonical form (the inverse of ``parse_body``)."""
    coded = assign_labels(text, list(codings))
    if not coded:
        return escape_text(text)
    events: dict[int, tuple[list[int], list[int]]] = {}
    for i, c in enumerate(coded):
        events.setdefault(c.start, ([], []))[1].append(i)
        events.setdefault(c.end, ([], []))[0].append(i)
    parts: list[str] = []
    prev = 0
    after_plain_open = False
    for p in sorted(events):
        closes, opens = events[p]
        if p > prev:
            chunk = escape_text(text[prev:p])
            if after_plain_open and chunk.startswith("@"):
                chunk = "\\" + chunk
            parts.append(chunk)
            after_plain_open = False
        for i in reversed(closes):
            c = coded[i]
            parts.append("}" if c.label is None else "}@" + c.label)
            parts.append(format_code_list(c.codes, c.memo))
            after_plain_open = False
        for i in opens:
            c = coded[i]
            if c.label is None:
                parts.append("{")
                after_plain_open = True
            else:
                parts.append("{@" + c.label + " ")
                after_plain_open = False
        prev = p
    chunk = escape_text(text[prev:])
    if after_plain_open and chunk.startswith("@"):
        chunk = "\\" + chunk
    parts.append(chunk)
    return "".join(parts)
