"""Readers and writers, registered by format name.

``load(path)`` returns every pose in a file (collections such as the KRSL ``.npz`` hold many);
``read_pose(path)`` returns the single pose of a single-pose file; ``write_pose(pose, path)``
chooses the writer from the path.
"""

from signkit.pose.io import arrays, openface, openhands, openpose, poseformat  # noqa: F401  (registers)
from signkit.pose.io.base import FORMATS, PoseFormat, detect_format, load, read_pose, write_pose

__all__ = ["FORMATS", "PoseFormat", "detect_format", "load", "read_pose", "write_pose"]
