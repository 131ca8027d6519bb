"""Batch-1 latency of every model in PyTorch, onnxruntime fp32 and onnxruntime int8, side by side.

The same default-sized models as ``model_latency.py`` (random weights: latency does not depend on
them), 64 frames of OpenHands' 27 points and of those plus the mouth and eyebrows (87 points),
x and y, **one thread** for every runtime. The three int8 candidates of ``signkit export --int8``
are measured: dynamic (int8 weights, activations scaled per call), static (QDQ, calibrated on 32
random poses) and matmul (dynamic on the matrix products only, convolutions in fp32); the export
keeps the fastest that agrees with fp32. Median of 100 passes after 20 warm-up.

    python benchmarks/export_latency.py [--json benchmarks/export_latency.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from model_latency import FRAMES, default_models, latency_ms  # the sibling script

from signkit.export.onnx import export_module
from signkit.export.quantize import batch1_ms, build_int8
from signkit.export.runner import session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for selection, keep, name, model in default_models():
        x = np.random.default_rng(0).normal(size=(1, FRAMES, len(keep), 2)).astype(np.float32)
        calibration = np.random.default_rng(1).normal(size=(32, FRAMES, len(keep), 2)).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            fp32 = Path(tmp) / "model.onnx"
            export_module(model, fp32, FRAMES, len(keep), 2)
            int8 = build_int8(fp32, Path(tmp), calibration)
            ms = {"pytorch": latency_ms(model.eval(), torch.from_numpy(x)),
                  "onnx_fp32": batch1_ms(session(fp32), x, runs=100, warmup=20),
                  **{f"int8_{k}": batch1_ms(session(p), x, runs=100, warmup=20) for k, p in int8.items()}}
        best = min(ms[f"int8_{k}"] for k in int8)
        row = {"model": name, "points": selection, "keypoints": len(keep),
               **{f"{k}_ms": round(v, 3) for k, v in ms.items()},
               "int8_speedup_vs_pytorch": round(ms["pytorch"] / best, 2),
               "fp32_speedup_vs_pytorch": round(ms["pytorch"] / ms["onnx_fp32"], 2)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "threads": 1, "torch": torch.__version__, "onnxruntime": onnxruntime.__version__,
              "frames": FRAMES, "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
