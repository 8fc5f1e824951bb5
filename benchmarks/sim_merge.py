"""Several coders, random sessions, syncing in random orders: does every decision survive the merges?

Each coder works in a clone of a bare remote, doing random sessions of random operations through
``margin.core.operations``: apply, remove and change codings (with new codes, and with codes others use);
text edits; code add, relabel, move, re-slug, merge and delete (``--force``, off every coding that uses
it); document variables. Every session is committed; syncing is Margin's own ``margin sync`` (commit,
fetch, merge with Margin's drivers, check, push). Conflicts are resolved by a rule (our version), and the
sync run again concludes the merge.

A ledger follows every coding by a stable identity — the codes it has carried and the words (unique
tokens) it has covered, each change tagged with the commit that made it — so that after every sync it can
check the clone that synced, against exactly the commits that clone has:

- every coding that nobody removed (in those commits) is present exactly once, on its words (those it was
  given, less words deleted since, plus words put in between them), and no other coding is;
- no coding sits on punctuation or spaces only;
- the project passes `margin check`;
- every conflict is one where two people changed the same paragraph's text, the same front matter key or
  the same code (a code deleted by one and changed by the other included);

and at the end, that all clones are equal. What a merge decided is read from its commit message: a
coding it dropped because the other side deleted its words is removed by that merge (once the ledger
has seen that none of its words is left there), a code it kept is counted.

    python benchmarks/sim_merge.py [--coders 5] [--rounds 12] [--ops 8] [--seed 1] [--docs 4]

The test suite runs small instances of it (tests/test_merge_simulation.py). A failure names its seed and
the command that repeats it.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from margin.core import operations as ops
from margin.core.check import check_project
from margin.core.codebook import Codebook
from margin.core.conflict_blocks import parse_conflicts
from margin.core.errors import MarginError, OperationError
from margin.core.markup import parse_body
from margin.core.project import Project
from margin.vcs import conflicts as conflicts_mod
from margin.vcs import drivers
from margin.vcs.sync import MergeConflicts, sync

WORD = re.compile(r"\b[wn]\d+\b")
DROPPED = re.compile(
    r"- (?P<path>documents/\S+\.txt): (?P<codes>.+?) on '(?P<words>.*)' \(¶\d+\).* — its words were deleted"
)
MARKUP = re.compile(r"\\(.)|\}(?:@[a-z0-9]+)?\[[^\]]*\]|\{@[a-z0-9]+ |\{")
FRONT_KEYS = ("phase", "method", "site")


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd.name}: {result.stdout}{result.stderr}")
    return result


# --- the ledger --------------------------------------------------------------------------------------------
@dataclass
class Identity:
    """One coding as created: the document, every slug it has carried, and each change of it with the
    commit that made the change (filled in when the session or merge is committed)."""

    doc: str
    codes: set[str]
    words: list[tuple[str, frozenset[str]]]  # (commit, the words it covers from then on)
    made: str = ""
    removals: list[str] = field(default_factory=list)
    revivals: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    """(merge commit, the removals it overrode): our version of a conflicted paragraph kept it."""

    @property
    def anchor(self) -> str:
        """The first word it was made on: every change of its boundaries keeps it, as widening and
        narrowing do (a coding moved to other words is a removal and a new coding to a merge)."""
        return min(self.words[0][1]) if self.words[0][1] else ""

    def alive(self, commits: set[str]) -> bool:
        """Whether a clone holding ``commits`` (and nothing else) should have it."""
        if self.made not in commits:
            return False
        return all(
            r not in commits or any(m in commits and r in over for m, over in self.revivals)
            for r in self.removals
        )

    def word_sets(self, commits: set[str]) -> list[frozenset[str]]:
        return [w for sha, w in self.words if sha in commits]


@dataclass
class Ledger:
    identities: dict[str, Identity] = field(default_factory=dict)
    new_words: set[str] = field(default_factory=set)
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # codes a merge kept: deleted by one, used by another
    dropped: list[str] = field(default_factory=list)  # codings a merge dropped: their words were deleted
    merges_read: set[str] = field(default_factory=set)
    actions: Counter[str] = field(default_factory=Counter)  # operations done, by name
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def of_coding(
        self, doc: str, codes: tuple[str, ...], words: set[str], text: str, there: Callable[[Identity], bool]
    ) -> list[Identity]:
        """The identities a coding seen in a clone (on ``words`` of the document's ``text``) stands for,
        among those ``there`` (the version it is in has them): for each of its codes, the one that carried
        it on the words most like these — or, on words all new, those whose own words are all gone from the
        text (edits replaced them)."""
        present = words_of(text)
        found: dict[int, Identity] = {}

        def likeness(identity: Identity) -> float:
            return max((len(w & words) / len(w | words) for _, w in identity.words if w | words), default=0.0)

        for code in codes:
            candidates = [
                i for i in self.identities.values() if i.doc == doc and code in i.codes and there(i)
            ]
            best = max(map(likeness, candidates), default=0.0)
            if best > 0:
                chosen = [i for i in candidates if likeness(i) == best]
            else:
                chosen = [i for i in candidates if not any(w & present for _, w in i.words)] or candidates
            found.update((id(i), i) for i in chosen)
        return list(found.values())

    def renamed(self, old: str, new: str) -> None:
        for identity in self.identities.values():
            if old in identity.codes:
                identity.codes.add(new)


def words_of(text: str) -> set[str]:
    return set(WORD.findall(text))


def commits_of(root: Path, *revs: str) -> set[str]:
    return set(git(root, "rev-list", *revs).stdout.split())


# --- a coder -----------------------------------------------------------------------------------------------
class Coder:
    def __init__(self, number: int, root: Path, ledger: Ledger, rng: random.Random) -> None:
        self.number = number
        self.root = root
        self.ledger = ledger
        self.rng = rng
        self.merges = 0
        self.syncs = 0
        self.known: set[str] = set()  # the commits of this clone when the session began
        self.pending: list[tuple[Identity, str, frozenset[str]]] = []  # (identity, event, words) to commit
        self.merge_events: list[tuple[tuple[str, str], Identity, str, frozenset[str]]] = []
        """Events of conflicts resolved here, by the merge's parents, until the merge is committed."""

    def _of(self, doc: str, codes: tuple[str, ...], words: set[str], text: str) -> list[Identity]:
        """The identities a coding of this clone stands for (those it has, and those made in this session)."""
        made = {id(i) for i, event, _ in self.pending if event == "made"}
        return self.ledger.of_coding(doc, codes, words, text, lambda i: id(i) in made or i.alive(self.known))

    def session(self, count: int) -> None:
        project = Project.load(self.root)
        self.known = commits_of(self.root, "HEAD")
        actions = (
            (self.apply, 28),
            (self.reuse, 10),
            (self.remove, 10),
            (self.change, 10),
            (self.edit, 16),
            (self.relabel, 6),
            (self.move, 5),
            (self.reslug, 6),
            (self.merge_codes, 5),
            (self.delete_code, 4),
            (self.add_code, 3),
            (self.variable, 4),
        )
        done = 0
        for _ in range(count * 4):
            action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
            try:
                if action(project) is not False:
                    done += 1
                    self.ledger.actions[action.__name__] += 1
            except OperationError:
                project = Project.load(self.root)  # nothing was written; start from the files again
            if done == count:
                break
        git(self.root, "add", "-A")
        if git(self.root, "status", "--porcelain").stdout.strip():
            git(self.root, "commit", "-qm", f"session of coder {self.number}")
        sha = git(self.root, "rev-parse", "HEAD").stdout.strip()
        for identity, event, words in self.pending:
            if event == "made":
                identity.made = sha
                identity.words[0] = (sha, words)
            elif event == "words":
                identity.words.append((sha, words))
            else:
                identity.removals.append(sha)
        self.pending.clear()

    def _made(self, doc_id: str, codes: set[str], words: frozenset[str]) -> Identity:
        identity = Identity(doc_id, codes, [("", words)])
        self.ledger.identities[self.ledger.fresh("c")] = identity
        self.pending.append((identity, "made", words))
        return identity

    def _removed(self, identity: Identity) -> None:
        self.pending.append((identity, "removed", frozenset()))

    # codings --------------------------------------------------------------------------------------------
    def _paragraph_words(self, project: Project) -> tuple[str, int, list[re.Match[str]]]:
        doc_id = self.rng.choice(project.document_ids())
        doc = project.document(doc_id)
        index = self.rng.randrange(doc.paragraph_count)
        start, _ = doc.paragraph_span(index)
        found = list(WORD.finditer(doc.paragraph(index)))
        return doc_id, start, found

    def _codings(self, project: Project) -> list[tuple[str, int, int, tuple[str, ...]]]:
        return [
            (d, c.start, c.end, c.codes) for d in project.document_ids() for c in project.document(d).codings
        ]

    def _words_to_code(self, project: Project) -> tuple[str, int, int] | None:
        doc_id, offset, found = self._paragraph_words(project)
        if not found:
            return None
        i = self.rng.randrange(len(found))
        j = min(len(found) - 1, i + self.rng.randrange(4))
        start, end = offset + found[i].start(), offset + found[j].end()
        if any((c.start, c.end) == (start, end) for c in project.document(doc_id).codings):
            return None  # the codes would join a coding there (one coding per span)
        return doc_id, start, end

    def apply(self, project: Project) -> bool:
        """A new code, on new words."""
        where = self._words_to_code(project)
        if where is None:
            return False
        doc_id, start, end = where
        slug = self.ledger.fresh(f"k{self.number}x")
        parent = self.rng.choice([None, *project.codebook.codes]) if self.rng.random() < 0.5 else None
        ops.add_code(project, slug, f"Code {slug}", parent=parent)
        ops.apply_codes(project, doc_id, start, end, [slug])
        text = project.document(doc_id).text
        self._made(doc_id, {slug}, frozenset(words_of(text[start:end])))
        return True

    def reuse(self, project: Project) -> bool:
        """A code the team has (which another coder may be deleting, merging or re-slugging), on new words."""
        codes = list(project.codebook.codes)
        where = self._words_to_code(project)
        if not codes or where is None:
            return False
        doc_id, start, end = where
        slug = self.rng.choice(codes)
        ops.apply_codes(project, doc_id, start, end, [slug])
        text = project.document(doc_id).text
        self._made(doc_id, {slug}, frozenset(words_of(text[start:end])))
        return True

    def remove(self, project: Project) -> bool:
        codings = self._codings(project)
        if not codings:
            return False
        doc_id, start, end, codes = self.rng.choice(codings)
        text = project.document(doc_id).text
        ops.remove_coding(project, doc_id, start, end)
        for identity in self._of(doc_id, codes, words_of(text[start:end]), text):
            self._removed(identity)
        return True

    def change(self, project: Project) -> bool:
        codings = self._codings(project)
        if not codings:
            return False
        doc_id, start, end, codes = self.rng.choice(codings)
        doc = project.document(doc_id)
        p_start, p_end = doc.paragraph_span(doc.paragraph_of(start))
        if end > p_end:
            return False
        found = [m for m in WORD.finditer(doc.text, p_start, p_end)]
        inside = [k for k, m in enumerate(found) if m.start() >= start and m.end() <= end]
        if not inside:
            return False
        first = max(0, inside[0] + self.rng.choice((-1, 0, 1)))
        last = min(len(found) - 1, inside[-1] + self.rng.choice((-1, 0, 1)))
        if last < first or first > inside[-1] or last < inside[0]:
            return False  # widened or narrowed, not moved to other words (that is a removal and a new coding)
        new_start, new_end = found[first].start(), found[last].end()
        if any((c.start, c.end) == (new_start, new_end) for c in doc.codings):
            return False
        before = words_of(doc.text[start:end])
        owners = self._of(doc_id, codes, before, doc.text)
        covered = frozenset(words_of(doc.text[new_start:new_end]))
        if any(i.anchor in before and i.anchor not in covered for i in owners):
            return False  # boundaries move around the words first coded: a coding is never moved away
        ops.change_coding(project, doc_id, start, end, new_start=new_start, new_end=new_end)
        for identity in owners:
            self.pending.append((identity, "words", covered))
        return True

    def edit(self, project: Project) -> bool:
        doc_id, offset, found = self._paragraph_words(project)
        if not found:
            return False
        doc = project.document(doc_id)
        index = doc.paragraph_of(offset)
        text = doc.paragraph(index)
        m = self.rng.choice(found)
        new = self.ledger.fresh("n")
        how = self.rng.choice(("replace", "insert", "delete"))
        if how == "delete" and len(found) > 3:
            changed = text[: m.start()] + text[m.end() + 1 :]
        elif how == "insert":
            changed = text[: m.end()] + " " + new + text[m.end() :]
        else:
            changed = text[: m.start()] + new + text[m.end() :]
        ops.edit_text(project, doc_id, index, changed)
        self.ledger.new_words.add(new)
        return True

    # codes ----------------------------------------------------------------------------------------------
    def _code(self, project: Project) -> str | None:
        codes = list(project.codebook.codes)
        return self.rng.choice(codes) if codes else None

    def relabel(self, project: Project) -> bool:
        slug = self._code(project)
        if slug is None:
            return False
        ops.update_code(project, slug, label=f"Label {self.ledger.fresh('l')}")
        return True

    def move(self, project: Project) -> bool:
        slug = self._code(project)
        if slug is None:
            return False
        ops.move_code(project, slug, self.rng.choice([None, *project.codebook.codes]))
        return True

    def reslug(self, project: Project) -> bool:
        slug = self._code(project)
        if slug is None:
            return False
        new = self.ledger.fresh(f"r{self.number}x")
        ops.reslug_code(project, slug, new)
        self.ledger.renamed(slug, new)
        return True

    def merge_codes(self, project: Project) -> bool:
        codes = list(project.codebook.codes)
        if len(codes) < 2:
            return False
        source, target = self.rng.sample(codes, 2)
        ops.merge_codes(project, source, target)
        self.ledger.renamed(source, target)
        return True

    def delete_code(self, project: Project) -> bool:
        """`margin code delete SLUG --force`: the code goes, and off every coding here that has it."""
        slug = self._code(project)
        if slug is None:
            return False
        gone: dict[int, Identity] = {}
        for doc_id in project.document_ids():
            doc = project.document(doc_id)
            for c in doc.codings:
                if slug in c.codes:
                    words = words_of(doc.text[c.start : c.end])
                    gone.update((id(i), i) for i in self._of(doc_id, (slug,), words, doc.text))
        ops.delete_code(project, slug, force=True)
        for identity in gone.values():
            self._removed(identity)
        return True

    def add_code(self, project: Project) -> bool:
        ops.add_code(project, self.ledger.fresh(f"g{self.number}x"), "A code without codings")
        return True

    def variable(self, project: Project) -> bool:
        doc_id = self.rng.choice(project.document_ids())
        ops.set_document_variable(project, doc_id, self.rng.choice(FRONT_KEYS), self.ledger.fresh("v"))
        return True

    # syncing --------------------------------------------------------------------------------------------
    def sync(self) -> None:
        """`margin sync`, resolving conflicts (ours) and syncing again until it goes through; then the
        clone is checked against the ledger."""
        for _ in range(10):
            try:
                sync(self.root)
            except MergeConflicts as stopped:
                self.resolve(stopped)
                self._merge_committed()
                continue
            self._merge_committed()
            self.syncs += 1
            self._read_merges()
            check_clone(self, self.ledger)
            return
        raise RuntimeError(f"coder {self.number} could not sync after 10 tries")

    def resolve(self, stopped: MergeConflicts) -> None:
        """Check that each conflict is one where both sides changed the same thing, note what our choice
        keeps and loses, and resolve it by taking our version."""
        self.merges += 1
        found = conflicts_mod.list_conflicts(self.root)
        if not found:
            raise RuntimeError(f"the sync stopped on conflicts, but none is left: {stopped}")
        parents = (
            git(self.root, "rev-parse", "HEAD").stdout.strip(),
            git(self.root, "rev-parse", "MERGE_HEAD").stdout.strip(),
        )
        base = git(self.root, "merge-base", "HEAD", "MERGE_HEAD").stdout.strip()
        versions = {
            "ours": commits_of(self.root, "HEAD"),
            "theirs": commits_of(self.root, "MERGE_HEAD"),
            "base": commits_of(self.root, base),
        }
        for c in found:
            if c.index < 0:
                raise RuntimeError(f"{c.path}: merged as plain text — Margin's driver failed: {stopped}")
            sections = [c.ours, c.base or (), c.theirs]
            plain = ["\n".join(MARKUP.sub(lambda m: m.group(1) or "", line) for line in s) for s in sections]
            if c.path.startswith("documents/") and c.where != "front matter":
                assert len(set(plain)) == 3, f"a conflict where the text did not change on both sides: {c}"
                self._note_lost(c, parents, versions)
                # for their codings elsewhere, words our version brings back are as good as new words
                ours = words_of(plain[0])
                self.ledger.new_words |= (ours - words_of(plain[2])) | (ours - words_of(plain[1]))
            elif c.path == "codebook.yaml":
                stages = (git(self.root, "show", f":{n}:codebook.yaml").stdout for n in (1, 2, 3))
                assert changed_on_both(*stages), (
                    f"a codebook conflict where nobody changed a code on both sides: {c}"
                )
            else:
                assert len({"\n".join(s) for s in sections}) == 3, f"a conflict of one side's change: {c}"
            self.ledger.conflicts.append(f"{c.path} {c.where}")
        for path in sorted({c.path for c in found}):
            conflicts_mod.resolve(self.root, path, "ours")

    def _note_lost(
        self, c: conflicts_mod.Conflict, parents: tuple[str, str], versions: dict[str, set[str]]
    ) -> None:
        doc_id = c.path[len("documents/") : -len(".txt")]
        whole = parse_conflicts((self.root / c.path).read_text(encoding="utf-8")).view("ours")
        merging = versions["ours"] | versions["theirs"]
        kept = set()
        for side, lines in (("ours", c.ours), ("theirs", c.theirs), ("base", c.base or ())):
            text, codings = parse_body("\n".join(lines))

            def there(i: Identity, commits: set[str] = versions[side]) -> bool:
                return i.alive(commits)

            for coding in codings:
                words = frozenset(words_of(text[coding.start : coding.end]))
                for identity in self.ledger.of_coding(doc_id, coding.codes, set(words), whole, there):
                    if side == "ours":  # our version of the paragraph is the decision now
                        kept.add(id(identity))
                        over = frozenset(r for r in identity.removals if r in merging)
                        self.merge_events.append((parents, identity, "revived", over))
                        self.merge_events.append((parents, identity, "words", words))
                    elif id(identity) not in kept:  # our version of the paragraph wins: theirs is gone
                        self.merge_events.append((parents, identity, "removed", frozenset()))

    def _read_merges(self) -> None:
        """What the merges in this clone's history decided (their messages say): a coding dropped because
        the other side deleted its words — they must be gone — is removed by that merge; a code kept."""
        out = git(self.root, "log", "--merges", "--format=%H%x00%P%x00%B%x01", "HEAD").stdout
        for entry in out.split("\x01"):
            if not entry.strip():
                continue
            sha, parents, body = entry.strip("\n").split("\x00")
            if sha in self.ledger.merges_read:
                continue
            self.ledger.merges_read.add(sha)
            sides = [commits_of(self.root, parent) for parent in parents.split()]
            for line in body.splitlines():
                if line.startswith("- kept code "):
                    self.ledger.kept.append(line[2:])
                found = DROPPED.match(line)
                if found is None:
                    continue
                self.ledger.dropped.append(line[2:])
                doc_id = found["path"].removeprefix("documents/").removesuffix(".txt")
                text = git(self.root, "show", f"{sha}:{found['path']}").stdout
                snip = found["words"]
                if snip.endswith("…"):  # cut short: its last word may be cut too
                    snip = snip[:-1].rsplit(" ", 1)[0]
                words = words_of(snip)
                assert not words & words_of(text), f"{sha[:8]} dropped a coding whose words are there: {line}"

                def there(i: Identity, sides: list[set[str]] = sides) -> bool:  # the side whose coding it was
                    return any(i.alive(commits) for commits in sides)

                codes = tuple(found["codes"].split(", "))
                gone = self.ledger.of_coding(doc_id, codes, words, text, there)
                gone = [i for i in gone if any(w & words for _, w in i.words)]
                assert gone, f"{sha[:8]} dropped a coding nobody made: {line}"
                for identity in gone:
                    identity.removals.append(sha)

    def _merge_committed(self) -> None:
        """Tag the events of conflicts resolved here with their merge commit, once it is made."""
        if not self.merge_events:
            return
        merges = {}
        for line in git(self.root, "rev-list", "--merges", "--parents", "HEAD").stdout.splitlines():
            sha, *parents = line.split()
            merges[tuple(parents)] = sha
        waiting = []
        for parents, identity, event, words in self.merge_events:
            sha = merges.get(parents)
            if sha is None:
                waiting.append((parents, identity, event, words))
            elif event == "revived":
                identity.revivals.append((sha, words))
            elif event == "words":
                identity.words.append((sha, words))
            else:
                identity.removals.append(sha)
        self.merge_events = waiting


# --- checks ------------------------------------------------------------------------------------------------
def changed_on_both(base: str, ours: str, theirs: str) -> set[str]:
    """The codes and sets of the base codebook that both sides changed (its fields, aliases, parent, or
    whether it exists at all), each side's code found by its slug or an alias."""
    books = [Codebook.parse(text) for text in (base, ours, theirs)]

    def code(book: Codebook, slug: str) -> object:
        found = book.get(slug)
        if found is None:
            return None
        parent = book.resolve(found.parent) if found.parent else None
        return (found.slug, parent, dataclasses.replace(found, children=(), line=0, parent=None))

    def code_set(book: Codebook, slug: str) -> object:
        found = book.sets.get(slug)
        return None if found is None else (found.label, found.description, frozenset(found.codes))

    both = set()
    for slug in books[0].codes:
        was, a, b = (code(book, slug) for book in books)
        if was != a and was != b:
            both.add(slug)
    for slug in {*books[0].sets, *books[1].sets, *books[2].sets}:
        was, a, b = (code_set(book, slug) for book in books)
        if was != a and was != b and a != b:
            both.add(f"set {slug}")
    for slug in set(books[1].codes) & set(books[2].codes) - set(books[0].codes):
        if code(books[1], slug) != code(books[2], slug):
            both.add(slug)  # made on both sides, differently
    return both


def check_clone(coder: Coder, ledger: Ledger) -> int:
    """The clone as it is after a sync: valid, no coding on punctuation or spaces only, every coding nobody
    removed in its commits present once on its words, nothing else. Returns how many codings are alive."""
    root = coder.root
    assert git(root, "status", "--porcelain").stdout == "", f"coder {coder.number} has loose changes"
    project = Project.load(root)
    problems = check_project(project)
    assert problems == [], "\n".join(str(p) for p in problems)
    commits = commits_of(root, "HEAD")
    cb = project.codebook
    final: list[tuple[str, str, frozenset[str]]] = []
    doc_words: dict[str, set[str]] = {}
    for doc_id in project.document_ids():
        doc = project.document(doc_id)
        doc_words[doc_id] = words_of(doc.text)
        for c in doc.codings:
            on = doc.text[c.start : c.end]
            assert any(ch.isalnum() for ch in on), f"{doc_id}: a coding on punctuation only: {on!r} {c}"
            covered = frozenset(words_of(on))
            # two slugs of one code on a coding (both sides re-slugged it) name it once
            once = dict.fromkeys(cb.resolve(code) or code for code in c.codes)
            final.extend((doc_id, name, covered) for name in once)

    def fits(identity: Identity, covered: frozenset[str]) -> bool:
        """The words a coding covers are those it was given, less deleted words, plus words put in."""
        present = doc_words.get(identity.doc, set())
        return any((w & present) <= covered <= (w | ledger.new_words) for w in identity.word_sets(commits))

    # codings whose codes were merged share a code: count per document and code
    groups: dict[tuple[str, str], list[frozenset[str]]] = {}
    for doc_id, code, covered in final:
        groups.setdefault((doc_id, code), []).append(covered)
    owners: dict[tuple[str, str], list[Identity]] = {}
    alive = 0
    for slug, identity in ledger.identities.items():
        if not identity.alive(commits):
            continue
        names = {cb.resolve(code) for code in identity.codes} - {None}
        keys = [(identity.doc, name) for name in names if name is not None]
        for key in keys:
            owners.setdefault(key, []).append(identity)
        if not any(w & doc_words.get(identity.doc, set()) for w in identity.word_sets(commits)):
            continue  # its words were deleted: it went with them
        alive += 1
        found = [covered for key in keys for covered in groups.get(key, []) if fits(identity, covered)]
        assert found, f"coding {slug} {identity} is missing (codings there: {[groups.get(k) for k in keys]})"
    for key, spans in groups.items():
        mine = owners.get(key, [])
        assert len(spans) <= len(mine), (
            f"coder {coder.number}, {key}: {len(spans)} codings for {len(mine)} made and kept: {spans} "
            f"(made and removed: {[i for i in ledger.identities.values() if i.doc == key[0] and key[1] in i.codes]})"
        )
        for covered in spans:
            assert any(fits(i, covered) for i in mine), (
                f"{key}: a coding on {sorted(covered)} that nobody made, or someone removed, or off its "
                f"words (made and kept: {mine})"
            )
    return alive


def check_final(team: list[Coder], ledger: Ledger) -> int:
    """All clones equal, each valid and true to the ledger; returns how many codings are alive."""
    trees = {git(c.root, "rev-parse", "HEAD^{tree}").stdout.strip() for c in team}
    assert len(trees) == 1, "the clones differ after everyone synced"
    assert drivers.check(team[0].root) == []
    return min(check_clone(coder, ledger) for coder in team)


# --- the run -----------------------------------------------------------------------------------------------
def make_remote(base: Path, docs: int, paragraphs: int, words: int) -> Path:
    origin = base / "origin"
    origin.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "margin", "init", str(origin)], check=True, capture_output=True)
    (origin / "documents" / "g").mkdir()
    n = 0
    for d in range(docs):
        lines = []
        for p in range(paragraphs):
            tokens = []
            for _ in range(words):
                n += 1
                tokens.append(f"w{n}")
            lines.append(f"P{p % 3 + 1}: {' '.join(tokens)}.")
        body = "\n".join(lines)
        (origin / "documents" / "g" / f"d{d}.txt").write_text(f"---\ntitle: Document {d}\n---\n{body}\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "transcripts")
    git(base, "clone", "-q", "--bare", str(origin), "remote.git")
    return base / "remote.git"


def clone_for(base: Path, remote: Path, name: str) -> Path:
    git(base, "clone", "-q", str(remote), name)
    root = base / name
    drivers.install(root)
    return root


@dataclass
class Outcome:
    seed: int
    coders: int
    sessions: int
    syncs: int
    merges_with_conflicts: int
    conflicts: list[str]
    kept: list[str]
    dropped: list[str]
    actions: dict[str, int]
    identities: int
    alive: int
    seconds: float


def run(
    base: Path, coders: int = 2, rounds: int = 6, ops_per_session: int = 6, seed: int = 1, docs: int = 3
) -> Outcome:
    """Run the simulation in ``base``; raises AssertionError (naming the seed) if anything was lost,
    doubled, misplaced or let through invalid."""
    print(
        f"sim_merge: seed {seed} ({coders} coders, {rounds} rounds, {ops_per_session} operations, {docs} docs)"
    )
    try:
        return _run(base, coders, rounds, ops_per_session, seed, docs)
    except (AssertionError, RuntimeError, MarginError) as exc:
        again = (
            f"python benchmarks/sim_merge.py --coders {coders} --rounds {rounds} --ops {ops_per_session} "
            f"--seed {seed} --docs {docs}"
        )
        raise AssertionError(f"seed {seed} (again: {again}): {exc}") from exc


def _run(base: Path, coders: int, rounds: int, ops_per_session: int, seed: int, docs: int) -> Outcome:
    began = time.perf_counter()
    rng = random.Random(seed)
    remote = make_remote(base, docs, paragraphs=6, words=12)
    ledger = Ledger()
    team = [
        Coder(n, clone_for(base, remote, f"coder{n}"), ledger, random.Random(rng.random()))
        for n in range(coders)
    ]
    sessions = 0
    for _ in range(rounds):
        for coder in rng.sample(team, len(team)):
            if rng.random() < 0.85:
                coder.session(ops_per_session)
                sessions += 1
            if rng.random() < 0.7:
                coder.sync()
    for _ in range(2):  # everyone gets everything
        for coder in team:
            coder.sync()
    alive = check_final(team, ledger)
    return Outcome(
        seed,
        coders,
        sessions,
        sum(c.syncs for c in team),
        sum(c.merges for c in team),
        ledger.conflicts,
        ledger.kept,
        ledger.dropped,
        dict(ledger.actions),
        len(ledger.identities),
        alive,
        time.perf_counter() - began,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--coders", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--ops", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--docs", type=int, default=4)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="margin-sim-") as tmp:
        out = run(Path(tmp), args.coders, args.rounds, args.ops, args.seed, args.docs)
    done = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in sorted(out.actions.items()))
    print(
        f"{done}\n"
        f"{out.coders} coders, {out.sessions} sessions, {out.syncs} syncs, {out.merges_with_conflicts} merges "
        f"stopped on {len(out.conflicts)} conflicts (all where both changed the same thing), "
        f"{len(out.kept)} codes kept (deleted by one, used by another), {len(out.dropped)} codings dropped "
        f"(their words deleted), {out.identities} codings made, {out.alive} alive and each present once on "
        f"its words after every sync — {out.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
