"""Reading and writing project files: strict UTF-8 text in, atomic writes out."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from margin.core.errors import FormatError

MAX_LINE = 1_000_000


def _place(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def decode(data: bytes, path: str = "") -> str:
    """Decode a project file, refusing what Margin would not write back unchanged."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise FormatError(
            "the file starts with a byte order mark (BOM) — save it as UTF-8 without BOM "
            "(or re-import it with `margin import`)",
            path=path,
            line=1,
            column=1,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        line, column = _place(good + "?", len(good))
        raise FormatError(
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x}) — convert the file to UTF-8 "
            "(`margin import` detects the encoding)",
            path=path,
            line=line,
            column=column,
        ) from None
    for char, what, fix in (
        ("\x00", "a NUL byte", "remove it"),
        ("\r", "a carriage return (CRLF or CR line endings)", "save the file with LF line endings"),
    ):
        index = text.find(char)
        if index >= 0:
            line, column = _place(text, index)
            raise FormatError(f"{what} — {fix}", path=path, line=line, column=column)
    return text


def check_line_lengths(text: str, path: str = "", first_line: int = 1) -> None:
    """Refuse paragraphs so long that they are surely not one paragraph."""
    if len(text) <= MAX_LINE:
        return
    for n, line in enumerate(text.split("\n")):
        if len(line) > MAX_LINE:
            raise FormatError(
                f"this line has {len(line):,} characters; Margin keeps one paragraph per line — "
                "split it into paragraphs (`margin import` does this for you)",
                path=path,
                line=first_line + n,
                column=1,
            )


def read_text(path: Path, display: str = "") -> str:
    return decode(path.read_bytes(), display or str(path))


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or UTF-8 bytes) to ``path`` so that a crash leaves either the old or the new file,
    never half."""
    import tempfile  # here: reading files (git's merge driver, the CLI) should not pay for its import

    data = text.encode("utf-8") if isinstance(text, str) else text
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
