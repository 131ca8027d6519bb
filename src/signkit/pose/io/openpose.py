"""OpenPose JSON: a folder of per-frame ``*_keypoints.json`` files (person 0 is kept).

Reading goes through pose-format's OpenPose loader; this module adds the checks that turn bad
folders into clear errors, and a writer (pose-format has none).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from signkit.errors import PoseFileError
from signkit.pose.io.base import PoseFormat, atomic_write_bytes, register_format
from signkit.pose.io.poseformat import from_pose_format
from signkit.pose.layouts import openpose_layout
from signkit.pose.pose import Pose

OPENPOSE_KEYS = ("pose_keypoints_2d", "face_keypoints_2d", "hand_left_keypoints_2d",
                 "hand_right_keypoints_2d")
DEFAULT_FPS = 25.0


def _frame_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*_keypoints.json"))


def read_openpose_dir(folder: Path, fps: float = DEFAULT_FPS, width: int = 0,
                      height: int = 0) -> list[Pose]:
    from pose_format.utils.openpose import load_openpose

    files = _frame_files(folder)
    if not files:
        raise PoseFileError(folder, "no *_keypoints.json files in the folder")
    frames: dict[int, dict] = {}
    for i, f in enumerate(files):
        try:
            frame = json.loads(f.read_text())
        except (OSError, ValueError) as exc:
            raise PoseFileError(f, f"not valid JSON ({exc})") from exc
        people = frame.get("people") if isinstance(frame, dict) else None
        if not isinstance(people, list):
            raise PoseFileError(f, "no 'people' list in the OpenPose JSON")
        for person in people[:1]:
            for key in OPENPOSE_KEYS:
                expected = 3 * len(openpose_layout().components[OPENPOSE_KEYS.index(key)].points)
                if len(person.get(key) or []) != expected:
                    raise PoseFileError(
                        f, f"person 0 has {len(person.get(key) or [])} values for {key!r}, "
                           f"expected {expected}")
        frames[i] = {"people": people[:1]}
    if not any(frame["people"] for frame in frames.values()):
        raise PoseFileError(folder, "no person in any frame of the OpenPose JSON")
    pf = load_openpose(frames, fps=fps, width=width, height=height, num_frames=len(files))
    pose = from_pose_format(pf)
    pose.metadata["frame_files"] = len(files)
    return [pose]


def write_openpose_dir(pose: Pose, folder: Path) -> None:
    """One ``<name>_<frame:012d>_keypoints.json`` per frame, undetected points as zeros."""
    layout = pose.layout
    if layout.name != "openpose_137":
        raise PoseFileError(folder, f"layout {layout.name!r} cannot be written as OpenPose JSON "
                                    "(needs the OpenPose 137-point layout)")
    xy = pose.masked()[..., :2]
    conf = pose.confidence
    off = layout.offsets
    folder.mkdir(parents=True, exist_ok=True)
    for t in range(len(pose)):
        person = {}
        for i, comp in enumerate(layout.components):
            block = np.concatenate([xy[t, off[i]:off[i + 1]], conf[t, off[i]:off[i + 1], None]], 1)
            person[comp.name] = [round(float(v), 6) for v in block.reshape(-1)]
        payload = json.dumps({"version": 1.3, "people": [person]})
        atomic_write_bytes(folder / f"{folder.name}_{t:012d}_keypoints.json", payload.encode())


register_format(PoseFormat(
    name="openpose",
    sniff=lambda p: p.is_dir() and bool(_frame_files(p)),
    read=read_openpose_dir,
    write=write_openpose_dir,
    writes_to=lambda p: p.suffix == "" and (not p.exists() or p.is_dir()),
    description="folder of OpenPose *_keypoints.json files",
))
