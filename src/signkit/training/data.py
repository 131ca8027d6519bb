"""Poses -> tensors ``(T, V, C)`` for the deep models, with training augmentation: fixed-length
for classification, every frame (padded batches with lengths) for continuous recognition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset as TorchDataset

from signkit.pose.pose import Pose
from signkit.training.arrays import sequence_array, to_array
from signkit.training.config import DataConfig
from signkit.transforms import build_transforms


class PoseTensorDataset(TorchDataset):
    """Prepared poses and label ids; ``train=True`` applies the augmentation and jittered sampling."""

    def __init__(self, poses: Sequence[Pose], labels: Sequence[int], cfg: DataConfig,
                 train: bool = False, seed: int = 0):
        self.poses, self.labels, self.cfg, self.train = list(poses), np.asarray(labels), cfg, train
        self.augment = build_transforms(cfg.augment, seed=seed) if train and cfg.augment else None
        self.rng = np.random.default_rng(seed)
        # Evaluation tensors never change: compute them once.
        self._fixed = None if train else torch.from_numpy(np.stack([to_array(p, cfg) for p in self.poses]))

    def __len__(self) -> int:
        return len(self.poses)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        if self._fixed is not None:
            return self._fixed[i], int(self.labels[i])
        pose = self.poses[i]
        if self.augment is not None:
            pose = self.augment(pose, self.rng)
        return torch.from_numpy(to_array(pose, self.cfg, self.rng)), int(self.labels[i])


class PoseSequenceDataset(TorchDataset):
    """Prepared poses of any length and their gloss-id sequences (continuous recognition);
    ``train=True`` applies the augmentation. Batches come from :func:`pad_batch`."""

    def __init__(self, poses: Sequence[Pose], targets: Sequence[Sequence[int]], cfg: DataConfig,
                 train: bool = False, seed: int = 0):
        self.poses, self.targets, self.cfg = list(poses), [list(t) for t in targets], cfg
        self.augment = build_transforms(cfg.augment, seed=seed) if train and cfg.augment else None
        self.rng = np.random.default_rng(seed)
        self._fixed = None if train else [torch.from_numpy(sequence_array(p, cfg)) for p in self.poses]

    def __len__(self) -> int:
        return len(self.poses)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        target = torch.tensor(self.targets[i], dtype=torch.long)
        if self._fixed is not None:
            return self._fixed[i], target
        pose = self.poses[i] if self.augment is None else self.augment(self.poses[i], self.rng)
        return torch.from_numpy(sequence_array(pose, self.cfg)), target


def pad_batch(items: Sequence[tuple[torch.Tensor, torch.Tensor]]
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``[(frames (T_i, V, C), target (S_i,))]`` -> ``x (B, max T, V, C)`` zero-padded, ``lengths
    (B,)``, the targets concatenated ``(sum S,)`` and ``target_lengths (B,)`` (CTC loss's form)."""
    frames, targets = zip(*items, strict=True)
    lengths = torch.tensor([len(f) for f in frames], dtype=torch.long)
    x = torch.nn.utils.rnn.pad_sequence(list(frames), batch_first=True)
    return x, lengths, torch.cat(targets), torch.tensor([len(t) for t in targets], dtype=torch.long)


def pad_frames(items: Sequence[tuple[torch.Tensor, torch.Tensor]]
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``[(frames (T_i, V, C), labels (T_i,))]`` -> ``x (B, max T, V, C)`` zero-padded, ``lengths
    (B,)`` and ``labels (B, max T)`` padded with -100 (ignored by the loss). Labels of a sample
    whose augmentation changed its length are resampled to its frames (nearest)."""
    frames, labels = zip(*items, strict=True)
    fitted = []
    for f, y in zip(frames, labels, strict=True):
        if len(y) != len(f) and len(y):
            y = y[torch.linspace(0, len(y) - 1, len(f)).round().long()]
        fitted.append(y)
    lengths = torch.tensor([len(f) for f in frames], dtype=torch.long)
    x = torch.nn.utils.rnn.pad_sequence(list(frames), batch_first=True)
    return x, lengths, torch.nn.utils.rnn.pad_sequence(fitted, batch_first=True, padding_value=-100)
