"""Validate a whole project: every problem with its file, line, column and what to do."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

from margin.core.codebook import Codebook, new_codebook
from margin.core.conflict_blocks import MESSAGE, Side, conflict_error, has_conflicts, parse_conflicts
from margin.core.document import Document, document_problems, parse_document, split_front_matter
from margin.core.errors import FormatError
from margin.core.participants import Participants, new_participants
from margin.core.paths import UnsafePath, inside
from margin.core.project import CODEBOOK, DOCUMENTS, PARTICIPANTS, SETTINGS, Project
from margin.core.textfile import decode_all, read_bytes
from margin.core.yamlio import load_safe


class _Checked(Protocol):
    def problems(self) -> list[FormatError]: ...


_Read = TypeVar("_Read", bound=_Checked)

_CODE_REF = re.compile(r"\\.|\}(?:@[a-z0-9]+)?\[([a-z0-9_, -]+)")


def code_references(source: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, slug) of every code named in a document's source (1-based)."""
    for n, line in enumerate(source.split("\n"), start=1):
        if "}" not in line:
            continue
        for m in _CODE_REF.finditer(line):
            if m.group(1) is None:
                continue
            col = m.start(1)
            for slug in m.group(1).split(", "):
                yield n, col + 1, slug.strip()
                col += len(slug) + 2


def check_project(project: Project) -> list[FormatError]:
    """Every problem in the project's files on disk (see ``check_root``)."""
    return check_root(project.root)


def check_root(root: Path) -> list[FormatError]:
    """Every problem in the project at ``root``: file by file (settings, codebook, participants, then
    the documents by ID), each file's problems in file order. A file that cannot be used is reported and
    the others are still checked (without a codebook, codes are not looked up; without participants,
    speakers are not)."""
    problems: list[FormatError] = []
    settings = _settings(root, problems)
    codebook = (
        _read_yaml(root, CODEBOOK, Codebook.parse, problems)
        if os.path.lexists(root / CODEBOOK)
        else new_codebook()
    )
    participants = (
        _read_yaml(root, PARTICIPANTS, Participants.parse, problems)
        if os.path.lexists(root / PARTICIPANTS)
        else new_participants()
    )
    project = Project(root, settings, codebook or new_codebook(), participants or new_participants())
    ids = project.document_ids()  # a link in documents/ is refused, as by every command
    people = set(participants.people) if participants is not None else set()
    for doc_id in ids:
        path = f"{DOCUMENTS}/{doc_id}.txt"
        try:
            source, found = decode_all(read_bytes(project.document_path(doc_id), path), path)
        except UnsafePath:
            raise  # a device: refused, as by every command
        except FormatError as exc:  # a file beyond the limits
            problems.append(exc)
            continue
        if has_conflicts(source):
            found.extend(conflict_problems(source, doc_id, path))
            problems.extend(found)
            continue
        markup = document_problems(source, path)
        found.extend(markup)
        if codebook is not None:  # on a line whose markup is wrong, what looks like codes may be none
            unreadable = {p.line for p in markup}
            found.extend(p for p in _code_problems(source, codebook, path) if p.line not in unreadable)
        if people and not markup:
            found.extend(_speaker_problems(parse_document(source, doc_id, path), source, people, path))
        problems.extend(sorted(found, key=_place))
    return problems


def _settings(root: Path, problems: list[FormatError]) -> dict[str, Any]:
    found: list[FormatError] = []
    text = _read(root, SETTINGS, found)
    data = None
    if text is not None:
        try:
            data = load_safe(text, SETTINGS)
        except FormatError as exc:
            found.append(exc)
        else:
            if data is not None and not isinstance(data, dict):
                found.append(
                    FormatError(
                        "margin.yaml must be a YAML mapping (name: …)", path=SETTINGS, line=1, column=1
                    )
                )
    problems.extend(sorted(found, key=_place))
    return data if isinstance(data, dict) else {}


