"""The codebook panel's filter: which codes match a typed text, and which codes stay visible around them."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from margin.core.codebook import Codebook

FUZZY_FROM = 3
"""Shorter queries match only as a substring (two letters would fuzzily match almost anything)."""
CUTOFF = 80


def matches(query: str, *names: str) -> bool:
    """Whether ``query`` matches one of ``names`` (a label, a slug): as a substring, or fuzzily."""
    wanted = utils.default_process(query)
    if not wanted:
        return True
    for name in names:
        text = utils.default_process(name)
        if wanted in text:
            return True
        if len(wanted) >= FUZZY_FROM and fuzz.partial_ratio(wanted, text, score_cutoff=CUTOFF):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Filtered:
    """The codes that match, and the codes shown: the matches and their ancestors."""

    matched: frozenset[str]
    shown: frozenset[str]


def filter_codes(codebook: Codebook, query: str) -> Filtered | None:
    """The codes matching ``query`` by label, slug or alias, with their ancestors; None for no query."""
    if not query.strip():
        return None
    matched = {
        slug
        for slug, code in codebook.codes.items()
        if matches(query, code.label, slug.replace("-", " "), *code.aliases)
    }
    shown = set(matched)
    for slug in matched:
        shown.update(codebook.ancestors(slug))
    return Filtered(frozenset(matched), frozenset(shown))
