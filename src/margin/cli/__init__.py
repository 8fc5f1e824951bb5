"""The `margin` command line: a thin layer over margin.core, margin.vcs and margin.analysis.

Start-up must stay fast: this module imports only the standard library and argparse; each command
imports what it needs when it runs (textual only for the app).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

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

    parser = Parser(
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


class UsageError(Exception):
    """A command line argparse cannot read: one line saying what is wrong and where to look."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one line (printed as text or as JSON by ``main``) instead of
    the usage and an exit; subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("margin").strip()
        where = f"{command}: " if command else ""
        raise UsageError(f"{where}{message}{_dash_hint(message)} — see `{self.prog} --help`")


def _dash_hint(message: str) -> str:
    """For an argument read as an option because it starts with '-' (a document in a group folder named
    '-x'): how to name it."""
    prefix = "unrecognized arguments: "
    if not message.startswith(prefix):
        return ""
    odd = [a for a in message[len(prefix) :].split() if a.startswith("-") and a[1:2] != "-" and len(a) > 2]
    if not odd:
        return ""
    return (
        f" ('{odd[0]}' starts with '-', so it was read as an option: write `--` after the options and "
        f"before it, as in `margin show -- {odd[0]}`, or name a document by its path, "
        f"documents/{odd[0]}.txt)"
    )


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether ``--json`` is among the options (before a ``--``), read before argparse reads the rest."""
    for arg in argv:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


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

    argv = list(sys.argv[1:] if argv is None else argv)
    out = Output(json_mode=_wants_json(argv))
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        out.error(str(exc))
        return 2
    try:
        cwd: str | None = os.getcwd()
    except FileNotFoundError:
        cwd = None
    try:
        if cwd is None and not (args.directory and os.path.isabs(args.directory)):
            raise MarginError(
                "the current folder no longer exists — `cd` into a project, or name one with `-C PATH`"
            )
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
    except OSError as exc:  # a file or folder the system refused: name it and say why
        out.error(os_message(exc))
        return 1
    finally:
        if cwd is not None:
            os.chdir(cwd)


def os_message(exc: OSError) -> str:
    """An operating system error as a sentence that names the file."""
    what = f"{exc.filename}: " if exc.filename else ""
    reason = (exc.strerror or str(exc)).lower()
    return f"{what}{reason} — check the path and its permissions, then run the command again"


def run() -> None:
    sys.exit(main())
