"""Batch-1 latency of every model in PyTorch, onnxruntime fp32 and onnxruntime int8, side by side.

The same default-sized models as ``model_latency.py`` (random weights: latency does not depend on
them), 64 frames of OpenHands' 27 points and of those plus the mouth and eyebrows (87 points),
x and y, **one thread** for every runtime. The int8 candidates of ``signkit export --int8`` are
measured (``build_int8``: dynamic, static QDQ calibrated on 32 random poses, matmul-only, and
static in operator form); the export keeps the fastest that agrees with fp32. Median of 100
passes after 20 warm-up.

    python benchmarks/export_latency.py [--json benchmarks/export_latency.json]
    python benchmarks/export_latency.py --smoke    # one model, a few passes: does the script run?
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
from signkit.export.quantize import batch1_ms, build_int8, feed
from signkit.export.runner import session
from signkit.models import ENCODERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--json")
    parser.add_argument("--smoke", action="store_true", help="one model, a few passes: that it runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    runs, warmup = (2, 1) if args.smoke else (100, 20)
    rows = []
    # Pose encoders only: export refuses video models.
    encoders = ["bilstm"] if args.smoke else list(ENCODERS)
    for selection, keypoints, name, model, _shape in default_models(encoders):
        x = np.random.default_rng(0).normal(size=(1, FRAMES, keypoints, 2)).astype(np.float32)
        calibration = np.random.default_rng(1).normal(size=(32, FRAMES, keypoints, 2)).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            fp32 = Path(tmp) / "model.onnx"
            export_module(model, fp32, FRAMES, keypoints, 2)
            int8 = {k: p for k, p in build_int8(fp32, Path(tmp), calibration).items() if isinstance(p, Path)}
            one = feed(x[0], False)
            ms = {"pytorch": latency_ms(model.eval(), torch.from_numpy(x), runs, warmup),
                  "onnx_fp32": batch1_ms(session(fp32), one, runs=runs, warmup=warmup),
                  **{f"int8_{k}": batch1_ms(session(p), one, runs=runs, warmup=warmup)
                     for k, p in int8.items()}}
        best = min(ms[f"int8_{k}"] for k in int8)
        row = {"model": name, "points": selection, "keypoints": keypoints,
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
