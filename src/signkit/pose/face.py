"""Face geometry on any layout with a face: the head's pose and named non-manual measures.

The head's pose is OpenFace's own where the pose carries it (channels ``head_rotation``,
``head_translation``); elsewhere (MediaPipe Holistic, OpenPose, a 68-point face without pose) it
is the frame of the face's own axes: x from the signer's right eye to the left, y from the eyes
down to the mouth corners' midpoint (made perpendicular to x), z = x cross y, at the eyes' midpoint.
With no depth (2D points) only the roll is measured. On the KRSL OpenFace recordings the angles
so estimated follow OpenFace's own within a recording with correlations 0.98 (pitch), 0.99 (yaw)
and 0.88 (roll), offset by a constant per face (about -0.13 rad of pitch).

Measures (:data:`MEASURES`) are per-frame ``(T,)`` values that a turn or tilt of the head does
not change: lengths between 3D points divided by the interocular distance, and the head's
angles. Each is registered by name with its articulator group, so a recipe can ask for
``eyebrows`` measures as it asks for ``eyebrows`` points.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from signkit.errors import ConfigError
from signkit.pose.articulators import IBUG_FACE, MP_FACE, OP_FACE
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose
from signkit.registry import Registry

# Landmark numbers within the face component: eyelid pairs (upper, lower), the inner lips, the
# mouth corners (signer's right, left).
_IBUG = {"right_lids": ((37, 41), (38, 40)), "left_lids": ((43, 47), (44, 46)), "lips": (62, 66),
         "corners": (48, 54)}
_MEDIAPIPE = {"right_lids": ((159, 145), (158, 153)), "left_lids": ((386, 374), (385, 380)),
              "lips": (13, 14), "corners": (61, 291)}
_SCHEMES = {IBUG_FACE: _IBUG, OP_FACE: _IBUG, MP_FACE: _MEDIAPIPE}


@dataclass(frozen=True)
class FacePoints:
    """Global keypoint indices of the points the measures use."""

    right_brow: tuple[int, ...]
    left_brow: tuple[int, ...]
    right_eye: tuple[int, ...]
    left_eye: tuple[int, ...]
    right_lids: tuple[tuple[int, int], ...]
    left_lids: tuple[tuple[int, int], ...]
    lips: tuple[int, int]
    corners: tuple[int, int]


def face_points(layout: Layout) -> FacePoints:
    comp = next((c for c in layout.components if c.name in _SCHEMES), None)
    needed = ("left_eyebrow", "right_eyebrow", "left_eye", "right_eye")
    if comp is None or not all(g in layout.groups for g in needed):
        raise ConfigError(f"layout {layout.name!r} has no face whose eyes, brows and mouth are "
                          "known (MediaPipe Holistic, OpenPose or the 68-point face)")
    scheme = _SCHEMES[comp.name]

    prefix = comp.points[0].removesuffix("0")  # OpenPose names its face points FB_0, FB_1, ...

    def at(n: int) -> int:
        return layout.index(comp.name, f"{prefix}{n}")

    groups = layout.groups
    return FacePoints(
        right_brow=groups["right_eyebrow"], left_brow=groups["left_eyebrow"],
        right_eye=groups["right_eye"], left_eye=groups["left_eye"],
        right_lids=tuple((at(a), at(b)) for a, b in scheme["right_lids"]),
        left_lids=tuple((at(a), at(b)) for a, b in scheme["left_lids"]),
        lips=(at(scheme["lips"][0]), at(scheme["lips"][1])),
        corners=(at(scheme["corners"][0]), at(scheme["corners"][1])),
    )


def euler_to_matrix(angles: np.ndarray) -> np.ndarray:
    """``(T, 3)`` OpenFace's (Rx, Ry, Rz) -> ``(T, 3, 3)`` R = Rx Ry Rz (intrinsic XYZ)."""
    from scipy.spatial.transform import Rotation

    return Rotation.from_euler("XYZ", angles).as_matrix()


