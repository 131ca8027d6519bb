"""Cut long videos into fixed-length H.264 clips that every browser plays (PyAV, see ``write_mp4``)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from signkit.extract.video import read_frames
from signkit.visualize.render import write_mp4


@dataclass
class CutClip:
    index: int
    start: float
    end: float
    file: str  # relative to the media folder


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of the file's bytes: the identity that makes re-imports idempotent."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _even_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """Scale down to ``max_height`` keeping the aspect; H.264 4:2:0 needs even sides."""
    if height > max_height:
        width, height = round(width * max_height / height), max_height
    return max(2, width // 2 * 2), max(2, height // 2 * 2)


def _scaled(frames: Iterator[np.ndarray], size: tuple[int, int]) -> Iterator[np.ndarray]:
    for image in frames:
        if (image.shape[1], image.shape[0]) != size:
            image = np.asarray(Image.fromarray(image).resize(size, Image.BILINEAR))
        yield image


def cut_clips(video: Path, out_dir: Path, rel_dir: str, clip_seconds: float, max_height: int = 720,
              on_frame: Callable[[int], None] | None = None) -> tuple[float, float, list[CutClip]]:
    """Write ``out_dir/rel_dir/00000.mp4 ...`` of ``clip_seconds`` each (the last one shorter).

    Returns (fps, duration, clips). Audio is dropped: the annotators watch the signing.
    """
    info, frames = read_frames(video)
    fps = info.fps
    per_clip = max(1, round(clip_seconds * fps))
    frames = _scaled(frames, _even_size(info.width, info.height, max_height))
    clips: list[CutClip] = []
    start = 0
    for index in itertools.count():
        chunk = itertools.islice(frames, per_clip)
        first = next(chunk, None)
        if first is None:
            break
        rel = f"{rel_dir}/{index:05d}.mp4"
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        n = write_mp4(itertools.chain([first], chunk), out_dir / rel, fps)
        clips.append(CutClip(index, start / fps, (start + n) / fps, rel))
        start += n
        if on_frame:
            on_frame(n)
    return fps, start / fps, clips
