"""Fixed-length keypoint sequence features, as in the K-RSL paper's baseline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from signkit.pose.pose import Pose
from signkit.transforms.prepare import preprocess_and_select
from signkit.transforms.temporal import krsl_indices, uniform_indices

SAMPLERS = {"uniform": lambda m, n, rng: uniform_indices(m, n), "krsl": krsl_indices}


@dataclass
class FeatureConfig:
    """How a pose becomes one feature vector.

    ``preprocess`` transforms run on the whole pose (normalisation needs the shoulders even
    when they are not selected), then ``groups`` are selected, the sequence is brought to
    ``length`` frames by ``sampling`` and flattened to ``length * K' * D`` values
    (undetected keypoints are 0). The default preprocessing fills short detection gaps and,
    where the layout has shoulders, centres and scales by them.
    """

    groups: str = "hands"
    length: int = 30
    sampling: str = "uniform"
    preprocess: Sequence[str | dict] | None = None


def sequence_features(poses: Sequence[Pose], cfg: FeatureConfig, seed: int = 0) -> np.ndarray:
    """``(N, length * K' * D)`` float32 features for ``poses``."""
    if not poses:
        raise ValueError("no poses to featurise")
    sampler = SAMPLERS[cfg.sampling]
    rng = np.random.default_rng(seed)
    rows = []
    for p in preprocess_and_select(poses, cfg.preprocess, cfg.groups, seed):
        idx = sampler(len(p), cfg.length, rng)
        rows.append(p.masked()[idx].reshape(-1))
    return np.stack(rows).astype(np.float32)
