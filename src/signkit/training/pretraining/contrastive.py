"""``task: contrastive``: two views of a window by random shear, scale and rotation; the encoder
(plus a projection) embeds one, a momentum copy the other, InfoNCE against the copy's embedding of
the same window and a MoCo-style queue of earlier windows' embeddings as negatives."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from signkit.pose.pose import Pose
from signkit.training.arrays import cached_transforms, to_array
from signkit.training.config import DataConfig
from signkit.training.pretraining.base import PretrainModule, pooled

VIEWS = [{"name": "shear", "max_shear": 0.3}, {"name": "scale", "min_scale": 0.8, "max_scale": 1.2},
         {"name": "rotate", "min_angle": -0.3, "max_angle": 0.3}]


class ContrastiveModule(PretrainModule):
    def __init__(self, dim: int = 128, queue: int = 2048, momentum: float = 0.99,
                 temperature: float = 0.1, views: list[Any] | None = None, **kw: Any):
        super().__init__(**kw)
        self.save_hyperparameters()
        f = self.encoder.out_dim
        self.model.project = nn.Sequential(nn.Linear(f, f), nn.ReLU(), nn.Linear(f, dim))
        # The momentum copy is not part of ``self.model``: fine-tuning takes only the encoder.
        self.key_encoder = copy.deepcopy(self.model.encoder)
        self.key_project = copy.deepcopy(self.model.project)
        for p in [*self.key_encoder.parameters(), *self.key_project.parameters()]:
            p.requires_grad = False
        self.register_buffer("queue", nn.functional.normalize(torch.randn(queue, dim), dim=1))
        self.register_buffer("queue_at", torch.zeros((), dtype=torch.long))

    @classmethod
    def inputs(cls, pose: Pose, cfg: DataConfig, rng: np.random.Generator, augment: Any,
               params: dict[str, Any]) -> tuple[Tensor, Tensor]:
        views = cached_transforms(json.dumps(params["views"] or VIEWS))
        return tuple(torch.from_numpy(to_array(views(pose, rng), cfg, rng)) for _ in range(2))

    @torch.no_grad()
    def _momentum_update(self) -> None:
        m = self.hparams.momentum
        for q, k in zip([*self.model.encoder.parameters(), *self.model.project.parameters()],
                        [*self.key_encoder.parameters(), *self.key_project.parameters()], strict=True):
            k.mul_(m).add_(q.detach(), alpha=1 - m)

    def loss(self, batch: tuple[Tensor, Tensor]) -> Tensor:
        a, b = batch
        q = nn.functional.normalize(self.model.project(pooled(self.model.encoder, a)), dim=1)
        with torch.no_grad():
            if self.training:
                self._momentum_update()
            k = nn.functional.normalize(self.key_project(pooled(self.key_encoder, b)), dim=1)
        positive = (q * k).sum(1, keepdim=True)
        negative = q @ self.queue.clone().t()  # the queue changes below, before the backward pass
        logits = torch.cat([positive, negative], 1) / self.hparams.temperature
        loss = nn.functional.cross_entropy(logits, torch.zeros(len(q), dtype=torch.long, device=q.device))
        if self.training:  # the newest keys replace the oldest
            n, at = len(k), int(self.queue_at)
            idx = (torch.arange(n, device=k.device) + at) % len(self.queue)
            self.queue[idx] = k
            self.queue_at.fill_((at + n) % len(self.queue))
        return loss


STRATEGY = ContrastiveModule  # what ``task: contrastive`` trains
