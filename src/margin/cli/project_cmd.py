"""Project commands: init, demo, open, check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from margin.cli.output import Output

DEMO_NAME = "margin-demo"


def register(commands: Any) -> None:
    p = commands.add_parser("init", help="make a new Margin project (a git repository)")
    p.add_argument("path", nargs="?", default=".", help="directory for the project (default: here)")
    p.add_argument("--name", help="the project's name (default: the directory's name)")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("demo", help="make a copy of the demo study, with its history, and open it")
    p.add_argument("path", nargs="?", help=f"where to put it (default: ./{DEMO_NAME}, or a free variant)")
    p.add_argument("--no-open", action="store_true", help="only create it and print its path")
    p.set_defaults(run=cmd_demo)

    p = commands.add_parser("open", help="open a project in the app")
    p.add_argument("path", nargs="?", default=".", help="the project (default: the one here)")
    p.set_defaults(run=cmd_open)

    p = commands.add_parser("check", help="validate every file; errors as file:line:column")
    p.set_defaults(run=cmd_check)


def load(path: str | Path = ".") -> Any:
    from margin.core.project import Project

    return Project.load(path)


def write_new_project(root: Path, name: str) -> None:
    """The files of an empty project; those there already are kept (an init that stopped half-way)."""
    from margin.core.codebook import new_codebook
    from margin.core.lock import GITIGNORE
    from margin.core.participants import new_participants
    from margin.core.paths import inside
    from margin.core.textfile import atomic_write

    files = {
        "margin.yaml": f'name: {_yaml_scalar(name)}\ncitation: "({{speaker}}, {{document}})"\n',
        "codebook.yaml": new_codebook().dump(),
        "participants.yaml": new_participants().dump(),
        ".margin/.gitignore": GITIGNORE,
    }
    for path, text in files.items():
        target = inside(root, path)
        if not target.exists():
            atomic_write(target, text)
    for folder in ("documents", "memos"):
        inside(root, folder, folder=True).mkdir(exist_ok=True)
        if not any((root / folder).iterdir()):
            inside(root, f"{folder}/.gitkeep").touch()


def _yaml_scalar(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def cmd_init(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.core.lock import ProjectLock
    from margin.core.project import state_dir
    from margin.vcs import drivers
    from margin.vcs.repo import GitError, first_commit_missing, init_repository

    root = Path(args.path).resolve()
    _check_new_folder(root)
    if (root / "margin.yaml").exists() and not first_commit_missing(root):
        raise MarginError(f"{root} is a Margin project already")
    root.mkdir(parents=True, exist_ok=True)
    with ProjectLock(state_dir(root), "margin init"):
        write_new_project(root, args.name or root.name)
        try:
            commit = init_repository(root, "Start the Margin project", prepare=drivers.install)
        except GitError as exc:
            raise GitError(
                f"{exc} — the project's files are in place; once git works, `margin init` again makes "
                "the first commit"
            ) from None
    out.result(f"Made a Margin project in {root}", {"path": str(root), "commit": commit})
    return 0


def _check_new_folder(path: Path) -> None:
    """Refuse a path where no project folder can be: a file, or a file on the way to it."""
    from margin.core.errors import MarginError

    for place in (path, *path.parents):
        if place.exists() and not place.is_dir():
            raise MarginError(f"{place} is a file, not a folder — name a new folder for the project")


def demo_bundle() -> Path:
    """The demo study and its history, shipped with Margin as a git bundle (inside the package, or beside
    the study in a source checkout)."""
    from importlib import resources

    shipped = Path(str(resources.files("margin") / "demo_project.bundle"))
    if shipped.is_file():
        return shipped
    checkout = Path(__file__).resolve().parents[3] / "projects" / "peer-support.bundle"
    if checkout.is_file():
        return checkout
    from margin.core.errors import MarginError

    raise MarginError("the demo study is missing from this installation — reinstall Margin")


def free_path(base: Path) -> Path:
    if not base.exists():
        return base
    n = 2
    while (base.parent / f"{base.name}-{n}").exists():
        n += 1
    return base.parent / f"{base.name}-{n}"


def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError
    from margin.vcs import drivers
    from margin.vcs.bundle import unbundle

    if args.path:
        target = Path(args.path).resolve()
        _check_new_folder(target)
        if target.exists() and any(target.iterdir()):
            raise MarginError(f"{target} exists and is not empty — name a new directory")
    else:
        target = free_path(Path.cwd() / DEMO_NAME)
    commit = unbundle(demo_bundle(), target)
    drivers.install(target)  # git config is not in a bundle
    if args.no_open or args.json or not _on_a_terminal():
        out.result(str(target), {"path": str(target), "commit": commit})
        return 0
    return _run_app(target)


def _run_app(path: Path) -> int:
    from margin.core.conflict_blocks import MESSAGE
    from margin.core.errors import FormatError

    try:
        project = load(path)  # report an unusable project here, before the screen switches
    except FormatError as exc:  # a merge left a conflict in the codebook (or settings): resolve it first
        if exc.message != MESSAGE or not _on_a_terminal() or not _resolve_conflicts_first(path):
            raise
        project = load(path)
    if not _on_a_terminal():
        from margin.core.errors import MarginError

        raise MarginError(
            "the app needs a terminal, and standard input or output is not one — run `margin open` in a "
            "terminal; `margin --help` lists the commands for scripts"
        )
    from margin.tui.app import run_app

    return int(run_app(project, prepare=repair_drivers) or 0)


def _on_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _resolve_conflicts_first(path: Path) -> bool:
    """The conflict screen alone, for a project that cannot be loaded; True once no conflict is left."""
    from margin.core.lock import APP, ProjectLock
    from margin.core.project import find_root, state_dir
    from margin.tui.conflicts_screen import run_conflicts_app

    root = find_root(path)
    with ProjectLock(state_dir(root), APP):
        return run_conflicts_app(root)


def repair_drivers(root: Path) -> None:
    """Register Margin's merge drivers again where they are missing or altered, and say so: without them
    git would merge transcripts as plain text without a word."""
    from margin.core.controls import for_terminal
    from margin.vcs import drivers

    for problem in drivers.repair(root):
        print(f"margin: warning: {for_terminal(problem)} (repaired)", file=sys.stderr)


def cmd_open(args: argparse.Namespace, out: Output) -> int:
    from margin.core.errors import MarginError

    path = Path(args.path)
    if not path.is_dir():
        raise MarginError(f"{path} is not a folder — name a project's folder (or run `margin open` in one)")
    return _run_app(path)


def open_here(args: argparse.Namespace, out: Output) -> int:
    """`margin` alone: open the project here, or explain what to do."""
    from margin.core.project import NotAProject, find_root

    try:
        find_root(Path.cwd())
    except NotAProject as exc:
        out.error(f"{exc}; `margin demo` opens the demo study, `margin --help` lists the commands")
        return 2
    return _run_app(Path.cwd())


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    from margin.core.check import check_root
    from margin.core.project import find_root
    from margin.vcs import drivers

    root = find_root(Path.cwd())
    problems = check_root(root)
    for issue in drivers.check(root):
        out.warn(f"git: {issue} — `margin open` repairs it")
    for issue in drivers.conflicting_attributes(root):
        out.warn(f"git: {issue}")
    if args.json:
        out.data({"ok": not problems, "problems": [p.as_dict() for p in problems]})
        return 1 if problems else 0
    for problem in problems:
        out.line(str(problem))
    if problems:
        out.line(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
        return 1
    project = load(root)
    docs = project.document_ids()
    out.line(
        f"ok: {len(docs)} documents, {len(project.codebook.codes)} codes, "
        f"{len(project.participants.people)} participants"
    )
    return 0
