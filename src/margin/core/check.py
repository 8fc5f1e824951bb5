"""Validate a whole project: every problem with its file, line, column and what to do."""

from __future__ import annotations

import re
from collections.abc import Iterator

from margin.core.conflict_blocks import MESSAGE, Side, has_conflicts, parse_conflicts
from margin.core.document import parse_document, split_front_matter
from margin.core.errors import FormatError, MarginError
from margin.core.project import DOCUMENTS, Project
from margin.core.textfile import decode

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
    """Every problem in the project, in file order."""
    problems: list[FormatError] = []
    problems.extend(project.codebook.problems())
    problems.extend(project.participants.problems())
    try:
        ids = project.document_ids()
    except FormatError as exc:
        return [*problems, exc]
    known = project.codebook
    people = set(project.participants.people)
    for doc_id in ids:
        path = f"{DOCUMENTS}/{doc_id}.txt"
        try:
            source = decode(project.document_path(doc_id).read_bytes(), path)
        except FormatError as exc:
            problems.append(exc)
            continue
        if has_conflicts(source):
            problems.extend(conflict_problems(source, doc_id, path))
            speakers: dict[str, str | None] = {}
        else:
            try:
                doc = parse_document(source, doc_id, path)
                speakers = doc.speakers
            except (FormatError, MarginError) as exc:
                problems.append(exc if isinstance(exc, FormatError) else FormatError(str(exc), path=path))
                continue
        for line, col, slug in code_references(source):
            resolved = known.resolve(slug)
            if resolved is None:
                from rapidfuzz import process

                guess = process.extractOne(slug, list(known.codes))
                hint = f" — did you mean '{guess[0]}'?" if guess and guess[1] >= 70 else " —"
                problems.append(
                    FormatError(
                        f"unknown code '{slug}'{hint} add it with `margin code add {slug}` or correct the slug",
                        path=path,
                        line=line,
                        column=col,
                    )
                )
            elif not getattr(known.get(resolved), "codable", True):
                problems.append(
                    FormatError(
                        f"'{slug}' is a grouping code (codable: false) — apply one of its subcodes",
                        path=path,
                        line=line,
                        column=col,
                    )
                )
        if speakers and people:
            raw, _, _ = split_front_matter(source, path)
            for label, pid in speakers.items():
                if pid is not None and pid not in people:
                    line = 2 + next((i for i, t in enumerate((raw or "").split("\n")) if pid in t), 0)
                    problems.append(
                        FormatError(
                            f"speaker '{label}' is mapped to '{pid}', who is not in participants.yaml — add the "
                            "participant or correct the ID",
                            path=path,
                            line=line,
                            column=1,
                        )
                    )
    return problems


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
        try:
            parse_document(text, doc_id, path)
        except FormatError as exc:
            line = origin[exc.line - 1] if 0 < exc.line <= len(origin) else exc.line
            if (line, exc.column, exc.message) not in seen:
                seen.add((line, exc.column, exc.message))
                problems.append(
                    FormatError(
                        f"{exc.message} (in {whose} version)", path=path, line=line, column=exc.column
                    )
                )
    return problems
