"""The LightningModules: a registered encoder + decoder with cross-entropy (classification of
poses), a video model with cross-entropy (classification of RGB clips), or an encoder + sequence
head with CTC loss (continuous recognition) or per-frame cross-entropy (frame tagging); all Adam
and a scheduler."""

from __future__ import annotations

from typing import Any

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import BaseFinetuning

from signkit.models import VIDEO_MODELS, build_classifier, build_sequence_model


class _Optimised(L.LightningModule):
    """Adam with weight decay and the recipe's scheduler (``lr``, ``weight_decay``, ``scheduler``,
    ``max_epochs`` in the hyper-parameters); the plateau scheduler follows ``monitor``."""

    monitor = ("val_acc", "max")

    def configure_optimizers(self):
        # Only what is trained: a frozen backbone (FreezeBackbone) stays out of the optimiser.
        opt = torch.optim.Adam([p for p in self.parameters() if p.requires_grad], lr=self.hparams.lr,
                               weight_decay=self.hparams.weight_decay)
        if self.hparams.scheduler == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(self.hparams.max_epochs, 1))
            return {"optimizer": opt, "lr_scheduler": sched}
        if self.hparams.scheduler == "plateau":
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=self.monitor[1], factor=0.5,
                                                               patience=5)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": self.monitor[0]}}
        return opt


class _Classifying(_Optimised):
    """Cross-entropy with label smoothing in training, accuracy; ``forward`` gives logits."""

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


class PoseClassifier(_Classifying):
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

    @property
    def backbone(self) -> torch.nn.Module:
        return self.model.encoder

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, V, C)`` -> logits ``(B, num_classes)``."""
        return self.model(x)


class VideoClassifier(_Classifying):
    """A registered video model (``VIDEO_MODELS``) on RGB clips; its hyper-parameters rebuild it."""

    def __init__(self, model: str, num_classes: int, model_params: dict[str, Any] | None = None,
                 lr: float = 1e-4, weight_decay: float = 1e-4, label_smoothing: float = 0.1,
                 scheduler: str = "cosine", max_epochs: int = 20):
        super().__init__()
        self.save_hyperparameters()
        # channels-last 3D: about a third faster for the 3D convolutions on the CPU.
        self.model = VIDEO_MODELS.create(model, model_params, num_classes=num_classes).to(
            memory_format=torch.channels_last_3d)

    @property
    def backbone(self) -> list[torch.nn.Module]:
        """Everything but the last layer."""
        last = self.model.last_layer
        return [m for m in self.model.children() if m is not last]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 3, T, H, W)`` -> logits ``(B, num_classes)``."""
        return self.model(x.contiguous(memory_format=torch.channels_last_3d))


class FreezeBackbone(BaseFinetuning):
    """The module's ``backbone`` (a pretrained encoder, or all but a video model's last layer)
    frozen, batch norm statistics included, for the first ``epochs`` epochs (``None``: for good)."""

    def __init__(self, epochs: int | None):
        super().__init__()
        self.epochs = epochs

    def freeze_before_training(self, pl_module: Any) -> None:
        self.freeze(pl_module.backbone, train_bn=False)

    def finetune_function(self, pl_module: Any, current_epoch: int, optimizer: Any) -> None:
        if current_epoch == self.epochs:
            self.unfreeze_and_add_param_group(pl_module.backbone, optimizer)


class _Sequence(_Optimised):
    """Encoder + sequence head over padded batches (:class:`PoseCTC`, :class:`PoseTagger`), with
    :class:`PoseClassifier`'s arguments; each adds its validation metric."""

    def __init__(self, encoder: str, decoder: str, num_nodes: int, in_channels: int, num_classes: int,
                 edges: list[list[int]], encoder_params: dict[str, Any] | None = None,
                 decoder_params: dict[str, Any] | None = None, lr: float = 1e-3,
                 weight_decay: float = 1e-4, label_smoothing: float = 0.0, scheduler: str = "cosine",
                 max_epochs: int = 60):
        super().__init__()
        self.save_hyperparameters()
        self.model = build_sequence_model(encoder, decoder, num_nodes, in_channels, num_classes,
                                          np.asarray(edges, dtype=np.int64).reshape(-1, 2),
                                          encoder_params, decoder_params)
        self._add_metrics(num_classes)

    def _add_metrics(self, num_classes: int) -> None:
        raise NotImplementedError


