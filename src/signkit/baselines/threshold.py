"""The simple baseline of marker tagging: a frame carries the marker (``br_raise``) where a face
measure (brow height), standardised over the same signer's recordings, exceeds a threshold
chosen on the training signers (the one that maximises their frame F1). Leave-one-signer-out,
the same folds as the deep recipes' ``split: loso``."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from signkit.data.dataset import Dataset
from signkit.data.elan import NONE_LABEL
from signkit.data.openface_elan import tier_labels
from signkit.pose.face import measure_values, relative_to_signer
from signkit.reports.tagging import frame_f1, segment_f1

THRESHOLDS = np.linspace(-2.0, 3.0, 101)  # in the signer's standard deviations


def _tag(values: Sequence[np.ndarray], threshold: float, label: str) -> list[list[str]]:
    return [np.where(np.nan_to_num(v, nan=-np.inf) > threshold, label, NONE_LABEL).tolist() for v in values]


def threshold_baseline(ds: Dataset, tier: str = "brows", label: str = "br_raise",
                       measure: str = "brow_height") -> dict[str, Any]:
    """Per test signer: the threshold chosen on the others, frame and segment F1 of ``label``;
    their mean and standard deviation."""
    with warnings.catch_warnings():  # frames without a face are NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        values = [measure_values(p, measure) for p in ds.samples]
    values = relative_to_signer(values, ds.signers.tolist(), scale=True)
    true = [tier_labels(p, tier).tolist() for p in ds.samples]
    signers = ds.signers
    runs = []
    for s in sorted(set(signers.tolist())):
        test, train = np.flatnonzero(signers == s), np.flatnonzero(signers != s)
        scores = [frame_f1([true[i] for i in train], _tag([values[i] for i in train], t, label), label)
                  for t in THRESHOLDS]
        best = float(THRESHOLDS[int(np.argmax(scores))])
        pred = _tag([values[i] for i in test], best, label)
        truth = [true[i] for i in test]
        runs.append({"test_signer": s, "threshold": best, f"frame_f1:{label}": frame_f1(truth, pred, label),
                     f"segment_f1:{label}": segment_f1(truth, pred, label)})
    keys = [f"frame_f1:{label}", f"segment_f1:{label}"]
    summary = {k: {"mean": float(np.mean([r[k] for r in runs])), "std": float(np.std([r[k] for r in runs]))}
               for k in keys}
    return {"dataset": ds.name, "tier": tier, "label": label, "measure": measure, "runs": runs,
            "summary": summary}
