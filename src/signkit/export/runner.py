"""Run an exported folder (``signkit export``) with onnxruntime: no torch needed.

:class:`OnnxRun` is a :class:`~signkit.training.predict.ModelRun`, so ``predict``, ``evaluate``,
the sliding-window recogniser and ``recognize`` use it exactly like a PyTorch run; an exported
ensemble is an :class:`~signkit.training.ensemble.EnsembleRun` of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signkit.data.dataset import read_vocabulary
from signkit.errors import ConfigError, PoseFileError
from signkit.extras import require
from signkit.pose.layout import Layout
from signkit.runs import CONFIG, EXPORT, FP32, INT8, LAYOUT, MEMBERS, VOCAB
from signkit.training.config import read_config
from signkit.training.predict import ModelRun

__all__ = ["EXPORT", "FP32", "INT8", "MEMBERS", "OnnxRun", "load_exported", "session"]


def session(path: str | Path, threads: int = 1) -> Any:
    """An onnxruntime session on the CPU. One thread by default: a batch-1 pass is a chain of
    small operations, and a live recogniser leaves the other cores to pose estimation."""
    ort = require("onnxruntime", "export")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # fusion notes and errors: an error is raised as an exception anyway
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for unreadable models
        raise PoseFileError(path, f"not a readable ONNX model ({str(exc).splitlines()[0][:200]})") from exc


@dataclass
class OnnxRun(ModelRun):
    """An exported run: the network in onnxruntime, poses read as the run was trained."""

    session: Any = None
    precision: str = "fp32"
    steps_per_output: int = 1  # a sequence model's input frames per output step

    @property
    def stride(self) -> int:
        return self.steps_per_output

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"poses": np.ascontiguousarray(x, np.float32)})[0]

    # int8's dynamic kinds scale the activations over the whole batch: one pose per call gives each
    # pose the answer live recognition gives it, whatever else is in the batch.
    def predict_proba(self, prepared: list, batch: int = 256) -> np.ndarray:
        return super().predict_proba(prepared, 1 if self.precision == "int8" else batch)

    def log_probs(self, prepared: list, batch: int = 32) -> list[np.ndarray]:
        return super().log_probs(prepared, 1 if self.precision == "int8" else batch)

    def sequence_log_probs(self, x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_probs, steps = self.session.run(None, {"poses": np.ascontiguousarray(x, np.float32),
                                                   "lengths": np.asarray(lengths, np.int64)})
        return log_probs, steps


def _info(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / EXPORT).read_text())
    except (OSError, ValueError) as exc:
        raise PoseFileError(path / EXPORT, f"not a readable export description ({exc})") from exc


def load_exported(path: str | Path, precision: str = "auto", threads: int = 1,
                  info: dict[str, Any] | None = None) -> Any:
    """An exported folder as an :class:`OnnxRun` (or an ensemble of them). ``precision``:
    ``fp32``, ``int8`` or ``auto`` (int8 where the folder has it)."""
    path = Path(path)
    info = info if info is not None else _info(path)
    if "members" in info:
        from signkit.training.ensemble import EnsembleRun

        return EnsembleRun([load_exported(path / m, precision, threads) for m in info["members"]])
    if precision not in ("auto", "fp32", "int8"):
        raise ConfigError(f"precision {precision!r}: use auto, fp32 or int8")
    has_int8 = (path / INT8).is_file()
    if precision == "int8" and not has_int8:
        raise ConfigError(f"{path}: exported without --int8 (no {INT8})")
    chosen = "int8" if precision == "int8" or (precision == "auto" and has_int8) else "fp32"
    for name in (CONFIG, VOCAB, LAYOUT, FP32):
        if not (path / name).is_file():
            raise PoseFileError(path / name, "missing: not a complete export folder")
    return OnnxRun(read_config(path / CONFIG, check_model=False), read_vocabulary(path / VOCAB),
                   Layout.from_dict(json.loads((path / LAYOUT).read_text())), path,
                   session(path / (INT8 if chosen == "int8" else FP32), threads), chosen,
                   int(info.get("stride", 1)))
