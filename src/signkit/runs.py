"""The run folder: every file name signkit writes into one, its kind and ``run.json``.

Every command that writes a folder (train, crossval, pretrain, ensemble, export, baseline,
evaluate) records in ``run.json`` what kind of folder it is and what made it: signkit's version
and git commit, the Python, torch, Lightning and onnxruntime versions, the host's cores, the
command line, and the start and end times. A folder written before ``run.json`` existed has its
kind inferred from its files, here and nowhere else. This module imports nothing heavy.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from signkit.errors import PoseFileError

# Files of a run folder (a name is owned here; modules import it rather than spell it).
RUN_INFO = "run.json"
CONFIG, VOCAB, LAYOUT, METRICS = "config.yaml", "vocabulary.json", "layout.json", "metrics.json"
CHECKPOINTS = "checkpoints"
SPLIT_FILE = "splits.json"
SUMMARY = "summary.json"  # crossval and ensembles of crossvals: mean and std over the folds
PRETRAIN = "pretrain.json"
ENSEMBLE = "ensemble.json"
EXPORT, FP32, INT8, MEMBERS = "export.json", "model.onnx", "model.int8.onnx", "members"
BASELINE_MODEL, BASELINE_INFO = "model.skops", "model.json"
PICKLED_BASELINE = "model.joblib"  # written before skops; a pickle, never opened
EVALUATION = "evaluation.json"

#: kind -> what wrote it
KINDS = {
    "train": "signkit train",
    "crossval": "signkit crossval",
    "pretrain": "signkit pretrain",
    "ensemble": "signkit ensemble (runs)",
    "ensemble_crossval": "signkit ensemble (crossval folders)",
    "export": "signkit export",
    "baseline": "signkit baseline",
    "evaluation": "signkit evaluate",
}
PACKAGES = ("torch", "lightning", "onnxruntime", "scikit-learn", "numpy", "mediapipe")


def _infer_kind(folder: Path) -> str | None:
    """The kind of a folder written before ``run.json``, from the files it holds."""
    if (folder / EXPORT).is_file():
        return "export"
    if (folder / ENSEMBLE).is_file():
        return "ensemble"
    if (folder / SUMMARY).is_file():
        try:
            summary = json.loads((folder / SUMMARY).read_text())
        except (OSError, ValueError) as exc:
            raise PoseFileError(folder / SUMMARY, f"not a readable summary ({exc})") from None
        return "ensemble_crossval" if isinstance(summary, dict) and "members" in summary else "crossval"
    if (folder / PRETRAIN).is_file():
        return "pretrain"
    if (folder / CHECKPOINTS).is_dir():
        return "train"
    if (folder / BASELINE_MODEL).is_file() or (folder / PICKLED_BASELINE).is_file():
        return "baseline"
    if (folder / EVALUATION).is_file():
        return "evaluation"
    return None


def read_info(folder: str | Path) -> dict[str, Any]:
    """``run.json`` of ``folder``; ``{}`` for a folder written before it."""
    path = Path(folder) / RUN_INFO
    if not path.is_file():
        return {}
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PoseFileError(path, f"not a readable run description ({exc})") from None
    if not isinstance(info, dict) or info.get("kind") not in KINDS:
        raise PoseFileError(path, f"no known kind (one of {', '.join(KINDS)})")
    return info


def find_kind(folder: str | Path) -> str | None:
    """The kind of ``folder`` from its ``run.json``, else from its files; None if it has neither."""
    folder = Path(folder)
    return (read_info(folder).get("kind") or _infer_kind(folder)) if folder.is_dir() else None


def kind_of(folder: str | Path) -> str:
    """The kind of a signkit folder (a key of :data:`KINDS`); a folder of no kind raises."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PoseFileError(folder, "not a folder")
    if (kind := find_kind(folder)) is None:
        raise PoseFileError(folder, "not a folder signkit wrote (no run.json and none of "
                                    f"{CONFIG}, {SUMMARY}, {EXPORT}, {ENSEMBLE}, {BASELINE_MODEL})")
    return kind


def _git_commit() -> str | None:
    """The commit of the checkout signkit runs from, when it runs from one (an editable install)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def environment() -> dict[str, Any]:
    """What made a folder: versions (read from the installed metadata, nothing imported), cores."""
    from signkit import __version__

    versions = {"signkit": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {"versions": versions, "commit": _git_commit(), "platform": platform.platform(),
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_child_rank() -> bool:
    """True in the extra processes that DDP starts: only the main process writes ``run.json``."""
    return os.environ.get("LOCAL_RANK", "0") != "0"


def write_info(folder: str | Path, kind: str, **extra: Any) -> dict[str, Any]:
    """Write ``run.json`` of a finished folder (``started`` and ``ended`` now unless given)."""
    if kind not in KINDS:
        raise ValueError(f"unknown run kind {kind!r}")
    at = now()
    info = {"kind": kind, "command": sys.orig_argv, "started": at,
            **environment(), **extra}
    info.setdefault("ended", at)
    if not is_child_rank():
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / RUN_INFO).write_text(json.dumps(info, indent=2))
    return info


def begin(folder: str | Path, kind: str, **facts: Any) -> str:
    """Write ``run.json`` of a folder now being written (``ended`` null until :func:`finish`);
    returns the start time to give :func:`finish`."""
    started = now()
    write_info(folder, kind, started=started, ended=None, **facts)
    return started


def finish(folder: str | Path, kind: str, started: str, **facts: Any) -> dict[str, Any]:
    """Complete ``run.json`` of a folder: its end now."""
    return write_info(folder, kind, started=started, ended=now(), **facts)
