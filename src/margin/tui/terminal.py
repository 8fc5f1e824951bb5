"""Text from the project's files never drives the terminal the app draws on.

Rich and Textual, which draw every widget, remove a few control characters from the text they are given
(bell, backspace, vertical tab, form feed, carriage return) and pass the others through, ESC among them:
a commit message or a quote from a teammate's push could retitle the window or move the cursor. The app
makes them replace every other control character but line feed and tab with U+FFFD, as its transcript
view and the command line do (margin.core.controls).
"""

from __future__ import annotations

from typing import Any

from margin.core.controls import CONTROLS, REPLACEMENT


def replace_control_characters() -> None:
    """Extend Rich's and Textual's tables of control characters to remove (idempotent)."""
    import rich.control
    import textual.content

    tables: tuple[dict[int, Any], ...] = (
        rich.control._CONTROL_STRIP_TRANSLATE,
        textual.content._CONTROL_STRIP_TRANSLATE,
    )
    for table in tables:  # the tables both libraries' strip functions read (their default argument)
        for code in CONTROLS:
            if chr(code) not in "\n\t":
                table.setdefault(code, REPLACEMENT)
