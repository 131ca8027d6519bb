"""``pose_dir:FOLDER`` and ``openpose_dir:FOLDER``: a manifest whose ``file`` column names a
``.pose`` file or an OpenPose folder, its other columns (gloss, signer, ...) the sample's fields."""

from __future__ import annotations

from pathlib import Path

from signkit.data.dataset import loader
from signkit.data.manifest import manifest_rows
from signkit.pose.io import read_pose
from signkit.pose.pose import Pose


@loader("pose_dir")
@loader("openpose_dir")
def read_manifest(path: Path) -> list[Pose]:
    samples = []
    for _, fields, file, _ in manifest_rows(path):
        pose = read_pose(file)
        pose.metadata.update(fields)
        pose.metadata.setdefault("source", str(file))
        samples.append(pose)
    return samples
