"""The krsl20 probes behind figures in recipes/krsl20/README.md, on the real corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from signkit.data.dataset import load_dataset
from signkit.data.duplicates import near_duplicate_groups
from signkit.data.splits import make_splits
from tests.conftest import shared_path

PROBES = Path(__file__).resolve().parents[1] / "recipes" / "krsl20" / "probes"


def _enrol_split(npz: Path, out: Path, shots: int, held: int) -> list[dict[str, list[int]]]:
    subprocess.run([sys.executable, str(PROBES / "enrol_split.py"), str(npz), "--shots", str(shots),
                    "--held", str(held), "-o", str(out)], check=True, capture_output=True)
    return json.loads(out.read_text())["folds"]


def test_enrol_split_trains_on_a_few_recordings_and_tests_on_none_of_them(tmp_path: Path) -> None:
    npz = shared_path("krsl20", "krsl20_hands2d_P1-P4.npz")
    ds = load_dataset(f"krsl20:{npz}")
    loso = make_splits(ds, "loso")
    enrolled = _enrol_split(npz, tmp_path / "e2.json", shots=2, held=5)
    reference = _enrol_split(npz, tmp_path / "e0.json", shots=0, held=5)
    group_of = {i: set(g) for g in near_duplicate_groups(ds.samples) for i in g}
    for plain, enr, ref in zip(loso, enrolled, reference, strict=True):
        signer = ds.signers[plain["test"][0]]
        added = sorted(set(enr["train"]) - set(plain["train"]))
        # Two distinct recordings per class of the test signer, nothing else, train in addition.
        assert set(ds.signers[added]) == {signer}
        assert sorted(np.unique(ds.glosses[added], return_counts=True)[1]) == [2] * 20
        assert not any(group_of.get(a, {a}) & group_of.get(b, {b}) for a in added for b in added if a < b)
        # Nothing tested was trained on, nor a copy of it; the validation part is LOSO's.
        copies = {j for i in added for j in group_of.get(i, {i})}
        assert not copies & set(enr["test"]) and not set(enr["train"]) & set(enr["test"])
        assert enr["val"] == plain["val"] and set(enr["test"]) < set(plain["test"])
        # The reference keeps the same test part and LOSO's training part.
        assert ref["test"] == enr["test"] and ref["train"] == plain["train"]
