"""The benchmark corpus generator writes valid, canonical, deterministic Margin projects."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from margin.core.coding import Coding, is_slug
from margin.core.document import Document, load_document
from margin.core.yamlio import load_safe

GEN_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "gen_corpus.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def load_all(root: Path) -> list[Document]:
    """Every transcript of a project, parsed; asserts that writing it back gives the same bytes."""
    from margin.core.document import serialise_document

    docs = []
    for path in sorted((root / "documents").glob("*/*.txt")):
        data = path.read_bytes()
        doc = load_document(data, path.relative_to(root / "documents").with_suffix("").as_posix(), str(path))
        assert serialise_document(doc).encode("utf-8") == data, path
        docs.append(doc)
    return docs


def code_tree(root: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """Slug -> depth (1-based) of every code, and the parsed codebook."""
    book = load_safe((root / "codebook.yaml").read_text(encoding="utf-8"))
    depth: dict[str, int] = {}
    stack = [(book["codes"], 1)]
    while stack:
        codes, level = stack.pop()
        for slug, fields in codes.items():
            assert is_slug(slug) and slug not in depth
            depth[slug] = level
            stack.append((fields.get("children") or {}, level + 1))
    return depth, book


def crossing(a: Coding, b: Coding) -> bool:
    return bool(a.start < b.start < a.end < b.end)


def nested(outer: Coding, inner: Coding) -> bool:
    same = (outer.start, outer.end) == (inner.start, inner.end)
    return outer.start <= inner.start and inner.end <= outer.end and not same


def test_interview_corpus_loads(gen: ModuleType, tmp_path: Path) -> None:
    summary = gen.generate_interviews(tmp_path, "bench-small", docs=6)
    root = tmp_path / "bench-small"
    docs = load_all(root)
    assert len(docs) == summary.documents == 6
    assert {d.group for d in docs} == set(gen.GROUPS)
    assert sum(len(d.codings) for d in docs) == summary.codings

    depth, book = code_tree(root)
    assert sorted(set(depth.values())) == [1, 2, 3]
    assert 150 <= len(depth) <= 250
    assert all(depth[s] == 1 for s in depth if not _codable(book, s))
    for members in book["sets"].values():
        assert set(members["codes"]) <= set(depth)

    people = load_safe((root / "participants.yaml").read_text(encoding="utf-8"))
    declared = people["attributes"]
    assert len(declared) == 6 and len(people["participants"]) == 50
    for values in people["participants"].values():
        assert set(values) == set(declared)
        for name, value in values.items():
            kind = declared[name]["type"]
            if kind == "category":
                assert value in declared[name]["values"]
            else:
                assert isinstance(value, {"number": int, "date": dt.date, "boolean": bool}[kind])

    for doc in docs:
        assert 40 <= len(doc.codings) <= 65, doc.id
        assert 9_000 <= len(doc.text.split()) <= 12_000, doc.id
        assert all(depth.get(code, 1) > 1 for c in doc.codings for code in c.codes), (
            "a grouping code was applied"
        )
        assert any(len(c.codes) == 2 for c in doc.codings)
        assert doc.meta["method"] == "interview" and isinstance(doc.meta["date"], dt.date)
        assert set(v for v in doc.speakers.values() if v is not None) <= set(people["participants"])
        assert doc.turn(0).speaker == "I"
        assert doc.turn(1).speaker in doc.speakers
    every = [c for d in docs for c in d.codings]
    assert any(c.memo for c in every)
    assert any(nested(a, b) for d in docs for a in d.codings for b in d.codings)
    assert (root / "margin.yaml").exists() and (root / "memos" / "project.md").exists()


def _codable(book: dict[str, Any], slug: str) -> bool:
    stack = [book["codes"]]
    while stack:
        codes = stack.pop()
        if slug in codes:
            return bool(codes[slug].get("codable", True))
        stack.extend((f.get("children") or {}) for f in codes.values())
    raise KeyError(slug)


def test_focus_group_has_nested_crossing_and_multi_paragraph_spans(gen: ModuleType, tmp_path: Path) -> None:
    summary = gen.generate_focus_group(tmp_path, "fg", lines=1_000)
    (doc,) = load_all(tmp_path / "fg")
    assert doc.paragraph_count == 1_000
    assert len(doc.codings) == summary.codings >= 350
    assert len({doc.turn(i).speaker for i in range(doc.paragraph_count)} - {None}) == 8
    codings = doc.codings
    assert any(crossing(a, b) for a in codings for b in codings)
    assert any(nested(a, b) for a in codings for b in codings)
    assert any("\n" in doc.text[c.start : c.end] for c in codings)
    assert any(c.label for c in codings)


def test_generation_is_deterministic(gen: ModuleType, tmp_path: Path) -> None:
    for out in ("a", "b"):
        assert (
            gen.main(
                ["bench-200", "focus-group", "--docs", "2", "--lines", "200", "--out", str(tmp_path / out)]
            )
            == 0
        )
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 6
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_refuses_to_overwrite_a_folder_it_did_not_generate(gen: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "bench-200").mkdir()
    (tmp_path / "bench-200" / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        gen.main(["bench-200", "--docs", "1", "--out", str(tmp_path)])
    assert (tmp_path / "bench-200" / "notes.txt").exists()
