"""Deep pose models: registered encoders (BiLSTM, Transformer, ST-GCN, SL-GCN), decoders (classes)
and sequence heads (CTC).

Needs the ``train`` extra (PyTorch).
"""

from signkit.models import bilstm, decoders, heads, r2plus1d, slgcn, stgcn, transformer  # noqa: F401  (registration)
from signkit.models.base import (
    DECODERS,
    ENCODERS,
    HEADS,
    VIDEO_MODELS,
    Classifier,
    SequenceModel,
    build_classifier,
    build_sequence_model,
    check_model,
    check_sequence_model,
)

__all__ = ["DECODERS", "ENCODERS", "HEADS", "VIDEO_MODELS", "Classifier", "SequenceModel", "build_classifier",
           "build_sequence_model", "check_model", "check_sequence_model"]
