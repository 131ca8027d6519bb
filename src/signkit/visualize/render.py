"""Render a pose as images (Pillow) and write them as H.264 mp4 (PyAV), gif or png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from signkit.errors import SignkitError
from signkit.pose.articulators import GROUPS
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
    labels = pose.layout.group_of_keypoints(_ORDER)
    colors = [GROUP_COLORS.get(g, (90, 90, 90)) for g in labels]
    radius = [1 if g in _SMALL else 3 for g in labels]
    det = pose.detected
    edges = pose.layout.edges
    for t in range(len(pose)):
        if background is not None:
            source = next(background, None)
            if source is None:  # the video is shorter than the pose: draw what both have
                return
            img = Image.fromarray(source).convert("RGB")
        else:
            img = Image.new("RGB", (w, h), (255, 255, 255))
        draw = ImageDraw.Draw(img)
        for a, b in edges:
            if det[t, a] and det[t, b]:
                draw.line([tuple(xy[t, a]), tuple(xy[t, b])], fill=colors[a], width=2)
        for k in np.where(det[t])[0]:
            x, y, r = xy[t, k, 0], xy[t, k, 1], radius[k]
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colors[k])
        yield np.asarray(img)


def write_mp4(frames: Iterator[np.ndarray], path: Path, fps: float) -> int:
    """H.264 (yuv420p) mp4 through PyAV, playable in browsers. Returns the frame count."""
    from fractions import Fraction

    import av

    tmp = path.with_name(f".{path.name}.partial.mp4")
    n = 0
    # faststart puts the index first: a browser starts playing and seeking before the whole file is in.
    with av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = None
        for frame in frames:
            if stream is None:
                stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
                stream.height, stream.width = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2
                stream.pix_fmt = "yuv420p"
            frame = frame[: stream.height, : stream.width]
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
            n += 1
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    tmp.replace(path)
    return n


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
