"""Poses -> the model's input arrays, in NumPy only: what training, PyTorch inference and the
exported ONNX runner (which has no torch) share, so every path reads poses the same way."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from signkit.pose.pose import Pose
from signkit.training.config import DataConfig
from signkit.transforms import Compose, build_transforms
from signkit.transforms.prepare import preprocess_and_select
from signkit.transforms.temporal import uniform_indices


def jittered_indices(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` frame indices spread over ``m`` frames with random jitter of up to half a step (training)."""
    pos = np.linspace(0, m - 1, n) + rng.uniform(-0.5, 0.5, n) * max(m - 1, 1) / max(n - 1, 1)
    return np.clip(np.sort(pos).round(), 0, m - 1).astype(np.int64)


def frame_indices(m: int, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """``n`` of ``m`` frames spread evenly; jittered when ``rng`` is given (training)."""
    return uniform_indices(m, n) if rng is None else jittered_indices(m, n, rng)


def prepare(poses: Sequence[Pose], cfg: DataConfig) -> list[Pose]:
    """Deterministic preprocessing (gap filling, normalisation), then the configured groups."""
    return preprocess_and_select(poses, cfg.preprocess, cfg.groups)


@lru_cache(maxsize=8)
def cached_transforms(specs: str) -> Compose:
    """Built once per recipe's JSON-encoded list, not once per sample."""
    return build_transforms(json.loads(specs))


def to_array(pose: Pose, cfg: DataConfig, rng: np.random.Generator | None = None) -> np.ndarray:
    """``(length, V, dims)`` float32: ``cfg.length`` frames sampled, then ``cfg.features`` (so a
    motion step is one sampled frame); undetected keypoints are 0."""
    return sequence_array(pose.frames(frame_indices(len(pose), cfg.length, rng)), cfg)


def sequence_array(pose: Pose, cfg: DataConfig) -> np.ndarray:
    """``(T, V, dims)`` float32 of every frame, after ``cfg.features``; undetected keypoints are 0."""
    if cfg.features:
        pose = cached_transforms(json.dumps(cfg.features))(pose)
    return pose.masked()[..., : cfg.dims].astype(np.float32)


def batches_by_length(arrays: Sequence[np.ndarray], batch: int) -> list[np.ndarray]:
    """Indices of ``arrays`` in batches of similar length (sorted), to keep padding small."""
    order = np.argsort([len(a) for a in arrays], kind="stable")
    return [order[i:i + batch] for i in range(0, len(order), batch)]


def pad(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``[(T_i, V, C)]`` -> zero-padded ``(B, max T, V, C)`` and the lengths ``(B,)`` int64."""
    lengths = np.array([len(a) for a in arrays], np.int64)
    out = np.zeros((len(arrays), int(lengths.max(initial=0)), *arrays[0].shape[1:]), np.float32)
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out, lengths
