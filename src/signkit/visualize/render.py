"""Render a pose as images (Pillow) and write them as H.264 mp4 (PyAV), gif or png."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from signkit.errors import SignkitError
from signkit.pose.articulators import GROUPS
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose

GROUP_COLORS: dict[str, tuple[int, int, int]] = {
    "left_hand": (230, 57, 70), "right_hand": (29, 120, 230), "arms": (120, 120, 120),
    "body": (160, 160, 160), "head": (140, 100, 60), "face_contour": (250, 190, 60),
    "eyebrows": (150, 60, 200), "eyes": (40, 170, 160), "nose": (200, 120, 60),
    "mouth": (220, 40, 140), "face": (200, 200, 160),
}
# Specific face regions before "face" so a mouth point is drawn as mouth (first match wins).
_ORDER = [g for g in GROUPS if g in GROUP_COLORS and g != "face"] + ["face"]
_SMALL = {"face", "face_contour", "eyebrows", "eyes", "nose", "mouth"}


def _fit(pose: Pose, size: int, margin: float = 0.06) -> tuple[np.ndarray, tuple[int, int]]:
    """Map x, y of detected points into a canvas of width ``size`` (aspect kept)."""
    det = pose.detected
    if not det.any():
        return np.zeros((*pose.data.shape[:2], 2), np.float32), (size, size)
    pts = pose.data[det][:, :2]
    lo, hi = pts.min(0), pts.max(0)
    span = np.maximum(hi - lo, 1e-6)
    height = max(16, round(size * span[1] / span[0])) if span[0] > 0 else size
    height = min(height, 2 * size)
    scale = min(size, height) * (1 - 2 * margin) / span.max() if span.max() > 0 else 1.0
    canvas = np.array([size, height])
    offset = (canvas - span * scale) / 2
    xy = (pose.data[..., :2] - lo) * scale + offset
    return xy, (size, height - height % 2)


@dataclass(frozen=True)
class SkeletonStyle:
    """How a layout's keypoints are drawn: its edges, a colour and radius per keypoint."""

    edges: list[tuple[int, int]]
    colors: list[tuple[int, int, int]]
    radius: list[int]

    @classmethod
    def of(cls, layout: Layout) -> SkeletonStyle:
        labels = layout.group_of_keypoints(_ORDER)
        return cls([(int(a), int(b)) for a, b in layout.edges],
                   [GROUP_COLORS.get(g, (90, 90, 90)) for g in labels],
                   [1 if g in _SMALL else 3 for g in labels])


def draw_skeleton(draw: ImageDraw.ImageDraw, xy: np.ndarray, detected: np.ndarray,
                  style: SkeletonStyle) -> None:
    """One frame's skeleton: ``xy`` ``(K, 2)`` pixel positions, ``detected`` ``(K,)`` bool."""
    for a, b in style.edges:
        if detected[a] and detected[b]:
            draw.line([tuple(xy[a]), tuple(xy[b])], fill=style.colors[a], width=2)
    for k in np.where(detected)[0]:
        x, y, r = xy[k, 0], xy[k, 1], style.radius[k]
        draw.ellipse([x - r, y - r, x + r, y + r], fill=style.colors[k])


def render_frames(pose: Pose, size: int = 512, background: Iterator[np.ndarray] | None = None,
                  fit: bool = True) -> Iterator[np.ndarray]:
    """Yield ``(H, W, 3)`` uint8 frames of the skeleton, coloured by articulator group.

    With ``background`` frames (a video of the same pose) the skeleton is drawn over them in
    the pose's own pixel coordinates (``fit=False``).
    """
    if fit and background is None:
        xy, (w, h) = _fit(pose, size)
    else:
        xy = pose.data[..., :2]
        w, h = pose.width or size, pose.height or size
    style = SkeletonStyle.of(pose.layout)
    det = pose.detected
    for t in range(len(pose)):
        if background is not None:
            source = next(background, None)
            if source is None:  # the video is shorter than the pose: draw what both have
                return
            img = Image.fromarray(source).convert("RGB")
        else:
            img = Image.new("RGB", (w, h), (255, 255, 255))
        draw_skeleton(ImageDraw.Draw(img), xy[t], det[t], style)
        yield np.asarray(img)


