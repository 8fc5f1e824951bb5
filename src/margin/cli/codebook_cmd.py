"""`margin codebook merge OTHER`: bring another code tree into this project's, with a mapping."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from margin.cli.output import Output


def register(commands: Any) -> None:
    codebook = commands.add_parser("codebook", help="work on the code tree as a whole (merge another tree)")
    sub = codebook.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser(
        "merge",
        help="merge another code tree into this one: propose a mapping, then apply it in one commit",
        description=(
            "OTHER is a branch or revision of this project (qual2, origin/qual2), another project's "
            "codebook.yaml (or its directory), or a REFI-QDA .qdc codebook. Without --apply, prints the "
            "proposed mapping (and writes it to --mapping FILE if that file does not exist yet)."
        ),
    )
    p.add_argument("other", help="a branch or revision, a codebook.yaml, a project directory, or a .qdc file")
    p.add_argument(
        "--mapping",
        metavar="FILE",
        help="the mapping as YAML: written with the proposals if FILE does not exist, read (as edited) if it does",
    )
    p.add_argument("--apply", action="store_true", help="apply the mapping (one commit)")
    p.add_argument(
        "--threshold",
        type=_score,
        default=None,
        metavar="SCORE",
        help="how similar (0-100) two labels must be to be proposed as the same code (default: 85)",
    )
    p.set_defaults(run=cmd_merge)


def _score(text: str) -> float:
    """A similarity score for --threshold: a number from 0 to 100."""
    try:
        score = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number (a score from 0 to 100)") from None
    if not 0 <= score <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not a score from 0 to 100")
    return score


def _other(root: Path, name: str) -> tuple[Any, str | None]:
    """OTHER's codebook, and the revision it comes from (None for a file)."""
    from margin.core.errors import MarginError
    from margin.io.codebook_file import read_codebook_file
    from margin.vcs.codebook_merge import codebook_at

    codebook = read_codebook_file(name)
    if codebook is not None:
        return codebook, None
    codebook = codebook_at(root, name)
    if codebook is None:
        raise MarginError(
            f"'{name}' is neither a codebook file (codebook.yaml, .qdc) nor a branch or revision of this "
            "project — `git branch -a` lists the branches"
        )
    return codebook, name


def _table(out: Output, rows: list[tuple[str, str, str]]) -> None:
    widths = [min(max(len(r[i]) for r in rows), 50) for i in range(2)]
    for code, proposal, here in rows:
        out.line(f"{code.ljust(widths[0])}  {proposal.ljust(widths[1])}  {here}")


def _describe_action(action: Any, ours: Any, other: Any) -> str:
    from margin.vcs.codebook_merge import ADD_UNDER, MAP_TO

    def name(slug: str | None) -> str:
        if slug is None:
            return "the top level"
        code = ours.get(slug) or other.get(slug)
        return f"'{code.label}' ({slug})" if code is not None else slug

    if action.action == MAP_TO:
        return "same code" if action.target == action.slug else f"→ {name(action.target)}"
    if action.action == ADD_UNDER:
        return f"add under {name(action.target)}"
    return "skip"


def cmd_merge(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.core.lock import ProjectLock
    from margin.core.project import Project
    from margin.core.textfile import atomic_write, read_text
    from margin.vcs import codebook_merge as cm

    project = Project.load(".")
    ours = project.codebook
    other, revision = _other(project.root, args.other)
    source = args.other if revision is not None else Path(args.other).name
    threshold = cm.SIMILAR if args.threshold is None else args.threshold
    proposals = cm.propose(ours, other, threshold)
    mapping = Path(args.mapping) if args.mapping else None
    wrote = False
    if mapping is not None and mapping.exists():
        actions = cm.read_mapping(read_text(mapping, args.mapping), args.mapping, ours, other)
        rows = [
            (f"{other.codes[a.slug].label} ({a.slug})", a.action, _describe_action(a, ours, other))
            for a in actions
        ]
    else:
        if args.apply and mapping is not None:
            raise MarginError(
                f"{mapping} does not exist — run without --apply to write the proposed mapping there"
            )
        actions = [p.action() for p in proposals]
        cm.check_actions(actions, ours, other)
        if mapping is not None:
            atomic_write(mapping, cm.mapping_text(proposals, ours, args.other))
            wrote = True
        rows = [(f"{p.label} ({p.slug})", p.kind, cm.describe(p, ours)) for p in proposals]
    if not args.json:
        _table(
            out, [("code of " + args.other, "proposal" if not mapping or wrote else "action", "here"), *rows]
        )
        if wrote:
            out.line(
                f"\nWrote the proposed mapping to {mapping} — edit it, then run "
                f"`margin codebook merge {args.other} --mapping {mapping} --apply`"
            )
        elif not args.apply:
            out.line(
                f"\nApply it with `margin codebook merge {args.other}{f' --mapping {mapping}' if mapping else ''} --apply`"
            )
    outcome = None
    if args.apply:
        with ProjectLock(project.state_dir, f"margin codebook merge {source}"):
            outcome = cm.merge_code_tree(project.root, other, actions, source=source, revision=revision)
        if not args.json:
            out.line("")
            for line in outcome.lines:
                out.line(line)
            if outcome.commit:
                out.line(f"Committed {outcome.commit[:7]}: Merge the code tree of {source}")
            else:
                out.line("Nothing to change: every code is in this tree already")
    if args.json:
        out.data(
            {
                "source": args.other,
                "revision": revision,
                "proposals": [
                    {"slug": p.slug, "label": p.label, "kind": p.kind, "target": p.target, "score": p.score}
                    for p in proposals
                ],
                "actions": [{"slug": a.slug, "action": a.action, "target": a.target} for a in actions],
                "mapping_file": str(mapping) if mapping else None,
                "commit": outcome.commit if outcome else None,
                "changes": outcome.lines if outcome else [],
            }
        )
    return 0
