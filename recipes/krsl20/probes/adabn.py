"""Test-time batch-norm adaptation (AdaBN) of trained leave-one-signer-out runs.

Re-estimates every BatchNorm's statistics on the run's test signer (poses only, no labels),
then evaluates again; prints 20-class / 10-word top-1 before and after.

    python recipes/krsl20/probes/adabn.py runs/krsl20-stgcn/repeat0_fold*
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from torch import nn

from signkit.data.dataset import load_dataset
from signkit.training.predict import LoadedRun, evaluate_poses, load_run


def adapt_batch_norm(run: LoadedRun, prepared: list) -> None:
    """Replace the BatchNorm running statistics by the plain average over ``prepared``."""
    norms = [m for m in run.module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over all batches
        m.train()
    run.predict_proba(prepared)  # forward passes only update the statistics
    run.module.eval()


def main(run_dirs: list[str]) -> None:
    for run_dir in run_dirs:
        run = load_run(run_dir)
        splits = json.loads((Path(run_dir) / "splits.json").read_text())
        ds = load_dataset(splits["dataset"])
        test = splits["folds"][0]["test"]
        prepared = run.prepare([ds.samples[i] for i in test])
        glosses = [ds.glosses[i] for i in test]
        merge = run.merge
        before, _ = evaluate_poses(run, prepared, glosses, merge)
        adapt_batch_norm(run, prepared)
        after, _ = evaluate_poses(run, prepared, glosses, merge)
        print(f"{run_dir}: before {100 * before['top1']:.1f} / {100 * before['merged_top1']:.1f}, "
              f"after {100 * after['top1']:.1f} / {100 * after['merged_top1']:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