class PoseCTC(_Sequence):
    """Encoder + sequence head over padded batches, CTC loss with blank 0; validation reports the
    greedy decoding's word (gloss) error rate, which picks the best checkpoint. Its arguments are
    :class:`PoseClassifier`'s (``label_smoothing`` has no use in CTC and is ignored)."""

    monitor = ("val_wer", "min")

    def _add_metrics(self, num_classes: int) -> None:
        from torchmetrics.text import WordErrorRate

        self.val_wer = WordErrorRate()

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, V, C)`` padded, ``(B,)`` -> log-probabilities ``(B, L, classes)``, ``(B,)``."""
        return self.model(x, lengths)

    def _loss(self, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x, lengths, targets, target_lengths = batch
        log_probs, out_lengths = self(x, lengths)
        loss = F.ctc_loss(log_probs.transpose(0, 1), targets, out_lengths, target_lengths, blank=0,
                          zero_infinity=True)
        return loss, log_probs, out_lengths

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        loss, *_ = self._loss(batch)
        self.log("train_loss", loss, on_epoch=True, on_step=False, batch_size=len(batch[1]), sync_dist=True)
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        from signkit.training.decoding import greedy

        loss, log_probs, out_lengths = self._loss(batch)
        self.log("val_loss", loss, prog_bar=True, on_epoch=True, on_step=False, batch_size=len(batch[1]),
                 sync_dist=True)
        refs = torch.split(batch[2], batch[3].tolist())
        hyps = [greedy(lp[:n].numpy()) for lp, n in zip(log_probs.cpu(), out_lengths.tolist(), strict=True)]
        # Gloss ids as words: the metric only compares them.
        self.val_wer.update([" ".join(map(str, h)) for h in hyps],
                            [" ".join(map(str, r.tolist())) for r in refs])
        self.log("val_wer", self.val_wer, prog_bar=True, on_epoch=True, on_step=False)


class PoseTagger(_Sequence):
    """Encoder + sequence head over padded batches, a label per frame, cross-entropy per frame
    (padding ignored); validation reports the macro F1 over the labels, which picks the best
    checkpoint. A head that pools time has its steps repeated back to frames. Its arguments are
    :class:`PoseClassifier`'s."""

    monitor = ("val_f1", "max")

    def _add_metrics(self, num_classes: int) -> None:
        from torchmetrics.classification import MulticlassF1Score

        self.val_f1 = MulticlassF1Score(num_classes, average="macro", ignore_index=-100)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, V, C)`` padded, ``(B,)`` -> log-probabilities ``(B, T, labels)``, ``(B,)``."""
        log_probs, _ = self.model(x, lengths)
        stride = self.model.stride
        if stride > 1:
            log_probs = log_probs.repeat_interleave(stride, dim=1)
        if log_probs.shape[1] < x.shape[1]:  # a pooled head's last partial step
            log_probs = F.pad(log_probs, (0, 0, 0, x.shape[1] - log_probs.shape[1]), mode="replicate")
        return log_probs[:, : x.shape[1]], lengths

    def _step(self, batch, stage: str) -> torch.Tensor:
        x, lengths, labels = batch
        log_probs, _ = self(x, lengths)
        smoothing = self.hparams.label_smoothing if stage == "train" else 0.0
        loss = F.cross_entropy(log_probs.transpose(1, 2), labels, ignore_index=-100,
                               label_smoothing=smoothing)
        self.log(f"{stage}_loss", loss, prog_bar=stage == "val", on_epoch=True, on_step=False,
                 batch_size=len(x), sync_dist=True)
        if stage == "val":
            self.val_f1.update(log_probs.argmax(-1).reshape(-1), labels.reshape(-1))
            self.log("val_f1", self.val_f1, prog_bar=True, on_epoch=True, on_step=False)
        return loss

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx: int) -> None:
        self._step(batch, "val")
