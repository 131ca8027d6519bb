"""Where live frames come from: a video file, a camera (OpenCV) or a stream URL (PyAV).

Each source gives its frame rate and an iterator of ``(t seconds, (H, W, 3) uint8 RGB)``; a
source that cannot be opened is a one-line :class:`SignkitError` before any work starts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signkit.errors import SignkitError
from signkit.extract.video import read_frames
from signkit.live.threads import in_thread


class SourceError(SignkitError):
    """A camera, file or URL that gives no frames."""


@dataclass
class FrameSource:
    name: str
    fps: float
    frames: Iterator[tuple[float, np.ndarray]]
    live: bool  # a camera or a stream: times are the wall clock's, and it never ends by itself

    def close(self) -> None:
        close = getattr(self.frames, "close", None)
        if close is not None:
            close()


def read_ahead(source: FrameSource, depth: int = 8) -> FrameSource:
    """``source`` decoded in a thread of its own, up to ``depth`` frames ahead of the consumer.

    Decoding (PyAV and FFmpeg release the GIL) then overlaps with the pose estimator instead of
    adding to it: about 1.2 ms a frame of a 24 ms frame on the WLASL clips. Errors reach the
    consumer where the frame would have; closing the result stops the thread.
    """
    frames = in_thread(source.frames, depth, f"signkit-read {source.name}")
    return FrameSource(source.name, source.fps, frames, source.live)


def video_source(path: str | Path) -> FrameSource:
    info, frames = read_frames(path)

    def timed() -> Iterator[tuple[float, np.ndarray]]:
        try:
            for i, frame in enumerate(frames):
                yield i / info.fps, frame
        finally:
            frames.close()

    return FrameSource(str(path), info.fps, timed(), live=False)


def camera_source(index: int) -> FrameSource:
    import cv2

    cv2.setLogLevel(0)  # our one-line error says it; OpenCV's backend-by-backend complaints do not
    cap = cv2.VideoCapture(index)
    ok, first = cap.read() if cap.isOpened() else (False, None)
    if not ok:
        cap.release()
        raise SourceError(f"camera {index}: cannot be opened (no such camera, or another program "
                          "holds it)")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0

    def frames() -> Iterator[tuple[float, np.ndarray]]:
        start, frame = time.perf_counter(), first
        try:
            while frame is not None:
                yield time.perf_counter() - start, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                ok, frame = cap.read()
                frame = frame if ok else None
        finally:
            cap.release()

    return FrameSource(f"camera {index}", fps, frames(), live=True)


def url_source(url: str, timeout: float = 10.0) -> FrameSource:
    import av

    try:
        container = av.open(url, timeout=timeout)
        stream = container.streams.video[0]
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"{url}: cannot open the stream ({reason})") from None
    fps = float(stream.average_rate or stream.base_rate or 30.0)

    def frames() -> Iterator[tuple[float, np.ndarray]]:
        start = time.perf_counter()
        try:
            for frame in container.decode(stream):
                yield time.perf_counter() - start, frame.to_ndarray(format="rgb24")
        except av.error.FFmpegError as exc:
            raise SourceError(f"{url}: the stream stopped ({exc})") from None
        finally:
            container.close()

    return FrameSource(url, fps, frames(), live=True)


def open_source(source: str | Path | None = None, camera: int | None = None) -> FrameSource:
    """A video file or URL (``rtsp://``, ``http://``, ...), or ``camera`` N."""
    if camera is not None:
        if source is not None:
            raise SourceError("give a video or URL, or --camera, not both")
        return camera_source(camera)
    if source is None:
        raise SourceError("nothing to recognise: give a video file, a URL or --camera N")
    text = str(source)
    return url_source(text) if "://" in text else video_source(text)
