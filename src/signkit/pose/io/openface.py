"""OpenFace 2 CSV (``FeatureExtraction`` output): the 68-point face, head pose, action units, gaze.

One row per frame. The 68 landmarks are read in 3D (``X_i, Y_i, Z_i``, millimetres, camera
frame: x right, y down, z away from the camera) where the file has them, in 2D (``x_i, y_i``,
pixels) otherwise. ``success == 0`` marks a frame without a face: its points get confidence 0.
The head pose (``pose_Rx..Rz`` radians, ``pose_Tx..Tz`` mm), gaze and action units become the
pose's named per-frame channels. OpenFace writes ``", "`` between columns, so names may start
with a space.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from signkit.errors import PoseFileError
from signkit.pose.io.base import PoseFormat, register_format, undetected_if_not_finite
from signkit.pose.layouts import face68_layout
from signkit.pose.pose import Pose

DEFAULT_FPS = 30.0
# Channel name -> the columns it stacks (those present are kept).
CHANNELS = {
    "head_rotation": ("pose_Rx", "pose_Ry", "pose_Rz"),
    "head_translation": ("pose_Tx", "pose_Ty", "pose_Tz"),
    "gaze_angle": ("gaze_angle_x", "gaze_angle_y"),
    "gaze_0": ("gaze_0_x", "gaze_0_y", "gaze_0_z"),
    "gaze_1": ("gaze_1_x", "gaze_1_y", "gaze_1_z"),
}
_ACTION_UNIT = re.compile(r"^AU\d+_[rc]$")


def _header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return [c.strip() for c in next(csv.reader(fh), [])]
    except (OSError, UnicodeDecodeError):
        return []


def _sniff(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    header = set(_header(path))
    return {"confidence", "success"} <= header or {"timestamp", "success"} <= header


def _table(path: Path) -> tuple[list[str], np.ndarray]:
    """The stripped column names and ``(T, columns)`` float64 values; a short or non-numeric row
    (a truncated file) is an error naming its line."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        names = [c.strip() for c in next(reader, [])]
        rows = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(names):
                raise PoseFileError(path, f"line {line} has {len(row)} values, the header "
                                          f"{len(names)} (a truncated file?)")
            try:
                rows.append([float(v) for v in row])
            except ValueError:
                raise PoseFileError(path, f"line {line} holds a value that is not a number") from None
    if not rows:
        raise PoseFileError(path, "no frames (only a header)")
    return names, np.asarray(rows)


def _landmark_columns(names: list[str], path: Path) -> tuple[list[int], int]:
    """Column indices of the landmarks, coordinate by coordinate and point by point, and D."""
    col = {n: i for i, n in enumerate(names)}
    for axes in (("X", "Y", "Z"), ("x", "y")):
        wanted = [f"{a}_{i}" for i in range(68) for a in axes]
        if all(w in col for w in wanted):
            return [col[w] for w in wanted], len(axes)
    raise PoseFileError(path, "no landmark columns (X_0..Z_67 for 3D or x_0..y_67 for 2D): "
                              "run OpenFace with -3Dfp or -2Dfp")


def _fps(names: list[str], values: np.ndarray) -> float:
    if "timestamp" not in names or len(values) < 2:
        return DEFAULT_FPS
    t = values[:, names.index("timestamp")]
    span = float(t[-1] - t[0])
    return (len(t) - 1) / span if span > 0 else DEFAULT_FPS


def read_details(path: Path) -> dict[str, float]:
    """Camera intrinsics (fx, fy, cx, cy) from OpenFace's ``*_of_details.txt`` beside a CSV."""
    details = path.with_name(f"{path.stem}_of_details.txt")
    if not details.exists():
        return {}
    for line in details.read_text(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "camera parameters":
            try:
                fx, fy, cx, cy = (float(v) for v in value.split(","))
            except ValueError:
                return {}
            return {"fx": fx, "fy": fy, "cx": cx, "cy": cy}
    return {}


def read_openface_csv(path: Path) -> list[Pose]:
    names, values = _table(path)
    if "face_id" in names:  # several faces: the first tracked one
        face = values[:, names.index("face_id")]
        values = values[face == face.min()]
    cols, dims = _landmark_columns(names, path)
    data = values[:, cols].reshape(len(values), 68, dims)
    conf = np.ones(len(values))
    if "confidence" in names:
        conf = np.clip(values[:, names.index("confidence")], 1e-3, 1.0)
    if "success" in names:
        conf = np.where(values[:, names.index("success")] > 0, conf, 0.0)
    data, point_conf = undetected_if_not_finite(data, np.repeat(conf[:, None], 68, axis=1))
    channels = {}
    for channel, columns in CHANNELS.items():
        present = [names.index(c) for c in columns if c in names]
        if present:
            channels[channel] = values[:, present]
    channels.update({n: values[:, [i]] for i, n in enumerate(names) if _ACTION_UNIT.match(n)})
    camera = read_details(path)
    pose = Pose(data, point_conf, _fps(names, values), face68_layout("XYZC" if dims == 3 else "XYC"),
                metadata={"format": "openface", "camera": camera} if camera else {"format": "openface"},
                channels=channels)
    return [pose]


register_format(PoseFormat(
    name="openface",
    sniff=_sniff,
    read=read_openface_csv,
    description="OpenFace 2 CSV (68 face landmarks, head pose, action units, gaze)",
))
