"""Sequence heads for continuous recognition: per-frame encoder features ``(B, L, F)`` and their
lengths -> per-step gloss log-probabilities ``(B, L', N)`` (class 0 is CTC's blank) and ``L'``.

Padding never changes a sample's output: convolutions see zeros past each sample's end, as their
own zero padding would give them, the BiLSTM is packed and the Transformer masks padded steps.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from signkit.models.base import HEADS, valid_steps


class TemporalPooling(nn.Module):
    """1D convolutions over time, each followed by max pooling (``pools``: 2 halves the rate, 1
    keeps it): ``(B, L, F)`` -> ``(B, L / prod(pools), hidden)``."""

    def __init__(self, in_dim: int, hidden: int, kernel: int, pools: list[int]):
        super().__init__()
        self.pools = pools
        self.convs = nn.ModuleList(
            nn.Sequential(nn.Conv1d(in_dim if i == 0 else hidden, hidden, kernel, padding=kernel // 2),
                          nn.BatchNorm1d(hidden), nn.ReLU(inplace=True))
            for i in range(len(pools)))

    @property
    def stride(self) -> int:
        return math.prod(self.pools)

    def forward(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        h = x.transpose(1, 2)  # (B, F, L)
        for conv, pool in zip(self.convs, self.pools, strict=True):
            mask = valid_steps(lengths, h.shape[2]).float()[:, None]  # (B, 1, L)
            h = conv(h * mask) * mask
            if pool > 1:  # max_pool1d(h, pool), written so that an export keeps the frames axis dynamic
                steps = h.shape[2] // pool
                h = h[:, :, : steps * pool].reshape(h.shape[0], h.shape[1], steps, pool).amax(-1)
                lengths = torch.clamp(lengths // pool, min=1)
        return h.transpose(1, 2), lengths


@HEADS.register("conv_bilstm")
class ConvBiLSTMHead(nn.Module):
    """Temporal convolutions with pooling, a BiLSTM, a linear layer over glosses and blank."""

    def __init__(self, in_dim: int, num_classes: int, hidden: int = 256, kernel: int = 5,
                 pools: list[int] | None = None, lstm_layers: int = 2, dropout: float = 0.2):
        super().__init__()
        self.temporal = TemporalPooling(in_dim, hidden, kernel, [2, 2] if pools is None else pools)
        self.lstm = nn.LSTM(hidden, hidden // 2, num_layers=lstm_layers, batch_first=True,
                            bidirectional=True, dropout=dropout if lstm_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * (hidden // 2), num_classes)
        self.stride = self.temporal.stride

    def forward(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        h, lengths = self.temporal(x, lengths)
        packed = pack_padded_sequence(h, lengths.cpu(), batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=h.shape[1])
        return self.fc(self.dropout(h)).log_softmax(-1), lengths


def sinusoid(t: int, dim: int, device: torch.device) -> Tensor:
    """``(1, t, dim)`` sinusoidal positions: no maximum length, unlike learned ones."""
    pos = torch.arange(t, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(1e4) / dim))
    out = torch.zeros(t, dim, device=device)
    out[:, 0::2] = torch.sin(pos * freq)
    out[:, 1::2] = torch.cos(pos * freq)[:, : dim // 2]
    return out[None]


@HEADS.register("transformer")
class TransformerHead(nn.Module):
    """Temporal convolutions with pooling, Transformer layers (sinusoidal positions, padded steps
    masked), a linear layer over glosses and blank."""

    def __init__(self, in_dim: int, num_classes: int, hidden: int = 256, kernel: int = 5,
                 pools: list[int] | None = None, layers: int = 2, heads: int = 4, dropout: float = 0.2):
        super().__init__()
        self.temporal = TemporalPooling(in_dim, hidden, kernel, [2, 2] if pools is None else pools)
        layer = nn.TransformerEncoderLayer(hidden, heads, 2 * hidden, dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.fc = nn.Linear(hidden, num_classes)
        self.stride = self.temporal.stride

    def forward(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        h, lengths = self.temporal(x, lengths)
        h = self.encoder(h + sinusoid(h.shape[1], h.shape[2], h.device),
                         src_key_padding_mask=~valid_steps(lengths, h.shape[1]))
        return self.fc(h).log_softmax(-1), lengths
