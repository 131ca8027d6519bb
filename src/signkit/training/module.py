"""The LightningModule: a registered encoder + decoder, cross-entropy, Adam and a scheduler."""

from __future__ import annotations

from typing import Any

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F

from signkit.models import build_classifier


class PoseClassifier(L.LightningModule):
    """Everything needed to rebuild the network is in the hyper-parameters saved in checkpoints."""

    def __init__(self, encoder: str, decoder: str, num_nodes: int, in_channels: int, num_classes: int,
                 edges: list[list[int]], encoder_params: dict[str, Any] | None = None,
                 decoder_params: dict[str, Any] | None = None, lr: float = 1e-3,
                 weight_decay: float = 1e-4, label_smoothing: float = 0.1, scheduler: str = "cosine",
                 max_epochs: int = 60):
        super().__init__()
        self.save_hyperparameters()
        self.model = build_classifier(encoder, decoder, num_nodes, in_channels, num_classes,
                                      np.asarray(edges, dtype=np.int64).reshape(-1, 2),
                                      encoder_params, decoder_params)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, V, C)`` -> logits ``(B, num_classes)``."""
        return self.model(x)

    def _step(self, batch: tuple[torch.Tensor, torch.Tensor], stage: str) -> torch.Tensor:
        x, y = batch
        logits = self(x)
        smoothing = self.hparams.label_smoothing if stage == "train" else 0.0
        loss = F.cross_entropy(logits, y, label_smoothing=smoothing)
        acc = (logits.argmax(-1) == y).float().mean()
        self.log(f"{stage}_loss", loss, prog_bar=stage == "val", on_epoch=True, on_step=False,
                 batch_size=len(y), sync_dist=True)
        self.log(f"{stage}_acc", acc, prog_bar=True, on_epoch=True, on_step=False, batch_size=len(y),
                 sync_dist=True)
        return loss

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx: int) -> None:
        self._step(batch, "val")

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        if self.hparams.scheduler == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(self.hparams.max_epochs, 1))
            return {"optimizer": opt, "lr_scheduler": sched}
        if self.hparams.scheduler == "plateau":
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=5)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_acc"}}
        return opt
