"""Codebook commands: `margin codes` (the tree with counts) and `margin code …` (change the tree)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from typing import Any

from margin.cli.mutate import mutate
from margin.cli.output import Output

_FIELDS = ("description", "definition", "include", "exclude", "example", "color", "memo")


def register(commands: Any) -> None:
    p = commands.add_parser("codes", help="the code tree with own and aggregate counts")
    p.add_argument("--no-cache", action="store_true", help="re-read every document")
    p.add_argument(
        "--by", choices=["document"], help="the counts in each document: per document, the codes used in it"
    )
    p.set_defaults(run=cmd_codes)

    code = commands.add_parser("code", help="add, relabel, re-slug, move, merge, split, delete codes")
    sub = code.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("add", help="add a code")
    p.add_argument("name", help='a slug (appreciative-language) or a label ("Appreciative language")')
    p.add_argument("--label", help="display label (default: the name)")
    p.add_argument("--parent", help="the parent code's slug (default: top level)")
    _field_options(p)
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("relabel", help="change a code's label")
    p.add_argument("slug")
    p.add_argument("label")
    p.set_defaults(run=lambda a, o: _update(o, a.slug, label=a.label))

    p = sub.add_parser("edit", help="change a code's description, definition, criteria, example, colour")
    p.add_argument("slug")
    _field_options(p)
    p.add_argument("--codable", choices=["yes", "no"], help="may the code be applied to text?")
    p.set_defaults(run=cmd_edit)

    p = sub.add_parser(
        "reslug", help="change a code's slug; every reference is rewritten, the old slug kept as alias"
    )
    p.add_argument("old")
    p.add_argument("new")
    p.set_defaults(run=cmd_reslug)

    p = sub.add_parser("move", help="move a code under another parent")
    p.add_argument("slug")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="PARENT", help="the new parent")
    where.add_argument("--top", action="store_true", help="move to the top level")
    p.add_argument("--index", type=int, help="position among the new siblings (0 = first; default: last)")
    p.set_defaults(run=cmd_move)

    p = sub.add_parser("merge", help="merge SOURCE into TARGET (codings of SOURCE become TARGET's)")
    p.add_argument("source")
    p.add_argument("target")
    p.set_defaults(run=cmd_merge)

    p = sub.add_parser("split", help="split a code into new subcodes")
    p.add_argument("slug")
    p.add_argument("into", nargs="+", metavar="NEW", help="labels or slugs of the new subcodes")
    p.add_argument("--move-codings-to", metavar="NEW", help="move all of the code's codings to this new code")
    p.set_defaults(run=cmd_split)

    p = sub.add_parser("delete", help="delete a code (refused while in use unless --force)")
    p.add_argument("slug")
    p.add_argument("--force", action="store_true", help="also remove the code from every coding")
    p.set_defaults(run=cmd_delete)

    p = sub.add_parser("show", help="a code's definition, criteria, example and counts")
    p.add_argument("slug")
    p.set_defaults(run=cmd_show)


def _field_options(p: argparse.ArgumentParser) -> None:
    for name in _FIELDS:
        p.add_argument(f"--{name}", help=f"the code's {name}" + (" (#rrggbb)" if name == "color" else ""))


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    return {name: getattr(args, name) for name in _FIELDS if getattr(args, name, None) is not None}


def cmd_codes(args: argparse.Namespace, out: Output) -> int:
    from margin.analysis.counts import code_counts
    from margin.core.index import build_index
    from margin.core.project import Project

    project = Project.load(".")
    index = build_index(project, use_cache=not args.no_cache)
    if args.by == "document":
        return _by_document(project, index, out)
    rows = code_counts(project, index)
    if args.json:
        out.data([{**_row(r), "documents": r.documents} for r in rows])
        return 0
    width = _name_width(rows)
    out.line(f"{'code':<{width}}  {'own':>5}  {'all':>5}  {'docs':>4}")
    for r in rows:
        out.line(f"{_name(project, r, width, out)}  {r.own:>5}  {r.aggregate:>5}  {r.documents:>4}")
    total = sum(s.codings for s in index.values())
    out.line(f"{len(project.codebook.codes)} codes, {total} coded segments in {len(index)} documents")
    return 0


def _by_document(project: Any, index: dict[str, Any], out: Output) -> int:
    """Per document, the codes used in it (own, or with a subcode) with the counts `margin codes` gives."""
    from margin.analysis.counts import code_counts

    tables = {
        doc_id: [r for r in code_counts(project, {doc_id: s}) if r.aggregate] for doc_id, s in index.items()
    }
    if out.json_mode:
        out.data([{"document": doc_id, "codes": [_row(r) for r in rows]} for doc_id, rows in tables.items()])
        return 0
    width = _name_width([r for rows in tables.values() for r in rows], indent=1)
    out.line(f"{'document, code':<{width}}  {'own':>5}  {'all':>5}")
    for doc_id, rows in tables.items():
        out.line(out.paint(doc_id, bold=True) + ("" if rows else "  (no codings)"))
        for r in rows:
            out.line(f"{_name(project, r, width, out, indent=1)}  {r.own:>5}  {r.aggregate:>5}")
    total = sum(s.codings for s in index.values())
    out.line(f"{total} coded segments in {len(index)} documents")
    return 0


def _row(r: Any) -> dict[str, Any]:
    return {
        "slug": r.slug,
        "label": r.label,
        "parent": r.parent,
        "depth": r.depth,
        "own": r.own,
        "aggregate": r.aggregate,
    }


def _name_width(rows: list[Any], indent: int = 0) -> int:
    return max([len("  " * (indent + r.depth) + r.label) + len(r.slug) + 2 for r in rows] + [20])


def _name(project: Any, r: Any, width: int, out: Output, indent: int = 0) -> str:
    """A code's label (indented by its depth, in its colour) and slug, padded to ``width``."""
    name = "  " * (indent + r.depth) + r.label
    colour = project.codebook.color(r.slug) if r.slug in project.codebook.codes else None
    pad = " " * (width - len(name) - len(r.slug) - 1)
    return out.paint(name, fg=colour, bold=r.depth == 0) + " " + out.paint(r.slug, dim=True) + pad


