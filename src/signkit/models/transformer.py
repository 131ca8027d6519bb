"""BERT-style Transformer encoder: class token, learned positions (max length 256)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from torch import Tensor, nn

from signkit.models.base import ENCODERS, valid_steps


@ENCODERS.register("transformer")
class TransformerEncoder(nn.Module):
    """``(B, T, V, C)`` -> the class token's output ``(B, 1, d_model)``."""

    #: what a recipe that sets no optim.lr, optim.batch_size (or decoder) trains with
    defaults: ClassVar[dict] = {"lr": 1e-4, "batch_size": 64}

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray | None = None,
                 d_model: int = 128, heads: int = 4, layers: int = 4, ff: int = 256,
                 dropout: float = 0.1, max_len: int = 256):
        super().__init__()
        self.max_len = max_len
        self.embed = nn.Sequential(nn.LayerNorm(num_nodes * in_channels),
                                   nn.Linear(num_nodes * in_channels, d_model))
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos = nn.Parameter(torch.zeros(1, max_len + 1, d_model))
        nn.init.trunc_normal_(self.pos, std=0.02)
        nn.init.trunc_normal_(self.cls, std=0.02)
        layer = nn.TransformerEncoderLayer(d_model, heads, ff, dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.out_dim = d_model

    def _check_length(self, t: int) -> None:
        if t > self.max_len:
            raise ValueError(f"{t} frames exceed the Transformer's maximum length {self.max_len} "
                             "(encoder_params.max_len)")

    def forward(self, x: Tensor) -> Tensor:
        b, t = x.shape[:2]
        self._check_length(t)
        h = torch.cat([self.cls.expand(b, -1, -1), self.embed(x.reshape(b, t, -1))], dim=1)
        h = self.encoder(h + self.pos[:, : t + 1])
        return self.norm(h[:, :1])

    def frames(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Padded ``(B, T, V, C)`` -> every frame's output ``(B, T, d_model)`` (no class token);
        padded frames are masked out of the attention."""
        b, t = x.shape[:2]
        self._check_length(t)
        h = self.encoder(self.embed(x.reshape(b, t, -1)) + self.pos[:, 1: t + 1],
                         src_key_padding_mask=~valid_steps(lengths, t))
        return self.norm(h), lengths
