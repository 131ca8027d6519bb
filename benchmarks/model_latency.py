"""Batch-1 CPU latency and training throughput of every registered model.

Input: 64 frames of OpenHands' 27 body and hand points (x, y), and of those 27 points plus the
mouth and eyebrows; for the video models (the RGB baseline), a clip of 8 RGB frames at
112 x 112, as the K-RSL paper's R(2+1)D-18. Latency is the median of timed forward passes in
inference mode after a warm-up, with ``--threads`` threads (1: a batch-1 pass is made of small
operations that gain less from a second thread than they lose waiting for it); throughput is
samples per second of forward + backward + Adam steps at the model's default batch size (16
clips for R(2+1)D-18), with ``--train-threads`` (every core, as ``signkit train``).

    python benchmarks/model_latency.py [--threads N] [--train-threads N] [--only NAME ...] [--json OUT.json]
    python benchmarks/model_latency.py --smoke     # every model, a few passes: does the script run?

``--only`` measures those models alone and, with ``--json``, replaces only their rows in OUT.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Iterator

import torch

from signkit.models import ENCODERS, VIDEO_MODELS, build_classifier
from signkit.models.graph import selection_edges
from signkit.pose.layouts import holistic_layout

SELECTIONS = {"openhands27": "openhands27", "27+mouth+eyebrows": "openhands27+mouth+eyebrows"}
FRAMES, CLASSES = 64, 226  # AUTSL's vocabulary size, as in OpenHands' tables
CLIP = (3, 8, 112, 112)  # the K-RSL paper's R(2+1)D input
OPENHANDS_MS = {"bilstm": 8.05, "transformer": 30.64, "stgcn": 23.02, "slgcn": 52.8}


def latency_ms(model: torch.nn.Module, x: torch.Tensor, runs: int = 100, warmup: int = 20) -> float:
    """Median milliseconds of ``runs`` forward passes after ``warmup`` (inference mode)."""
    model.eval()
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter()
            model(x)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def train_throughput(model: torch.nn.Module, x: torch.Tensor, steps: int = 10) -> float:
    """Samples per second of forward + backward + Adam on batches like ``x``."""
    model.train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    batch, y = len(x), torch.randint(0, CLASSES, (len(x),))
    for i in range(steps + 2):
        if i == 2:
            start = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return batch * steps / (time.perf_counter() - start)


def default_models(only: list[str] | None = None
                   ) -> Iterator[tuple[str, int, str, torch.nn.Module, tuple[int, ...]]]:
    """``(input, input size, model name, classifier, one sample's shape)``: every registered
    encoder at its default size with its default decoder, for each of :data:`SELECTIONS`, then
    every video model on :data:`CLIP` (seeded weights)."""
    from signkit.training.module import VideoClassifier

    layout = holistic_layout(468)
    for selection, groups in SELECTIONS.items():
        keep = layout.indices(groups)
        edges = selection_edges(layout, keep)
        for name in ENCODERS:
            if only and name not in only:
                continue
            torch.manual_seed(0)
            decoder = ENCODERS.get(name).defaults.get("decoder", "linear")
            model = build_classifier(name, decoder, len(keep), 2, CLASSES, edges)
            yield selection, len(keep), name, model, (FRAMES, len(keep), 2)
    for name in VIDEO_MODELS:
        if not only or name in only:
            torch.manual_seed(0)
            yield "rgb 8 x 112 x 112", 3 * 112 * 112, name, VideoClassifier(name, CLASSES), CLIP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="threads for the latency")
    parser.add_argument("--train-threads", type=int, default=os.cpu_count(),
                        help="threads for the throughput")
    parser.add_argument("--only", nargs="+", help="only these models (e.g. r2plus1d_18)")
    parser.add_argument("--json")
    parser.add_argument("--smoke", action="store_true", help="a few passes at batch 2: that it runs")
    args = parser.parse_args()
    rows = []
    runs, warmup = (2, 1) if args.smoke else (100, 20)
    for selection, size, name, model, shape in default_models(args.only):
        torch.set_num_threads(args.threads)
        ms = latency_ms(model, torch.randn(1, *shape), runs, warmup)
        torch.set_num_threads(args.train_threads)
        batch = 2 if args.smoke else int(ENCODERS.get(name).defaults["batch_size"])
        sps = train_throughput(model, torch.randn(batch, *shape),
                               steps=1 if args.smoke else 3 if name in VIDEO_MODELS else 10)
        row = {"model": name, "points": selection, "keypoints": size, "latency_ms": round(ms, 2),
               "openhands_ms": OPENHANDS_MS.get(name), "train_samples_per_s": round(sps, 1),
               "parameters": sum(p.numel() for p in model.parameters())}
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "threads": args.threads, "train_threads": args.train_threads, "torch": torch.__version__,
              "frames": FRAMES, "rows": rows}
    if args.json:
        if args.only and os.path.exists(args.json):  # keep the other models' rows
            with open(args.json) as f:
                kept = [r for r in json.load(f)["rows"] if r["model"] not in args.only]
            result["rows"] = kept + rows
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
