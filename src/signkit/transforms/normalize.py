"""Coordinate normalisation. Every transform maps ``(T, K, D) -> (T, K, D)`` and leaves the
coordinates of undetected keypoints untouched (they carry no meaning)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from signkit.errors import ConfigError
from signkit.pose.articulators import HAND_COMPONENTS
from signkit.pose.face import FaceGeometry
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose
from signkit.transforms.base import fill_frames, keep_undetected, register_transform

_SHOULDERS = (("POSE_LANDMARKS", "LEFT_SHOULDER", "RIGHT_SHOULDER"),
              ("pose_keypoints_2d", "LShoulder", "RShoulder"))


def _nan_where_undetected(pose: Pose, idx: list[int] | np.ndarray) -> np.ndarray:
    """``(T, len(idx), D)`` with NaN for undetected points."""
    sub = pose.data[:, idx]
    return np.where(pose.detected[:, idx, None], sub, np.nan)


def shoulders(layout: Layout) -> tuple[int, int] | None:
    """Indices of the left and right shoulder, when the layout has both."""
    for comp, left, right in _SHOULDERS:
        li, ri = layout.find(comp, left), layout.find(comp, right)
        if li is not None and ri is not None:
            return li, ri
    return None


@register_transform("normalize_frame")
@dataclass
class NormalizeFrame:
    """Divide x by the frame width and y by the frame height (pixel -> [0, 1])."""

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        if not pose.width or not pose.height:
            raise ConfigError("normalize_frame needs the frame width and height of the pose")
        scale = np.ones(pose.num_dims, dtype=np.float32)
        scale[:2] = (pose.width, pose.height)
        return keep_undetected(pose, pose.data / scale)


@register_transform("center_scale")
@dataclass
class CenterAndScale:
    """Centre on the shoulder midpoint and divide by the shoulder width (OpenHands'
    CenterAndScaleNormalize).

    The centre is taken per frame (frames without both shoulders use the nearest frame that has
    them); the scale is the mean shoulder width of the sequence, so the signer's size is removed
    without shaking the skeleton when one frame's shoulders are off.
    """

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        found = shoulders(pose.layout)
        if found is None:
            raise ConfigError(f"center_scale needs both shoulders; layout {pose.layout.name!r} "
                              "has none (select the groups after normalising)")
        li, ri = found
        sh = _nan_where_undetected(pose, [li, ri])  # (T, 2, D)
        centre = fill_frames(sh.mean(axis=1))  # (T, D)
        width = np.linalg.norm(sh[:, 0, :2] - sh[:, 1, :2], axis=-1)
        scale = np.nanmean(width) if np.isfinite(width).any() else 1.0
        scale = scale if scale > 1e-8 else 1.0
        return keep_undetected(pose, (pose.data - centre[:, None]) / scale)


@register_transform("hands_to_wrist")
@dataclass
class HandsRelativeToWrist:
    """Express each hand's points relative to its own wrist (the hand's first point).

    With ``scale=True`` also divide by the hand's mean wrist-to-farthest-point size, which makes
    the handshape independent of the distance to the camera.
    """

    scale: bool = False

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        out = pose.data.copy()
        det = pose.detected
        for comp, off in zip(pose.layout.components, pose.layout.offsets, strict=False):
            if comp.name not in HAND_COMPONENTS:
                continue
            sl = slice(off, off + len(comp.points))
            wrist = out[:, off:off + 1].copy()
            out[:, sl] = out[:, sl] - wrist
            if self.scale:
                size = np.linalg.norm(out[:, sl, :2], axis=-1).max(axis=1)  # (T,)
                ok = det[:, off] & (size > 1e-8)
                if ok.any():
                    out[:, sl] /= size[ok].mean()
        return keep_undetected(pose, out)


@register_transform("face_to_nose")
@dataclass
class FaceRelativeToNose:
    """Express face points relative to the nose (``reference="nose"``: the mean of the
    layout's nose group) or to the face box (``reference="box"``: centre of the face's
    bounding box, divided by its diagonal). ``scale="interocular"`` divides by the distance
    between the eyes' centres in each frame, so the face's size on screen goes too."""

    reference: str = "nose"
    scale: str = "none"

    def __post_init__(self) -> None:
        if self.scale not in ("none", "interocular"):
            raise ConfigError(f"face_to_nose: scale must be 'none' or 'interocular', not {self.scale!r}")

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        groups = pose.layout.groups
        if "face" not in groups:
            raise ConfigError(f"face_to_nose: layout {pose.layout.name!r} has no face")
        face = list(groups["face"])
        pts = _nan_where_undetected(pose, face)  # (T, F, D)
        if self.reference == "nose":
            if "nose" not in groups:
                raise ConfigError("face_to_nose: the layout has no nose group")
            with warnings.catch_warnings():  # a frame without a face has no centre: NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                centre = np.nanmean(_nan_where_undetected(pose, list(groups["nose"])), axis=1)
            scale = np.ones(len(pose), dtype=np.float32)
        elif self.reference == "box":
            lo, hi = np.nanmin(pts, axis=1), np.nanmax(pts, axis=1)
            centre = (lo + hi) / 2
            scale = np.linalg.norm((hi - lo)[:, :2], axis=-1)
        else:
            raise ConfigError(f"face_to_nose: reference must be 'nose' or 'box', not "
                              f"{self.reference!r}")
        if self.scale == "interocular":
            scale = FaceGeometry(pose).interocular
        centre = np.nan_to_num(centre)
        scale = np.where(np.isfinite(scale) & (scale > 1e-8), scale, 1.0)
        out = pose.data.copy()
        out[:, face] = (out[:, face] - centre[:, None]) / scale[:, None, None]
        return keep_undetected(pose, out)


@register_transform("standardize")
@dataclass
class Standardize:
    """Centre x, y on the mean of every detected point of the sequence and divide by a length
    that removes how large the signer appears, for layouts with no shoulders to measure by
    (hand-only data such as K-RSL's).

    ``scale="spread"`` divides by the points' RMS distance from the centre; ``scale="hand"``
    by the mean wrist-to-middle-knuckle length of the detected hands, which, unlike the spread,
    does not depend on how far the sign moves (falls back to the spread without hands).
    """

    scale: str = "spread"

    def __post_init__(self) -> None:
        if self.scale not in ("spread", "hand"):
            raise ConfigError(f"standardize: scale must be 'spread' or 'hand', not {self.scale!r}")

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        det = pose.detected
        if not det.any():
            return pose
        xy = pose.data[det][:, :2]
        centre = xy.mean(axis=0)
        size = _hand_length(pose) if self.scale == "hand" else None
        if not size:
            size = float(np.sqrt(((xy - centre) ** 2).sum(axis=1).mean())) or 1.0
        out = pose.data.copy()
        out[..., :2] = (out[..., :2] - centre) / size
        return keep_undetected(pose, out)


def _hand_length(pose: Pose) -> float | None:
    """Mean wrist (point 0) to middle-finger knuckle (point 9) distance over the detected hands;
    MediaPipe and OpenPose number the 21 hand points the same way."""
    lengths = []
    for hand in ("left_hand", "right_hand"):
        idx = pose.layout.groups.get(hand, ())
        if len(idx) == 21:
            wrist, knuckle = idx[0], idx[9]
            ok = pose.detected[:, wrist] & pose.detected[:, knuckle]
            lengths.append(np.linalg.norm(pose.data[ok, knuckle, :2] - pose.data[ok, wrist, :2], axis=-1))
    d = np.concatenate(lengths) if lengths else np.empty(0)
    return float(d.mean()) if len(d) and d.mean() > 1e-8 else None


@register_transform("signer_standardize")
@dataclass
class SignerStandardize:
    """Standardise every keypoint coordinate by its mean and spread over all the frames of
    the same signer's recordings (``metadata["signer"]``): people's faces differ at rest (how
    high the brows sit, how open the eyes are), and this takes the person away and keeps what
    they do. It needs no labels, so a new signer is normalised by their own unlabelled
    recordings; a lone pose (``signkit predict`` on one file) by itself."""

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        return self.apply_all([pose])[0]

    def apply_all(self, poses: list[Pose]) -> list[Pose]:
        by_signer: dict[str, list[int]] = {}
        for i, p in enumerate(poses):
            by_signer.setdefault(str(p.metadata.get("signer", "")), []).append(i)
        out = list(poses)
        for members in by_signer.values():
            data = np.concatenate([poses[i].data for i in members])
            det = np.concatenate([poses[i].detected for i in members])[..., None]
            n = np.maximum(det.sum(axis=0), 1)
            mean = (data * det).sum(axis=0) / n
            spread = np.sqrt((((data - mean) * det) ** 2).sum(axis=0) / n)
            spread = np.where(spread > 1e-8, spread, 1.0)
            for i in members:
                out[i] = keep_undetected(poses[i], (poses[i].data - mean) / spread)
        return out
