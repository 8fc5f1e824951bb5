"""Reading and writing project files: strict UTF-8 text in, atomic writes out."""

from __future__ import annotations

import bisect
import contextlib
import functools
import os
import re
from pathlib import Path
from typing import BinaryIO

from margin.core.errors import FormatError
from margin.core.paths import check_entry

MAX_LINE = 1_000_000
"""The longest paragraph (line) Margin reads, in characters."""
MAX_FILE = 32_000_000
"""The largest project file Margin reads, in bytes (docs/format.md, "Limits")."""


def _place(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


_BOM = b"\xef\xbb\xbf"
_BOM_MESSAGE = "the file starts with a byte order mark (BOM) — save it as UTF-8 without BOM"
_UNREADABLE = re.compile("[\udc80-\udcff]+|\x00|\r")  # with surrogateescape: one surrogate per bad byte
_NUL = "a NUL byte — remove it"
_CR = "a carriage return (CRLF or CR line endings) — save the file with LF line endings"


def _invalid(byte: int) -> str:
    return f"invalid UTF-8 (byte 0x{byte:02x}) — save the file with the encoding UTF-8 (your editor can convert it)"


def decode(data: bytes, path: str = "") -> str:
    """Decode a project file, refusing what Margin would not write back unchanged (the first problem;
    ``decode_all`` finds every one)."""
    if data.startswith(_BOM):
        raise FormatError(_BOM_MESSAGE, path=path, line=1, column=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        line, column = _place(good + "?", len(good))
        raise FormatError(_invalid(data[exc.start]), path=path, line=line, column=column) from None
    for char, message in (("\x00", _NUL), ("\r", _CR)):
        index = text.find(char)
        if index >= 0:
            line, column = _place(text, index)
            raise FormatError(message, path=path, line=line, column=column)
    return text


def decode_all(data: bytes, path: str = "") -> tuple[str, list[FormatError]]:
    """Every problem ``decode`` refuses a file for, in file order, and the text repaired so that the rest
    of the file can still be checked: the BOM dropped, each invalid byte read as U+FFFD, CR LF as LF, a
    lone CR or a NUL as a space (so lines and columns stay where they are)."""
    problems = []
    if data.startswith(_BOM):
        problems.append(FormatError(_BOM_MESSAGE, path=path, line=1, column=1))
        data = data[len(_BOM) :]
    text = data.decode("utf-8", "surrogateescape")
    hits = list(_UNREADABLE.finditer(text))
    if not hits:
        return text, problems
    breaks = [m.start() for m in re.finditer("\n", text)]
    for m in hits:
        line = bisect.bisect_left(breaks, m.start())
        column = m.start() - (breaks[line - 1] + 1 if line else 0) + 1
        found = m.group()
        if found == "\x00":
            message = _NUL
        elif found == "\r":
            message = _CR
        else:
            message = _invalid(ord(found[0]) - 0xDC00)
        problems.append(FormatError(message, path=path, line=line + 1, column=column))
    repaired = _UNREADABLE.sub(
        lambda m: " " if m.group() in "\x00\r" else "\ufffd" * len(m.group()), text.replace("\r\n", "\n")
    )
    return repaired, problems


def long_lines(text: str, path: str = "", first_line: int = 1) -> list[FormatError]:
    """Every paragraph so long that it is surely not one paragraph."""
    if len(text) <= MAX_LINE:
        return []
    return [
        FormatError(
            f"this line has {len(line):,} characters; Margin keeps one paragraph per line — "
            "split it into paragraphs, one per line",
            path=path,
            line=first_line + n,
            column=1,
        )
        for n, line in enumerate(text.split("\n"))
        if len(line) > MAX_LINE
    ]


def check_line_lengths(text: str, path: str = "", first_line: int = 1) -> None:
    """Refuse paragraphs so long that they are surely not one paragraph."""
    found = long_lines(text, path, first_line)
    if found:
        raise found[0]


def check_size(size: int, path: str = "") -> None:
    """Refuse a file larger than MAX_FILE before reading it (a transcript that size is surely several)."""
    if size > MAX_FILE:
        raise FormatError(
            f"this file has {size:,} bytes, more than the {MAX_FILE:,} Margin reads — no project file needs "
            "to be that large (split a long transcript into several documents)",
            path=path,
        )


def open_file(path: Path, display: str = "") -> BinaryIO:
    """The regular file ``path``, open for reading once it is known to be at most MAX_FILE bytes; a link at
    ``path``, a device or a pipe is refused (UnsafePath) without being read. A missing file raises
    FileNotFoundError. Read it with ``read_limited``."""
    shown = display or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        if path.is_symlink():  # O_NOFOLLOW refused it: say so
            check_entry(path, shown, os.lstat(path).st_mode, folder=False)
        raise
    handle = os.fdopen(fd, "rb")
    try:
        info = os.fstat(fd)
        check_entry(path, shown, info.st_mode, folder=False)
        check_size(info.st_size, shown)
    except BaseException:
        handle.close()
        raise
    return handle


def read_limited(handle: BinaryIO, display: str = "") -> bytes:
    """The rest of an open file, refused if it grew beyond MAX_FILE bytes while being read."""
    data = handle.read(MAX_FILE + 1)
    check_size(len(data), display)
    return data


def read_bytes(path: Path, display: str = "") -> bytes:
    """The bytes of the regular file ``path`` (see ``open_file``)."""
    with open_file(path, display) as handle:
        return read_limited(handle, display or str(path))


def read_text(path: Path, display: str = "") -> str:
    return decode(read_bytes(path, display), display or str(path))


@functools.cache
def _umask() -> int:
    """The process's umask (read once: setting it back and forth is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:  # a new file: the mode any program would give it (mkstemp's is 600)
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
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
