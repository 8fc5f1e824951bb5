"""Team commands: `margin remote`, `margin clone`, `margin sync`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from margin.cli.output import Output


def register(commands: Any) -> None:
    remote = commands.add_parser("remote", help="the shared repositories this project syncs with")
    sub = remote.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("add", help="add a remote (the team's shared repository)")
    p.add_argument("name", help="a short name for it (origin is the usual one)")
    p.add_argument("url", help="its address: https://…, git@host:…, ssh://…, git://… or a path")
    p.set_defaults(run=cmd_remote_add)
    p = sub.add_parser("list", help="list the remotes, with commits ahead of and behind each")
    p.set_defaults(run=cmd_remote_list)
    p = sub.add_parser("remove", help="forget a remote (nothing on it is deleted)")
    p.add_argument("name")
    p.set_defaults(run=cmd_remote_remove)

    p = commands.add_parser("clone", help="get a copy of a team's project from its shared repository")
    p.add_argument("url", help="the shared repository's address")
    p.add_argument("dir", nargs="?", help="where to put it (default: a new directory named after it)")
    _timeout_option(p)
    p.set_defaults(run=cmd_clone)

    p = commands.add_parser(
        "sync", help="commit your work, merge the team's work here, and send yours (fetch, merge, push)"
    )
    p.add_argument("remote", nargs="?", help="the remote (default: the branch's remote, or origin)")
    p.add_argument(
        "--branch", help="the remote branch (default: the branch's own, or the one of the same name)"
    )
    _timeout_option(p)
    p.set_defaults(run=cmd_sync)


def _timeout_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="give up when the remote is silent this long (default: a minute)",
    )


def _timeout(args: argparse.Namespace) -> float:
    from margin.vcs.network import DEFAULT_TIMEOUT

    return float(args.timeout) if args.timeout is not None else DEFAULT_TIMEOUT


class ProgressLine:
    """git's progress as one line rewritten in place on a terminal; nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.width = 0

    def __call__(self, stage: str, fraction: float | None) -> None:
        if not self.enabled:
            return
        text = f"{stage} {fraction:.0%}" if fraction is not None else f"{stage}…"
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


def _progress(args: argparse.Namespace) -> ProgressLine:
    return ProgressLine(not args.json and sys.stderr.isatty())


def _root() -> Path:
    from margin.core.project import find_root

    return find_root(Path.cwd())


def cmd_remote_add(args: argparse.Namespace, out: Output) -> int:
    from margin.vcs.sync import add_remote

    add_remote(_root(), args.name, args.url)
    out.result(
        f"Added the remote '{args.name}' ({args.url}); `margin sync` sends your work there and brings the team's",
        {"name": args.name, "url": args.url},
    )
    return 0


def cmd_remote_list(args: argparse.Namespace, out: Output) -> int:
    from margin.vcs.sync import ahead_behind, remotes

    root = _root()
    found = remotes(root)
    if args.json:
        out.data({"remotes": [{"name": n, "url": u} for n, u in found], "ahead_behind": ahead_behind(root)})
        return 0
    if not found:
        out.line("no remotes — add the team's shared repository with `margin remote add origin URL`")
        return 0
    width = max(len(n) for n, _ in found)
    for name, url in found:
        out.line(f"{name.ljust(width)}  {url}")
    counts = ahead_behind(root)
    if counts is not None:
        ahead, behind = counts
        out.line(f"this branch: {ahead} commit(s) not sent yet, {behind} to merge (as of the last sync)")
    return 0


def cmd_remote_remove(args: argparse.Namespace, out: Output) -> int:
    from margin.vcs.sync import remove_remote

    remove_remote(_root(), args.name)
    out.result(f"Removed the remote '{args.name}'", {"name": args.name})
    return 0


def cmd_clone(args: argparse.Namespace, out: Output) -> int:
    from margin.vcs.sync import clone

    line = _progress(args)
    try:
        result = clone(args.url, Path(args.dir) if args.dir else None, progress=line, timeout=_timeout(args))
    finally:
        line.clear()
    for note in result.notes:
        out.line(note)
    for problem in result.problems:
        out.warn(problem)
    summary = f"Cloned into {result.path}"
    if result.problems:
        summary += f" — `margin check` finds {len(result.problems)} problem(s) there (above)"
    out.result(summary, {"path": str(result.path), "problems": result.problems, "notes": result.notes})
    return 0


def cmd_sync(args: argparse.Namespace, out: Output) -> int:
    from margin.core.lock import ProjectLock
    from margin.core.project import state_dir
    from margin.vcs.sync import MergeConflicts, ProjectProblems, sync

    root = _root()
    line = _progress(args)
    try:
        with ProjectLock(state_dir(root), "margin sync"):
            result = sync(root, args.remote, args.branch, progress=line, timeout=_timeout(args))
    except MergeConflicts as exc:
        line.clear()
        for note in exc.notes:
            out.line(note)
        out.error(str(exc), {"conflicts": exc.conflicts, "notes": exc.notes})
        return 1
    except ProjectProblems as exc:
        line.clear()
        _report(out, exc.result, sent=False)
        out.error(str(exc), {"problems": exc.problems, **exc.result.as_dict()})
        return 1
    finally:
        line.clear()
    if args.json:
        out.data(result.as_dict())
        return 0
    _report(out, result)
    return 0


def _report(out: Output, result: Any, sent: bool = True) -> None:
    """What a sync did, a line each (nothing in --json mode); ``sent``: it got as far as the push."""
    for note in result.notes:
        out.line(note)
    where = f"{result.remote}/{result.branch}"
    if result.merged:
        files = len(result.changed)
        out.line(
            f"Merged {result.merged} commit(s) from {where} ({files} file{'s' if files != 1 else ''} changed)"
        )
    if not sent:
        return
    if result.attempts > 1:
        out.line(f"{where} moved on while merging; merged again ({result.attempts} pushes tried)")
    if result.pushed:
        out.line(f"Sent {result.pushed} commit(s) to {where}")
    if not result.merged and not result.pushed:
        out.line(f"Already in step with {where}")
