"""Code-set commands: `margin sets` (the candidate themes and their codes) and `margin set …` (change them)."""

from __future__ import annotations

import argparse
from typing import Any

from margin.cli.mutate import mutate
from margin.cli.output import Output


def register(commands: Any) -> None:
    p = commands.add_parser("sets", help="the code sets (candidate themes) and their codes")
    p.set_defaults(run=cmd_sets)

    code_set = commands.add_parser("set", help="create, edit and delete code sets; add and remove codes")
    sub = code_set.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("create", help="create a code set")
    p.add_argument("name", help='a slug (theme-voice) or a label ("Candidate theme: voice")')
    p.add_argument("codes", nargs="*", metavar="CODE", help="codes to put in it")
    p.add_argument("--label", help="display label (default: the name)")
    p.add_argument("--description", help="what the set stands for")
    p.set_defaults(run=cmd_create)

    p = sub.add_parser("add", help="add a code to a set")
    p.add_argument("set")
    p.add_argument("code")
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("remove", help="take a code out of a set (the code stays in the codebook)")
    p.add_argument("set")
    p.add_argument("code")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("edit", help="change a set's label or description")
    p.add_argument("set")
    p.add_argument("--label")
    p.add_argument("--description", help='the description ("" removes it)')
    p.set_defaults(run=cmd_edit)

    p = sub.add_parser("delete", help="delete a set (its codes stay in the codebook)")
    p.add_argument("set")
    p.set_defaults(run=cmd_delete)


def cmd_sets(args: argparse.Namespace, out: Output) -> int:
    from margin.core.project import Project

    cb = Project.load(".").codebook
    members = {slug: [cb.resolve(c) or c for c in s.codes] for slug, s in cb.sets.items()}
    if args.json:
        out.data(
            [
                {"slug": slug, "label": s.label, "description": s.description, "codes": members[slug]}
                for slug, s in cb.sets.items()
            ]
        )
        return 0
    if not cb.sets:
        out.line("no code sets yet — `margin set create NAME CODE…` makes one")
    for slug, s in cb.sets.items():
        out.line(out.paint(s.label, bold=True) + "  " + out.paint(slug, dim=True))
        if s.description:
            out.line(f"  {s.description}")
        labels = [cb.label(c) if c in cb.codes else f"{c} (not in the codebook)" for c in members[slug]]
        out.line("  " + (", ".join(labels) if labels else "no codes"))
    return 0


def cmd_create(args: argparse.Namespace, out: Output) -> int:
    from margin.cli.codes_cmd import slug_and_label
    from margin.core.operations import add_set
    from margin.core.project import Project

    slug, label = slug_and_label(args.name, args.label, lambda: Project.load(".").codebook.sets)
    return mutate(out, add_set, slug, label, args.codes, args.description)


def cmd_edit(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.core.operations import update_set

    fields: dict[str, str | None] = {}
    if args.label is not None:
        fields["label"] = args.label
    if args.description is not None:
        fields["description"] = args.description or None
    if not fields:
        raise MarginError("say what to change: --label TEXT or --description TEXT")
    return mutate(out, update_set, args.set, **fields)


def cmd_add(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import add_to_set

    return mutate(out, add_to_set, args.set, args.code)


def cmd_remove(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import remove_from_set

    return mutate(out, remove_from_set, args.set, args.code)


def cmd_delete(args: argparse.Namespace, out: Output) -> int:
    from margin.core.operations import delete_set

    return mutate(out, delete_set, args.set)