def matrix_to_euler(r: np.ndarray) -> np.ndarray:
    from scipy.spatial.transform import Rotation

    return Rotation.from_matrix(r).as_euler("XYZ")


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 1e-12, n, np.nan)


class FaceGeometry:
    """The face of one pose in 3D (2D poses get z = 0), NaN where the face is undetected."""

    def __init__(self, pose: Pose):
        self.pose = pose
        self.points = face_points(pose.layout)
        xyz = pose.data[..., :3].astype(np.float64)
        if xyz.shape[-1] == 3 and pose.width and MP_FACE in (c.name for c in pose.layout.components):
            # pose-format's Holistic convention: x, y in pixels, z as MediaPipe gives it, in
            # units of the frame's width
            xyz[..., 2] *= pose.width
        if xyz.shape[-1] == 2:
            xyz = np.concatenate([xyz, np.zeros_like(xyz[..., :1])], axis=-1)
        self.has_depth = pose.num_dims >= 3 and bool(np.any(xyz[..., 2]))
        self.xyz = np.where(pose.detected[..., None], xyz, np.nan)  # (T, K, 3)

    def centre(self, idx: tuple[int, ...]) -> np.ndarray:
        with warnings.catch_warnings():  # an undetected frame's centre is NaN, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(self.xyz[:, list(idx)], axis=1)

    def dist(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.linalg.norm(a - b, axis=-1)

    @cached_property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        """``(T, 3)`` centres of the left and the right eye."""
        return self.centre(self.points.left_eye), self.centre(self.points.right_eye)

    @cached_property
    def interocular(self) -> np.ndarray:
        d = self.dist(*self.eyes)
        return np.where(d > 1e-9, d, np.nan)

    @cached_property
    def given_pose(self) -> bool:
        ch = self.pose.channels
        return self.has_depth and "head_rotation" in ch and "head_translation" in ch

    @cached_property
    def rotation(self) -> np.ndarray:
        """``(T, 3, 3)`` camera-from-head rotation (columns: the head's x, y, z axes)."""
        if self.given_pose:
            return euler_to_matrix(self.pose.channels["head_rotation"][:, :3].astype(np.float64))
        p = self.points
        left, right = self.eyes
        x = _unit(left - right)
        down = self.xyz[:, list(p.corners)].mean(axis=1) - self.origin
        if not self.has_depth:
            down = np.stack([-x[:, 1], x[:, 0], np.zeros(len(x))], axis=-1)  # in-plane normal
        y = _unit(down - (down * x).sum(-1, keepdims=True) * x)
        return np.stack([x, y, np.cross(x, y)], axis=-1)

    @cached_property
    def origin(self) -> np.ndarray:
        """``(T, 3)`` the head's origin in the camera frame."""
        if self.given_pose:
            return self.pose.channels["head_translation"][:, :3].astype(np.float64)
        return (self.eyes[0] + self.eyes[1]) / 2

    @cached_property
    def angles(self) -> np.ndarray:
        """``(T, 3)`` pitch, yaw, roll in radians (intrinsic XYZ, as OpenFace reports them)."""
        out = np.full((len(self.xyz), 3), np.nan)
        ok = np.isfinite(self.rotation).all(axis=(1, 2))
        if ok.any():
            out[ok] = matrix_to_euler(self.rotation[ok])
        if not self.has_depth:
            out[:, :2] = np.nan  # no depth: only the roll is seen
        return out

    def head_centred(self) -> np.ndarray:
        """``(T, K, 3)`` every point in the head's frame, R^T (p - t)."""
        rel = self.xyz - self.origin[:, None]
        return np.einsum("tji,tkj->tki", self.rotation, rel)


MEASURES: Registry[tuple[str, Callable[[FaceGeometry], np.ndarray]]] = Registry("face measure")
"""Name -> (articulator group, function of the face geometry giving ``(T,)``)."""


def register_measure(name: str, group: str):
    def decorator(fn: Callable[[FaceGeometry], np.ndarray]):
        MEASURES.register(name)((group, fn))
        return fn

    return decorator


def _brow(g: FaceGeometry, brow: tuple[int, ...], eye: np.ndarray) -> np.ndarray:
    return g.dist(g.centre(brow), eye) / g.interocular


def _aperture(g: FaceGeometry, lids: tuple[tuple[int, int], ...]) -> np.ndarray:
    return np.mean([g.dist(g.xyz[:, a], g.xyz[:, b]) for a, b in lids], axis=0) / g.interocular


register_measure("brow_height_left", "eyebrows")(lambda g: _brow(g, g.points.left_brow, g.eyes[0]))
register_measure("brow_height_right", "eyebrows")(lambda g: _brow(g, g.points.right_brow, g.eyes[1]))
register_measure("eye_aperture_left", "eyes")(lambda g: _aperture(g, g.points.left_lids))
register_measure("eye_aperture_right", "eyes")(lambda g: _aperture(g, g.points.right_lids))
register_measure("mouth_opening", "mouth")(
    lambda g: g.dist(g.xyz[:, g.points.lips[0]], g.xyz[:, g.points.lips[1]]) / g.interocular)
register_measure("mouth_width", "mouth")(
    lambda g: g.dist(g.xyz[:, g.points.corners[0]], g.xyz[:, g.points.corners[1]]) / g.interocular)
register_measure("head_pitch", "head_pose")(lambda g: g.angles[:, 0])
register_measure("head_yaw", "head_pose")(lambda g: g.angles[:, 1])
register_measure("head_roll", "head_pose")(lambda g: g.angles[:, 2])


def measure_names(spec: str = "all") -> list[str]:
    """Measure names by name or group (``"eyebrows+head_pose"``, ``"brow_height_left"``, ``all``)."""
    groups = {name: group for name, (group, _) in MEASURES.items()}
    wanted: list[str] = []
    for part in filter(None, (s.strip() for s in spec.split("+"))):
        if part == "all":
            hits = list(groups)
        elif part in groups:
            hits = [part]
        else:
            hits = [n for n, g in groups.items() if g == part]
        if not hits:
            raise ConfigError(f"no face measure or measure group {part!r}; measures: "
                              f"{', '.join(groups)}; groups: {', '.join(sorted(set(groups.values())))}")
        wanted += [h for h in hits if h not in wanted]
    return wanted


def measures(pose: Pose, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """``{name: (T,) float64}``, NaN where the face (or, for angles, depth) is missing."""
    g = FaceGeometry(pose)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {n: np.asarray(MEASURES.get(n)[1](g), dtype=np.float64) for n in names or list(MEASURES)}


def velocity(values: np.ndarray, fps: float) -> np.ndarray:
    """``(T,)`` per-second change (central differences); NaN next to a missing frame."""
    if len(values) < 2:
        return np.zeros_like(values)
    return np.gradient(values) * fps


def measure_values(pose: Pose, measure: str) -> np.ndarray:
    """``(T,)`` a registered measure, or the mean of its ``_left`` and ``_right`` pair
    (``brow_height``)."""
    names = [measure] if measure in MEASURES else [f"{measure}_{s}" for s in ("left", "right")]
    if not all(n in MEASURES for n in names):
        raise ConfigError(f"no face measure {measure!r}; measures: {', '.join(MEASURES)} "
                          "(or a pair's stem, e.g. brow_height)")
    values = measures(pose, names)
    return np.nanmean(np.stack(list(values.values())), axis=0) if len(names) > 1 else values[names[0]]


def relative_to_signer(series: Sequence[np.ndarray], signers: Sequence[str],
                       scale: bool = False) -> list[np.ndarray]:
    """Each recording's ``(T,)`` series minus its signer's mean over all their recordings (and,
    with ``scale``, over their spread): people's faces differ at rest. NaN frames are left out."""
    out = list(series)
    for signer in set(signers):
        members = [i for i, s in enumerate(signers) if s == signer]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pooled = np.concatenate([series[i] for i in members])
            mean, spread = np.nanmean(pooled), (np.nanstd(pooled) or 1.0) if scale else 1.0
        for i in members:
            out[i] = (series[i] - mean) / spread
    return out
