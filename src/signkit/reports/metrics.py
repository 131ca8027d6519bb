"""Recognition metrics on gloss labels, and the metric vocabulary every report shares (names,
mean and spread over runs, their table form)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    return float((t == p).mean()) if len(t) else float("nan")


def subset_accuracy(y_true: Sequence[str], y_pred: Sequence[str], classes: set[str]) -> float:
    """Accuracy over the samples whose true gloss is in ``classes``."""
    t, p = np.asarray(y_true), np.asarray(y_pred)
    keep = np.isin(t, list(classes))
    return accuracy(t[keep], p[keep])


def regex_merge(pattern: str) -> Callable[[str], str]:
    """A gloss mapping from a sed-like ``s/REGEX/REPLACEMENT/`` string (e.g. ``s/q$//``)."""
    m = re.fullmatch(r"s/(.*)/(.*)/", pattern)
    if not m:
        raise ValueError(f"merge pattern must look like s/REGEX/REPLACEMENT/, got {pattern!r}")
    rx, repl = re.compile(m.group(1)), m.group(2)
    return lambda gloss: rx.sub(repl, gloss)


def merged_accuracy(y_true: Sequence[str], y_pred: Sequence[str],
                    merge: Callable[[str], str]) -> float:
    """Accuracy after mapping both true and predicted glosses through ``merge``."""
    return accuracy([merge(g) for g in y_true], [merge(g) for g in y_pred])


def top_k_accuracy(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], k: int) -> float:
    """Fraction of samples whose true gloss is among the ``k`` most probable; ``proba`` is
    ``(N, C)`` with columns in ``classes`` order."""
    k = min(k, len(classes))
    top = np.argsort(-proba, axis=1)[:, :k]
    names = np.asarray(classes)[top]
    return float(np.mean([t in row for t, row in zip(y_true, names, strict=True)]))


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro", labels=sorted(set(y_true)),
                          zero_division=0))


def confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """``(C, C)`` counts, rows true gloss, columns predicted, in ``labels`` order."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(labels))


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    totals = cm.sum(axis=1)
    return np.divide(np.diag(cm), totals, out=np.full(len(cm), np.nan), where=totals > 0)


def classification_report(y_true: Sequence[str], y_pred: Sequence[str],
                          proba: np.ndarray | None = None, classes: Sequence[str] | None = None,
                          merge: Callable[[str], str] | None = None) -> dict[str, float]:
    """Top-1, top-5 (with probabilities), macro-F1 and merged-class accuracy."""
    out = {"top1": accuracy(y_true, y_pred), "macro_f1": macro_f1(y_true, y_pred)}
    if proba is not None and classes is not None:
        out["top5"] = top_k_accuracy(y_true, proba, classes, 5)
    if merge is not None:
        out["merged_top1"] = merged_accuracy(y_true, y_pred, merge)
    return out


METRIC_NAMES = {"top1": "top-1", "top5": "top-5", "macro_f1": "macro-F1", "merged_top1": "merged top-1",
                # continuous recognition (task: ctc): gloss error rates
                "wer": "WER", "merged_wer": "merged WER", "sub": "sub", "del": "del", "ins": "ins",
                "ser": "SER",
                # frame tagging (task: tag): averaged over the marker labels
                "frame_f1": "frame F1", "segment_f1": "segment F1", "frame_accuracy": "frame accuracy"}


def metric_name(key: str) -> str:
    """How a table heads a metric: ``frame_f1:br_raise`` -> ``frame F1 br_raise``."""
    name, _, label = key.partition(":")
    return f"{METRIC_NAMES.get(name, name)} {label}".strip()


def merge_fn(spec: str | None) -> Callable[[str], str] | None:
    if not spec:
        return None
    if spec.startswith("s/"):
        return regex_merge(spec)
    with Path(spec).open(newline="") as fh:
        mapping = dict(csv.reader(fh))  # two columns: gloss, merged gloss
    return lambda g: mapping.get(g, g)


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation over runs of every metric they report (a tagging run's per
    label ones, ``frame_f1:LABEL``, too)."""
    keys = [k for k in METRIC_NAMES if k in runs[0]]
    keys += [k for k in runs[0] if ":" in k and k.split(":")[0] in METRIC_NAMES]
    return {k: {"mean": float(np.mean([r[k] for r in runs])),
                "std": float(np.std([r[k] for r in runs]))} for k in keys}


def format_summary(summary: dict[str, dict[str, float]]) -> dict[str, str]:
    return {metric_name(k): f"{100 * v['mean']:.2f} ± {100 * v['std']:.2f}"
            for k, v in summary.items()}
