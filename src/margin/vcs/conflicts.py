"""Conflicts a merge left: finding them, describing them, resolving them block by block, staging the result.

Everything here works on the files themselves (a project whose codebook holds a conflict cannot be loaded).
A conflict is a block in a file (``margin.core.conflict_blocks``); in a transcript it is named by the
paragraph it stands for, in the codebook by the codes it concerns. A file git still lists as unmerged but
that holds no block (a deletion against a change, or a file merged line by line because Margin could not
read a version) is a conflict of the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from margin.core.codebook import FIELDS
from margin.core.conflict_blocks import Block, Conflicted, has_conflicts, parse_conflicts, render_block
from margin.core.disk import Files
from margin.core.errors import FormatError, MarginError
from margin.core.paths import folder_files, inside
from margin.core.textfile import decode, read_bytes

Choice = Literal["ours", "theirs", "both", "base"]
CHOICES: tuple[Choice, ...] = ("ours", "theirs", "both", "base")
_KEY = re.compile(r"^(\s*)([a-z0-9]+(?:[-_][a-z0-9]+)*):(?:\s|$)")
_NOT_CODES = {"codes", "sets", *FIELDS}


@dataclass(frozen=True)
class Conflict:
    """One conflict: a block in a file (``index`` ≥ 0), or a whole unmerged file without one (-1)."""

    path: str
    index: int
    line: int
    where: str  # "¶12", "front matter", "code presence", "line 40", "the whole file"
    paragraph: int | None  # first paragraph of our version of it (documents)
    codes: tuple[str, ...]  # codes or sets it concerns (the codebook)
    ours: tuple[str, ...]
    base: tuple[str, ...] | None
    theirs: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "where": self.where,
            "paragraph": self.paragraph,
            "codes": list(self.codes),
            "ours": list(self.ours),
            "base": None if self.base is None else list(self.base),
            "theirs": list(self.theirs),
        }


@dataclass
class Resolution:
    """What ``resolve`` did to one file."""

    path: str
    resolved: int
    remaining: int
    staged: bool


# --- finding ---------------------------------------------------------------------------------------------
def unmerged(root: Path) -> list[str]:
    """Files git lists as unmerged (empty outside a merge, or outside a git repository)."""
    if not (root / ".git").exists():
        return []
    from margin.vcs.repo import run_git

    status, out, _ = run_git(root, "diff", "--name-only", "--diff-filter=U", "-z")
    return sorted({p for p in out.split("\0") if p}) if status == 0 else []


def conflicted_paths(root: Path) -> list[str]:
    """The files git lists as unmerged; outside a merge, project files that still hold conflict blocks."""
    found = set(unmerged(root))
    if not found:
        candidates = ["codebook.yaml", "participants.yaml", "margin.yaml"]
        candidates += [f"documents/{doc}.txt" for doc in folder_files(root, "documents", ".txt")]
        for path in candidates:
            try:
                data = read_bytes(inside(root, path), path)
            except OSError:
                continue
            if (b"<<<<<<<" in data or b">>>>>>>" in data) and has_conflicts(data.decode("utf-8", "replace")):
                found.add(path)
    return sorted(found, key=lambda p: (not p.startswith("codebook"), p))


def list_conflicts(root: Path, paths: list[str] | None = None) -> list[Conflict]:
    """Every conflict in ``paths`` (default: every conflicted file), in file order."""
    out: list[Conflict] = []
    for path in conflicted_paths(root) if paths is None else paths:
        out.extend(conflicts_in(root, path))
    return out


def conflicts_in(root: Path, path: str) -> list[Conflict]:
    return _listed(root, path, _read(root, path))


def _listed(root: Path, path: str, text: str | None) -> list[Conflict]:
    """The conflicts of ``path`` whose text is ``text`` (None: the file is gone)."""
    if text is None:
        return [Conflict(path, -1, 0, "the whole file (deleted on one side)", None, (), (), None, ())]
    conflicted = parse_conflicts(text, path)
    if not conflicted.blocks:
        if path in unmerged(root):
            return [Conflict(path, -1, 0, "the whole file", None, (), (), None, ())]
        return []
    view = conflicted.view("ours").split("\n")
    out = []
    for index, (block, start) in enumerate(
        zip(conflicted.blocks, conflicted.block_lines("ours"), strict=True)
    ):
        where, paragraph, codes = _where(path, view, start, block)
        out.append(
            Conflict(path, index, block.line, where, paragraph, codes, block.ours, block.base, block.theirs)
        )
    return out


def _where(path: str, view: list[str], start: int, block: Block) -> tuple[str, int | None, tuple[str, ...]]:
    if path.startswith("documents/"):
        body = _body_start(view)
        if start < body:
            return "front matter", None, ()
        return f"¶{start - body + 1}", start - body + 1, ()
    if path == "codebook.yaml":
        codes = _codebook_keys(view, start, block)
        section = _section(view, start)
        kind = "set" if section == "sets" else "code"
        if not codes:
            return "the codebook", None, ()
        return f"{kind}{'s' if len(codes) > 1 else ''} {', '.join(codes)}", None, codes
    return f"line {block.line}", None, ()


def _body_start(view: list[str]) -> int:
    """Index of the first body line of a document's lines (after the front matter)."""
    if not view or view[0] != "---":
        return 0
    for n in range(1, len(view)):
        if view[n] == "---":
            return n + 1
    return 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _codebook_keys(view: list[str], start: int, block: Block) -> tuple[str, ...]:
    """The codes (or sets) a codebook block is about: the entry it sits in, or the entries it holds."""
    lines = [x for x in (*block.ours, *(block.base or ()), *block.theirs) if x.strip()]
    if not lines:
        return ()
    depth = min(_indent(x) for x in lines)
    found = [m.group(2) for x in lines if (m := _KEY.match(x)) and _indent(x) == depth]
    keys = [k for k in found if k not in _NOT_CODES]
    if keys:
        return tuple(dict.fromkeys(keys))
    for n in range(min(start, len(view)) - 1, -1, -1):
        m = _KEY.match(view[n])
        if m and _indent(view[n]) < depth:
            if m.group(2) not in _NOT_CODES:
                return (m.group(2),)
            depth = _indent(view[n])
    return ()


