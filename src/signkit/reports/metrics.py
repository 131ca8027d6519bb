"""Recognition metrics on gloss labels."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
