"""Printing for the command line: text for people, JSON for scripts, colour only on terminals.

Text from the project's files (a transcript, a memo, a label, a commit message) may hold control
characters that a terminal would act on; every line printed here has them replaced (margin.core.controls),
except the colour sequences this Output painted itself. JSON writes them as ``\\u`` escapes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

from margin.core.controls import REPLACEMENT, SHOWN_CONTROLS, for_terminal

_SEQUENCE_OR_CONTROL = re.compile(r"\x1b\[[0-9;]*m|" + SHOWN_CONTROLS)
_JSON_CONTROLS = str.maketrans({c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0))})


def use_colour(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        return (128, 128, 128)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class Output:
    """Where a command's results and errors go."""

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self.colour = use_colour()
        self._painted: set[str] = set()

    def shown(self, text: str) -> str:
        """``text`` as it may go to a terminal: control characters replaced, but for the colour sequences
        that ``paint`` wrote (the same sequence in a file's text passes too: it only sets a colour)."""
        if not self._painted:
            return for_terminal(text)
        painted = self._painted
        return _SEQUENCE_OR_CONTROL.sub(lambda m: m.group() if m.group() in painted else REPLACEMENT, text)

    def line(self, text: str = "") -> None:
        if not self.json_mode:
            print(self.shown(text))

    def data(self, value: Any) -> None:
        """Print a JSON document (in --json mode)."""
        sys.stdout.write(json_text(value, indent=2) + "\n")

    def result(self, text: str, value: Any) -> None:
        """Text for people, or ``value`` as JSON."""
        if self.json_mode:
            self.data(value)
        else:
            print(self.shown(text))

    def error(self, message: str, detail: dict[str, object] | None = None) -> None:
        if self.json_mode:
            sys.stdout.write(json_text({"error": message, **(detail or {})}) + "\n")
        else:
            print(f"margin: {self.shown(message)}", file=sys.stderr)

    def warn(self, message: str) -> None:
        print(f"margin: warning: {self.shown(message)}", file=sys.stderr)

    def paint(
        self, text: str, fg: str | None = None, bg: str | None = None, bold: bool = False, dim: bool = False
    ) -> str:
        """``text`` with ANSI colours when writing to a colour terminal."""
        if not self.colour:
            return text
        codes = []
        if bold:
            codes.append("1")
        if dim:
            codes.append("2")
        if fg:
            codes.append("38;2;{};{};{}".format(*hex_to_rgb(fg)))
        if bg:
            codes.append("48;2;{};{};{}".format(*hex_to_rgb(bg)))
        if not codes:
            return text
        start = f"\x1b[{';'.join(codes)}m"
        self._painted.update((start, "\x1b[0m"))
        return f"{start}{text}\x1b[0m"


def json_text(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON, every control character written as a ``\\u`` escape (json escapes C0 itself;
    DEL and C1 are escaped here, which is valid JSON as they can only be inside strings)."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_CONTROLS)
