"""Encoder + decoder classifiers and encoder + head sequence models, each part registered by
name; configs refer to the names.

Every encoder takes ``x`` of shape ``(B, T, V, C)`` (frames, keypoints, coordinates) and returns
a sequence ``(B, L, F)`` with ``out_dim = F``; every decoder pools that sequence to class logits
``(B, num_classes)``. Graph encoders use ``edges`` (``(E, 2)`` among the V selected keypoints).
For continuous recognition, ``encoder.frames(x, lengths)`` gives per-frame features of a padded
batch and their lengths, and a head (``heads.py``) turns them into per-step gloss log-probabilities.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from signkit.registry import Registry

ENCODERS: Registry[type[nn.Module]] = Registry("encoder", package="signkit.models")
DECODERS: Registry[type[nn.Module]] = Registry("decoder", package="signkit.models")
HEADS: Registry[type[nn.Module]] = Registry("sequence head", package="signkit.models")
# Models of RGB clips ``(B, 3, T, H, W)`` -> logits, whole (no encoder/decoder split).
VIDEO_MODELS: Registry[type[nn.Module]] = Registry("video model", package="signkit.models")


def valid_steps(lengths: Tensor, t: int) -> Tensor:
    """``(B, T)`` bool of a padded batch: True on each sample's first ``lengths`` steps. The one
    mask every padded module derives its own from."""
    return torch.arange(t, device=lengths.device)[None] < lengths[:, None]


class Classifier(nn.Module):
    """``logits = decoder(encoder(x))`` for ``x`` of shape ``(B, T, V, C)``."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))


# What the code passes each encoder and decoder (or sequence head); the rest of their parameters
# come from recipes.
ENCODER_INPUTS = ("num_nodes", "in_channels", "edges")
DECODER_INPUTS = ("in_dim", "num_classes")


def check_model(encoder: str, decoder: str, encoder_params: dict[str, Any],
                decoder_params: dict[str, Any], decoders: Registry = DECODERS) -> None:
    """Raise :class:`ConfigError` for an unknown encoder or decoder (a head from ``HEADS``) or a
    parameter either lacks."""
    ENCODERS.check(encoder, encoder_params, ENCODER_INPUTS)
    decoders.check(decoder, decoder_params, DECODER_INPUTS)


def _parts(encoder: str, decoder: str, num_nodes: int, in_channels: int, num_classes: int,
           edges: np.ndarray, encoder_params: dict[str, Any] | None, decoder_params: dict[str, Any] | None,
           decoders: Registry) -> tuple[nn.Module, nn.Module]:
    enc = ENCODERS.create(encoder, encoder_params, num_nodes=num_nodes, in_channels=in_channels,
                          edges=edges)
    return enc, decoders.create(decoder, decoder_params, in_dim=enc.out_dim, num_classes=num_classes)


def build_classifier(encoder: str, decoder: str, num_nodes: int, in_channels: int, num_classes: int,
                     edges: np.ndarray, encoder_params: dict[str, Any] | None = None,
                     decoder_params: dict[str, Any] | None = None) -> Classifier:
    return Classifier(*_parts(encoder, decoder, num_nodes, in_channels, num_classes, edges,
                              encoder_params, decoder_params, DECODERS))


def frame_stride(encoder: nn.Module) -> int:
    """Input frames per step of ``encoder.frames``: the product of a graph encoder's temporal
    strides, 1 for the others."""
    return int(math.prod(getattr(encoder, "strides", [1])))


class SequenceModel(nn.Module):
    """``log_probs, lengths = head(*encoder.frames(x, lengths))``: ``(B, T, V, C)`` padded frames
    -> ``(B, T / stride, N)`` log-probabilities (class 0: blank) and each sample's output steps."""

    def __init__(self, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head

    @property
    def stride(self) -> int:
        """Input frames per output step."""
        return frame_stride(self.encoder) * self.head.stride

    def forward(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        return self.head(*self.encoder.frames(x, lengths))


def check_sequence_model(encoder: str, head: str, encoder_params: dict[str, Any],
                         head_params: dict[str, Any]) -> None:
    check_model(encoder, head, encoder_params, head_params, HEADS)


def build_sequence_model(encoder: str, head: str, num_nodes: int, in_channels: int, num_classes: int,
                         edges: np.ndarray, encoder_params: dict[str, Any] | None = None,
                         head_params: dict[str, Any] | None = None) -> SequenceModel:
    """``num_classes`` counts the blank."""
    return SequenceModel(*_parts(encoder, head, num_nodes, in_channels, num_classes, edges, encoder_params,
                                 head_params, HEADS))
