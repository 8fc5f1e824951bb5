"""Remotes, clone and sync: commit what is open, fetch, merge here with Margin's drivers, check, push.

A hosting site's web merge never runs Margin's merge drivers, so a sync always merges locally: the
remote branch is fetched and merged into the current branch with the drivers registered, the merge is
committed with Margin's message (``merge_record``) once what git cannot see across files is settled
(``kept_codes``), and the project is pushed only if it passes `margin check`. When someone pushed in the
meantime the push is refused; the sync fetches and merges again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from margin.vcs import premerge
from margin.vcs.gitcmd import check, local_error, merging, opened, refuse_stopped_operation, run, unmerged
from margin.vcs.network import (
    DEFAULT_TIMEOUT,
    Progress,
    RemoteError,
    check_url,
    git_said,
    run_network,
)
from margin.vcs.repo import GitError

MAX_ATTEMPTS = 5
"""Pushes tried before giving up when others keep pushing first."""
MAX_PROBLEMS = 20
"""Problems of a refused sync listed in its message (`margin check` lists them all)."""

_REJECTED = ("[rejected]", "(fetch first)", "(non-fast-forward)", "non-fast-forward")


class MergeConflicts(GitError):
    """The merge stopped on conflicts; ``conflicts`` lists them, one readable line each, and ``notes``
    what the merge decided meanwhile (codings whose words the other side deleted)."""

    def __init__(self, conflicts: list[str], headline: str, notes: list[str] | None = None) -> None:
        self.conflicts = conflicts
        self.notes = notes or []
        listing = "\n".join(f"  {line}" for line in conflicts)
        super().__init__(f"{headline}:\n{listing}\nrun `margin resolve`, then `margin sync` again")


class ProjectProblems(GitError):
    """The project fails `margin check`, so the sync sent nothing; ``problems`` lists them (file:line:column)
    and ``result`` what the sync did before it stopped (a merge it made stays committed here)."""

    def __init__(self, problems: list[str], result: SyncResult) -> None:
        self.problems = problems
        self.result = result
        listing = "\n".join(f"  {line}" for line in problems[:MAX_PROBLEMS])
        more = f"\n  and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        merged = (
            f" (the merge of {result.remote}/{result.branch} is committed here, and goes with your fix)"
            if result.merged
            else ""
        )
        super().__init__(
            f"the project fails `margin check`, so nothing was sent to {result.remote}:\n{listing}{more}\n"
            f"fix {'it' if len(problems) == 1 else 'them'}{merged}, then run `margin sync` again"
        )


@dataclass
class SyncResult:
    """What one sync did."""

    remote: str
    branch: str
    committed: str | None = None
    """The summary of the commit made first from changes not yet committed, if any."""
    merged: int = 0
    """Commits that came in from the remote."""
    pushed: int = 0
    """Commits sent to the remote."""
    attempts: int = 0
    """Pushes tried; more than one when someone pushed meanwhile."""
    changed: list[str] = field(default_factory=list)
    """Files here that the merge changed (relative to the project)."""
    notes: list[str] = field(default_factory=list)
    """Things the user should know (drivers re-registered, a commit made from loose changes)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "branch": self.branch,
            "committed": self.committed,
            "merged": self.merged,
            "pushed": self.pushed,
            "attempts": self.attempts,
            "changed": self.changed,
            "notes": self.notes,
        }


@dataclass
class CloneResult:
    path: Path
    problems: list[str] = field(default_factory=list)
    """What `margin check` finds in the cloned project."""
    notes: list[str] = field(default_factory=list)


