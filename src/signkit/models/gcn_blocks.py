"""Building blocks shared by the graph models. Tensors inside are ``(B, C, T, V)``."""

from __future__ import annotations

import itertools

import torch
from torch import Tensor, nn


class TemporalConv(nn.Module):
    """Convolution over time only, kernel ``(k, 1)``, with batch norm."""

    def __init__(self, channels: int, kernel: int = 9, stride: int = 1, dropout: float = 0.0):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, channels, (kernel, 1), (stride, 1), (kernel // 2, 0)),
            nn.BatchNorm2d(channels), nn.Dropout(dropout))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def residual(cin: int, cout: int, stride: int) -> nn.Module:
    """Identity when shapes match, else a strided 1x1 convolution with batch norm."""
    if cin == cout and stride == 1:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(cin, cout, 1, (stride, 1)), nn.BatchNorm2d(cout))


def stacked_channels(channels: list[int], in_channels: int) -> list[tuple[int, int]]:
    """``[(cin, cout), ...]`` for a stack of layers whose widths are ``channels``."""
    widths = [in_channels, *channels]
    return list(itertools.pairwise(widths))


class InputNorm(nn.Module):
    """Batch norm over every keypoint coordinate (ST-GCN's data_bn): ``(B, T, V, C)`` -> ``(B, C, T, V)``."""

    def __init__(self, num_nodes: int, in_channels: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(num_nodes * in_channels)

    def forward(self, x: Tensor) -> Tensor:
        b, t, v, c = x.shape
        y = self.bn(x.permute(0, 2, 3, 1).reshape(b, v * c, t))
        return y.reshape(b, v, c, t).permute(0, 2, 3, 1).contiguous()


def pool_nodes(x: Tensor) -> Tensor:
    """``(B, C, T, V)`` -> ``(B, T, C)`` by averaging the nodes."""
    return x.mean(dim=3).transpose(1, 2)


def as_partitions(parts) -> Tensor:
    return torch.as_tensor(parts, dtype=torch.float32)
