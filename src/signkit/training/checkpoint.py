"""Reading checkpoints that may come from someone else (a shared run folder, ``model.init_from``).

A Lightning checkpoint is a pickle. ``torch.load(weights_only=True)`` rebuilds tensors and plain
containers only, so a crafted file cannot run code; what it refuses is one line naming the file.
"""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from signkit.errors import ConfigError, PoseFileError
from signkit.pose.layout import Layout
from signkit.runs import CHECKPOINTS, CONFIG, LAYOUT
from signkit.training.config import read_config

if TYPE_CHECKING:
    from signkit.training.config import Recipe

M = TypeVar("M")

_REFUSED = "not a checkpoint signkit can open safely (only tensors and plain values are loaded)"


def _refusal(path: Path, exc: Exception) -> PoseFileError:
    first = " ".join(str(exc).split())[:200]
    if isinstance(exc, pickle.UnpicklingError) or "weights_only" in str(exc):
        return PoseFileError(path, f"{_REFUSED}: {first}")
    return PoseFileError(path, f"not a readable checkpoint ({exc.__class__.__name__}: {first})")


def load_state(path: str | Path) -> dict[str, Any]:
    """The checkpoint's dictionary (``state_dict``, ``hyper_parameters``, ...), tensors on the CPU."""
    import torch

    path = Path(path)
    try:
        with warnings.catch_warnings():  # torch's notes on pickle protocols are not the user's business
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError, EOFError, ...
        raise _refusal(path, exc) from None
    if not isinstance(state, dict) or "state_dict" not in state:
        raise PoseFileError(path, "not a signkit checkpoint (no state_dict)")
    return state


def load_module(module_class: type[M], path: str | Path) -> M:
    """A LightningModule of ``module_class`` rebuilt from its checkpoint, in eval mode."""
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = module_class.load_from_checkpoint(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise _refusal(path, exc) from None
    module.eval()
    return module


def load_pretrained_encoder(encoder: Any, run_dir: str | Path, recipe: Recipe, layout: Layout) -> None:
    """Copy the encoder weights of pretraining run ``run_dir`` into ``encoder`` (in place). The
    run must have the same encoder, encoder parameters, coordinates and keypoints."""
    run = Path(run_dir)
    for needed in (run / CONFIG, run / LAYOUT, run / CHECKPOINTS / "best.ckpt"):
        if not needed.is_file():
            raise PoseFileError(needed, "missing: model.init_from must name a `signkit pretrain` run folder")
    source = read_config(run / CONFIG)
    theirs = (source.model.encoder, source.model.encoder_params, source.data.dims)
    ours = (recipe.model.encoder, recipe.model.encoder_params, recipe.data.dims)
    if theirs != ours:
        raise ConfigError(f"model.init_from={run}: its encoder is {theirs[0]} {theirs[1]} on "
                          f"{theirs[2]} coordinates, this recipe's {ours[0]} {ours[1]} on {ours[2]}")
    points = Layout.from_dict(json.loads((run / LAYOUT).read_text())).keypoints
    if points != layout.keypoints:
        raise ConfigError(f"model.init_from={run}: pretrained on {len(points)} keypoints, this recipe "
                          f"selects {len(layout.keypoints)} others (data.groups)")
    state = load_state(run / CHECKPOINTS / "best.ckpt")["state_dict"]
    prefix = "model.encoder."
    encoder.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})
