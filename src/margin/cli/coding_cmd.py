"""Coding commands: `margin coding add|remove|change|list` and `margin show DOC`."""

from __future__ import annotations

import argparse
from typing import Any

from margin.cli.mutate import mutate
from margin.cli.output import Output


def register(commands: Any) -> None:
    p = commands.add_parser("show", help="a transcript with its codings; without DOC, the documents")
    p.add_argument("doc", nargs="?", help="a document: its ID (qual1/int-07), file path or unique name")
    p.add_argument("--offsets", action="store_true", help="show each coding's start and end offsets")
    p.set_defaults(run=cmd_show)

    coding = commands.add_parser("coding", help="add, remove, change and list codings (for scripts)")
    sub = coding.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("add", help="apply codes to the plain text [start, end) of a document")
    _span(p)
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.add_argument("--memo", help="a memo on the coded segment")
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("remove", help="remove a coding (or only some of its codes)")
    _span(p)
    p.add_argument("codes", nargs="*", metavar="CODE")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("change", help="change a coding's codes, boundaries or memo")
    _span(p)
    p.add_argument("--codes", nargs="+", metavar="CODE", help="the new codes")
    p.add_argument("--new-start", type=int)
    p.add_argument("--new-end", type=int)
    p.add_argument("--memo", help="the new memo ('' removes it)")
    p.set_defaults(run=cmd_change)

    p = sub.add_parser("list", help="every coding: document, start, end, text, codes, memo, speaker")
    p.add_argument("doc", nargs="?", help="only this document")
    p.add_argument("--code", action="append", help="only codings with this code (repeatable)")
    p.set_defaults(run=cmd_list)


def _span(p: argparse.ArgumentParser) -> None:
    p.add_argument("doc", help="the document")
    p.add_argument("--start", type=int, required=True, help="first code point (0-based)")
    p.add_argument("--end", type=int, required=True, help="end code point (exclusive)")


def _doc_id(doc: str) -> str:
    from margin.core.project import Project

    return str(Project.load(".").resolve_document(doc))


def cmd_add(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import apply_codes

    return mutate(out, apply_codes, _doc_id(args.doc), args.start, args.end, args.codes, args.memo)


def cmd_remove(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import remove_coding

    return mutate(out, remove_coding, _doc_id(args.doc), args.start, args.end, args.codes or None)


def cmd_change(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import change_coding

    extra: dict[str, Any] = {}
    if args.memo is not None:
        extra["memo"] = args.memo
    return mutate(
        out,
        change_coding,
        _doc_id(args.doc),
        args.start,
        args.end,
        codes=args.codes,
        new_start=args.new_start,
        new_end=args.new_end,
        **extra,
    )


def coding_record(doc: Any, coding: Any) -> dict[str, Any]:
    turn = doc.turn(doc.paragraph_of(coding.start))
    return {
        "document": doc.id,
        "start": coding.start,
        "end": coding.end,
        "text": doc.text[coding.start : coding.end],
        "codes": list(coding.codes),
        "memo": coding.memo,
        "speaker": turn.speaker,
        "paragraph": doc.paragraph_of(coding.start) + 1,
    }


def cmd_list(args: argparse.Namespace, out: Output) -> int:
    from margin.core.project import Project

    project = Project.load(".")
    ids = [project.resolve_document(args.doc)] if args.doc else project.document_ids()
    wanted = {project.codebook.resolve(c) or c for c in args.code or []}
    records = []
    for doc_id in ids:
        doc = project.document(doc_id)
        for coding in doc.codings:
            if wanted and not wanted.intersection(coding.codes):
                continue
            records.append(coding_record(doc, coding))
    if args.json:
        out.data(records)
        return 0
    for r in records:
        text = " ".join(r["text"].split())
        text = text if len(text) <= 60 else text[:59] + "…"
        out.line(f"{r['document']} {r['start']}-{r['end']} [{', '.join(r['codes'])}] {text}")
    out.line(f"{len(records)} codings")
    return 0


def cmd_show(args: argparse.Namespace, out: Output) -> int:
    from margin.cli.render import render_document
    from margin.core.project import Project

    project = Project.load(".")
    if not args.doc:
        rows = []
        for doc_id in project.document_ids():
            doc = project.document(doc_id)
            rows.append(
                {
                    "document": doc_id,
                    "paragraphs": doc.paragraph_count,
                    "codings": len(doc.codings),
                    "words": len(doc.text.split()),
                }
            )
        if args.json:
            out.data(rows)
        else:
            for r in rows:
                out.line(
                    f"{r['document']:<32} {r['paragraphs']:>5} ¶ {r['words']:>7} words {r['codings']:>5} codings"
                )
        return 0
    doc = project.document(project.resolve_document(args.doc))
    if args.json:
        out.data(
            {
                "document": doc.id,
                "meta": _plain(doc.meta),
                "text": doc.text,
                "codings": [coding_record(doc, c) for c in doc.codings],
            }
        )
        return 0
    for line in render_document(doc, project.codebook, out, offsets=args.offsets):
        out.line(line)
    return 0


def _plain(value: Any) -> Any:
    """Front matter values as JSON can hold them (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
