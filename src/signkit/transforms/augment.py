"""Spatial augmentation in the x-y plane about the pose's centre: ``(T, K, D) -> (T, K, D)``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from signkit.pose.articulators import HAND_COMPONENTS
from signkit.pose.pose import Pose
from signkit.transforms.base import keep_undetected, register_transform, xy_center


def apply_xy_matrix(pose: Pose, matrix: np.ndarray) -> Pose:
    """Apply a 2x2 ``matrix`` to (x, y) about the centre of the detected points."""
    c = xy_center(pose)[:2]
    out = pose.data.copy()
    out[..., :2] = (out[..., :2] - c) @ matrix.T + c
    return keep_undetected(pose, out)


@register_transform("rotate")
@dataclass
class RandomRotate:
    """Rotate by an angle drawn uniformly from ``[min_angle, max_angle]`` radians."""

    min_angle: float = -math.pi / 3
    max_angle: float = math.pi / 3

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        a = rng.uniform(self.min_angle, self.max_angle)
        return apply_xy_matrix(pose, np.array([[math.cos(a), -math.sin(a)],
                                               [math.sin(a), math.cos(a)]]))


@register_transform("shear")
@dataclass
class RandomShear:
    """Shear x by y and y by x with factors drawn from ``[-max_shear, max_shear]``."""

    max_shear: float = 0.2

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        sx, sy = rng.uniform(-self.max_shear, self.max_shear, size=2)
        return apply_xy_matrix(pose, np.array([[1.0, sx], [sy, 1.0]]))


@register_transform("scale")
@dataclass
class RandomScale:
    """Scale x and y by one factor drawn from ``[min_scale, max_scale]``."""

    min_scale: float = 0.8
    max_scale: float = 1.2

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        return apply_xy_matrix(pose, np.eye(2) * rng.uniform(self.min_scale, self.max_scale))


@register_transform("hflip")
@dataclass
class HorizontalFlip:
    """With probability ``p``, mirror x about the pose's centre and swap left and right
    keypoints (hands, arms, eyes, eyebrows, ...) using the layout's mirror permutation, so a
    flipped left hand is still called the left hand's partner."""

    p: float = 0.5

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        if rng.random() >= self.p:
            return pose
        c = xy_center(pose)[0]
        data = pose.data.copy()
        data[..., 0] = np.where(pose.detected, 2 * c - data[..., 0], data[..., 0])
        perm = pose.layout.mirror
        return pose.replace(data=data[:, perm], confidence=pose.confidence[:, perm])


@register_transform("hand_affine")
@dataclass
class RandomHandAffine:
    """Rotate and scale each hand about its own wrist, and move it, with draws per hand.

    The whole-pose augmentations above change the camera; this one changes the signer: how big
    their hands are, at what angle they hold them, where they put them. ``shift`` is a fraction of
    the hand's own size (wrist to farthest point).
    """

    max_angle: float = 0.3
    min_scale: float = 0.85
    max_scale: float = 1.15
    shift: float = 0.3

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        out = pose.data.copy()
        det = pose.detected
        for comp, off in zip(pose.layout.components, pose.layout.offsets, strict=False):
            if comp.name not in HAND_COMPONENTS:
                continue
            sl = slice(off, off + len(comp.points))
            seen = det[:, off]
            if not seen.any():
                continue
            a = rng.uniform(-self.max_angle, self.max_angle)
            s = rng.uniform(self.min_scale, self.max_scale)
            m = s * np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            wrist = out[:, off:off + 1, :2]
            rel = out[:, sl, :2] - wrist
            size = np.linalg.norm(rel[seen], axis=-1).max(axis=-1).mean()
            move = rng.uniform(-self.shift, self.shift, size=2) * size
            out[:, sl, :2] = rel @ m.T + wrist + move
        return keep_undetected(pose, out.astype(pose.data.dtype))
