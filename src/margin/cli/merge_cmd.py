"""Merge commands: `margin resolve`, and `margin merge-file`, which git runs as Margin's merge driver."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from margin.cli.output import Output


def register(commands: Any) -> None:
    p = commands.add_parser("merge-file")  # git's merge driver: no help, so not listed
    p.add_argument("kind", choices=("doc", "codebook"))
    p.add_argument("base")
    p.add_argument("ours")
    p.add_argument("theirs")
    p.add_argument("path", nargs="?", default="")
    p.set_defaults(run=cmd_merge_file)

    p = commands.add_parser(
        "resolve", help="list the conflicts a merge left, or resolve them: ours, theirs, both, base, or edit"
    )
    p.add_argument("doc", nargs="?", help="a document (ID, path or unique name) or codebook.yaml")
    how = p.add_mutually_exclusive_group()
    for choice, text in (
        ("ours", "keep our version"),
        ("theirs", "keep their version"),
        ("both", "keep both paragraphs: ours, then theirs"),
        ("base", "keep the version before either change"),
        ("edit", "write the result yourself in your editor (one conflict)"),
    ):
        how.add_argument(f"--{choice}", dest="choice", action="store_const", const=choice, help=text)
    p.add_argument("--paragraph", type=int, metavar="N", help="only the conflict at paragraph N")
    p.add_argument("--code", metavar="SLUG", help="only the conflict about this code (codebook.yaml)")
    p.set_defaults(run=cmd_resolve, choice=None)


def cmd_merge_file(args: argparse.Namespace, out: Output) -> int:
    from margin.vcs.drivers import run_merge_driver

    return run_merge_driver(args.kind, args.base, args.ours, args.theirs, args.path or args.ours)


def cmd_resolve(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.core.lock import ProjectLock
    from margin.core.project import find_root, state_dir
    from margin.vcs import conflicts

    root = find_root(Path.cwd())
    paths = conflicts.conflicted_paths(root)
    if args.doc is None and args.choice is None:
        return _list(out, conflicts.list_conflicts(root, paths))
    if args.doc is None and args.choice == "edit":
        raise MarginError("name the document (and --paragraph N) to edit a conflict")
    targets = [_which(args.doc, paths)] if args.doc is not None else paths
    if not targets:
        out.result("no conflicts", {"conflicts": []})
        return 0
    if args.choice is None and conflicts.conflicts_in(root, targets[0])[0].index >= 0:
        return _list(out, conflicts.list_conflicts(root, targets))
    done = []
    with ProjectLock(state_dir(root)):
        for path in targets:
            if args.choice == "edit":
                result = _edit(root, path, args.paragraph, args.code)
            else:
                result = conflicts.resolve(root, path, args.choice, paragraph=args.paragraph, code=args.code)
            done.append(result)
            state = "staged" if result.staged else f"{result.remaining} conflict(s) left"
            how = f"with {args.choice}" if args.choice else "as it is"
            out.line(f"{path}: {result.resolved} conflict(s) resolved {how} — {state}")
    left = conflicts.list_conflicts(root)
    if args.json:
        out.data({"resolved": [vars(r) for r in done], "conflicts": [c.as_dict() for c in left]})
    elif left:
        out.line(f"{len(left)} conflict(s) left — `margin resolve` lists them")
    else:
        out.line("All conflicts resolved — `margin sync` commits the merge and pushes it (or `git commit`)")
    return 0


def _which(name: str, paths: list[str]) -> str:
    """The conflicted file a user named: a path, a document ID or unique name, or 'codebook'."""
    from margin.core.errors import MarginError

    wanted = name.removeprefix("./")
    candidates = {wanted, f"documents/{wanted}", f"documents/{wanted}.txt", f"{wanted}.yaml"}
    found = [p for p in paths if p in candidates]
    if not found:
        found = [p for p in paths if p.startswith("documents/") and p.rsplit("/", 1)[-1] == f"{wanted}.txt"]
    if len(found) == 1:
        return found[0]
    if found:
        raise MarginError(
            f"'{name}' names several conflicted files ({', '.join(found)}) — give the group too"
        )
    listing = ", ".join(paths) if paths else "none"
    raise MarginError(f"'{name}' has no conflicts — conflicted files: {listing}")


def _list(out: Output, found: list[Any]) -> int:
    if out.json_mode:
        out.data({"conflicts": [c.as_dict() for c in found]})
        return 0
    if not found:
        out.line("no conflicts")
        return 0
    for c in found:
        place = f"{c.path}:{c.line}" if c.line else c.path
        out.line(f"{out.paint(place, bold=True)}  {c.where}")
        if c.index < 0:
            out.line(
                "    both sides changed this file; check it, then `margin resolve FILE` (or --ours/--theirs)"
            )
            continue
        for side, lines in (("ours", c.ours), ("theirs", c.theirs)):
            out.line(f"    {side:<7} {_preview(lines)}")
    out.line(
        f"{len(found)} conflict(s). Resolve them with `margin resolve DOC --ours` (or --theirs, --both, "
        "--base, --edit; with --paragraph N or --code SLUG for one of them)."
    )
    return 0


def _preview(lines: tuple[str, ...], width: int = 90) -> str:
    if not lines:
        return "(nothing: deleted on this side)"
    text = " ⏎ ".join(line.strip() for line in lines)
    return text if len(text) <= width else text[: width - 1] + "…"


def _edit(root: Path, path: str, paragraph: int | None, code: str | None) -> Any:
    """Open one conflict in the editor git would open; what is saved (without markers) replaces it."""
    from margin.core.errors import MarginError
    from margin.vcs import conflicts
    from margin.vcs.editor import choose_editor

    chosen = conflicts.select(conflicts.conflicts_in(root, path), paragraph, code)
    if len(chosen) != 1:
        raise MarginError(
            f"{path} has {len(chosen)} matching conflicts — name one with --paragraph N or --code SLUG"
        )
    return conflicts.edit(root, chosen[0], choose_editor(root).command)
