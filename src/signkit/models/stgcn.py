"""ST-GCN (Yan et al. 2018): 10 spatio-temporal graph layers over the selection's skeleton."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from signkit.models.base import ENCODERS
from signkit.models.gcn_blocks import GraphEncoder, TemporalConv, residual


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
class STGCNEncoder(GraphEncoder):
    """``(B, T, V, C)`` -> ``(B, T / 4, channels[-1])``."""

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray,
                 channels: list[int] | None = None, strides: list[int] | None = None,
                 dropout: float = 0.0):
        super().__init__(num_nodes, in_channels, edges,
                         lambda cin, cout, parts, s: STGCNBlock(cin, cout, parts, s, dropout),
                         channels, strides)
