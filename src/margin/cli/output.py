"""Printing for the command line: text for people, JSON for scripts, colour only on terminals."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


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

    def line(self, text: str = "") -> None:
        if not self.json_mode:
            print(text)

    def data(self, value: Any) -> None:
        """Print a JSON document (in --json mode)."""
        json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    def result(self, text: str, value: Any) -> None:
        """Text for people, or ``value`` as JSON."""
        if self.json_mode:
            self.data(value)
        else:
            print(text)

    def error(self, message: str, detail: dict[str, object] | None = None) -> None:
        if self.json_mode:
            json.dump({"error": message, **(detail or {})}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            print(f"margin: {message}", file=sys.stderr)

    def warn(self, message: str) -> None:
        print(f"margin: warning: {message}", file=sys.stderr)

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
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text