def _current_branch(repo: Any) -> str:
    status, out, _ = run(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    if status != 0:
        raise GitError(
            "this project is not on a branch (a detached HEAD) — switch to your branch with "
            "`git switch main` (or the branch you work on), then sync"
        )
    return out.strip()


def _config(repo: Any, key: str) -> str | None:
    status, out, _ = run(repo, "config", "--get", key)
    return out.strip() if status == 0 and out.strip() else None


def _has_commit(repo: Any, rev: str) -> bool:
    return run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")[0] == 0


def _count(repo: Any, left: str, right: str) -> tuple[int, int]:
    """Commits in ``left`` not in ``right``, and the other way round."""
    out = check(repo, "rev-list", "--left-right", "--count", f"{left}...{right}", what="git rev-list")
    ahead, behind = out.split()
    return int(ahead), int(behind)


# --- remotes ----------------------------------------------------------------------------------------
def remotes(root: Path) -> list[tuple[str, str]]:
    """(name, URL) of every remote of the project."""
    with opened(root) as repo:
        return [(r.name, next(iter(r.urls), "")) for r in repo.remotes]


def add_remote(root: Path, name: str, url: str) -> None:
    check_url(url)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise GitError(f"'{name}' cannot name a remote — use letters, digits, '.', '_' and '-' (e.g. origin)")
    with opened(root) as repo:
        if name in [r.name for r in repo.remotes]:
            url_now = next(iter(repo.remote(name).urls), "")
            raise GitError(
                f"the project has a remote '{name}' already ({url_now}) — remove it first with "
                f"`margin remote remove {name}`, or choose another name"
            )
        check(repo, "remote", "add", "--", name, url, what=f"cannot add the remote '{name}'")


def remove_remote(root: Path, name: str) -> None:
    with opened(root) as repo:
        names = [r.name for r in repo.remotes]
        if name not in names:
            known = f" (it has {', '.join(names)})" if names else " (it has none)"
            raise GitError(f"the project has no remote '{name}'{known}")
        check(repo, "remote", "remove", "--", name, what=f"cannot remove the remote '{name}'")


def _default_remote(repo: Any, branch: str) -> str:
    configured = _config(repo, f"branch.{branch}.remote")
    names = [r.name for r in repo.remotes]
    if configured in names:
        return str(configured)
    if "origin" in names:
        return "origin"
    if len(names) == 1:
        return str(names[0])
    if not names:
        raise GitError(
            "this project has no remote to sync with — add the team's shared repository with "
            "`margin remote add origin URL`, then run `margin sync` again"
        )
    raise GitError(f"this project has several remotes ({', '.join(names)}) — name one: `margin sync NAME`")


def _default_branch(repo: Any, local: str, remote: str) -> str:
    if _config(repo, f"branch.{local}.remote") == remote:
        merge = _config(repo, f"branch.{local}.merge") or ""
        if merge.startswith("refs/heads/"):
            return merge.removeprefix("refs/heads/")
    return local


def ahead_behind(root: Path) -> tuple[int, int] | None:
    """(commits here not on the remote, commits on the remote not here) as of the last fetch; None when
    the current branch has no remote branch to compare with. Never touches the network."""
    try:
        with opened(root) as repo:
            status, out, _ = run(repo, "rev-list", "--left-right", "--count", "HEAD...@{upstream}")
    except GitError:
        return None
    if status != 0:
        return None
    ahead, behind = out.split()
    return int(ahead), int(behind)


# --- drivers, pending changes -----------------------------------------------------------------------
def ensure_drivers(root: Path) -> list[str]:
    """Register Margin's merge drivers here if git does not know them (git config is not cloned);
    returns what was wrong, for the user to read."""
    from margin.vcs import drivers

    return drivers.repair(root)


def _commit_driver_files(repo: Any) -> None:
    """Commit the drivers' committed files if restoring the drivers changed them (a teammate's plain git
    removed them, say), so that everyone's clone routes files to the drivers again."""
    files = ("--", ".gitattributes", ".margin/gitconfig")
    if run(repo, "status", "--porcelain", *files)[1].strip():
        check(repo, "add", *files, what="git add")
        check(
            repo,
            "commit",
            "--no-verify",
            "-m",
            "Restore Margin's merge driver settings",
            *files,
            what="git commit",
        )


def commit_pending(root: Path) -> str | None:
    """Commit changes to project files not yet in a commit (a session that was not ended, edits by hand)
    as a coding session; returns its subject, or None when there was nothing to commit."""
    from margin.vcs.changes import ProjectRepo
    from margin.vcs.session import Session

    session = Session(root)
    with ProjectRepo(session.root) as repo:
        session.paths.update(repo.changed_on_disk())
    done = session.commit()
    return done.subject if done is not None else None


# --- conflicts --------------------------------------------------------------------------------------
def describe_conflicts(root: Path, paths: list[str]) -> list[str]:
    """One line per conflict: the file and line, and the paragraph (a transcript) or the codes (the
    codebook) that both sides changed, with both versions' beginnings."""
    from margin.vcs.conflicts import list_conflicts

    lines = []
    for c in list_conflicts(root, paths):
        place = f"{c.path}:{c.line}" if c.line else c.path
        here, there = _where_they_differ(c.ours, c.theirs)
        versions = f" ('{here}' here, '{there}' there)" if c.ours or c.theirs else ""
        lines.append(f"{place}: {c.where}{versions}")
    return lines


_MARKUP = re.compile(r"\\(.)|\}(?:@[a-z0-9]+)?\[[^\]]*\]|\{@[a-z0-9]+ ?|\{")


def _plain(lines: tuple[str, ...]) -> str:
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", " ".join(lines)).split())


def _where_they_differ(ours: tuple[str, ...], theirs: tuple[str, ...], width: int = 40) -> tuple[str, str]:
    """Both versions' plain text from a little before their first difference, ``width`` characters."""
    a, b = _plain(ours), _plain(theirs)
    same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = a.rfind(" ", 0, max(same - 12, 0)) + 1 if same > 12 else 0

    def cut(text: str) -> str:
        part = ("…" if start else "") + text[start : start + width]
        return part + ("…" if len(text) > start + width else "")

    return cut(a), cut(b)


def _finish_merge(repo: Any, root: Path) -> list[str] | None:
    """Conclude a merge that stopped on conflicts, once they are resolved; what concluding it decided, or
    None when no merge was under way."""
    if not merging(repo):
        return None
    from margin.vcs.conflicts import conflicted_paths

    conflicted = conflicted_paths(root)
    if conflicted:
        found = describe_conflicts(root, conflicted)
        raise MergeConflicts(found, f"the merge of the last sync still has {len(found)} conflict(s)")
    resolved = unmerged(repo)  # resolved by hand but not added yet; work done since stays out of the merge
    if resolved:
        check(repo, "add", "--", *resolved, what="git add")
    return _commit_merge(repo, root)


def _commit_merge(repo: Any, root: Path) -> list[str]:
    """Commit the merge under way (every file merged and staged) with Margin's message, after keeping the
    codes one side deleted and the other applied meanwhile; returns what that decided."""
    from margin.vcs import merge_record
    from margin.vcs.kept_codes import keep_used_codes

    record = merge_record.load(root)
    assert record is not None  # a merge is in progress
    kept = keep_used_codes(root, record.source or "the other side")
    record.decisions += kept
    message = merge_record.save(root, record)
    check(
        repo,
        "commit",
        "--no-verify",
        "--cleanup=verbatim",
        "-F",
        str(message),
        what="cannot conclude the merge",
    )
    merge_record.discard(root)
    return kept


# --- sync -------------------------------------------------------------------------------------------
def _say(progress: Progress | None, stage: str) -> None:
    if progress is not None:
        progress(stage, None)


def _url(root: Path, remote: str) -> str:
    for name, url in remotes(root):
        if name == remote:
            return url
    raise GitError(f"the project has no remote '{remote}' — `margin remote list` shows its remotes")


def fetch(
    root: Path, remote: str, progress: Progress | None = None, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Update the remote-tracking branches of ``remote``."""
    url = _url(root, remote)
    _say(progress, f"fetching from {remote}")
    status, output = run_network(
        ["fetch", "--progress", "--prune", "--no-recurse-submodules", remote],
        root,
        remote=f"the remote '{remote}' ({url})",
        url=url,
        progress=progress,
        timeout=timeout,
    )
    if status != 0:
        raise RemoteError(f"cannot fetch from '{remote}': {git_said(output)}")


def _merge(repo: Any, root: Path, tracking: str, label: str) -> tuple[int, list[str], list[str]]:
    """Merge ``tracking`` into the current branch and commit it with Margin's message; (commits merged in,
    files changed, what the merge decided: codings whose words the other side deleted, codes kept)."""
    if not _has_commit(repo, tracking):
        return 0, [], []
    _, behind = _count(repo, "HEAD", tracking)
    if behind == 0:
        return 0, [], []
    before = check(repo, "rev-parse", "HEAD", what="git rev-parse")
    merge = ["merge", "--no-commit", "--no-edit", "--no-verify", tracking]
    status, out, err = 1, "", ""
    prepared = premerge.prepare(repo, root, "HEAD", tracking)
    if prepared is not None:
        try:
            status, out, err = run(repo, *premerge.overrides(prepared), *merge)
        finally:
            premerge.discard(prepared)
        if status != 0 and merging(repo):
            run(repo, "merge", "--abort")
    if status != 0:
        status, out, err = run(repo, *merge)
    said = [
        line.removeprefix("margin: ")
        for line in (out + "\n" + err).splitlines()
        if line.startswith("margin: ") and "run `margin resolve`" not in line
    ]
    conflicted = unmerged(repo) if status != 0 else []
    if status != 0 and not conflicted:
        raise local_error(f"cannot merge {label}", out + "\n" + err)
    if merging(repo):
        from margin.vcs import merge_record

        head = check(repo, "rev-parse", "MERGE_HEAD", what="git rev-parse").strip()
        record = merge_record.MergeRecord(
            head, f"Sync with {label}", label, _what_came(repo, tracking, behind, label), said
        )
        if conflicted:
            record.conflicts = describe_conflicts(root, conflicted)
            merge_record.save(root, record)
            raise MergeConflicts(
                record.conflicts,
                f"merging {label} stopped on {len(record.conflicts)} conflict(s) — both sides changed the same "
                "words",
                said,
            )
        merge_record.save(root, record)
        said += _commit_merge(repo, root)
    changed = check(repo, "diff", "--name-only", "-z", before, "HEAD", what="git diff")
    return behind, [f for f in changed.split("\0") if f], said


def _what_came(repo: Any, tracking: str, commits: int, label: str) -> str:
    """'2 commits from origin/main (Rosa, Malik)'."""
    out = check(repo, "log", "--format=%an", f"HEAD..{tracking}", what="git log")
    authors = ", ".join(dict.fromkeys(line for line in out.splitlines() if line))
    return f"{commits} commit{'s' if commits != 1 else ''} from {label}" + (
        f" ({authors})" if authors else ""
    )


def project_problems(root: Path) -> list[str]:
    """What `margin check` finds in the project (file:line:column and what to do), empty when it passes."""
    from margin.core.check import check_project
    from margin.core.errors import FormatError
    from margin.core.project import Project

    try:
        return [str(p) for p in check_project(Project.load(root))]
    except FormatError as exc:
        return [str(exc)]


def _push(
    root: Path, remote: str, branch: str, set_upstream: bool, progress: Progress | None, timeout: float
) -> bool:
    """Push HEAD to ``remote``'s ``branch``; False when refused because the remote moved on."""
    _say(progress, f"pushing to {remote}")
    args = ["push", "--progress", "--porcelain", "--no-verify"]
    if set_upstream:
        args.append("--set-upstream")
    url = _url(root, remote)
    status, output = run_network(
        [*args, remote, f"HEAD:refs/heads/{branch}"],
        root,
        remote=f"the remote '{remote}' ({url})",
        url=url,
        progress=progress,
        timeout=timeout,
    )
    if status == 0:
        return True
    if "[remote rejected]" in output:
        raise RemoteError(f"the remote '{remote}' refused the push ({git_said(output)})")
    if any(marker in output for marker in _REJECTED):
        return False
    if "refusing to update checked out branch" in output or "branch is currently checked out" in output:
        raise RemoteError(
            f"the remote '{remote}' is someone's working copy, and git refuses to push into its checked-out "
            "branch — sync through a shared (bare) repository instead: `git init --bare` on the server"
        )
    raise RemoteError(f"cannot push to '{remote}': {git_said(output)}")


def sync(
    root: Path,
    remote: str | None = None,
    branch: str | None = None,
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SyncResult:
    """Commit what is open, fetch ``remote``, merge its ``branch`` here with the drivers, push; again if
    someone pushed meanwhile. Raises MergeConflicts (the merge is left for `margin resolve`),
    AuthFailed, RemoteUnreachable, RemoteTimeout or GitError."""
    root = Path(root)
    with opened(root) as repo:
        refuse_stopped_operation(repo)
        local = _current_branch(repo)
        remote = remote or _default_remote(repo, local)
        if remote not in [r.name for r in repo.remotes]:
            raise GitError(f"the project has no remote '{remote}' — `margin remote list` shows its remotes")
        branch = branch or _default_branch(repo, local, remote)
        result = SyncResult(remote, branch)
        problems = ensure_drivers(root)
        if problems:
            result.notes.append(
                "Margin's merge drivers were not registered here; they are now (" + "; ".join(problems) + ")"
            )
            _commit_driver_files(repo)
        concluded = _finish_merge(repo, root)
        if concluded is not None:
            result.notes += ["concluded the merge whose conflicts were resolved", *concluded]
    _say(progress, "committing")
    result.committed = commit_pending(root)
    if result.committed:
        result.notes.append(f"Committed your work first: {result.committed}")
    tracking = f"refs/remotes/{remote}/{branch}"
    label = f"{remote}/{branch}"
    for _ in range(MAX_ATTEMPTS):
        fetch(root, remote, progress, timeout)
        with opened(root) as repo:
            _say(progress, f"merging {label}")
            merged, changed, said = _merge(repo, root, tracking, label)
            result.notes.extend(said)
            result.merged += merged
            result.changed = sorted({*result.changed, *changed})
            if {".gitattributes", ".margin/gitconfig"} & set(changed) and ensure_drivers(root):
                _commit_driver_files(repo)  # the team's work had removed or altered them
                result.notes.append(
                    "restored Margin's merge driver settings, which the merged work had changed"
                )
            if not _has_commit(repo, "HEAD"):
                return result
            ahead = _count(repo, "HEAD", tracking)[0] if _has_commit(repo, tracking) else -1
            set_upstream = _config(repo, f"branch.{local}.remote") is None
        if ahead == 0:
            return result
        problems = project_problems(root)
        if problems:
            raise ProjectProblems(problems, result)
        result.attempts += 1
        if _push(root, remote, branch, set_upstream, progress, timeout):
            result.pushed = ahead if ahead > 0 else _count_commits(root)
            return result
        _say(progress, f"{label} moved on meanwhile; merging again")
    raise RemoteError(
        f"others kept pushing to {label} while Margin merged ({MAX_ATTEMPTS} tries) — run `margin sync` again"
    )


def _count_commits(root: Path) -> int:
    with opened(root) as repo:
        return int(check(repo, "rev-list", "--count", "HEAD", what="git rev-list").strip())


# --- clone ------------------------------------------------------------------------------------------
def clone_directory(url: str) -> str:
    """The directory name git would choose for a clone of ``url``."""
    name = re.sub(r"(\.git)?/*$", "", url.rstrip("/"))
    name = re.split(r"[/:\\]", name)[-1]
    return name or "project"


def _check_out_a_branch(root: Path) -> None:
    """Check out the clone (made without a checkout, so that Margin's attributes came first): its HEAD, or,
    where a shared repository made with a plain `git init --bare` names a default branch that nobody
    pushed, its main branch (or its only one)."""
    with opened(root) as repo:
        if _has_commit(repo, "HEAD"):
            check(repo, "reset", "--quiet", "--hard", "HEAD", what="cannot check out the project")
            return
        out = check(repo, "for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/origin/", what="git")
        branches = [b for b in out.split() if b != "HEAD"]
        chosen = next(
            (b for b in ("main", "master") if b in branches), branches[0] if len(branches) == 1 else None
        )
        if chosen is not None:
            unborn = run(repo, "symbolic-ref", "--short", "HEAD")[1].strip()
            check(repo, "checkout", "--track", f"origin/{chosen}", what="cannot check out the project")
            if unborn and unborn != chosen:  # git configured the branch it could not check out
                run(repo, "config", "--remove-section", f"branch.{unborn}")


def clone(
    url: str, dest: Path | None = None, *, progress: Progress | None = None, timeout: float = DEFAULT_TIMEOUT
) -> CloneResult:
    """Clone a project, register Margin's merge drivers in it and check its files."""
    check_url(url)
    target = Path(dest) if dest is not None else Path.cwd() / clone_directory(url)
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GitError(f"{target} exists and is not empty — name a new directory: `margin clone URL DIR`")
    _say(progress, f"cloning {url}")
    status, output = run_network(
        ["clone", "--progress", "--no-checkout", "--no-recurse-submodules", "--", url, str(target)],
        target.parent if target.parent.is_dir() else Path.cwd(),
        remote=url,
        url=url,
        progress=progress,
        timeout=timeout,
    )
    if status != 0:
        raise RemoteError(f"cannot clone {url}: {git_said(output)}")
    result = CloneResult(target)
    from margin.vcs import drivers

    drivers.protect(target)  # before the checkout: a committed 'eol=crlf' must not touch Margin's files
    _check_out_a_branch(target)
    if not (target / "margin.yaml").is_file():
        raise GitError(
            f"cloned {url} into {target}, but it holds no Margin project (no margin.yaml) — "
            "check the address, or make a project there with `margin init`"
        )
    problems = ensure_drivers(target)
    if problems:
        result.notes.append("registered Margin's merge drivers (git does not clone them)")
    result.notes.extend(drivers.conflicting_attributes(target))
    from margin.core.check import check_project
    from margin.core.errors import FormatError
    from margin.core.project import Project

    try:
        result.problems = [str(p) for p in check_project(Project.load(target))]
    except FormatError as exc:
        result.problems = [str(exc)]
    return result
