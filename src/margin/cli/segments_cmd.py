"""Retrieved segments: `margin segments CODE…` — quotes with citations, as text, JSON, Markdown or CSV."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from typing import Any

from margin.cli.output import Output

FORMATS = ("text", "json", "md", "csv")


def register(commands: Any) -> None:
    p = commands.add_parser(
        "segments", help="retrieved segments: every coded segment of the codes, with its citation"
    )
    p.add_argument("codes", nargs="+", metavar="CODE", help="code slugs (or old slugs)")
    p.add_argument("-s", "--subcodes", action="store_true", help="also the segments of every code below")
    p.add_argument("--group", action="append", default=[], metavar="G", help="only this document group")
    p.add_argument("--doc", action="append", default=[], metavar="DOC", help="only this document")
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only segments whose participant attribute or document variable KEY is VALUE (role=MHW)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="text (default), json, md or csv")
    p.set_defaults(run=cmd_segments)


def cmd_segments(args: argparse.Namespace, out: Output) -> int:
    from margin.analysis.filters import Filters
    from margin.analysis.retrieval import retrieve
    from margin.core.project import Project

    project = Project.load(".")
    filters = Filters.of(
        _groups(project, args.group), [project.resolve_document(d) for d in args.doc], args.where
    )
    result = retrieve(project, args.codes, subcodes=args.subcodes, filters=filters)
    fmt = "json" if args.json else args.format
    for warning in result.warnings:
        out.warn(warning)
    if fmt == "json":
        out.data(
            {
                "codes": list(result.codes),
                "subcodes": args.subcodes,
                "filters": {
                    "group": sorted(filters.groups),
                    "doc": sorted(filters.documents),
                    "where": [str(c) for c in filters.conditions],
                },
                "count": len(result.segments),
                "documents": result.document_count,
                "segments": [s.record() for s in result.segments],
                "warnings": result.warnings,
            }
        )
    elif fmt == "csv":
        _write_csv(project, result)
    elif fmt == "md":
        from margin.core.controls import for_terminal

        sys.stdout.write(for_terminal(_markdown(project, result, args.subcodes)))
    else:
        for line in _text(project, result, out, args.subcodes):
            out.line(line)
    return 1 if result.skipped else 0


def _groups(project: Any, groups: list[str]) -> list[str]:
    from margin.core.codebook import did_you_mean
    from margin.core.errors import MarginError

    known = {doc_id.rpartition("/")[0] for doc_id in project.document_ids()}
    for group in groups:
        if group not in known:
            hint = did_you_mean(group, known, f" (the groups: {', '.join(sorted(known)) or 'none'})")
            raise MarginError(f"no document group '{group}'{hint}")
    return groups


def _heading(project: Any, result: Any, subcodes: bool) -> str:
    names = ", ".join(_label(project, slug) for slug in result.codes)
    return names + (" (with subcodes)" if subcodes else "")


def _label(project: Any, slug: str) -> str:
    code = project.codebook.get(slug)
    return str(code.label) if code is not None else slug


def _count(result: Any) -> str:
    n, d = len(result.segments), result.document_count
    return f"{n} segment{'s' if n != 1 else ''} in {d} document{'s' if d != 1 else ''}"


def _colour(project: Any, slug: str) -> str | None:
    from margin.core.errors import MarginError

    try:
        return str(project.codebook.color(slug))
    except MarginError:
        return None  # a code missing from the codebook is printed plain


def _text(project: Any, result: Any, out: Output, subcodes: bool) -> list[str]:
    width = max(min(shutil.get_terminal_size((100, 24)).columns, 110), 40)
    lines = [out.paint(_heading(project, result, subcodes), bold=True), ""]
    for s in result.segments:
        where = f"{s.document} ¶{s.paragraph}" + (f" {s.speaker}" if s.speaker else "")
        codes = " ".join(out.paint(c, fg=_colour(project, c), bold=True) for c in s.codes)
        lines.append(f"{out.paint(where, dim=True)}  {s.citation}  {codes}")
        quote = "“" + " ".join(s.text.split()) + "”"
        lines.extend(textwrap.wrap(quote, width, initial_indent="  ", subsequent_indent="   "))
        if s.memo:
            lines.extend(textwrap.wrap(f"✎ {s.memo}", width, initial_indent="  ", subsequent_indent="    "))
        lines.append("")
    lines.append(_count(result))
    return lines


def _md_escape(text: str) -> str:
    escaped = "".join("\\" + ch if ch in "\\`*_<>" else ch for ch in text)
    return "\\" + escaped if escaped[:1] in ("#", "+", "-") else escaped


def _markdown(project: Any, result: Any, subcodes: bool) -> str:
    parts = [f"# {_heading(project, result, subcodes)}\n\n{_count(result)}.\n"]
    for s in result.segments:
        quote = " ".join(s.text.split())
        source = f"{s.document}, ¶{s.paragraph}" + (f", {s.speaker}" if s.speaker else "")
        block = f"> “{_md_escape(quote)}” {_md_escape(s.citation)}\n>\n> <sub>{_md_escape(source)} · "
        block += ", ".join(f"`{c}`" for c in s.codes) + "</sub>\n"
        if s.memo:
            block += f"\n*Memo:* {_md_escape(s.memo)}\n"
        parts.append(block)
    return "\n".join(parts)


def _write_csv(project: Any, result: Any) -> None:
    """The segments as CSV: exact, except on a terminal, which gets control characters replaced."""
    import csv

    from margin.analysis.citation import plain_value
    from margin.core.controls import for_terminal

    terminal = sys.stdout.isatty()
    attributes = list(project.participants.attributes)
    variables = list(dict.fromkeys(k for s in result.segments for k in s.variables))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    header = [
        "document", "group", "paragraph", "start", "end", "speaker", "participant", "codes", "memo",
        "citation", "text", "context",
        *(f"participant.{a}" for a in attributes),
        *(f"document.{v}" for v in variables),
    ]  # fmt: skip
    writer.writerow([for_terminal(v) for v in header] if terminal else header)
    for s in result.segments:
        row = [
            s.document, s.group, s.paragraph, s.start, s.end, s.speaker or "", s.participant or "",
            ";".join(s.codes), s.memo or "", s.citation, s.text, s.context.marked(),
            *(plain_value(s.attributes.get(a)) or "" for a in attributes),
            *(plain_value(s.variables.get(v)) or "" for v in variables),
        ]  # fmt: skip
        writer.writerow([for_terminal(str(v)) for v in row] if terminal else row)
