"""Code frequencies: own and aggregate (with subcodes) counts of coded segments and documents."""

from __future__ import annotations

from dataclasses import dataclass

from margin.core.index import DocSummary
from margin.core.project import Project


@dataclass(frozen=True, slots=True)
class CodeCount:
    slug: str
    label: str
    depth: int
    parent: str | None
    own: int  # coded segments carrying this code
    aggregate: int  # coded segments carrying this code or any of its subcodes (each segment once)
    documents: int  # documents with at least one such segment (aggregate)


def code_counts(project: Project, index: dict[str, DocSummary]) -> list[CodeCount]:
    """One row per code in tree order, then one per code used in documents but missing from the codebook.

    A segment counts once for each code it carries and once for each ancestor of those codes.
    """
    cb = project.codebook
    closures: dict[str, tuple[set[str], set[str]]] = {}  # code list -> (its codes, codes + ancestors)
    own: dict[str, int] = {}
    aggregate: dict[str, int] = {}
    documents: dict[str, int] = {}
    for summary in index.values():
        in_doc: set[str] = set()
        for key, n in summary.code_lists.items():
            if key not in closures:
                codes = {cb.resolve(s) or s for s in key.split(",")}
                closure = set(codes)
                for slug in codes:
                    if slug in cb.codes:
                        closure.update(cb.ancestors(slug))
                closures[key] = (codes, closure)
            codes, closure = closures[key]
            for slug in codes:
                own[slug] = own.get(slug, 0) + n
            for slug in closure:
                aggregate[slug] = aggregate.get(slug, 0) + n
            in_doc |= closure
        for slug in in_doc:
            documents[slug] = documents.get(slug, 0) + 1
    rows = [
        CodeCount(
            slug,
            code.label,
            len(cb.ancestors(slug)),
            code.parent,
            own.get(slug, 0),
            aggregate.get(slug, 0),
            documents.get(slug, 0),
        )
        for slug, code in cb.codes.items()
    ]
    rows.extend(
        CodeCount(slug, "(not in the codebook)", 0, None, own[slug], own[slug], documents.get(slug, 0))
        for slug in sorted(set(own) - set(cb.codes))
    )
    return rows
