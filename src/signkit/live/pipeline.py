"""``signkit recognize`` on a video, camera or stream: a producer thread decodes frames and runs the
Holistic estimator, the calling thread runs the recognisers on its keypoints (a sign run, and any
non-manual runs: markers or sentence type) and writes the outputs (events as they come; SRT, ELAN,
the face traces and an overlay video at the end). Ctrl-C stops both cleanly and keeps what was
recognised so far."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signkit.live.face import TRACES, FaceTraces
from signkit.live.recognizer import GLOSS_TIER, GlossEvent, KeypointStream, Recognizers
from signkit.live.sources import FrameSource, read_ahead
from signkit.live.threads import in_thread


@dataclass
class RecognizeResult:
    events: list[GlossEvent]  # the sign run's, then every non-manual run's (``tier``)
    frames: int
    seconds: float  # wall-clock time from the first decoded frame to the last event
    interrupted: bool = False
    traces: list[dict[str, Any]] | None = None  # per frame: time, the face traces, the markers
    tier_names: tuple[str, ...] = (GLOSS_TIER,)  # the sign run's, then each non-manual run's

    def tiers(self) -> dict[str, list[tuple[str, float, float]]]:
        """``{tier: [(value, start, end)]}`` for every run, one that found nothing too."""
        return {tier: [(e.gloss, e.start, e.end) for e in self.events if e.tier == tier]
                for tier in self.tier_names}

    @property
    def delays_ms(self) -> list[float]:
        return [e.delay_ms for e in self.events]

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0


def _srt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_srt(events: list[GlossEvent], path: str | Path,
              tiers: tuple[str, ...] = (GLOSS_TIER,)) -> list[Path]:
    """One subtitle per gloss (webvtt-py writes the SRT); a non-manual tier's events go to a track
    of their own beside it (``out.srt`` -> ``out.brows.srt``)."""
    import webvtt

    path, written = Path(path), []
    for tier in dict.fromkeys([*tiers, *(e.tier for e in events)]):
        captions = [webvtt.Caption(start=_srt_time(e.start), end=_srt_time(max(e.end, e.start + 0.04)),
                                   text=e.gloss) for e in events if e.tier == tier]
        target = path if tier == GLOSS_TIER else path.with_suffix(f".{tier}{path.suffix}")
        webvtt.WebVTT(captions=captions).save_as_srt(str(target))
        written.append(target)
    return written


def write_traces(traces: list[dict[str, Any]], path: str | Path) -> Path:
    """The face traces and the markers, one row per frame (CSV)."""
    import csv

    columns = list(dict.fromkeys(k for row in traces for k in row)) or ["time", *TRACES]
    with Path(path).open("w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(traces)
    return Path(path)


class Overlay:
    """The skeleton and the glosses drawn over each frame and, where the face is seen, its traces
    scrolling in a panel beside it with the current markers, written as H.264 mp4."""

    SECONDS = 5.0  # of traces in the panel

    def __init__(self, path: str | Path, fps: float, layout: Any, panel: bool = True):
        from signkit.visualize.render import Mp4Writer, SkeletonStyle

        self.writer, self.style = Mp4Writer(path, fps), SkeletonStyle.of(layout)
        self.fps, self.panel = fps, panel

    def write(self, frame: np.ndarray, data: np.ndarray, conf: np.ndarray, current: str | None,
              transcript: list[str], traces: list[dict[str, Any]] | None = None,
              markers: dict[str, str | None] | None = None) -> None:
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
        if self.panel:
            img = self._with_panel(img, traces or [], markers or {})
        self.writer.write(np.asarray(img))

    def _with_panel(self, img: Any, traces: list[dict[str, Any]], markers: dict[str, str | None]) -> Any:
        """The frame with the last :attr:`SECONDS` of each trace (own scale) and the markers to its right."""
        from PIL import Image, ImageDraw, ImageFont

        w, h = max(160, img.height * 3 // 4), img.height
        out = Image.new("RGB", (img.width + w, h), (24, 24, 24))
        out.paste(img, (0, 0))
        draw = ImageDraw.Draw(out)
        font = ImageFont.load_default(size=max(10, h // 28))
        rows = len(TRACES) + 1
        recent = traces[-round(self.SECONDS * self.fps):]
        for i, name in enumerate(TRACES):
            top, bottom = i * h // rows + 4, (i + 1) * h // rows - 4
            draw.text((img.width + 6, top), name.replace("_", " "), fill=(200, 200, 200), font=font)
            values = [r.get(name) for r in recent]
            seen = [v for v in values if v is not None]
            if len(seen) < 2:
                continue
            lo, hi = min(seen), max(seen)
            span = (hi - lo) or 1.0
            steps = max(1, round(self.SECONDS * self.fps) - 1)
            points = [(img.width + 4 + (w - 8) * j / steps, bottom - (bottom - top - 14) * (v - lo) / span)
                      for j, v in enumerate(values) if v is not None]
            draw.line(points, fill=(90, 200, 255), width=2)
        text = "  ".join(f"{tier}: {value or '-'}" for tier, value in markers.items())
        if text:
            draw.text((img.width + 6, (rows - 1) * h // rows + 4), text, fill=(255, 220, 120), font=font)
        return out

    def close(self) -> None:
        self.writer.close()


def recognize_source(run: Any, source: FrameSource,
                     on_event: Callable[[GlossEvent], None] = lambda e: None,
                     overlay: str | Path | None = None, srt: str | Path | None = None, every: int = 1,
                     estimator: Any = None, extra_runs: tuple[Any, ...] = (), eaf: str | Path | None = None,
                     traces: str | Path | None = None, **options: Any) -> RecognizeResult:
    """Recognise ``source`` with ``run``; ``options`` go to its :class:`Recognizer` (window,
    stride, threshold, smoothing, min_hands). ``extra_runs``: non-manual runs (tagging: markers;
    classification: the sentence type) read from the same keypoints, each with its own window;
    their events carry their tier. ``traces``: a CSV of the face traces and markers per frame."""
    stream = KeypointStream(estimator, every)
    source = read_ahead(source, depth=2 if source.live else 8)  # a camera: no stale frames
    recs = Recognizers(run, extra_runs, fps=source.fps, layout=stream.layout, **options)
    rec = recs.main
    face = FaceTraces(stream.layout, source.fps)
    keep_traces = bool(traces or overlay) and face.available
    rows: list[dict[str, Any]] = []
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

    writer = Overlay(overlay, source.fps, stream.layout, panel=face.available) if overlay else None
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
                emit(recs.push(data, conf, t, arrived))
                if keep_traces:
                    rows.append({"time": round(t, 3), **face(data, conf, stream.size), **recs.markers()})
                if writer is not None:
                    writer.write(image, data, conf, rec.current.gloss if rec.current else None,
                                 [e.gloss for e in rec.events], rows, recs.markers())
        emit(recs.flush())
    except KeyboardInterrupt:
        interrupted = True
        items.close()
        emit(recs.flush())
    finally:
        items.close()
        if writer is not None:
            writer.close()
    seconds = time.perf_counter() - first if first else 0.0
    result = RecognizeResult(recs.events, frames, seconds, interrupted, rows if keep_traces else None,
                             recs.tiers)
    if srt:
        write_srt(result.events, srt, result.tier_names)
    if eaf:
        from signkit.data.elan import write_eaf

        write_eaf(result.tiers(), eaf, media=source.name)
    if traces:
        write_traces(rows, traces)
    return result
