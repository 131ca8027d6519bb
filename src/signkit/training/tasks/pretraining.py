"""The self-supervised tasks (``signkit pretrain``): one per strategy file in
:mod:`signkit.training.pretraining` (``dpc.py`` is ``task: dpc``), whose ``STRATEGY`` is its
LightningModule. A strategy is found by its file's name and imported only when used, since a
recipe is read without torch; a new strategy is one new file there. Each learns from a corpus's
windows, not from labelled samples."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, ClassVar

from pydantic import Field

from signkit.errors import ConfigError
from signkit.training.registries import TASKS, Section, Task


class PretrainConfig(Section):
    """``pretrain:``: the corpus windows a strategy learns from, and the strategy's parameters."""

    min_frames: int = Field(60, ge=1, description="shortest window read from a corpus video")
    max_frames: int = Field(120, ge=1, description="longest window (a shorter video is taken whole)")
    windows_per_epoch: int = Field(4096, ge=1)
    val_windows: int = Field(256, ge=1, description="held-out windows (another seed) for val_loss")
    params: dict[str, Any] = Field({}, description="the strategy's own parameters")


class Pretraining(Task):
    pretraining = True
    sections: ClassVar[dict[str, type[Section]]] = {"pretrain": PretrainConfig}
    strategy = ""  # its module under signkit.training.pretraining

    def default_decoder(self, encoder: str) -> str:
        return "none"

    def check_model(self, encoder, decoder, encoder_params, decoder_params) -> None:
        from signkit.models.base import ENCODER_INPUTS, ENCODERS

        ENCODERS.check(encoder, encoder_params, ENCODER_INPUTS)

    def module_class(self) -> type:
        return importlib.import_module(f"{PACKAGE}.{self.strategy}").STRATEGY

    def check_recipe(self, recipe) -> None:
        from signkit.training.pretraining.base import check_params

        try:
            check_params(self.module_class(), recipe.pretrain.params)
        except ConfigError as exc:
            raise ConfigError(f"pretrain.params: {exc}") from None

    def vocabulary(self, glosses):
        return []

    def module(self, recipe, num_nodes, edges, vocabulary):
        m, opt, data = recipe.model, recipe.optim, recipe.data
        return self.module_class()(encoder=m.encoder, num_nodes=num_nodes, in_channels=data.dims, edges=edges,
                                   encoder_params=m.encoder_params, lr=opt.lr,
                                   weight_decay=opt.weight_decay, scheduler=opt.scheduler,
                                   max_epochs=recipe.trainer.max_epochs, **recipe.pretrain.params)


PACKAGE = "signkit.training.pretraining"
SHARED = ("base",)  # what every strategy builds on, not a strategy


def _register_strategies() -> None:
    """A task per strategy file, named by the file (its module is not imported: no torch here)."""
    for module in pkgutil.iter_modules(importlib.import_module(PACKAGE).__path__):
        if not module.name.startswith("_") and module.name not in SHARED:
            TASKS.register(module.name)(type(module.name.title(), (Pretraining,), {"strategy": module.name}))


_register_strategies()