class Mp4Writer:
    """H.264 (yuv420p) mp4 through PyAV, playable in browsers, written frame by frame; the file
    appears under its name only when :meth:`close` finishes it."""

    def __init__(self, path: str | Path, fps: float):
        import av

        self.path, self.fps, self.frames = Path(path), fps, 0
        self._tmp = self.path.with_name(f".{self.path.name}.partial.mp4")
        # faststart puts the index first: a browser starts playing and seeking before the whole file is in.
        self._container = av.open(str(self._tmp), mode="w", format="mp4", options={"movflags": "+faststart"})
        self._stream = None

    def write(self, frame: np.ndarray) -> None:
        """One ``(H, W, 3)`` uint8 RGB frame (odd sizes lose their last row or column)."""
        from fractions import Fraction

        import av

        if self._stream is None:
            rate = Fraction(self.fps).limit_denominator(1000)
            self._stream = self._container.add_stream("libx264", rate=rate)
            self._stream.height, self._stream.width = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2
            self._stream.pix_fmt = "yuv420p"
        frame = np.ascontiguousarray(frame[: self._stream.height, : self._stream.width])
        for packet in self._stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        if self._stream is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
        self._container.close()
        self._tmp.replace(self.path)


def write_mp4(frames: Iterator[np.ndarray], path: Path, fps: float) -> int:
    """H.264 (yuv420p) mp4 through PyAV, playable in browsers. Returns the frame count."""
    writer = Mp4Writer(path, fps)
    for frame in frames:
        writer.write(frame)
    writer.close()
    return writer.frames


def write_visualization(pose: Pose, out: str | Path, size: int = 512, frame: int | None = None,
                        background: Iterator[np.ndarray] | None = None) -> Path:
    """Write ``pose`` drawn as ``.mp4`` (H.264), ``.gif`` (animated) or ``.png``.

    A png shows one frame: ``frame``, or by default the middle one.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if len(pose) == 0:
        raise SignkitError(f"{out}: the pose has no frames to draw")
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = render_frames(pose, size, background)
    fps = pose.fps or 25.0
    if suffix == ".mp4":
        write_mp4(frames, out, fps)
    elif suffix == ".gif":
        images = [Image.fromarray(f) for f in frames]
        images[0].save(out, save_all=True, append_images=images[1:],
                       duration=int(1000 / fps), loop=0)
    elif suffix == ".png":
        index = len(pose) // 2 if frame is None else frame
        if not 0 <= index < len(pose):
            raise SignkitError(f"frame {index} is outside 0..{len(pose) - 1}")
        for i, f in enumerate(frames):
            if i == index:
                Image.fromarray(f).save(out)
                break
    else:
        raise SignkitError(f"{out}: output must end in .mp4, .gif or .png")
    return out


def write_video_dir(poses: Sequence[Pose], out_dir: str | Path, size: int = 160, groups: str = "all",
                    progress: Callable[[int], None] = lambda i: None) -> Path:
    """Draw each labelled pose as ``NNNNN.mp4`` in ``out_dir`` and list them with their gloss and
    signer in ``manifest.csv``: a ``video_dir`` dataset for the video modality (e.g. the
    synthetic corpus as RGB clips)."""
    import csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["video", "gloss", "signer"])
        for i, pose in enumerate(poses):
            name = f"{i:05d}.mp4"
            write_visualization(pose.select(groups), out / name, size=size)
            writer.writerow([name, pose.metadata.get("gloss", ""), pose.metadata.get("signer", "")])
            progress(i)
    return manifest
