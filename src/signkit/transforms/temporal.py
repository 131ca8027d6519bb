"""Temporal transforms: gap interpolation, fps resampling, fixed-length and random sampling.

All map ``(T, K, D) -> (T', K, D)`` with confidence ``(T', K)`` following the frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signkit.errors import ConfigError
from signkit.pose.pose import Pose
from signkit.transforms.base import register_transform


def krsl_indices(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """K-RSL fixed-length sampling of ``n`` out of ``m`` frames.

    For ``m >= n``: step ``s = m // n``, ``k = m % n``, a random start among the first
    ``s + k`` frames, then every ``s``-th frame. For ``m < n`` frames are repeated uniformly.
    """
    if m <= 0:
        raise ValueError("cannot sample from an empty sequence")
    if m < n:
        return uniform_indices(m, n)
    s, k = m // n, m % n
    start = int(rng.integers(0, s + k))
    return start + s * np.arange(n)


def uniform_indices(m: int, n: int) -> np.ndarray:
    """``n`` evenly spaced frame indices over ``m`` frames (repeats when ``m < n``)."""
    if m <= 0:
        raise ValueError("cannot sample from an empty sequence")
    return np.linspace(0, m - 1, n).round().astype(np.int64)


@register_transform("interpolate")
@dataclass
class InterpolateMissing:
    """Fill undetected keypoints linearly in time between detections at most ``max_gap``
    frames apart; longer gaps and the sequence ends stay undetected. A filled point gets the
    lower confidence of its two neighbours."""

    max_gap: int = 10

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        data, conf = pose.data.copy(), pose.confidence.copy()
        det = pose.detected
        t_all = np.arange(len(pose))
        for k in np.where((~det).any(axis=0) & det.any(axis=0))[0]:
            ts = t_all[det[:, k]]
            gaps = np.diff(ts)
            for a, b in zip(ts[:-1][gaps > 1], ts[1:][gaps > 1], strict=False):
                if b - a - 1 > self.max_gap:
                    continue
                w = ((np.arange(a + 1, b) - a) / (b - a))[:, None]
                data[a + 1:b, k] = (1 - w) * data[a, k] + w * data[b, k]
                conf[a + 1:b, k] = min(conf[a, k], conf[b, k])
        return pose.replace(data=data, confidence=conf)


@register_transform("resample_fps")
@dataclass
class ResampleFps:
    """Resample to ``fps`` by linear interpolation between the two nearest frames; where one of
    them is undetected the nearest frame is copied instead."""

    fps: float = 25.0

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        if len(pose) == 0 or pose.fps == self.fps:
            return pose.replace(fps=float(self.fps))
        n = max(1, round(pose.duration * self.fps))
        src = np.minimum(np.arange(n) * pose.fps / self.fps, len(pose) - 1)
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, len(pose) - 1)
        w = (src - i0)[:, None]
        both = pose.detected[i0] & pose.detected[i1]
        nearest = np.where(w[:, 0] < 0.5, i0, i1)
        lin = (1 - w[..., None]) * pose.data[i0] + w[..., None] * pose.data[i1]
        data = np.where(both[..., None], lin, pose.data[nearest])
        conf = np.where(both, np.minimum(pose.confidence[i0], pose.confidence[i1]),
                        pose.confidence[nearest])
        return pose.replace(data=data, confidence=conf, fps=float(self.fps))


@register_transform("krsl_sample")
@dataclass
class KrslSample:
    """K-RSL fixed-length sampling to ``length`` frames (see :func:`krsl_indices`)."""

    length: int = 30

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        return pose.frames(krsl_indices(len(pose), self.length, rng))


@register_transform("uniform_subsample")
@dataclass
class UniformSubsample:
    """``length`` evenly spaced frames (deterministic)."""

    length: int = 30

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        return pose.frames(uniform_indices(len(pose), self.length))


@register_transform("random_crop_time")
@dataclass
class RandomTemporalCrop:
    """A random contiguous window of ``length`` frames (the whole pose when shorter)."""

    length: int = 30

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        if len(pose) <= self.length:
            return pose
        start = int(rng.integers(0, len(pose) - self.length + 1))
        return pose.frames(slice(start, start + self.length))


@register_transform("random_trim")
@dataclass
class RandomTrim:
    """Keep a random contiguous window of a fraction in ``[min_keep, 1]`` of the frames.

    Signs cut out of sentences start and end where an annotator put the boundary; trimming
    imitates other boundaries (and a faster or slower sign once brought to a fixed length).
    """

    min_keep: float = 0.8

    def __post_init__(self) -> None:
        if not 0 < self.min_keep <= 1:
            raise ConfigError(f"random_trim: min_keep must be in (0, 1], not {self.min_keep}")

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        n = len(pose)
        keep = max(1, round(n * rng.uniform(self.min_keep, 1.0)))
        if keep >= n:
            return pose
        start = int(rng.integers(0, n - keep + 1))
        return pose.frames(slice(start, start + keep))


@register_transform("time_shift")
@dataclass
class RandomTimeShift:
    """Shift the sequence by a random number of frames in ``[-max_shift, max_shift]``,
    keeping its length: frames shifted in are empty (undetected)."""

    max_shift: int = 5

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        k = int(rng.integers(-self.max_shift, self.max_shift + 1))
        if k == 0 or len(pose) == 0:
            return pose
        data, conf = np.zeros_like(pose.data), np.zeros_like(pose.confidence)
        if k > 0:
            data[k:], conf[k:] = pose.data[:-k], pose.confidence[:-k]
        else:
            data[:k], conf[:k] = pose.data[-k:], pose.confidence[-k:]
        return pose.replace(data=data, confidence=conf)
