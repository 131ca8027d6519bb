"""Plots people would rather look at than read: confusion heatmaps and ablation bars."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt
import numpy as np


def confusion_png(cm: np.ndarray, labels: Sequence[str], path: str | Path, title: str = "") -> Path:
    """Row-normalised confusion matrix with gloss names on both axes."""
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros_like(cm, dtype=float), where=rows > 0)
    n = len(labels)
    fig, ax = plt.subplots(figsize=(max(5, 0.45 * n + 2), max(4, 0.45 * n + 1.5)))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 30:
        for i in range(n):
            for j in range(n):
                if cm[i, j]:
                    ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=6,
                            color="white" if norm[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def ablation_png(names: Sequence[str], means: dict[str, Sequence[float]],
                 stds: dict[str, Sequence[float]], path: str | Path, title: str = "") -> Path:
    """Grouped bars (one group per feature set, one bar per metric) with std error bars."""
    metrics = list(means)
    x = np.arange(len(names))
    width = 0.8 / max(1, len(metrics))
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(names) + 2), 4.5))
    for i, m in enumerate(metrics):
        ax.bar(x + (i - (len(metrics) - 1) / 2) * width, 100 * np.asarray(means[m]), width,
               yerr=100 * np.asarray(stds[m]), capsize=3, label=m)
    ax.set_xticks(x, names, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def posteriors_png(samples: Sequence[tuple[str, np.ndarray]], vocabulary: Sequence[str],
                   path: str | Path, seconds_per_step: Sequence[float] | None = None) -> Path:
    """Gloss posteriors over time of a CTC model, one panel per ``(title, log_probs (L, N))``:
    the blank (class 0) dashed grey, each gloss that reaches 10 % somewhere as a named line."""
    fig, axes = plt.subplots(len(samples), 1, figsize=(10, 2.4 * len(samples)), squeeze=False)
    for i, (ax, (title, log_probs)) in enumerate(zip(axes[:, 0], samples, strict=True)):
        p = np.exp(log_probs)
        step = seconds_per_step[i] if seconds_per_step else 1.0
        t = np.arange(len(p)) * step
        ax.plot(t, p[:, 0], "--", color="0.6", lw=1, label="blank")
        for c in np.flatnonzero(p[:, 1:].max(0) >= 0.1) + 1:
            ax.plot(t, p[:, c], lw=1.5, label=vocabulary[c])
            peak = int(p[:, c].argmax())
            ax.annotate(vocabulary[c], (t[peak], p[peak, c]), fontsize=7, ha="center", va="bottom")
        ax.set_ylim(0, 1.1)
        ax.set_title(title, fontsize=8, loc="left")
        ax.set_ylabel("p")
    axes[-1, 0].set_xlabel("seconds" if seconds_per_step else "output step")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
