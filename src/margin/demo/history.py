"""The demo study's history, replayed with Margin's own operations, sessions, syncs and merges.

Two coders, each in a clone of a shared repository, import and code the study from 2021 to 2023: a blind
calibration round on two branches, QUAL1's coding sessions (one of them merged by a sync with the other's),
QUAL2 coded inductively on a branch of its own, the merge of its code tree into QUAL1's, the recoding of
every transcript with the merged tree, the candidate themes, memos and the citation style. Identities and
dates are fixed, so the same files give the same commits. The story must end exactly in the files of
projects/peer-support; the branches are written as the bundle `margin demo` unpacks.

    python -m margin.demo.history build     # after changing projects/peer-support or Margin's formats
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from margin.core import operations as ops
from margin.core.coding import Coding
from margin.core.document import Document
from margin.core.operations import Change
from margin.core.project import Project
from margin.core.textfile import atomic_write
from margin.demo import recode, story
from margin.demo.derive import (
    Final,
    StoryError,
    blind_coding,
    first_codebook,
    first_project_memo,
    imported,
    qual1_participants,
    typo_fix,
)
from margin.demo.story import MALIK, ROSA, Person
from margin.vcs import drivers
from margin.vcs.bundle import heads, write_bundle
from margin.vcs.codebook_merge import codebook_at, mapping_text, merge_code_tree, propose, read_mapping
from margin.vcs.gitcmd import check, opened
from margin.vcs.repo import init_repository
from margin.vcs.session import Session
from margin.vcs.sync import add_remote, clone, sync

Work = Callable[[Project], Iterable[Change | str]]
"""What a coder does in a session: operations (their changes), or files written (their paths)."""

BRANCHES = ("main", story.QUAL2_BRANCH, *story.ROUND_BRANCHES.values())
EXTRA_FILES = (".gitattributes", ".margin/.gitignore", drivers.GITCONFIG)
"""Files of the repository that are not in projects/peer-support: git's and Margin's own."""
_CODE_FIELDS = ("description", "definition", "include", "exclude", "example", "color", "memo")


@contextmanager
def _own_git(home: Path) -> Iterator[None]:
    """Git as the history needs it, whatever the machine's settings: no system or user configuration (a
    signing key or a hook path would change or stop the commits); the environment is restored after."""
    saved = dict(os.environ)
    config = home / "gitconfig"
    config.write_text("[user]\n\tname = Margin\n\temail = margin@localhost\n", encoding="utf-8")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        os.environ.pop(name, None)
    os.environ.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(config)})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def session_id(person: Person, when: str) -> str:
    """The session ID Margin would have given a session that ended at ``when``, made repeatable."""
    utc = datetime.fromisoformat(when).astimezone(timezone.utc)
    return f"{utc:%Y%m%d-%H%M%S}-{hashlib.sha1((person.email + when).encode()).hexdigest()[:4]}"


class Coder:
    """One coder's clone of the project, and what they do in it."""

    def __init__(self, person: Person, root: Path) -> None:
        self.person = person
        self.root = root

    @contextmanager
    def at(self, when: str) -> Iterator[None]:
        """Git acts as this coder, at ``when`` (ISO 8601 with the offset of the time)."""
        values = {"NAME": self.person.name, "EMAIL": self.person.email, "DATE": when}
        wanted = {f"GIT_{role}_{key}": v for role in ("AUTHOR", "COMMITTER") for key, v in values.items()}
        saved = {name: os.environ.get(name) for name in wanted}
        os.environ.update(wanted)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def session(self, when: str, work: Work, *, title: str | None = None, pull: bool = True) -> None:
        """A coding session ending at ``when``, synced after (and before, unless ``pull`` is False: the
        coder started before the other's last sync, so theirs is merged in at the end)."""
        if pull:
            self.sync(when)
        with self.at(when):
            project = Project.load(self.root)
            session = Session(self.root)
            session.id = session_id(self.person, when)
            for done in work(project):
                if isinstance(done, str):
                    session.paths.add(done)
                else:
                    session.record(done)
            if session.commit(title) is None:
                raise StoryError(f"{self.person.name}'s session of {when} changed nothing")
        self.sync(when)

    def sync(self, when: str) -> None:
        with self.at(when):
            sync(self.root)

    def switch(self, branch: str, *, create: bool = False, track: bool = False) -> None:
        args = ["switch", "--quiet", *(("-c", branch) if create else (branch,))]
        if track:
            args += ["--track", f"origin/{branch}"]
        with opened(self.root) as repo:
            check(repo, *args, what=f"cannot switch to {branch}")


