"""The files of an evaluation: confusion matrix (CSV and PNG), per-class accuracy, report JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from signkit.reports import metrics as M
from signkit.reports.plots import confusion_png


def write_confusion(out: Path, cm: np.ndarray, vocab: Sequence[str], title: str) -> None:
    """``confusion.csv``, ``per_class.csv`` and ``confusion.png`` of ``cm`` (rows: true gloss)."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "confusion.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["true \\ predicted", *vocab])
        for g, row in zip(vocab, cm, strict=True):
            w.writerow([g, *row.tolist()])
    with (out / "per_class.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["gloss", "accuracy", "test samples"])
        for g, acc, n in zip(vocab, M.per_class_accuracy(cm), cm.sum(axis=1), strict=True):
            w.writerow([g, f"{acc:.4f}", int(n)])
    confusion_png(cm, vocab, out / "confusion.png", title=title)


def write_evaluation(out: Path, dataset: str, report: dict[str, float], glosses: Sequence[str],
                     pred: Sequence[str], vocab: Sequence[str], title: str) -> None:
    """A trained model's report on ``dataset`` (``evaluation.json``) with its confusion files."""
    write_confusion(out, M.confusion(glosses, pred, vocab), vocab, title)
    (out / "evaluation.json").write_text(json.dumps({"dataset": dataset, **report}, indent=2))
