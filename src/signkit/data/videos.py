"""Labelled videos for the RGB modality: :class:`VideoClip` samples (decoded lazily, with PyAV)
and the ``video_dir`` loader, which reads the same ``manifest.csv`` as ``pose_dir`` (so the split
files of ``signkit data prepare`` index both alike).

The manifest names each video in its ``video`` column (or ``file`` when there is none), relative
to the manifest's folder or absolute, with optional ``crop`` (``x,y,w,h``) and ``frames``
(``start:stop``, 0-based, stop empty for the end) columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from signkit.errors import ConfigError, PoseFileError
from signkit.extract.video import Crop


@dataclass
class VideoClip:
    """One labelled video: the file, the box and frame range to keep, and its ``metadata``
    (``gloss``, ``signer`` and the manifest's other columns) as a :class:`Pose` sample has."""

    path: Path
    crop: Crop | None = None
    frames: tuple[int, int | None] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def decode(self, keep: int, long_side: int) -> np.ndarray:
        """At most ``keep`` frames spread evenly over the clip, each resized so that its longer
        side is ``long_side`` pixels (aspect ratio kept): ``(N, H, W, 3)`` uint8 RGB."""
        from PIL import Image

        from signkit.extract.video import VideoFileError, read_frames

        info, frames = read_frames(self.path, self.crop, self.frames)
        scale = long_side / max(info.width, info.height)
        size = (max(1, round(info.width * scale)), max(1, round(info.height * scale)))
        try:
            small = [np.asarray(Image.fromarray(f).resize(size, Image.BILINEAR)) for f in frames]
        finally:
            frames.close()
        if not small:
            raise VideoFileError(self.path, f"no frames in range {self.frames}")
        idx = np.linspace(0, len(small) - 1, min(keep, len(small))).round().astype(int)
        return np.stack([small[i] for i in idx])


def parse_frames(text: str) -> tuple[int, int | None]:
    """``"start:stop"`` (stop empty: to the end) -> ``(start, stop)``; a clear error otherwise."""
    start, sep, stop = text.partition(":")
    try:
        span = (int(start), int(stop) if stop.strip() else None)
    except ValueError:
        span = (-1, None)
    if not sep or span[0] < 0 or (span[1] is not None and span[1] <= span[0]):
        raise ConfigError(f"frames {text!r} must be start:stop (0-based, stop > start or empty)")
    return span


def format_frames(span: tuple[int, int | None] | None) -> str:
    return "" if span is None else f"{span[0]}:{'' if span[1] is None else span[1]}"


def read_video_manifest(path: Path) -> list[VideoClip]:
    """``video_dir:PATH``: a folder with ``manifest.csv`` or the CSV itself."""
    from signkit.data.manifest import manifest_rows

    clips = []
    for n, fields, video, manifest in manifest_rows(path, ("video", "file"), "video", Path.is_file):
        try:
            # A dataset's person box may reach outside the frame: cut to it, as extraction does.
            crop = replace(Crop.parse(fields["crop"]), clip=True) if fields.get("crop") else None
            frames = parse_frames(fields["frames"]) if fields.get("frames") else None
        except ConfigError as exc:
            raise PoseFileError(manifest, f"row {n} ({video.name}): {exc}") from None
        clips.append(VideoClip(video, crop, frames, {**fields, "source": str(video)}))
    return clips


def cache_frames(length: int, size: int, min_scale: float) -> tuple[int, int]:
    """How much of a video a dataset keeps decoded: ``4 x length`` frames (room for temporal
    jitter) at a long side that a crop of ``min_scale`` of the area still fills at ``size``."""
    return 4 * length, math.ceil(size / math.sqrt(min_scale))
