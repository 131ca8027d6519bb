"""Deep pose models: registered encoders (BiLSTM, Transformer, ST-GCN, SL-GCN), decoders (classes)
and sequence heads (CTC).

Each registry finds its entries in this package's modules on first lookup: a new model is one
new file here. Needs the ``train`` extra (PyTorch).
"""

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
