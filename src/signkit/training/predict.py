"""Reload a run folder and classify poses: ``signkit predict`` and ``signkit evaluate``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from signkit.data.dataset import read_vocabulary
from signkit.errors import ConfigError, PoseFileError
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose
from signkit.reports import metrics as M
from signkit.runs import CHECKPOINTS, CONFIG, LAYOUT, VOCAB
from signkit.training.config import Recipe, read_config

if TYPE_CHECKING:
    from signkit.training.ensemble import EnsembleRun


@dataclass
class TrainedRun:
    """What every trained run has, whatever it reads: its recipe and vocabulary."""

    recipe: Recipe
    vocabulary: list[str]

    @property
    def task(self) -> str:
        return self.recipe.task

    @property
    def merge(self) -> str | None:
        """The recipe's rule merging glosses for the merged-class accuracy."""
        return self.recipe.data.merge


@dataclass
class ModelRun(TrainedRun):
    """A trained pose model with what it needs to read new poses the way it was trained.
    Subclasses run the network (:class:`LoadedRun`: PyTorch; ``signkit.export``: onnxruntime);
    reading poses, batching and the probabilities are shared here, in NumPy."""

    layout: Layout
    path: Path

    @property
    def stride(self) -> int:
        """Input frames per output step of a sequence (CTC) model."""
        raise NotImplementedError

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Classification: ``(B, T, V, C)`` -> ``(B, classes)``."""
        raise NotImplementedError

    def sequence_log_probs(self, x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """CTC: padded ``(B, T, V, C)`` and ``(B,)`` lengths -> ``(B, L, N)`` log-probabilities and
        each sample's output steps ``(B,)``."""
        raise NotImplementedError

    def read_input(self, path: Path) -> Pose:
        """A file this run reads (a pose file), for ``signkit predict``."""
        from signkit.pose.io import read_pose

        pose = read_pose(path)
        pose.metadata.setdefault("source", str(path))
        return pose

    def prepare(self, poses: list[Pose]) -> list[Pose]:
        from signkit.training.arrays import prepare

        prepared = prepare(poses, self.recipe.data)
        for pose, src in zip(prepared, poses, strict=True):
            if pose.layout.keypoints != self.layout.keypoints:
                raise ConfigError(f"{src.metadata.get('source', 'pose')}: its {self.recipe.data.groups} "
                                  f"keypoints differ from the model's ({pose.layout.name} vs "
                                  f"{self.layout.name})")
        return prepared

    def predict_proba(self, prepared: list[Pose], batch: int = 256) -> np.ndarray:
        """``(N, classes)`` probabilities for poses already passed through :meth:`prepare`."""
        from scipy.special import softmax

        from signkit.training.arrays import to_array

        cfg = self.recipe.data
        out = [softmax(self.logits(np.stack([to_array(p, cfg) for p in prepared[i:i + batch]])), -1)
               for i in range(0, len(prepared), batch)]
        return np.concatenate(out) if out else np.zeros((0, len(self.vocabulary)), np.float32)

    def log_probs(self, prepared: list[Pose], batch: int = 32) -> list[np.ndarray]:
        """Per pose, ``(L, N)`` log-probabilities over the vocabulary (index 0: blank), one row per
        output step of :attr:`stride` frames. Poses are batched by length to keep padding small."""
        from signkit.training.arrays import batches_by_length, pad, sequence_array

        arrays = [sequence_array(p, self.recipe.data) for p in prepared]
        out: list[np.ndarray] = [np.zeros((0, len(self.vocabulary)), np.float32)] * len(prepared)
        for idx in batches_by_length(arrays, batch):
            lp, steps = self.sequence_log_probs(*pad([arrays[j] for j in idx]))
            for j, row, n in zip(idx, lp, steps.tolist(), strict=True):
                out[j] = row[:n]
        return out


@dataclass
class LoadedRun(ModelRun):
    """A run folder of ``signkit train``, run by PyTorch."""

    module: Any = None

    @property
    def stride(self) -> int:
        return self.module.model.stride

    def logits(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self.module(torch.from_numpy(x)).numpy()

    def sequence_log_probs(self, x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import torch

        with torch.inference_mode():
            lp, steps = self.module(torch.from_numpy(x), torch.from_numpy(lengths))
        return lp.numpy(), steps.numpy()


def run_files(run_dir: str | Path, checkpoint: str = "best") -> list[Path]:
    """The files that reload a run: config, vocabulary and checkpoint (a missing one raises),
    then the keypoint layout of a pose run (which its modality checks)."""
    run = Path(run_dir)
    needed = [run / CONFIG, run / VOCAB, run / CHECKPOINTS / f"{checkpoint}.ckpt"]
    for path in needed:
        if not path.is_file():
            raise PoseFileError(path, "missing: not a complete training run folder")
    return needed + [p for p in (run / LAYOUT,) if p.is_file()]


def load_run(run_dir: str | Path, checkpoint: str = "best") -> Any:
    """Everything from the run folder alone: config, vocabulary, weights (and the pose layout),
    as its modality reads them."""
    from signkit.extras import require
    from signkit.training.registries import get_modality

    require("torch", "train")
    run = Path(run_dir)
    config, vocabulary, ckpt, *_ = run_files(run, checkpoint)
    recipe = read_config(config)
    return get_modality(recipe.model.modality).load_run(run, recipe, read_vocabulary(vocabulary), ckpt)


def proba_report(proba: np.ndarray, vocabulary: list[str], glosses: list[str],
                 merge: str | None) -> dict[str, float]:
    """The report of the baseline issue (top-1, top-5, macro-F1, merged) for ``(N, classes)``
    probabilities over ``vocabulary`` against the true ``glosses``."""
    from signkit.reports.metrics import merge_fn

    pred = [vocabulary[i] for i in proba.argmax(1)]
    return M.classification_report(glosses, pred, proba, vocabulary, merge_fn(merge))


def evaluate_poses(run: LoadedRun | EnsembleRun, prepared: list[Pose], glosses: list[str],
                   merge: str | None) -> tuple[dict[str, float], np.ndarray]:
    """The report of :func:`proba_report` for the run's predictions, and the probabilities."""
    proba = run.predict_proba(prepared)
    return proba_report(proba, run.vocabulary, glosses, merge), proba
