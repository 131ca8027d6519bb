"""Derived input streams ``(T, K, D) -> (T, K, D)`` of SL-GCN's multi-stream models: each point
re-expressed along the layout's limbs (bones), or as its displacement to the next frame (motion)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signkit.pose.pose import Pose
from signkit.transforms.base import register_transform


@register_transform("bones")
@dataclass
class Bones:
    """Each point minus its parent point (:attr:`Layout.parents`): bone vectors, which describe
    the handshape and posture apart from where they are. The roots (a hand's wrist) keep their
    coordinates, so the stream still carries the movement through space. A point whose parent
    is undetected in a frame becomes undetected there (its bone is unknown).

    Put it in ``data.features``, which runs after the augmentation: a rotation about the
    sequence centre is not a rotation of bone vectors.
    """

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        parent = pose.layout.parents
        child = np.flatnonzero(parent >= 0)
        data, conf = pose.data.copy(), pose.confidence.copy()
        data[:, child] -= pose.data[:, parent[child]]
        conf[:, child] = np.where(pose.detected[:, parent[child]], conf[:, child], 0.0)
        return pose.replace(data=np.where(conf[..., None] > 0, data, pose.data), confidence=conf)


@register_transform("motion")
@dataclass
class Motion:
    """Each point's displacement to the next frame; the last frame's is 0. Known only where the
    point is detected in both frames. After ``bones`` it gives the bone-motion stream.

    In ``data.features`` it runs on the ``data.length`` frames the model sees, so a step is one
    sampled frame, whatever the recording's frame rate.
    """

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        data = np.zeros_like(pose.data)
        data[:-1] = pose.data[1:] - pose.data[:-1]
        conf = pose.confidence.copy()
        conf[:-1] = np.where(pose.detected[1:], conf[:-1], 0.0)
        return pose.replace(data=data, confidence=conf)
