"""Batch-1 CPU latency and training throughput of every registered model.

Input: 64 frames of OpenHands' 27 body and hand points (x, y), and of those 27 points plus the
mouth and eyebrows. Latency is the median of timed forward passes in inference mode after a
warm-up, with ``--threads`` threads (1: a batch-1 pass is made of small operations that gain
less from a second thread than they lose waiting for it); throughput is samples per second of
forward + backward + Adam steps at the model's default batch size, with ``--train-threads``
(every core, as ``signkit train``).

    python benchmarks/model_latency.py [--threads N] [--train-threads N] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Iterator

import numpy as np
import torch

from signkit.models import ENCODERS, build_classifier
from signkit.models.graph import selection_edges
from signkit.pose.articulators import holistic_layout
from signkit.training.config import MODEL_DEFAULTS
from signkit.training.tasks.classify import DEFAULT_DECODER

SELECTIONS = {"openhands27": "openhands27", "27+mouth+eyebrows": "openhands27+mouth+eyebrows"}
FRAMES, CLASSES = 64, 226  # AUTSL's vocabulary size, as in OpenHands' tables
OPENHANDS_MS = {"bilstm": 8.05, "transformer": 30.64, "stgcn": 23.02, "slgcn": 52.8}


def latency_ms(model: torch.nn.Module, x: torch.Tensor, runs: int = 100, warmup: int = 20) -> float:
    model.eval()
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter()
            model(x)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def train_throughput(model: torch.nn.Module, v: int, batch: int, steps: int = 10) -> float:
    model.train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = torch.randn(batch, FRAMES, v, 2), torch.randint(0, CLASSES, (batch,))
    for i in range(steps + 2):
        if i == 2:
            start = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return batch * steps / (time.perf_counter() - start)


def default_models() -> Iterator[tuple[str, np.ndarray, str, torch.nn.Module]]:
    """``(selection, kept keypoints, encoder, classifier)``: every registered encoder at its
    default size with its default decoder, for each of :data:`SELECTIONS` (seeded weights)."""
    layout = holistic_layout(468)
    for selection, groups in SELECTIONS.items():
        keep = layout.indices(groups)
        edges = selection_edges(layout, keep)
        for name in ENCODERS:
            torch.manual_seed(0)
            model = build_classifier(name, DEFAULT_DECODER.get(name, "linear"), len(keep), 2, CLASSES, edges)
            yield selection, keep, name, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="threads for the latency")
    parser.add_argument("--train-threads", type=int, default=os.cpu_count(),
                        help="threads for the throughput")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = []
    for selection, keep, name, model in default_models():
        torch.set_num_threads(args.threads)
        ms = latency_ms(model, torch.randn(1, FRAMES, len(keep), 2))
        torch.set_num_threads(args.train_threads)
        sps = train_throughput(model, len(keep), int(MODEL_DEFAULTS[name]["batch_size"]))
        row = {"model": name, "points": selection, "keypoints": len(keep), "latency_ms": round(ms, 2),
               "openhands_ms": OPENHANDS_MS[name], "train_samples_per_s": round(sps, 1),
               "parameters": sum(p.numel() for p in model.parameters())}
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "threads": args.threads, "train_threads": args.train_threads, "torch": torch.__version__,
              "frames": FRAMES, "rows": rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
