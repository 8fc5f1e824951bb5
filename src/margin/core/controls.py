"""Control characters in text from files, made harmless to show.

A transcript, memo, label or commit message can hold control characters, and a terminal acts on them: an
escape sequence can retitle the window, clear the screen, move the cursor, or write text that looks like
Margin's own. Everything Margin shows in a terminal (the command line's text output, the app) replaces them
with U+FFFD, one character for one, so offsets and widths stay as they were.
"""

from __future__ import annotations

import re

CONTROLS = (*range(0x20), 0x7F, *range(0x80, 0xA0))
"""The code points a terminal may act on: C0 (ESC among them), DEL and C1."""
REPLACEMENT = "\ufffd"

SHOWN_CONTROLS = "[" + "".join(re.escape(chr(c)) for c in CONTROLS if chr(c) not in "\n\t") + "]"
"""A regular expression for the characters ``for_terminal`` replaces."""
_SHOWN = re.compile(SHOWN_CONTROLS)


def control_table() -> dict[int, str]:
    """A ``str.translate`` table that replaces every control character (line feed and tab too)."""
    return dict.fromkeys(CONTROLS, REPLACEMENT)


def for_terminal(text: str) -> str:
    """``text`` with every control character except line feed and tab replaced by U+FFFD."""
    return _SHOWN.sub(REPLACEMENT, text)
