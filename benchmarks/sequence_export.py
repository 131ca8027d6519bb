"""CTC and tagging runs exported to ONNX: batch-1 latency against PyTorch, and int8 against fp32 on
the run's real test part (WER for CTC, frame F1 for tagging).

For each run folder: ``signkit export --int8`` into OUT/NAME (the int8 kind chosen by agreement with
fp32 on the run's training poses), then on the test part of the run's ``splits.json``:

- the task's own score (CTC: WER with the run's decoding; tagging: mean frame F1 and segment F1 of
  the markers) of PyTorch, ONNX fp32 and ONNX int8, and int8's agreement with fp32 (CTC: greedy
  gloss sequences that are the same; tagging: frames with the same label);
- batch-1 latency: every test pose once through each runtime (one thread each, after a warm-up of
  ten poses), the median and the total over the test part.

    python benchmarks/sequence_export.py RUN [RUN...] --out runs/sequence-onnx \\
        [--json benchmarks/sequence_export.json] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import onnxruntime
import torch

from signkit.data.dataset import load_dataset
from signkit.data.splits import tested_part
from signkit.export.onnx import export_run
from signkit.export.quantize import agreement, answers
from signkit.export.runner import load_exported
from signkit.inference import load_model
from signkit.training.arrays import sequence_array
from signkit.training.registries import get_task

SCORES = {"ctc": ("wer", "ser"), "tag": ("frame_f1", "segment_f1")}


def _score(report: dict, task: str) -> dict[str, float]:
    """The task's headline figures in %: CTC's WER and SER; tagging's mean over the markers."""
    out = {}
    for key in SCORES[task]:
        values = [v for k, v in report.items() if k == key or k.startswith(f"{key}:")]
        out[key] = round(100 * float(np.mean(values)), 2) if values else float("nan")
    return out


def latency(run, arrays: list[np.ndarray], warmup: int = 10) -> tuple[float, float]:
    """Median and total milliseconds of one call per pose ``(1, T, V, C)`` with its length."""
    for x in arrays[:warmup]:
        run.sequence_log_probs(x[None], np.array([len(x)], np.int64))
    times = []
    for x in arrays:
        start = time.perf_counter()
        run.sequence_log_probs(x[None], np.array([len(x)], np.int64))
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), sum(times)


def measure(run_dir: Path, out: Path, limit: int | None) -> dict:
    info = export_run(run_dir, out, int8=True)
    runs = {"pytorch": load_model(run_dir), "fp32": load_exported(out, "fp32"),
            "int8": load_exported(out, "int8")}
    torch_run = runs["pytorch"]
    task = get_task(torch_run.task)
    ds = tested_part(run_dir, load_dataset(torch_run.recipe.data.dataset))
    if limit:
        ds = ds.subset(range(min(limit, len(ds))))
    scores = {name: _score(task.evaluate_dataset(r, ds, r.merge, None), torch_run.task)
              for name, r in runs.items()}
    arrays = [sequence_array(p, torch_run.recipe.data) for p in torch_run.prepare(ds.samples)]
    ms = {name: latency(r, arrays) for name, r in runs.items()}
    agree = agreement(answers(runs["int8"].session, arrays, torch_run.task),
                      answers(runs["fp32"].session, arrays, torch_run.task), torch_run.task)
    q = info["int8"]
    return {"run": run_dir.name, "task": torch_run.task, "encoder": torch_run.recipe.model.encoder,
            "head": torch_run.recipe.model.decoder, "test": len(ds),
            "frames_median": int(np.median([len(a) for a in arrays])),
            "parity": info["parity"], "scores": scores,
            "int8_mode": q["mode"], "int8_agreement_test": round(100 * agree, 2),
            "int8_candidates": q["candidates"],
            **{f"{name}_ms_median": round(m[0], 3) for name, m in ms.items()},
            **{f"{name}_ms_total": round(m[1], 1) for name, m in ms.items()},
            "fp32_speedup": round(ms["pytorch"][0] / ms["fp32"][0], 2),
            "int8_speedup": round(ms["pytorch"][0] / ms["int8"][0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("runs/sequence-onnx"))
    parser.add_argument("--json")
    parser.add_argument("--limit", type=int, help="only the first N test samples (smoke runs)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for run in args.runs:
        row = measure(run, args.out / run.name, args.limit)
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "threads": 1, "torch": torch.__version__, "onnxruntime": onnxruntime.__version__, "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
