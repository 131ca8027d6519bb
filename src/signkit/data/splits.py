"""Train / validation / test splits, seeded and saved to disk, registered by name.

Every split function returns a list of folds ``{"train": [...], "val": [...], "test": [...]}``
of sample indices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from signkit.data.dataset import Dataset
from signkit.errors import ConfigError, PoseFileError
from signkit.registry import Registry
from signkit.runs import SPLIT_FILE as SPLIT_FILE  # every run folder saves its folds under it

Fold = dict[str, list[int]]
SPLITS: Registry[Callable[..., list[Fold]]] = Registry("split")


def _stratify(labels: np.ndarray, fraction: float) -> np.ndarray | None:
    """Labels to stratify by, or ``None`` when a class is too small or the held-out part could
    not hold one sample of every class."""
    _, counts = np.unique(labels, return_counts=True)
    held = int(np.ceil(fraction * len(labels)))
    ok = counts.min() >= 2 and len(counts) <= held <= len(labels) - len(counts)
    return labels if ok else None


def holdout_val(train: np.ndarray, labels: np.ndarray, fraction: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split ``fraction`` of ``train`` off for validation, stratified when every class allows."""
    if fraction <= 0 or len(train) < 2:
        return train, np.array([], dtype=np.int64)
    tr, va = train_test_split(train, test_size=fraction, stratify=_stratify(labels[train], fraction),
                              random_state=int(rng.integers(2**31)))
    return np.sort(tr), np.sort(va)


def _fold(train: np.ndarray, val: np.ndarray, test: np.ndarray) -> Fold:
    return {"train": sorted(map(int, train)), "val": sorted(map(int, val)),
            "test": sorted(map(int, test))}


@SPLITS.register("krsl")
def krsl_protocol(ds: Dataset, indices: np.ndarray, seed: int = 0, val: float = 0.2) -> list[Fold]:
    """K-RSL protocol: for each class one test signer drawn at random; the other signers' samples
    of that class train, 20 % of train validates."""
    rng = np.random.default_rng(seed)
    glosses, signers = ds.glosses, ds.signers
    test = []
    for gloss in np.unique(glosses[indices]):
        of_class = indices[glosses[indices] == gloss]
        chosen = rng.choice(np.unique(signers[of_class]))
        test.extend(of_class[signers[of_class] == chosen])
    test_arr = np.array(sorted(test), dtype=np.int64)
    train = np.setdiff1d(indices, test_arr)
    tr, va = holdout_val(train, glosses, val, rng)
    return [_fold(tr, va, test_arr)]


@SPLITS.register("loso")
def leave_one_signer_out(ds: Dataset, indices: np.ndarray, seed: int = 0,
                         val: float = 0.2) -> list[Fold]:
    """One fold per signer: that signer tests, everyone else trains (20 % validates)."""
    rng = np.random.default_rng(seed)
    signers = ds.signers
    names = np.unique(signers[indices])
    if len(names) < 2:
        raise ConfigError(f"leave-one-signer-out needs at least two signers; {ds.name} has "
                          f"{len(names)} (use --split random)")
    folds = []
    for s in names:
        test = indices[signers[indices] == s]
        tr, va = holdout_val(indices[signers[indices] != s], ds.glosses, val, rng)
        folds.append(_fold(tr, va, test))
    return folds


@SPLITS.register("random")
def random_stratified(ds: Dataset, indices: np.ndarray, seed: int = 0, val: float = 0.2,
                      test: float = 0.2) -> list[Fold]:
    """Random split stratified by gloss (run it on de-duplicated indices: see ``--dedup``)."""
    rng = np.random.default_rng(seed)
    glosses = ds.glosses
    train, test_idx = train_test_split(indices, test_size=test,
                                       stratify=_stratify(glosses[indices], test),
                                       random_state=int(rng.integers(2**31)))
    tr, va = holdout_val(np.sort(train), glosses, val, rng)
    return [_fold(tr, va, np.sort(test_idx))]


def split_from_file(path: str | Path) -> list[Fold]:
    """A fixed split saved by :func:`save_splits` (or written by hand in the same JSON form)."""
    try:
        folds = json.loads(Path(path).read_text())["folds"]
        return [{k: [int(i) for i in f.get(k, [])] for k in ("train", "val", "test")}
                for f in folds]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PoseFileError(path, f"not a split file ({exc})") from exc


def make_splits(ds: Dataset, name: str, indices: np.ndarray | None = None, seed: int = 0,
                **kw: float) -> list[Fold]:
    """Folds of split ``name`` (``krsl``, ``loso``, ``random`` or a path to a split file)."""
    if name not in SPLITS and Path(name).suffix == ".json":
        return split_from_file(name)
    idx = np.arange(len(ds)) if indices is None else np.asarray(indices)
    return SPLITS.get(name)(ds, idx, seed=seed, **kw)


def save_splits(folds: list[Fold], path: str | Path, **info: object) -> None:
    Path(path).write_text(json.dumps({**info, "folds": folds}))


def tested_part(run_dir: str | Path, ds: Dataset) -> Dataset:
    """The samples of ``ds`` that the run in ``run_dir`` (one fold) was tested on."""
    path = Path(run_dir) / SPLIT_FILE
    folds = split_from_file(path)
    if len(folds) != 1:
        raise PoseFileError(path, f"{len(folds)} folds; the test part needs the run of one fold "
                                  "(signkit train, or one fold folder of crossval or ensemble)")
    test = folds[0]["test"]
    if max(test, default=-1) >= len(ds):
        raise PoseFileError(path, f"its test part indexes sample {max(test)}, but {ds.name} has "
                                  f"{len(ds)}: not the dataset this run was split on")
    return Dataset(f"{ds.name} (test part of {run_dir})", ds.subset(test).samples)
