"""Face transforms: landmarks in the head's own frame, and the face as named measures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signkit.pose.face import MEASURES, FaceGeometry, measure_names, measures, velocity
from signkit.pose.layout import Component, Layout
from signkit.pose.pose import Pose
from signkit.transforms.base import keep_undetected, register_transform

MEASURE_COMPONENT = "FACE_MEASURES"


@register_transform("head_center")
@dataclass
class HeadCenter:
    """Express the points of ``groups`` in the head's frame (undo the head's rotation and
    translation, see :mod:`signkit.pose.face`), so a turn or tilt of the head no longer moves
    them. 3D poses only keep their depth; a 2D pose is rotated in its plane (roll)."""

    groups: str = "face"

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        g = FaceGeometry(pose)
        centred = g.head_centred()[..., : pose.num_dims]
        idx = pose.layout.indices(self.groups)
        out = pose.data.copy()
        ok = np.isfinite(centred[:, idx]).all(axis=-1)
        out[:, idx] = np.where(ok[..., None], centred[:, idx], out[:, idx])
        return keep_undetected(pose.replace(confidence=np.where(
            np.isin(np.arange(pose.num_keypoints), idx)[None] & ~np.isfinite(centred).all(-1),
            0, pose.confidence)), out)


def measure_layout(names: tuple[str, ...]) -> Layout:
    """One keypoint per measure, its (value, velocity) as the two coordinates; grouped by the
    measures' articulators (``eyebrows``, ``eyes``, ``mouth``, ``head_pose``)."""
    groups: dict[str, list[int]] = {"face_measures": list(range(len(names)))}
    for i, n in enumerate(names):
        groups.setdefault(MEASURES.get(n)[0], []).append(i)
    return Layout((Component(MEASURE_COMPONENT, names, format="XYC"),), groups, "face_measures")


@register_transform("face_measures")
@dataclass
class FaceMeasures:
    """Replace the pose by its face measures (``measures``: names or groups joined by ``+``,
    e.g. ``eyebrows+head_pose``): a ``(T, M, 2)`` pose of (value, velocity per second) with
    confidence 0 where a measure is missing. Select from it by group as from landmarks."""

    measures: str = "all"

    def __post_init__(self) -> None:
        self.names = tuple(measure_names(self.measures))

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        values = measures(pose, list(self.names))
        cols = [np.stack([v, velocity(v, pose.fps)], axis=-1) for v in values.values()]
        data = np.stack(cols, axis=1)  # (T, M, 2)
        ok = np.isfinite(data).all(axis=-1)
        return pose.replace(data=np.where(ok[..., None], data, 0), confidence=ok.astype(np.float32),
                            layout=measure_layout(self.names))
