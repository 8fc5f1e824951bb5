"""Margin's merge and diff drivers in git: registering them, checking the registration, repairing it.

Git merges a file with the driver its attributes name, running the command its config gives for that name,
and silently falls back to a plain text merge when that config is missing — and config is not cloned. A
config file from the repository that git included would be worse: anyone who can push could make it run
any command on the next pull. So Margin (docs/guide.md, "Security"):

- routes transcripts and the codebook to its drivers in the committed ``.gitattributes`` (for everyone) and
  in ``.git/info/attributes``, which takes precedence over every committed attributes file and which
  nobody can change by pushing;
- writes the drivers' commands into ``.git/config`` (local, never committed) with the Python interpreter
  that runs Margin, so git finds Margin even where ``margin`` is not on its PATH;
- commits ``.margin/gitconfig`` as the readable, portable statement of the drivers, but never includes it
  in git's config (and removes an include of any file inside the project);
- checks all this when a project is opened, cloned or synced, and repairs what is missing or altered.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

GITCONFIG = ".margin/gitconfig"
ATTRIBUTES_FILE = ".gitattributes"
BEGIN = "# >>> Margin: transcripts and the codebook are merged and diffed by Margin (see .margin/gitconfig)"
END = "# <<< Margin"
ROUTES: tuple[tuple[str, dict[str, str]], ...] = (
    ("documents/**/*.txt", {"merge": "margin-doc", "diff": "margin"}),
    ("/codebook.yaml", {"merge": "margin-codebook"}),
    ("/participants.yaml", {}),
    ("/margin.yaml", {}),
)
"""Margin's files and the drivers git must run for them."""
EXACT = ("text", "working-tree-encoding", "filter", "ident")
"""Attributes unset for every one of Margin's files, so that git checks them out and commits them byte for
byte: no line-ending conversion (a committed ``eol=crlf`` or a user's ``core.autocrlf`` would make every
transcript unreadable), no re-encoding, no filter, no keyword expansion."""
SAMPLE_DOCUMENT = "documents/group/document.txt"


def _commands(prefix: str) -> dict[str, str]:
    """Git config keys and values of the drivers, the command starting with ``prefix``."""
    return {
        "merge.margin-doc.name": "Margin: transcripts, merged by paragraph and coding",
        "merge.margin-doc.driver": f"{prefix} merge-file doc %O %A %B %P",
        "merge.margin-codebook.name": "Margin: the codebook, merged code by code",
        "merge.margin-codebook.driver": f"{prefix} merge-file codebook %O %A %B %P",
        "diff.margin.textconv": f"{prefix} textconv",
    }


def local_prefix() -> str:
    """How git should start Margin here: this Python interpreter, so PATH does not matter."""
    return f"{shlex.quote(sys.executable)} -m margin" if sys.executable else "margin"


def gitconfig_text() -> str:
    """The committed .margin/gitconfig, exactly as this version of Margin writes it."""
    sections: dict[str, list[str]] = {}
    for key, value in _commands("margin").items():
        section, _, name = key.rpartition(".")
        kind, _, sub = section.partition(".")
        sections.setdefault(f'[{kind} "{sub}"]', []).append(f"\t{name} = {value}")
    body = "\n".join(f"{head}\n" + "\n".join(lines) for head, lines in sections.items())
    return (
        "# Margin's merge and diff drivers, for reference. Git never reads this file by itself: Margin\n"
        "# writes these settings into .git/config (with the full path of its Python) when it makes, clones\n"
        "# or opens the project, and does not include this file, which anyone who can push could change.\n"
        f"{body}\n"
    )


def attributes_block() -> list[str]:
    lines = [BEGIN]
    for pattern, attrs in ROUTES:
        lines.append(" ".join([pattern, *(f"{k}={v}" for k, v in attrs.items()), *(f"-{a}" for a in EXACT)]))
    return [*lines, END]


def _expected(root: Path) -> dict[str, dict[str, str]]:
    """Each of Margin's files here (and a sample document) with the attributes git must give it."""
    exact = dict.fromkeys(EXACT, "unset")
    routes = {pattern.lstrip("/"): {**attrs, **exact} for pattern, attrs in ROUTES}
    document = routes.pop(ROUTES[0][0])
    return {SAMPLE_DOCUMENT: document, **routes, **dict.fromkeys(_document_paths(root), document)}


