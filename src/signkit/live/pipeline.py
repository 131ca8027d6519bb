"""``signkit recognize`` on a video, camera or stream: a producer thread decodes frames and runs the
Holistic estimator, the calling thread runs the recogniser on its keypoints and writes the outputs
(events as they come, an SRT file and an overlay video at the end). Ctrl-C stops both cleanly and
keeps what was recognised so far."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signkit.live.recognizer import GlossEvent, KeypointStream, Recognizer
from signkit.live.sources import FrameSource, read_ahead
from signkit.live.threads import in_thread


@dataclass
class RecognizeResult:
    events: list[GlossEvent]
    frames: int
    seconds: float  # wall-clock time from the first decoded frame to the last event
    interrupted: bool = False

    @property
    def delays_ms(self) -> list[float]:
        return [e.delay_ms for e in self.events]

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0


def _srt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_srt(events: list[GlossEvent], path: str | Path) -> Path:
    """One subtitle per gloss (webvtt-py writes the SRT)."""
    import webvtt

    captions = [webvtt.Caption(start=_srt_time(e.start), end=_srt_time(max(e.end, e.start + 0.04)),
                               text=e.gloss) for e in events]
    webvtt.WebVTT(captions=captions).save_as_srt(str(path))
    return Path(path)


class Overlay:
    """The skeleton and the glosses drawn over each frame, written as H.264 mp4."""

    def __init__(self, path: str | Path, fps: float, layout: Any):
        from signkit.visualize.render import Mp4Writer, SkeletonStyle

        self.writer, self.style = Mp4Writer(path, fps), SkeletonStyle.of(layout)

    def write(self, frame: np.ndarray, data: np.ndarray, conf: np.ndarray, current: str | None,
              transcript: list[str]) -> None:
        from PIL import Image, ImageDraw, ImageFont

        from signkit.visualize.render import draw_skeleton

        img = Image.fromarray(frame).convert("RGB")
        draw = ImageDraw.Draw(img)
        draw_skeleton(draw, data[:, :2], conf > 0, self.style)
        size = max(14, img.height // 18)
        font = ImageFont.load_default(size=size)
        if current:
            draw.text((10, 8), current, fill=(255, 255, 0), font=font, stroke_width=2, stroke_fill=(0, 0, 0))
        if transcript:
            draw.text((10, img.height - size - 10), " ".join(transcript[-6:]), fill=(255, 255, 255),
                      font=font, stroke_width=2, stroke_fill=(0, 0, 0))
        self.writer.write(np.asarray(img))

    def close(self) -> None:
        self.writer.close()


def recognize_source(run: Any, source: FrameSource,
                     on_event: Callable[[GlossEvent], None] = lambda e: None,
                     overlay: str | Path | None = None, srt: str | Path | None = None, every: int = 1,
                     estimator: Any = None, **options: Any) -> RecognizeResult:
    """Recognise ``source`` with ``run``; ``options`` go to :class:`Recognizer` (window, stride,
    threshold, smoothing, min_hands)."""
    stream = KeypointStream(estimator, every)
    source = read_ahead(source, depth=2 if source.live else 8)  # a camera: no stale frames
    rec = Recognizer(run, fps=source.fps, layout=stream.layout, **options)

    def batches() -> Iterator[list]:
        """Keypoints a stride of frames at a time: the recogniser decides only at a stride's last
        frame anyway, and waking it (and taking the GIL from MediaPipe's thread) once per frame
        cost more than its work."""
        images: list[np.ndarray] = []  # frames whose keypoints wait for the next estimate (--every)
        batch: list = []
        try:
            for t, frame in source.frames:
                images.append(frame if overlay else None)
                known = stream.process(frame, t)
                arrived = time.perf_counter()
                batch += [(images.pop(0), data, conf, tk, arrived) for data, conf, tk in known]
                if len(batch) >= rec.stride:
                    yield batch
                    batch = []
            now = time.perf_counter()
            batch += [(images.pop(0), data, conf, tk, now) for data, conf, tk in stream.flush()]
            if batch:
                yield batch
        finally:
            source.close()

    writer = Overlay(overlay, source.fps, stream.layout) if overlay else None
    frames, interrupted, first = 0, False, None

    def emit(events: list[GlossEvent]) -> None:
        for e in events:
            on_event(e)

    items = in_thread(batches(), 64, "signkit-frames")  # decoding and Holistic in a producer thread
    try:
        for item in items:
            for image, data, conf, t, arrived in item:
                first = first or arrived
                frames += 1
                emit(rec.push(data, conf, t, arrived))
                if writer is not None:
                    writer.write(image, data, conf, rec.current.gloss if rec.current else None,
                                 [e.gloss for e in rec.events])
        emit(rec.flush())
    except KeyboardInterrupt:
        interrupted = True
        items.close()
        emit(rec.flush())
    finally:
        items.close()
        if writer is not None:
            writer.close()
    seconds = time.perf_counter() - first if first else 0.0
    if srt:
        write_srt(rec.events, srt)
    return RecognizeResult(rec.events, frames, seconds, interrupted)
