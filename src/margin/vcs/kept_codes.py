"""Codes a merge keeps although one side deleted them: the other side applied them meanwhile.

Git merges the codebook and each transcript on its own, so a code one coder deleted (`margin code delete
--force` takes it off every coding that coder had) while another coder applied it to new words comes out
of the merge deleted from the codebook yet named by those new codings — a project `margin check` refuses.
The new codings are a decision too, so the merge keeps the code: it is put back, as the side that kept it
has it, under its nearest parent still in the tree, and the merge says which codings use it.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from margin.core.codebook import EDITABLE_FIELDS, Codebook
from margin.core.errors import FormatError, MarginError
from margin.vcs.gitcmd import read_blobs
from margin.vcs.repo import run_git

CODEBOOK = "codebook.yaml"
SHOWN = 5
"""Codings named per kept code; the rest are counted."""


@dataclass
class _Kept:
    slug: str
    side: str  # "ours" (we kept it, they deleted it) or "theirs"
    uses: list[str] = field(default_factory=list)


def keep_used_codes(root: Path, theirs_label: str) -> list[str]:
    """Put back into the staged codebook.yaml (and the one on disk) every code the staged merge result's
    transcripts use that its codebook lost, from our side's (HEAD) or their side's (MERGE_HEAD) codebook;
    returns one line per code kept, naming the codings that use it."""
    from margin.core.check import code_references

    paths = _documents_changed(root)
    merged_text, *sources = read_blobs(root, [f":{CODEBOOK}", *(f":{p}" for p in paths)])
    named = {slug for source in sources if source is not None for _, _, slug in code_references(source)}
    if merged_text is None or not named:
        return []
    try:
        merged = Codebook.parse(merged_text, CODEBOOK)
        if all(merged.resolve(slug) is not None for slug in named):
            return []  # the usual case: the other sides' codebooks need not be read
        texts = read_blobs(root, [f"HEAD:{CODEBOOK}", f"MERGE_HEAD:{CODEBOOK}"])
        sides = {
            side: Codebook.parse(text, CODEBOOK)
            for side, text in zip(("ours", "theirs"), texts, strict=True)
            if text is not None
        }
    except FormatError:
        return []  # `margin check` names what is wrong with it
    kept = _missing(merged, sides, dict(zip(paths, sources, strict=True)))
    if not kept:
        return []

    def put_back(book: Codebook) -> None:
        for k in kept:
            if book.resolve(k.slug) is None:
                _put_back(book, sides[k.side], k.slug)

    put_back(merged)
    text = merged.dump()
    _stage(root, text)
    from margin.core.paths import inside
    from margin.core.textfile import atomic_write, decode, read_bytes

    path = inside(root, CODEBOOK)
    try:
        on_disk: str | None = decode(read_bytes(path, CODEBOOK), CODEBOOK)
    except (OSError, FormatError):
        on_disk = None
    if on_disk == merged_text:
        atomic_write(path, text)
    elif on_disk is not None:  # changed since the merge began: that work stays, the codes go in too
        with suppress(FormatError):
            book = Codebook.parse(on_disk, CODEBOOK)
            put_back(book)
            atomic_write(path, book.dump())
    return [_describe(k, sides[k.side], theirs_label) for k in kept]


def _documents_changed(root: Path) -> list[str]:
    """Transcripts whose staged version is not the one of either side: only there can a code named by one
    side meet the other side's codebook."""
    found: set[str] = set()
    for rev in ("HEAD", "MERGE_HEAD"):
        status, out, _ = run_git(
            root, "diff", "--cached", "--name-only", "-z", "--no-renames", rev, "--", "documents/"
        )
        if status == 0:
            found.update(p for p in out.split("\0") if p.endswith(".txt"))
    return sorted(found)


def _missing(merged: Codebook, sides: dict[str, Codebook], sources: dict[str, str | None]) -> list[_Kept]:
    """The codes to keep (as the side that has them names them, parents first), with the codings that
    use them."""
    from margin.core.document import parse_document
    from margin.core.operations import snippet

    kept: dict[str, _Kept] = {}
    for path, source in sources.items():
        if source is None:
            continue
        try:
            doc = parse_document(source, path.removeprefix("documents/").removesuffix(".txt"), path)
        except (FormatError, MarginError):
            continue  # `margin check` reports it
        for c in doc.codings:
            for code in c.codes:
                if merged.resolve(code) is not None:
                    continue
                side = next((s for s in ("ours", "theirs") if s in sides and sides[s].resolve(code)), None)
                if side is None:
                    continue  # nobody has it: `margin check` reports it
                slug = sides[side].resolve(code) or code
                entry = kept.setdefault(slug, _Kept(slug, side))
                entry.uses.append(
                    f"{doc.id} ¶{doc.paragraph_of(c.start) + 1} '{snippet(doc.text, c.start, c.end)}'"
                )
    order = {s: {slug: n for n, slug in enumerate(book.codes)} for s, book in sides.items()}
    return sorted(kept.values(), key=lambda k: (k.side, order[k.side][k.slug]))


def _put_back(merged: Codebook, side: Codebook, slug: str) -> None:
    """Add ``slug`` to ``merged`` as ``side`` has it: under its nearest ancestor that ``merged`` still has,
    after the sibling it follows there (else last)."""
    code = side.code(slug)
    parent = next((merged.resolve(a) for a in side.ancestors(slug) if merged.resolve(a) is not None), None)
    fields = {
        f: v
        for f in EDITABLE_FIELDS
        if f != "label" and (v := getattr(code, f)) is not None and (f, v) != ("codable", True)
    }
    siblings = side.children(code.parent) if code.parent else side.roots()
    before = siblings[siblings.index(slug) - 1] if siblings.index(slug) > 0 else None
    here = merged.children(parent) if parent else merged.roots()
    after = merged.resolve(before) if before is not None else None
    index = 0 if before is None else here.index(after) + 1 if after in here else None
    merged.add(slug, code.label, parent=parent, index=index, **fields)
    for alias in code.aliases:
        if merged.resolve(alias) is None:
            merged.add_alias(slug, alias)


def _stage(root: Path, text: str) -> None:
    """Stage ``text`` as codebook.yaml (the file on disk is written apart)."""
    import subprocess

    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin", "--path", CODEBOOK],
        cwd=root,
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    status, _, err = run_git(
        root, "update-index", "--cacheinfo", f"100644,{blob.stdout.decode().strip()},{CODEBOOK}"
    )
    if blob.returncode != 0 or status != 0:
        raise MarginError(f"cannot stage {CODEBOOK} with the codes the merge keeps: {err.strip()}")


def _describe(kept: _Kept, side: Codebook, theirs_label: str) -> str:
    who = theirs_label if kept.side == "ours" else "you"
    uses = kept.uses[:SHOWN] + ([f"and {len(kept.uses) - SHOWN} more"] if len(kept.uses) > SHOWN else [])
    codings = (
        f"{len(kept.uses)} coding{'s' if len(kept.uses) != 1 else ''} use{'s' if len(kept.uses) == 1 else ''}"
    )
    return (
        f"kept code {kept.slug} '{side.label(kept.slug)}', which {who} deleted: {codings} it "
        f"({'; '.join(uses)}) — delete it again if they should go"
    )