def _section(view: list[str], start: int) -> str:
    for n in range(min(start, len(view)) - 1, -1, -1):
        m = _KEY.match(view[n])
        if m and not m.group(1):
            return m.group(2)
    return ""


# --- resolving -------------------------------------------------------------------------------------------
def select(
    conflicts: list[Conflict], paragraph: int | None = None, code: str | None = None
) -> list[Conflict]:
    """The conflicts of one file that a paragraph number or a code names (all of them if neither)."""
    chosen = []
    for c in conflicts:
        if paragraph is not None:
            size = max(len(c.ours), 1)
            if c.paragraph is None or not c.paragraph <= paragraph < c.paragraph + size:
                continue
        if code is not None and code not in c.codes:
            continue
        chosen.append(c)
    return chosen


def resolve(
    root: Path,
    path: str,
    choice: Choice | None,
    *,
    paragraph: int | None = None,
    code: str | None = None,
    conflict: Conflict | None = None,
    lines: list[str] | None = None,
) -> Resolution:
    """Resolve conflicts of ``path``: the ones named by paragraph or code (all by default), or the one
    ``conflict`` listed earlier (refused if the file no longer holds it there), by taking ``choice`` (ours,
    theirs, both: ours then theirs, base), or one of them by ``lines`` (an edited version). A file left
    without conflicts is checked and, if git lists it as unmerged, staged with ``git add``. Nothing is
    written when the result would be an invalid file, or over the file if it changed meanwhile."""
    files = Files(root)
    found = _read(root, path, files)
    conflicts = _listed(root, path, found)
    text = found or ""
    if not conflicts:
        raise MarginError(f"{path} has no conflicts")
    if conflicts[0].index < 0:
        return _resolve_whole(root, path, choice)
    chosen = select(conflicts, paragraph, code)
    if conflict is not None:  # found again by its versions: an editor may have resolved others meanwhile
        chosen = [c for c in chosen if _same(c, conflict)]
        if len(chosen) != 1:
            raise MarginError(
                f"{path} changed since its conflicts were listed (another program edited it), so nothing "
                "was written — look at its conflicts again"
            )
    if not chosen:
        named = f"paragraph {paragraph}" if paragraph is not None else f"code '{code}'"
        listing = ", ".join(c.where for c in conflicts)
        raise MarginError(f"{path} has no conflict at {named} — its conflicts: {listing}")
    if lines is not None and len(chosen) != 1:
        raise MarginError(f"{path} has {len(chosen)} conflicts — name one with --paragraph N or --code SLUG")
    if choice == "both" and path == "codebook.yaml":
        raise MarginError(
            "a code cannot be kept in both versions (its slug would be defined twice) — choose --ours or "
            "--theirs, or --edit"
        )
    if choice == "both" and any(c.where == "front matter" for c in chosen):
        raise MarginError("front matter keys cannot be kept twice — choose --ours or --theirs, or --edit")
    conflicted = parse_conflicts(text, path)
    for c in sorted(chosen, key=lambda c: -c.index):
        new = lines if lines is not None else _choose(conflicted.blocks[c.index], choice)
        conflicted = conflicted.resolve(c.index, new)
    result = conflicted.render()
    remaining = len(conflicted.blocks)
    if remaining == 0:
        _validate(path, result)
    elif lines is not None:
        _validate_edit(path, conflicted)
    files.write([(inside(root, path), result)])
    staged = remaining == 0 and _stage(root, path)
    how = "edited" if lines is not None else str(choice)
    _note(root, [f"{path} {c.where}: {how}" for c in chosen])
    return Resolution(path, len(chosen), remaining, staged)


