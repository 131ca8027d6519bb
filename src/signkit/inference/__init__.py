"""Using a trained model, whatever made it: a ``signkit train`` run (PyTorch), an ensemble of
runs, or an exported folder (onnxruntime, no torch). This package sits above both
``signkit.training`` and ``signkit.export``, so neither imports the other back.

Every loaded model is a :class:`LoadedModel`: ``signkit predict``, ``evaluate``, the live
recogniser and the annotation tool's suggestions use nothing else of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from signkit.runs import find_kind

if TYPE_CHECKING:
    from signkit.pose.pose import Pose
    from signkit.training.config import Recipe


@runtime_checkable
class LoadedModel(Protocol):
    """A trained model ready to read poses as it was trained to (PyTorch, ONNX, video, ensemble)."""

    recipe: Recipe
    vocabulary: list[str]

    @property
    def task(self) -> str: ...

    @property
    def merge(self) -> str | None: ...

    def read_input(self, path: Path) -> Any: ...

    def prepare(self, poses: list[Pose]) -> list[Pose]: ...

    def predict_proba(self, prepared: list[Pose], batch: int = ...) -> np.ndarray: ...


def load_model(run_dir: str | Path, checkpoint: str = "best") -> LoadedModel:
    """A run folder of ``signkit train``, an ensemble folder of ``signkit ensemble`` or an
    exported folder of ``signkit export`` (run by onnxruntime, without torch)."""
    if find_kind(run_dir) == "export":
        from signkit.export.runner import load_exported

        return load_exported(run_dir)
    from signkit.training.ensemble import load_trained

    return load_trained(run_dir, checkpoint)


def is_deep_run(run_dir: str | Path) -> bool:
    """A folder :func:`load_model` reads (train, ensemble, export), not a baseline's."""
    return find_kind(run_dir) in ("train", "ensemble", "export")


def evaluate_run(run_dir: str | Path, ds, merge: str | None = None, out_dir: str | Path | None = None,
                 decode_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Evaluate a trained model on a dataset of its labels, as its task scores it (top-k and a
    confusion matrix; gloss error rates and alignments; frame and segment F1), with the files
    in ``out_dir``. ``decode_options`` (``beam_width``, ``lm_order``) override a CTC run's
    decoding."""
    from signkit.training.registries import get_task

    run = load_model(run_dir)
    merge = merge if merge is not None else run.merge
    return get_task(run.task).evaluate_dataset(run, ds, merge, out_dir, decode_options)


def top_k(run: LoadedModel, pose: Pose, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most probable glosses for one pose."""
    proba = run.predict_proba(run.prepare([pose]))[0]
    order = np.argsort(-proba)[:k]
    return [(run.vocabulary[i], float(proba[i])) for i in order]
