"""SL-GCN (Jiang et al. 2021): decoupled graph convolution, spatial-temporal-channel attention,
DropGraph, over the selection's skeleton."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signkit.models.base import ENCODERS
from signkit.models.gcn_blocks import GraphEncoder, TemporalConv, residual


class DecoupledGraphConv(nn.Module):
    """Channels split into ``groups``; each group learns its own adjacency per partition."""

    def __init__(self, cin: int, cout: int, parts: Tensor, groups: int = 8):
        super().__init__()
        groups = groups if cout % groups == 0 else 1
        self.k, self.g = parts.shape[0], groups
        self.conv = nn.Conv2d(cin, cout * self.k, 1)
        self.adj = nn.Parameter(parts.unsqueeze(1).repeat(1, groups, 1, 1).clone())  # (K, G, V, V)
        self.bn = nn.BatchNorm2d(cout)
        self.res = residual(cin, cout, 1)

    def forward(self, x: Tensor) -> Tensor:
        b, _, t, v = x.shape
        y = self.conv(x).view(b, self.k, self.g, -1, t, v)  # (B, K, G, C, T, V)
        # sum_{k, v} y[b, k, g, c, t, v] adj[k, g, v, w] as one batched matrix product per group,
        # (B, G, C T, K V) @ (G, K V, W): the same numbers as the einsum it replaces, which
        # onnxruntime ran at half the speed.
        y = y.permute(0, 2, 3, 4, 1, 5).reshape(b, self.g, -1, self.k * v)
        a = self.adj.transpose(0, 1).reshape(self.g, self.k * v, v)
        return F.relu(self.bn(torch.matmul(y, a).reshape(b, -1, t, v)) + self.res(x))


class STCAttention(nn.Module):
    """Spatial, temporal and channel attention, each added as a residual re-weighting."""

    def __init__(self, channels: int, num_nodes: int):
        super().__init__()
        ks = num_nodes if num_nodes % 2 else num_nodes - 1
        self.spatial = nn.Conv1d(channels, 1, ks, padding=ks // 2)
        self.temporal = nn.Conv1d(channels, 1, 9, padding=4)
        self.channel = nn.Sequential(nn.Linear(channels, channels // 4), nn.ReLU(inplace=True),
                                     nn.Linear(channels // 4, channels))

        self.mask: Tensor | None = None  # (B, 1, T, 1) of a padded batch, as in TemporalConv

    def forward(self, x: Tensor) -> Tensor:
        m = torch.ones_like(x[:, :1, :, :1]) if self.mask is None else self.mask
        x = x * m  # padded frames out of the means over time
        frames = m.sum(2)  # (B, 1, 1)
        x = x * (1 + torch.sigmoid(self.spatial(x.sum(2) / frames)).unsqueeze(2))       # (B, 1, 1, V)
        x = x * (1 + torch.sigmoid(self.temporal(x.mean(3))).unsqueeze(3))              # (B, 1, T, 1)
        channel = self.channel(x.sum((2, 3)) / (frames[..., 0] * x.shape[3]))
        return x * (1 + torch.sigmoid(channel)[..., None, None])                        # (B, C, 1, 1)


class DropGraph(nn.Module):
    """Drop random joints with their graph neighbours, and random blocks of frames, in training."""

    def __init__(self, neighbours: Tensor, keep_prob: float = 0.9, block_t: int = 7):
        super().__init__()
        self.register_buffer("neighbours", neighbours)  # (V, V) 0/1 with self-loops
        self.keep_prob, self.block_t = keep_prob, block_t

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.keep_prob >= 1:
            return x
        b, _, t, v = x.shape
        drop = 1 - self.keep_prob
        seeds = torch.bernoulli(torch.full((b, v), drop / self.neighbours.sum(0).mean(), device=x.device))
        keep_v = 1 - (seeds @ self.neighbours).clamp(max=1)                      # (B, V)
        seeds_t = torch.bernoulli(torch.full((b, 1, t), drop / self.block_t, device=x.device))
        keep_t = 1 - F.max_pool1d(seeds_t, self.block_t, 1, self.block_t // 2)[..., :t]  # (B, 1, T)
        mask = keep_v[:, None, None, :] * keep_t[:, :, :, None]
        return x * mask * (mask.numel() / mask.sum().clamp(min=1))


class SLGCNBlock(nn.Module):
    def __init__(self, cin: int, cout: int, parts: Tensor, num_nodes: int, stride: int,
                 dropout: float, keep_prob: float):
        super().__init__()
        self.gcn = DecoupledGraphConv(cin, cout, parts)
        self.att = STCAttention(cout, num_nodes)
        self.tcn = TemporalConv(cout, 9, stride, dropout)
        self.res = residual(cin, cout, stride)
        self.drop = DropGraph((parts.sum(0) > 0).float(), keep_prob)

    def forward(self, x: Tensor) -> Tensor:
        y = self.drop(self.tcn(self.att(self.gcn(x))))
        return F.relu(y + self.drop(self.res(x)))


@ENCODERS.register("slgcn")
class SLGCNEncoder(GraphEncoder):
    """``(B, T, V, C)`` -> ``(B, T / 4, channels[-1])``."""

    #: what a recipe that sets no optim.lr, optim.batch_size (or decoder) trains with
    defaults: ClassVar[dict] = {"lr": 1e-3, "batch_size": 32}

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray,
                 channels: list[int] | None = None, strides: list[int] | None = None,
                 dropout: float = 0.0, keep_prob: float = 0.9):
        super().__init__(num_nodes, in_channels, edges,
                         lambda cin, cout, parts, s: SLGCNBlock(cin, cout, parts, num_nodes, s, dropout,
                                                                keep_prob),
                         channels, strides)
