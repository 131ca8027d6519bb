"""BiLSTM over flattened keypoints per frame (OpenHands: 4 layers, hidden 128)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from signkit.models.base import ENCODERS


@ENCODERS.register("bilstm")
class BiLSTMEncoder(nn.Module):
    """``(B, T, V, C)`` -> ``(B, T, 2 * hidden)``; pair it with the ``attention`` decoder."""

    #: what a recipe that sets no optim.lr, optim.batch_size (or decoder) trains with
    # OpenHands pairs the BiLSTM with attention
    defaults: ClassVar[dict] = {"lr": 5e-3, "batch_size": 32, "decoder": "attention"}

    def __init__(self, num_nodes: int, in_channels: int, edges: np.ndarray | None = None,
                 hidden: int = 128, layers: int = 4, dropout: float = 0.1):
        super().__init__()
        self.norm = nn.LayerNorm(num_nodes * in_channels)
        self.lstm = nn.LSTM(num_nodes * in_channels, hidden, num_layers=layers, batch_first=True,
                            bidirectional=True, dropout=dropout if layers > 1 else 0.0)
        self.out_dim = 2 * hidden

    def forward(self, x: Tensor) -> Tensor:
        b, t = x.shape[:2]
        out, _ = self.lstm(self.norm(x.reshape(b, t, -1)))
        return out

    def frames(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Padded ``(B, T, V, C)`` -> ``(B, T, 2 * hidden)``; packed, so padding changes nothing."""
        b, t = x.shape[:2]
        packed = pack_padded_sequence(self.norm(x.reshape(b, t, -1)), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=t)
        return out, lengths
