"""Coders in clones of one remote, random sessions, syncing in random orders: nothing lost, nothing doubled.

The simulation itself is benchmarks/sim_merge.py (which also runs larger instances); it raises when a
clone differs, a coding nobody removed is missing or doubled or off its words, a removed coding comes
back, or a conflict appears where the two sides did not both change the same text.
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


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sim_merge", SIM_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sim_merge"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize(
    ("coders", "rounds", "ops", "seed"),
    [(2, 8, 8, 1), (2, 8, 8, 28), (5, 4, 6, 17), (5, 4, 6, 208)],
    ids=["two-coders", "two-coders-conflicts", "five-coders", "five-coders-renames"],
)
def test_random_sessions_and_syncs_lose_nothing(
    sim: ModuleType, tmp_path: Path, coders: int, rounds: int, ops: int, seed: int
) -> None:
    outcome = sim.run(tmp_path, coders=coders, rounds=rounds, ops_per_session=ops, seed=seed)
    assert outcome.syncs >= coders * 2
    assert outcome.identities > 10 and outcome.alive > 0


def test_a_coding_removed_on_one_side_and_kept_on_the_other_is_gone(sim: ModuleType, tmp_path: Path) -> None:
    """The ledger's checks are themselves checked: a coding brought back after its removal is caught."""
    ledger = sim.Ledger()
    remote = sim.make_remote(tmp_path, docs=1, paragraphs=2, words=5)
    sim.git(tmp_path, "clone", "-q", str(remote), "coder0")
    root = tmp_path / "coder0"
    drivers.install(root)
    coder = sim.Coder(0, root, ledger, random.Random(0))
    assert coder.apply(Project.load(root))
    sim.git(root, "add", "-A")
    sim.git(root, "commit", "-qm", "a coding")
    sim.check_final([coder], ledger)
    [identity] = ledger.identities.values()
    identity.removed = True  # the ledger says someone removed it; the files still have it
    with pytest.raises(AssertionError, match="codings for 0 made and kept"):
        sim.check_final([coder], ledger)