# --- what the coders do -------------------------------------------------------------------------------
def _half(doc: Document, codings: list[Coding], half: int | None) -> list[Coding]:
    """The codings of the first (0) or second (1) half of the transcript's paragraphs (None: all)."""
    if half is None:
        return codings
    middle = doc.paragraph_count // 2
    return [c for c in codings if (doc.paragraph_of(c.start) >= middle) == bool(half)]


def coding(final: Final, stage: str, doc_ids: Iterable[str], half: int | None = None) -> Work:
    """Code transcripts to a stage of the story: "qual1" (QUAL1's tree), "open" (QUAL2's open codes,
    made as they are needed) or "final" (the merged tree)."""
    wanted = {"qual1": final.qual1, "open": final.open_coded, "final": final.codings}[stage]

    def work(project: Project) -> Iterator[Change]:
        for doc_id in doc_ids:
            codings = _half(final.document(doc_id), wanted(doc_id), half)
            if stage == "open":
                yield from _open_codes(project, [code for c in codings for code in c.codes])
            yield from recode.code(project, doc_id, codings)

    return work


def _open_codes(project: Project, slugs: Iterable[str]) -> Iterator[Change]:
    """Make the open codes a passage needs that do not exist yet, under QUAL2's grouping code."""
    root, label = story.OPEN_ROOT
    labels = {code.slug: code.label for code in story.OPEN_CODES}
    for slug in dict.fromkeys(slugs):
        if project.codebook.resolve(slug) is None:
            if project.codebook.resolve(root) is None:
                yield ops.add_code(project, root, label, codable=False)
            yield ops.add_code(project, slug, labels[slug], parent=root)


def blind(final: Final, person: Person) -> Work:
    """The calibration round: one coder's own coding of the two calibration transcripts."""

    def work(project: Project) -> Iterator[Change]:
        for doc_id in story.CALIBRATION_DOCUMENTS:
            doc = project.document(doc_id)
            codings = blind_coding(doc, final.qual1(doc_id), project.codebook, person.clone)
            yield from recode.code(project, doc_id, codings)

    return work


def fix_typos(*doc_ids: str) -> Work:
    def work(project: Project) -> Iterator[Change]:
        for doc_id in doc_ids:
            fix = typo_fix(project.document(doc_id))
            if fix is not None:
                yield ops.edit_text(project, doc_id, *fix)

    return work


def create_code(final: Final, slug: str, *, label_only: bool = False) -> Work:
    """A code the coders added while coding, where the final tree has it (with its first fields)."""

    def work(project: Project) -> Iterator[Change]:
        code = final.project.codebook.codes[slug]
        parent = code.parent
        siblings = final.project.codebook.children(parent) if parent else final.project.codebook.roots()
        fields = {} if label_only else {**_fields(final, slug), **story.EARLY_FIELDS.get(slug, {})}
        yield ops.add_code(project, slug, code.label, parent=parent, index=siblings.index(slug), **fields)

    return work


def _fields(final: Final, slug: str) -> dict[str, object]:
    code = final.project.codebook.codes[slug]
    fields: dict[str, object] = {f: getattr(code, f) for f in _CODE_FIELDS if getattr(code, f) is not None}
    if not code.codable:
        fields["codable"] = False
    return fields


def complete_code(final: Final, *slugs: str) -> Work:
    """Give codes their final label and fields (definitions written after the code was made)."""

    def work(project: Project) -> Iterator[Change]:
        for slug in slugs:
            code = project.codebook.codes[slug]
            wanted = {"label": final.project.codebook.codes[slug].label, **_fields(final, slug)}
            changed = {k: v for k, v in wanted.items() if getattr(code, k) != v}
            if changed:
                yield ops.update_code(project, slug, **changed)

    return work


def rename(final: Final) -> Work:
    """Give the renamed codes their final slug (the old one stays an alias) and label."""

    def work(project: Project) -> Iterator[Change]:
        for slug, (old, _) in story.RENAMED.items():
            yield ops.reslug_code(project, old, slug)
            yield ops.update_code(project, slug, label=final.project.codebook.codes[slug].label)

    return work


