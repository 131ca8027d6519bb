"""Continuous recognition with an isolated-sign classifier: the segmentation + isolated-recognition
approach. Windows of a fixed number of frames slide over the sequence; each is classified on its
own (read the way the classifier was trained: its preprocessing on the window alone); windows
below a confidence threshold are "no sign", and runs of windows with the same gloss make one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from signkit.pose.pose import Pose


@dataclass(frozen=True)
class WindowSegment:
    """One gloss over frames ``[start, end)``, with the best window's probability."""

    gloss: str
    start: int
    end: int
    probability: float


def window_starts(frames: int, window: int, stride: int) -> list[int]:
    """First frames of the windows covering ``frames`` (the last one ends at the last frame)."""
    if frames <= window:
        return [0]
    starts = list(range(0, frames - window + 1, stride))
    if starts[-1] + window < frames:
        starts.append(frames - window)
    return starts


def window_probabilities(run: Any, pose: Pose, window: int, stride: int) -> tuple[list[int], np.ndarray]:
    """Window starts and ``(windows, classes)`` probabilities of ``run`` (a classification run
    or ensemble) over ``pose``."""
    starts = window_starts(len(pose), window, stride)
    windows = [pose.frames(slice(a, a + window)) for a in starts]
    return starts, run.predict_proba(run.prepare(windows))


def collapse(starts: list[int], proba: np.ndarray, vocabulary: list[str], window: int,
             threshold: float) -> list[WindowSegment]:
    """Windows whose best probability is at least ``threshold``, runs of the same gloss merged
    (a "no sign" window ends a run, so a sign made twice with a pause is kept twice)."""
    out: list[WindowSegment] = []
    previous = None
    for a, p in zip(starts, proba, strict=True):
        best = int(p.argmax())
        if p[best] < threshold:
            previous = None
            continue
        if previous == best:
            last = out[-1]
            out[-1] = WindowSegment(last.gloss, last.start, a + window, max(last.probability, float(p[best])))
        else:
            out.append(WindowSegment(vocabulary[best], a, a + window, float(p[best])))
        previous = best
    return out


def sliding_window_glosses(run: Any, pose: Pose, window: int, stride: int,
                           threshold: float = 0.0) -> list[WindowSegment]:
    """The gloss sequence of ``pose`` by an isolated classifier on sliding windows."""
    starts, proba = window_probabilities(run, pose, window, stride)
    return collapse(starts, proba, run.vocabulary, window, threshold)
