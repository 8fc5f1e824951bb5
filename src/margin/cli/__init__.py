"""The `margin` command line: a thin layer over margin.core, margin.vcs and margin.analysis.

Start-up must stay fast: this module imports only the standard library and argparse; each command
imports what it needs when it runs (textual only for the app).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from margin import __version__
from margin.cli.output import Output


def build_parser() -> argparse.ArgumentParser:
    from margin.cli import (
        codebook_cmd,
        codes_cmd,
        coding_cmd,
        history_cmd,
        merge_cmd,
        project_cmd,
        segments_cmd,
        sets_cmd,
        sync_cmd,
    )

    parser = argparse.ArgumentParser(
        prog="margin",
        description="Qualitative data analysis on plain files, with git as the team's memory.",
    )
    parser.add_argument("--version", action="version", version=f"margin {__version__}")
    parser.add_argument("-C", dest="directory", metavar="PATH", help="run as if started in PATH")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    project_cmd.register(commands)
    codes_cmd.register(commands)
    sets_cmd.register(commands)
    coding_cmd.register(commands)
    segments_cmd.register(commands)
    sync_cmd.register(commands)
    codebook_cmd.register(commands)
    history_cmd.register(commands)
    merge_cmd.register(commands)
    _accept_json_anywhere(parser)
    return parser


def _accept_json_anywhere(parser: argparse.ArgumentParser) -> None:
    """Let `--json` follow the command too (`margin coding list --json`), as scripts tend to write it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.add_argument(
                    "--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
                )
                _accept_json_anywhere(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 a problem the user can fix, 2 bad usage)."""
    from margin.core.errors import FormatError, MarginError

    args = build_parser().parse_args(argv)
    out = Output(json_mode=args.json)
    cwd = os.getcwd()
    try:
        if args.directory:
            try:
                os.chdir(args.directory)
            except OSError as exc:
                raise MarginError(f"cannot change to {args.directory}: {exc.strerror}") from None
        if args.command is None:
            from margin.cli.project_cmd import open_here

            return open_here(args, out)
        return int(args.run(args, out) or 0)
    except FormatError as exc:
        out.error(str(exc), exc.as_dict())
        return 1
    except MarginError as exc:
        out.error(str(exc))
        return 1
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    finally:
        os.chdir(cwd)


def run() -> None:
    sys.exit(main())
