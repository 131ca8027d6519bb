"""``signkit export``: a trained run (or ensemble) -> a folder that onnxruntime runs without torch.

The folder: ``model.onnx`` (fp32, dynamic batch and frame axes), with ``--int8`` also
``model.int8.onnx``; the run's ``config.yaml`` (its preprocessing and input features),
``vocabulary.json`` and ``layout.json``; and ``export.json`` (what was exported, the parity of
ONNX and PyTorch on real poses, the int8 choice and its measurements). An ensemble's members
are exported one by one under ``members/N``, each reading poses its own way.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from signkit.data.dataset import load_dataset
from signkit.data.splits import SPLIT_FILE, split_from_file
from signkit.errors import ConfigError, PoseFileError
from signkit.export.runner import EXPORT, FP32, INT8, MEMBERS, load_exported
from signkit.runs import CONFIG, LAYOUT, VOCAB, now, write_info
from signkit.training.arrays import to_array
from signkit.training.ensemble import ENSEMBLE, EnsembleRun, load_trained
from signkit.training.predict import LoadedRun

OPSET = 18
CALIBRATION = 256  # training poses checking int8 against fp32 (half of them calibrate the static kind)


def calibration_poses(run: LoadedRun, dataset: str | None = None, n: int = CALIBRATION) -> list:
    """Up to ``n`` prepared poses spread over the run's training part (its saved split), or over
    ``dataset`` when given: the poses the int8 scales are calibrated and checked on."""
    spec = dataset or run.recipe.data.dataset
    ds = load_dataset(spec)
    if dataset is None and (run.path / SPLIT_FILE).is_file():
        idx = np.asarray(split_from_file(run.path / SPLIT_FILE)[0]["train"])
    else:
        idx = np.arange(len(ds))
    idx = idx[np.linspace(0, len(idx) - 1, min(n, len(idx))).round().astype(int)]
    return run.prepare([ds.samples[i] for i in idx])


def export_module(model: Any, path: Path, frames: int, keypoints: int, dims: int) -> None:
    """A classifier ``(B, T, V, C)`` -> ``(B, classes)`` as ONNX with dynamic batch and frame axes:
    ``poses (batch, frames, V, C)`` -> ``logits (batch, classes)``; traced at ``frames``."""
    import torch

    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision is not installed" notes
    model.eval()
    x = torch.zeros(2, frames, keypoints, dims)
    max_len = getattr(model.encoder, "max_len", 4096)
    dims_spec = {"x": {0: torch.export.Dim("batch"), 1: torch.export.Dim("frames", min=4, max=max_len)}}
    with warnings.catch_warnings():  # the exporter's deprecation chatter is not the user's business
        warnings.simplefilter("ignore")
        program = torch.onnx.export(model, (x,), input_names=["poses"], output_names=["logits"],
                                    dynamic_shapes=dims_spec, opset_version=OPSET, dynamo=True, verbose=False)
    program.optimize()
    program.save(str(path), external_data=False)


def export_model(run: LoadedRun, path: Path) -> None:
    """The run's network as ONNX (:func:`export_module`)."""
    if run.task != "classify":
        raise ConfigError(f"{run.path}: a {run.task} run; export covers classification runs and their "
                          "ensembles (a CTC model's packed sequence head does not trace to ONNX yet)")
    cfg = run.recipe.data
    export_module(run.module.model, path, cfg.length, len(run.layout.keypoints), cfg.dims)


def export_single(run: LoadedRun, out: Path, int8: bool, dataset: str | None,
                  on_step: Callable[[str], None]) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    for name in (CONFIG, VOCAB, LAYOUT):
        shutil.copy2(run.path / name, out / name)
    on_step(f"exporting {run.recipe.model.encoder} to ONNX")
    export_model(run, out / FP32)
    on_step("checking ONNX against PyTorch on real poses")
    poses = calibration_poses(run, dataset)
    arrays = np.stack([to_array(p, run.recipe.data) for p in poses])
    reference = run.logits(arrays)
    fp32 = load_exported(out, precision="fp32", info={"task": run.task})
    diff = float(np.abs(fp32.logits(arrays) - reference).max())
    cfg = run.recipe.data
    info: dict[str, Any] = {"task": run.task, "source": str(run.path), "encoder": run.recipe.model.encoder,
                            "inputs": {"poses": ["batch", "frames", len(run.layout.keypoints), cfg.dims]},
                            "frames": cfg.length, "opset": OPSET,
                            "parity": {"poses": len(poses), "max_abs_logit_diff": diff}}
    if int8:
        from signkit.export.quantize import quantize

        on_step("quantising to int8 (dynamic and static, calibrated on training poses)")
        info["int8"] = quantize(out / FP32, out / INT8, arrays)
    (out / EXPORT).write_text(json.dumps(info, indent=2))
    return info


def export_run(run_dir: str | Path, out_dir: str | Path, int8: bool = False, dataset: str | None = None,
               on_step: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """Export a run or an ensemble folder; ``dataset`` (``LOADER:PATH``) replaces the run's own
    training poses for the checks and the int8 calibration.

    The export is built in a folder beside ``out_dir`` and takes its place only when complete: an
    earlier export there (which a live server may be using) survives any failure."""
    src, out = Path(run_dir), Path(out_dir)
    if out.resolve() == src.resolve():
        raise ConfigError(f"{out}: export into a new folder, not the run itself")
    if out.exists() and not (out / EXPORT).exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out}: exists and is not an export folder; choose another -o")
    started = now()
    run = load_trained(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        info = _export_into(run, src, building, int8, dataset, on_step)
        write_info(building, "export", started=started, source=str(src), int8=int8)
        _replace(building, out)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return info


def _replace(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` at ``out``, the earlier export (if any) removed after."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _export_into(run: Any, src: Path, out: Path, int8: bool, dataset: str | None,
                 on_step: Callable[[str], None]) -> dict[str, Any]:
    if isinstance(run, EnsembleRun):
        members = json.loads((src / ENSEMBLE).read_text())["members"]
        infos = []
        for i, (member, entry) in enumerate(zip(run.members, members, strict=True)):
            on_step(f"member {i + 1} of {len(members)}: {entry.get('source', entry['path'])}")
            infos.append(export_single(member, out / MEMBERS / str(i), int8, dataset, on_step))
        shutil.copy2(src / VOCAB, out / VOCAB)
        info = {"task": "classify", "source": str(src),
                "members": [f"{MEMBERS}/{i}" for i in range(len(infos))]}
        (out / EXPORT).write_text(json.dumps(info, indent=2))
        return {**info, "member_exports": infos}
    if getattr(run, "recipe", None) is not None and run.recipe.model.modality != "pose":
        raise ConfigError(f"{src}: a {run.recipe.model.modality} model; export covers pose models")
    if not isinstance(run, LoadedRun):
        raise PoseFileError(src, "not a training run or ensemble folder")
    return export_single(run, out, int8, dataset, on_step)
