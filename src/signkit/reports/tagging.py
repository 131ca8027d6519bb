"""Frame tagging scores: frame-level F1 per label, and segment-level F1, where a predicted
segment counts when it overlaps a true segment of the same label by IoU of at least 0.5 (each
true segment matched once)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

IOU = 0.5


def segments(labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of equal labels as ``(label, start, end)`` frames, ``end`` exclusive."""
    out: list[tuple[str, int, int]] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append((str(labels[start]), start, i))
            start = i
    return out


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def frame_f1(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], label: str) -> float:
    t = np.concatenate([np.asarray(s, dtype=object) for s in true]) == label
    p = np.concatenate([np.asarray(s, dtype=object) for s in pred]) == label
    return _f1(int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum()))


def _iou(a: tuple[str, int, int], b: tuple[str, int, int]) -> float:
    inter = max(0, min(a[2], b[2]) - max(a[1], b[1]))
    return inter / (max(a[2], b[2]) - min(a[1], b[1]))


def segment_f1(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], label: str,
               iou: float = IOU) -> float:
    tp = fp = fn = 0
    for t, p in zip(true, pred, strict=True):
        truth = [s for s in segments(t) if s[0] == label]
        found = [s for s in segments(p) if s[0] == label]
        unmatched = list(truth)
        for s in found:
            best = max(unmatched, key=lambda u: _iou(s, u), default=None)
            if best is not None and _iou(s, best) >= iou:
                unmatched.remove(best)
                tp += 1
            else:
                fp += 1
        fn += len(unmatched)
    return _f1(tp, fp, fn)


def tagging_report(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                   labels: Sequence[str]) -> dict[str, float]:
    """``frame_f1`` and ``segment_f1`` averaged over ``labels`` (the markers, not "none"), each
    label's as ``frame_f1:LABEL`` / ``segment_f1:LABEL``, and the frame accuracy."""
    report: dict[str, float] = {}
    for label in labels:
        report[f"frame_f1:{label}"] = frame_f1(true, pred, label)
        report[f"segment_f1:{label}"] = segment_f1(true, pred, label)
    t = np.concatenate([np.asarray(s, dtype=object) for s in true])
    p = np.concatenate([np.asarray(s, dtype=object) for s in pred])
    report["frame_f1"] = float(np.mean([report[f"frame_f1:{lb}"] for lb in labels])) if labels else 0.0
    report["segment_f1"] = float(np.mean([report[f"segment_f1:{lb}"] for lb in labels])) if labels else 0.0
    report["frame_accuracy"] = float((t == p).mean()) if len(t) else 0.0
    return report