def code_sets(final: Final) -> Work:
    def work(project: Project) -> Iterator[Change]:
        for slug, code_set in final.project.codebook.sets.items():
            yield ops.add_set(project, slug, code_set.label, code_set.codes, code_set.description)

    return work


def write(final: Final, texts: dict[str, str]) -> Work:
    """Files written by hand (memos, settings) or imported: their paths."""

    def work(project: Project) -> Iterator[str]:
        for path, text in texts.items():
            atomic_write(project.root / path, text)
            yield path

    return work


def finals(final: Final, *paths: str) -> dict[str, str]:
    return {path: final.text(path) for path in paths}


def cite_as_published(final: Final) -> Work:
    """Quotes cited as the study writes them, "(MHW, focus group, QUAL 2)": a document variable for the
    phase as written in quotes, the template that uses it, and the project memo of the write-up."""

    def work(project: Project) -> Iterator[Change | str]:
        for doc_id in project.document_ids():
            phase = story.CITATION_PHASE[doc_id.partition("/")[0]]
            yield ops.set_document_variable(project, doc_id, "citation_phase", phase)
        yield from write(final, finals(final, "margin.yaml", "memos/project.md"))(project)

    return work


# --- the story ----------------------------------------------------------------------------------------
def import_qual1(final: Final, rosa: Coder, when: str) -> None:
    """The first commit: QUAL1's transcripts uncoded, the first codebook, QUAL1's participants."""
    files = {
        "margin.yaml": story.EARLY_SETTINGS,
        "codebook.yaml": first_codebook(final.text("codebook.yaml")),
        "participants.yaml": qual1_participants(final.text("participants.yaml")),
        "memos/project.md": first_project_memo(final.text("memos/project.md")),
        ".margin/.gitignore": "cache/\nlock\n",
        **{f"documents/{d}.txt": imported(final.document(d)) for d in sorted(story.QUAL1_DOCUMENTS)},
    }
    for path, text in files.items():
        atomic_write(rosa.root / path, text)
    with rosa.at(when):
        init_repository(
            rosa.root,
            "Import the QUAL1 transcripts, the first codebook and the participants",
            drivers.install,
        )


def share(rosa: Coder, malik: Coder, remote: Path, when: str) -> None:
    """Rosa makes the team's shared repository and pushes; Malik clones it."""
    with opened(rosa.root) as repo, rosa.at(when):
        check(
            repo,
            "init",
            "--quiet",
            "--bare",
            "--initial-branch=main",
            str(remote),
            what="cannot make the shared repository",
        )
    add_remote(rosa.root, "origin", str(remote))
    rosa.sync(when)
    with malik.at(when):
        clone(str(remote), malik.root)


def merge_qual2(rosa: Coder, when: str) -> None:
    """`margin codebook merge qual2`, with the mapping file edited where the proposals were not right."""
    with rosa.at(when):
        project = Project.load(rosa.root)
        other = codebook_at(rosa.root, story.QUAL2_BRANCH)
        if other is None:
            raise StoryError(f"no branch {story.QUAL2_BRANCH} to merge")
        text = mapping_text(propose(project.codebook, other), project.codebook, story.QUAL2_BRANCH)
        edits = {code.slug: f"{code.action}: {code.target}" for code in story.OPEN_CODES}
        edits[story.OPEN_ROOT[0]] = "skip: null"
        actions = read_mapping(_edit_mapping(text, edits), "qual2-mapping.yaml", project.codebook, other)
        merge_code_tree(rosa.root, other, actions, source=story.QUAL2_BRANCH, revision=story.QUAL2_BRANCH)
    rosa.sync(when)


def _edit_mapping(text: str, edits: dict[str, str]) -> str:
    """The mapping file with the action of each code in ``edits`` replaced, as a user edits it."""
    lines = text.split("\n")
    done = set()
    for i, line in enumerate(lines[:-1]):
        slug = line.strip().partition(":")[0]
        if line.startswith("  ") and not line.startswith("    ") and slug in edits:
            lines[i + 1] = f"    {edits[slug]}"
            done.add(slug)
    if done != set(edits):
        raise StoryError(f"the mapping file has no entry for {', '.join(sorted(set(edits) - done))}")
    return "\n".join(lines)


