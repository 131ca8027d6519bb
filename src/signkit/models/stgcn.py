"""ST-GCN (Yan et al. 2018): 10 spatio-temporal graph layers over the selection's skeleton."""

from __future__ import annotations

from typing import ClassVar

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
        # sum_k A_k applied to (W_k x + b_k), computed as sum_k W_k (x A_k) + b_k 1^T A_k: the
        # graph product runs on the (fewer or equal) input channels, and both products are plain
        # matrix multiplications on contiguous memory, where an einsum over the convolution's
        # output copies it twice (a third of the batch-1 latency with 87 nodes).
        b, cin, t, v = x.shape
        a = self.parts * self.importance  # (K, V, V)
        z = torch.matmul(x.reshape(b, 1, cin * t, v), a)  # (B, K, Cin * T, V)
        w = self.conv.weight.view(self.k, -1, cin).transpose(0, 1).reshape(-1, self.k * cin)
        y = torch.matmul(w, z.view(b, self.k * cin, t * v)).view(b, -1, t, v)
        bias = self.conv.bias.view(self.k, -1).t() @ a.sum(dim=1)  # (Cout, V)
        return y + bias[:, None, :]


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

    #: what a recipe that sets no optim.lr, optim.batch_size (or decoder) trains with
    defaults: ClassVar[dict] = {"lr": 1e-3, "batch_size": 32}

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray,
                 channels: list[int] | None = None, strides: list[int] | None = None,
                 dropout: float = 0.0):
        super().__init__(num_nodes, in_channels, edges,
                         lambda cin, cout, parts, s: STGCNBlock(cin, cout, parts, s, dropout),
                         channels, strides)
