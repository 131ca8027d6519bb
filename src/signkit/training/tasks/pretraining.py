"""The self-supervised tasks (``signkit pretrain``): ``dpc``, ``masked`` and ``contrastive``. Each
names its LightningModule in :mod:`signkit.training.pretraining` (imported only when used, since
a recipe is read without torch) and learns from a corpus's windows, not from labelled samples."""

from __future__ import annotations

import importlib
from typing import Any

from signkit.training.registries import TASKS, Task


class Pretraining(Task):
    pretraining = True
    module_path = ""  # "module:Class" under signkit.training.pretraining

    def default_decoder(self, encoder: str) -> str:
        return "none"

    def check_model(self, encoder, decoder, encoder_params, decoder_params) -> None:
        from signkit.models.base import ENCODER_INPUTS, ENCODERS

        ENCODERS.check(encoder, encoder_params, ENCODER_INPUTS)

    def module_class(self) -> type:
        module, name = self.module_path.split(":")
        return getattr(importlib.import_module(f"signkit.training.pretraining.{module}"), name)

    def check_params(self, params: dict[str, Any]) -> None:
        from signkit.training.pretraining.base import check_params

        check_params(self.module_class(), params)

    def vocabulary(self, glosses):
        return []

    def module(self, recipe, num_nodes, edges, vocabulary):
        m, opt, data = recipe.model, recipe.optim, recipe.data
        return self.module_class()(encoder=m.encoder, num_nodes=num_nodes, in_channels=data.dims, edges=edges,
                                   encoder_params=m.encoder_params, lr=opt.lr,
                                   weight_decay=opt.weight_decay, scheduler=opt.scheduler,
                                   max_epochs=recipe.trainer.max_epochs, **recipe.pretrain.params)


@TASKS.register("dpc")
class DPC(Pretraining):
    module_path = "dpc:DPCModule"


@TASKS.register("masked")
class Masked(Pretraining):
    module_path = "masked:MaskedModule"


@TASKS.register("contrastive")
class Contrastive(Pretraining):
    module_path = "contrastive:ContrastiveModule"
