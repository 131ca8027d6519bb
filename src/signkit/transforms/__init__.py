"""Pose transforms registered by name: normalisation, interpolation, temporal sampling and
augmentation. Build a pipeline from names with :func:`build_transforms`.
"""

from signkit.transforms import augment, face, hands, normalize, skeleton, temporal  # noqa: F401  (registers)
from signkit.transforms.base import TRANSFORMS, Compose, Transform, build_transforms

__all__ = ["TRANSFORMS", "Compose", "Transform", "build_transforms"]
