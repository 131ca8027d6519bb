"""Transform protocol, registry and seeded composition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from signkit.errors import ConfigError
from signkit.pose.pose import Pose
from signkit.registry import Registry


class Transform(Protocol):
    """``transform(pose, rng) -> pose``; deterministic transforms ignore ``rng``."""

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose: ...


TRANSFORMS: Registry[type] = Registry("transform", package="signkit.transforms")
register_transform = TRANSFORMS.register


@dataclass
class Compose:
    """Apply transforms in order, drawing randomness from one seeded generator."""

    transforms: Sequence[Transform]
    seed: int | None = None

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    def __call__(self, pose: Pose, rng: np.random.Generator | None = None) -> Pose:
        rng = self.rng if rng is None else rng
        for t in self.transforms:
            pose = t(pose, rng)
        return pose


def build_transforms(specs: Iterable[str | Mapping[str, Any]], seed: int | None = None) -> Compose:
    """``[{"name": "rotate", "max_angle": 0.5}, "hflip", ...]`` -> :class:`Compose`."""
    built = []
    for spec in specs:
        params = {"name": spec} if isinstance(spec, str) else dict(spec)
        if "name" not in params:
            raise ConfigError(f"transform {dict(params)} has no name; e.g. {{name: rotate, max_angle: 0.3}}")
        built.append(TRANSFORMS.create(params.pop("name"), params))
    return Compose(built, seed)


def xy_center(pose: Pose) -> np.ndarray:
    """``(D,)`` centre of the detected points' bounding box over the whole sequence."""
    det = pose.detected
    if not det.any():
        return np.zeros(pose.num_dims, dtype=np.float32)
    pts = pose.data[det]
    return ((pts.min(axis=0) + pts.max(axis=0)) / 2).astype(np.float32)


def fill_frames(values: np.ndarray) -> np.ndarray:
    """Fill NaN rows of a ``(T, D)`` series with the nearest valid row (all NaN -> zeros)."""
    valid = ~np.isnan(values).any(axis=1)
    if not valid.any():
        return np.zeros_like(values)
    idx = np.where(valid)[0]
    nearest = idx[np.clip(np.searchsorted(idx, np.arange(len(values))), 0, len(idx) - 1)]
    prev = idx[np.clip(np.searchsorted(idx, np.arange(len(values))) - 1, 0, len(idx) - 1)]
    t = np.arange(len(values))
    pick = np.where(np.abs(t - prev) <= np.abs(nearest - t), prev, nearest)
    return values[pick]


def keep_undetected(pose: Pose, new_data: np.ndarray) -> Pose:
    """A pose with ``new_data`` where detected and the old values elsewhere (never invented)."""
    return pose.replace(data=np.where(pose.detected[..., None], new_data, pose.data)
                        .astype(np.float32))


@register_transform("select")
@dataclass
class Select:
    """Keep only the named articulator groups: ``(T, K, D) -> (T, K', D)``."""

    groups: str | Sequence[str] = "all"

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        groups = [self.groups] if isinstance(self.groups, str) else list(self.groups)
        return pose.select(*groups)
