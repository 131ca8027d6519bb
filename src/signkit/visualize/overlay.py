"""The skeleton drawn over the video it was extracted from, to check an extraction by eye."""

from __future__ import annotations

from pathlib import Path

from signkit.errors import SignkitError
from signkit.pose.pose import Pose
from signkit.visualize.render import write_visualization


def write_overlay(pose: Pose, video: str | Path, out: str | Path, crop: str | None = None,
                  frame: int | None = None) -> Path:
    """Write ``out`` (.mp4, .gif or .png) with ``pose`` drawn over the frames of ``video``.

    ``crop`` is the box given at extraction, so that pixel coordinates line up.
    """
    from signkit.extract.video import Crop, read_frames

    info, frames = read_frames(video, Crop.parse(crop) if crop else None)
    if pose.width and pose.height and (pose.width, pose.height) != (info.width, info.height):
        frames.close()
        raise SignkitError(f"{video}: frames are {info.width}x{info.height} but the pose was extracted "
                           f"at {pose.width}x{pose.height} (a different video, or a crop to give)")
    try:
        return write_visualization(pose, out, frame=frame, background=frames)
    finally:
        frames.close()
