"""Recognition over a stream of frames: RGB frames (or their keypoints) in, gloss events out.

>>> rec = Recognizer(load_model("runs/jeet10"), fps=30)        # doctest: +SKIP
>>> for t, frame in frames:                                     # doctest: +SKIP
...     for event in rec.feed(frame, t):
...         print(event.gloss, event.start, event.end)

An isolated-sign run classifies a window of the last ``window`` frames every ``stride`` frames.
Its probabilities are averaged over the last ``smoothing`` windows; below ``threshold``, or with
the hands out of view, it is "no sign". A gloss is emitted once when a sign starts, and its end
moves on while the same gloss lasts (no repeats). A continuous (CTC) run decodes the last
``window`` frames every ``stride`` frames and emits each gloss once it lies clear of the
window's trailing edge. A tagging run (non-manual markers) labels every frame of the last
``window`` the same way: each marker segment is emitted once it lies clear of the trailing edge,
and :attr:`Recognizer.current` is the marker of the newest frames (``None``: no marker).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from signkit.pose.layout import Layout
from signkit.pose.pose import Pose

GLOSS_TIER = "gloss"


@dataclass
class GlossEvent:
    """A recognised gloss over ``[start, end]`` seconds of the stream. ``delay_ms``: from the
    arrival of the last frame it needed to its emission."""

    gloss: str
    start: float
    end: float
    probability: float
    delay_ms: float = 0.0
    tier: str = GLOSS_TIER  # a non-manual run's markers: its tier (brows, head, ...)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("start", "end"):
            d[k] = round(d[k], 3)
        if self.tier == GLOSS_TIER:
            del d["tier"]
        return {**d, "probability": round(self.probability, 4), "delay_ms": round(self.delay_ms, 2)}


class KeypointStream:
    """The Holistic estimator over frames, on every ``every``-th frame only: the frames between two
    estimated ones get keypoints interpolated linearly (where both ends saw the point), so they
    come out one estimated frame late."""

    def __init__(self, estimator: Any = None, every: int = 1):
        if estimator is None:
            from signkit.extract.holistic import HolisticEstimator

            estimator = HolisticEstimator()
        self.estimator, self.every = estimator, max(1, every)
        self.layout: Layout = estimator.layout
        self._count, self._pending, self._last = 0, [], None
        self.size: tuple[int, int] | None = None  # (width, height) of the frames

    def process(self, frame: np.ndarray, t: float) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """``(data (K, 3), conf (K,), t)`` of the frames now known, oldest first."""
        i, self._count = self._count, self._count + 1
        self.size = (frame.shape[1], frame.shape[0])
        if i % self.every and self._last is not None:
            self._pending.append(t)
            return []
        data, conf = self.estimator.process(frame)
        out = []
        if self._pending:
            d0, c0, _ = self._last
            both = (c0 > 0) & (conf > 0)
            for j, tp in enumerate(self._pending, 1):
                w = j / (len(self._pending) + 1)
                out.append((np.where(both[:, None], (1 - w) * d0 + w * data, 0).astype(np.float32),
                            np.where(both, (1 - w) * c0 + w * conf, 0).astype(np.float32), tp))
            self._pending = []
        self._last = (data, conf, t)
        out.append((data, conf, t))
        return out

    @property
    def frames(self) -> int:
        """Frames processed so far."""
        return self._count

    def flush(self) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """The frames still waiting for a next estimate, holding the last one."""
        if not self._pending or self._last is None:
            return []
        d, c, _ = self._last
        out = [(d, c, tp) for tp in self._pending]
        self._pending = []
        return out


class Recognizer:
    """Gloss events from frames one by one (:meth:`feed`) or from their keypoints (:meth:`push`).

    ``run``: a loaded classification, CTC or tagging run, PyTorch or exported (``load_model``).
    ``window``/``stride`` in frames: by default the run's ``data.length`` (the frames its samples
    were resampled to) and a quarter of it; CTC and tagging runs: 4 seconds and a quarter second.
    ``tier``: what its events are (default: ``gloss``; a tagging run's own tier).
    """

    def __init__(self, run: Any, fps: float = 30.0, window: int | None = None, stride: int | None = None,
                 threshold: float = 0.5, smoothing: int = 2, min_hands: float = 0.25, every: int = 1,
                 estimator: Any = None, layout: Layout | None = None, tier: str | None = None):
        self.run, self.fps = run, fps
        self.task = getattr(run, "task", "classify")
        self.ctc = self.task == "ctc"
        self.sequence = self.task in ("ctc", "tag")
        self.tier = tier or (run.recipe.tag.tier if self.task == "tag" else GLOSS_TIER)
        self.window = window or (round(4 * fps) if self.sequence else _trained_length(run))
        self.stride = stride or max(1, (round(fps / 4) if self.sequence else self.window // 4))
        self.threshold, self.min_hands = threshold, min_hands
        self._stream = KeypointStream(estimator, every) if estimator is not None or layout is None else None
        self.layout = self._stream.layout if self._stream else layout
        self._hands = self.layout.indices("hands") if "hands" in self.layout.groups else np.array([], int)
        self._frames: deque[tuple[np.ndarray, np.ndarray, float, float]] = deque(maxlen=self.window)
        self._recent: deque[np.ndarray] = deque(maxlen=max(1, smoothing))
        self._since = 0
        self._total = 0
        self.current: GlossEvent | None = None
        self.events: list[GlossEvent] = []
        self._committed = -1.0  # CTC: the end (s) of the last emitted gloss
        self._decoder = None
        if self.ctc:
            from signkit.training.tasks.ctc import decoder_for

            self._decoder = decoder_for(run)

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the frames fed, when frames (not keypoints) are fed."""
        return self._stream.size if self._stream else None

    @property
    def last_keypoints(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The newest frame's keypoints ``(K, 3)`` and confidence ``(K,)``."""
        return (self._frames[-1][0], self._frames[-1][1]) if self._frames else None

    def feed(self, frame: np.ndarray, t: float | None = None) -> list[GlossEvent]:
        """One ``(H, W, 3)`` uint8 RGB frame at ``t`` seconds (default: its index / fps)."""
        if self._stream is None:
            raise ValueError("this Recognizer was built for keypoints (layout=...): use push()")
        t = self._stream.frames / self.fps if t is None else t
        events = []
        for data, conf, tk in self._stream.process(frame, t):
            events += self.push(data, conf, tk)
        return events

    def push(self, data: np.ndarray, conf: np.ndarray, t: float | None = None,
             arrived: float | None = None) -> list[GlossEvent]:
        """One frame's keypoints ``(K, 3)`` and confidence ``(K,)`` in :attr:`layout`; ``arrived``:
        when it became available (``time.perf_counter()``; default now), for the events' delay."""
        t = self._total / self.fps if t is None else t
        self._frames.append((data, conf, t, time.perf_counter() if arrived is None else arrived))
        self._total += 1
        self._since += 1
        if self._since < self.stride or len(self._frames) < min(self.window, 4):
            return []
        self._since = 0
        return self._step(final=False)

    def flush(self) -> list[GlossEvent]:
        """The end of the stream: the frames not yet decoded, and the glosses still held back."""
        events = []
        if self._stream is not None:
            for data, conf, t in self._stream.flush():
                events += self.push(data, conf, t)
        if self._frames and (self._since or self.sequence):
            events += self._step(final=True)
        self._since = 0
        return events

    def _window(self) -> Pose:
        data = np.stack([f[0] for f in self._frames])
        conf = np.stack([f[1] for f in self._frames])
        w, h = self.size or (0, 0)
        return Pose(data, conf, self.fps, self.layout, width=w, height=h)

    def _step(self, final: bool) -> list[GlossEvent]:
        events = self._step_sequence(final) if self.sequence else self._step_classify()
        arrived = self._frames[-1][3]
        for e in events:
            e.delay_ms = 1000 * (time.perf_counter() - arrived)
            e.tier = self.tier
        self.events += events
        return events

    def _step_classify(self) -> list[GlossEvent]:
        pose = self._window()
        start, end = self._frames[0][2], self._frames[-1][2] + 1 / self.fps
        hands = (pose.confidence[:, self._hands] > 0).any(1).mean() if len(self._hands) else 1.0
        if hands < self.min_hands:
            self._recent.clear()
            self.current = None
            return []
        self._recent.append(self.run.predict_proba(self.run.prepare([pose]))[0])
        proba = np.mean(self._recent, axis=0)
        best = int(proba.argmax())
        gloss = self.run.vocabulary[best]
        if proba[best] < self.threshold:
            self.current = None
            return []
        if self.current is not None and self.current.gloss == gloss:
            self.current.end = end  # the same sign goes on: no repeat
            self.current.probability = max(self.current.probability, float(proba[best]))
            return []
        self.current = GlossEvent(gloss, start, end, float(proba[best]))
        return [self.current]

    def _segments(self, lp: np.ndarray) -> list[tuple[str, int, int]]:
        """``(value, first step, end step)`` of a window's log-probabilities: a CTC run's decoded
        glosses, a tagging run's runs of one marker (frames of no marker left out)."""
        if self.ctc:
            return [(seg.gloss, seg.start, seg.end) for seg in self._decoder.decode(lp)]
        from signkit.data.elan import NONE_LABEL
        from signkit.reports.tagging import segments

        labels = [self.run.vocabulary[k] for k in lp.argmax(-1)]
        # The current marker: the most frequent label of the newest stride of frames (the newest
        # frame alone has no frames after it to be judged by).
        recent = labels[-max(1, self.stride // self.run.stride):]
        newest = max(set(recent), key=recent.count) if recent else NONE_LABEL
        self.current = None if newest == NONE_LABEL else GlossEvent(newest, 0.0, 0.0, 0.0, tier=self.tier)
        return [r for r in segments(labels) if r[0] != NONE_LABEL]

    def _step_sequence(self, final: bool) -> list[GlossEvent]:
        pose = self._window()
        t0 = self._frames[0][2]
        lp = self.run.log_probs(self.run.prepare([pose]))[0]
        step = self.run.stride / self.fps
        edge = self._frames[-1][2] - (0 if final else self.window / self.fps / 4)
        events = []
        for value, first, last in self._segments(lp):
            start, end = t0 + first * step, t0 + last * step
            # Already emitted (a later window decodes it again, starting before its end), or still
            # at the trailing edge where it may change. A gloss may start where the last one ends.
            if start < self._committed or (end > edge and not final):
                continue
            k = self.run.vocabulary.index(value)
            events.append(GlossEvent(value, start, end, float(np.exp(lp[first:last, k].max()))))
            self._committed = end
        if events and self.ctc:
            self.current = events[-1]
        return events


def _trained_length(run: Any) -> int:
    """The frames a classification run's samples were resampled to (an ensemble's first member's)."""
    return (run.members[0] if hasattr(run, "members") else run).recipe.data.length


class Recognizers:
    """A sign run's :class:`Recognizer` and one per non-manual run (markers or sentence type), all
    reading the same keypoints in ``layout``. ``options`` go to the sign run's; the non-manual
    ones take only the gating (threshold, smoothing, min_hands) and keep their own windows."""

    SHARED = ("threshold", "smoothing", "min_hands")

    def __init__(self, run: Any, extra_runs: tuple[Any, ...] = (), fps: float = 30.0,
                 layout: Layout | None = None, **options: Any):
        shared = {k: v for k, v in options.items() if k in self.SHARED}
        self.main = Recognizer(run, fps=fps, layout=layout, **options)
        self.others = [Recognizer(r, fps=fps, layout=layout, **shared) for r in extra_runs]
        self.all = [self.main, *self.others]

    def push(self, data: np.ndarray, conf: np.ndarray, t: float | None = None,
             arrived: float | None = None) -> list[GlossEvent]:
        return [e for r in self.all for e in r.push(data, conf, t, arrived)]

    def flush(self) -> list[GlossEvent]:
        return [e for r in self.all for e in r.flush()]

    def markers(self) -> dict[str, str | None]:
        """Each non-manual tier's current value (``None``: no marker)."""
        return {r.tier: r.current.gloss if r.current else None for r in self.others}

    @property
    def events(self) -> list[GlossEvent]:
        """The sign run's events, then each non-manual run's."""
        return [e for r in self.all for e in r.events]

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(r.tier for r in self.all)