def _same(a: Conflict, b: Conflict) -> bool:
    return (a.where, a.ours, a.base, a.theirs) == (b.where, b.ours, b.base, b.theirs)


def _note(root: Path, lines: list[str]) -> None:
    """Keep how conflicts were resolved for the merge commit's message."""
    from margin.vcs import merge_record

    merge_record.note_resolutions(root, lines)


def _choose(block: Block, choice: Choice | None) -> list[str]:
    if choice is None:
        raise MarginError("choose --ours, --theirs, --both or --base (or --edit)")
    if choice == "both":
        return [*block.ours, *block.theirs]
    if choice == "base" and block.base is None:
        raise MarginError(
            "this conflict has no base version (git wrote it without one) — choose another side"
        )
    return list(block.side(choice))


def _resolve_whole(root: Path, path: str, choice: Choice | None) -> Resolution:
    """An unmerged file without blocks: keep it as it is (no choice: after checking it), or take a side."""
    if choice in ("both", "base"):
        raise MarginError(f"{path} has no conflict block to combine — choose --ours or --theirs")
    how = str(choice) if choice is not None else "kept as it is"
    if choice is not None:
        side = f"--{choice}"
        status, _ = _git(root, "checkout", side, "--", path)
        if status != 0:  # that side deleted the file
            _git(root, "rm", "--quiet", "--", path)
            _note(root, [f"{path}: {how} (deleted)"])
            return Resolution(path, 1, 0, True)
    text = _read(root, path)
    if text is not None:
        _validate(path, text)
    staged = _stage(root, path)
    _note(root, [f"{path}: {how}"])
    return Resolution(path, 1, 0, staged)


def _validate_edit(path: str, conflicted: Conflicted) -> None:
    """Refuse an edited conflict that Margin could not read back while other conflicts of the file wait:
    the file is checked as it would be with our version of them (each version Margin's merge writes is
    valid, so what fails is what was written)."""
    view, origin = conflicted.view_lines("ours")
    try:
        _validate(path, view)
    except FormatError as exc:
        line = origin[exc.line - 1] if 0 < exc.line <= len(origin) else exc.line
        raise FormatError(exc.message, path=path, line=line, column=exc.column) from None


def _validate(path: str, text: str) -> None:
    """Refuse a resolved file that Margin could not read back."""
    if path.startswith("documents/") and path.endswith(".txt"):
        from margin.core.document import parse_document

        parse_document(text, path[len("documents/") : -4], path)
    elif path == "codebook.yaml":
        from margin.core.codebook import Codebook

        Codebook.parse(text, path)
    elif path.endswith(".yaml"):
        from margin.core.yamlio import load_safe

        load_safe(text, path)


def _stage(root: Path, path: str) -> bool:
    if path not in unmerged(root):
        return False
    status, err = _git(root, "add", "--", path)
    if status != 0:
        raise MarginError(f"git add {path} failed: {err.strip()}")
    return True


def _git(root: Path, *args: str) -> tuple[int, str]:
    from margin.vcs.repo import run_git

    status, _, err = run_git(root, *args)
    return status, err


def _read(root: Path, path: str, files: Files | None = None) -> str | None:
    data = (files or Files(root)).read(inside(root, path), path)
    return decode(data, path) if data is not None else None


def block_text(conflict: Conflict) -> str:
    """A conflict as the text an editor shows: both versions (and the base) between markers."""
    block = Block(0, 0, conflict.ours, conflict.base, conflict.theirs)
    return "\n".join(render_block(block)) + "\n"


def edit(root: Path, conflict: Conflict, editor: Sequence[str]) -> Resolution:
    """Resolve ``conflict`` by what the user writes in ``editor`` (a command as a list, run without a
    shell) on a file holding both versions between markers; markers left in it are refused."""
    import subprocess
    import tempfile

    suffix = ".yaml" if conflict.path.endswith(".yaml") else ".txt"
    with tempfile.TemporaryDirectory(prefix="margin-resolve-") as tmp:
        target = Path(tmp) / f"conflict{suffix}"
        target.write_text(block_text(conflict), encoding="utf-8")
        try:
            subprocess.run([*editor, str(target)], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise MarginError(
                f"the editor {editor[0]!r} failed ({exc}) — set another with $EDITOR or git's core.editor"
            ) from None
        text = target.read_text(encoding="utf-8")
    if has_conflicts(text):
        raise MarginError(
            "the edited text still holds conflict markers — keep only the lines you want, then try again"
        )
    lines = text.removesuffix("\n").split("\n") if text else []
    return resolve(root, conflict.path, None, conflict=conflict, lines=lines)
