"""Average the class probabilities of several leave-one-signer-out runs, fold by fold.

Each argument is a ``signkit crossval`` folder; the runs of one fold must share a test signer
and a vocabulary. Prints each fold's 20-class / 10-word top-1 of the average, then the mean ± std
of top-1, top-5, macro-F1 and 10-word (merged) top-1.

    python recipes/krsl20/probes/ensemble.py runs/krsl20-transformer runs/krsl20-slgcn60
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import numpy as np

from signkit.baselines.experiment import summarise
from signkit.data.dataset import load_dataset
from signkit.training.predict import load_model, proba_report

dataset = cache(load_dataset)  # every fold's runs name the same dataset: read it once


def fold_report(run_dirs: list[Path]) -> dict[str, float]:
    """The classification report of the runs' averaged probabilities on their common test set."""
    splits = [json.loads((d / "splits.json").read_text()) for d in run_dirs]
    test = splits[0]["folds"][0]["test"]
    if any(s["folds"][0]["test"] != test for s in splits):
        raise SystemExit(f"{', '.join(map(str, run_dirs))}: the runs were tested on different samples")
    ds = dataset(splits[0]["dataset"])
    poses, glosses = [ds.samples[i] for i in test], [ds.glosses[i] for i in test]
    runs = [load_model(d) for d in run_dirs]
    if any(r.vocabulary != runs[0].vocabulary for r in runs):
        raise SystemExit(f"{', '.join(map(str, run_dirs))}: the runs have different vocabularies")
    proba = np.mean([r.predict_proba(r.prepare(poses)) for r in runs], axis=0)
    return proba_report(proba, runs[0].vocabulary, glosses, runs[0].recipe.data.merge)


def main(crossval_dirs: list[str]) -> None:
    folds = sorted(p.name for p in Path(crossval_dirs[0]).glob("repeat*_fold*")) if crossval_dirs else []
    if not folds:
        raise SystemExit("usage: ensemble.py CROSSVAL_DIR [CROSSVAL_DIR ...] (folders holding repeat*_fold*)")
    runs = [Path(d) / f for d in crossval_dirs for f in folds]
    missing = [str(r) for r in runs if not (r / "metrics.json").is_file()]  # written when a run ends
    if missing:
        raise SystemExit(f"not a finished crossval run: {', '.join(missing)}")
    reports = []
    for fold in folds:
        report = fold_report([Path(d) / fold for d in crossval_dirs])
        reports.append(report)
        print(f"{fold}: {100 * report['top1']:.2f} / {100 * report['merged_top1']:.2f}")
    mean = summarise(reports)
    for k in ("top1", "top5", "macro_f1", "merged_top1"):
        print(f"{k}: {100 * mean[k]['mean']:.2f} ± {100 * mean[k]['std']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
