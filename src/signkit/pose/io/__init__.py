"""Readers and writers, registered by format name.

``load(path)`` returns every pose in a file (collections such as the KRSL ``.npz`` hold many);
``read_pose(path)`` returns the single pose of a single-pose file; ``write_pose(pose, path)``
chooses the writer from the path. The registry finds the formats in this package's modules on
first lookup: a new format is one new file here.
"""

from signkit.pose.io.base import FORMATS, PoseFormat, detect_format, load, read_pose, write_pose

__all__ = ["FORMATS", "PoseFormat", "detect_format", "load", "read_pose", "write_pose"]
