"""Exact and near-duplicate samples (the KRSL hand data repeats about a fifth of its samples)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.neighbors import NearestNeighbors

from signkit.pose.pose import Pose
from signkit.transforms.temporal import uniform_indices


def _digest(pose: Pose) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(np.ascontiguousarray(pose.data).tobytes())
    h.update(np.ascontiguousarray(pose.confidence).tobytes())
    return h.hexdigest()


def exact_duplicate_groups(samples: Sequence[Pose]) -> list[list[int]]:
    """Groups (of two or more) of samples with identical data and confidence."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(samples):
        groups[_digest(p)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def near_duplicate_groups(samples: Sequence[Pose], tolerance: float = 1e-3,
                          length: int = 16) -> list[list[int]]:
    """Groups of samples whose sequences, resampled to ``length`` frames, differ by an RMS of
    less than ``tolerance`` times the dataset's coordinate spread (exact duplicates included)."""
    feats = np.stack([p.masked()[uniform_indices(len(p), length)].reshape(-1) for p in samples])
    spread = float(feats.std()) or 1.0
    radius = tolerance * spread * np.sqrt(feats.shape[1])
    nn = NearestNeighbors(radius=radius).fit(feats)
    _, neighbours = nn.radius_neighbors(feats)
    parent = list(range(len(samples)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, nbrs in enumerate(neighbours):
        for j in nbrs:
            parent[find(int(j))] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(samples)):
        groups[find(i)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def dedup_indices(samples: Sequence[Pose], near: bool = True) -> np.ndarray:
    """Indices that keep the first sample of every duplicate group (sorted)."""
    groups = near_duplicate_groups(samples) if near else exact_duplicate_groups(samples)
    drop = {i for g in groups for i in sorted(g)[1:]}
    return np.array([i for i in range(len(samples)) if i not in drop], dtype=np.int64)