def slug_and_label(name: str, label: str | None, taken: Callable[[], Collection[str]]) -> tuple[str, str]:
    """A new code's or set's slug and label from NAME: a slug, or a label to make a free slug from
    (``taken()``: the slugs in use)."""
    from margin.core.codebook import slugify
    from margin.core.coding import is_slug
    from margin.core.errors import MarginError

    if not name.strip():
        raise MarginError('the name is empty — give a slug (peer-support) or a label ("Peer support")')
    if label is not None and not label.strip():
        raise MarginError("the label is empty — give a label, or leave out --label to use the name")
    if is_slug(name):
        return name, label or name
    return slugify(name, taken()), label or name


def cmd_add(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import add_code
    from margin.core.project import Project

    slug, label = slug_and_label(args.name, args.label, lambda: Project.load(".").codebook.taken())
    return mutate(out, add_code, slug, label, parent=args.parent, **_fields(args))


def _update(out: Output, slug: str, **fields: Any) -> int:
    from margin.core.operations import update_code

    return mutate(out, update_code, slug, **fields)


def cmd_edit(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError

    fields = _fields(args)
    if args.codable is not None:
        fields["codable"] = args.codable == "yes"
    if not fields:
        raise MarginError("say what to change, e.g. --definition TEXT (see `margin code edit --help`)")
    return _update(out, args.slug, **fields)


def cmd_reslug(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import reslug_code

    return mutate(out, reslug_code, args.old, args.new)


def cmd_move(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import move_code

    return mutate(out, move_code, args.slug, None if args.top else args.to, args.index)


def cmd_merge(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import merge_codes

    return mutate(out, merge_codes, args.source, args.target)


def cmd_split(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import split_code

    return mutate(out, split_code, args.slug, args.into, args.move_codings_to)


def cmd_delete(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import delete_code

    return mutate(out, delete_code, args.slug, force=args.force)


def cmd_show(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.core.operations import code_usage
    from margin.core.project import Project

    project = Project.load(".")
    slug = project.codebook.resolve(args.slug)
    code = project.codebook.get(slug) if slug else None
    if code is None:
        raise MarginError(f"unknown code '{args.slug}' — `margin codes` lists them")
    codings, documents = code_usage(project, code.slug)
    info = {
        "slug": code.slug,
        "label": code.label,
        "path": project.codebook.path(code.slug),
        "parent": code.parent,
        "children": list(code.children),
        "codable": code.codable,
        "aliases": list(code.aliases),
        "color": project.codebook.color(code.slug),
        **{name: getattr(code, name) for name in _FIELDS if name != "color"},
        "codings": codings,
        "documents": documents,
    }
    if args.json:
        out.data(info)
        return 0
    out.line(out.paint(" › ".join(info["path"]), fg=info["color"], bold=True) + f"  ({code.slug})")
    for name in ("description", "definition", "include", "exclude", "example", "memo"):
        if info.get(name):
            out.line(f"{name + ':':<12} {info[name]}")
    if code.aliases:
        out.line(f"{'aliases:':<12} {', '.join(code.aliases)}")
    if code.children:
        out.line(f"{'subcodes:':<12} {', '.join(code.children)}")
    out.line(f"{'used:':<12} {codings} coded segments in {documents} documents")
    return 0
