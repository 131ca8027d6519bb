"""``signkit export``: a trained run (or ensemble) -> a folder that onnxruntime runs without torch.

Classification runs, continuous (CTC) runs and frame-tagging runs export; a sequence model takes
``poses (batch, frames, V, C)`` and ``lengths (batch,)`` and gives ``log_probs (batch, steps,
classes)`` and ``steps (batch,)``. The folder: ``model.onnx`` (fp32, dynamic batch and frame
axes), with ``--int8`` also
``model.int8.onnx``; the run's ``config.yaml`` (its preprocessing and input features),
``vocabulary.json`` and ``layout.json``; and ``export.json`` (what was exported, the parity of
ONNX and PyTorch on real poses, the int8 choice and its measurements). An ensemble's members
are exported one by one under ``members/N``, each reading poses its own way.
"""

from __future__ import annotations

import json
import logging
import os
import re
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
from signkit.native import filtered_stderr
from signkit.runs import CONFIG, LAYOUT, VOCAB, now, write_info
from signkit.training.arrays import pad, sequence_array, to_array
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


SEQUENCE_TASKS = ("ctc", "tag")
# The TorchScript exporter's C++ note on every packed LSTM (the graph is right: parity checks it).
TORCHSCRIPT_NOTES = re.compile(rb"^\[W\d+ [\d:.]+ (\d+ )?shape_type_inference\.cpp")
PARITY = 1e-4  # the largest log-probability difference an export may show against PyTorch


def export_sequence(module: Any, path: Path, keypoints: int, dims: int) -> None:
    """A sequence model ``(x, lengths) -> (log_probs, steps)`` as ONNX with dynamic batch and frame
    axes. A model with an LSTM goes through PyTorch's TorchScript exporter, which turns the
    packed LSTM into ONNX's LSTM with per-sample lengths; the others through torch.export, which
    keeps every shape symbolic but unrolls an LSTM to the traced length."""
    import torch

    module.eval()
    x, lengths = torch.zeros(2, 40, keypoints, dims), torch.tensor([40, 23])
    names = {"input_names": ["poses", "lengths"], "output_names": ["log_probs", "steps"]}
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if any(isinstance(m, torch.nn.LSTM) for m in module.modules()):
            axes = {"poses": {0: "batch", 1: "frames"}, "lengths": {0: "batch"},
                    "log_probs": {0: "batch", 1: "steps"}, "steps": {0: "batch"}}
            with filtered_stderr(TORCHSCRIPT_NOTES):
                torch.onnx.export(module, (x, lengths), str(path), dynamic_axes=axes, opset_version=OPSET,
                                  dynamo=False, **names)
            return
        frames = torch.export.Dim("frames", min=8, max=getattr(module.model.encoder, "max_len", 4096))
        batch = torch.export.Dim("batch")
        program = torch.onnx.export(module, (x, lengths), dynamic_shapes={
            "x": {0: batch, 1: frames}, "lengths": {0: batch}}, opset_version=OPSET, dynamo=True,
            verbose=False, **names)
    program.optimize()
    program.save(str(path), external_data=False)


def export_model(run: LoadedRun, path: Path) -> None:
    """The run's network as ONNX (:func:`export_module`, :func:`export_sequence`)."""
    cfg = run.recipe.data
    if run.task in SEQUENCE_TASKS:
        export_sequence(run.module, path, len(run.layout.keypoints), cfg.dims)
    elif run.task == "classify":
        export_module(run.module.model, path, cfg.length, len(run.layout.keypoints), cfg.dims)
    else:
        raise ConfigError(f"{run.path}: a {run.task} run; export covers classification, CTC and "
                          "tagging runs and their ensembles")


def sequence_parity(run: LoadedRun, exported: Any, poses: list) -> dict[str, float]:
    """The largest log-probability difference of the export against PyTorch on ``poses``
    (batched by length), and on one batch of poses of different lengths."""
    ours, theirs = run.log_probs(poses), exported.log_probs(poses)
    per_pose = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs, strict=True) if len(a))
    by_length = sorted(range(len(poses)), key=lambda i: len(poses[i]))
    mixed = [by_length[0], by_length[len(by_length) // 2], by_length[-1]]
    x, lengths = pad([sequence_array(poses[i], run.recipe.data) for i in mixed])
    (a, steps), (b, _) = run.sequence_log_probs(x, lengths), exported.sequence_log_probs(x, lengths)
    mixed_diff = max(float(np.abs(a[j, :n] - b[j, :n]).max()) for j, n in enumerate(steps.tolist()))
    return {"max_abs_log_prob_diff": per_pose, "mixed_lengths_diff": mixed_diff,
            "mixed_lengths": [len(poses[i]) for i in mixed]}


def export_single(run: LoadedRun, out: Path, int8: bool, dataset: str | None,
                  on_step: Callable[[str], None]) -> dict[str, Any]:
    from signkit.training.tasks.ctc import LM_CORPUS

    sequence = run.task in SEQUENCE_TASKS
    out.mkdir(parents=True, exist_ok=True)
    for name in (CONFIG, VOCAB, LAYOUT, *((LM_CORPUS,) if (run.path / LM_CORPUS).is_file() else ())):
        shutil.copy2(run.path / name, out / name)
    on_step(f"exporting {run.recipe.model.encoder} to ONNX")
    export_model(run, out / FP32)
    on_step("checking ONNX against PyTorch on real poses")
    poses = calibration_poses(run, dataset)
    cfg = run.recipe.data
    info: dict[str, Any] = {"task": run.task, "source": str(run.path), "encoder": run.recipe.model.encoder,
                            "inputs": {"poses": ["batch", "frames", len(run.layout.keypoints), cfg.dims]},
                            "opset": OPSET}
    if sequence:
        info.update(decoder=run.recipe.model.decoder, stride=run.stride)
        info["inputs"]["lengths"] = ["batch"]
        fp32 = load_exported(out, precision="fp32", info=info)
        pair = f"{run.recipe.model.encoder} + {run.recipe.model.decoder}"
        try:
            info["parity"] = {"poses": len(poses), **sequence_parity(run, fp32, poses)}
        except Exception as exc:  # onnxruntime's own error types: the graph kept a traced shape
            raise ConfigError(f"{run.path}: the ONNX export of {pair} does not run on other lengths "
                              f"({type(exc).__name__}); this pair does not export yet") from None
        worst = max(info["parity"]["max_abs_log_prob_diff"], info["parity"]["mixed_lengths_diff"])
        if worst > PARITY:
            raise ConfigError(f"{run.path}: the ONNX export of {pair} differs from PyTorch by "
                              f"{worst:.2g} (> {PARITY:g}); this pair does not export yet")
        arrays = [sequence_array(p, cfg) for p in poses]
    else:
        arrays = np.stack([to_array(p, cfg) for p in poses])
        fp32 = load_exported(out, precision="fp32", info={"task": run.task})
        diff = float(np.abs(fp32.logits(arrays) - run.logits(arrays)).max())
        info.update(frames=cfg.length, parity={"poses": len(poses), "max_abs_logit_diff": diff})
    if int8:
        from signkit.export.quantize import quantize

        on_step("quantising to int8 (dynamic and static, calibrated on training poses)")
        info["int8"] = quantize(out / FP32, out / INT8, list(arrays), run.task)
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
