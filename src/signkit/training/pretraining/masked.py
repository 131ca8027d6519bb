"""``task: masked``: a share of the frames masked (zeroed), half of them as contiguous spans, and
their coordinates regressed from the encoder's per-frame features (mean squared error over the
masked frames' detected points)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from signkit.models.base import frame_stride
from signkit.training.pretraining.base import PretrainModule


class MaskedModule(PretrainModule):
    def __init__(self, ratio: float = 0.4, span: int = 4, **kw: Any):
        super().__init__(**kw)
        self.save_hyperparameters()
        self.stride = frame_stride(self.encoder)
        v, c = self.hparams.num_nodes, self.hparams.in_channels
        self.model.reconstruct = nn.Linear(self.encoder.out_dim, self.stride * v * c)

    def mask(self, b: int, t: int, device: torch.device) -> Tensor:
        """``(B, T)`` bool: about ``ratio`` of the frames, half in spans of ``span`` frames."""
        ratio, span = self.hparams.ratio, max(1, self.hparams.span)
        starts = torch.rand(b, t, device=device) < ratio / 2 / span
        spans = torch.zeros(b, t, dtype=torch.bool, device=device)
        for k in range(span):
            spans[:, k:] |= starts[:, : t - k]
        single = torch.rand(b, t, device=device) < ratio / 2
        return spans | single

    def loss(self, x: Tensor) -> Tensor:
        b, t, v, c = x.shape
        m = self.mask(b, t, x.device)
        feats, _ = self.encoder.frames(x * ~m[..., None, None], torch.full((b,), t, device=x.device))
        rec = self.model.reconstruct(feats).view(b, -1, v, c)[:, :t]  # each step -> its `stride` frames
        detected = (x != 0).any(-1, keepdim=True)  # undetected points are 0 and carry no target
        weight = (m[..., None, None] & detected).float()
        return ((rec - x) ** 2 * weight).sum() / (weight.sum() * c).clamp(min=1)


STRATEGY = MaskedModule  # what ``task: masked`` trains
