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
"""

from __future__ import annotations

import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
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


def batch1_ms(sess: Any, x: np.ndarray, runs: int = 50, warmup: int = 10) -> float:
    """Median latency of one pose ``(1, T, V, C)``, in milliseconds."""
    feed = {"poses": x}
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        sess.run(None, feed)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _top1(sess: Any, arrays: np.ndarray) -> np.ndarray:
    # One pose per call, as live recognition runs it: dynamic int8 scales the activations over
    # the whole batch, so a batch's other poses would change each pose's answer.
    return np.concatenate([sess.run(None, {"poses": arrays[i:i + 1]})[0].argmax(-1)
                           for i in range(len(arrays))])


def _graph_products(model: Any) -> list[str]:
    """MatMul nodes whose right operand is a constant stack of graph matrices (rank >= 3: ST-GCN's
    ``x A_k``, SL-GCN's per-group adjacencies), where learned layers' weights have rank 2: the
    skeleton's structure, and the products most sensitive to int8."""
    stacks = {t.name for t in model.graph.initializer if len(t.dims) >= 3}
    return [n.name for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in stacks]


def build_int8(fp32: Path, folder: Path, arrays: np.ndarray) -> dict[str, Path]:
    """The int8 models of ``fp32`` in ``folder`` (``dynamic``, ``static``, ``matmul``, ``qoperator``);
    ``arrays`` ``(N, T, V, C)``: the calibration poses of the static one."""
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
            self.items = iter([{"poses": arrays[i:i + 1]} for i in range(len(arrays))])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.items, None)

    import onnx

    pre = folder / "pre.onnx"
    files = {m: folder / f"{m}.onnx" for m in ("dynamic", "static", "matmul", "qoperator")}
    with _quiet_root_logger():  # onnxruntime's per-tensor notes go to the root logger
        # Symbolic shape inference cannot follow the Transformer's dynamic reshapes; ONNX's own
        # shape inference and the graph optimisations are what quantisation needs here.
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        quantize_dynamic(pre, files["dynamic"], weight_type=QuantType.QInt8)
        quantize_dynamic(pre, files["matmul"], weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gemm"],
                         nodes_to_exclude=_graph_products(onnx.load(pre)))
        quantize_static(pre, files["static"], Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
        quantize_static(pre, files["qoperator"], Reader(), quant_format=QuantFormat.QOperator,
                        per_channel=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    pre.unlink()
    return files


def quantize(fp32: Path, out: Path, arrays: np.ndarray) -> dict[str, Any]:
    """Write the chosen int8 model of ``fp32`` to ``out``; ``arrays`` ``(N, T, V, C)``: training
    poses, every other one calibrating the static kind, all of them checking agreement. Returns
    the choice and each candidate's agreement and batch-1 latency."""
    reference = session(fp32)
    expected = _top1(reference, arrays)
    report: dict[str, Any] = {"fp32_ms": round(batch1_ms(reference, arrays[:1]), 3), "candidates": {}}
    with tempfile.TemporaryDirectory() as tmp:
        files = build_int8(fp32, Path(tmp), arrays[::2])
        for mode, path in files.items():
            sess = session(path)
            report["candidates"][mode] = {
                "agreement": float((_top1(sess, arrays) == expected).mean()),
                "ms": round(batch1_ms(sess, arrays[:1]), 3)}
        cands = report["candidates"]
        good = [m for m in cands if cands[m]["agreement"] >= MIN_AGREEMENT]
        chosen = (min(good, key=lambda m: cands[m]["ms"]) if good
                  else max(cands, key=lambda m: cands[m]["agreement"]))
        shutil.copy2(files[chosen], out)
    report.update(mode=chosen, calibration_poses=len(arrays))
    return report
