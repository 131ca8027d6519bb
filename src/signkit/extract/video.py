"""Decode videos with PyAV into RGB frames: rotation metadata, odd sizes, variable frame rate, crops."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signkit.errors import ConfigError, PoseFileError

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".flv",
                            ".wmv", ".ts", ".mts", ".3gp"})


class VideoFileError(PoseFileError):
    """A video could not be decoded; the message names the file and why."""


@dataclass(frozen=True)
class Crop:
    """A box ``x, y, w, h`` in pixels of the upright (rotation-corrected) frame. ``clip``: cut the
    box to the frame instead of refusing one that reaches outside (a dataset's person boxes)."""

    x: int
    y: int
    w: int
    h: int
    clip: bool = False

    def within(self, width: int, height: int) -> Crop:
        """The part of the box inside a ``width`` x ``height`` frame (the box itself if empty)."""
        x0, y0 = max(0, self.x), max(0, self.y)
        x1, y1 = min(width, self.x + self.w), min(height, self.y + self.h)
        return Crop(x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else self

    @classmethod
    def parse(cls, text: str) -> Crop:
        """``"x,y,w,h"`` -> Crop; a clear error for anything else."""
        try:
            x, y, w, h = (int(float(v)) for v in text.replace(" ", "").split(","))
        except ValueError:
            raise ConfigError(f"crop {text!r} must be four numbers x,y,w,h") from None
        if x < 0 or y < 0 or w <= 0 or h <= 0:
            raise ConfigError(f"crop {text!r}: x and y must be >= 0, w and h > 0")
        return cls(x, y, w, h)

    def __str__(self) -> str:
        return f"{self.x},{self.y},{self.w},{self.h}"


@dataclass
class VideoInfo:
    """Upright size after crop, frame estimate, and fps: the header's average rate, replaced by the
    timestamps' mean rate once all frames are read if the two disagree (variable frame rate)."""

    path: Path
    fps: float
    width: int
    height: int
    frames: int
    rotation: int


def _reason(exc: Exception) -> str:
    """FFmpeg's own words without the errno and the path (the report names the file already)."""
    return getattr(exc, "strerror", None) or f"{exc.__class__.__name__}: {exc}"


def _open(path: Path):
    import av

    try:
        # metadata_errors="replace": some real files carry titles that are not UTF-8.
        container = av.open(str(path), metadata_errors="replace")
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as exc:
        raise VideoFileError(path, f"not a readable video ({_reason(exc)})") from None
    if not container.streams.video:
        container.close()
        raise VideoFileError(path, "contains no video frames (no video stream)")
    return container


def _fps(stream) -> float:
    """FFmpeg's average rate (frames over duration, so also right for variable-rate files)."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return float(rate)
    return 25.0


def _upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """Apply the display-matrix rotation (degrees counter-clockwise) the player would apply."""
    k = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(image, k)) if k else image


def _check_crop(path: Path, crop: Crop, width: int, height: int) -> None:
    if crop.x + crop.w > width or crop.y + crop.h > height:
        raise VideoFileError(path, f"crop {crop} lies outside the {width}x{height} frame")


def read_frames(path: str | Path, crop: Crop | None = None, frames_range: tuple[int, int | None] | None = None
                ) -> tuple[VideoInfo, Iterator[np.ndarray]]:
    """``VideoInfo`` and an iterator of upright, cropped ``(H, W, 3)`` uint8 RGB frames;
    ``frames_range`` ``(start, stop)`` yields only those (0-based, ``stop`` None: to the end; the
    frames before ``start`` are decoded, not converted).

    The first frame is decoded here so that unreadable files fail before any work is queued.
    Close the iterator (or exhaust it) to release the file.
    """
    import av

    path = Path(path)
    if not path.is_file():
        raise VideoFileError(path, "no such file")
    if path.stat().st_size == 0:
        raise VideoFileError(path, "is empty (0 bytes)")
    container = _open(path)
    stream = container.streams.video[0]
    decoded = container.decode(stream)
    try:
        first = next(decoded)
    except StopIteration:
        container.close()
        raise VideoFileError(path, "contains no video frames") from None
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        container.close()
        raise VideoFileError(path, f"cannot decode ({_reason(exc)})") from None
    rotation = int(getattr(first, "rotation", 0) or 0)
    width, height = first.width, first.height
    if round(rotation / 90) % 2:
        width, height = height, width
    if crop is not None:
        if crop.clip:
            crop = crop.within(width, height)
        try:
            _check_crop(path, crop, width, height)
        except VideoFileError:
            container.close()
            raise
        width, height = crop.w, crop.h
    info = VideoInfo(path, _fps(stream), width, height, int(stream.frames or 0), rotation)

    start, stop = frames_range or (0, None)

    def frames() -> Iterator[np.ndarray]:
        count, first_time, last_time = 0, first.time, first.time
        try:
            frame = first
            while frame is not None:
                count, last_time = count + 1, frame.time
                if count > start:
                    image = _upright(frame.to_ndarray(format="rgb24"), rotation)
                    if crop is not None:
                        image = np.ascontiguousarray(image[crop.y:crop.y + crop.h, crop.x:crop.x + crop.w])
                    yield image
                if stop is not None and count >= stop:
                    return  # cut short: the rate stays the header's (not measured over a part)
                try:
                    frame = next(decoded)
                except StopIteration:
                    frame = None
                except av.error.FFmpegError as exc:
                    raise VideoFileError(path, f"decoding stopped ({_reason(exc)})") from None
            _measured_fps(info, count, first_time, last_time)
        finally:
            container.close()

    return info, frames()


def _measured_fps(info: VideoInfo, count: int, first: float | None, last: float | None) -> None:
    """Replace the header's rate by the timestamps' when they disagree (variable frame rate)."""
    if count > 1 and first is not None and last is not None and last > first:
        measured = (count - 1) / (last - first)
        if abs(measured - info.fps) > 0.01 * info.fps:
            info.fps = measured


def find_videos(folder: str | Path) -> list[Path]:
    """Video files under ``folder`` (recursive, sorted), by suffix."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
