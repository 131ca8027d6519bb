"""The canonical pose tensor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from signkit.pose.layout import Layout


@dataclass
class Pose:
    """A sequence of keypoints of one person.

    Attributes:
        data: ``(T, K, D)`` float32 coordinates (x, y[, z[, ...]]).
        confidence: ``(T, K)`` float32; 0 means "not detected" and the coordinates of such a
            keypoint carry no meaning (code must not use them).
        fps: frames per second.
        layout: names, edges and articulator groups of the K keypoints.
        width, height, depth: frame dimensions in pixels when known (pose-format header).
        metadata: free-form (signer, gloss, source file, ...).
        channels: named per-frame values that are not keypoints, each ``(T, C)`` float32: an
            OpenFace head pose (``head_rotation``: pitch, yaw, roll in radians, camera frame;
            ``head_translation`` in mm), action units, gaze. They follow the frames when a pose
            is cut or resampled.
    """

    data: np.ndarray
    confidence: np.ndarray
    fps: float
    layout: Layout
    width: int | None = None
    height: int | None = None
    depth: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    channels: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = np.asarray(self.data, dtype=np.float32)
        self.confidence = np.asarray(self.confidence, dtype=np.float32)
        if self.data.ndim != 3:
            raise ValueError(f"pose data must be (T, K, D), got shape {self.data.shape}")
        if self.confidence.shape != self.data.shape[:2]:
            raise ValueError(
                f"confidence shape {self.confidence.shape} does not match data {self.data.shape}"
            )
        if self.data.shape[1] != len(self.layout):
            raise ValueError(
                f"data has {self.data.shape[1]} keypoints, layout {self.layout.name!r} has "
                f"{len(self.layout)}"
            )
        self.channels = {k: np.asarray(v, dtype=np.float32).reshape(len(v), -1)
                         for k, v in self.channels.items()}
        if bad := [k for k, v in self.channels.items() if len(v) != len(self.data)]:
            raise ValueError(f"channel {bad[0]!r} has {len(self.channels[bad[0]])} frames, the "
                             f"pose {len(self.data)}")

    # ---- shape -------------------------------------------------------------------------
    @property
    def num_frames(self) -> int:
        return int(self.data.shape[0])

    @property
    def num_keypoints(self) -> int:
        return int(self.data.shape[1])

    @property
    def num_dims(self) -> int:
        return int(self.data.shape[2])

    def __len__(self) -> int:
        return self.num_frames

    @property
    def detected(self) -> np.ndarray:
        """``(T, K)`` bool: keypoint was detected."""
        return self.confidence > 0

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps if self.fps else 0.0

    # ---- derived poses -----------------------------------------------------------------
    def replace(self, **changes: Any) -> Pose:
        """A copy with some fields changed (arrays are not copied unless given)."""
        changes.setdefault("metadata", dict(self.metadata))
        frames = len(changes.get("data", self.data))
        if "channels" not in changes and self.channels and frames != self.num_frames:
            # A transform that resampled time: each channel takes its nearest original frame.
            src = np.rint(np.linspace(0, self.num_frames - 1, frames)).astype(np.int64)
            changes["channels"] = {k: v[src] for k, v in self.channels.items()}
        return replace(self, **changes)

    def copy(self) -> Pose:
        return self.replace(data=self.data.copy(), confidence=self.confidence.copy(),
                            channels={k: v.copy() for k, v in self.channels.items()})

    def select(self, *groups: str) -> Pose:
        """The pose restricted to the named articulator groups (or named selections).

        ``pose.select("hands", "mouth", "eyebrows")`` or ``pose.select("hands+mouth")``; the
        layout keeps point names, the edges among kept points and the groups.
        """
        idx = self.layout.indices(*groups)
        return self.take(idx)

    def take(self, indices: np.ndarray) -> Pose:
        """The pose restricted to keypoints ``indices`` (increasing)."""
        idx = np.asarray(indices, dtype=np.int64)
        return self.replace(
            data=self.data[:, idx], confidence=self.confidence[:, idx],
            layout=self.layout.subset(idx),
        )

    def frames(self, index: np.ndarray | slice) -> Pose:
        """The pose restricted to some frames (fps unchanged)."""
        return self.replace(data=self.data[index], confidence=self.confidence[index],
                            channels={k: v[index] for k, v in self.channels.items()})

    @staticmethod
    def concat(parts: Sequence[Pose]) -> Pose:
        """Poses of one layout one after another in time; fps, layout, frame size and metadata
        are the first one's."""
        return parts[0].replace(
            data=np.concatenate([p.data for p in parts]),
            confidence=np.concatenate([p.confidence for p in parts]),
            channels={k: np.concatenate([p.channels[k] for p in parts]) for k in parts[0].channels
                      if all(k in p.channels for p in parts)})

    def detection_rate(self) -> dict[str, float]:
        """Fraction of frames in which each articulator group has any keypoint detected."""
        det = self.detected
        if self.num_frames == 0:
            return {g: 0.0 for g in self.layout.groups}
        return {
            g: float(det[:, list(idx)].any(axis=1).mean()) for g, idx in self.layout.groups.items()
        }

    def masked(self, fill: float = 0.0) -> np.ndarray:
        """``(T, K, D)`` data with undetected keypoints set to ``fill``."""
        return np.where(self.detected[..., None], self.data, np.float32(fill))

    def __repr__(self) -> str:
        return (f"Pose(T={self.num_frames}, K={self.num_keypoints}, D={self.num_dims}, "
                f"fps={self.fps:g}, layout={self.layout.name!r})")
