"""Which characters text typed by a user may hold before it is written to a project file.

Every operation that writes user text — memos, code fields, set labels, attribute and document variable
values, a paragraph's new text — checks it here, so that nothing it writes makes a file Margin cannot read
back (docs/format.md, "Text in fields"). Two kinds of text: ``Kind.LINE`` (a label, a name, a value, a
paragraph: one line) and ``Kind.LINES`` (a memo, a description, a definition: line breaks allowed, written as
the file's format escapes them).
"""

from __future__ import annotations

import enum
import unicodedata

from margin.core.errors import OperationError


class Kind(enum.Enum):
    LINE = "one line"
    LINES = "lines"


LINE_SEPARATORS = "\u2028\u2029"


def text_problem(text: str, kind: Kind) -> str | None:
    """What in ``text`` cannot be written as text of ``kind`` (the character, where, what to do), or None.

    Allowed: any character but control characters (tab is allowed; a line feed only in ``Kind.LINES``),
    line separators (U+2028, U+2029: only in ``Kind.LINES``), surrogates (UTF-8 cannot hold them) and the byte
    order mark. A carriage return is refused, never turned into a line break: the text is written as
    given or not at all.
    """
    for n, char in enumerate(text, 1):
        if char == "\t" or (kind is Kind.LINES and (char == "\n" or char in LINE_SEPARATORS)):
            continue
        if char == "\n" or char in LINE_SEPARATORS:
            return f"character {n} is a line break (U+{ord(char):04X}) — this text is one line: remove it"
        if char == "\r":
            fix = "write a line break as a line feed (\\n)" if kind is Kind.LINES else "remove it"
            return f"character {n} is a carriage return (U+000D) — {fix}"
        category = unicodedata.category(char)
        if category == "Cc":
            return f"character {n} is a control character (U+{ord(char):04X}) — remove it"
        if category == "Cs":
            return f"character {n} is half of a surrogate pair (U+{ord(char):04X}), which UTF-8 cannot hold — remove it"
        if char == "\ufeff":
            return f"character {n} is a byte order mark (U+FEFF) — remove it"
    return None


def check_text(text: str, kind: Kind, what: str) -> None:
    """Raise OperationError naming ``what`` (``the memo``, ``the label of 'presence'``) if ``text`` holds a
    character it may not."""
    problem = text_problem(text, kind)
    if problem is not None:
        raise OperationError(f"{what}: {problem}")
