"""Decoders: a sequence of encoder features ``(B, L, F)`` -> class logits ``(B, N)``."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from signkit.models.base import DECODERS


@DECODERS.register("linear")
class LinearDecoder(nn.Module):
    """Mean over time, dropout, one linear layer."""

    def __init__(self, in_dim: int, num_classes: int, dropout: float = 0.2):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_dim, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.dropout(x.mean(dim=1)))


@DECODERS.register("attention")
class AttentionDecoder(nn.Module):
    """Learned attention over time (OpenHands' temporal attention), then a linear layer."""

    def __init__(self, in_dim: int, num_classes: int, dropout: float = 0.2):
        super().__init__()
        self.score = nn.Linear(in_dim, 1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_dim, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        weights = torch.softmax(self.score(x), dim=1)  # (B, L, 1)
        return self.fc(self.dropout((weights * x).sum(dim=1)))
