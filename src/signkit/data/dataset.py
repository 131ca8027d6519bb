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

from signkit.data.manifest import manifest_rows
from signkit.errors import ConfigError, PoseFileError
from signkit.pose.io import read_pose
from signkit.pose.io.arrays import read_krsl_npz, read_mediapipe_npz
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


DATASETS: Registry[Callable[[Path], list[Pose]]] = Registry("dataset loader")


def load_dataset(spec: str) -> Dataset:
    """``"LOADER:PATH"`` -> :class:`Dataset`."""
    loader, sep, path = spec.partition(":")
    if not sep or not path:
        raise ConfigError(f"dataset must be given as LOADER:PATH (loaders: {', '.join(DATASETS)}), "
                          f"got {spec!r}")
    read = DATASETS.get(loader)
    p = Path(path)
    if getattr(read, "reads_files", True) and not p.exists():
        raise PoseFileError(p, "no such file or directory")
    samples = read(p)
    if not samples:
        raise PoseFileError(p, "the dataset holds no samples")
    missing = [i for i, s in enumerate(samples) if "gloss" not in s.metadata]
    if missing:
        raise PoseFileError(p, f"{len(missing)} samples have no gloss (first: #{missing[0]})")
    return Dataset(spec, samples)


DATASETS.register("krsl20")(read_krsl_npz)
DATASETS.register("mp_array")(read_mediapipe_npz)


def _manifest_loader(path: Path) -> list[Pose]:
    samples = []
    for _, fields, file, _ in manifest_rows(path):
        pose = read_pose(file)
        pose.metadata.update(fields)
        pose.metadata.setdefault("source", str(file))
        samples.append(pose)
    return samples


def _corpus_loader(path: Path) -> list[Pose]:
    """Every video of a corpus (``signkit corpus build``), unlabelled (gloss ""): pretraining data."""
    from signkit.corpus import Corpus

    with Corpus(path) as corpus:
        poses = list(corpus.poses())
    for p in poses:
        p.metadata.setdefault("gloss", "")
    return poses


DATASETS.register("corpus")(_corpus_loader)
DATASETS.register("pose_dir")(_manifest_loader)
DATASETS.register("openpose_dir")(_manifest_loader)
"""Both read a manifest whose ``file`` column names a ``.pose`` file or an OpenPose folder."""


def _video_loader(path: Path):
    """Labelled videos (the RGB modality, ``model.modality: video``), not poses."""
    from signkit.data.videos import read_video_manifest

    return read_video_manifest(path)


DATASETS.register("video_dir")(_video_loader)


def _openface_elan_loader(path: Path) -> list[Pose]:
    """A folder of OpenFace CSVs with ELAN annotations (see :mod:`signkit.data.openface_elan`)."""
    from signkit.data.openface_elan import read_openface_elan

    return read_openface_elan(path)


DATASETS.register("openface_elan")(_openface_elan_loader)


def save_vocabulary(vocabulary: Sequence[str], path: str | Path) -> None:
    Path(path).write_text(json.dumps(list(vocabulary), indent=0, ensure_ascii=False))


def read_vocabulary(path: str | Path) -> list[str]:
    return list(json.loads(Path(path).read_text()))


def _synthetic_loader(spec: Path) -> list[Pose]:
    """``synthetic:SIGNERSxREPETITIONS[xSEED]``, e.g. ``synthetic:5x12``: the built-in corpus."""
    from signkit.data.synthetic import generate

    parts = str(spec).lower().split("x")
    if len(parts) not in (2, 3) or not all(v.isdigit() for v in parts):
        raise ConfigError(f"synthetic:{spec}: expected SIGNERSxREPETITIONS[xSEED], e.g. synthetic:5x12")
    signers, reps, seed = (*map(int, parts), 0)[:3]
    return generate(signers, reps, seed)


_synthetic_loader.reads_files = False  # type: ignore[attr-defined]
DATASETS.register("synthetic")(_synthetic_loader)


def _synthetic_sentences_loader(spec: Path) -> list[Pose]:
    """``synthetic_sentences:SIGNERSxSENTENCES[xSEED][:last]``, e.g. ``synthetic_sentences:5x60``:
    continuous synthetic sentences whose questions are marked by eyebrows and head over the whole
    sentence (``:last``: over its last sign only)."""
    from signkit.data.synthetic import generate_sentences

    text, _, scope = str(spec).lower().partition(":")
    parts = text.split("x")
    if len(parts) not in (2, 3) or not all(v.isdigit() for v in parts) or scope not in ("", "last"):
        raise ConfigError(f"synthetic_sentences:{spec}: expected SIGNERSxSENTENCES[xSEED][:last], "
                          "e.g. synthetic_sentences:5x60")
    signers, per_signer, seed = (*map(int, parts), 0)[:3]
    return generate_sentences(signers, per_signer, seed, scope=scope or "sentence")


_synthetic_sentences_loader.reads_files = False  # type: ignore[attr-defined]
DATASETS.register("synthetic_sentences")(_synthetic_sentences_loader)
