"""Counts of coded segments per code for the codebook panel, kept right as changes arrive.

The first figures come from the index cache (``build_index``, slow only for documents changed since the
last run); after that every change's "after" states replace the summaries of the documents it touched, so
counting again costs one pass over the distinct code lists, not a re-read of the project.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from margin.analysis.counts import CodeCount, code_counts
from margin.core.index import DocSummary
from margin.core.operations import Change, DocState
from margin.core.project import Project


def summary_of(state: DocState) -> DocSummary:
    """The summary of a document's in-memory state (no digest: it is not read from a file)."""
    lists = Counter(",".join(c.codes) for c in state.codings)
    return DocSummary(
        "", dict(lists), len(state.codings), len(state.text.split()), state.text.count("\n") + 1
    )


@dataclass(frozen=True, slots=True)
class Usage:
    """How much one code is used on its own: coded segments and the documents they are in."""

    segments: int
    documents: int


class CodeTally:
    """Per-document code lists, and the counts made from them.

    The totals are counted once over the whole index; after that a change to documents only takes out
    the old counts of the documents it touched and adds their new ones. A change to the codebook (a code
    moved, merged, re-slugged) may change any aggregate, so the totals are counted again.
    """

    def __init__(self) -> None:
        self.index: dict[str, DocSummary] | None = None
        self._pending: dict[str, DocSummary] = {}
        self._totals: dict[str, CodeCount] | None = None

    def load(self, index: dict[str, DocSummary]) -> None:
        """Take a freshly built index; changes that arrived while it was built are laid over it."""
        self.index = {**index, **self._pending}
        self._pending = {}
        self._totals = None

    def follow(self, project: Project, change: Change) -> None:
        """Account for a change that reached the project (done, undone, redone or reloaded)."""
        if self.index is None:
            self._pending.update(
                (doc_id, summary_of(after)) for doc_id, (_, after) in change.documents.items()
            )
            return
        if change.codebook is not None:
            self._totals = None
        for doc_id, (_, after) in change.documents.items():
            new = summary_of(after)
            old = self.index.get(doc_id)
            self.index[doc_id] = new
            if self._totals is not None:
                if old is not None:
                    self._add(project, old, -1)
                self._add(project, new, 1)

    def _add(self, project: Project, summary: DocSummary, sign: int) -> None:
        assert self._totals is not None
        for row in code_counts(project, {"": summary}):
            if not (row.own or row.aggregate):
                continue
            total = self._totals.get(row.slug) or replace(row, own=0, aggregate=0, documents=0)
            self._totals[row.slug] = replace(
                total,
                own=total.own + sign * row.own,
                aggregate=total.aggregate + sign * row.aggregate,
                documents=total.documents + sign * row.documents,
            )

    def counts(self, project: Project) -> dict[str, CodeCount]:
        """Own and aggregate counts by slug (empty until the index is loaded)."""
        if self.index is None:
            return {}
        if self._totals is None:
            self._totals = {row.slug: row for row in code_counts(project, self.index)}
        return self._totals

    def usage(self, project: Project, slug: str) -> Usage | None:
        """Segments carrying ``slug`` (or one of its aliases) and their documents; None until loaded."""
        if self.index is None:
            return None
        resolve = project.codebook.resolve
        segments = documents = 0
        for summary in self.index.values():
            n = sum(
                count
                for key, count in summary.code_lists.items()
                if any((resolve(s) or s) == slug for s in key.split(","))
            )
            segments += n
            documents += n > 0
        return Usage(segments, documents)
