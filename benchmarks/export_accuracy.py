"""ONNX export of trained runs, measured on their real test sets: parity with PyTorch, and int8
against fp32 (top-1 agreement and accuracy).

For each run (``train_export_runs.sh``: every encoder on krsl20's LOSO fold 0 and on jeet10):
``signkit export --int8`` into OUT/NAME (calibrated on 64 of the run's training poses), then on
the run's test part (its ``splits.json``): the largest |logit difference| between PyTorch and
ONNX fp32, top-1 accuracy of PyTorch, fp32 and int8, and int8's top-1 agreement with fp32.

    python benchmarks/export_accuracy.py runs/export/* --out runs/export-onnx \\
        --json benchmarks/export_accuracy.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from signkit.data.dataset import load_dataset
from signkit.data.splits import SPLIT_FILE, split_from_file
from signkit.export.onnx import export_run
from signkit.export.runner import load_exported
from signkit.inference import load_model
from signkit.training.arrays import to_array


def measure(run_dir: Path, out: Path) -> dict:
    info = export_run(run_dir, out, int8=True)
    run = load_model(run_dir)
    ds = load_dataset(run.recipe.data.dataset)
    test = split_from_file(run_dir / SPLIT_FILE)[0]["test"]
    x = np.stack([to_array(p, run.recipe.data) for p in run.prepare([ds.samples[i] for i in test])])
    truth = np.array([ds.glosses[i] for i in test])
    vocab = np.array(run.vocabulary)
    logits = {"pytorch": run.logits(x), "fp32": load_exported(out, "fp32").logits(x),
              "int8": load_exported(out, "int8").logits(x)}
    top1 = {k: v.argmax(1) for k, v in logits.items()}
    best2 = np.sort(logits["fp32"], 1)[:, -2:]
    gap = best2[:, 1] - best2[:, 0]  # close calls: the samples int8's small errors can flip
    q = info["int8"]
    return {"run": run_dir.name, "encoder": run.recipe.model.encoder, "test": len(test),
            "max_abs_logit_diff": float(np.abs(logits["fp32"] - logits["pytorch"]).max()),
            **{f"top1_{k}": round(100 * float((vocab[v] == truth).mean()), 2) for k, v in top1.items()},
            "int8_agreement": round(100 * float((top1["int8"] == top1["fp32"]).mean()), 2),
            "top2_gap_below_0.05_pct": round(100 * float((gap < 0.05).mean()), 2),
            "top2_gap_below_0.1_pct": round(100 * float((gap < 0.1).mean()), 2),
            "int8_mode": q["mode"],
            "calibration": {m: c for m, c in q["candidates"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("runs/export-onnx"))
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for run_dir in args.runs:
        row = measure(run_dir, args.out / run_dir.name)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows}, indent=2))


if __name__ == "__main__":
    main()
