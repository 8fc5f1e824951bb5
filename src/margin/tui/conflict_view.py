"""How the conflict screen draws one version of a conflict: a transcript's paragraphs as the reader sees
them — plain text, coded words in their codes' colours, the words this side changed from the base marked —
with the codings listed under them; a piece of the codebook as YAML without its indentation."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path

from rich.text import Text

from margin.core.codebook import Codebook
from margin.core.errors import MarginError
from margin.core.markup import parse_body
from margin.core.operations import snippet
from margin.core.paths import inside
from margin.core.textfile import decode, read_text
from margin.tui.transcript import UNKNOWN_COLOR, CodeStyles, code_look, code_style

CHANGED = "bold underline"
"""The style of words a side changed from the base."""
_TOKENS = re.compile(r"\s+|[^\s]+")


class _NoCodebook:
    """Stands in for a codebook that cannot be read (it has conflicts of its own): slugs, in grey."""

    def label(self, slug: str) -> str:
        raise MarginError(slug)

    def color(self, slug: str) -> str:
        raise MarginError(slug)


def codebook_for_colours(root: Path) -> CodeStyles:
    """The project's codebook as it is on disk; while that has conflicts, as it was in our last commit;
    a stand-in when neither can be read."""
    from margin.vcs.changes import ProjectRepo

    try:
        return Codebook.parse(read_text(inside(root, "codebook.yaml"), "codebook.yaml"))
    except (OSError, MarginError):
        pass
    try:
        with ProjectRepo(root) as repo:
            committed = repo.read("HEAD", "codebook.yaml")
        if committed is not None:
            return Codebook.parse(decode(committed, "codebook.yaml"))
    except MarginError:
        pass
    return _NoCodebook()


def _changed_spans(text: str, base: str) -> list[tuple[int, int]]:
    """Spans of ``text`` holding words that differ from ``base`` (inserted or replaced)."""
    ours, theirs = _TOKENS.findall(text), _TOKENS.findall(base)
    starts = [0]
    for token in ours:
        starts.append(starts[-1] + len(token))
    spans = []
    for tag, i1, i2, _, _ in SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if tag in ("replace", "insert") and i2 > i1 and any(t.strip() for t in ours[i1:i2]):
            spans.append((starts[i1], starts[i2]))
    return spans


def paragraphs(lines: Sequence[str], base: Sequence[str] | None, codebook: CodeStyles) -> Text:
    """A transcript's version: its text with the codes' colours and this side's changes marked, then one
    line per coding. Markup that cannot be read alone is shown as it is written."""
    try:
        text, codings = parse_body("\n".join(lines))
        base_text = parse_body("\n".join(base))[0] if base is not None else None
    except MarginError:
        return Text("\n".join(lines))
    out = Text(text)
    for coding in codings:
        colour = code_look(codebook, coding.codes[-1])[1] if coding.codes else UNKNOWN_COLOR
        out.stylize(code_style(colour), coding.start, coding.end)
    if base_text is not None and base_text != text:
        for start, end in _changed_spans(text, base_text):
            out.stylize(CHANGED, start, end)
    if codings:
        out.append("\n")
    for coding in codings:
        out.append("\n▸ ")
        for slug in coding.codes:
            label, colour = code_look(codebook, slug)
            out.append(f" {label} ", code_style(colour))
            out.append(" ")
        out.append(f"“{snippet(text, coding.start, coding.end, 60)}”", "dim")
        if coding.memo:
            out.append(f"  ✎ {snippet(coding.memo, 0, len(coding.memo), 40)}", "italic dim")
    return out


def yaml_lines(lines: Sequence[str], indent: int) -> Text:
    """A piece of YAML with ``indent`` columns taken off every line."""
    return Text("\n".join(line[indent:] if line[:indent].isspace() else line.lstrip() for line in lines))


def common_indent(*versions: Sequence[str] | None) -> int:
    """The indentation all non-blank lines of all versions share."""
    lines = [line for v in versions if v for line in v if line.strip()]
    if not lines:
        return 0
    return len(lines[0]) - len(textwrap.dedent("\n".join(lines)).split("\n")[0])
