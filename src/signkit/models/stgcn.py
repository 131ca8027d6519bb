"""ST-GCN (Yan et al. 2018): 10 spatio-temporal graph layers over the selection's skeleton."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from signkit.models.base import ENCODERS
from signkit.models.gcn_blocks import (
    InputNorm,
    TemporalConv,
    as_partitions,
    pool_nodes,
    residual,
    stacked_channels,
)
from signkit.models.graph import spatial_partitions

# OpenHands' (and the paper's) widths are 64 x 4, 128 x 3, 256 x 3; these are narrower so that
# batch-1 latency on a 2-core CPU stays under OpenHands' published figure (benchmarks/README.md).
STGCN_CHANNELS = [32, 32, 32, 32, 64, 64, 64, 128, 128, 128]
STGCN_STRIDES = [1, 1, 1, 1, 2, 1, 1, 2, 1, 1]


class GraphConv(nn.Module):
    """Spatial graph convolution with one weight per partition and learnable edge importance."""

    def __init__(self, cin: int, cout: int, parts: Tensor):
        super().__init__()
        self.k = parts.shape[0]
        self.conv = nn.Conv2d(cin, cout * self.k, 1)
        self.register_buffer("parts", parts)
        self.importance = nn.Parameter(torch.ones_like(parts))

    def forward(self, x: Tensor) -> Tensor:
        b, _, t, v = x.shape
        y = self.conv(x).view(b, self.k, -1, t, v)
        return torch.einsum("bkctv,kvw->bctw", y, self.parts * self.importance)


class STGCNBlock(nn.Module):
    def __init__(self, cin: int, cout: int, parts: Tensor, stride: int, dropout: float):
        super().__init__()
        self.gcn = GraphConv(cin, cout, parts)
        self.bn = nn.BatchNorm2d(cout)
        self.tcn = TemporalConv(cout, 9, stride, dropout)
        self.res = residual(cin, cout, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.tcn(self.relu(self.bn(self.gcn(x)))) + self.res(x))


@ENCODERS.register("stgcn")
class STGCNEncoder(nn.Module):
    """``(B, T, V, C)`` -> ``(B, T / 4, channels[-1])``."""

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray,
                 channels: list[int] | None = None, strides: list[int] | None = None,
                 dropout: float = 0.0):
        super().__init__()
        channels = channels or STGCN_CHANNELS
        strides = strides or STGCN_STRIDES
        parts = as_partitions(spatial_partitions(num_nodes, edges))
        self.norm = InputNorm(num_nodes, in_channels)
        self.blocks = nn.Sequential(*[
            STGCNBlock(cin, cout, parts, s, dropout)
            for (cin, cout), s in zip(stacked_channels(channels, in_channels), strides, strict=True)])
        self.out_dim = channels[-1]

    def forward(self, x: Tensor) -> Tensor:
        return pool_nodes(self.blocks(self.norm(x)))
