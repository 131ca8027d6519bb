"""Reading checkpoints that may come from someone else (a shared run folder, ``model.init_from``).

A Lightning checkpoint is a pickle. ``torch.load(weights_only=True)`` rebuilds tensors and plain
containers only, so a crafted file cannot run code; what it refuses is one line naming the file.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any, TypeVar

from signkit.errors import PoseFileError

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
