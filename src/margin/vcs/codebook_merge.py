"""Merging another code tree into this project's: proposals, the mapping file, and applying it.

OTHER is another codebook (a branch of this project, another project's codebook.yaml, a REFI-QDA .qdc
read by margin.io). Every code of OTHER gets a proposal — ``same`` slug, ``same-label``, ``similar``
label (a fuzzy match, with its score) or ``new`` (added under its parent's counterpart) — which the user
may edit as a YAML mapping of actions (``map-to: SLUG``, ``add-under: PARENT``, ``skip``). Applying makes
one commit; for a branch that commit is the merge of the branch, so its transcripts arrive already
recoded to the merged tree.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from margin.core.codebook import Code, Codebook, did_you_mean, position
from margin.core.errors import FormatError, MarginError, OperationError
from margin.vcs.gitcmd import check, merging, opened, refuse_stopped_operation, run, unmerged
from margin.vcs.repo import GitError

SIMILAR = 85.0
"""Default score (0–100) from which a label counts as similar."""
SAME, SAME_LABEL, SIMILAR_KIND, NEW = "same", "same-label", "similar", "new"
MAP_TO, ADD_UNDER, SKIP = "map-to", "add-under", "skip"
_COPIED = ("description", "definition", "include", "exclude", "example", "color", "memo")


@dataclass(frozen=True)
class Proposal:
    """What Margin proposes for one code of OTHER."""

    slug: str
    label: str
    kind: str
    """same | same-label | similar | new"""
    target: str | None
    """This project's code it matches (same, same-label, similar), or the parent it goes under (new;
    None: the top level)."""
    score: float | None = None

    def action(self) -> Action:
        if self.kind == NEW:
            return Action(self.slug, ADD_UNDER, self.target)
        return Action(self.slug, MAP_TO, self.target)


@dataclass(frozen=True)
class Action:
    """What to do with one code of OTHER: map it to a code here, add it under a parent, or skip it."""

    slug: str
    action: str
    target: str | None = None
    line: int = field(default=0, compare=False)


# --- proposals --------------------------------------------------------------------------------------
def _norm(label: str) -> str:
    return " ".join(label.casefold().split())


def propose(ours: Codebook, other: Codebook, threshold: float = SIMILAR) -> list[Proposal]:
    """A proposal for every code of ``other``, in its tree order."""
    from rapidfuzz import fuzz, process, utils

    by_label: dict[str, str] = {}
    for slug, code in ours.codes.items():
        by_label.setdefault(_norm(code.label), slug)
    choices = {slug: code.label for slug, code in ours.codes.items()}
    found: dict[str, Proposal] = {}
    for slug, code in other.codes.items():
        here = ours.resolve(slug)
        if here is not None:
            found[slug] = Proposal(slug, code.label, SAME, here)
            continue
        same_label = by_label.get(_norm(code.label))
        if same_label is not None:
            found[slug] = Proposal(slug, code.label, SAME_LABEL, same_label)
            continue
        best = process.extractOne(
            code.label, choices, scorer=fuzz.token_sort_ratio, processor=utils.default_process
        )
        if best is not None and best[1] >= threshold:
            found[slug] = Proposal(slug, code.label, SIMILAR_KIND, best[2], round(best[1], 1))
            continue
        found[slug] = Proposal(slug, code.label, NEW, None)
    for slug, proposal in found.items():  # parents come first in tree order
        if proposal.kind == NEW:
            parent = other.codes[slug].parent
            under = (
                None if parent is None else (found[parent].target if found[parent].kind != NEW else parent)
            )
            found[slug] = Proposal(slug, proposal.label, NEW, under)
    return list(found.values())


# --- the mapping file -------------------------------------------------------------------------------
def _comment(text: str) -> str:
    return " ".join(text.split())


def describe(proposal: Proposal, ours: Codebook) -> str:
    """The proposal in words, as the table and the mapping file show it."""
    if proposal.kind == NEW:
        target = proposal.target
        where = f"'{ours.label(target)}'" if target is not None and target in ours.codes else target
        return f"new, under {where}" if proposal.target else "new, at the top level"
    target = ours.label(proposal.target) if proposal.target else "?"
    score = f" ({proposal.score:g})" if proposal.score is not None else ""
    return {SAME: "same slug", SAME_LABEL: "same label as", SIMILAR_KIND: f"similar{score} to"}[
        proposal.kind
    ] + ("" if proposal.kind == SAME else f" '{target}'")


def mapping_text(
    proposals: Sequence[Proposal], ours: Codebook, source: str, actions: Sequence[Action] = ()
) -> str:
    """The proposals as a YAML mapping file for the user to edit; ``actions`` (as edited in the app)
    replace the proposed ones of their codes."""
    chosen = {a.slug: a for a in actions}
    lines = [
        f"# How the codes of {_comment(source)} join this project's code tree. For each code, one action:",
        "#   map-to: SLUG      it becomes this project's code SLUG (its codings too)",
        "#   add-under: SLUG   it is added as a new code under SLUG (null: at the top level)",
        "#   skip              it is left out (only for a code that no transcript uses)",
        f"# then: margin codebook merge {_comment(source)} --mapping THIS-FILE --apply",
        "codes:",
    ]
    for p in proposals:
        lines.append(f"  {p.slug}:  # '{_comment(p.label)}': {_comment(describe(p, ours))}")
        action = chosen.get(p.slug) or p.action()
        if action.action == SKIP:
            lines.append(f"    {SKIP}")
        else:
            lines.append(f"    {action.action}: {action.target if action.target else 'null'}")
    return "\n".join(lines) + "\n"


def read_mapping(text: str, path: str, ours: Codebook, other: Codebook) -> list[Action]:
    """Read an edited mapping file and check it against both trees; FormatError at the first problem."""
    from margin.core.yamlio import load_round_trip

    data = load_round_trip(text, path)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise FormatError(
            "a mapping file has 'codes:' with one entry per code of the other tree — make a fresh one with "
            "`margin codebook merge OTHER --mapping FILE`",
            path=path,
            line=1,
            column=1,
        )
    codes = data["codes"]
    actions: list[Action] = []
    for slug, value in codes.items():
        line, column = position(codes, slug)
        if str(slug) not in other.codes:
            raise FormatError(
                f"'{slug}' is not a code of the other tree{did_you_mean(str(slug), other.codes)}",
                path=path,
                line=line,
                column=column,
            )
        actions.append(_read_action(str(slug), value, codes, path))
    missing = [s for s in other.codes if s not in codes]
    if missing:
        raise FormatError(
            f"the mapping says nothing about {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''} — "
            "give each code of the other tree an action (or make a fresh file without --apply)",
            path=path,
            line=position(data, "codes")[0],
            column=1,
        )
    order = {slug: i for i, slug in enumerate(other.codes)}
    actions.sort(key=lambda a: order[a.slug])
    check_actions(actions, ours, other, path)
    return actions


def _read_action(slug: str, value: Any, codes: Any, path: str) -> Action:
    line, column = position(codes, slug, value=True)
    if value == SKIP or (isinstance(value, dict) and list(value) == [SKIP]):
        return Action(slug, SKIP, None, line)
    if isinstance(value, dict) and len(value) == 1:
        ((key, target),) = value.items()
        if key in (MAP_TO, ADD_UNDER) and (target is None or isinstance(target, str)):
            if key == MAP_TO and not target:
                raise FormatError("'map-to' needs the slug of a code", path=path, line=line, column=column)
            return Action(slug, str(key), target or None, line)
    raise FormatError(
        "write one action: 'map-to: SLUG', 'add-under: SLUG' (or null for the top level) or 'skip'",
        path=path,
        line=line,
        column=column,
    )


def check_actions(actions: Sequence[Action], ours: Codebook, other: Codebook, path: str = "") -> None:
    """Every target exists, and new codes do not end up under themselves."""
    by_slug = {a.slug: a for a in actions}

    def fail(action: Action, message: str) -> MarginError:
        return FormatError(message, path=path, line=action.line) if path else OperationError(message)

    for action in actions:  # a target names a code of the other tree if it has one, else one here
        if action.action == SKIP or action.target is None:
            continue
        other_target = by_slug.get(action.target)
        if other_target is None:
            if ours.resolve(action.target) is None:
                raise fail(
                    action,
                    f"'{action.slug}': '{action.target}' is neither a code of this project nor of the other "
                    "tree" + did_you_mean(action.target, [*ours.codes, *other.codes]),
                )
            continue
        if other_target.action == SKIP:
            raise fail(action, f"'{action.slug}': '{action.target}' is skipped, so nothing can go there")
        chained = other_target.action == MAP_TO and other_target.target not in (None, other_target.slug)
        if chained and action.action == MAP_TO:
            raise fail(
                action, f"'{action.slug}': map it to '{other_target.target}', where '{action.target}' goes"
            )
    for action in actions:
        seen = {action.slug}
        step = action
        while (
            step.action == ADD_UNDER and step.target in by_slug and by_slug[step.target].action == ADD_UNDER
        ):
            step = by_slug[step.target]
            if step.slug in seen:
                raise fail(
                    action, f"'{action.slug}' would end up inside itself (the parents go round in a circle)"
                )
            seen.add(step.slug)


# --- applying ---------------------------------------------------------------------------------------
def _code_fields(code: Code) -> dict[str, Any]:
    fields: dict[str, Any] = {f: getattr(code, f) for f in _COPIED if getattr(code, f) is not None}
    if not code.codable:
        fields["codable"] = False
    return fields


class _Placement:
    """Where each code of OTHER lands in the merged tree, filled in as the actions are applied."""

    def __init__(self, project: Any, actions: dict[str, Action]) -> None:
        self.project = project
        self.actions = actions
        self.added: dict[str, str] = {}

    def slug(self, name: str | None) -> str | None:
        """The slug here that ``name`` (a code of OTHER, or of this project) stands for."""
        if name is None:
            return None
        action = self.actions.get(name)
        if action is not None and action.action == ADD_UNDER:
            return self.added.get(name)
        if action is not None and action.action == MAP_TO and action.target != name:
            return self.slug(action.target)
        found = self.project.codebook.resolve(name)
        return None if found is None else str(found)


def apply_actions(
    project: Any, other: Codebook, actions: Sequence[Action], *, shared: bool, known: Set[str] = frozenset()
) -> tuple[list[str], set[str]]:
    """Change ``project`` (codebook and transcripts) by the actions; returns lines saying what was done
    and the documents rewritten. ``shared``: OTHER's history was merged into the project (a branch), so a
    code of OTHER found here under its slug is the same code — it is moved, merged or removed rather than
    added, and its codings are recoded; ``known`` holds the slugs this tree had before that merge, so a code
    that arrived with the branch is reported as added."""
    from margin.core import operations as ops

    by_slug = {a.slug: a for a in actions}
    place = _Placement(project, by_slug)
    here = project.codebook
    lines: list[str] = []
    documents: set[str] = set()
    if shared:
        for action in actions:
            if action.action == SKIP and here.resolve(action.slug) == action.slug:
                used, where = ops.code_usage(project, action.slug)
                if used:
                    raise OperationError(
                        f"'{action.slug}' is used by {used} coding(s) in {where} document(s), so it cannot "
                        "be skipped — map it to a code of this project, or add it"
                    )
    pending = [a for a in actions if a.action == ADD_UNDER]
    while pending:  # parents before their children
        ready = [
            a
            for a in pending
            if a.target is None
            or by_slug.get(a.target) is None
            or by_slug[a.target].action != ADD_UNDER
            or a.target in place.added
        ]
        for action in ready:
            code = other.codes[action.slug]
            parent = place.slug(action.target)
            present = project.codebook.resolve(action.slug) == action.slug
            under = f"under {parent}" if parent else "at the top level"
            if shared and present:
                moved = project.codebook.code(action.slug).parent != parent
                if moved:
                    ops.move_code(project, action.slug, parent)
                if action.slug not in known:
                    lines.append(f"{action.slug} '{code.label}': added {under}")
                elif moved:
                    lines.append(f"{action.slug} '{code.label}': moved {under}")
                place.added[action.slug] = action.slug
                continue
            slug = (
                project.codebook.free_slug(code.label)
                if project.codebook.resolve(action.slug)
                else action.slug
            )
            ops.add_code(project, slug, code.label, parent=parent, **_code_fields(code))
            place.added[action.slug] = slug
            lines.append(
                f"{action.slug} '{code.label}': added{f' as {slug}' if slug != action.slug else ''} {under}"
            )
        if not ready:
            raise OperationError("the new codes' parents go round in a circle — check the add-under actions")
        pending = [a for a in pending if a not in ready]
    for action in actions:
        label = other.codes[action.slug].label
        if action.action == SKIP:
            if shared and project.codebook.resolve(action.slug) == action.slug:
                ops.delete_code(project, action.slug)
            lines.append(f"{action.slug} '{label}': skipped")
            continue
        if action.action != MAP_TO:
            continue
        target = place.slug(action.target)
        present = project.codebook.resolve(action.slug)
        if target is None or target == action.slug or (present == target):
            continue
        if present is None or not shared:
            if not ops.code_usage(project, action.slug)[0] or present is not None:
                lines.append(f"{action.slug} '{label}': mapped to {target}")
                continue
            ops.add_code(project, action.slug, label, parent=project.codebook.code(target).parent)
        change = ops.merge_codes(project, action.slug, target)
        documents.update(change.documents)
        codings = sum(
            sum(action.slug in c.codes for c in before.codings) for before, _ in change.documents.values()
        )
        recoded = f" ({codings} coding(s) in {len(change.documents)} document(s) recoded)" if codings else ""
        lines.append(f"{action.slug} '{label}': merged into {target}{recoded}")
    return lines, documents


# --- OTHER as a revision, and the one commit --------------------------------------------------------
def codebook_at(root: Path, revision: str) -> Codebook | None:
    """codebook.yaml as it is in ``revision`` (a branch such as qual2 or origin/qual2, a tag, a commit);
    None when ``revision`` names nothing in this repository."""

    if revision.startswith("-"):
        return None
    with opened(root) as repo:
        status, _, _ = run(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        if status != 0:
            return None
        status, out, _ = run(repo, "show", f"{revision}:codebook.yaml")
    if status != 0:
        raise GitError(f"'{revision}' has no codebook.yaml — is it a branch of this project?")
    return Codebook.parse(out + "\n", f"{revision}:codebook.yaml")


def branches(root: Path) -> list[str]:
    """The branches OTHER may name: local, then remote-tracking ones, but the one checked out."""
    from margin.vcs.repo import run_git

    if not (root / ".git").exists():
        return []
    _, current, _ = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    status, out, _ = run_git(
        root, "for-each-ref", "--format=%(refname:short)%00%(symref)", "refs/heads", "refs/remotes"
    )
    if status != 0:
        return []
    found = (line.split("\0") for line in out.splitlines())
    return [name for name, symref in found if not symref and name != current.strip()]


@dataclass
class Outcome:
    commit: str | None
    """The commit made (None: nothing needed changing)."""
    lines: list[str]
    documents: list[str]


def _message(source: str, lines: list[str], same: int, documents: set[str]) -> str:
    body = [*lines]
    if same:
        body.append(f"{same} code(s) of {source} were in this tree already")
    if documents:
        body.append(f"transcripts recoded: {len(documents)}")
    return f"Merge the code tree of {source}\n\n" + "\n".join(f"- {line}" for line in body) + "\n"


def merge_code_tree(
    root: Path, other: Codebook, actions: Sequence[Action], *, source: str, revision: str | None = None
) -> Outcome:
    """Apply the actions in one commit. With ``revision`` (a branch of this project) that commit merges
    the branch: its transcripts come in and are recoded to the merged tree. Needs no uncommitted changes;
    on any failure the project is left as it was. The caller holds the project lock (the command, or the
    app for its lifetime)."""
    from margin.core.project import Project
    from margin.vcs.sync import ensure_drivers

    with opened(root) as repo:
        refuse_stopped_operation(repo)
        _, dirty, _ = run(repo, "status", "--porcelain", "--untracked-files=no")
        if dirty.strip():
            raise GitError(
                "the project has changes not yet committed — commit them (or run `margin sync`) before merging "
                "a code tree, so that the merge is one commit of its own"
            )
        if merging(repo):
            raise GitError("a merge is in progress — finish it (`margin resolve`, then `margin sync`) first")
    here = Project.load(root).codebook
    known = {*here.codes, *here.aliases}
    if revision is not None:
        ensure_drivers(root)
    with opened(root) as repo:
        try:
            if revision is not None:
                status, out, err = run(repo, "merge", "--no-commit", "--no-ff", "--no-verify", revision)
                if status != 0:
                    conflicted = unmerged(repo)
                    detail = f" in {', '.join(conflicted)}" if conflicted else f": {(out + err).strip()}"
                    raise GitError(
                        f"merging {revision} conflicts{detail} — merge the branch first (`git merge "
                        f"{revision}`, then `margin resolve`), then run the codebook merge again"
                    )
            project = Project.load(root)
            lines, documents = apply_actions(
                project, other, actions, shared=revision is not None, known=known
            )
            check(repo, "add", "--update", "--", ".", what="git add")
            staged = run(repo, "diff", "--cached", "--quiet")[0] != 0
            if not staged and not merging(repo):
                return Outcome(None, lines, [])
            same = sum(1 for a in actions if a.action == MAP_TO and a.target == a.slug)
            check(
                repo,
                "commit",
                "--no-verify",
                "--allow-empty",
                "-m",
                _message(source, lines, same, documents),
                what="cannot commit the merged code tree",
            )
        except BaseException:
            run(repo, "reset", "--hard", "--quiet", "HEAD")
            raise
        commit = check(repo, "rev-parse", "HEAD", what="git rev-parse").strip()
    return Outcome(commit, lines, sorted(documents))