def tell(final: Final, work: Path) -> Coder:
    """The whole story, from the import to the write-up; returns Rosa's clone (on main)."""
    rosa, malik = Coder(ROSA, work / ROSA.clone), Coder(MALIK, work / MALIK.clone)
    q1 = story.QUAL1_DOCUMENTS
    import_qual1(final, rosa, "2021-07-26T10:05:00+02:00")
    share(rosa, malik, work / "team.git", "2021-07-26T10:20:00+02:00")

    # Calibration: both code the first two transcripts blind, each on a branch from the import.
    for coder, when in ((rosa, "2021-08-02T12:10:00+02:00"), (malik, "2021-08-03T15:45:00+02:00")):
        coder.switch(story.ROUND_BRANCHES[coder.person], create=True)
        coder.session(when, blind(final, coder.person), pull=False)
        coder.switch("main")

    # QUAL1, coded with the first tree; two codes are added and one renamed on the way.
    rosa.session("2021-08-10T16:30:00+02:00", coding(final, "qual1", [q1[0]]))
    malik.session("2021-08-11T11:50:00+02:00", _both(coding(final, "qual1", [q1[1]]), fix_typos(q1[1])))
    rosa.session("2021-08-17T15:20:00+02:00", coding(final, "qual1", [q1[2]]))
    rosa.sync("2021-08-18T09:05:00+02:00")  # both code int-mhw-01 on the same day: the sync merges
    malik.session("2021-08-18T12:40:00+02:00", coding(final, "qual1", [q1[3]], half=0))
    rosa.session("2021-08-18T17:05:00+02:00", coding(final, "qual1", [q1[3]], half=1), pull=False)
    malik.session(
        "2021-08-24T14:15:00+02:00",
        _both(create_code(final, "existing-will-to-change"), coding(final, "qual1", q1[:5])),
    )
    rosa.session(
        "2021-08-31T16:00:00+02:00",
        _both(create_code(final, "pandemic-conditions", label_only=True), coding(final, "qual1", [q1[5]])),
    )
    malik.session("2021-09-07T13:30:00+02:00", coding(final, "qual1", [q1[6]]))
    rosa.session(
        "2021-09-14T10:45:00+02:00",
        _both(
            rename(final),
            complete_code(final, "pandemic-conditions", "time-and-staffing"),
            coding(final, "qual1", q1[:7]),
        ),
    )
    for n, (coder, when) in enumerate(
        [
            (malik, "2021-09-21T15:10:00+02:00"),
            (rosa, "2021-10-05T11:20:00+02:00"),
            (malik, "2021-10-12T16:40:00+02:00"),
            (rosa, "2021-10-26T14:00:00+02:00"),
            (malik, "2021-11-09T12:30:00+01:00"),
            (rosa, "2021-11-23T15:50:00+01:00"),
        ],
        start=7,
    ):
        coder.session(when, coding(final, "qual1", [q1[n]]))

    # QUAL2: main revises a definition; the new phase is imported and coded inductively on its branch.
    rosa.session("2022-10-04T10:30:00+02:00", complete_code(final, "existing-will-to-change"))
    q2 = story.QUAL2_DOCUMENTS
    malik.sync("2022-12-06T13:55:00+01:00")
    malik.switch(story.QUAL2_BRANCH, create=True)
    qual2_files = {f"documents/{d}.txt": imported(final.document(d)) for d in sorted(q2)}
    malik.session(
        "2022-12-06T14:00:00+01:00",
        write(final, {**qual2_files, **finals(final, "participants.yaml")}),
        title="Import the QUAL2 transcripts and participants",
        pull=False,
    )
    malik.session("2022-12-08T16:20:00+01:00", coding(final, "open", [q2[0]]))
    rosa.sync("2022-12-09T09:10:00+01:00")
    rosa.switch(story.QUAL2_BRANCH, create=True, track=True)
    rosa.session("2022-12-09T15:30:00+01:00", coding(final, "open", [q2[1]], half=0))
    malik.session("2022-12-13T11:45:00+01:00", coding(final, "open", [q2[2]]))
    rosa.session("2022-12-14T16:10:00+01:00", coding(final, "open", [q2[1]], half=1), pull=False)
    malik.session("2022-12-15T10:30:00+01:00", coding(final, "open", [q2[3]]))

    # The merge of the code trees, then every transcript recoded with the merged tree.
    rosa.sync("2023-01-10T14:00:00+01:00")
    rosa.switch("main")
    rosa.sync("2023-01-10T14:05:00+01:00")
    merge_qual2(rosa, "2023-01-10T14:20:00+01:00")
    new_codes = [c.slug for c in story.OPEN_CODES if c.action == "add-under"]
    rosa.session("2023-01-12T11:00:00+01:00", complete_code(final, *new_codes))
    malik.sync("2023-01-16T09:00:00+01:00")
    malik.switch("main")
    malik.session("2023-01-17T15:30:00+01:00", coding(final, "final", q1[:7]))
    rosa.session("2023-01-18T16:00:00+01:00", coding(final, "final", q2), pull=False)
    malik.session("2023-01-24T14:10:00+01:00", coding(final, "final", q1[7:]))

    # Themes, memos, and quotes cited as the paper does.
    rosa.session("2023-03-07T10:15:00+01:00", code_sets(final), title="Candidate themes as code sets")
    code_memos = [p for p in final.files() if p.startswith("memos/codes/")]
    malik.session(
        "2023-03-14T16:30:00+01:00", write(final, finals(final, *code_memos)), title="Memos on four codes"
    )
    rosa.session(
        "2023-04-04T11:00:00+02:00",
        cite_as_published(final),
        title='Quotes cited as the study writes them: "(MHW, focus group, QUAL 2)"',
    )
    return rosa


