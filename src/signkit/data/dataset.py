"""Datasets of labelled poses and the loaders that read them, registered by name.

A sample is a :class:`~signkit.pose.Pose` whose ``metadata`` holds ``gloss`` and ``signer``
(and whatever the source adds). A dataset is named on the command line as ``LOADER:PATH``,
e.g. ``krsl20:../shared/data/krsl20/krsl20_hands2d_P1-P4.npz``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signkit.errors import ConfigError, PoseFileError
from signkit.pose.pose import Pose
from signkit.registry import Registry


@dataclass
class Dataset:
    """Labelled poses; ``glosses``, ``signers`` and ``splits`` are per-sample arrays."""

    name: str
    samples: list[Pose]

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def glosses(self) -> np.ndarray:
        return np.array([str(p.metadata["gloss"]) for p in self.samples])

    @property
    def signers(self) -> np.ndarray:
        return np.array([str(p.metadata.get("signer", "")) for p in self.samples])

    @property
    def vocabulary(self) -> list[str]:
        return sorted(set(self.glosses.tolist()))

    def subset(self, indices: Sequence[int]) -> Dataset:
        return Dataset(self.name, [self.samples[i] for i in indices])

    def of_signers(self, signers: Sequence[str]) -> Dataset:
        """Only the samples of ``signers`` (ids as the loader gives them, e.g. ``"3"``)."""
        wanted, per_sample = {str(s) for s in signers}, self.signers.tolist()
        if missing := sorted(wanted - set(per_sample)):
            raise ConfigError(f"{self.name}: no signer {', '.join(missing)} "
                              f"(its signers: {', '.join(sorted(set(per_sample))) or 'none recorded'})")
        kept = self.subset([i for i, s in enumerate(per_sample) if s in wanted])
        return Dataset(f"{self.name} (signers {', '.join(sorted(wanted))})", kept.samples)


@dataclass(frozen=True)
class Loader:
    """A registered reader of ``LOADER:PATH``; ``reads_files``: PATH names a file or folder (a
    recipe's is relative to the recipe), not a size (``synthetic:5x12``)."""

    read: Callable[[Path], list]
    reads_files: bool = True

    def __call__(self, path: Path) -> list:
        return self.read(path)


DATASETS: Registry[Loader] = Registry("dataset loader", package="signkit.data.loaders")


def loader(name: str, reads_files: bool = True) -> Callable[[Callable], Callable]:
    """Register a function ``(path) -> samples`` as the dataset loader ``name``."""
    def register(read: Callable) -> Callable:
        DATASETS.register(name)(Loader(read, reads_files))
        return read

    return register


def load_dataset(spec: str) -> Dataset:
    """``"LOADER:PATH"`` -> :class:`Dataset`."""
    loader, sep, path = spec.partition(":")
    if not sep or not path:
        raise ConfigError(f"dataset must be given as LOADER:PATH (loaders: {', '.join(DATASETS)}), "
                          f"got {spec!r}")
    read = DATASETS.get(loader)
    p = Path(path)
    if read.reads_files and not p.exists():
        raise PoseFileError(p, "no such file or directory")
    samples = read(p)
    if not samples:
        raise PoseFileError(p, "the dataset holds no samples")
    missing = [i for i, s in enumerate(samples) if "gloss" not in s.metadata]
    if missing:
        raise PoseFileError(p, f"{len(missing)} samples have no gloss (first: #{missing[0]})")
    return Dataset(spec, samples)


def save_vocabulary(vocabulary: Sequence[str], path: str | Path) -> None:
    Path(path).write_text(json.dumps(list(vocabulary), indent=0, ensure_ascii=False))


def read_vocabulary(path: str | Path) -> list[str]:
    return list(json.loads(Path(path).read_text()))
