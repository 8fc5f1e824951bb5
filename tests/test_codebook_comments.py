"""Comments in codebook.yaml survive every operation, each where a reader expects it: a property over
codebooks with comments in every position and random sequences of the code and set operations, and the
cases that once lost a comment, with fixed examples."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from codebook_comments import SETS, SLUGS, Book, books, comment_rows, holds_lines, innermost
from margin.cli import main
from margin.core import operations as ops
from margin.core.codebook import Codebook
from margin.core.errors import OperationError
from margin.core.project import Project
from test_codebook import SAMPLE

SAMPLE_BOOK = Book(
    SAMPLE,
    {"# Codebook of a small study.": None, "# Phase 1 codes": "codes", "# Phase 2 codes": "codes"},
    {"# blue"},
)
NAMES = [*SLUGS, "appreciative-language", "them-and-us", "power", "presence", "being-there", "role-models"]
NEW = ["new-a", "new-b", "careful-language"]

operation = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(NEW),
        st.none() | st.sampled_from(NAMES),
        st.none() | st.integers(0, 3),
    ),
    st.tuples(
        st.just("update"),
        st.sampled_from(NAMES),
        st.sampled_from(["label", "description", "memo", "color"]),
        st.none() | st.sampled_from(["New text", "Two\nlines", "#123456"]),
    ),
    st.tuples(st.just("reslug"), st.sampled_from(NAMES), st.sampled_from(NEW)),
    st.tuples(
        st.just("move"),
        st.sampled_from(NAMES),
        st.none() | st.sampled_from(NAMES),
        st.none() | st.integers(0, 3),
    ),
    st.tuples(st.just("merge"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("split"), st.sampled_from(NAMES)),
    st.tuples(st.just("delete"), st.sampled_from(NAMES)),
    st.tuples(st.just("alias"), st.sampled_from(NAMES), st.sampled_from(NEW), st.booleans()),
    st.tuples(st.just("set-add"), st.sampled_from(SETS), st.sampled_from(NAMES)),
    st.tuples(st.just("set-remove"), st.sampled_from(SETS), st.sampled_from(NAMES)),
    st.tuples(st.just("set-delete"), st.sampled_from(SETS)),
    st.tuples(st.just("set-create"), st.sampled_from(["theme-new", *SETS]), st.sampled_from(NAMES)),
    st.tuples(st.just("set-edit"), st.sampled_from(SETS), st.none() | st.just("A description")),
)


@contextmanager
def project_with(text: str) -> Iterator[Project]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "margin.yaml").write_text("name: Comments\n", encoding="utf-8")
        (root / "codebook.yaml").write_text(text, encoding="utf-8")
        yield Project.load(root)


def run(project: Project, op: tuple[object, ...]) -> None:
    kind, *args = op
    cb = project.codebook
    if kind == "add":
        slug, parent, index = args
        ops.add_code(project, str(slug), f"Label of {slug}", parent=parent, index=index)  # type: ignore[arg-type]
    elif kind == "update":
        slug, name, value = args
        ops.update_code(project, str(slug), **{str(name): value})
    elif kind == "reslug":
        ops.reslug_code(project, str(args[0]), str(args[1]))
    elif kind == "move":
        ops.move_code(project, str(args[0]), args[1], args[2])  # type: ignore[arg-type]
    elif kind == "merge":
        ops.merge_codes(project, str(args[0]), str(args[1]))
    elif kind == "split":
        ops.split_code(project, str(args[0]), ["First part", "Second part"])
    elif kind == "delete":
        ops.delete_code(project, str(args[0]), force=True)
    elif kind == "alias":
        (cb.add_alias if args[2] else cb.remove_alias)(str(args[0]), str(args[1]))
    elif kind == "set-add":
        ops.add_to_set(project, str(args[0]), str(args[1]))
    elif kind == "set-remove":
        ops.remove_from_set(project, str(args[0]), str(args[1]))
    elif kind == "set-delete":
        ops.delete_set(project, str(args[0]))
    elif kind == "set-create":
        ops.add_set(project, str(args[0]), "New set", [str(args[1])])
    else:
        ops.update_set(project, str(args[0]), description=args[1])  # type: ignore[arg-type]


class Homes:
    """Where each comment line belongs, followed through the operations: a re-slugged code's lines are
    the new slug's, a deleted code's or set's go to the block around it, and so do the lines of a block
    that can no longer hold any (written ``{…}`` or emptied)."""

    def __init__(self, book: Book) -> None:
        self.now = dict(book.homes)
        self.first = dict(book.homes)

    def parent(self, cb: Codebook, home: str) -> str | None:
        if home.startswith("set:"):
            return "sets"
        if home in ("codes", "sets"):
            return None
        return cb.codes[home].parent or "codes"

    def rename(self, old: str | None, new: str | None) -> None:
        self.now = {c: new if h == old else h for c, h in self.now.items()}

    def moves(self, cb: Codebook, op: tuple[object, ...]) -> tuple[str | None, str | None]:
        """The home ``op`` gives the lines of another (known from the codebook before it), if it succeeds."""
        kind, *args = op
        if kind == "reslug" and cb.get(str(args[0])) is not None:
            return cb.code(str(args[0])).slug, str(args[1])
        if kind in ("merge", "delete") and cb.get(str(args[0])) is not None:
            slug = cb.code(str(args[0])).slug
            return slug, self.parent(cb, slug)
        if kind == "set-delete":
            return f"set:{args[0]}", "sets"
        return None, None

    def after(self, text: str, moved: tuple[str | None, str | None]) -> None:
        if moved[0] is not None:
            self.rename(*moved)
        cb = Codebook.parse(text)
        for comment, home in self.now.items():
            while home is not None and not holds_lines(text, home):
                home = self.parent(cb, home)
            self.now[comment] = home


def check(book: Book, homes: Homes, text: str, cb: Codebook) -> None:
    rows = comment_rows(text)
    for comment, home in homes.now.items():
        assert len(rows.get(comment, [])) == 1, (comment, text)  # never lost, never doubled
        assert innermost(text, rows[comment][0]) == home, (comment, home, text)
    for comment in book.eol:
        assert len(re.findall(re.escape(comment) + r"$", text, re.M)) <= 1, (comment, text)
    kept = [c for c in book.homes if homes.now[c] == homes.first[c]]
    for home in set(homes.first.values()):
        same = [c for c in kept if homes.first[c] == home]
        assert sorted(same, key=lambda c: rows[c][0]) == same, (home, text)  # in the order written
    again = Codebook.parse(text)
    assert again.problems() == [] and again.codes == cb.codes and again.sets == cb.sets


def same_lines(a: str, b: str) -> bool:
    """Whether two texts are the same but for the spaces before end-of-line comments (ruamel keeps an
    end-of-line comment at the column it was read at, which differs between two readings of a line)."""
    spaces = re.compile(r" +(?=# e\d+$)", re.M)
    return spaces.sub(" ", a) == spaces.sub(" ", b)


def comments_survive(book: Book, steps: list[tuple[object, ...]]) -> None:
    """Run ``steps`` on ``book``; after each, every comment is where it belongs, and a codebook read
    afresh from the file takes the next step to the same text as the one that made the file."""
    homes = Homes(book)
    text = book.text
    with project_with(book.text) as project:
        for op in steps:
            moved = homes.moves(project.codebook, op)
            with project_with(text) as fresh:
                try:
                    run(fresh, op)
                except OperationError:
                    with pytest.raises(OperationError):
                        run(project, op)
                    assert project.codebook.dump() == text
                    continue
                run(project, op)
                text = project.codebook.dump()
                assert same_lines(fresh.codebook.dump(), text)
            homes.after(text, moved)
            check(book, homes, text, project.codebook)


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(st.just(SAMPLE_BOOK), books()), st.lists(operation, min_size=1, max_size=8))
@example(SAMPLE_BOOK, [("move", "power", "them-and-us", None), ("delete", "them-and-us")])
@example(SAMPLE_BOOK, [("move", "power", "them-and-us", None), ("merge", "them-and-us", "presence")])
@example(SAMPLE_BOOK, [("delete", "presence"), ("add", "new-a", None, 1)])
@example(SAMPLE_BOOK, [("move", "presence", None, 0), ("move", "attitude-change", "role-models", None)])
def test_comments_stay_where_they_belong_through_any_operations(
    book: Book, steps: list[tuple[object, ...]]
) -> None:
    comments_survive(book, steps)


# --- the cases, one by one -----------------------------------------------------------------------------
def test_moving_a_code_under_a_flow_code_then_deleting_that_code_keeps_the_comment_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "study"
    root.mkdir()
    (root / "margin.yaml").write_text("name: Comments\n", encoding="utf-8")
    (root / "codebook.yaml").write_text(SAMPLE, encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["code", "move", "power", "--to", "them-and-us"]) == 0
    moved = (root / "codebook.yaml").read_text(encoding="utf-8")
    assert (
        "      them-and-us:\n        label: 'Them and us'\n        color: '#e15759'\n        children:\n"
        "          power:\n            label: Language and power\n\n  # Phase 2 codes\n  presence:\n"
    ) in moved
    assert main(["code", "delete", "them-and-us"]) == 0
    deleted = (root / "codebook.yaml").read_text(encoding="utf-8")
    assert "      power:\n        label: Language and power\n\n  # Phase 2 codes\n  presence:\n" in deleted
    assert deleted == SAMPLE.replace("      them-and-us: {label: 'Them and us', color: '#e15759'}\n", "")
    capsys.readouterr()


def test_the_lines_before_a_moved_or_deleted_code_stay_in_place() -> None:
    cb = Codebook.parse(SAMPLE)
    cb.move(
        "presence", None, 0
    )  # '# Phase 1 codes' opens the codes, '# Phase 2 codes' stays before role-models
    out = cb.dump()
    assert out.index("  # Phase 1 codes\n  presence:") < out.index("  attitude-change:")
    assert "        label: Language and power\n\n  # Phase 2 codes\n  role-models:\n" in out
    cb = Codebook.parse(SAMPLE)
    cb.remove("presence", reparent_children=True)
    assert (
        "      power:\n        label: Language and power\n\n  # Phase 2 codes\n  being-there:\n" in cb.dump()
    )


def test_the_comments_inside_a_deleted_code_stay_where_it_was() -> None:
    text = SAMPLE.replace(
        "    label: Role models\n", "    label: Role models\n    # ask Rosa about this one\n"
    )
    cb = Codebook.parse(text)
    cb.remove("role-models")
    assert cb.dump().endswith(
        "      being-reachable:\n  # ask Rosa about this one\n\nsets:\n" + SAMPLE.split("sets:\n")[1]
    )


def test_comments_among_the_children_of_a_deleted_code_go_up_with_them() -> None:
    text = SAMPLE.replace(
        "    children:\n      being-there:\n",
        "    children:\n      # where they are\n      being-there:\n",
    ).replace(
        "      being-reachable:\n",
        "      # how to reach them\n      being-reachable:\n      # end of presence\n",
    )
    cb = Codebook.parse(text)
    cb.remove("presence", reparent_children=True)
    assert (
        "  # Phase 2 codes\n  # where they are\n  being-there:\n    label: Being there\n"
        "  # how to reach them\n  being-reachable:\n  # end of presence\n  role-models:\n"
    ) in cb.dump()
