"""Format registry and the path-based dispatch shared by every reader and writer."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signkit.errors import PoseFileError
from signkit.pose.pose import Pose
from signkit.registry import Registry


@dataclass(frozen=True)
class PoseFormat:
    """How to recognise, read and (optionally) write one on-disk format."""

    name: str
    sniff: Callable[[Path], bool]
    read: Callable[[Path], list[Pose]]
    write: Callable[[Pose, Path], None] | None = None
    writes_to: Callable[[Path], bool] | None = None
    description: str = ""


FORMATS: Registry[PoseFormat] = Registry("pose format", package="signkit.pose.io")


def undetected_if_not_finite(data: np.ndarray, conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(T, K, D)``, ``(T, K)`` with every point whose coordinates are not all finite made
    undetected (0 and 0). Some real files hold NaN points at confidence 1; a NaN would poison
    every mean, norm and loss downstream."""
    lost = ~np.isfinite(data).all(axis=-1)
    if lost.any():
        data, conf = np.where(lost[..., None], 0, data), np.where(lost, 0, conf)
    return data, conf


def register_format(fmt: PoseFormat) -> PoseFormat:
    FORMATS.register(fmt.name)(fmt)
    return fmt


def detect_format(path: str | Path) -> PoseFormat:
    p = Path(path)
    if not p.exists():
        raise PoseFileError(p, "no such file or directory")
    for _, fmt in FORMATS.items():
        if fmt.sniff(p):
            return fmt
    raise PoseFileError(p, "unrecognised pose format (expected .pose, .npz, .npy, an OpenFace .csv "
                           "or a folder of OpenPose *_keypoints.json files)")


def load(path: str | Path) -> list[Pose]:
    """Every pose stored at ``path``, each with ``metadata['source']`` set."""
    p = Path(path)
    poses = detect_format(p).read(p)
    for pose in poses:
        pose.metadata.setdefault("source", str(p))
    return poses


def read_pose(path: str | Path) -> Pose:
    """The single pose stored at ``path`` (an error for collections of several poses)."""
    poses = load(path)
    if len(poses) != 1:
        raise PoseFileError(path, f"holds {len(poses)} poses, expected one (use load())")
    return poses[0]


def write_pose(pose: Pose, path: str | Path) -> None:
    """Write ``pose`` in the format given by the path (``.pose``, ``.npy``, or a folder)."""
    p = Path(path)
    for _, fmt in FORMATS.items():
        if fmt.write is not None and fmt.writes_to is not None and fmt.writes_to(p):
            fmt.write(pose, p)
            return
    raise PoseFileError(p, "cannot choose a writer: use a .pose or .npy name, or a folder name "
                           "without a suffix for OpenPose JSON")


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write to a temporary name beside ``path`` and rename, so no half-written file remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")  # unique per writer process
    tmp.write_bytes(payload)
    tmp.replace(path)
