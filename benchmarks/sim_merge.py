"""Several coders, random sessions, syncing in random orders: does every decision survive the merges?

Each coder works in a clone of a bare remote with Margin's drivers registered, doing random sessions of
random operations through ``margin.core.operations`` (apply, remove and change codings; text edits; code
add, relabel, move, re-slug, merge; document variables). Every session is committed; syncing is fetch +
``git merge`` + push, again when the push is rejected. Conflicts are resolved by a rule (our version).

A ledger follows every coding by a stable identity — the unique code it was created with, and the words
(unique tokens) it covers — so that, afterwards, the run can check: all clones are equal; every coding
that nobody removed is present exactly once on the right words, and no other coding is; every conflict
was one where two people changed the same paragraph's text (or the same front matter key or code field).

    python benchmarks/sim_merge.py [--coders 5] [--rounds 12] [--ops 8] [--seed 1] [--docs 4]

The test suite runs small instances of it (tests/test_merge_simulation.py).
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from margin.core import operations as ops
from margin.core.check import check_project
from margin.core.conflict_blocks import parse_conflicts
from margin.core.errors import OperationError
from margin.core.markup import parse_body
from margin.core.project import Project
from margin.vcs import conflicts as conflicts_mod
from margin.vcs import drivers

WORD = re.compile(r"\b[wn]\d+\b")
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
    """One coding as created: the document, every slug it has carried, every set of words it has covered."""

    doc: str
    codes: set[str]
    words: list[frozenset[str]]
    removed: bool = False
    removals: list[str] = field(default_factory=list)  # the commits that removed it

    @property
    def anchor(self) -> str:
        """The first word it was made on: every change of its boundaries keeps it, as widening and
        narrowing do (a coding moved to other words is a removal and a new coding to a merge)."""
        return min(self.words[0]) if self.words[0] else ""

    @property
    def renamed(self) -> bool:
        """Its code renamed (re-slugged, merged): a merge cannot tell that from a coding removed and a new
        one made, so keeps it where another coder removed it meanwhile (nothing made is lost)."""
        return len(self.codes) > 1


@dataclass
class Ledger:
    identities: dict[str, Identity] = field(default_factory=dict)
    new_words: set[str] = field(default_factory=set)
    conflicts: list[str] = field(default_factory=list)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def of_coding(self, doc: str, codes: tuple[str, ...], words: set[str], text: str) -> list[Identity]:
        """The identities a coding seen in a clone (on ``words`` of the document's ``text``) stands for:
        those that carried one of its codes and cover its words — or, on words all new, those whose own
        words are all gone from the text (edits replaced them)."""
        found = [i for i in self.identities.values() if i.doc == doc and i.codes.intersection(codes)]
        if len(found) > 1:
            near = [i for i in found if any(w & words for w in i.words)]
            present = words_of(text)
            moved = [i for i in found if not any(w & present for w in i.words)]
            found = near or moved or found
        return found

    def renamed(self, old: str, new: str) -> None:
        for identity in self.identities.values():
            if old in identity.codes:
                identity.codes.add(new)


def words_of(text: str) -> set[str]:
    return set(WORD.findall(text))


# --- a coder -----------------------------------------------------------------------------------------------
class Coder:
    def __init__(self, number: int, root: Path, ledger: Ledger, rng: random.Random) -> None:
        self.number = number
        self.root = root
        self.ledger = ledger
        self.rng = rng
        self.merges = 0
        self.removing: list[Identity] = []  # removed in this session, not committed yet
        self.said = ""

    def session(self, count: int) -> None:
        project = Project.load(self.root)
        actions = (
            (self.apply, 30),
            (self.remove, 10),
            (self.change, 10),
            (self.edit, 16),
            (self.relabel, 8),
            (self.move, 6),
            (self.reslug, 7),
            (self.merge_codes, 4),
            (self.add_code, 4),
            (self.variable, 5),
        )
        done = 0
        for _ in range(count * 4):
            action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
            try:
                if action(project) is not False:
                    done += 1
            except OperationError:
                project = Project.load(self.root)  # nothing was written; start from the files again
            if done == count:
                break
        git(self.root, "add", "-A")
        if git(self.root, "status", "--porcelain").stdout.strip():
            git(self.root, "commit", "-qm", f"session of coder {self.number}")
            sha = git(self.root, "rev-parse", "HEAD").stdout.strip()
            for identity in self.removing:
                identity.removals.append(sha)
        self.removing.clear()

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

    def apply(self, project: Project) -> bool:
        doc_id, offset, found = self._paragraph_words(project)
        if not found:
            return False
        i = self.rng.randrange(len(found))
        j = min(len(found) - 1, i + self.rng.randrange(4))
        start, end = offset + found[i].start(), offset + found[j].end()
        slug = self.ledger.fresh(f"k{self.number}x")
        parent = self.rng.choice([None, *project.codebook.codes]) if self.rng.random() < 0.5 else None
        ops.add_code(project, slug, f"Code {slug}", parent=parent)
        ops.apply_codes(project, doc_id, start, end, [slug])
        text = project.document(doc_id).text
        self.ledger.identities[slug] = Identity(doc_id, {slug}, [frozenset(words_of(text[start:end]))])
        return True

    def remove(self, project: Project) -> bool:
        codings = self._codings(project)
        if not codings:
            return False
        doc_id, start, end, codes = self.rng.choice(codings)
        text = project.document(doc_id).text
        ops.remove_coding(project, doc_id, start, end)
        for identity in self.ledger.of_coding(doc_id, codes, words_of(text[start:end]), text):
            identity.removed = True
            self.removing.append(identity)
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
        before = words_of(doc.text[start:end])
        owners = self.ledger.of_coding(doc_id, codes, before, doc.text)
        covered = frozenset(words_of(doc.text[new_start:new_end]))
        if any(i.anchor in before and i.anchor not in covered for i in owners):
            return False  # boundaries move around the words first coded: a coding is never moved away
        ops.change_coding(project, doc_id, start, end, new_start=new_start, new_end=new_end)
        for identity in owners:
            identity.words.append(covered)
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

    def add_code(self, project: Project) -> bool:
        ops.add_code(project, self.ledger.fresh(f"g{self.number}x"), "A code without codings")
        return True

    def variable(self, project: Project) -> bool:
        doc_id = self.rng.choice(project.document_ids())
        ops.set_document_variable(project, doc_id, self.rng.choice(FRONT_KEYS), self.ledger.fresh("v"))
        return True

    # syncing --------------------------------------------------------------------------------------------
    def sync(self) -> None:
        for _ in range(20):
            git(self.root, "fetch", "-q", "origin")
            merge = git(self.root, "merge", "-q", "--no-edit", "origin/main", check=False)
            said = merge.stdout + merge.stderr
            if "could not merge" in said:
                raise RuntimeError(f"Margin's driver failed and git merged as text: {said}")
            if merge.returncode != 0:
                self.said = said
                self.resolve()
                git(self.root, "commit", "-q", "--no-edit")
            if git(self.root, "push", "-q", "origin", "HEAD:main", check=False).returncode == 0:
                return
        raise RuntimeError(f"coder {self.number} could not push after 20 tries")

    def resolve(self) -> None:
        """Check that each conflict is one where both sides changed the same thing, note what our choice
        keeps and loses, and resolve it by taking our version."""
        self.merges += 1
        found = conflicts_mod.list_conflicts(self.root)
        if not found:
            raise RuntimeError(
                f"git stopped the merge, but no conflict is left: {git(self.root, 'status').stdout}"
            )
        for c in found:
            if c.index < 0:
                raise RuntimeError(f"{c.path}: merged as plain text — Margin's driver failed: {self.said}")
            sections = [c.ours, c.base or (), c.theirs]
            plain = ["\n".join(MARKUP.sub(lambda m: m.group(1) or "", line) for line in s) for s in sections]
            if c.path.startswith("documents/") and c.where != "front matter":
                assert len(set(plain)) == 3, f"a conflict where the text did not change on both sides: {c}"
                self._note_lost(c)
                # for their codings elsewhere, words our version brings back are as good as new words
                ours = words_of(plain[0])
                self.ledger.new_words |= (ours - words_of(plain[2])) | (ours - words_of(plain[1]))
            else:
                assert len({"\n".join(s) for s in sections}) == 3, f"a conflict of one side's change: {c}"
            self.ledger.conflicts.append(f"{c.path} {c.where}")
        for path in sorted({c.path for c in found}):
            conflicts_mod.resolve(self.root, path, "ours")

    def _merging(self, commit: str) -> bool:
        """Whether ``commit`` is part of the merge under way (in our history or in theirs)."""
        return any(
            git(self.root, "merge-base", "--is-ancestor", commit, rev, check=False).returncode == 0
            for rev in ("HEAD", "MERGE_HEAD")
        )

    def _note_lost(self, c: conflicts_mod.Conflict) -> None:
        doc_id = c.path[len("documents/") : -len(".txt")]
        whole = parse_conflicts((self.root / c.path).read_text(encoding="utf-8")).view("ours")
        kept = set()
        for side, lines in (("ours", c.ours), ("theirs", c.theirs), ("base", c.base or ())):
            text, codings = parse_body("\n".join(lines))
            for coding in codings:
                words = words_of(text[coding.start : coding.end])
                for identity in self.ledger.of_coding(doc_id, coding.codes, words, whole):
                    if side == "ours":  # our version of the paragraph is the decision now
                        kept.add(id(identity))
                        identity.words.append(frozenset(words))
                        if all(self._merging(sha) for sha in identity.removals):
                            identity.removed, identity.removals = False, []  # over the removals merged
                    elif id(identity) not in kept:
                        identity.removed = True  # our version of the paragraph wins: theirs is gone


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


@dataclass
class Outcome:
    coders: int
    sessions: int
    syncs: int
    merges_with_conflicts: int
    conflicts: list[str]
    identities: int
    alive: int
    seconds: float


def run(
    base: Path, coders: int = 2, rounds: int = 6, ops_per_session: int = 6, seed: int = 1, docs: int = 3
) -> Outcome:
    """Run the simulation in ``base``; raises AssertionError if anything was lost, doubled or misplaced."""
    began = time.perf_counter()
    rng = random.Random(seed)
    remote = make_remote(base, docs, paragraphs=6, words=12)
    ledger = Ledger()
    team = []
    for n in range(coders):
        git(base, "clone", "-q", str(remote), f"coder{n}")
        drivers.install(base / f"coder{n}")
        team.append(Coder(n, base / f"coder{n}", ledger, random.Random(rng.random())))
    sessions = syncs = 0
    for _ in range(rounds):
        for coder in rng.sample(team, len(team)):
            if rng.random() < 0.85:
                coder.session(ops_per_session)
                sessions += 1
            if rng.random() < 0.7:
                coder.sync()
                syncs += 1
    for _ in range(2):  # everyone gets everything
        for coder in team:
            coder.sync()
            syncs += 1
    alive = check_final(team, ledger)
    return Outcome(
        coders,
        sessions,
        syncs,
        sum(c.merges for c in team),
        ledger.conflicts,
        len(ledger.identities),
        alive,
        time.perf_counter() - began,
    )


def check_final(team: list[Coder], ledger: Ledger) -> int:
    """All clones equal and valid; every coding nobody removed present once, on its words; nothing else."""
    trees = {git(c.root, "rev-parse", "HEAD^{tree}").stdout.strip() for c in team}
    assert len(trees) == 1, "the clones differ after everyone synced"
    for coder in team:
        assert git(coder.root, "status", "--porcelain").stdout == "", (
            f"coder {coder.number} has loose changes"
        )
    project = Project.load(team[0].root)
    problems = check_project(project)
    assert problems == [], "\n".join(str(p) for p in problems)
    assert drivers.check(team[0].root) == []
    cb = project.codebook
    final: list[tuple[str, str, frozenset[str]]] = []
    all_words: set[str] = set()
    for doc_id in project.document_ids():
        doc = project.document(doc_id)
        all_words |= words_of(doc.text)
        for c in doc.codings:
            covered = frozenset(words_of(doc.text[c.start : c.end]))
            # two slugs of one code on a coding (both sides re-slugged it) name it once
            once = dict.fromkeys(cb.resolve(code) or code for code in c.codes)
            final.extend((doc_id, name, covered) for name in once)

    def fits(identity: Identity, covered: frozenset[str]) -> bool:
        """The words a coding covers are those it was given, less deleted words, plus words put in."""
        return any((w & all_words) <= covered <= (w | ledger.new_words) for w in identity.words)

    # codings whose codes were merged share a code: count per document and code
    groups: dict[tuple[str, str], list[frozenset[str]]] = {}
    for doc_id, code, covered in final:
        groups.setdefault((doc_id, code), []).append(covered)
    owners: dict[tuple[str, str], list[Identity]] = {}
    alive = 0
    for slug, identity in ledger.identities.items():
        if identity.removed and not identity.renamed:
            continue
        names = {cb.resolve(code) for code in identity.codes} - {None}
        keys = [(identity.doc, name) for name in names if name is not None]
        if identity.removed:  # may have survived (see Identity.renamed): at most once
            for key in keys:
                owners.setdefault(key, []).append(identity)
            continue
        for key in keys:
            owners.setdefault(key, []).append(identity)
        found = [covered for key in keys for covered in groups.get(key, []) if fits(identity, covered)]
        if any(w & all_words for w in identity.words):
            alive += 1
            assert found, (
                f"coding {slug} {identity} is missing (codings there: {[groups.get(k) for k in keys]})"
            )
    for key, spans in groups.items():
        mine = owners.get(key, [])
        # renamed on both sides differently, and moved by one: kept under each name (nothing is lost)
        allowed = sum(2 if i.renamed else 1 for i in mine)
        assert len(spans) <= allowed, f"{key}: {len(spans)} codings for {len(mine)} made and kept: {spans}"
        for covered in spans:
            assert any(fits(i, covered) for i in mine), (
                f"{key}: a coding on {sorted(covered)} that nobody made, or someone removed, or off its "
                f"words (made and kept: {mine})"
            )
    return alive


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
    print(
        f"{out.coders} coders, {out.sessions} sessions, {out.syncs} syncs, {out.merges_with_conflicts} merges "
        f"stopped on {len(out.conflicts)} conflicts (all where both changed the same text), "
        f"{out.identities} codings made, {out.alive} alive and each present once on its words — "
        f"{out.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
