"""Coding a transcript the way a coder does, through margin.core.operations: apply codes to new
segments, recode and re-memo existing ones, until it holds the codings asked for."""

from __future__ import annotations

from collections.abc import Iterable

from margin.core import operations as ops
from margin.core.coding import Coding
from margin.core.operations import Change
from margin.core.project import Project
from margin.demo.derive import in_tree


def code(project: Project, doc_id: str, wanted: Iterable[Coding]) -> list[Change]:
    """Give the document every wanted coding (codes as final slugs; a code the codebook does not have yet
    is left for later, and a coding without any such code too). Codings not asked for stay."""
    changes: list[Change] = []
    for coding in wanted:
        codes = in_tree(project.codebook, coding.codes)
        if not codes:
            continue
        memo = coding.memo or None
        here = next(
            (c for c in project.document(doc_id).codings if (c.start, c.end) == (coding.start, coding.end)),
            None,
        )
        if here is None:
            changes.append(ops.apply_codes(project, doc_id, coding.start, coding.end, codes, memo))
        elif here.codes != codes or (here.memo or None) != memo:
            changes.append(ops.change_coding(project, doc_id, here.start, here.end, codes=codes, memo=memo))
    return changes
