"""Deep pose classifiers: registered encoders (BiLSTM, Transformer, ST-GCN, SL-GCN) and decoders.

Needs the ``train`` extra (PyTorch).
"""

from signkit.models import bilstm, decoders, slgcn, stgcn, transformer  # noqa: F401  (registration)
from signkit.models.base import DECODERS, ENCODERS, Classifier, build_classifier, check_model

__all__ = ["DECODERS", "ENCODERS", "Classifier", "build_classifier", "check_model"]
