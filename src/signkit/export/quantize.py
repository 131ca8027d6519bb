"""int8 through onnxruntime's quantisation, choosing between its kinds by measuring them.

Dynamic quantisation (int8 weights, activations scaled per call) suits the LSTM and the
Transformer's matrix products; static quantisation (QDQ, activation scales calibrated on half of
the check poses) suits convolutions, which dynamic quantisation makes slower; ``matmul`` is
dynamic quantisation of the learned matrix products only, with convolutions and the skeleton
graph's adjacency products left in fp32, for graph models whose predictions the full kinds change
(on krsl20's unseen signer, ST-GCN's top-1 agreed with fp32 on 97.9 % of the samples with the
adjacency products quantised, 99.6 % without); ``qoperator`` is static quantisation in
onnxruntime's operator form (fused QLinearConv / QLinearMatMul, per-tensor scales: per-channel
ones do not run in QLinearMatMul), the fastest for graph models wherever it keeps their answers
(the 87-point jeet10 SL-GCN: 3.4 ms against 6.3 for ``matmul``, agreeing on every pose). All four
are built and checked on the run's training poses; the fastest whose top-1 agrees with fp32 on
>= 99 % of them is kept (else the one that agrees most).

Sequence runs (CTC, tagging) take ``poses`` and ``lengths``; what must agree with fp32 is a CTC
run's greedy gloss sequence (the share of poses whose sequence is the same) or a tagging run's
frame labels (the share of frames with the same label). A candidate onnxruntime cannot build or
run for a graph (static quantisation of an ONNX LSTM, say) is reported as failed and not chosen.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from signkit.export.runner import session

MIN_AGREEMENT = 0.99


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def feed(x: np.ndarray, sequence: bool) -> dict[str, np.ndarray]:
    """One pose ``(T, V, C)`` as a batch of one, with its length for a sequence model."""
    one = {"poses": np.ascontiguousarray(x[None], np.float32)}
    return {**one, "lengths": np.array([len(x)], np.int64)} if sequence else one


def batch1_ms(sess: Any, feed: dict[str, np.ndarray], runs: int = 50, warmup: int = 10) -> float:
    """Median latency of one call on ``feed`` (one pose), in milliseconds."""
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        sess.run(None, feed)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def answers(sess: Any, arrays: Sequence[np.ndarray], task: str) -> list[Any]:
    """Per pose: the top-1 class, a CTC run's greedy gloss ids, or a tagging run's frame labels.
    One pose per call, as live recognition runs it: dynamic int8 scales the activations over the
    whole batch, so a batch's other poses would change each pose's answer."""
    from signkit.training.decoding import greedy

    out = []
    for x in arrays:
        if task == "classify":
            out.append(int(sess.run(None, feed(x, False))[0].argmax(-1)[0]))
            continue
        log_probs, steps = sess.run(None, feed(x, True))
        lp = log_probs[0, :int(steps[0])]
        out.append(greedy(lp) if task == "ctc" else lp.argmax(-1))
    return out


def agreement(ours: list[Any], theirs: list[Any], task: str) -> float:
    """The share of poses with the same answer; of frames with the same label for tagging."""
    if task == "tag":
        frames = sum(len(a) for a in ours)
        return float(sum(int((a == b).sum()) for a, b in zip(ours, theirs, strict=True)) / max(frames, 1))
    return float(np.mean([a == b for a, b in zip(ours, theirs, strict=True)]))


def _graph_products(model: Any) -> list[str]:
    """MatMul nodes whose right operand is a constant stack of graph matrices (rank >= 3: ST-GCN's
    ``x A_k``, SL-GCN's per-group adjacencies), where learned layers' weights have rank 2: the
    skeleton's structure, and the products most sensitive to int8."""
    stacks = {t.name for t in model.graph.initializer if len(t.dims) >= 3}
    return [n.name for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in stacks]


def _failure(exc: Exception) -> str:
    """Why a candidate failed, in one line."""
    first = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"failed: {type(exc).__name__}: {first}"


def build_int8(fp32: Path, folder: Path, arrays: Sequence[np.ndarray], sequence: bool = False
               ) -> dict[str, Path | str]:
    """The int8 models of ``fp32`` in ``folder`` (``dynamic``, ``static``, ``matmul``, ``qoperator``),
    or why one could not be built; ``arrays``: the calibration poses ``(T, V, C)`` of the static
    kinds."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter([feed(x, sequence) for x in arrays])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.items, None)

    import onnx

    pre = folder / "pre.onnx"
    with _quiet_root_logger():  # onnxruntime's per-tensor notes go to the root logger
        # Symbolic shape inference cannot follow the Transformer's dynamic reshapes; ONNX's own
        # shape inference and the graph optimisations are what quantisation needs here.
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        kinds = {
            "dynamic": lambda out: quantize_dynamic(pre, out, weight_type=QuantType.QInt8),
            "matmul": lambda out: quantize_dynamic(pre, out, weight_type=QuantType.QInt8,
                                                   op_types_to_quantize=["MatMul", "Gemm"],
                                                   nodes_to_exclude=_graph_products(onnx.load(pre))),
            "static": lambda out: quantize_static(pre, out, Reader(), quant_format=QuantFormat.QDQ,
                                                  per_channel=True, activation_type=QuantType.QInt8,
                                                  weight_type=QuantType.QInt8),
            "qoperator": lambda out: quantize_static(pre, out, Reader(), quant_format=QuantFormat.QOperator,
                                                     per_channel=False, activation_type=QuantType.QUInt8,
                                                     weight_type=QuantType.QInt8)}
        files: dict[str, Path | str] = {}
        for kind, build in kinds.items():
            try:
                build(folder / f"{kind}.onnx")
                files[kind] = folder / f"{kind}.onnx"
            except Exception as exc:  # onnxruntime's quantiser raises what its graph walk meets
                files[kind] = _failure(exc)
    pre.unlink()
    return files


def quantize(fp32: Path, out: Path, arrays: Sequence[np.ndarray], task: str = "classify") -> dict[str, Any]:
    """Write the chosen int8 model of ``fp32`` to ``out``; ``arrays``: training poses ``(T, V, C)``,
    every other one calibrating the static kinds, all of them checking agreement. Returns the
    choice and each candidate's agreement and batch-1 latency."""
    sequence = task != "classify"
    reference = session(fp32)
    expected = answers(reference, arrays, task)
    report: dict[str, Any] = {"fp32_ms": round(batch1_ms(reference, feed(arrays[0], sequence)), 3),
                              "agreement_of": {"classify": "top-1 class", "ctc": "greedy gloss sequence",
                                               "tag": "frame label"}.get(task, task),
                              "candidates": {}}
    with tempfile.TemporaryDirectory() as tmp:
        files = build_int8(fp32, Path(tmp), arrays[::2], sequence)
        cands = report["candidates"]
        for mode, path in files.items():
            if isinstance(path, str):
                cands[mode] = {"error": path}
                continue
            try:
                sess = session(path)
                cands[mode] = {"agreement": agreement(answers(sess, arrays, task), expected, task),
                               "ms": round(batch1_ms(sess, feed(arrays[0], sequence)), 3)}
            except Exception as exc:  # a graph onnxruntime builds but cannot run
                cands[mode] = {"error": _failure(exc)}
        built = [m for m in cands if "agreement" in cands[m]]
        if not built:
            raise RuntimeError(f"{fp32}: no int8 kind could be built ({cands})")
        good = [m for m in built if cands[m]["agreement"] >= MIN_AGREEMENT]
        chosen = (min(good, key=lambda m: cands[m]["ms"]) if good
                  else max(built, key=lambda m: cands[m]["agreement"]))
        shutil.copy2(files[chosen], out)
    report.update(mode=chosen, calibration_poses=len(arrays))
    return report
