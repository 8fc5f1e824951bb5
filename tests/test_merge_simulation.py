"""Coders in clones of one remote, random sessions, syncing in random orders: nothing lost, nothing doubled.

The simulation itself is benchmarks/sim_merge.py (which also runs larger instances); after every sync it
raises when a coding nobody removed is missing or doubled or off its words, a removed coding comes back, a
coding sits on punctuation only, the project fails the check, or a conflict appears where the two sides
did not both change the same text or code; at the end, when the clones differ. Each run is seeded, and a
failure names the seed and the command that repeats it.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from margin.core.project import Project
from margin.vcs import drivers

SIM_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "sim_merge.py"
SHORT_SEED = 11
"""The default run's seed: one whose short run deletes, merges and re-slugs codes among uses and removals,
with a conflict and a code kept because one coder deleted it while the other applied it (the test checks
that it still does)."""


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sim_merge", SIM_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sim_merge"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_code_deletes_merges_and_reslugs_racing_uses_and_removals(sim: ModuleType, tmp_path: Path) -> None:
    """A short run whose seed makes coders delete, merge and re-slug codes while others apply and remove
    them, with conflicts on the way: the ledger checks every sync."""
    outcome = sim.run(tmp_path, coders=2, rounds=4, ops_per_session=8, seed=SHORT_SEED)
    for action in ("delete_code", "merge_codes", "reslug", "reuse", "remove", "change", "edit"):
        assert outcome.actions.get(action, 0) >= 1, (action, outcome.actions)
    assert outcome.conflicts and outcome.kept and outcome.alive > 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("coders", "rounds", "ops", "seed"),
    [(2, 8, 8, 1), (2, 8, 8, 28), (3, 6, 8, 22), (5, 4, 6, 17), (5, 4, 6, 208)],
    ids=[
        "two-coders",
        "two-coders-conflicts",
        "three-coders-kept-code",
        "five-coders",
        "five-coders-renames",
    ],
)
def test_random_sessions_and_syncs_lose_nothing(
    sim: ModuleType, tmp_path: Path, coders: int, rounds: int, ops: int, seed: int
) -> None:
    outcome = sim.run(tmp_path, coders=coders, rounds=rounds, ops_per_session=ops, seed=seed)
    assert outcome.syncs >= coders * 2
    assert outcome.identities > 10 and outcome.alive > 0


def _one_coding(sim: ModuleType, tmp_path: Path) -> tuple[ModuleType, ModuleType]:
    """A coder's clone with one coding made and committed, and the ledger that knows it."""
    ledger = sim.Ledger()
    remote = sim.make_remote(tmp_path, docs=1, paragraphs=2, words=5)
    coder = sim.Coder(0, sim.clone_for(tmp_path, remote, "coder0"), ledger, random.Random(0))
    assert coder.apply(Project.load(coder.root))
    coder.session(0)  # commits it
    sim.check_clone(coder, ledger)
    return ledger, coder


def test_the_ledger_catches_a_removed_coding_that_came_back(sim: ModuleType, tmp_path: Path) -> None:
    """The ledger's checks are themselves checked: a coding the ledger says was removed, still there."""
    ledger, coder = _one_coding(sim, tmp_path)
    [identity] = ledger.identities.values()
    identity.removals.append(sim.git(coder.root, "rev-parse", "HEAD").stdout.strip())
    with pytest.raises(AssertionError, match="codings for 0 made and kept"):
        sim.check_clone(coder, ledger)


def test_the_ledger_catches_a_coding_off_its_words(sim: ModuleType, tmp_path: Path) -> None:
    ledger, coder = _one_coding(sim, tmp_path)
    [identity] = ledger.identities.values()
    identity.words = [(sha, frozenset({"w1", "w2"})) for sha, _ in identity.words]
    with pytest.raises(AssertionError, match="is missing"):
        sim.check_clone(coder, ledger)


def test_the_ledger_catches_a_coding_on_punctuation_only(sim: ModuleType, tmp_path: Path) -> None:
    ledger, coder = _one_coding(sim, tmp_path)
    [identity] = ledger.identities.values()
    path = coder.root / "documents/g/d0.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + f"P1: Really {{?}}[{min(identity.codes)}]\n", encoding="utf-8"
    )
    sim.git(coder.root, "commit", "-qam", "a coding on a question mark")
    with pytest.raises(AssertionError, match="a coding on punctuation only"):
        sim.check_clone(coder, ledger)
    assert drivers.check(coder.root) == []
