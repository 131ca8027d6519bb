"""What every pretraining strategy shares: an encoder built by name (the part a fine-tuning
recipe takes over with ``model.init_from``), the optimiser, and how a window becomes its inputs."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from signkit.errors import ConfigError
from signkit.models.base import ENCODERS
from signkit.pose.pose import Pose
from signkit.registry import Registry
from signkit.training.arrays import to_array
from signkit.training.config import DataConfig
from signkit.training.module import _Optimised

# The arguments the code passes every strategy; ``pretrain.params`` sets the rest.
STRATEGY_INPUTS = ("encoder", "num_nodes", "in_channels", "edges", "encoder_params", "lr", "weight_decay",
                   "scheduler", "max_epochs")


def _own_parameters(cls: type) -> list[inspect.Parameter]:
    """The strategy's own keyword arguments (the shared ones come through ``**kw``)."""
    return [p for p in inspect.signature(cls.__init__).parameters.values()
            if p.kind is p.KEYWORD_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self")]


def strategy_params(cls: type, params: dict[str, Any]) -> dict[str, Any]:
    """``pretrain.params`` with the strategy's defaults for the rest, as its module will have them."""
    return {**{p.name: p.default for p in _own_parameters(cls)}, **params}


def check_params(cls: type, params: dict[str, Any]) -> None:
    """``pretrain.params`` against the strategy's own keyword arguments (names and types)."""
    own = _own_parameters(cls)
    if unknown := sorted(set(params) - {p.name for p in own}):
        raise ConfigError(f"{cls.__name__} has no parameter {unknown[0]!r}; it takes "
                          f"{', '.join(p.name for p in own)}")
    reg: Registry = Registry("pretraining strategy")
    reg.register(cls.__name__)(cls)
    reg.check(cls.__name__, params, STRATEGY_INPUTS)  # the values' types


def pooled(encoder: nn.Module, x: Tensor) -> Tensor:
    """``(B, T, V, C)`` -> one embedding per sample ``(B, F)``: the encoder's output sequence
    averaged (the Transformer's is its class token)."""
    return encoder(x).mean(dim=1)


def info_nce(query: Tensor, keys: Tensor, temperature: float) -> Tensor:
    """Row ``i`` of ``query (N, F)`` should match row ``i`` of ``keys (M >= N, F)`` among all rows."""
    logits = nn.functional.normalize(query, dim=1) @ nn.functional.normalize(keys, dim=1).t()
    return nn.functional.cross_entropy(logits / temperature, torch.arange(len(query), device=query.device))


class PretrainModule(_Optimised):
    """``self.model.encoder`` is the registered encoder; a strategy adds its heads to ``self.model``
    and defines :meth:`loss`. Windows come as :meth:`inputs` makes them."""

    monitor = ("val_loss", "min")

    def __init__(self, encoder: str, num_nodes: int, in_channels: int, edges: list[list[int]],
                 encoder_params: dict[str, Any] | None = None, lr: float = 1e-3, weight_decay: float = 1e-4,
                 scheduler: str = "cosine", max_epochs: int = 60):
        super().__init__()
        self.model = nn.Module()
        self.model.encoder = ENCODERS.create(encoder, encoder_params, num_nodes=num_nodes,
                                             in_channels=in_channels,
                                             edges=np.asarray(edges, dtype=np.int64).reshape(-1, 2))

    @property
    def encoder(self) -> nn.Module:
        return self.model.encoder

    @classmethod
    def inputs(cls, pose: Pose, cfg: DataConfig, rng: np.random.Generator, augment: Any,
               params: dict[str, Any]) -> Any:
        """A window -> this strategy's tensors: by default ``(length, V, C)`` after augmentation.
        ``params``: every parameter of the strategy (:func:`strategy_params`)."""
        if augment is not None:
            pose = augment(pose, rng)
        return torch.from_numpy(to_array(pose, cfg, rng))

    def loss(self, batch: Any) -> Tensor:
        raise NotImplementedError

    def training_step(self, batch, batch_idx: int) -> Tensor:
        loss = self.loss(batch)
        self.log("train_loss", loss, prog_bar=True, on_epoch=True, on_step=False, batch_size=_size(batch))
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        self.log("val_loss", self.loss(batch), prog_bar=True, on_epoch=True, on_step=False,
                 batch_size=_size(batch))


def _size(batch: Any) -> int:
    return len(batch[0] if isinstance(batch, list | tuple) else batch)
