"""History commands: `margin log`, `margin diff`, `margin blame`, and `margin textconv` (git's diff driver)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from margin.cli.output import Output


def register(commands: Any) -> None:
    p = commands.add_parser("log", help="the sessions: who, when, what (counts from the commit trailers)")
    p.add_argument("-n", dest="limit", type=int, metavar="N", help="only the last N")
    p.add_argument("--author", metavar="A", help="only commits by A (part of the name or email)")
    p.add_argument("--document", metavar="DOC", help="only commits that changed DOC")
    p.add_argument("--code", metavar="CODE", help="only commits with a decision about CODE")
    p.set_defaults(run=cmd_log)

    p = commands.add_parser("diff", help="the decisions (not the lines) between revisions or since HEAD")
    p.add_argument(
        "range",
        nargs="?",
        metavar="REV[..REV]",
        help="HEAD~1..HEAD, a commit, … (default: HEAD and the files)",
    )
    p.set_defaults(run=cmd_diff)

    p = commands.add_parser("blame", help="who made each coding of a document, in which session, when")
    p.add_argument("doc", help="a document: its ID (qual1/int-07), file path or unique name")
    p.set_defaults(run=cmd_blame)

    p = commands.add_parser("textconv")  # git's diff driver for documents: no help, so not listed
    p.add_argument("file")
    p.set_defaults(run=cmd_textconv)


def _when(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")


def cmd_log(args: argparse.Namespace, out: Output) -> int:
    from margin.core.coding import is_slug
    from margin.core.errors import MarginError
    from margin.core.project import Project
    from margin.vcs.history import log

    if args.limit is not None and args.limit < 1:
        raise MarginError("-n takes a number of commits, 1 or more")
    project = Project.load(".")
    paths = [f"documents/{_document_id(project, args.document)}.txt"] if args.document else []
    codes: list[str] = []
    if args.code:
        slug = project.codebook.resolve(args.code)
        if slug is None and not is_slug(args.code):
            raise MarginError(
                f"unknown code '{args.code}' — `margin codes` lists them (slugs of deleted codes work too)"
            )
        slug = slug or args.code
        code = project.codebook.get(slug)
        codes = [slug, *(code.aliases if code is not None else ())]
    entries = log(project.root, limit=args.limit, author=args.author, paths=paths, codes=codes)
    if args.json:
        out.data([e.as_dict() for e in entries])
        return 0
    for e in entries:
        out.line(
            f"{out.paint(e.commit[:7], fg='#edc948')}  {_when(e.date)}  {out.paint(e.author, bold=True)}"
        )
        out.line(f"    {e.subject}")
        s = e.session
        if s is not None:
            recovered = " · recovered" if s.recovered else ""
            out.line(
                out.paint(
                    f"    codings +{s.codings_added} -{s.codings_removed} ~{s.codings_changed} · "
                    f"codes {s.codes_changed} · text edits {s.text_edits} · session {s.session}{recovered}",
                    dim=True,
                )
            )
    if not entries:
        out.line("no commits" + (" match" if args.author or args.document or args.code else " yet"))
    return 0


def _document_id(project: Any, name: str) -> str:
    """A document named on the command line; one that no longer exists is taken by its ID."""
    from margin.core.errors import MarginError

    try:
        return str(project.resolve_document(name))
    except MarginError:
        candidate = name.removesuffix(".txt").removeprefix("documents/")
        if "/" in candidate:
            return candidate
        raise


def cmd_diff(args: argparse.Namespace, out: Output) -> int:
    from margin.core.project import find_root
    from margin.vcs.history import diff
    from margin.vcs.message import summary
    from margin.vcs.semdiff import Counts, document_id

    root = find_root(Path.cwd())
    result = diff(root, args.range)
    found = result.decisions
    if args.json:
        counts = Counts.of(found)
        out.data(
            {
                "from": result.old,
                "to": result.new,
                "summary": summary(found) if found else "",
                "counts": {
                    "codings_added": counts.codings_added,
                    "codings_removed": counts.codings_removed,
                    "codings_changed": counts.codings_changed,
                    "codes_changed": counts.codes_changed,
                    "text_edits": counts.text_edits,
                },
                "decisions": [d.as_dict() for d in found],
            }
        )
        return 0
    if not found:
        out.line("no changes")
        return 0
    heading = None
    colours = {"+": "#59a14f", "-": "#e15759", "~": "#edc948"}
    for d in found:
        name = document_id(d.path) or d.path
        if name != heading:
            if heading is not None:
                out.line()
            out.line(out.paint(name, bold=True))
            heading = name
        out.line("  " + out.paint(d.line, fg=colours.get(d.line[:1])))
    out.line()
    out.line(summary(found))
    return 0


def cmd_blame(args: argparse.Namespace, out: Output) -> int:
    from margin.core.project import Project
    from margin.vcs.history import blame

    project = Project.load(".")
    doc_id = project.resolve_document(args.doc)
    lines = blame(project.root, doc_id)
    if args.json:
        out.data({"document": doc_id, "codings": [b.as_dict() for b in lines]})
        return 0
    out.line(out.paint(doc_id, bold=True))
    width = max((len(o.code) for b in lines for o in b.origins), default=4)
    for b in lines:
        memo = f"  ✎ {b.coding.memo}" if b.coding.memo else ""
        out.line(f"¶{b.paragraph}  '{b.text}'{memo}")
        for o in b.origins:
            if o.commit is None:
                who = out.paint("not committed yet", dim=True)
            else:
                session = f"  session {o.session}" if o.session else ""
                who = f"{out.paint(o.commit[:7], fg='#edc948')}  {o.author}  {_when(o.date)}{session}"
            out.line(f"    {o.code:<{width}}  {who}")
    if not lines:
        out.line("no codings")
    return 0


def textconv(data: bytes, name: str) -> bytes:
    """A document as git diff should show it: the text, and under each paragraph the codings that begin
    there. Paragraphs carry no numbers, so an inserted paragraph changes one line of the rendering, not
    every line after it. Anything that is not a readable document is passed through as it is. Control
    characters are replaced, as everywhere Margin shows text (git prints this to a terminal)."""
    from margin.core.controls import for_terminal
    from margin.core.document import load_document
    from margin.core.errors import MarginError
    from margin.core.operations import snippet

    try:
        if not name.endswith(".txt"):
            raise MarginError("not a document")
        doc = load_document(data, name, name)
    except MarginError:
        return for_terminal(data.decode("utf-8", "replace")).encode("utf-8")
    lines = []
    if doc.front_matter is not None:
        lines += ["---", doc.front_matter.rstrip("\n"), "---"] if doc.front_matter else ["---", "---"]
    codings = doc.codings
    k = 0
    for index in range(doc.paragraph_count):
        start, end = doc.paragraph_span(index)
        lines.append(doc.text[start:end])
        while k < len(codings) and codings[k].start <= end:
            c = codings[k]
            memo = f"  ✎ {c.memo}" if c.memo else ""
            lines.append(f"    ▸ {', '.join(c.codes)}: “{snippet(doc.text, c.start, c.end, 70)}”{memo}")
            k += 1
    return for_terminal("\n".join(lines) + "\n").encode("utf-8")


def cmd_textconv(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.core.textfile import read_bytes

    try:
        data = read_bytes(Path(args.file), args.file)
    except OSError as exc:
        raise MarginError(f"cannot read {args.file}: {exc.strerror}") from None
    sys.stdout.buffer.write(textconv(data, args.file))
    sys.stdout.flush()
    return 0
