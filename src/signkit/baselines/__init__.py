"""Classical baselines: scikit-learn classifiers on fixed-length keypoint sequences."""

from signkit.baselines.classifiers import CLASSIFIERS, make_classifier
from signkit.baselines.features import FeatureConfig, sequence_features

__all__ = ["CLASSIFIERS", "FeatureConfig", "make_classifier", "sequence_features"]
