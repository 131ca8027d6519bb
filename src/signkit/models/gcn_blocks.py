"""Building blocks shared by the graph models. Tensors inside are ``(B, C, T, V)``."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn

from signkit.models.base import valid_steps
from signkit.models.graph import spatial_partitions

# The papers' (and OpenHands') widths are 64 x 4, 128 x 3, 256 x 3; ours are a quarter of that, so
# that batch-1 latency on a 2-core CPU stays near OpenHands' published figures when face groups
# multiply the nodes, and a leave-one-signer-out table trains in about an hour on one core
# (benchmarks/README.md). ``encoder_params.channels`` sets other widths.
GCN_CHANNELS = [16, 16, 16, 16, 32, 32, 32, 64, 64, 64]
GCN_STRIDES = [1, 1, 1, 1, 2, 1, 1, 2, 1, 1]


class TemporalConv(nn.Module):
    """Convolution over time only, kernel ``(k, 1)``, with batch norm.

    ``mask`` (``(B, 1, T, 1)``, set by :meth:`GraphEncoder.frames` for the length of one call)
    zeroes padded frames first, so that they reach the valid ones as the convolution's own zero
    padding would: a padded batch gives each sample the output it has alone."""

    def __init__(self, channels: int, kernel: int = 9, stride: int = 1, dropout: float = 0.0):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, channels, (kernel, 1), (stride, 1), (kernel // 2, 0)),
            nn.BatchNorm2d(channels), nn.Dropout(dropout))
        self.mask: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x if self.mask is None else x * self.mask)


def residual(cin: int, cout: int, stride: int) -> nn.Module:
    """Identity when shapes match, else a strided 1x1 convolution with batch norm."""
    if cin == cout and stride == 1:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(cin, cout, 1, (stride, 1)), nn.BatchNorm2d(cout))


class InputNorm(nn.Module):
    """Batch norm over every keypoint coordinate (ST-GCN's data_bn): ``(B, T, V, C)`` -> ``(B, C, T, V)``."""

    def __init__(self, num_nodes: int, in_channels: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(num_nodes * in_channels)

    def forward(self, x: Tensor) -> Tensor:
        b, t, v, c = x.shape
        y = self.bn(x.permute(0, 2, 3, 1).reshape(b, v * c, t))
        return y.reshape(b, v, c, t).permute(0, 2, 3, 1).contiguous()


def time_mask(lengths: Tensor, t: int) -> Tensor:
    """``(B, 1, T, 1)`` float: 1 on each sample's first ``lengths`` frames."""
    return valid_steps(lengths, t).float()[:, None, :, None]


def pool_nodes(x: Tensor) -> Tensor:
    """``(B, C, T, V)`` -> ``(B, T, C)`` by averaging the nodes."""
    return x.mean(dim=3).transpose(1, 2)


Block = Callable[[int, int, Tensor, int], nn.Module]  # (cin, cout, partitions, stride) -> layer


class GraphEncoder(nn.Module):
    """Input batch norm, a stack of graph layers over the selection's skeleton, mean over nodes:
    ``(B, T, V, C)`` -> ``(B, T / prod(strides), channels[-1])``. ST-GCN and SL-GCN differ only in
    the layer ``block`` builds."""

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray, block: Block,
                 channels: list[int] | None = None, strides: list[int] | None = None):
        super().__init__()
        channels = channels or GCN_CHANNELS
        strides = strides or GCN_STRIDES
        parts = torch.as_tensor(spatial_partitions(num_nodes, edges), dtype=torch.float32)
        widths = itertools.pairwise([in_channels, *channels])
        self.norm = InputNorm(num_nodes, in_channels)
        self.blocks = nn.Sequential(*[block(cin, cout, parts, s)
                                      for (cin, cout), s in zip(widths, strides, strict=True)])
        self.out_dim = channels[-1]
        self.strides = list(strides)

    def forward(self, x: Tensor) -> Tensor:
        return pool_nodes(self.blocks(self.norm(x)))

    def frames(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Padded ``(B, T, V, C)`` -> ``(B, ceil(T / prod(strides)), F)`` and the output lengths.
        Padded frames are zeroed before every module that mixes frames (any with a ``mask``
        attribute: temporal convolutions, SL-GCN's attention), so they change no valid output."""
        h = self.norm(x)
        for block, stride in zip(self.blocks, self.strides, strict=True):
            mask = time_mask(lengths, h.shape[2])
            masked = [m for m in block.modules() if hasattr(m, "mask")]
            for m in masked:
                m.mask = mask
            try:
                h = block(h * mask)
            finally:
                for m in masked:
                    m.mask = None
            lengths = (lengths + stride - 1) // stride  # a strided "same" convolution: ceil(T / s)
        return pool_nodes(h * time_mask(lengths, h.shape[2])), lengths