def _both(*works: Work) -> Work:
    def work(project: Project) -> Iterator[Change | str]:
        for each in works:
            yield from each(project)

    return work


# --- checking and writing the result ------------------------------------------------------------------
def differences(final: Final, root: Path) -> list[str]:
    """Where the project at ``root`` differs from the final files: path and first differing line."""
    found: list[str] = []
    wanted = set(final.files())
    present = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }
    for path in sorted(present - wanted - set(EXTRA_FILES)):
        found.append(f"{path}: not in the final files")
    for path in sorted(wanted):
        if path not in present:
            found.append(f"{path}: missing")
            continue
        ours, theirs = (root / path).read_bytes(), (final.root / path).read_bytes()
        if ours != theirs:
            a, b = ours.decode().split("\n"), theirs.decode().split("\n")
            line = next(
                (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
            )
            got = a[line] if line < len(a) else "(end)"
            want = b[line] if line < len(b) else "(end)"
            found.append(f"{path}:{line + 1}: the story gives {got[:100]!r}, the file has {want[:100]!r}")
    return found


def build(project: Path, out: Path) -> tuple[dict[str, str], bool]:
    """Tell the story of the files at ``project`` and write its branches to the bundle ``out`` (left as it
    is when it holds the same commits). Returns the branches' commits and whether ``out`` was written."""
    final = Final(project)
    with tempfile.TemporaryDirectory(prefix="margin-demo-") as tmp:
        work = Path(tmp)
        with _own_git(work):
            rosa = tell(final, work)
            problems = differences(final, rosa.root)
            if problems:
                raise StoryError(
                    "the story does not end in the final files:\n  "
                    + "\n  ".join(problems[:20])
                    + "\nchange margin.demo.story, or write those files as Margin writes them"
                )
            written = work / "demo.bundle"
            write_bundle(work / "team.git", written, BRANCHES)
            commits = heads(written)
        if out.is_file() and heads(out) == commits:
            return commits, False
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(written, out)
    return commits, True


def checkout_root() -> Path:
    """The source checkout this module runs from (where projects/ is)."""
    return Path(__file__).resolve().parents[3]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m margin.demo.history", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="replay the story and write the bundle")
    p.add_argument("--project", type=Path, default=checkout_root() / "projects" / "peer-support")
    p.add_argument("--out", type=Path, default=checkout_root() / "projects" / "peer-support.bundle")
    args = parser.parse_args(argv)
    try:
        commits, written = build(args.project, args.out)
    except StoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for branch, commit in commits.items():
        print(f"{commit[:12]}  {branch}")
    print(f"{args.out}: {'written' if written else 'unchanged (same commits)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