def _read_yaml(
    root: Path, name: str, parse: Callable[[str, str], _Read], problems: list[FormatError]
) -> _Read | None:
    """The codebook or participants as far as they can be read, their problems added to ``problems``."""
    found: list[FormatError] = []
    text = _read(root, name, found)
    read = None
    if text is not None:
        try:
            read = parse(text, name)
        except FormatError as exc:
            found.append(exc)
        else:
            found.extend(read.problems())
    problems.extend(sorted(found, key=_place))
    return read


def _read(root: Path, name: str, problems: list[FormatError]) -> str | None:
    """A project file's text, repaired where it has encoding problems (added to ``problems``); None
    when it is missing or holds a conflict block."""
    try:
        text, found = decode_all(read_bytes(inside(root, name), name), name)
    except FileNotFoundError:
        return None
    except UnsafePath:
        raise  # a link, a folder or a device: refused, as by every command
    except FormatError as exc:  # a file beyond the limits
        problems.append(exc)
        return None
    problems.extend(found)
    conflict = conflict_error(text, name)
    if conflict is not None:
        problems.append(conflict)
        return None
    return text


def _place(problem: FormatError) -> tuple[int, int]:
    return problem.line, problem.column


def _code_problems(source: str, codebook: Codebook, path: str) -> Iterator[FormatError]:
    """Codes a document names that the codebook does not have, or that cannot be applied."""
    for line, col, slug in code_references(source):
        resolved = codebook.resolve(slug)
        if resolved is None:
            from rapidfuzz import process

            guess = process.extractOne(slug, list(codebook.codes))
            hint = f" — did you mean '{guess[0]}'?" if guess and guess[1] >= 70 else " —"
            yield FormatError(
                f"unknown code '{slug}'{hint} add it with `margin code add {slug}` or correct the slug",
                path=path,
                line=line,
                column=col,
            )
        elif not getattr(codebook.get(resolved), "codable", True):
            yield FormatError(
                f"'{slug}' is a grouping code (codable: false) — apply one of its subcodes",
                path=path,
                line=line,
                column=col,
            )


def _speaker_problems(doc: Document, source: str, people: set[str], path: str) -> Iterator[FormatError]:
    """Speakers mapped to participants that participants.yaml does not have."""
    try:
        speakers = doc.speakers
    except FormatError:  # reported with the front matter
        return
    raw, _, _ = split_front_matter(source, path)
    for label, pid in speakers.items():
        if pid is not None and pid not in people:
            line = 2 + next((i for i, t in enumerate((raw or "").split("\n")) if pid in t), 0)
            yield FormatError(
                f"speaker '{label}' is mapped to '{pid}', who is not in participants.yaml — add the "
                "participant or correct the ID",
                path=path,
                line=line,
                column=1,
            )


def conflict_problems(source: str, doc_id: str, path: str) -> list[FormatError]:
    """A document with conflict blocks: each block, and what is wrong in our or their version of the rest."""
    try:
        conflicted = parse_conflicts(source, path)
    except FormatError as exc:
        return [exc]
    problems = [
        FormatError(
            f"{MESSAGE} (lines {b.line}–{b.end_line} hold both versions)", path=path, line=b.line, column=1
        )
        for b in conflicted.blocks
    ]
    seen: set[tuple[int, int, str]] = set()
    sides: tuple[tuple[Side, str], ...] = (("ours", "our"), ("theirs", "their"))
    for side, whose in sides:
        text, origin = conflicted.view_lines(side)
        for problem in document_problems(text, path):
            line = origin[problem.line - 1] if 0 < problem.line <= len(origin) else problem.line
            if (line, problem.column, problem.message) not in seen:
                seen.add((line, problem.column, problem.message))
                problems.append(
                    FormatError(
                        f"{problem.message} (in {whose} version)", path=path, line=line, column=problem.column
                    )
                )
    return sorted(problems, key=_place)
