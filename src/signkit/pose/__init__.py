"""Pose tensors with named keypoints and articulator groups; readers and writers in ``io``."""

from signkit.pose.articulators import GROUPS
from signkit.pose.layout import Component, Layout
from signkit.pose.layouts import hands_layout, holistic_layout, openpose_layout
from signkit.pose.pose import Pose

__all__ = [
    "GROUPS", "Component", "Layout", "Pose", "hands_layout", "holistic_layout", "openpose_layout",
]