def _attributes(root: Path, paths: list[str], names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """What git's attributes say of ``names`` for each of ``paths`` (``unspecified`` where nothing does)."""
    status, out = _run(root, "check-attr", "-z", *names, "--", *paths)
    fields = out.split("\0")
    found: dict[str, dict[str, str]] = {}
    for i in range(0, len(fields) - 2, 3) if status == 0 else ():
        path, attr, value = fields[i : i + 3]
        found.setdefault(path, {})[attr] = value
    return found


def _listed(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


# --- git ------------------------------------------------------------------------------------------------
def _run(root: Path, *args: str) -> tuple[int, str]:
    from margin.vcs.repo import run_git

    status, out, _ = run_git(root, *args)
    return status, out


def _is_repository(root: Path) -> bool:
    return (root / ".git").exists()


# --- check ----------------------------------------------------------------------------------------------
def check(root: Path) -> list[str]:
    """What is missing or altered in the registration of Margin's drivers here (empty: all is well)."""
    if not _is_repository(root):
        return []
    return [*_check_config(root), *_check_includes(root), *_check_attributes(root), *_check_committed(root)]


def _check_config(root: Path) -> list[str]:
    status, out = _run(
        root, "config", "--show-origin", "--get-regexp", r"^(merge\.margin-(doc|codebook)|diff\.margin)\."
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for line in out.splitlines() if status == 0 else []:
        origin, _, rest = line.partition("\t")
        key, _, value = rest.partition(" ")
        found.setdefault(key.lower(), []).append((origin.removeprefix("file:"), value))
    problems: list[str] = []
    missing: list[str] = []
    for key, expected in _commands("margin").items():
        if key.endswith(".name"):
            continue
        values = found.get(key.lower(), [])
        if not values:
            missing.append(key.rpartition(".")[0])
            continue
        origin, value = values[-1]  # git uses the last value it reads (.git/config after ~/.gitconfig)
        if not _runs_margin(value, expected.removeprefix("margin")):
            problems.append(
                f"{key} in {origin} runs `{value}` instead of Margin's `{expected}` — git must not run "
                "commands that Margin did not write"
            )
    if missing:
        problems.insert(
            0,
            f"git does not know Margin's drivers ({', '.join(missing)}): git config is not cloned (a clone "
            "made with plain git?), and without them git merges transcripts and the codebook as plain text",
        )
    return problems


def _runs_margin(value: str, arguments: str) -> bool:
    """Whether ``value`` is ``PYTHON -m margin ARGUMENTS`` with an interpreter that exists."""
    try:
        words = shlex.split(value)
    except ValueError:
        return False
    python = words[0] if words else ""
    return (
        value.endswith(" -m margin" + arguments)
        and shlex.join([python]) + " -m margin" + arguments == value
        and os.path.isfile(python)
        and os.access(python, os.X_OK)
    )


def _includes(root: Path) -> list[tuple[str, str]]:
    """(key, value) of every include in .git/config that names a file inside the project."""
    status, out = _run(root, "config", "--local", "--get-regexp", r"^include(if\..*)?\.path$")
    found = []
    git_dir = Path(_run(root, "rev-parse", "--absolute-git-dir")[1].strip())
    for line in out.splitlines() if status == 0 else []:
        key, _, value = line.partition(" ")
        target = (git_dir / os.path.expanduser(value)).resolve()
        if target.is_relative_to(root.resolve()) and not target.is_relative_to(git_dir.resolve()):
            found.append((key, value))
    return found


def _check_includes(root: Path) -> list[str]:
    return [
        f".git/config includes {value!r}, a file inside the project that anyone who can push may change "
        "(git would run the commands it names) — Margin removes the include and writes its drivers into "
        ".git/config itself"
        for _, value in _includes(root)
    ]


def _check_attributes(root: Path) -> list[str]:
    problems: list[str] = []
    info = Path(_run(root, "rev-parse", "--git-path", "info/attributes")[1].strip())
    info = info if info.is_absolute() else root / info
    if not _has_block(info):
        problems.append(
            ".git/info/attributes does not route transcripts and the codebook to Margin's drivers "
            "(a clone made with plain git?)"
        )
    expected = _expected(root)
    wrong: dict[str, list[str]] = {}
    for path, found in _attributes(root, list(expected), ("merge", "diff", *EXACT)).items():
        for attr, value in found.items():
            want = expected.get(path, {}).get(attr, "unspecified")
            if value != want and not (attr in ("merge", "diff") and want == "unspecified"):
                wrong.setdefault(f"{attr}={value}", []).append(path)
    for setting, paths in wrong.items():
        routed = setting.startswith(("merge=", "diff="))
        what = "instead of Margin's driver" if routed else "where Margin needs its files kept byte for byte"
        problems.append(
            f"git's attributes give {_listed(paths)} '{setting}' {what} — a .gitattributes file changes them"
        )
    return problems


def conflicting_attributes(root: Path) -> list[str]:
    """Attributes in committed .gitattributes files that would change Margin's files for anyone who uses
    git without Margin, although Margin's own attributes (.git/info/attributes) override them here.

    Not repaired: the lines are the team's. Today that is ``eol``, which Margin's ``-text`` makes
    harmless here, but which a plain git clone (or a clone made before Margin's attributes) follows.
    """
    if not _is_repository(root):
        return []
    settings: dict[str, list[str]] = {}
    for path, found in _attributes(root, list(_expected(root)), ("eol",)).items():
        value = found.get("eol", "unspecified")
        if value not in ("unspecified", "lf"):
            settings.setdefault(value, []).append(path)
    return [
        f"a .gitattributes line gives {_listed(paths)} 'eol={value}': a clone made with git alone checks them "
        "out with other line endings than LF, and Margin refuses such files — remove that setting for "
        "Margin's files (`git check-attr -a -- PATH` shows what applies to a file). Margin's own attributes "
        "keep the files as committed here; `git checkout -- PATH` brings back one checked out before them"
        for value, paths in settings.items()
    ]


def _document_paths(root: Path) -> list[str]:
    base = root / "documents"
    paths: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = Path(dirpath).relative_to(root).as_posix()
        paths.extend(f"{rel}/{name}" for name in filenames if name.endswith(".txt"))
    return sorted(paths)


def _has_block(path: Path) -> bool:
    """Whether an attributes file ends with Margin's lines (a line after them could re-route its files)."""
    text = _read(path)
    return (
        text is not None and text.rstrip("\n").split("\n")[-len(attributes_block()) :] == attributes_block()
    )


def _check_committed(root: Path) -> list[str]:
    from margin.core.errors import FormatError
    from margin.core.paths import inside

    try:
        attributes, gitconfig = inside(root, ATTRIBUTES_FILE), inside(root, GITCONFIG)
    except FormatError as exc:  # a link: Margin neither reads nor writes it (install refuses)
        return [str(exc)]
    problems: list[str] = []
    if not _has_block(attributes):
        problems.append(
            f"{ATTRIBUTES_FILE} does not end with Margin's lines (they are missing, changed, or followed by "
            "lines that can re-route transcripts) — teammates who use plain git would not get Margin's merge; "
            "Margin puts them back at the end"
        )
    written = _read(gitconfig)
    if written is None:
        problems.append(f"{GITCONFIG} is missing; Margin writes it again")
    elif written != gitconfig_text():
        problems.append(
            f"{GITCONFIG} differs from what Margin writes ({_first_difference(written, gitconfig_text())}); "
            "Margin never runs what it says, and restores it"
        )
    return problems


def _first_difference(found: str, expected: str) -> str:
    a, b = found.split("\n"), expected.split("\n")
    for n, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return f"line {n}: {x.strip()!r} instead of {y.strip()!r}"
    n = min(len(a), len(b)) + 1
    return f"line {n}: {'extra lines' if len(a) > len(b) else 'lines missing'}"


# --- install and repair ---------------------------------------------------------------------------------
def install(root: Path) -> None:
    """Register Margin's drivers in the repository at ``root`` (idempotent; call before the first commit).

    Writes Margin's lines into .gitattributes (keeping any others) and .git/info/attributes, writes
    .margin/gitconfig, sets the drivers in .git/config, and removes includes of files inside the project.
    """
    from margin.core.paths import inside
    from margin.core.textfile import atomic_write

    attributes, gitconfig = inside(root, ATTRIBUTES_FILE), inside(root, GITCONFIG)
    _write_block(attributes)
    if _read(gitconfig) != gitconfig_text():
        atomic_write(gitconfig, gitconfig_text())
    protect(root)
    for key, value in _includes(root):
        _run(root, "config", "--local", "--fixed-value", "--unset-all", key, value)
    for key, value in _commands(local_prefix()).items():
        _run(root, "config", "--local", "--replace-all", key, value)


def protect(root: Path) -> None:
    """Write Margin's attributes into .git/info/attributes, which no push can change and which wins over
    every .gitattributes: before a clone's checkout, so that git writes Margin's files byte for byte."""
    info = Path(_run(root, "rev-parse", "--git-path", "info/attributes")[1].strip())
    _write_block(info if info.is_absolute() else root / info)


def repair(root: Path) -> list[str]:
    """Check the registration and, if anything is wrong, register the drivers again.

    Returns the problems found (each says what was wrong and what Margin did), for the caller to show:
    without the drivers git falls back to a text merge without a word.
    """
    problems = check(root)
    if problems:
        install(root)
    return problems


def _read(path: Path) -> str | None:
    from margin.core.errors import MarginError
    from margin.core.textfile import read_bytes

    try:
        return read_bytes(path).decode("utf-8")
    except (OSError, UnicodeDecodeError, MarginError):
        return None


_BLOCK = re.compile(rf"^{re.escape(BEGIN[:12])}.*?^{re.escape(END)}[^\n]*(?:\n|$)", re.MULTILINE | re.DOTALL)


def _write_block(path: Path) -> None:
    """Make an attributes file end with Margin's block (taken out of wherever it was), keeping other lines."""
    old = _read(path) or ""
    rest = _BLOCK.sub("", old).rstrip("\n")
    new = (rest + "\n" if rest else "") + "\n".join(attributes_block()) + "\n"
    if new != old:
        from margin.core.textfile import atomic_write

        atomic_write(path, new)


# --- the driver git runs --------------------------------------------------------------------------------
def run_merge_driver(kind: str, base: str, ours: str, theirs: str, name: str) -> int:
    """What git runs to merge one file: merge ``base``, ``ours`` and ``theirs`` (temporary files) into
    ``ours``. Exit status 0 when clean, 1 when conflict blocks are left for `margin resolve`.

    Never raises: if Margin cannot merge (a version it cannot read, or a bug), git's own text merge is
    written instead, with a message, and the file is left conflicted for review.
    """
    try:
        texts = [_read_version(path, name) for path in (base, ours, theirs)]
        if kind == "doc":
            from margin.vcs.code_aliases import merge_heads, when_needed
            from margin.vcs.merge_doc import merge_document

            aliases = when_needed(Path.cwd(), ["HEAD", *merge_heads(os.environ)])
            doc = merge_document(texts[0], texts[1], texts[2], name, aliases)
            text, conflicts, notes = doc.text, doc.conflicts, doc.dropped
            notes = [
                f"{name}: {n} — its words were deleted on the other side, so it was dropped" for n in notes
            ]
        elif kind == "codebook":
            from margin.vcs.merge_codebook import merge_codebook

            book = merge_codebook(texts[0], texts[1], texts[2], name)
            text, conflicts, notes = book.text, book.conflicts, []
        else:
            raise ValueError(f"unknown kind of file '{kind}' (doc or codebook)")
        Path(ours).write_bytes(text.encode("utf-8"))  # git's temporary file, read back at once
    except Exception as exc:  # git must always get a merge, never a traceback
        return _text_merge(base, ours, theirs, name, exc)
    for note in notes:
        sys.stderr.write(f"margin: {note}\n")
    for conflict in conflicts:
        sys.stderr.write(f"margin: {name}: conflict in {conflict} — run `margin resolve`\n")
    return 1 if conflicts else 0


def _read_version(path: str, name: str) -> str:
    from margin.core.textfile import decode, read_bytes

    return decode(read_bytes(Path(path), name), name)


def _text_merge(base: str, ours: str, theirs: str, name: str, why: BaseException) -> int:
    """Git's line-by-line merge into ``ours`` (conflict blocks with base), reported; always 'conflicted'."""
    import subprocess

    sys.stderr.write(
        f"margin: could not merge {name} by paragraphs and codings ({why}); merged it line by line "
        "instead — check it, then run `margin resolve`\n"
    )
    try:
        subprocess.run(
            [
                "git",
                "merge-file",
                "--diff3",
                "-L",
                "ours",
                "-L",
                "base",
                "-L",
                "theirs",
                "--",
                ours,
                base,
                theirs,
            ],
            check=False,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        sys.stderr.write(f"margin: git merge-file failed too ({exc}); {name} holds our version\n")
    return 1


def main(argv: list[str]) -> int:
    """``margin merge-file KIND BASE OURS THEIRS [PATH]`` without the command line's start-up cost (git runs
    it once per file both sides changed)."""
    if len(argv) not in (4, 5) or argv[0] not in ("doc", "codebook"):
        sys.stderr.write("usage: margin merge-file (doc|codebook) BASE OURS THEIRS [PATH]\n")
        return 2
    kind, base, ours, theirs = argv[:4]
    return run_merge_driver(kind, base, ours, theirs, argv[4] if len(argv) == 5 else ours)
