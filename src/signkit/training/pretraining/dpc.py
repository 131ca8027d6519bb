"""``task: dpc``: Dense Predictive Coding for pose (OpenHands' SL-DPC). A window is cut into blocks
of ``block`` frames; the encoder embeds each block, a GRU aggregates the first ``context`` blocks
and predicts the embeddings of the next ``predict``, each predicted step fed back into the GRU;
InfoNCE against every block of the batch (the true one is the positive)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from signkit.pose.pose import Pose
from signkit.training.arrays import to_array
from signkit.training.config import DataConfig
from signkit.training.pretraining.base import PretrainModule, info_nce, pooled


class DPCModule(PretrainModule):
    def __init__(self, block: int = 10, context: int = 4, predict: int = 3,
                 hidden: int = 256, temperature: float = 0.1, **kw: Any):
        super().__init__(**kw)
        self.save_hyperparameters()
        f = self.encoder.out_dim
        self.model.aggregate = nn.GRU(f, hidden, batch_first=True)
        self.model.predictor = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, f))

    @classmethod
    def inputs(cls, pose: Pose, cfg: DataConfig, rng: np.random.Generator, augment: Any,
               params: dict[str, Any]) -> Tensor:
        """``(blocks * block, V, C)``: the window resampled to whole blocks."""
        if augment is not None:
            pose = augment(pose, rng)
        cfg = cfg.model_copy(update={"length": (params["context"] + params["predict"]) * params["block"]})
        return torch.from_numpy(to_array(pose, cfg, rng))

    def loss(self, x: Tensor) -> Tensor:
        hp = self.hparams
        b, t, v, c = x.shape
        n = hp.context + hp.predict
        z = pooled(self.encoder, x.reshape(b * n, t // n, v, c)).view(b, n, -1)  # (B, N, F)
        _, h = self.model.aggregate(z[:, : hp.context])
        preds, step = [], None
        for _ in range(hp.predict):
            step = self.model.predictor(h[-1])  # (B, F)
            preds.append(step)
            _, h = self.model.aggregate(step[:, None], h)
        pred = torch.stack(preds, 1).reshape(b * hp.predict, -1)
        target = z[:, hp.context:].reshape(b * hp.predict, -1)
        return info_nce(pred, target, hp.temperature)


STRATEGY = DPCModule  # what ``task: dpc`` trains
