"""The mapping of another code tree's codes as the user edits it in the app: one action per code, first
as proposed, checked against both trees after every edit, and described in words for the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from margin.core.codebook import Codebook
from margin.core.errors import FormatError
from margin.vcs.codebook_merge import (
    ADD_UNDER,
    MAP_TO,
    NEW,
    SAME,
    SAME_LABEL,
    SKIP,
    Action,
    Proposal,
    check_actions,
)

_KINDS = {SAME: "same", SAME_LABEL: "same label", NEW: "new"}


class MappingEdits:
    """The action for each code of OTHER, as proposed and then edited, checked after every edit."""

    def __init__(self, proposals: Sequence[Proposal], ours: Codebook, other: Codebook) -> None:
        self.proposals = {p.slug: p for p in proposals}
        self.ours = ours
        self.other = other
        self.actions = {p.slug: p.action() for p in proposals}
        self.problem: tuple[str, str] | None = None
        """The code of OTHER whose action cannot be applied, and why (None: every action can)."""
        self.check()

    def set(self, action: Action) -> None:
        self.actions[action.slug] = action
        self.check()

    def reset(self, slug: str) -> None:
        self.set(self.proposals[slug].action())

    def edited(self, slug: str) -> bool:
        return self.actions[slug] != self.proposals[slug].action()

    def ordered(self) -> list[Action]:
        """The actions in OTHER's tree order, each numbered by its row (as the check reports it)."""
        return [replace(self.actions[slug], line=row) for row, slug in enumerate(self.proposals, 1)]

    def check(self) -> None:
        actions = self.ordered()
        try:
            check_actions(actions, self.ours, self.other, path="mapping")
        except FormatError as exc:  # its line is the row of the action in question
            self.problem = (actions[exc.line - 1].slug, exc.message)
        else:
            self.problem = None

    def is_here(self, action: Action) -> bool:
        """A map-to that keeps the code as it is: OTHER's code is that code of this project already."""
        here = self.ours.resolve(action.slug)
        return action.action == MAP_TO and here is not None and here == self.ours.resolve(action.target or "")

    def counts(self) -> tuple[int, int, int, int]:
        """Codes added, merged into a code here, skipped, and here already."""
        actions = list(self.actions.values())
        here = sum(1 for a in actions if self.is_here(a))
        merged = sum(1 for a in actions if a.action == MAP_TO) - here
        added = sum(1 for a in actions if a.action == ADD_UNDER)
        return added, merged, sum(1 for a in actions if a.action == SKIP), here

    def _name(self, slug: str) -> str:
        """A target as the table shows it: a new code of OTHER, or this project's code, by its label."""
        if slug in self.other.codes and self.actions[slug].action == ADD_UNDER:
            return f"'{self.other.label(slug)}' (new)"
        found = self.ours.resolve(slug)
        return f"'{self.ours.label(found)}'" if found is not None else f"'{slug}'"

    def action_text(self, slug: str) -> str:
        """The action now, in words: → 'Label' (slug) here, add under 'Label', at the top level, skip."""
        action = self.actions[slug]
        if action.action == SKIP:
            return "skip"
        if action.action == MAP_TO:
            target = action.target or slug
            found = self.ours.resolve(target)
            here = "" if found is None else " here" if found == slug else f" ({found}) here"
            return f"→ {self._name(target)}{here}"
        return "add at the top level" if action.target is None else f"add under {self._name(action.target)}"

    def proposal_text(self, slug: str) -> str:
        proposal = self.proposals[slug]
        if proposal.score is not None:
            return f"similar {proposal.score:g}"
        return _KINDS[proposal.kind]
